"""Small datasets for learning: MNIST (IDX files, checksummed and cached), two moons, spirals.

MNIST comes as four IDX files.  :func:`load_mnist` has the signature of "Deep Learning from
Scratch" (``dataset/mnist.py``) and finds the files in this order:

1. ``data_dir`` when given;
2. the cache: ``$AUTOGRAD_LITE_DATA/mnist`` when that variable is set, else
   ``~/.cache/autograd_lite/mnist``;
3. otherwise it downloads the missing files into ``data_dir`` (or the cache) from the first
   mirror in :data:`MNIST_MIRRORS` that answers.

Every file is checked before any array is returned: the IDX header (magic number, dimensions),
the exact length, and the md5 of the *uncompressed* content against :data:`MNIST_FILES`
(the uncompressed content is what identifies MNIST: mirrors re-gzip it with different
headers).  A truncated or corrupted file raises ``ValueError`` saying what is wrong;
when the files are missing and cannot be downloaded, :class:`DatasetNotFoundError` says which
files to put where.

Only the 10,000 test images are at hand?  :func:`load_mnist_test` reads just those two files,
and :func:`train_test_split` cuts them into a training and an evaluation part.

>>> import numpy as np
>>> x, t = make_moons(n_samples=6, noise=0.0, seed=0)
>>> x.shape, t.dtype, sorted(t.tolist())
((6, 2), dtype('int64'), [0, 0, 0, 1, 1, 1])
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import tempfile
import urllib.request
import zlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import DTypeLike

PathLike = Union[str, "os.PathLike[str]"]
Arrays = Tuple[np.ndarray, np.ndarray]

__all__ = [
    "MNIST_FILES",
    "MNIST_MIRRORS",
    "DatasetNotFoundError",
    "cache_dir",
    "download_file",
    "load_mnist",
    "load_mnist_test",
    "make_moons",
    "make_spiral",
    "read_idx",
    "train_test_split",
]


class DatasetNotFoundError(FileNotFoundError):
    """Dataset files are missing locally and could not be downloaded."""


# The canonical MNIST files (LeCun, Cortes, Burges): md5 of the uncompressed IDX content, its
# length in bytes and the array shape it holds.  The md5s are the ones published with the
# original files (also used by e.g. PyTorch's and TensorFlow's build scripts); the two test
# files were checked against the copy in the project's shared data folder.
MNIST_FILES: Dict[str, Dict[str, Any]] = {
    "train_img": {"file": "train-images-idx3-ubyte.gz", "md5": "6bbc9ace898e44ae57da46a324031adb",
                  "size": 47_040_016, "shape": (60_000, 28, 28)},
    "train_label": {"file": "train-labels-idx1-ubyte.gz", "md5": "a25bea736e30d166cdddb491f175f624",
                    "size": 60_008, "shape": (60_000,)},
    "test_img": {"file": "t10k-images-idx3-ubyte.gz", "md5": "2646ac647ad5339dbf082846283269ea",
                 "size": 7_840_016, "shape": (10_000, 28, 28)},
    "test_label": {"file": "t10k-labels-idx1-ubyte.gz", "md5": "27ae3e4e09519cfbb04c329615203637",
                   "size": 10_008, "shape": (10_000,)},
}

# Base URLs tried in order; each must serve the four ``*.gz`` files.  Edit this list (or pass
# ``mirrors=`` to :func:`load_mnist`) to use a local mirror.
MNIST_MIRRORS: List[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]

DOWNLOAD_TIMEOUT = 30.0  # seconds without an answer before a mirror is given up

# IDX type codes (third byte of the magic number) -> big-endian numpy dtype.
_IDX_DTYPES: Dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}


# ---------------------------------------------------------------------------------------------
# IDX files
# ---------------------------------------------------------------------------------------------

def _read_bytes(path: Path) -> bytes:
    """The file's content, gunzipped when it starts with the gzip magic bytes."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:  # truncated or corrupted gzip stream
        raise ValueError(f"read_idx: {path} is not a valid gzip file ({exc}); "
                         "it is probably truncated or corrupted: delete it and fetch it again") from exc


