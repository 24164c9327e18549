"""Module.load reads with the model's sizes: bombs, lying headers and damaged files are refused early.

Oracles: real zip bombs built here byte by byte (a deflate stream of 1 GiB of zeros is 1 MB),
run in a fresh interpreter under an address-space limit (tests/memlimit.py) with its peak
resident size measured; numpy's own writer for the valid files; the model's bytes before and
after every refusal.
"""

from __future__ import annotations

import os
import struct
import tempfile
import zlib
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from memlimit import run_limited, zeros_deflated
from numpy.lib import format as npy_format

from autograd_lite import nn
from autograd_lite.serialize import HEADER_LIMIT, read_state

GIB = 1 << 30
MIB = 1 << 20


def npy_header(shape: Tuple[int, ...], descr: str = "<f8", fortran: bool = False) -> bytes:
    import io

    buf = io.BytesIO()
    npy_format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": fortran, "shape": shape})
    return buf.getvalue()


def raw_header(text: str) -> bytes:
    """A version 1.0 .npy header with arbitrary (possibly malformed) dictionary text."""
    body = text.encode("latin1") + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(body)) + body


def zip_bytes(members: List[Tuple[str, int, int, int, bytes]]) -> bytes:
    """A zip archive written by hand: (name, method 0 stored / 8 deflated, crc, declared size, data).

    By hand so that a test can declare any uncompressed size, as a hostile file would.
    """
    out, central = bytearray(), bytearray()
    for name, method, crc, size, data in members:
        n, offset = name.encode(), len(out)
        out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, method, 0, 0x21, crc, len(data), size,
                           len(n), 0) + n + data
        central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, method, 0, 0x21, crc,
                               len(data), size, len(n), 0, 0, 0, 0, 0, offset) + n
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def stored(name: str, content: bytes) -> Tuple[str, int, int, int, bytes]:
    return (name, 0, zlib.crc32(content), len(content), content)


def linear_b_entry() -> Tuple[str, int, int, int, bytes]:
    return stored("b.npy", npy_header((2,)) + np.zeros(2).tobytes())


def state_bytes(model: nn.Module) -> Dict[str, bytes]:
    return {k: v.tobytes() for k, v in model.state_dict().items()}


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# ----------------------------------------------------------------- what a good file gives
def test_round_trip_including_fortran_order_and_big_endian(tmp_path: Path) -> None:
    W = np.arange(6.0).reshape(2, 3)
    path = tmp_path / "w.npz"
    path.write_bytes(zip_bytes([stored("W.npy", npy_header((2, 3), fortran=True) + W.T.copy().tobytes()),
                                stored("b.npy", npy_header((3,), descr=">f4")
                                       + np.array([1, 2, 3], ">f4").tobytes())]))
    state = read_state(path, {"W": np.empty((2, 3)), "b": np.empty(3)}, "Linear")
    np.testing.assert_array_equal(state["W"], W)
    assert state["b"].tolist() == [1.0, 2.0, 3.0]
    model = nn.Linear(2, 3, rng=0).load(path)
    np.testing.assert_array_equal(model.W.data, W)


def test_compressed_archives_load_too(tmp_path: Path) -> None:
    source = nn.Linear(3, 2, rng=0)
    np.savez_compressed(tmp_path / "c.npz", **source.state_dict())
    target = nn.Linear(3, 2, rng=5).load(tmp_path / "c.npz")
    assert state_bytes(target) == state_bytes(source)


# ----------------------------------------------------------------- bombs, under a memory limit
SETUP = """
from autograd_lite import nn
model = nn.Linear(2, 2, rng=0)
path = {path!r}
"""


