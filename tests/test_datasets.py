"""Tests for autograd_lite.datasets: MNIST loading (local, cache, download, offline), 2-D sets.

The IDX reader itself is tested in test_idx.py."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import struct
import sys
import urllib.error
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest

from autograd_lite import datasets
from autograd_lite.datasets import (
    DatasetNotFoundError,
    load_mnist,
    load_mnist_test,
    make_moons,
    make_spiral,
    train_test_split,
)

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
NEEDS_SHARED = pytest.mark.skipif(
    not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").is_file(),
    reason=f"the MNIST test set is not at {SHARED_MNIST} (needs t10k-images/labels-idx1/3-ubyte.gz)",
)


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """IDX encoding written independently of the reader: magic, big-endian dims, big-endian data."""
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    big = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    return header + array.astype(big).tobytes()


# ------------------------------------------------------------------------------------------------
# load_mnist with tiny stand-in files (MNIST_FILES patched to their checksums)
# ------------------------------------------------------------------------------------------------

TINY = {"train_img": 5, "train_label": 5, "test_img": 3, "test_label": 3}


def tiny_mnist(monkeypatch: pytest.MonkeyPatch) -> Dict[str, bytes]:
    """Tiny MNIST-shaped IDX contents (2x2 images) and MNIST_FILES pointing at their md5s."""
    rng = np.random.default_rng(1)
    contents = {}
    for key, n in TINY.items():
        if key.endswith("img"):
            array = rng.integers(0, 256, size=(n, 2, 2))
            array[0, 0, 0] = 255
            code = 0x08
        else:
            array = np.arange(n) * 3 % 10
        contents[key] = idx_bytes(array, code if key.endswith("img") else 0x08)
        spec = dict(datasets.MNIST_FILES[key])
        spec.update(md5=hashlib.md5(contents[key]).hexdigest(), size=len(contents[key]), shape=array.shape)
        monkeypatch.setitem(datasets.MNIST_FILES, key, spec)
    return contents


def write_files(folder: Path, contents: Dict[str, bytes], keys=None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for key in keys or contents:
        (folder / datasets.MNIST_FILES[key]["file"]).write_bytes(gzip.compress(contents[key]))


def no_network(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Replace the downloader by one that fails like an offline machine; record the URLs asked."""
    asked: List[str] = []

    def offline(url: str, dest: Path, timeout: float = 0.0, progress: bool = True) -> None:
        asked.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(datasets, "download_file", offline)
    return asked


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(tmp_path / "cache-root"))
    return tmp_path / "cache-root" / "mnist"


@pytest.mark.parametrize("with_platformdirs", [True, False])
def test_cache_dir_follows_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       with_platformdirs: bool) -> None:
    if with_platformdirs:
        platformdirs = pytest.importorskip("platformdirs")
        monkeypatch.setattr(platformdirs, "user_cache_dir",
                            lambda name, appauthor=None: str(tmp_path / "os-cache" / name))
    else:
        monkeypatch.setitem(sys.modules, "platformdirs", None)  # not installed
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(tmp_path))
    assert datasets.cache_dir() == tmp_path / "mnist"  # the variable wins either way
    monkeypatch.delenv("AUTOGRAD_LITE_DATA")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    os_cache = tmp_path / "os-cache" if with_platformdirs else tmp_path / "home" / ".cache"
    assert datasets.cache_dir() == os_cache / "autograd_lite" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if not with_platformdirs:
        assert datasets.cache_dir() == tmp_path / "xdg" / "autograd_lite" / "mnist"


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux folder; other OSes have their own")
def test_cache_dir_real_platformdirs_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("platformdirs")
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert datasets.cache_dir() == tmp_path / "xdg" / "autograd_lite" / "mnist"


