"""Small datasets for learning: MNIST (IDX files, checksummed and cached), two moons, spirals.

MNIST comes as four IDX files.  :func:`load_mnist` has the signature of "Deep Learning from
Scratch" (``dataset/mnist.py``) and finds the files in this order:

1. ``data_dir`` when given;
2. the cache: ``$AUTOGRAD_LITE_DATA/mnist`` when that variable is set, else
   ``autograd_lite/mnist`` in the OS's cache folder (see :func:`cache_dir`);
3. otherwise it downloads the missing files into ``data_dir`` (or the cache) from the first
   mirror in :data:`MNIST_MIRRORS` that answers.

Every file is checked before any array is returned: the IDX header (magic number, dimensions),
the exact length, and the md5 of the *uncompressed* content against :data:`MNIST_FILES`
(the uncompressed content is what identifies MNIST: mirrors re-gzip it with different
headers).  Each file is streamed (:mod:`autograd_lite.idx`) and its uncompressed size is known in
advance, so nothing beyond it is ever decompressed.  A truncated or corrupted file raises
``ValueError`` saying what is wrong;
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

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import DTypeLike

from .download import DOWNLOAD_TIMEOUT, download_file
from .idx import read_idx

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


# ---------------------------------------------------------------------------------------------
# Reading, finding and downloading files
# ---------------------------------------------------------------------------------------------

def _read_mnist_file(path: Path, key: str) -> np.ndarray:
    """Read one MNIST file and check its checksum and shape against :data:`MNIST_FILES`."""
    spec = MNIST_FILES[key]
    array = read_idx(path, md5=spec["md5"], size=spec["size"])  # nothing beyond the known size is inflated
    if array.shape != spec["shape"] or array.dtype != np.uint8:
        # Only reachable if MNIST_FILES was edited inconsistently; still never return garbage.
        raise ValueError(f"load_mnist: {path} holds an array of shape {array.shape} and dtype {array.dtype}, "
                         f"expected {spec['shape']} uint8")
    return array


def cache_dir() -> Path:
    """The MNIST cache: ``$AUTOGRAD_LITE_DATA/mnist``, else ``<the OS's user cache>/autograd_lite/mnist``.

    The OS's cache folder comes from ``platformdirs`` when it is installed (the ``data`` extra):
    ``~/.cache`` (or ``$XDG_CACHE_HOME``) on Linux, ``~/Library/Caches`` on macOS,
    ``%LOCALAPPDATA%`` on Windows.  Without it: ``$XDG_CACHE_HOME``, else ``~/.cache``.
    """
    root = os.environ.get("AUTOGRAD_LITE_DATA")
    if root:
        return Path(root).expanduser() / "mnist"
    try:
        import platformdirs  # optional: knows every OS's cache folder
    except ImportError:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
        return base / "autograd_lite" / "mnist"
    return Path(platformdirs.user_cache_dir("autograd_lite", appauthor=False)) / "mnist"


def _find(filename: str, dirs: Sequence[Path]) -> Optional[Path]:
    """The first existing ``filename`` (or its gunzipped twin) in ``dirs``."""
    for d in dirs:
        for name in (filename, filename[:-3] if filename.endswith(".gz") else filename):
            p = d / name
            if p.is_file():
                return p
    return None


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
