"""``softmax`` and ``log_softmax``: each one graph node with its own vjp (fused), shifted by the
max so it never overflows.  ``autograd_lite.functional`` exports them; the losses use them.

>>> from autograd_lite import Tensor
>>> softmax(Tensor([0.0, 0.0])).data.tolist()
[0.5, 0.5]
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import activation as _activation
from . import checks as _checks
from . import ops as _ops
from .activation import LAST
from .tensor import Tensor, _result

__all__ = ["softmax", "log_softmax"]


def _nonempty(a: np.ndarray, ax: int, op: str) -> None:
    if a.shape[ax] == 0:
        raise ValueError(f"{op}: axis {ax} of shape {a.shape} is empty; {op} needs at least one "
                         "element along the axis it normalises")


def _tensor(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x


def _softmax_rule(g: Any, a: Any, p: Any, axis: int) -> Any:
    # J^T g for softmax: p * (g - sum(g * p))
    return p * (g - (g * p).sum(axis=axis, keepdims=True))


def softmax(x: Tensor, axis: int = LAST, *, dim: Optional[int] = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis`` (or ``dim``, PyTorch's name; default the last),
    shifted by the max so it never overflows.

    >>> from autograd_lite import Tensor
    >>> softmax(Tensor([0.0, 0.0])).data.tolist(), softmax(Tensor([[0.0, 0.0]]), dim=0).data.tolist()
    ([0.5, 0.5], [[1.0, 1.0]])
    """
    a = _tensor(x, "softmax").data
    ax = _checks.axis(_activation.axis_or_dim(axis, dim, "softmax"), a.ndim, "softmax")
    _nonempty(a, ax, "softmax")
    e = np.exp(a - a.max(axis=ax, keepdims=True))
    return _result(e / e.sum(axis=ax, keepdims=True), "softmax", _softmax_rule, x, None, ax)


def _log_softmax_rule(g: Any, a: Any, out: Any, axis: int) -> Any:
    # d log_softmax: g - softmax * sum(g)
    return g - np.exp(out) * g.sum(axis=axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = LAST, *, dim: Optional[int] = None) -> Tensor:
    """x - log(sum(exp(x))) along ``axis`` (or ``dim``; default the last), computed stably
    (log-sum-exp with the max)."""
    a = _tensor(x, "log_softmax").data
    ax = _checks.axis(_activation.axis_or_dim(axis, dim, "log_softmax"), a.ndim, "log_softmax")
    _nonempty(a, ax, "log_softmax")
    s = a - a.max(axis=ax, keepdims=True)
    return _result(s - np.log(np.exp(s).sum(axis=ax, keepdims=True)), "log_softmax",
                   _log_softmax_rule, x, None, ax)


# The table rows: name, rule, what the parent is sent, a one-line doc, and how to apply the op
# again to a new parent with the axis the node recorded (for draw(check=True)).
_ROWS: Any = (
    ("softmax", _softmax_rule, ("softmax·(g - sum(g·softmax))",), "exp(x) / sum(exp(x)) along an axis",
     lambda n, ps: softmax(ps[0], axis=n._saved)),
    ("log_softmax", _log_softmax_rule, ("g - softmax·sum(g)",), "x - log(sum(exp(x))) along an axis",
     lambda n, ps: log_softmax(ps[0], axis=n._saved)),
)
for _name, _rule, _words, _doc, _again in _ROWS:
    _ops.register(_ops.Op(_name, 1, f"{_name}({{a}})", ("",), (), doc=_doc, sends=_words,
                          kinds=("Tensor",), vjp=_rule, again=_again))