def test_load_mnist_from_data_dir_book_conventions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    isolated_cache: Path) -> None:
    contents = tiny_mnist(monkeypatch)
    asked = no_network(monkeypatch)
    write_files(tmp_path / "data", contents)
    images = np.frombuffer(contents["train_img"][16:], np.uint8).reshape(5, 2, 2)
    labels = np.frombuffer(contents["train_label"][8:], np.uint8)

    (x, t), (xt, tt) = load_mnist(data_dir=tmp_path / "data")
    assert asked == []
    assert x.shape == (5, 4) and x.dtype == np.float32 and xt.shape == (3, 4)
    np.testing.assert_array_equal(x, images.reshape(5, 4).astype(np.float32) / np.float32(255))
    assert x.max() == 1.0 and x.min() >= 0.0
    assert t.dtype == np.int64 and t.tolist() == [0, 3, 6, 9, 2] and tt.tolist() == [0, 3, 6]

    (x, t), _ = load_mnist(normalize=False, flatten=False, one_hot_label=True,
                           data_dir=str(tmp_path / "data"))
    assert x.dtype == np.uint8 and x.shape == (5, 1, 2, 2)
    np.testing.assert_array_equal(x[:, 0], images)
    assert t.shape == (5, 10)
    np.testing.assert_array_equal(t.argmax(axis=1), labels)
    assert t.sum() == 5

    (x, _), _ = load_mnist(data_dir=tmp_path / "data", dtype=np.float64)
    assert x.dtype == np.float64
    np.testing.assert_array_equal(x, images.reshape(5, 4) / 255.0)


def test_load_mnist_accepts_uncompressed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               isolated_cache: Path) -> None:
    contents = tiny_mnist(monkeypatch)
    no_network(monkeypatch)
    for key, content in contents.items():
        (tmp_path / datasets.MNIST_FILES[key]["file"][:-3]).write_bytes(content)
    (_, t), _ = load_mnist(data_dir=tmp_path)
    assert t.tolist() == [0, 3, 6, 9, 2]


def test_load_mnist_from_cache(monkeypatch: pytest.MonkeyPatch, isolated_cache: Path) -> None:
    contents = tiny_mnist(monkeypatch)
    asked = no_network(monkeypatch)
    write_files(isolated_cache, contents)
    (_, t), (_, tt) = load_mnist()
    assert asked == [] and t.tolist() == [0, 3, 6, 9, 2] and tt.tolist() == [0, 3, 6]


def test_load_mnist_offline_names_files_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   isolated_cache: Path) -> None:
    contents = tiny_mnist(monkeypatch)
    asked = no_network(monkeypatch)
    write_files(tmp_path / "data", contents, keys=["test_img", "test_label"])
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist(data_dir=tmp_path / "data", mirrors=["https://mirror.invalid/mnist/"])
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message
    assert "t10k" not in message.split("Looked in")[0]  # the files that are there are not listed
    assert f"from any MNIST mirror) in {tmp_path / 'data'}, or pass data_dir=" in message
    assert "Temporary failure in name resolution" in message
    assert asked == ["https://mirror.invalid/mnist/train-images-idx3-ubyte.gz",
                     "https://mirror.invalid/mnist/train-labels-idx1-ubyte.gz"]
    assert isinstance(info.value, FileNotFoundError)
    # the test-set loader needs only the two files that are present
    x, t = load_mnist_test(data_dir=tmp_path / "data")
    assert x.shape == (3, 4) and t.tolist() == [0, 3, 6]


def test_load_mnist_download_false_never_calls_the_network(monkeypatch: pytest.MonkeyPatch,
                                                           isolated_cache: Path) -> None:
    tiny_mnist(monkeypatch)
    asked = no_network(monkeypatch)
    with pytest.raises(DatasetNotFoundError, match=f"(?s)download=False.*in {isolated_cache},"):
        load_mnist(download=False)
    assert asked == []


def test_load_mnist_downloads_skipping_dead_and_corrupt_mirrors(monkeypatch: pytest.MonkeyPatch,
                                                                isolated_cache: Path) -> None:
    contents = tiny_mnist(monkeypatch)
    by_name = {datasets.MNIST_FILES[k]["file"]: v for k, v in contents.items()}
    asked: List[str] = []

    def fake_download(url: str, dest: Path, timeout: float = 0.0, progress: bool = True) -> None:
        asked.append(url)
        name = url.rsplit("/", 1)[1]
        if url.startswith("https://dead"):
            raise urllib.error.URLError("timed out")
        content = by_name[name]
        if url.startswith("https://corrupt"):
            content = content[:-1] + bytes([content[-1] ^ 1])  # right length, wrong checksum
        Path(dest).write_bytes(gzip.compress(content))

    monkeypatch.setattr(datasets, "download_file", fake_download)
    (x, t), (xt, tt) = load_mnist(mirrors=["https://dead/", "https://corrupt/", "https://good/"])
    assert t.tolist() == [0, 3, 6, 9, 2] and xt.shape == (3, 4)
    assert len(asked) == 12
    assert sorted(p.name for p in isolated_cache.iterdir()) == sorted(by_name)  # no leftovers
    asked.clear()
    load_mnist(mirrors=["https://dead/"])  # now from the cache
    assert asked == []


