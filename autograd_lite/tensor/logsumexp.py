"""``logsumexp``: ``log(sum(exp(x)))`` over axes, shifted by the max so it never overflows; its
gradient is ``softmax(x)`` along them.  It lives with the Tensor ops because ``Tensor.logsumexp``
runs it; ``autograd_lite.activation`` and ``autograd_lite.functional`` export it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

import numpy as np

from .. import checks as _checks
from .. import ops as _ops
from ._node import _Node, _result

if TYPE_CHECKING:
    from .core import Tensor

__all__ = ["logsumexp"]


def _logsumexp_rule(g: Any, a: Any, out: Any, saved: Tuple[Any, ...]) -> Any:
    kept, keepdims, axes = saved  # the result's shape with the reduced axes kept as 1
    if not keepdims:
        g, out = g.reshape(kept), out.reshape(kept)
    return g * _ops.exp(a - out)  # g·softmax(x) along the axes


def logsumexp(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis`` (None: all; an int or a tuple; ``dim`` is the same
    argument), computed with the max so it never overflows; gradient ``softmax(x)`` along it.

    >>> from autograd_lite import Tensor, fmt
    >>> fmt(logsumexp(Tensor([1000.0, 1000.0])).item())
    '1000.69314718'
    """
    if not isinstance(x, _Node):
        raise TypeError(f"logsumexp: expected a Tensor, got {type(x).__name__}")
    a = x.data
    if dim is not None:
        if axis is not None:
            raise TypeError(f"logsumexp: got both axis={axis!r} and dim={dim!r}; they are the same "
                            "argument (numpy's and PyTorch's name): give one")
        axis = dim
    axes = _checks.axes(axis, a.ndim, "logsumexp")
    axes = tuple(range(a.ndim)) if axes is None else axes
    keepdims = _checks.flag(keepdims, "keepdims", "logsumexp")
    if any(a.shape[k] == 0 for k in axes):
        raise ValueError(f"logsumexp: axis {axis!r} of shape {a.shape} is empty; logsumexp needs "
                         "at least one element along the axes it reduces")
    m = np.max(a, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # all -inf (or an inf): shift by 0, the result is ±inf
    with np.errstate(divide="ignore"):
        kept = np.log(np.sum(np.exp(a - m), axis=axes, keepdims=True)) + m
    data = kept if keepdims else kept.reshape(tuple(n for k, n in enumerate(a.shape) if k not in axes))
    return _result(data, "logsumexp", _logsumexp_rule, x, None, (kept.shape, keepdims, axes))


_ops.register(_ops.Op("logsumexp", 1, "logsumexp({a})", ("",), (), doc="log(sum(exp(x))) over axes",
                      sends=("g·softmax({a}) along the axes",), kinds=("Tensor",), vjp=_logsumexp_rule,
                      again=lambda n, ps: logsumexp(ps[0], n._saved[2], n._saved[1])))
