"""Rows of Tensor-only ops that the table does not have yet, registered for the tests only.

The Tensor ops register their rows beside their code; until an op has done so, the tests
register this stand-in (what explain, the pictures and draw(check=True) read), so the
derivation from the table is tested on every op the tests build.  A row the library already
has is never replaced: :data:`ADDED` names the ones this module added.
"""

from __future__ import annotations

from typing import Any, List, Set

import numpy as np

from autograd_lite import ops

T = ("Tensor",)


def _shaped(method: str, *keys: int) -> Any:
    # a reduction again, with the axes it recorded, in the shape it gave (keepdims or not)
    def again(n: Any, ps: List[Any]) -> Any:
        extra = {"ddof": n._saved[3]} if method == "var" else {}
        return getattr(ps[0], method)(axis=n._saved[0], **extra).reshape(n.data.shape)

    return again


ROWS = (
    ops.Op("@", 2, "{a}@{b}", (), (), doc="matrix product", sends=("g @ {b}ᵀ", "{a}ᵀ @ g"), kinds=T,
           again=lambda n, ps: ps[0] @ ps[1]),
    ops.Op("sum", 1, "sum({a})", (), (), doc="sum over axes", sends=("g copied to every element",), kinds=T,
           again=_shaped("sum")),
    ops.Op("mean", 1, "mean({a})", (), (), doc="mean over axes",
           sends=("g / n copied to every averaged element",), kinds=T, again=_shaped("mean")),
    ops.Op("max", 1, "max({a})", (), (), doc="largest element",
           sends=("g to the largest elements (ties share it)",), kinds=T, again=_shaped("max")),
    ops.Op("min", 1, "min({a})", (), (), doc="smallest element",
           sends=("g to the smallest elements (ties share it)",), kinds=T, again=_shaped("min")),
    ops.Op("var", 1, "var({a})", (), (), doc="variance", sends=("g·2({a} - mean)/(n - ddof)",), kinds=T,
           again=_shaped("var")),
    ops.Op("reshape", 1, "reshape({a})", (), (), doc="new shape", sends=("g reshaped back",), kinds=T,
           again=lambda n, ps: ps[0].reshape(n.data.shape)),
    ops.Op("transpose", 1, "transpose({a})", (), (), doc="axes permuted", sends=("g transposed back",),
           kinds=T, again=lambda n, ps: ps[0].transpose(tuple(int(k) for k in np.argsort(n._saved)))),
    ops.Op("getitem", 1, "getitem({a})", (), (), doc="indexing",
           sends=("g placed at the selected elements, 0 elsewhere",), kinds=T,
           again=lambda n, ps: ps[0][n._saved[0]]),
    ops.Op("clip", 1, "clip({a})", (), (), doc="clipped to [lo, hi]",
           sends=("g where lo ≤ {a} ≤ hi, else 0",), kinds=T, again=lambda n, ps: ps[0].clip(*n._saved)),
)

ADDED: Set[str] = set()


def register_missing() -> None:
    for row in ROWS:
        if row.name not in ops.OPS:
            ops.register(row)
            ADDED.add(row.name)
