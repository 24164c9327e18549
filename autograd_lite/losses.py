"""The losses, PyTorch's set: each one fused graph node with its own row and rule, each with
``reduction='mean' | 'sum' | 'none'`` (``functional`` exports them).

A rule runs on arrays (first order) and on Tensors (``create_graph=True``), so every loss has
second derivatives. ``cross_entropy`` never forms ``log(softmax)``: its gradient is the textbook
``(softmax - onehot) / N``.

>>> import numpy as np
>>> from autograd_lite import Tensor, fmt
>>> x = Tensor([1.0, 4.0], requires_grad=True)
>>> loss = huber_loss(x, [0.0, 0.0], reduction="sum")   # 0.5·1² + (4 - 0.5)
>>> loss.backward()
>>> fmt(loss.item()), [fmt(g) for g in x.grad]          # the difference clipped to [-1, 1]
('4', ['1', '1'])
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from . import checks as _checks
from . import ops as _ops
from .tensor import Tensor, _leaf, _operand, _result
from .tensor._node import value_of

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "huber_loss", "smooth_l1_loss", "REDUCTIONS"]

#: What every loss's ``reduction`` may be (PyTorch's three).
REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- shared checks
def _tensor(x: Any, op: str) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x


def _first(op: str) -> str:
    """What a loss calls its first argument in messages (its parameter's name)."""
    return {"cross_entropy": "logits", "mse_loss": "pred"}.get(op, "input")


def _reduction(reduction: Any, op: str) -> str:
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _reduce(per: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return per
    return np.asarray(np.add.reduce(per, axis=None) / (per.size if reduction == "mean" else 1))


def _scale(g: Any, reduction: str, n: int) -> Any:
    """The upstream gradient each element's loss gets: g/N for a mean, else g (a sum: one
    number; 'none': one per element)."""
    return g / n if reduction == "mean" else g


def _pair(pred: Any, target: Any, op: str, reduction: Any) -> Tuple[Tensor, Tensor, str]:
    """Prediction and target of one shape (no broadcasting, which would silently compare every
    prediction with every target), and the checked reduction."""
    pred = _tensor(pred, op)
    target = _operand(target, pred, op)
    r = _reduction(reduction, op)
    if pred.data.shape != target.data.shape:
        raise ValueError(f"{op}: {_first(op)} and target must have the same shape, got {pred.data.shape} "
                         f"and {target.data.shape}")
    if r == "mean" and pred.data.size == 0:
        raise ValueError(f"{op}: empty tensors have no mean (reduction='mean')")
    return pred, target, r


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


def _class_labels(target: Any, t: np.ndarray, shape: Tuple[int, ...], c: int, op: str) -> np.ndarray:
    """``t`` as intp class labels in [0, c) for scores of ``shape``, or a clear error."""
    if t.shape != shape[:-1]:
        raise ValueError(
            f"{op}: target must be labels of shape {shape[:-1]}"
            f"{f' or one-hot rows of shape {shape}' if op == 'cross_entropy' else ''} for {_first(op)} of "
            f"shape {shape}, got shape {t.shape}")
    labels = t if t.ndim == 1 else t.reshape(-1)
    kind = labels.dtype.kind
    if kind not in "iuf":
        raise TypeError(f"{op}: class labels must be integers, got dtype {t.dtype}")
    if labels.dtype is not _intp:
        if kind == "f" and not np.array_equal(labels, np.floor(labels)):
            # labels stored as floats (e.g. a Tensor) must be whole numbers
            raise ValueError(f"{op}: class labels must be integers, got non-integer values")
        if kind != "i" and labels.size and not (labels.min() >= 0 and labels.max() < c):
            # check before converting: 2**63 or 1e30 would wrap to a negative intp
            raise ValueError(f"{op}: labels must lie in [0, {c}) for {c} classes, got values from "
                             f"{_label_text(labels.min())} to {_label_text(labels.max())}")
        labels = labels.astype(np.intp)
    # one reduction checks both ends: seen as unsigned, a negative label is huge (and negative
    # labels must not silently index from the end)
    if labels.size and np.maximum.reduce(labels.view(np.uintp)) >= c:
        raise ValueError(f"{op}: labels must lie in [0, {c}) for {c} classes, got values from "
                         f"{np.minimum.reduce(labels)} to {np.maximum.reduce(labels)}")
    if isinstance(target, Tensor) and target.requires_grad:
        raise ValueError(f"{op}: class labels cannot require grad")
    return labels


def _scores(x: Any, op: str) -> Tuple[np.ndarray, Tuple[int, ...]]:
    """(N, C) scores (logits or log-probabilities) of shape (N, C) or (C,), as (N, C)."""
    z = _tensor(x, op).data
    shape = z.shape
    if z.ndim == 1:
        z = z[None, :]
    elif z.ndim != 2:
        raise ValueError(f"{op}: {_first(op)} must have shape (N, C) or (C,), got {shape}")
    if z.size == 0:
        raise ValueError(f"{op}: {_first(op)} of shape {shape} have no elements")
    return z, shape


def _target_array(target: Any) -> np.ndarray:
    if type(target) is np.ndarray:
        return target
    return target.data if isinstance(target, Tensor) else np.asarray(target)


def _row_scale(g: Any, reduction: str, n: int) -> Any:
    """The upstream gradient of each row's loss, shaped to multiply (N, C) rows."""
    return g.reshape(-1, 1) if reduction == "none" else _scale(g, reduction, n)


# --------------------------------------------------------------------------- nll_loss
def _nll_rule(g: Any, z: Any, out: Any, saved: tuple) -> Any:
    # d/dz of -z[i, y_i]: -onehot, times each row's upstream gradient
    rows, labels, shape, reduction = saved
    gs = _row_scale(g, reduction, len(labels))
    onehot = np.zeros((len(labels), shape[-1]), value_of(z).dtype)
    onehot[rows, labels] = -1.0
    return (onehot * gs).reshape(shape)


def nll_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood ``-input[i, target_i]`` of log-probabilities ``input`` (N, C) (or
    (C,)) against integer class labels (N,) (or a scalar), reduced; gradient ``-onehot`` (/N).
    ``nll_loss(log_softmax(z), y)`` equals ``cross_entropy(z, y)``."""
    z, shape = _scores(input, "nll_loss")
    r = _reduction(reduction, "nll_loss")
    labels = _class_labels(target, _target_array(target), shape, z.shape[1], "nll_loss")
    rows = _row_indices(z.shape[0])
    per = -z[rows, labels]
    data = _reduce(per, r) if r != "none" else per.reshape(shape[:-1])
    return _result(data, "nll_loss", _nll_rule, input, None, (rows, labels, shape, r))


# --------------------------------------------------------------------------- cross_entropy
# The fused losses keep softmax(z) from the forward pass for the first-order rule; on the
# graph path (create_graph=True) the rule needs softmax as a function of the logits, so it
# is rebuilt from them there (the same formula either way).
def _rows(z: Any) -> Any:
    return z if z.ndim == 2 else z.reshape(1, -1)


def _cross_entropy_labels_rule(g: Any, z: Any, out: Any, saved: tuple) -> Any:
    # (softmax - q) per row, q = (1 - ls)·onehot + ls/C (onehot without label smoothing)
    p, rows, labels, shape, reduction, ls = saved
    gs = _row_scale(g, reduction, len(labels))
    if isinstance(z, Tensor):
        from .softmax import softmax

        q = np.full(p.shape, ls / p.shape[1], p.dtype)
        q[rows, labels] += 1.0 - ls
        return ((softmax(_rows(z), axis=1) - q) * gs).reshape(shape)
    gz = p * gs
    # the one-hot subtraction without building the one-hot matrix
    gz[rows, labels] -= gs[:, 0] * (1.0 - ls) if reduction == "none" else gs * (1.0 - ls)
    if ls:
        gz -= gs * (ls / p.shape[1])
    return gz if gz.shape == shape else gz.reshape(shape)


def _cross_entropy_probs_rule(g: Any, z: Any, t: Any, out: Any, saved: tuple, wz: bool, wt: bool) -> tuple:
    # d/dz of -sum(q log softmax(z)) = softmax·sum(q) - q;  d/dt = -(1 - ls) log softmax,
    # q = (1 - ls)·t + ls/C
    p, logp, t_rows, shape, reduction, ls = saved
    if isinstance(z, Tensor):
        from .softmax import log_softmax, softmax

        p, logp = softmax(_rows(z), axis=1), log_softmax(_rows(z), axis=1)
        if isinstance(t, Tensor):
            t_rows = t.reshape(p.shape)
    q = t_rows * (1.0 - ls) + ls / p.shape[1] if ls else t_rows
    gs = _row_scale(g, reduction, p.shape[0])
    gz = ((p * q.sum(axis=1, keepdims=True) - q) * gs).reshape(shape) if wz else None
    gt = (logp * (gs * -(1.0 - ls))).reshape(t.shape) if wt else None
    return (gz, gt)


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of ``logits`` (N, C) (or (C,)) against ``target``, reduced over the
    rows (``'mean'``, ``'sum'``, or ``'none'``: one loss per row).

    ``target`` is either integer class labels of shape (N,) (a scalar for 1-D logits), or one-hot /
    probability rows of the logits' shape (array or Tensor). ``label_smoothing`` ε in [0, 1] mixes
    the target with the uniform distribution: ``(1 - ε)·target + ε/C`` (PyTorch's rule). One fused
    node: the gradient is ``(softmax(logits) - target) / N``.

    >>> import numpy as np
    >>> from autograd_lite import Tensor
    >>> z = Tensor(np.zeros((2, 4)))
    >>> round(cross_entropy(z, [1, 3]).item(), 6) == round(float(np.log(4)), 6)
    True
    """
    z, shape = _scores(logits, "cross_entropy")
    r = reduction if reduction == "mean" else _reduction(reduction, "cross_entropy")
    ls = label_smoothing
    if ls != 0.0:
        ls = _checks.real_number(label_smoothing, "cross_entropy: label_smoothing")
        if not 0.0 <= ls <= 1.0:
            raise ValueError(f"cross_entropy: label_smoothing must lie in [0, 1], got {label_smoothing!r}")
    n, c = z.shape
    # ufunc reductions directly: the ndarray methods add a Python-level wrapper per call
    s = z - np.maximum.reduce(z, axis=1, keepdims=True)
    e = np.exp(s)
    se = np.add.reduce(e, axis=1, keepdims=True)
    p = np.divide(e, se, out=e)  # e is not needed any more: reuse its memory
    log_se = np.log(se)

    t = _target_array(target)
    if t.shape != shape:  # not one-hot: class labels, one per row
        labels = _class_labels(target, t, shape, c, "cross_entropy")
        rows = _row_indices(n)
        picked = s[rows, labels] - log_se[:, 0]  # log softmax at the labels
        if ls:  # PyTorch: (1 - ls)·nll + ls/C·(-sum of log softmax)
            picked = picked * (1.0 - ls) + np.add.reduce(s - log_se, axis=1) * (ls / c)
        if r == "mean":
            loss = np.asarray(-np.add.reduce(picked) / n)  # (scalar arithmetic: no ufunc call)
        else:
            loss = -np.add.reduce(picked) if r == "sum" else (-picked).reshape(shape[:-1])
        return _result(loss, "cross_entropy", _cross_entropy_labels_rule, logits, None,
                       (p, rows, labels, shape, r, ls))
    if t.dtype.kind not in "fb":
        raise TypeError(f"cross_entropy: target must hold numbers, got dtype {t.dtype}")
    t2 = t.reshape(n, c).astype(z.dtype, copy=False)
    logp = s - log_se
    q = t2 * (1.0 - ls) + ls / c if ls else t2
    per = -(q * logp).sum(axis=1)
    loss = _reduce(per, r) if r != "none" else per.reshape(shape[:-1])
    target_node = target if isinstance(target, Tensor) else _leaf(t2.reshape(t.shape))
    return _result(np.asarray(loss, dtype=z.dtype), "cross_entropy", _cross_entropy_probs_rule,
                   logits, target_node, (p, logp, t2, shape, r, ls))


# --------------------------------------------------------------------------- regression
def _mse_rule(g: Any, pred: Any, target: Any, out: Any, saved: tuple, wp: bool, wt: bool) -> tuple:
    # d/dpred (pred - target)**2 = 2 (pred - target)
    diff, reduction = saved
    if isinstance(pred, Tensor):  # the graph path: the difference as graph (see the losses' note)
        diff = pred - target
    gp = diff * (_scale(g, reduction, diff.size) * 2.0)
    return (gp if wp else None, -gp if wt else None)


def mse_loss(pred: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error ``(pred - target)**2``, reduced (default the mean); shapes must be equal."""
    pred, target, r = _pair(pred, target, "mse_loss", reduction)
    diff = pred.data - target.data
    return _result(_reduce(diff * diff, r), "mse_loss", _mse_rule, pred, target, (diff, r))


def _piecewise_rule(g: Any, x: Any, t: Any, out: Any, saved: tuple, wx: bool, wt: bool) -> tuple:
    # slope in the difference d: d·c inside (|d| < the kink), k·sign(d) outside
    diff, inside_scale, outside, reduction, width = saved
    d = x - t if isinstance(x, Tensor) or isinstance(t, Tensor) else diff
    gx = (d * inside_scale + outside) * _scale(g, reduction, diff.size)
    return (gx if wx else None, -gx if wt else None)


def _piecewise(x: Any, t: Any, width: float, op: str, name: str, reduction: Any) -> Tensor:
    xt, tt, r = _pair(x, t, op, reduction)
    k = _checks.real_number(width, f"{op}: {name}")
    if not (k > 0 if op == "huber_loss" else k >= 0) or k == float("inf"):
        raise ValueError(f"{op}: {name} must be a finite number {'>' if op == 'huber_loss' else '>='} 0, "
                         f"got {width!r}")
    d = xt.data - tt.data
    z = np.abs(d)
    inside = z < k
    if op == "huber_loss":  # PyTorch: 0.5 z² inside, delta·(z - delta/2) outside
        per = np.where(inside, 0.5 * z * z, k * (z - 0.5 * k))
        inside_scale, outside = inside.astype(d.dtype), np.where(inside, 0.0, k * np.sign(d))
    else:  # smooth_l1: 0.5 z²/beta inside, z - beta/2 outside (beta = 0: |d|)
        per = np.where(inside, 0.5 * z * z / k if k else 0.0, z - 0.5 * k)
        inside_scale = inside / k if k else np.zeros_like(d)
        outside = np.where(inside, 0.0, np.sign(d))
    return _result(_reduce(per, r), op, _piecewise_rule, xt, tt, (d, inside_scale, outside, r, k))


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5·d²`` where ``|d| < delta``, else ``delta·(|d| - delta/2)`` (d = input - target),
    reduced; the slope is ``d`` clipped to [-delta, delta]. ``delta > 0``."""
    return _piecewise(input, target, delta, "huber_loss", "delta", reduction)


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5·d²/beta`` where ``|d| < beta``, else ``|d| - beta/2`` (d = input - target), reduced;
    ``beta = 0`` is the L1 loss ``|d|`` (slope ``sign(d)``, 0 at 0, as PyTorch). ``beta >= 0``."""
    return _piecewise(input, target, beta, "smooth_l1_loss", "beta", reduction)


# The table rows: name, rule (cross_entropy has two: labels or probability rows), arity, what each
# parent is sent (g: upstream; /N for a mean), a one-line doc, and how to apply the op again to
# new parents with the options the node recorded (for draw(check=True)).
_ROWS: Any = (
    ("cross_entropy", None, 2, ("g·(softmax({a}) - onehot)/N", "-g·log softmax({a})/N"),
     "softmax cross-entropy against labels or probability rows (label smoothing)",
     lambda n, ps: cross_entropy(ps[0], ps[1] if len(ps) == 2 else n._saved[2].reshape(n._saved[3][:-1]),
                                 n._saved[4], n._saved[5])),
    ("nll_loss", _nll_rule, 1, ("-g·onehot/N",), "-input[i, label_i]: log-probabilities at the labels",
     lambda n, ps: nll_loss(ps[0], n._saved[1].reshape(n._saved[2][:-1]), n._saved[3])),
    ("mse_loss", _mse_rule, 2, ("g·2({a} - {b})/N", "-g·2({a} - {b})/N"), "(pred - target)**2",
     lambda n, ps: mse_loss(ps[0], ps[1], reduction=n._saved[1])),
    ("huber_loss", _piecewise_rule, 2, ("g·clip({a} - {b}, -δ, δ)/N", "-g·clip({a} - {b}, -δ, δ)/N"),
     "0.5·d² if |d| < δ else δ·(|d| - δ/2), d = input - target",
     lambda n, ps: huber_loss(ps[0], ps[1], reduction=n._saved[3], delta=n._saved[4])),
    ("smooth_l1_loss", _piecewise_rule, 2,
     ("g·clip(({a} - {b})/β, -1, 1)/N", "-g·clip(({a} - {b})/β, -1, 1)/N"),
     "0.5·d²/β if |d| < β else |d| - β/2, d = input - target",
     lambda n, ps: smooth_l1_loss(ps[0], ps[1], reduction=n._saved[3], beta=n._saved[4])),
)
for _name, _rule, _arity, _words, _doc, _again in _ROWS:
    _ops.register(_ops.Op(_name, _arity, f"{_name}({{a}}{', {b}' if _arity == 2 else ''})",
                          ("",) * _arity, (), doc=_doc + "; reduced by mean, sum or none", sends=_words,
                          kinds=("Tensor",), vjp=_rule, again=_again))
