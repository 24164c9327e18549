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

from typing import Any, Optional, Sequence, Tuple

import numpy as np

from . import activation as _activation
from . import checks as _checks
from . import ops as _ops
from .activation import LAST, relu, sigmoid, tanh
from .tensor import Tensor, _leaf, _operand, _result, _result_n, _tensors
from .tensor._node import value_of
from .tensor.contract import dot, einsum, outer, tensordot

__all__ = [
    "relu", "sigmoid", "tanh", "softmax", "log_softmax", "cross_entropy", "mse_loss",
    "concatenate", "stack", "where", "maximum", "minimum",
    "conv2d", "max_pool2d", "avg_pool2d", "im2col", "col2im",
    "dot", "outer", "tensordot", "einsum",
]


def _axis(axis: int, ndim: int, op: str) -> int:
    return _checks.axis(axis, ndim, op)


def _nonempty(a: np.ndarray, ax: int, op: str) -> None:
    if a.shape[ax] == 0:
        raise ValueError(f"{op}: axis {ax} of shape {a.shape} is empty; {op} needs at least one "
                         "element along the axis it normalises")


def _label_text(x: Any) -> str:
    return str(int(x)) if np.isfinite(x) else str(x)


_intp = np.dtype(np.intp)
_aranges: dict = {}


def _row_indices(n: int) -> np.ndarray:
    """``np.arange(n)``, read-only and kept for the next batch of the same size."""
    rows = _aranges.get(n)
    if rows is None:
        rows = np.arange(n)
        rows.flags.writeable = False
        if len(_aranges) < 64:
            _aranges[n] = rows
    return rows


def _class_labels(t: np.ndarray, shape: Tuple[int, ...], c: int) -> np.ndarray:
    """``t`` as intp class labels for logits of ``shape`` (``c`` classes), or a clear error; the
    caller checks the range."""
    if t.shape != shape[:-1]:
        raise ValueError(
            f"cross_entropy: target must be labels of shape {shape[:-1]} or one-hot rows of "
            f"shape {shape} for logits of shape {shape}, got shape {t.shape}"
        )
    labels = t if t.ndim == 1 else t.reshape(-1)
    kind = labels.dtype.kind
    if kind not in "iuf":
        raise TypeError(f"cross_entropy: class labels must be integers, got dtype {t.dtype}")
    if labels.dtype is not _intp:
        if kind == "f" and not np.array_equal(labels, np.floor(labels)):
            # labels stored as floats (e.g. a Tensor) must be whole numbers
            raise ValueError("cross_entropy: class labels must be integers, got non-integer values")
        if kind != "i" and labels.size and not (labels.min() >= 0 and labels.max() < c):
            # check before converting: 2**63 or 1e30 would wrap to a negative intp
            raise ValueError(
                f"cross_entropy: labels must lie in [0, {c}) for {c} classes, "
                f"got values from {_label_text(labels.min())} to {_label_text(labels.max())}"
            )
        labels = labels.astype(np.intp)
    return labels


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


# --------------------------------------------------------------------------- losses
# The fused losses keep softmax(z) from the forward pass for the first-order rule; on the
# graph path (create_graph=True) the rule needs softmax as a function of the logits, so it
# is rebuilt from them there (the same formula either way).
def _rows(z: Any) -> Any:
    return z if z.ndim == 2 else z.reshape(1, -1)


def _cross_entropy_labels_rule(g: Any, z: Any, out: Any, saved: tuple) -> Any:
    # (softmax - onehot) / N
    p, rows, labels, shape = saved
    scale = g / len(labels)
    if isinstance(z, Tensor):
        onehot = np.zeros(p.shape, p.dtype)
        onehot[rows, labels] = 1.0
        return ((softmax(_rows(z), axis=1) - onehot) * scale).reshape(shape)
    gz = p * scale
    gz[rows, labels] -= scale  # the one-hot subtraction without building the one-hot matrix
    return gz if gz.shape == shape else gz.reshape(shape)


def _cross_entropy_probs_rule(g: Any, z: Any, t: Any, out: Any, saved: tuple, wz: bool, wt: bool) -> tuple:
    # d/dz of -sum(t log softmax(z)) / N = (softmax * sum(t) - t) / N;  d/dt = -log softmax / N
    p, logp, t_rows, shape = saved
    if isinstance(z, Tensor):
        p, logp = softmax(_rows(z), axis=1), log_softmax(_rows(z), axis=1)
        if isinstance(t, Tensor):
            t_rows = t.reshape(p.shape)
    scale = g / p.shape[0]
    gz = ((p * t_rows.sum(axis=1, keepdims=True) - t_rows) * scale).reshape(shape) if wz else None
    gt = (-logp * scale).reshape(t.shape) if wt else None
    return (gz, gt)


