"""Elementwise functions: exp, log, sqrt, abs, tanh, sigmoid, relu, sin, cos, clip.

Their derivatives are the op table's scalar rules (:mod:`autograd_lite.ops`), run on arrays:
the Tensor rule of a row is ``g * local(a, out)`` (:func:`from_table`).  A few hot rows bind
the same formula by hand for speed (``tests/test_tensor_table.py`` checks they agree).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

from .. import ops as _ops
from ..format import fmt
from . import _domain as D
from ._node import _ndarray, _result, _zero, value_of

if TYPE_CHECKING:
    from .core import Tensor


def from_table(name: str) -> Callable[..., Any]:
    """The Tensor rule of a shared row: upstream times the row's local derivative."""
    local = _ops.OPS[name].rules[0]

    def rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
        return g * local(a, out)

    rule.__name__ = f"{name}_rule"
    return rule


# Bound by hand: the same formulas as the table's, with fewer temporaries.
def _tanh_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return g * (1.0 - out * out)


def _sigmoid_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return g * (out * (1.0 - out))


def _relu_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    # the slope is 1 where relu(x) > 0, else 0 (also at NaN, as for Value and PyTorch);
    # a boolean mask moves less memory than a float one
    # (0.0 is a weak scalar: compared in the array's own dtype)
    return g * (value_of(out) > 0.0)


def _sqrt_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    # 1 / (2 sqrt x): +inf at 0 (and at -0, whose sqrt is -0), as for Value
    with np.errstate(divide="ignore", invalid="ignore"):
        return g / abs(out + out)


def _clip_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    lo, hi = saved
    av = value_of(a)
    mask = np.ones(av.shape, bool)
    if lo is not None:
        mask &= av >= lo
    if hi is not None:
        mask &= av <= hi
    return g * mask


_RULES = {
    "exp": from_table("exp"),
    "log": from_table("log"),
    "abs": from_table("abs"),
    "sin": from_table("sin"),
    "cos": from_table("cos"),
    "tanh": _tanh_rule,
    "sigmoid": _sigmoid_rule,
    "relu": _relu_rule,
    "sqrt": _sqrt_rule,
}
for _name, _rule in _RULES.items():
    _ops.bind(_name, _rule)
_ops.register(
    _ops.Op(
        "clip",
        1,
        "clip({a})",
        ("1 if lo ≤ {a} ≤ hi else 0",),
        (),
        doc="values limited to [lo, hi]",
        sends=("g where lo ≤ {a} ≤ hi, else 0",),
        kinds=("Tensor",),
        vjp=_clip_rule,
        again=lambda n, ps: ps[0].clip(*n._saved),
    )
)


class ElementwiseOps:
    """Elementwise functions of a Tensor."""

    __slots__ = ()
    data: np.ndarray

    def __abs__(self) -> "Tensor":
        return self.abs()

    def abs(self) -> "Tensor":
        """|x|; derivative sign(x) (0 at 0)."""
        return _result(np.abs(self.data), "abs", _RULES["abs"], self)

    def exp(self) -> "Tensor":
        """e**x; derivative e**x.  Overflow to inf is an OverflowError."""
        a = self.data
        limit = D.exp_limits.get(a.dtype) or D.exp_limit(a.dtype)
        if max(a.tolist()) < limit if 0 < a.size <= 16 and a.ndim == 1 else D.surely_below(a, limit):
            data = np.exp(a)
        else:
            with np.errstate(over="ignore"):
                data = np.asarray(np.exp(a))
            D.check_overflow("exp", data, a)
        return _result(data, "exp", _RULES["exp"], self)

    def log(self) -> "Tensor":
        """Natural log; derivative 1/x; every x must be > 0 (else DomainError)."""
        a = self.data
        if not D.surely_positive(a):
            D.check_domain("log", a, a <= 0, "x > 0")  # NaN is not bad: it propagates
        return _result(np.log(a), "log", _RULES["log"], self)

    def sqrt(self) -> "Tensor":
        """Square root; derivative 1/(2 sqrt x) (inf at 0); every x must be >= 0."""
        a = self.data
        if not D.surely_nonnegative(a):
            D.check_domain("sqrt", a, a < 0, "x >= 0")
        return _result(np.sqrt(a), "sqrt", _RULES["sqrt"], self)

    def tanh(self) -> "Tensor":
        """tanh x; derivative 1 - tanh(x)**2."""
        return _result(np.tanh(self.data), "tanh", _RULES["tanh"], self)

    def sigmoid(self) -> "Tensor":
        """1 / (1 + e**-x), computed as exp(-log(1 + e**-x)): no overflow for any x."""
        a = self.data
        s = np.logaddexp(_zero(a.dtype), -a)
        if type(s) is _ndarray:  # reuse the buffer: two fewer allocations
            np.negative(s, out=s)
            np.exp(s, out=s)
        else:
            s = np.exp(-s)
        return _result(s, "sigmoid", _RULES["sigmoid"], self)

    def relu(self) -> "Tensor":
        """max(0, x); derivative 1 where x > 0, else 0."""
        a = self.data
        return _result(np.maximum(a, _zero(a.dtype)), "relu", _RULES["relu"], self)

    def sin(self) -> "Tensor":
        """sin x; derivative cos x (NaN at ±inf, as numpy)."""
        with np.errstate(invalid="ignore"):
            return _result(np.sin(self.data), "sin", _RULES["sin"], self)

    def cos(self) -> "Tensor":
        """cos x; derivative -sin x."""
        with np.errstate(invalid="ignore"):
            return _result(np.cos(self.data), "cos", _RULES["cos"], self)

    def clip(self, lo: Optional[float] = None, hi: Optional[float] = None) -> "Tensor":
        """Values limited to [lo, hi]; the gradient passes where lo <= x <= hi."""
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both")
        for bound in (lo, hi):
            if bound is not None and (
                isinstance(bound, bool) or not isinstance(bound, (int, float, np.number))
            ):
                raise TypeError(f"clip: bounds must be numbers or None, got {type(bound).__name__}")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip: lo must be <= hi, got lo={fmt(lo)}, hi={fmt(hi)}")
        return _result(np.clip(self.data, lo, hi), "clip", _clip_rule, self, None, (lo, hi))


_RULES["clip"] = _clip_rule