def _parse_idx(content: bytes, where: str) -> np.ndarray:
    """Parse IDX bytes into an array, checking magic number, dimensions and exact length."""
    if len(content) < 4:
        raise ValueError(f"read_idx: {where} is too short for an IDX header ({len(content)} bytes)")
    zero0, zero1, code, ndim = content[0], content[1], content[2], content[3]
    if zero0 != 0 or zero1 != 0 or code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(f"read_idx: {where} has a bad magic number 0x{content[:4].hex()} "
                         "(an IDX file starts with 00 00, a type code in 08 09 0B 0C 0D 0E, "
                         "and the number of dimensions)")
    header = 4 + 4 * ndim
    if len(content) < header:
        raise ValueError(f"read_idx: {where} is truncated inside its header "
                         f"({len(content)} bytes, the header needs {header})")
    shape = tuple(int.from_bytes(content[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[code]
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(content) != expected:
        kind = "truncated" if len(content) < expected else "too long"
        raise ValueError(f"read_idx: {where} has the wrong length: {len(content)} bytes, but its header "
                         f"(shape {shape}, dtype {dtype.name}) needs exactly {expected}; the file is {kind}")
    data = np.frombuffer(content, dtype=dtype, offset=header).reshape(shape)
    # Native byte order and a writable array the caller owns.
    return data.astype(dtype.newbyteorder("="))


def read_idx(path: PathLike, md5: Optional[str] = None) -> np.ndarray:
    """Read one IDX file (gzip-compressed or not) into a numpy array.

    Checks the magic number, that the length matches the header exactly, and -- when ``md5``
    is given -- the md5 of the uncompressed content.  Any failure is a ``ValueError`` that
    names the file and the problem; a garbage array is never returned.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     p = Path(folder) / "tiny-idx1-ubyte"   # magic 00 00 08 01: ubyte, 1 dimension
    ...     _ = p.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))
    ...     read_idx(p)
    array([7, 8, 9], dtype=uint8)
    """
    path = Path(path)
    content = _read_bytes(path)
    if md5 is not None:
        actual = hashlib.md5(content).hexdigest()
        if actual != md5.lower():
            raise ValueError(f"read_idx: checksum mismatch for {path}: md5 of the uncompressed content is "
                             f"{actual}, expected {md5.lower()}; the file is corrupted or not the "
                             "expected one: delete it and fetch it again")
    return _parse_idx(content, str(path))


def _read_mnist_file(path: Path, key: str) -> np.ndarray:
    """Read one MNIST file and check its checksum and shape against :data:`MNIST_FILES`."""
    spec = MNIST_FILES[key]
    array = read_idx(path, md5=spec["md5"])
    if array.shape != spec["shape"] or array.dtype != np.uint8:
        # Only reachable if MNIST_FILES was edited inconsistently; still never return garbage.
        raise ValueError(f"load_mnist: {path} holds an array of shape {array.shape} and dtype {array.dtype}, "
                         f"expected {spec['shape']} uint8")
    return array


# ---------------------------------------------------------------------------------------------
# Finding and downloading files
# ---------------------------------------------------------------------------------------------

def cache_dir() -> Path:
    """The MNIST cache: ``$AUTOGRAD_LITE_DATA/mnist``, else ``~/.cache/autograd_lite/mnist``."""
    root = os.environ.get("AUTOGRAD_LITE_DATA")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "autograd_lite"
    return base / "mnist"


def _find(filename: str, dirs: Sequence[Path]) -> Optional[Path]:
    """The first existing ``filename`` (or its gunzipped twin) in ``dirs``."""
    for d in dirs:
        for name in (filename, filename[:-3] if filename.endswith(".gz") else filename):
            p = d / name
            if p.is_file():
                return p
    return None


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

    Network errors propagate as ``OSError`` (``urllib.error.URLError`` is one), so the caller
    can try the next mirror.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
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


def _fetch(key: str, target: Path, mirrors: Sequence[str],
           timeout: float) -> Tuple[Optional[Path], List[str]]:
    """Try each mirror for one MNIST file; keep it only if its checksum is right."""
    filename = MNIST_FILES[key]["file"]
    errors: List[str] = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + filename
        dest = target / filename
        try:
            target.mkdir(parents=True, exist_ok=True)
            download_file(url, dest, timeout=timeout)
        except OSError as exc:
            errors.append(f"{url}: {exc}")
            continue
        try:
            _read_mnist_file(dest, key)
        except ValueError as exc:
            dest.unlink()
            errors.append(f"{url}: downloaded, but {exc}")
            continue
        return dest, errors
    return None, errors


def _mnist_paths(keys: Sequence[str], data_dir: Optional[PathLike], download: bool,
                 mirrors: Optional[Sequence[str]], timeout: float) -> Dict[str, Path]:
    """Locate (or download) the MNIST files named by ``keys``."""
    target = Path(data_dir).expanduser() if data_dir is not None else cache_dir()
    search = [target] if data_dir is None else [target, cache_dir()]
    found: Dict[str, Path] = {}
    missing = []
    for key in keys:
        p = _find(MNIST_FILES[key]["file"], search)
        if p is None:
            missing.append(key)
        else:
            found[key] = p
    if not missing:
        return found
    errors: List[str] = []
    if download:
        for key in list(missing):
            p, errs = _fetch(key, target, MNIST_MIRRORS if mirrors is None else mirrors, timeout)
            errors += errs
            if p is not None:
                found[key] = p
                missing.remove(key)
    if missing:
        names = ", ".join(MNIST_FILES[k]["file"] for k in missing)
        where = " or ".join(str(d) for d in search)
        why = ("downloading is switched off (download=False)" if not download
               else "no mirror could deliver them:\n  " + "\n  ".join(errors or ["no mirrors configured"]))
        raise DatasetNotFoundError(
            f"load_mnist: missing MNIST files: {names}. Looked in {where}; {why}.\n"
            f"Place the files (the original *.gz files from any MNIST mirror) in {target}, "
            "or pass data_dir=... to load_mnist, or set AUTOGRAD_LITE_DATA to a folder that has an "
            "'mnist' subfolder with them.")
    return found


# ---------------------------------------------------------------------------------------------
# MNIST
# ---------------------------------------------------------------------------------------------

def _prepare(images: np.ndarray, labels: np.ndarray, normalize: bool, flatten: bool,
             one_hot_label: bool, dtype: DTypeLike) -> Arrays:
    """The book's conversions: scale to [0, 1], (N, 784) or (N, 1, 28, 28), one-hot labels."""
    x: np.ndarray = images.astype(dtype) / np.asarray(255.0, dtype=dtype) if normalize else images
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, *images.shape[1:])
    t = labels.astype(np.int64)
    if one_hot_label:
        one_hot = np.zeros((len(t), 10), dtype=dtype)
        one_hot[np.arange(len(t)), t] = 1
        t = one_hot
    return x, t


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False,
               data_dir: Optional[PathLike] = None, *, dtype: DTypeLike = np.float32,
               download: bool = True, mirrors: Optional[Sequence[str]] = None,
               timeout: float = DOWNLOAD_TIMEOUT) -> Tuple[Arrays, Arrays]:
    """MNIST as ``((x_train, t_train), (x_test, t_test))``, like the book's ``load_mnist``.

    * ``normalize``: images as ``dtype`` (float32 like the book) in [0, 1]; else raw ``uint8``.
    * ``flatten``: images as (N, 784); else (N, 1, 28, 28).
    * ``one_hot_label``: labels as (N, 10) one-hot rows of ``dtype``; else int64 class indices
      (the book returns uint8; int64 indexes directly and never wraps around in arithmetic).

    Files come from ``data_dir``, else the cache (see :func:`cache_dir`), else are downloaded
    from ``mirrors`` (default :data:`MNIST_MIRRORS`) into ``data_dir`` or the cache, unless
    ``download=False``.  Each file is verified (IDX header, length, md5 of the content).
    Raises :class:`DatasetNotFoundError` when files are missing and cannot be fetched, and
    ``ValueError`` for a truncated or corrupted file.
    """
    paths = _mnist_paths(list(MNIST_FILES), data_dir, download, mirrors, timeout)
    arrays = {key: _read_mnist_file(path, key) for key, path in paths.items()}
    train = _prepare(arrays["train_img"], arrays["train_label"], normalize, flatten, one_hot_label, dtype)
    test = _prepare(arrays["test_img"], arrays["test_label"], normalize, flatten, one_hot_label, dtype)
    return train, test


def load_mnist_test(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False,
                    data_dir: Optional[PathLike] = None, *, dtype: DTypeLike = np.float32,
                    download: bool = True, mirrors: Optional[Sequence[str]] = None,
                    timeout: float = DOWNLOAD_TIMEOUT) -> Arrays:
    """Only the 10,000-image MNIST test set, as ``(x, t)``; same options as :func:`load_mnist`.

    Needs just ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz``.  Combine with
    :func:`train_test_split` to train and evaluate on it::

        (x_train, t_train), (x_test, t_test) = train_test_split(*load_mnist_test(), n_train=8000)
    """
    paths = _mnist_paths(["test_img", "test_label"], data_dir, download, mirrors, timeout)
    images = _read_mnist_file(paths["test_img"], "test_img")
    labels = _read_mnist_file(paths["test_label"], "test_label")
    return _prepare(images, labels, normalize, flatten, one_hot_label, dtype)


def train_test_split(x: np.ndarray, t: np.ndarray, n_train: int) -> Tuple[Arrays, Arrays]:
    """The first ``n_train`` samples for training, the rest for evaluation (no shuffling).

    Deterministic on purpose: everyone who splits the MNIST test set 8,000 / 2,000 this way
    evaluates on the same 2,000 images.

    >>> import numpy as np
    >>> (a, b), (c, d) = train_test_split(np.arange(5), np.arange(5) * 10, n_train=3)
    >>> a.tolist(), d.tolist()
    ([0, 1, 2], [30, 40])
    """
    if len(x) != len(t):
        raise ValueError(f"train_test_split: x and t differ in length: {len(x)} vs {len(t)}")
    if isinstance(n_train, bool) or not isinstance(n_train, (int, np.integer)):
        raise TypeError(f"train_test_split: n_train must be an int, got {type(n_train).__name__}")
    if not 0 < n_train < len(x):
        raise ValueError(f"train_test_split: n_train must be between 1 and {len(x) - 1}, got {n_train}")
    return (x[:n_train], t[:n_train]), (x[n_train:], t[n_train:])


# ---------------------------------------------------------------------------------------------
# Synthetic 2-D datasets
# ---------------------------------------------------------------------------------------------

def _check_count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_noise(where: str, noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)):
        raise TypeError(f"{where}: noise must be a number, got {type(noise).__name__}")
    if not noise >= 0:
        raise ValueError(f"{where}: noise must be >= 0, got {noise}")
    return float(noise)


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: Optional[int] = 0,
               shuffle: bool = True) -> Arrays:
    """Two interleaving half circles (scikit-learn's construction), seeded, numpy only.

    Label 0: the upper half circle ``(cos s, sin s)``, ``s`` in [0, pi], ``n_samples // 2``
    points.  Label 1: the lower one ``(1 - cos s, 0.5 - sin s)``, the remaining points.
    Gaussian noise of standard deviation ``noise`` is added to every coordinate.
    Returns ``x`` (n_samples, 2) float64 and ``t`` (n_samples,) int64.

    >>> x, t = make_moons(4, noise=0.0, shuffle=False)
    >>> x.round(3).tolist(), t.tolist()
    ([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [2.0, 0.5]], [0, 0, 1, 1])
    """
    n = _check_count("make_moons: n_samples", n_samples, 2)
    sigma = _check_noise("make_moons", noise)
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    s_out = np.linspace(0.0, np.pi, n_out)
    s_in = np.linspace(0.0, np.pi, n_in)
    x = np.concatenate([
        np.stack([np.cos(s_out), np.sin(s_out)], axis=1),
        np.stack([1.0 - np.cos(s_in), 0.5 - np.sin(s_in)], axis=1),
    ])
    t = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    if shuffle:
        order = rng.permutation(n)
        x, t = x[order], t[order]
    if sigma > 0:
        x = x + rng.normal(0.0, sigma, size=x.shape)
    return x, t


