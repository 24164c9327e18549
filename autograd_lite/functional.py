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

from typing import Any, Sequence

import numpy as np

from . import checks as _checks
from .tensor import Tensor, _operand, _result, _result_n, _tensors

__all__ = [
    "softmax", "log_softmax", "cross_entropy", "mse_loss",
    "concatenate", "stack", "where", "maximum", "minimum",
    "conv2d", "max_pool2d", "avg_pool2d", "im2col", "col2im",
]


def _axis(axis: int, ndim: int, op: str) -> int:
    return _checks.axis(axis, ndim, op)


def _nonempty(a: np.ndarray, ax: int, op: str) -> None:
    if a.shape[ax] == 0:
        raise ValueError(f"{op}: axis {ax} of shape {a.shape} is empty; {op} needs at least one "
                         "element along the axis it normalises")


def _label_text(x: Any) -> str:
    return str(int(x)) if np.isfinite(x) else str(x)


def _tensor(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x


# --------------------------------------------------------------------------- softmax
def _softmax_vjp(n: Tensor, g: np.ndarray) -> np.ndarray:
    # J^T g for softmax: p * (g - sum(g * p))
    p, axis = n.data, n._saved
    return p * (g - (g * p).sum(axis=axis, keepdims=True))


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis``, shifted by the max so it never overflows.

    >>> from autograd_lite import Tensor
    >>> softmax(Tensor([0.0, 0.0])).data.tolist()
    [0.5, 0.5]
    """
    a = _tensor(x, "softmax").data
    ax = _axis(axis, a.ndim, "softmax")
    _nonempty(a, ax, "softmax")
    e = np.exp(a - a.max(axis=ax, keepdims=True))
    return _result(e / e.sum(axis=ax, keepdims=True), "softmax", _softmax_vjp, x, None, ax)


def _log_softmax_vjp(n: Tensor, g: np.ndarray) -> np.ndarray:
    # d log_softmax: g - softmax * sum(g)
    axis = n._saved
    return g - np.exp(n.data) * g.sum(axis=axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - log(sum(exp(x))) along ``axis``, computed stably (log-sum-exp with the max)."""
    a = _tensor(x, "log_softmax").data
    ax = _axis(axis, a.ndim, "log_softmax")
    _nonempty(a, ax, "log_softmax")
    s = a - a.max(axis=ax, keepdims=True)
    return _result(s - np.log(np.exp(s).sum(axis=ax, keepdims=True)), "log_softmax",
                   _log_softmax_vjp, x, None, ax)


# --------------------------------------------------------------------------- losses
def _cross_entropy_labels_vjp(n: Tensor, g: np.ndarray) -> np.ndarray:
    # (softmax - onehot) / N, without building the one-hot matrix
    p, rows, labels, shape = n._saved
    scale = g / len(labels)
    gz = p * scale
    gz[rows, labels] -= scale
    return gz if gz.shape == shape else gz.reshape(shape)


def _cross_entropy_probs_vjp(n: Tensor, g: np.ndarray) -> Any:
    # d/dz of -sum(t log softmax(z)) / N = (softmax * sum(t) - t) / N;  d/dt = -log softmax / N
    p, logp, t, shape = n._saved
    scale = g / p.shape[0]
    gz = (p * t.sum(axis=1, keepdims=True) - t) * scale if n._a.requires_grad else None
    if gz is not None and gz.shape != shape:
        gz = gz.reshape(shape)
    if n._b is None:  # a constant target: one parent
        return gz
    gt = (-logp * scale).reshape(n._b.data.shape) if n._b.requires_grad else None
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
    if t.shape != shape:  # not one-hot: must be class labels, one per row
        if t.shape != shape[:-1]:
            raise ValueError(
                f"cross_entropy: target must be labels of shape {shape[:-1]} or one-hot rows of "
                f"shape {shape} for logits of shape {shape}, got shape {t.shape}"
            )
        labels = t.reshape(-1)
        kind = labels.dtype.kind
        if kind not in "iuf":
            raise TypeError(f"cross_entropy: class labels must be integers, got dtype {t.dtype}")
        if labels.dtype != np.intp:
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
        # one reduction checks both ends: seen as unsigned, a negative label is huge
        # (and negative labels must not silently index from the end)
        if labels.size and np.maximum.reduce(labels.view(np.uintp)) >= c:
            lo, hi = np.minimum.reduce(labels), np.maximum.reduce(labels)
            raise ValueError(
                f"cross_entropy: labels must lie in [0, {c}) for {c} classes, "
                f"got values from {lo} to {hi}"
            )
        if isinstance(target, Tensor) and target.requires_grad:
            raise ValueError("cross_entropy: class labels cannot require grad")
        rows = np.arange(n)
        picked = s[rows, labels] - log_se[:, 0]  # log softmax at the labels
        loss = -np.add.reduce(picked) / n
        return _result(np.asarray(loss, dtype=z.dtype), "cross_entropy", _cross_entropy_labels_vjp,
                       logits, None, (p, rows, labels, shape))
    if t.dtype.kind not in "fb":
        raise TypeError(f"cross_entropy: target must hold numbers, got dtype {t.dtype}")
    t2 = t.reshape(n, c).astype(z.dtype, copy=False)
    logp = s - log_se
    loss = -(t2 * logp).sum() / n
    target_node = target if isinstance(target, Tensor) else None
    return _result(np.asarray(loss, dtype=z.dtype), "cross_entropy", _cross_entropy_probs_vjp,
                   logits, target_node, (p, logp, t2, shape))


def _mse_vjp(n: Tensor, g: np.ndarray) -> tuple:
    # d/dpred mean((pred - target)**2) = 2 (pred - target) / N
    diff = n._saved
    gp = diff * (g * (2.0 / diff.size))
    return (gp if n._a.requires_grad else None, -gp if n._b.requires_grad else None)


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
    return _result(np.asarray(np.mean(diff * diff)), "mse_loss", _mse_vjp, pred, target, diff)


# --------------------------------------------------------------------------- joining
def _concatenate_vjp(n: Tensor, g: np.ndarray) -> Any:
    axis, ends = n._saved
    if n._b is None:  # a single tensor
        return g
    return tuple(np.split(g, ends[:-1], axis=axis))


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
    return _result_n(data, "concatenate", _concatenate_vjp, ts, (ax, ends))


def _stack_vjp(n: Tensor, g: np.ndarray) -> Any:
    axis, count = n._saved
    lead = (slice(None),) * axis
    if n._b is None:  # a single tensor
        return g[lead + (0,)]
    return tuple(g[lead + (i,)] for i in range(count))


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors of equal shape along a new axis."""
    ts = _tensors(tensors, "stack")
    ax = _axis(axis, ts[0].data.ndim + 1, "stack")
    shapes = {t.data.shape for t in ts}
    if len(shapes) != 1:
        raise ValueError(f"stack: all shapes must be equal, got {', '.join(str(s) for s in shapes)}")
    data = np.stack([t.data for t in ts], axis=ax)
    return _result_n(data, "stack", _stack_vjp, ts, (ax, len(ts)))


# --------------------------------------------------------------------------- selection
def _where_vjp(n: Tensor, g: np.ndarray) -> tuple:
    cond = n._saved
    zero = np.zeros((), g.dtype)
    return (np.where(cond, g, zero) if n._a.requires_grad else None,
            np.where(cond, zero, g) if n._b.requires_grad else None)


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
    return _result(data, "where", _where_vjp, xt, yt, cond)


def _extreme_vjp(n: Tensor, g: np.ndarray) -> tuple:
    # the larger (smaller) input gets the gradient; ties share it evenly, half each
    a, b = n._a.data, n._b.data
    wins = a > b if n.op == "maximum" else a < b
    share = wins + 0.5 * (a == b)
    return (g * share if n._a.requires_grad else None,
            g * (1.0 - share) if n._b.requires_grad else None)


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
    return _result(data, op, _extreme_vjp, at, bt)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise larger of ``a`` and ``b``; ties split the gradient evenly (as PyTorch)."""
    return _elementwise_extreme(a, b, "maximum")


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise smaller of ``a`` and ``b``; ties split the gradient evenly."""
    return _elementwise_extreme(a, b, "minimum")


from .conv import avg_pool2d, col2im, conv2d, im2col, max_pool2d  # noqa: E402  (convolution, pooling)