def _limited_load(path: Path, limit_mib: int = 256) -> dict:
    return run_limited(SETUP.format(path=str(path)), "model.load(path)", limit_mib)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    files: Dict[str, Path] = {}
    # 1. an honest 1 GiB entry (header and zip agree): 1 MB on disk
    head = npy_header((GIB // 8,))
    data, crc = zeros_deflated(head, 1024)
    files["1 GiB entry"] = folder / "gib.npz"
    files["1 GiB entry"].write_bytes(zip_bytes([("W.npy", 8, crc, len(head) + GIB, data), linear_b_entry()]))
    # 2. the right header (2, 2) with 1 GiB of data behind it, declared honestly by the zip
    head = npy_header((2, 2))
    data, crc = zeros_deflated(head, 1024)
    files["1 GiB behind a small header"] = folder / "tail.npz"
    files["1 GiB behind a small header"].write_bytes(
        zip_bytes([("W.npy", 8, crc, len(head) + GIB, data), linear_b_entry()]))
    # 3. the same stream, but the zip lies: it declares the 32 bytes the header needs
    files["a zip that lies about the size"] = folder / "liar.npz"
    files["a zip that lies about the size"].write_bytes(
        zip_bytes([("W.npy", 8, crc, len(head) + 32, data), linear_b_entry()]))
    # 4. a header that claims 745 GiB, in a file of a few hundred bytes
    head = npy_header((745 * GIB // 8,))
    files["a 745 GiB header"] = folder / "huge.npz"
    files["a 745 GiB header"].write_bytes(zip_bytes([stored("W.npy", head + bytes(64)), linear_b_entry()]))
    return files


@pytest.mark.parametrize("bomb, message", [
    ("1 GiB entry", r"'W' has shape \(134217728,\), the model expects \(2, 2\)"),
    ("1 GiB behind a small header",
     r"entry 'W' declares 1073741952 bytes, but its header .* needs exactly 160"),
    ("a zip that lies about the size", r"not an .npz archive of plain arrays \(BadZipFile: Bad CRC-32"),
    ("a 745 GiB header", r"entry 'W' declares 192 bytes, but its header \(shape \(99992207360,\)"),
])
def test_bombs_are_refused_within_a_memory_limit(bombs: Dict[str, Path], bomb: str, message: str) -> None:
    import re

    path = bombs[bomb]
    assert path.stat().st_size < 1.1 * MIB
    result = _limited_load(path)
    assert result["outcome"].startswith(f"ValueError: Linear.load: {path}"), result
    assert re.search(message, result["outcome"]), result
    # the refusal costs a few MiB at most, not the GiB the file claims
    assert result["growth_mib"] < 32, result


def test_legitimate_load_peaks_at_about_its_own_size(tmp_path: Path) -> None:
    """40 MB of weights: the load adds one copy of them (plus a chunk), within 2x the content."""
    nn.Linear(2000, 2500, rng=0).save(tmp_path / "big.npz")  # here: the child starts small
    setup = """
    from autograd_lite import nn
    model = nn.Linear(2000, 2500, rng=1)
    """
    content_mib = (2000 * 2500 + 2500) * 8 / MIB
    result = run_limited(setup, f"model.load({str(tmp_path / 'big.npz')!r})", int(2 * content_mib) + 64)
    assert result["outcome"] == "ok", result
    assert content_mib * 0.9 <= result["growth_mib"] <= 2 * content_mib, result  # it was measured


def test_the_old_way_would_not_fit_in_the_limit(bombs: Dict[str, Path]) -> None:
    """The limit bites: numpy's own reader, which trusts the file, runs out of memory on bomb 1."""
    setup = f"import numpy as np\npath = {str(bombs['1 GiB entry'])!r}"
    result = run_limited(setup, "np.load(path)['W']", 256)
    assert result["outcome"] == "MemoryError", result


# ----------------------------------------------------------------- hostile headers
@pytest.mark.parametrize("header, message", [
    (raw_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, }"), "no readable .npy header"),
    (raw_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2"), "no readable .npy header"),
    (raw_header("[1, 2, 3]"), "no readable .npy header"),
    (raw_header("{'descr': 'not-a-dtype', 'fortran_order': False, 'shape': (2, 2)}"),
     "no readable .npy header"),
    (raw_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2.5, 2)}"), "no readable .npy header"),
    (raw_header("{'descr': '<f8', 'fortran_order': False, 'shape': (" + "(" * 3000 + ")" * 3000 + ",)}"),
     "no readable .npy header"),
    (b"\x93NUMPY\x02\x00" + struct.pack("<I", 4_000_000_000) + b"{", "no readable .npy header"),
    (b"\x93NUMPY\x03\x00" + struct.pack("<I", 10) + b"{}        ", "npy format version 3.0 is not supported"),
    (npy_header((2, 2), descr="|O"), "cannot be read safely: entry 'W' has dtype object"),
    (npy_header((2, 2), descr="<c16"), "cannot be read safely: entry 'W' has dtype complex128"),
    (npy_header((-2, 2)), "declares"),
    (b"\x93NUM", "no readable .npy header"),
])
def test_hostile_headers_give_one_value_error_naming_file_and_entry(
        tmp_path: Path, header: bytes, message: str) -> None:
    path = tmp_path / "hostile.npz"
    path.write_bytes(zip_bytes([stored("W.npy", header + bytes(32)), linear_b_entry()]))
    model = nn.Linear(2, 2, rng=0)
    before = state_bytes(model)
    with pytest.raises(ValueError, match=f"Linear.load: {path}") as info:
        model.load(path)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert "'W'" in str(info.value)
    assert state_bytes(model) == before


def test_header_is_read_from_a_bounded_prefix(tmp_path: Path) -> None:
    text = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2)}" + " " * (HEADER_LIMIT + 100)
    path = tmp_path / "long.npz"
    path.write_bytes(zip_bytes([stored("W.npy", raw_header(text) + bytes(32)), linear_b_entry()]))
    with pytest.raises(ValueError, match="entry 'W' has no readable .npy header"):
        nn.Linear(2, 2, rng=0).load(path)


def test_duplicate_and_unexpected_entries(tmp_path: Path) -> None:
    good = npy_header((2, 2)) + bytes(32)
    path = tmp_path / "dup.npz"
    path.write_bytes(zip_bytes([stored("W.npy", good), stored("W.npy", good), linear_b_entry()]))
    with pytest.raises(ValueError, match="entry 'W' appears twice"):
        nn.Linear(2, 2, rng=0).load(path)
    many = [stored(f"extra{i}.npy", good) for i in range(30)]
    path.write_bytes(zip_bytes([stored("W.npy", good), linear_b_entry(), *many]))
    with pytest.raises(ValueError, match=r"unexpected keys \['extra0', .*'extra9', \.\.\. \(20 more\)\]"):
        nn.Linear(2, 2, rng=0).load(path)


# ----------------------------------------------------------------- damaged files
def test_every_truncation_is_a_value_error_and_closes_the_file(tmp_path: Path) -> None:
    good = tmp_path / "good.npz"
    nn.Linear(2, 2, rng=0).save(good)
    content = good.read_bytes()
    model = nn.Linear(2, 2, rng=1)
    before, fds = state_bytes(model), open_fds()
    cut = tmp_path / "cut.npz"
    for n in range(len(content)):
        cut.write_bytes(content[:n])
        with pytest.raises(ValueError, match=f"Linear.load: {cut}"):
            model.load(cut)
    assert state_bytes(model) == before
    assert open_fds() == fds  # no file left open, whatever failed


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600))
def test_random_bytes_are_a_value_error_naming_the_file(scratch: Path, data: bytes) -> None:
    path = scratch / "random.npz"
    path.write_bytes(data)
    model = nn.Linear(2, 2, rng=0)
    before = state_bytes(model)
    with pytest.raises(ValueError, match=f"Linear.load: {path}"):
        model.load(path)
    assert state_bytes(model) == before


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), compressed=st.booleans())
def test_damaged_valid_files_load_or_refuse_cleanly(scratch: Path, data: st.DataObject,
                                                    compressed: bool) -> None:
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        path = Path(folder) / "w.npz"
        source = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
        (np.savez_compressed if compressed else np.savez)(path, **source.state_dict())
        content = bytearray(path.read_bytes())
        for _ in range(data.draw(st.integers(1, 4), label="edits")):
            at = data.draw(st.integers(0, len(content) - 1), label="at")
            content[at] = data.draw(st.integers(0, 255), label="byte")
        if data.draw(st.booleans(), label="truncate"):
            content = content[:data.draw(st.integers(0, len(content)), label="length")]
        path.write_bytes(bytes(content))
        model = nn.Sequential(nn.Linear(2, 3, rng=5), nn.ReLU(), nn.Linear(3, 1, rng=6))
        before = state_bytes(model)
        fds = open_fds()
        try:
            model.load(path)
        except ValueError as exc:
            assert f"Sequential.load: {path}" in str(exc) and "\n" not in str(exc)
            assert state_bytes(model) == before
        else:  # an edit that zip and npy cannot see (a date, padding): the shapes still hold
            assert [p.shape for p in model.parameters()] == [(2, 3), (3,), (3, 1), (1,)]
        assert open_fds() == fds
