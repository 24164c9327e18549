"""Joining, differentiable: ``concatenate`` and ``stack``, each parent getting its slice of the
gradient back.  They live with the Tensor ops because Tensor itself needs them (``np.concatenate``
and ``np.stack`` of Tensors run them); ``autograd_lite.functional`` exports them, and
``autograd_lite.joins`` builds numpy's other joins (``vstack``, ``hstack``, ``append`` ...) on them.

>>> from autograd_lite import Tensor
>>> a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
>>> c = concatenate([a, b])
>>> (c * Tensor([10.0, 20.0, 30.0])).sum().backward()
>>> c.data.tolist(), a.grad.tolist(), b.grad.tolist()
([1.0, 2.0, 3.0], [10.0, 20.0], [30.0])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .. import checks as _checks
from .. import ops as _ops
from ._node import _result_n, _tensors

if TYPE_CHECKING:
    from .core import Tensor

__all__ = ["concatenate", "stack"]


def _concatenate_rule(g: Any, parents: Any, out: Any, saved: tuple, wants: Any) -> Any:
    axis, ends = saved
    lead = (slice(None),) * axis
    return tuple(g[lead + (slice(start, end),)] if w else None
                 for start, end, w in zip([0] + ends[:-1], ends, wants))


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis; each gets its slice of the gradient back."""
    ts = _tensors(tensors, "concatenate")
    ndim = ts[0].data.ndim
    if ndim == 0:
        raise ValueError("concatenate: 0-d tensors cannot be concatenated; use stack")
    ax = _checks.axis(axis, ndim, "concatenate")
    try:
        data = np.concatenate([t.data for t in ts], axis=ax)
    except ValueError:
        shapes = ", ".join(str(t.data.shape) for t in ts)
        raise ValueError(f"concatenate: shapes {shapes} do not match except along axis {axis}") from None
    ends = np.cumsum([t.data.shape[ax] for t in ts]).tolist()
    return _result_n(data, "concatenate", _concatenate_rule, ts, (ax, ends))


def _stack_rule(g: Any, parents: Any, out: Any, saved: tuple, wants: Any) -> Any:
    axis, count = saved
    lead = (slice(None),) * axis
    return tuple(g[lead + (i,)] if w else None for i, w in enumerate(wants))


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors of equal shape along a new axis."""
    ts = _tensors(tensors, "stack")
    ax = _checks.axis(axis, ts[0].data.ndim + 1, "stack")
    shapes = {t.data.shape for t in ts}
    if len(shapes) != 1:
        raise ValueError(f"stack: all shapes must be equal, got {', '.join(str(s) for s in shapes)}")
    data = np.stack([t.data for t in ts], axis=ax)
    return _result_n(data, "stack", _stack_rule, ts, (ax, len(ts)))


# The table rows: name, rule, what each parent is sent, a one-line doc, and how to apply the op
# again to new parents with the options the node recorded (for draw(check=True)).
_ROWS: Any = (
    ("concatenate", _concatenate_rule, ("g's slice",), "tensors joined along an existing axis",
     lambda n, ps: concatenate(list(ps), axis=n._saved[0])),
    ("stack", _stack_rule, ("g's slice",), "tensors of one shape joined along a new axis",
     lambda n, ps: stack(list(ps), axis=n._saved[0])),
)
for _name, _rule, _words, _doc, _again in _ROWS:
    _ops.register(_ops.Op(_name, -1, f"{_name}({{args}})", ("",), (), doc=_doc, sends=_words,
                          kinds=("Tensor",), vjp=_rule, again=_again))
