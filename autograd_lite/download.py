"""Downloading a file: through ``pooch`` when it is installed (the ``data`` extra), else ``urllib``.

Either way the file is written to a temporary name and moved into place, and network errors
are ``OSError``, so a caller can try the next mirror.
"""

from __future__ import annotations

import os
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any, Optional, Union

__all__ = ["DOWNLOAD_TIMEOUT", "download_file"]

PathLike = Union[str, "os.PathLike[str]"]

DOWNLOAD_TIMEOUT = 30.0  # seconds without an answer before a mirror is given up


class _TextProgress:
    """A minimal progress bar on stderr, used when tqdm is not installed."""

    def __init__(self, total: Optional[int], desc: str) -> None:
        self.total, self.desc, self.n, self._shown = total, desc, 0, -1

    def update(self, n: int) -> None:
        self.n += n
        if self.total:
            percent = int(100 * self.n / self.total)
            if percent != self._shown:
                self._shown = percent
                bar = "#" * (percent // 4)
                sys.stderr.write(f"\r{self.desc}: [{bar:<25}] {percent:3d}%")
                sys.stderr.flush()
        else:
            sys.stderr.write(f"\r{self.desc}: {self.n / 1e6:.1f} MB")
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def _progress(total: Optional[int], desc: str) -> Any:
    try:
        from tqdm import tqdm  # optional extra; the text bar below does the same job
    except ImportError:
        return _TextProgress(total, desc)
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, file=sys.stderr)


def download_file(url: str, dest: PathLike, timeout: float = DOWNLOAD_TIMEOUT, progress: bool = True) -> None:
    """Download ``url`` to ``dest`` (written to a temporary file first, then moved into place).

    HTTP(S) goes through ``pooch`` when it is installed (the ``data`` extra); other URLs, and
    every URL without pooch, through ``urllib``.  Network errors propagate as ``OSError``
    (``urllib.error.URLError`` and ``requests``' errors are ones), so the caller can try the
    next mirror.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith(("http://", "https://")):
        try:
            import pooch  # optional: download with retries, progress bar and atomic write
        except ImportError:
            pass
        else:
            _download_with_pooch(pooch, url, dest, timeout, progress)
            return
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            bar = _progress(total, dest.name) if progress else None
            try:
                while True:
                    chunk = response.read(1 << 16)
                    if not chunk:
                        break
                    out.write(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
        os.replace(tmp_name, dest)
    except BaseException:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
        raise


def _download_with_pooch(pooch: Any, url: str, dest: Path, timeout: float, progress: bool) -> None:
    # No known_hash: the mirrors' .gz files differ byte for byte (each re-gzipped the data), so
    # the checksums that identify MNIST are of the uncompressed content, checked by the caller.
    try:
        import tqdm  # noqa: F401  (pooch's progress bar needs it)
    except ImportError:
        progress = False
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # not pooch's advice to pin the hash of one mirror's file
    try:
        pooch.retrieve(url, known_hash=None, fname=dest.name, path=dest.parent,
                       downloader=pooch.HTTPDownloader(progressbar=progress, timeout=timeout))
    finally:
        logger.setLevel(level)
