"""Weights on disk: the ``.npz`` files of :meth:`Module.save` / :meth:`Module.load`, read with bounds.

An ``.npz`` file is a zip archive with one ``NAME.npy`` entry per array.  ``np.load`` trusts
what the file says: a 1 MB archive whose entry inflates to 1 GiB is inflated before anything
checks it, and a header that claims a 745 GiB array asks for 745 GiB.  Here the model decides:

1. the zip's directory is read (its size is bounded by the file's), the entry names are
   compared with the model's;
2. each entry's ``.npy`` header is read from at most :data:`HEADER_LIMIT` bytes and its shape
   and dtype are compared with the model's array, and the size the zip declares for the entry
   with the size that shape and dtype need;
3. only then is each entry's data read, in chunks, into an array of exactly that size.

So the memory used is the model's own size (plus a chunk), whatever the file claims, and any
refusal is a ``ValueError`` that names the file and the entry.  Every file is closed.

>>> import tempfile, os
>>> import numpy as np
>>> with tempfile.TemporaryDirectory() as folder:
...     path = os.path.join(folder, "w.npz")
...     write_state(path, {"W": np.eye(2)})
...     read_state(path, {"W": np.zeros((2, 2))}, "Demo")["W"].tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

import io
import math
import os
import struct
import tokenize
import zipfile
import zlib
from typing import Any, Dict, List, Mapping, Tuple, Type, Union

import numpy as np
from numpy.lib import format as npy_format

__all__ = ["HEADER_LIMIT", "read_state", "write_state"]

PathLike = Union[str, "os.PathLike[str]"]

# numpy's own limit on the header's text (``max_header_size``), plus the magic string, the
# version and the length field in front of it.
HEADER_LIMIT = 10_000 + 12
_CHUNK = 1 << 20  # bytes read at a time from an entry

# What a damaged zip or compressed stream raises in the standard library (zipfile, zlib, bz2,
# lzma, struct; ValueError for e.g. a bad seek); each becomes a ValueError naming the file.
_DAMAGED: Tuple[Type[BaseException], ...] = (
    ValueError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError,
    RuntimeError, struct.error, OverflowError)
try:
    import lzma

    _DAMAGED += (lzma.LZMAError,)
except ImportError:  # a Python built without lzma: zipfile then refuses such entries itself
    pass

# What numpy's header parser can raise on hostile text: ValueError for its own checks,
# SyntaxError / TokenError from parsing, TypeError from a bad dtype description, RecursionError
# and MemoryError from deeply nested brackets (the text itself is at most HEADER_LIMIT bytes).
_BAD_HEADER = (ValueError, SyntaxError, tokenize.TokenError, TypeError, OverflowError, RecursionError,
               MemoryError)


class _Refusal(ValueError):
    """A refusal already worded for the user: passed on unchanged."""


def _names(keys: List[str], limit: int = 10) -> str:
    shown = ", ".join(repr(k) for k in keys[:limit])
    return f"[{shown}{f', ... ({len(keys) - limit} more)' if len(keys) > limit else ''}]"


def cast_state(name: str, value: np.ndarray, dtype: np.dtype) -> Tuple[np.ndarray, str]:
    """``value`` in the model's ``dtype``, and "" -- or the problem, if a number does not survive.

    The numeric policy of numbers combined with a float32/float16 tensor holds for loaded
    weights too: a finite number the dtype would turn into inf (1e300 in float32), or a non-zero
    one it would turn into 0 (1e-10 in float16), is refused, never rounded silently.

    >>> cast_state("W", np.array([1.0, 1e300]), np.dtype(np.float32))[1]
    "'W' holds 1e+300 at index (1,), which float32 cannot hold (it would become inf)"
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        cast = value.astype(dtype, copy=False)
    if cast is value or value.dtype.kind not in "iuf":
        return cast, ""
    for bad, becomes in ((np.isfinite(value) & ~np.isfinite(cast), "inf"), ((value != 0) & (cast == 0), "0")):
        if bad.any():
            where = tuple(int(k) for k in np.argwhere(bad)[0])
            from .format import fmt

            return cast, (f"{name!r} holds {fmt(value[where])} at index {where}, which {dtype} cannot "
                          f"hold (it would become {becomes})")
    return cast, ""


def write_state(path: PathLike, state: Mapping[str, np.ndarray]) -> None:
    """Write ``state`` to ``path`` as an uncompressed ``.npz`` archive (no pickles), exactly at ``path``."""
    with open(path, "wb") as f:
        np.savez(f, **state)  # type: ignore[arg-type]