def test_load_mnist_corrupt_local_file_is_a_value_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        isolated_cache: Path) -> None:
    contents = tiny_mnist(monkeypatch)
    no_network(monkeypatch)
    write_files(tmp_path, contents)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(contents["train_label"][:-2]))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz"):
        load_mnist(data_dir=tmp_path)


def test_download_file_writes_atomically(tmp_path: Path) -> None:
    source = tmp_path / "src.bin"
    source.write_bytes(bytes(range(256)) * 1000)
    dest = tmp_path / "out" / "copy.bin"
    datasets.download_file(source.as_uri(), dest, progress=True)
    assert dest.read_bytes() == source.read_bytes()
    with pytest.raises(OSError):
        datasets.download_file((tmp_path / "missing.bin").as_uri(), tmp_path / "out" / "never.bin")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["copy.bin"]


@pytest.fixture
def http_folder(tmp_path: Path):
    """A folder served over HTTP on the loopback interface, as a mirror would serve it."""
    import functools
    import http.server
    import threading

    folder = tmp_path / "served"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("with_pooch", [True, False])
def test_download_file_over_http(http_folder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 with_pooch: bool) -> None:
    folder, url = http_folder
    if with_pooch:
        pooch = pytest.importorskip("pooch")
        calls: List[str] = []
        real = pooch.retrieve
        monkeypatch.setattr(pooch, "retrieve", lambda u, **kw: calls.append(u) or real(u, **kw))
    else:
        monkeypatch.setitem(sys.modules, "pooch", None)  # not installed: urllib does it
    (folder / "data.bin").write_bytes(bytes(range(256)) * 4000)
    dest = tmp_path / "out" / "data.bin"
    datasets.download_file(url + "data.bin", dest, timeout=10, progress=False)
    assert dest.read_bytes() == (folder / "data.bin").read_bytes()
    with pytest.raises(OSError):  # 404: urllib's HTTPError and requests' HTTPError are OSErrors
        datasets.download_file(url + "missing.bin", tmp_path / "out" / "never.bin", timeout=10,
                               progress=False)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["data.bin"]  # no partial file
    if with_pooch:
        assert calls == [url + "data.bin", url + "missing.bin"]


def test_load_mnist_downloads_from_a_local_http_mirror(http_folder, monkeypatch: pytest.MonkeyPatch,
                                                       isolated_cache: Path) -> None:
    folder, url = http_folder
    contents = tiny_mnist(monkeypatch)
    write_files(folder, contents)
    (x, t), (xt, tt) = load_mnist(mirrors=[url], timeout=10)
    assert t.tolist() == [0, 3, 6, 9, 2] and xt.shape == (3, 4)
    assert sorted(p.name for p in isolated_cache.iterdir()) == sorted(
        datasets.MNIST_FILES[k]["file"] for k in contents)


def test_text_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    from autograd_lite.download import _TextProgress

    bar = _TextProgress(200, "file.gz")
    bar.update(100)
    bar.update(100)
    bar.close()
    err = capsys.readouterr().err
    assert "file.gz" in err and " 50%" in err and "100%" in err


# ------------------------------------------------------------------------------------------------
# The real MNIST test set in ../shared/data/mnist
# ------------------------------------------------------------------------------------------------

