"""IDX files (the format of MNIST), read as a stream with the sizes their header declares.

An IDX file is a 4-byte magic number (00 00, a type code, the number of dimensions), one
big-endian 4-byte size per dimension, then the data.  The header is read first; no more than
the size it declares is ever read (or decompressed, for ``.gz`` files), and a header that
declares more than the file could hold is refused before any memory is allocated.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Dict, Optional, Tuple, Union, cast

import numpy as np

__all__ = ["read_idx"]

PathLike = Union[str, "os.PathLike[str]"]

# IDX type codes (third byte of the magic number) -> big-endian numpy dtype.
_IDX_DTYPES: Dict[int, np.dtype[Any]] = {
    0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}

_CHUNK = 1 << 20  # bytes decompressed and checksummed at a time
# Deflate (gzip's compression) turns one byte into at most 1032: a header that declares more
# than that many times the file's size cannot be honest, and is refused before any allocation.
_MAX_GZIP_RATIO = 1032


def _read_up_to(stream: BinaryIO, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        part = stream.read(min(_CHUNK, n - got))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _idx_header(stream: BinaryIO, where: str, digest: Any) -> Tuple[Tuple[int, ...], np.dtype[Any], int]:
    """Shape, dtype and header size from the IDX header, checking the magic number."""
    magic = _read_up_to(stream, 4)
    digest.update(magic)
    if len(magic) < 4:
        raise ValueError(f"read_idx: {where} is too short for an IDX header ({len(magic)} bytes)")
    zero0, zero1, code, ndim = magic
    if zero0 != 0 or zero1 != 0 or code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(f"read_idx: {where} has a bad magic number 0x{magic.hex()} "
                         "(an IDX file starts with 00 00, a type code in 08 09 0B 0C 0D 0E, "
                         "and the number of dimensions)")
    header = 4 + 4 * ndim
    dims = _read_up_to(stream, 4 * ndim)
    digest.update(dims)
    if len(dims) < 4 * ndim:
        raise ValueError(f"read_idx: {where} is truncated inside its header "
                         f"({4 + len(dims)} bytes, the header needs {header})")
    shape = tuple(int.from_bytes(dims[4 * i: 4 * i + 4], "big") for i in range(ndim))
    return shape, _IDX_DTYPES[code], header


def _read_idx(path: Path, md5: Optional[str], size: Optional[int]) -> np.ndarray:
    """Stream one IDX file: header first, then at most the bytes it declares (or ``size``)."""
    where = str(path)
    with open(path, "rb") as raw:
        on_disk = os.fstat(raw.fileno()).st_size
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        if not gzipped:
            return _read_idx_stream(raw, where, md5, size, on_disk, None)
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                return _read_idx_stream(cast(BinaryIO, stream), where, md5, size, None,
                                        _MAX_GZIP_RATIO * on_disk)
        except (EOFError, OSError, zlib.error) as exc:  # a truncated or corrupted gzip stream
            raise ValueError(f"read_idx: {path} is not a valid gzip file ({exc}); it is probably "
                             "truncated or corrupted: delete it and fetch it again") from None


def _read_idx_stream(stream: BinaryIO, where: str, md5: Optional[str], size: Optional[int],
                     exact: Optional[int], most: Optional[int]) -> np.ndarray:
    """The array of an IDX stream whose length must be ``exact`` or at most ``most`` bytes."""
    digest = hashlib.md5()
    shape, dtype, header = _idx_header(stream, where, digest)
    expected = header + math.prod(shape) * dtype.itemsize  # Python ints: no overflow, no wrap to 0
    described = f"its header (shape {shape}, dtype {dtype.name}) needs exactly {expected}"
    if size is not None and expected != size:
        raise ValueError(f"read_idx: {where} is not the expected file: {described} bytes, the expected "
                         f"file has {size}; it is corrupted or not the expected one: delete it and fetch "
                         "it again")
    if exact is not None and exact != expected:
        kind = "truncated" if exact < expected else "too long"
        raise ValueError(f"read_idx: {where} has the wrong length: {exact} bytes, but {described}; "
                         f"the file is {kind}")
    if most is not None and expected > most:
        raise ValueError(f"read_idx: {where} cannot hold what its header declares: {described} bytes, "
                         f"more than a gzip file of its size can decompress to; the file is corrupted")
    flat = np.empty(math.prod(shape), dtype=dtype)
    buffer = flat.view(np.uint8)
    filled, nbytes = 0, expected - header
    while filled < nbytes:
        chunk = stream.read(min(_CHUNK, nbytes - filled))
        if not chunk:
            raise ValueError(f"read_idx: {where} has the wrong length: {header + filled} bytes, but "
                             f"{described}; the file is truncated")
        buffer[filled:filled + len(chunk)] = np.frombuffer(chunk, np.uint8)
        digest.update(chunk)
        filled += len(chunk)
    if stream.read(1):
        raise ValueError(f"read_idx: {where} has the wrong length: more than {expected} bytes, but "
                         f"{described}; the file is too long")
    if md5 is not None and digest.hexdigest() != md5.lower():
        raise ValueError(f"read_idx: checksum mismatch for {where}: md5 of the uncompressed content is "
                         f"{digest.hexdigest()}, expected {md5.lower()}; the file is corrupted or not the "
                         "expected one: delete it and fetch it again")
    # Native byte order, in place: a writable array the caller owns, no second copy.
    if dtype.itemsize > 1:
        flat = flat.byteswap(inplace=True).view(dtype.newbyteorder("="))
    else:
        flat = flat.view(dtype.newbyteorder("="))
    return flat.reshape(shape)


def read_idx(path: PathLike, md5: Optional[str] = None, *, size: Optional[int] = None) -> np.ndarray:
    """Read one IDX file (gzip-compressed or not) into a numpy array.

    Checks the magic number, that the length matches the header exactly, and -- when ``md5``
    is given -- the md5 of the uncompressed content.  ``size``, when the uncompressed length
    is known in advance (MNIST's is), refuses a header that declares another before any data
    is read.  Any failure is a ``ValueError`` that
    names the file and the problem; a garbage array is never returned.  The file is streamed:
    the header is read first, and no more than the size it declares is ever decompressed (a
    header that declares more than the file could hold is refused before anything else).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     p = Path(folder) / "tiny-idx1-ubyte"   # magic 00 00 08 01: ubyte, 1 dimension
    ...     _ = p.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))
    ...     read_idx(p)
    array([7, 8, 9], dtype=uint8)
    """
    return _read_idx(Path(path), md5, size)