def make_spiral(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: Optional[int] = 0,
                shuffle: bool = True) -> Arrays:
    """``n_classes`` interleaved spiral arms (the CS231n / DeZero spiral), seeded, numpy only.

    Class ``k`` (label ``k``) has about ``n_samples / n_classes`` points (the first
    ``n_samples % n_classes`` classes get one more); its point ``i`` of ``m`` lies at radius
    ``r = i / (m - 1)`` and angle ``4k + 4r + noise * N(0, 1)`` radians:
    ``(r sin angle, r cos angle)``.  Returns ``x`` (n_samples, 2) float64, ``t`` int64.

    >>> x, t = make_spiral(6, n_classes=2, noise=0.0, shuffle=False)
    >>> t.tolist(), bool(abs(x).max() <= 1.0)
    ([0, 0, 0, 1, 1, 1], True)
    """
    n = _check_count("make_spiral: n_samples", n_samples, 1)
    k = _check_count("make_spiral: n_classes", n_classes, 1)
    if n < 2 * k:
        raise ValueError(f"make_spiral: n_samples must be at least 2 * n_classes = {2 * k}, got {n}")
    sigma = _check_noise("make_spiral", noise)
    rng = np.random.default_rng(seed)
    xs, ts = [], []
    for label, m in enumerate(np.full(k, n // k) + (np.arange(k) < n % k)):
        r = np.linspace(0.0, 1.0, m)
        angle = 4.0 * label + 4.0 * r + sigma * rng.standard_normal(m)
        xs.append(np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1))
        ts.append(np.full(m, label, dtype=np.int64))
    x, t = np.concatenate(xs), np.concatenate(ts)
    if shuffle:
        order = rng.permutation(n)
        x, t = x[order], t[order]
    return x, t