@NEEDS_SHARED
def test_real_mnist_test_set(monkeypatch: pytest.MonkeyPatch, isolated_cache: Path) -> None:
    no_network(monkeypatch)
    x, t = load_mnist_test(data_dir=SHARED_MNIST, download=False)
    assert x.shape == (10_000, 784) and x.dtype == np.float32
    assert np.bincount(t).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert t[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the well-known first test digits
    assert x.min() == 0.0 and x.max() == 1.0
    raw, _ = load_mnist_test(normalize=False, flatten=False, data_dir=SHARED_MNIST, download=False)
    assert raw.shape == (10_000, 1, 28, 28) and raw.dtype == np.uint8
    np.testing.assert_array_equal(raw.reshape(10_000, 784).astype(np.float32) / np.float32(255), x)
    (x_tr, t_tr), (x_ev, t_ev) = train_test_split(x, t, n_train=8000)
    assert x_tr.shape == (8000, 784) and x_ev.shape == (2000, 784)
    assert t_ev.tolist() == t[8000:].tolist()


@NEEDS_SHARED
def test_real_mnist_copy_with_one_flipped_pixel_fails_checksum(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_cache: Path) -> None:
    no_network(monkeypatch)
    shutil.copy(SHARED_MNIST / "t10k-labels-idx1-ubyte.gz", tmp_path)
    content = bytearray(gzip.decompress((SHARED_MNIST / "t10k-images-idx3-ubyte.gz").read_bytes()))
    content[5000] ^= 1
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(bytes(content), compresslevel=1))
    with pytest.raises(ValueError, match="checksum mismatch.*2646ac647ad5339dbf082846283269ea"):
        load_mnist_test(data_dir=tmp_path)


# ------------------------------------------------------------------------------------------------
# train_test_split, make_moons, make_spiral
# ------------------------------------------------------------------------------------------------

def test_train_test_split_errors() -> None:
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match="differ in length: 5 vs 4"):
        train_test_split(x, np.zeros(4), 2)
    with pytest.raises(ValueError, match="between 1 and 4, got 5"):
        train_test_split(x, np.zeros(5), 5)
    with pytest.raises(TypeError, match="n_train must be an int"):
        train_test_split(x, np.zeros(5), 2.5)  # type: ignore[arg-type]


def test_make_moons_geometry_and_labels() -> None:
    x, t = make_moons(101, noise=0.0, seed=3)
    assert x.shape == (101, 2) and x.dtype == np.float64 and t.dtype == np.int64
    assert np.bincount(t).tolist() == [50, 51]
    upper, lower = x[t == 0], x[t == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=0, atol=1e-15)
    assert (upper[:, 1] >= -1e-15).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=0, atol=1e-15)
    assert (lower[:, 1] <= 0.5 + 1e-15).all()
    x2, t2 = make_moons(101, noise=0.0, shuffle=False)
    assert t2.tolist() == [0] * 50 + [1] * 51
    np.testing.assert_allclose(x2[[0, 49, 50, 100]], [[1, 0], [-1, 0], [0, 0.5], [2, 0.5]], atol=1e-15)


def test_make_moons_seeded_noise() -> None:
    a, ta = make_moons(2000, noise=0.1, seed=7)
    b, tb = make_moons(2000, noise=0.1, seed=7)
    c, _ = make_moons(2000, noise=0.1, seed=8)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ta, tb)
    assert not np.array_equal(a, c)
    clean, _ = make_moons(2000, noise=0.0, seed=7)  # same permutation, no noise
    residual = a - clean
    assert abs(residual.std() - 0.1) < 0.005 and abs(residual.mean()) < 0.005
    for bad, err in ((1, ValueError), (2.0, TypeError), (True, TypeError)):
        with pytest.raises(err, match="n_samples"):
            make_moons(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="noise must be >= 0, got -0.1"):
        make_moons(10, noise=-0.1)


def test_make_spiral_structure() -> None:
    x, t = make_spiral(10, n_classes=3, noise=0.0, shuffle=False)
    assert t.tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    # class 1, three points: radius 0, 0.5, 1 at angles 4, 6, 8 (radians)
    r = np.array([0.0, 0.5, 1.0])
    angle = 4.0 + 4.0 * r
    np.testing.assert_allclose(x[4:7], np.stack([r * np.sin(angle), r * np.cos(angle)], 1), atol=1e-15)
    a, ta = make_spiral(300, noise=0.2, seed=5)
    b, tb = make_spiral(300, noise=0.2, seed=5)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ta, tb)
    assert np.bincount(ta).tolist() == [100, 100, 100]
    assert np.hypot(a[:, 0], a[:, 1]).max() <= 1.0 + 1e-12
    with pytest.raises(ValueError, match="at least 2 \\* n_classes = 6, got 5"):
        make_spiral(5, n_classes=3)


def test_docstring_examples_run() -> None:
    import doctest

    from autograd_lite import datasets as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0, result
