"""What the adjoint programs' two writers share: :mod:`autograd_lite.adjoint_code` (Values, plain
Python) and :mod:`autograd_lite.adjoint_tensor` (Tensors, numpy).

The program a writer returns (:class:`AdjointProgram`), the exact float literal, the identifier
each node gets, and the helper functions a Value program may define (their names are never given
to a node).  The Value writer hands a Tensor graph to the Tensor writer; both import this module
and it imports neither.
"""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass
from typing import Any, Dict, List

__all__ = ["AdjointProgram"]

# Written into a program only when one of its lines calls it: the library's float sigmoid and
# the rules' vocabulary (autograd_lite.generic) on floats.
_HELPERS = {
    "sigmoid": ("def sigmoid(x):\n"
                "    if x >= 0.0:\n"
                "        return 1.0 / (1.0 + math.exp(-x))\n"
                "    e = math.exp(x)\n"
                "    return e / (1.0 + e)\n"),
    "recip": ("def recip(x):\n"
              "    return 1.0 / x if x != 0.0 else math.copysign(math.inf, x)\n"),
    "step": ("def step(x):\n"
             "    return 1.0 if x > 0.0 else 0.0\n"),
    "sign": ("def sign(x):\n"
             "    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 if x == 0.0 else x\n"),
    "floordiv": ("def floordiv(a, b):\n"
                 "    return a // b\n"),
    "sinc": ("def sinc(x):\n"
             "    if x == 0.0:\n"
             "        return 1.0\n"
             "    return math.sin(math.pi * x) / (math.pi * x)\n"),
    "sinc_slope": ("def sinc_slope(x, out):  # (cos(pi x) - sinc(x))/x, 0 at 0\n"
                   "    if x == 0.0:\n"
                   "        return 0.0\n"
                   "    return (math.cos(math.pi * x) - out) * (1.0 / x)\n"),
    "logaddexp": ("def logaddexp(a, b):  # log(e**a + e**b) without overflow\n"
                  "    if a == b:\n"
                  "        return a + math.log(2.0)\n"
                  "    m = max(a, b)\n"
                  "    return m + math.log1p(math.exp(-abs(a - b)))\n"),
    "logaddexp2": ("def logaddexp2(a, b):  # log2(2**a + 2**b) without overflow\n"
                   "    if a == b:\n"
                   "        return a + 1.0\n"
                   "    m = max(a, b)\n"
                   "    return m + math.log1p(2.0 ** -abs(a - b)) / math.log(2.0)\n"),
    "fmax": ("def fmax(a, b):  # the larger, ignoring a NaN\n"
             "    return a if (a >= b or b != b) else b\n"),
    "fmin": ("def fmin(a, b):  # the smaller, ignoring a NaN\n"
             "    return a if (a <= b or b != b) else b\n"),
}
def _literal(x: float) -> str:
    """Python that evaluates to exactly ``x`` (``repr`` round-trips; inf and NaN need a call)."""
    x = float(x)
    return repr(x) if math.isfinite(x) else f"float('{x!r}')"


@dataclass(frozen=True)
class AdjointProgram:
    """The program's ``text`` and the identifier it gives every node (``names``)."""

    text: str
    names: Dict[Any, str]


def _identifiers(nodes: List[Any], shown: Dict[Any, str]) -> Dict[Any, str]:
    """A Python name for every node: its display name made an identifier; a constant ``c1``, ..."""
    taken = {"math", "np", "numpy", "unbroadcast", "grads", "float", "abs", "round", *_HELPERS}
    out: Dict[Any, str] = {}
    constants = 0
    for n in nodes:
        label = getattr(n, "label", "")
        if n.is_leaf and not label:
            constants += 1
            base = f"c{constants}"
        else:
            base = "".join(c if ("_" + c).isidentifier() else "_" for c in shown[n]) or "v"
            if not base.isidentifier() or keyword.iskeyword(base):
                base = "v_" + base
        name, k = base, 1
        while name in taken or name + "_grad" in taken:
            k += 1
            name = f"{base}_{k}"
        taken.update((name, name + "_grad"))
        out[n] = name
    return out