def cross_entropy(logits: Tensor, target: Any) -> Tensor:
    """Mean softmax cross-entropy of ``logits`` (N, C) (or (C,)) against ``target``.

    ``target`` is either integer class labels of shape (N,) (a scalar for 1-D logits),
    or one-hot / probability rows of the logits' shape (array or Tensor).  One fused
    node: the gradient is ``(softmax(logits) - onehot) / N``.

    >>> import numpy as np
    >>> from autograd_lite import Tensor
    >>> z = Tensor(np.zeros((2, 4)))
    >>> round(cross_entropy(z, [1, 3]).item(), 6) == round(float(np.log(4)), 6)
    True
    """
    z = _tensor(logits, "cross_entropy").data
    shape = z.shape
    if z.ndim == 1:
        z = z[None, :]
    elif z.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C) or (C,), got {shape}")
    n, c = z.shape
    if n == 0 or c == 0:
        raise ValueError(f"cross_entropy: logits of shape {shape} have no elements")
    # ufunc reductions directly: the ndarray methods add a Python-level wrapper per call
    s = z - np.maximum.reduce(z, axis=1, keepdims=True)
    e = np.exp(s)
    se = np.add.reduce(e, axis=1, keepdims=True)
    p = np.divide(e, se, out=e)  # e is not needed any more: reuse its memory
    log_se = np.log(se)

    t = target if type(target) is np.ndarray else (
        target.data if isinstance(target, Tensor) else np.asarray(target))
    if t.shape != shape:  # not one-hot: class labels, one per row
        labels = _class_labels(t, shape, c)
        # one reduction checks both ends: seen as unsigned, a negative label is huge
        # (and negative labels must not silently index from the end)
        if np.maximum.reduce(labels.view(np.uintp)) >= c:
            lo, hi = np.minimum.reduce(labels), np.maximum.reduce(labels)
            raise ValueError(
                f"cross_entropy: labels must lie in [0, {c}) for {c} classes, "
                f"got values from {lo} to {hi}"
            )
        if isinstance(target, Tensor) and target.requires_grad:
            raise ValueError("cross_entropy: class labels cannot require grad")
        rows = _row_indices(n)
        picked = s[rows, labels] - log_se[:, 0]  # log softmax at the labels
        loss = -np.add.reduce(picked) / n  # a scalar of z's dtype (scalar arithmetic: no ufunc call)
        return _result(np.asarray(loss), "cross_entropy", _cross_entropy_labels_rule, logits, None,
                       (p, rows, labels, shape))
    if t.dtype.kind not in "fb":
        raise TypeError(f"cross_entropy: target must hold numbers, got dtype {t.dtype}")
    t2 = t.reshape(n, c).astype(z.dtype, copy=False)
    logp = s - log_se
    loss = -(t2 * logp).sum() / n
    target_node = target if isinstance(target, Tensor) else _leaf(t2.reshape(t.shape))
    return _result(np.asarray(loss, dtype=z.dtype), "cross_entropy", _cross_entropy_probs_rule,
                   logits, target_node, (p, logp, t2, shape))


def _mse_rule(g: Any, pred: Any, target: Any, out: Any, diff: Any, wp: bool, wt: bool) -> tuple:
    # d/dpred mean((pred - target)**2) = 2 (pred - target) / N
    if isinstance(pred, Tensor):  # the graph path: the difference as graph (see the losses' note)
        diff = pred - target
    gp = diff * (g * (2.0 / diff.size))
    return (gp if wp else None, -gp if wt else None)


def mse_loss(pred: Tensor, target: Any) -> Tensor:
    """Mean squared error ``mean((pred - target)**2)``; shapes must be equal (no broadcasting,
    which would silently compare every prediction with every target)."""
    pred = _tensor(pred, "mse_loss")
    target = _operand(target, pred, "mse_loss")
    if pred.data.shape != target.data.shape:
        raise ValueError(
            f"mse_loss: pred and target must have the same shape, got {pred.data.shape} and "
            f"{target.data.shape}"
        )
    if pred.data.size == 0:
        raise ValueError("mse_loss: empty tensors have no mean")
    diff = pred.data - target.data
    return _result(np.asarray(np.mean(diff * diff)), "mse_loss", _mse_rule, pred, target, diff)


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
    ("cross_entropy", None, 2, ("g·(softmax({a}) - onehot)/N", "-g·log softmax({a})/N"),
     "mean softmax cross-entropy against labels or probability rows",
     lambda n, ps: cross_entropy(ps[0], ps[1] if len(ps) == 2 else n._saved[2].reshape(n._saved[3][:-1]))),
    ("mse_loss", _mse_rule, 2, ("g·2({a} - {b})/N", "-g·2({a} - {b})/N"), "mean((pred - target)**2)",
     lambda n, ps: mse_loss(*ps)),
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
