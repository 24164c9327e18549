"""Selection, differentiable: ``where`` and the elementwise ``maximum`` / ``minimum``.

Each sends the upstream gradient to the input it chose (ties of ``maximum`` / ``minimum`` share
it evenly, as PyTorch).  They live with the Tensor ops because Tensor itself needs them:
``np.where``, ``np.maximum`` and ``np.minimum`` of a Tensor run them, and so do the rules that
take a Tensor's second derivatives (``std`` at zero, ``prod``).  ``autograd_lite.functional``
exports them.

>>> import numpy as np
>>> from autograd_lite import Tensor
>>> x = Tensor([-1.0, 2.0], requires_grad=True)
>>> y = where(np.array([True, False]), x, 0.0)
>>> y.sum().backward()
>>> y.data.tolist(), x.grad.tolist()
([-1.0, 0.0], [1.0, 0.0])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import ops as _ops
from ._node import _Node, _operand, _result, value_of

if TYPE_CHECKING:
    from .core import Tensor

__all__ = ["where", "maximum", "minimum"]


def _where_rule(g: Any, x: Any, y: Any, out: Any, cond: Any, wx: bool, wy: bool) -> tuple:
    zero = np.zeros((), g.dtype)
    return (np.where(cond, g, zero) if wx else None, np.where(cond, zero, g) if wy else None)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``x`` where ``condition`` is true, else ``y`` (broadcasting); the gradient goes
    to whichever was chosen.  ``condition`` is a boolean array (e.g. ``t > 0``)."""
    cond = condition.data if isinstance(condition, _Node) else condition
    cond = np.asarray(cond)
    if cond.dtype.kind != "b":
        raise TypeError(f"where: condition must be boolean (e.g. t > 0), got dtype {cond.dtype}")
    like = x if isinstance(x, _Node) else y
    if not isinstance(like, _Node):
        raise TypeError("where: x or y must be a Tensor")
    xt, yt = _operand(x, like, "where"), _operand(y, like, "where")
    try:
        data = np.where(cond, xt.data, yt.data)
    except ValueError:
        raise ValueError(
            f"where: shapes {cond.shape}, {xt.data.shape} and {yt.data.shape} cannot be broadcast together"
        ) from None
    return _result(data, "where", _where_rule, xt, yt, cond)


def _extreme_rule(g: Any, a: Any, b: Any, out: Any, op: str, wa: bool, wb: bool) -> tuple:
    # the larger (smaller) input gets the gradient; ties share it evenly, half each (constants)
    a, b = value_of(a), value_of(b)
    wins = a > b if op == "maximum" else a < b
    share = wins + 0.5 * (a == b)
    return (g * share if wa else None, g * (1.0 - share) if wb else None)


def _elementwise_extreme(a: Any, b: Any, op: str) -> Tensor:
    like = a if isinstance(a, _Node) else b
    if not isinstance(like, _Node):
        raise TypeError(f"{op}: a or b must be a Tensor")
    at, bt = _operand(a, like, op), _operand(b, like, op)
    try:
        data = np.maximum(at.data, bt.data) if op == "maximum" else np.minimum(at.data, bt.data)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {at.data.shape} and {bt.data.shape} cannot be broadcast together"
        ) from None
    return _result(data, op, _extreme_rule, at, bt, op)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of ``a`` and ``b``; ties split the gradient evenly (as PyTorch)."""
    return _elementwise_extreme(a, b, "maximum")


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of ``a`` and ``b``; ties split the gradient evenly."""
    return _elementwise_extreme(a, b, "minimum")


# The table rows: name, rule, what each parent is sent, a one-line doc, and how to apply the op
# again to new parents with the options the node recorded (for draw(check=True)).
_ROWS: Any = (
    ("where", _where_rule, ("g where chosen, else 0", "g where chosen, else 0"),
     "x where a condition holds, else y", lambda n, ps: where(n._saved, *ps)),
    ("maximum", _extreme_rule,
     ("g where {a} is larger (ties: half)", "g where {b} is larger (ties: half)"),
     "elementwise larger of a and b", lambda n, ps: maximum(*ps)),
    ("minimum", _extreme_rule,
     ("g where {a} is smaller (ties: half)", "g where {b} is smaller (ties: half)"),
     "elementwise smaller of a and b", lambda n, ps: minimum(*ps)),
)
for _name, _rule, _words, _doc, _again in _ROWS:
    _ops.register(_ops.Op(_name, 2, f"{_name}({{a}}, {{b}})", ("", ""), (), doc=_doc, sends=_words,
                          kinds=("Tensor",), vjp=_rule, again=_again))
