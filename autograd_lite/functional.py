"""Functions of Tensors that are more than one elementwise op: softmax, losses, joins.

Each is one graph node with its own vjp (fused), which is both faster and numerically
safer than composing it from ``exp``/``sum``/``log``: ``cross_entropy`` never forms
``log(softmax)`` and its gradient is the textbook ``(softmax - onehot) / N``.

>>> import numpy as np
>>> from autograd_lite import Tensor, functional as F
>>> logits = Tensor([[2.0, 0.0, 0.0]], requires_grad=True)
>>> loss = F.cross_entropy(logits, np.array([0]))
>>> loss.backward()
>>> np.round(logits.grad, 4).tolist()      # softmax - onehot
[[-0.213, 0.1065, 0.1065]]
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from . import activation as _activation
from . import checks as _checks
from . import ops as _ops
from .activation import (
    LAST,
    elu,
    erf,
    erfc,
    gelu,
    hardtanh,
    leaky_relu,
    logsumexp,
    mish,
    relu,
    selu,
    sigmoid,
    silu,
    softplus,
    softsign,
    tanh,
)
from .tensor import Tensor, _operand, _result, _result_n, _tensors
from .tensor._node import value_of
from .tensor.contract import dot, einsum, outer, tensordot

__all__ = [
    "relu", "sigmoid", "tanh", "softmax", "log_softmax",
    "gelu", "erf", "erfc", "silu", "softplus", "leaky_relu", "elu", "selu", "hardtanh", "softsign", "mish",
    "logsumexp",
    "cross_entropy", "nll_loss", "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "huber_loss", "smooth_l1_loss",
    "concatenate", "stack", "where", "maximum", "minimum",
    "conv2d", "max_pool2d", "avg_pool2d", "im2col", "col2im",
    "conv1d", "conv_transpose2d", "deconv2d", "pad2d",
    "dot", "outer", "tensordot", "einsum",
    "atleast_1d", "atleast_2d", "atleast_3d", "vstack", "hstack", "column_stack", "append",
    "kron", "inner", "cross", "gather", "scatter",
]


def _axis(axis: int, ndim: int, op: str) -> int:
    return _checks.axis(axis, ndim, op)


def _nonempty(a: np.ndarray, ax: int, op: str) -> None:
    if a.shape[ax] == 0:
        raise ValueError(f"{op}: axis {ax} of shape {a.shape} is empty; {op} needs at least one "
                         "element along the axis it normalises")


def _tensor(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x


# --------------------------------------------------------------------------- softmax
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
    ax = _axis(_activation.axis_or_dim(axis, dim, "softmax"), a.ndim, "softmax")
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
    ax = _axis(_activation.axis_or_dim(axis, dim, "log_softmax"), a.ndim, "log_softmax")
    _nonempty(a, ax, "log_softmax")
    s = a - a.max(axis=ax, keepdims=True)
    return _result(s - np.log(np.exp(s).sum(axis=ax, keepdims=True)), "log_softmax",
                   _log_softmax_rule, x, None, ax)


# --------------------------------------------------------------------------- joining
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
    ax = _axis(axis, ndim, "concatenate")
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
    ax = _axis(axis, ts[0].data.ndim + 1, "stack")
    shapes = {t.data.shape for t in ts}
    if len(shapes) != 1:
        raise ValueError(f"stack: all shapes must be equal, got {', '.join(str(s) for s in shapes)}")
    data = np.stack([t.data for t in ts], axis=ax)
    return _result_n(data, "stack", _stack_rule, ts, (ax, len(ts)))


# --------------------------------------------------------------------------- selection
def _where_rule(g: Any, x: Any, y: Any, out: Any, cond: Any, wx: bool, wy: bool) -> tuple:
    zero = np.zeros((), g.dtype)
    return (np.where(cond, g, zero) if wx else None, np.where(cond, zero, g) if wy else None)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``x`` where ``condition`` is true, else ``y`` (broadcasting); the gradient goes
    to whichever was chosen.  ``condition`` is a boolean array (e.g. ``t > 0``)."""
    cond = condition.data if isinstance(condition, Tensor) else condition
    cond = np.asarray(cond)
    if cond.dtype.kind != "b":
        raise TypeError(f"where: condition must be boolean (e.g. t > 0), got dtype {cond.dtype}")
    like = x if isinstance(x, Tensor) else y
    if not isinstance(like, Tensor):
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
    like = a if isinstance(a, Tensor) else b
    if not isinstance(like, Tensor):
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


# The table rows: name, rule, arity (-1: any), what each parent is sent, a one-line doc, and how
# to apply the op again to new parents with the options the node recorded (for draw(check=True)).
_ROWS: Any = (
    ("softmax", _softmax_rule, 1, ("softmax·(g - sum(g·softmax))",), "exp(x) / sum(exp(x)) along an axis",
     lambda n, ps: softmax(ps[0], axis=n._saved)),
    ("log_softmax", _log_softmax_rule, 1, ("g - softmax·sum(g)",), "x - log(sum(exp(x))) along an axis",
     lambda n, ps: log_softmax(ps[0], axis=n._saved)),
    ("concatenate", _concatenate_rule, -1, ("g's slice",), "tensors joined along an existing axis",
     lambda n, ps: concatenate(list(ps), axis=n._saved[0])),
    ("stack", _stack_rule, -1, ("g's slice",), "tensors of one shape joined along a new axis",
     lambda n, ps: stack(list(ps), axis=n._saved[0])),
    ("where", _where_rule, 2, ("g where chosen, else 0", "g where chosen, else 0"),
     "x where a condition holds, else y", lambda n, ps: where(n._saved, *ps)),
    ("maximum", _extreme_rule, 2,
     ("g where {a} is larger (ties: half)", "g where {b} is larger (ties: half)"),
     "elementwise larger of a and b", lambda n, ps: maximum(*ps)),
    ("minimum", _extreme_rule, 2,
     ("g where {a} is smaller (ties: half)", "g where {b} is smaller (ties: half)"),
     "elementwise smaller of a and b", lambda n, ps: minimum(*ps)),
)
for _name, _rule, _arity, _words, _doc, _again in _ROWS:
    _expr = f"{_name}({{a}}{', {b}' if _arity == 2 else ''})" if _arity > 0 else f"{_name}({{args}})"
    _ops.register(_ops.Op(_name, _arity, _expr, ("",) * max(_arity, 1), (), doc=_doc, sends=_words,
                          kinds=("Tensor",), vjp=_rule, again=_again))


from .conv import avg_pool2d, col2im, conv2d, im2col, max_pool2d  # noqa: E402  (convolution, pooling)
from .conv_more import conv1d, conv_transpose2d, deconv2d, pad2d  # noqa: E402
from .joins import (  # noqa: E402  (numpy's joins and products, PyTorch's gather)
    append,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    column_stack,
    cross,
    gather,
    hstack,
    inner,
    kron,
    scatter,
    vstack,
)
from .losses import cross_entropy, huber_loss, mse_loss, nll_loss, smooth_l1_loss  # noqa: E402
from .losses_binary import binary_cross_entropy, binary_cross_entropy_with_logits  # noqa: E402
