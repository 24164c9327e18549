"""Run a piece of code in a fresh interpreter under an address-space limit; report its peak memory.

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
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parents[1]

_TEMPLATE = """
import json, resource, sys
{setup}
def vm_bytes():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
_, hard = resource.getrlimit(resource.RLIMIT_AS)
resource.setrlimit(resource.RLIMIT_AS, (vm_bytes() + {limit}, hard))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
{action}
    outcome = "ok"
except ValueError as exc:
    outcome = "ValueError: " + str(exc)
except MemoryError:
    outcome = "MemoryError"
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"outcome": outcome, "peak_mib": after / 1024, "growth_mib": (after - before) / 1024}}))
"""


def run_limited(setup: str, action: str, limit_mib: int) -> Dict[str, Any]:
    """Run ``setup``, then ``action`` with at most ``limit_mib`` MiB more address space.

    Returns ``{"outcome": "ok" | "ValueError: ..." | "MemoryError", "peak_mib": ...,
    "growth_mib": ...}``: ``peak_mib`` is the process's peak resident size (ru_maxrss),
    ``growth_mib`` how much of it the action added.
    """
    code = _TEMPLATE.format(setup=textwrap.dedent(setup), limit=limit_mib << 20,
                            action=textwrap.indent(textwrap.dedent(action), "    "))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env=env)
    if done.returncode != 0:
        raise AssertionError(f"the limited run failed (exit {done.returncode}):\n{done.stderr}")
    result: Dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