class _Entry:
    """One ``.npy`` entry whose header has been read and checked: its shape, dtype and data so far."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, key: str) -> None:
        self.where, self.key = where, key
        self.stream: Any = archive.open(info)
        try:
            self.shape, self.fortran, self.dtype, header_size, self.head = self._header()
            if self.dtype.hasobject or self.dtype.kind not in "biuf" or self.dtype.shape:
                raise _Refusal(f"{where} cannot be read safely: entry {key!r} has dtype {self.dtype} (only "
                               "plain real-number arrays are accepted; Python objects would need "
                               "allow_pickle=True)")
            self.nbytes = math.prod(self.shape) * self.dtype.itemsize
            if info.file_size != header_size + self.nbytes:
                raise _Refusal(f"{where}: entry {key!r} declares {info.file_size} bytes, but its header "
                               f"(shape {self.shape}, dtype {self.dtype}) needs exactly "
                               f"{header_size + self.nbytes}")
        except BaseException:
            self.stream.close()
            raise

    def _header(self) -> Tuple[Tuple[int, ...], bool, np.dtype[Any], int, bytes]:
        # At most HEADER_LIMIT bytes: numpy's parser reads the length the header claims, so it
        # gets a bounded copy, and whatever follows the header is the start of the data.
        prefix = self.stream.read(HEADER_LIMIT)
        view = io.BytesIO(prefix)
        try:
            version = npy_format.read_magic(view)
            if version == (1, 0):
                shape, fortran, dtype = npy_format.read_array_header_1_0(view)
            elif version == (2, 0):
                shape, fortran, dtype = npy_format.read_array_header_2_0(view)
            else:
                raise ValueError(f"npy format version {version[0]}.{version[1]} is not supported")
        except _BAD_HEADER as exc:
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            raise _Refusal(f"{self.where}: entry {self.key!r} has no readable .npy header "
                           f"({reason})") from None
        return shape, fortran, dtype, view.tell(), prefix[view.tell():]

    def read(self) -> np.ndarray:
        """The data, read in chunks into an array of exactly the size the header declared."""
        where, key, nbytes = self.where, self.key, self.nbytes
        with self.stream:
            flat = np.empty(math.prod(self.shape), dtype=self.dtype)
            buffer = flat.view(np.uint8)
            filled = min(len(self.head), nbytes)
            buffer[:filled] = np.frombuffer(self.head, np.uint8, count=filled)
            while filled < nbytes:
                chunk = self.stream.read(min(_CHUNK, nbytes - filled))
                if not chunk:
                    raise _Refusal(f"{where}: entry {key!r} is truncated: {filled} of {nbytes} data bytes")
                buffer[filled:filled + len(chunk)] = np.frombuffer(chunk, np.uint8)
                filled += len(chunk)
            if len(self.head) > nbytes or self.stream.read(1):  # the end also checks the CRC-32
                raise _Refusal(f"{where}: entry {key!r} has data after its {nbytes} bytes")
        return flat.reshape(self.shape, order="F" if self.fortran else "C")


def _entries(archive: zipfile.ZipFile, where: str) -> Dict[str, zipfile.ZipInfo]:
    entries: Dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        if key in entries:
            raise _Refusal(f"{where}: entry {key!r} appears twice in the archive")
        entries[key] = info
    return entries


def _check(archive: zipfile.ZipFile, entries: Mapping[str, zipfile.ZipInfo],
           targets: Mapping[str, np.ndarray], where: str) -> None:
    """Names, then each entry's header against the model, before any data is read."""
    missing = [k for k in targets if k not in entries]
    unexpected = [k for k in entries if k not in targets]
    problems = ([f"missing keys {_names(missing)}"] if missing else []) + (
        [f"unexpected keys {_names(unexpected)}"] if unexpected else [])
    for key, target in targets.items():
        if key in entries:
            entry = _Entry(archive, entries[key], where, key)
            entry.stream.close()
            if entry.shape != target.shape:
                problems.append(f"{key!r} has shape {entry.shape}, the model expects {target.shape}")
    if problems:
        raise _Refusal(f"{where}: the file does not fit this model: " + "; ".join(problems)
                       + ". Nothing was loaded.")


def read_state(path: PathLike, targets: Mapping[str, np.ndarray], owner: str) -> Dict[str, np.ndarray]:
    """The arrays of the ``.npz`` file at ``path``, one per name of ``targets``, each of its shape.

    ``targets`` maps each expected name to an array of the expected shape (the model's own);
    a file with other names, shapes, non-numeric dtypes or sizes that do not add up is refused
    with a ``ValueError`` before its data is read.  Missing files and permission problems
    raise ``OSError`` as usual.  ``owner`` starts the messages (``"Linear"`` -> ``Linear.load``).
    """
    where = f"{owner}.load: {path}"
    with open(path, "rb") as f:
        if f.read(6) == b"\x93NUMPY":
            raise ValueError(f"{where} holds a single array, not an .npz archive written by Module.save")
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as archive:
                entries = _entries(archive, where)
                _check(archive, entries, targets, where)
                state = {}
                for key, target in targets.items():
                    entry = _Entry(archive, entries[key], where, key)
                    if entry.shape != target.shape:  # the file is read again: check again, assume nothing
                        entry.stream.close()
                        raise _Refusal(f"{where}: {key!r} has shape {entry.shape}, the model expects "
                                       f"{target.shape}")
                    state[key] = entry.read()
                return state
        except _Refusal as refusal:  # the message is already worded; the user sees a plain ValueError
            raise ValueError(str(refusal)) from None
        except _DAMAGED as exc:
            raise ValueError(f"{where} is not an .npz archive of plain arrays ({type(exc).__name__}: "
                             f"{str(exc)[:200]}); only complete archives written by Module.save are "
                             "accepted. Nothing was loaded.") from None
