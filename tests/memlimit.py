"""Bombs, and a fresh interpreter under an address-space limit to run them in, with its peak memory.

Used by the tests of bounded reading (``Module.load``, ``read_idx``/``load_mnist``): a file
that made the library allocate what it claims, rather than what the model or the format allows,
fails there with ``MemoryError`` instead of passing by luck on a big machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[1]

_TEMPLATE = """
import json, resource, sys
{setup}
def status_kib(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))
_, hard = resource.getrlimit(resource.RLIMIT_AS)
resource.setrlimit(resource.RLIMIT_AS, (status_kib("VmSize") * 1024 + {limit}, hard))
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # resets the peak (VmHWM) to what is resident now, so setup does not count
before = status_kib("VmRSS")
try:
{action}
    outcome = "ok"
except ValueError as exc:
    outcome = "ValueError: " + str(exc)
except MemoryError:
    outcome = "MemoryError"
peak = status_kib("VmHWM")
maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"outcome": outcome, "peak_mib": peak / 1024, "growth_mib": (peak - before) / 1024,
                  "ru_maxrss_mib": maxrss / 1024}}))
"""


def run_limited(setup: str, action: str, limit_mib: int) -> Dict[str, Any]:
    """Run ``setup``, then ``action`` with at most ``limit_mib`` MiB more address space.

    Returns ``{"outcome": "ok" | "ValueError: ..." | "MemoryError", "peak_mib": ...,
    "growth_mib": ..., "ru_maxrss_mib": ...}``: ``peak_mib`` is the peak resident size during
    the action (the kernel's high-water mark VmHWM, reset just before it), ``growth_mib`` how far
    that rose above what was resident before.  ``ru_maxrss`` is reported too, but it also counts
    the parent's size at the time it started the child (Linux carries it across exec).
    """
    if sys.platform != "linux":
        pytest.skip("memory-limited runs need Linux (RLIMIT_AS and /proc/self/status)")
    code = _TEMPLATE.format(setup=textwrap.dedent(setup), limit=limit_mib << 20,
                            action=textwrap.indent(textwrap.dedent(action), "    "))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env=env)
    if done.returncode != 0:
        raise AssertionError(f"the limited run failed (exit {done.returncode}):\n{done.stderr}")
    result: Dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def zeros_deflated(prefix: bytes, mib: int) -> Tuple[bytes, int]:
    """A raw deflate stream of ``prefix`` and ``mib`` MiB of zeros, and its CRC-32, in a second.

    After a full flush, deflate starts afresh, so every MiB of zeros compresses to the same
    1 KB block: it is computed once and repeated.  1 GiB of content is 1 MB of stream.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    zero = bytes(1 << 20)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(prefix)
    for _ in range(mib):
        crc = zlib.crc32(zero, crc)
    return head + block * mib + c.flush(), crc


def gzip_bomb(prefix: bytes, mib: int) -> bytes:
    """A gzip file (RFC 1952) of ``prefix`` followed by ``mib`` MiB of zeros."""
    data, crc = zeros_deflated(prefix, mib)
    size = (len(prefix) + (mib << 20)) & 0xFFFFFFFF
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, no mtime
    return header + data + crc.to_bytes(4, "little") + size.to_bytes(4, "little")
