"""The binary losses: ``binary_cross_entropy`` of probabilities and, numerically stable,
``binary_cross_entropy_with_logits`` (``functional`` exports them; the others are in
:mod:`autograd_lite.losses`, whose conventions they share).

>>> from autograd_lite import Tensor, fmt
>>> fmt(binary_cross_entropy_with_logits(Tensor([800.0]), [0.0]).item())   # no overflow
'800'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops as _ops
from .activation import _sigmoid, _softplus_array, softplus
from .losses import _pair, _reduce, _scale, _tensor
from .tensor import Tensor, _operand, _result
from .tensor._node import value_of

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits"]

_LOG_FLOOR = -100.0  # PyTorch clamps each log at -100, so p = 0 or 1 gives a finite loss
_EPS = 1e-12  # and divides the slope by at least this


def _probabilities(a: np.ndarray, what: str, op: str) -> None:
    bad = (a < 0) | (a > 1)  # NaN is never bad: it propagates
    if bad.any():
        raise ValueError(f"{op}: {what} must be probabilities in [0, 1], got "
                         f"{', '.join(repr(float(v)) for v in a[bad][:3])}"
                         f"{' ...' if bad.sum() > 3 else ''}")


def _clamped_log(a: Any) -> Any:
    """log(a), at least -100 (PyTorch's clamp): on an array, or as graph on a Tensor."""
    if isinstance(a, Tensor):
        return a.clip(float(np.exp(_LOG_FLOOR)), None).log()
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(a), _LOG_FLOOR)


def _bce_rule(g: Any, p: Any, t: Any, out: Any, reduction: str, wp: bool, wt: bool) -> tuple:
    # d/dp = (p - t) / (p(1 - p)) (the denominator at least 1e-12); d/dt = log(1 - p) - log(p)
    gs = _scale(g, reduction, value_of(p).size)
    one_minus = 1.0 - p
    if wp:
        denom = p * one_minus
        denom = denom.clip(_EPS, None) if isinstance(denom, Tensor) else np.maximum(denom, _EPS)
        gp = (p - t) / denom * gs
    return (gp if wp else None, (_clamped_log(one_minus) - _clamped_log(p)) * gs if wt else None)


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """``-(t·log p + (1 - t)·log(1 - p))`` of probabilities ``p = input`` against ``t = target``
    (one shape, both in [0, 1]), each log at least -100 (PyTorch's clamp), reduced; gradient
    ``(p - t) / (p(1 - p))``. For logits use :func:`binary_cross_entropy_with_logits`."""
    p, t, r = _pair(input, target, "binary_cross_entropy", reduction)
    _probabilities(p.data, "input", "binary_cross_entropy")
    _probabilities(t.data, "target", "binary_cross_entropy")
    with np.errstate(divide="ignore"):
        per = (t.data - 1.0) * np.maximum(np.log1p(-p.data), _LOG_FLOOR) - t.data * _clamped_log(p.data)
    return _result(_reduce(per, r), "binary_cross_entropy", _bce_rule, p, t, r)


def _bce_logits_rule(g: Any, x: Any, t: Any, out: Any, saved: tuple, wx: bool, wt: bool) -> tuple:
    # with w = 1 + (pw - 1)·t: d/dx = w·sigmoid(x) - pw·t;  d/dt = -x + (pw - 1)·softplus(-x)
    pw, reduction = saved
    pw = 1.0 if pw is None else pw
    gs = _scale(g, reduction, value_of(x).size)
    gx = (_sigmoid(x) * (1.0 + (pw - 1.0) * t) - pw * t) * gs if wx else None
    if not wt:
        return (gx, None)
    sp = softplus(-x, threshold=float("inf")) if isinstance(x, Tensor) else _softplus_array(-x, 1.0, np.inf)
    return (gx, (sp * (pw - 1.0) - x) * gs)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """``binary_cross_entropy(sigmoid(x), t)`` computed from the logits ``x = input`` without
    overflow: ``(1 - t)·x + w·softplus(-x)``, ``w = 1 + (pos_weight - 1)·t``; gradient
    ``sigmoid(x) - t`` (without ``pos_weight``). ``target`` in [0, 1], of the input's shape;
    ``pos_weight`` (a constant: a number or an array broadcastable to the input, usually one
    weight per class on the last axis) weighs the positive term."""
    op = "binary_cross_entropy_with_logits"
    x, t, r = _pair(input, target, op, reduction)
    _probabilities(t.data, "target", op)
    pw: Any = None
    if pos_weight is not None:
        if isinstance(pos_weight, Tensor) and pos_weight.requires_grad:
            raise ValueError(f"{op}: pos_weight is a constant here; it cannot require grad")
        pw = _operand(pos_weight, _tensor(input, op), op).data.astype(x.data.dtype, copy=False)
        try:
            fits = np.broadcast_shapes(pw.shape, x.data.shape) == x.data.shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"{op}: pos_weight of shape {pw.shape} does not broadcast to the input's "
                             f"shape {x.data.shape}")
    a, tv = x.data, t.data
    w = 1.0 if pw is None else 1.0 + (pw - 1.0) * tv
    per = (1.0 - tv) * a + w * _softplus_array(-a, 1.0, np.inf)
    return _result(_reduce(per, r), op, _bce_logits_rule, x, t, (pw, r))


_ops.register(_ops.Op(
    "binary_cross_entropy", 2, "binary_cross_entropy({a}, {b})", ("", ""), (),
    doc="-(t·log p + (1 - t)·log(1 - p)), each log at least -100; reduced by mean, sum or none",
    sends=("g·({a} - {b})/({a}(1 - {a}))/N", "g·(log(1 - {a}) - log {a})/N"), kinds=("Tensor",),
    vjp=_bce_rule, again=lambda n, ps: binary_cross_entropy(ps[0], ps[1], reduction=n._saved)))
_ops.register(_ops.Op(
    "binary_cross_entropy_with_logits", 2, "binary_cross_entropy_with_logits({a}, {b})", ("", ""), (),
    doc="(1 - t)·x + w·softplus(-x), w = 1 + (pos_weight - 1)·t; reduced by mean, sum or none",
    sends=("g·(w·sigmoid({a}) - pos_weight·{b})/N", "g·((pos_weight - 1)·softplus(-{a}) - {a})/N"),
    kinds=("Tensor",), vjp=_bce_logits_rule,
    again=lambda n, ps: binary_cross_entropy_with_logits(
        ps[0], ps[1], reduction=n._saved[1], pos_weight=n._saved[0])))
