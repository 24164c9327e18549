"""The IDX reader (read_idx, and load_mnist through it): formats, errors, and bounded reading.

Files are read with known or declared sizes: gzip bombs and lying headers are refused early.
Oracles: IDX bytes written by hand here, Python's gzip module for the valid files, real gzip
bombs (1 MB of gzip that inflates to 1 GiB) run in a fresh interpreter under an address-space
limit with its peak resident size measured (tests/memlimit.py).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import struct
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from memlimit import gzip_bomb, run_limited

from autograd_lite.datasets import MNIST_FILES, read_idx

MIB = 1 << 20


def idx_bytes(array: np.ndarray, code: int) -> bytes:
    """IDX encoding written independently of the reader: magic, big-endian dims, big-endian data."""
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    big = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    return header + array.astype(big).tobytes()


# ------------------------------------------------------------------------------------------------
# read_idx
# ------------------------------------------------------------------------------------------------

def test_read_idx_hand_written_bytes(tmp_path: Path) -> None:
    p = tmp_path / "a-idx2-ubyte"
    p.write_bytes(bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]))
    a = read_idx(p)
    assert a.dtype == np.uint8
    assert a.tolist() == [[1, 2, 3], [4, 5, 255]]


@pytest.mark.parametrize("code, values", [
    (0x08, [0, 7, 255]),
    (0x09, [-128, -1, 127]),
    (0x0B, [-32768, 1000, 32767]),
    (0x0C, [-2**31, 123456789, 2**31 - 1]),
    (0x0D, [-1.5, 0.25, 3.0e38]),
    (0x0E, [-1e300, np.pi, 2.0**-1074]),
])
def test_read_idx_every_type_code_gzip_and_raw(tmp_path: Path, code: int, values: List[float]) -> None:
    array = np.array(values * 4).reshape(2, 2, 3)
    content = idx_bytes(array, code)
    raw, gz = tmp_path / "x-idx", tmp_path / "x-idx.gz"
    raw.write_bytes(content)
    gz.write_bytes(gzip.compress(content))
    for path in (raw, gz):
        out = read_idx(path)
        assert out.shape == (2, 2, 3)
        assert out.dtype.isnative
        np.testing.assert_array_equal(out, array.astype(out.dtype))
        out[0, 0, 0] = 0  # the caller owns a writable array


def test_read_idx_checksum_ok_and_mismatch(tmp_path: Path) -> None:
    content = idx_bytes(np.arange(10), 0x08)
    p = tmp_path / "labels-idx1-ubyte.gz"
    p.write_bytes(gzip.compress(content))
    good = hashlib.md5(content).hexdigest()
    assert read_idx(p, md5=good.upper()).tolist() == list(range(10))
    # a checksum of the *compressed* bytes is the wrong thing to compare: it must fail
    with pytest.raises(ValueError, match="checksum mismatch.*expected " + hashlib.md5(b"x").hexdigest()):
        read_idx(p, md5=hashlib.md5(b"x").hexdigest())


def test_read_idx_truncated_data(tmp_path: Path) -> None:
    p = tmp_path / "t-idx"
    p.write_bytes(idx_bytes(np.zeros((3, 4)), 0x08)[:-1])
    with pytest.raises(ValueError, match=r"wrong length: 23 bytes.*\(3, 4\).*exactly 24.*truncated"):
        read_idx(p)


def test_read_idx_too_long(tmp_path: Path) -> None:
    p = tmp_path / "t-idx"
    p.write_bytes(idx_bytes(np.zeros(5), 0x08) + b"\x00")
    with pytest.raises(ValueError, match="wrong length.*too long"):
        read_idx(p)


def test_read_idx_truncated_header(tmp_path: Path) -> None:
    p = tmp_path / "t-idx"
    p.write_bytes(bytes([0, 0, 8, 3, 0, 0, 0, 1]))
    with pytest.raises(ValueError, match="truncated inside its header"):
        read_idx(p)
    p.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="too short"):
        read_idx(p)


def test_read_idx_truncated_gzip(tmp_path: Path) -> None:
    compressed = gzip.compress(idx_bytes(np.arange(200).reshape(20, 10), 0x0C))
    p = tmp_path / "t-idx.gz"
    p.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(ValueError, match="not a valid gzip file"):
        read_idx(p)


def test_read_idx_corrupted_gzip(tmp_path: Path) -> None:
    compressed = bytearray(gzip.compress(idx_bytes(np.arange(200).reshape(20, 10), 0x0C)))
    compressed[len(compressed) // 2] ^= 0xFF
    p = tmp_path / "t-idx.gz"
    p.write_bytes(bytes(compressed))
    with pytest.raises(ValueError, match="read_idx"):
        read_idx(p)


@pytest.mark.parametrize("magic", [
    bytes([1, 0, 8, 1]),      # first byte not zero
    bytes([0, 0, 7, 1]),      # unknown type code
    bytes([0, 0, 8, 0]),      # zero dimensions
    b"<htm",                  # an HTML error page saved under the right name
])
def test_read_idx_bad_magic(tmp_path: Path, magic: bytes) -> None:
    p = tmp_path / "t-idx"
    p.write_bytes(magic + bytes(8))
    with pytest.raises(ValueError, match=f"bad magic number 0x{magic.hex()}"):
        read_idx(p)


# ----------------------------------------------------------------- bounded reading: gzip bombs
def idx_header(code: int, shape) -> bytes:
    return bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    folder = tmp_path_factory.mktemp("gzip-bombs")
    made = {
        # MNIST's test images with their right header, then 1 GiB of zeros instead of 7.8 MB
        "right header, 1 GiB of data": gzip_bomb(idx_header(8, (10_000, 28, 28)), 1024),
        # a header that declares 1 GiB of images where MNIST's file has 7,840,016 bytes
        "1 GiB header": gzip_bomb(idx_header(8, (1 << 30 >> 10, 32, 32)), 1024),
        # a header that declares 745 GiB, in a gzip file of a few KB
        "745 GiB header": gzip_bomb(idx_header(8, (745, 1 << 20, 1 << 10)), 1),
    }
    paths = {}
    for name, content in made.items():
        sub = folder / re.sub(r"\W+", "-", name)
        sub.mkdir()
        paths[name] = sub / MNIST_FILES["test_img"]["file"]
        paths[name].write_bytes(content)
        (sub / MNIST_FILES["test_label"]["file"]).write_bytes(gzip.compress(idx_header(8, (10_000,))
                                                                            + bytes(10_000)))
    return paths


SETUP = """
from autograd_lite.datasets import load_mnist_test, read_idx
path = {path!r}
"""


@pytest.mark.parametrize("bomb, call, message", [
    ("right header, 1 GiB of data", "load_mnist_test(data_dir=folder, download=False)",
     r"has the wrong length: more than 7840016 bytes, .* the file is too long"),
    ("1 GiB header", "load_mnist_test(data_dir=folder, download=False)",
     r"is not the expected file: its header \(shape \(1048576, 32, 32\), dtype uint8\) needs exactly "
     r"1073741840 bytes, the expected file has 7840016"),
    ("745 GiB header", "read_idx(path)",
     r"cannot hold what its header declares: .* needs exactly 799937658896 bytes, more than a gzip file"),
])
def test_gzip_bombs_within_a_memory_limit(bombs: Dict[str, Path], bomb: str, call: str, message: str) -> None:
    path = bombs[bomb]
    assert path.stat().st_size < 1.1 * MIB
    setup = SETUP.format(path=str(path)) + f"folder = {str(path.parent)!r}\n"
    result = run_limited(setup, call, 256)
    assert result["outcome"].startswith("ValueError: read_idx: "), result
    assert str(path) in result["outcome"] and re.search(message, result["outcome"]), result
    assert result["growth_mib"] < 32, result  # the file's legitimate 7.5 MiB, not its GiB


def test_without_a_known_size_the_declared_size_is_the_bound(bombs: Dict[str, Path]) -> None:
    """read_idx alone does not know MNIST's sizes: the 1 GiB header is what the file declares, and
    1 MB of gzip can hold it, so it is read -- with one copy of the 1 GiB and nothing more."""
    setup = SETUP.format(path=str(bombs["1 GiB header"]))
    result = run_limited(setup, "a = read_idx(path); assert a.shape == (1048576, 32, 32)", 1024 + 128)
    assert result["outcome"] == "ok" and result["growth_mib"] <= 1024 + 16, result


def test_the_old_way_would_not_fit_in_the_limit(bombs: Dict[str, Path]) -> None:
    """The limit bites: inflating the whole file first, as the old reader did, runs out of memory."""
    setup = f"import gzip\npath = {str(bombs['right header, 1 GiB of data'])!r}"
    assert run_limited(setup, "gzip.decompress(open(path, 'rb').read())", 256)["outcome"] == "MemoryError"


# ----------------------------------------------------------------- headers whose sizes overflow
@pytest.mark.parametrize("shape", [
    (65536, 65536, 65536, 65536),   # 2**64 elements: wraps to 0 in int64
    (2**32 - 1, 2**32 - 1, 2**32 - 1),  # overflows int64
    (2**31, 2**31, 4),              # 2**64 again, another way
    (0, 2**32 - 1),                 # a real empty array: fine
])
@pytest.mark.parametrize("compress", [False, True])
def test_headers_whose_sizes_overflow_int64(tmp_path: Path, shape, compress: bool) -> None:
    content = idx_header(8, shape)
    p = tmp_path / ("h-idx.gz" if compress else "h-idx")
    p.write_bytes(gzip.compress(content) if compress else content)
    if 0 in shape:
        assert read_idx(p).shape == shape
        return
    expected = 4 + 4 * len(shape) + int(np.prod(np.array(shape, dtype=object)))
    with pytest.raises(ValueError, match=f"read_idx: {p}.*needs exactly {expected}"):
        read_idx(p)


# ----------------------------------------------------------------- hostile bytes
@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("idx-fuzz")


def _read_or_refuse(path: Path) -> None:
    try:
        array = read_idx(path)
    except ValueError as exc:
        assert f"read_idx: {path}" in str(exc) or f"for {path}" in str(exc), str(exc)
        assert "\n" not in str(exc)
    else:  # the bytes happen to be an IDX file: then they hold exactly that array
        assert isinstance(array, np.ndarray) and array.dtype.isnative


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), gz=st.booleans())
def test_random_bytes_are_refused_naming_the_file(scratch: Path, data: bytes, gz: bool) -> None:
    path = scratch / "random-idx"
    path.write_bytes((b"\x1f\x8b" if gz else b"") + data)
    _read_or_refuse(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), gz=st.booleans())
def test_damaged_valid_files_are_read_or_refused(scratch: Path, data: st.DataObject, gz: bool) -> None:
    content = idx_header(0x0B, (3, 5)) + np.arange(15, dtype=">i2").tobytes()
    raw = bytearray(gzip.compress(content) if gz else content)
    for _ in range(data.draw(st.integers(0, 3), label="edits")):
        at = data.draw(st.integers(0, len(raw) - 1), label="at")
        raw[at] = data.draw(st.integers(0, 255), label="byte")
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[:data.draw(st.integers(0, len(raw)), label="length")]
    path = scratch / "damaged-idx"
    path.write_bytes(bytes(raw))
    _read_or_refuse(path)


def test_every_truncation_of_a_gzip_file_is_refused(tmp_path: Path) -> None:
    raw = gzip.compress(idx_header(0x0C, (4, 3)) + np.arange(12, dtype=">i4").tobytes())
    path = tmp_path / "cut-idx.gz"
    for n in range(len(raw)):
        path.write_bytes(raw[:n])
        with pytest.raises(ValueError, match=f"read_idx: {path}"):
            read_idx(path)
    path.write_bytes(raw)
    assert read_idx(path).tolist() == np.arange(12).reshape(4, 3).tolist()
