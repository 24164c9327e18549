"""The activations as functions (PyTorch's ``F.relu`` habit), and the one rule for numpy's
``axis`` and PyTorch's ``dim``; ``functional`` exports them.

>>> from autograd_lite import Tensor, Value
>>> relu(Tensor([-1.0, 2.0])).data.tolist(), tanh(Value(0.0)).data
([0.0, 2.0], 0.0)
"""

from __future__ import annotations

import math
from typing import Any, Tuple, TypeVar

import numpy as np

from . import checks as _checks
from . import ops as _ops
from .tensor import Tensor, _result
from .tensor._node import value_of
from .value import Value

__all__ = ["relu", "sigmoid", "tanh", "axis_or_dim", "LAST", "gelu", "erf", "erfc", "silu", "softplus",
           "leaky_relu", "elu", "selu", "hardtanh", "softsign", "mish", "logsumexp",
           "SELU_ALPHA", "SELU_SCALE", "ERF_MAX_ELEMENTS"]


class _Default(int):
    """An axis default that knows it was not given (it is -1, the last axis, all the same)."""


LAST = _Default(-1)


def axis_or_dim(axis: Any, dim: Any, op: str) -> Any:
    """numpy's ``axis`` or PyTorch's ``dim`` (the same thing), never both: the one spelling rule
    of ``functional``, ``nn`` and ``optim`` (see docs/api.md, "For numpy and PyTorch users").
    ``axis`` defaults to ``LAST``; what comes back is validated by the caller as an axis."""
    if dim is None:
        return int(axis) if axis is LAST else axis
    if axis is not LAST:
        raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; they are the same argument "
                        "(numpy's and PyTorch's name): give one")
    return dim


# --------------------------------------------------------------------------- activations
Node = TypeVar("Node")


def _activation(x: Any, op: str) -> Any:
    if not isinstance(x, (Tensor, Value)):
        raise TypeError(f"{op}: expected a Tensor or a Value, got {type(x).__name__}")
    return getattr(x, op)()


def relu(x: Node) -> Node:
    """``max(x, 0)`` elementwise: ``x.relu()`` as a function (PyTorch's ``F.relu``), for a
    Tensor or a Value.

    >>> relu(Tensor([-1.0, 2.0])).data.tolist()
    [0.0, 2.0]
    """
    return _activation(x, "relu")  # type: ignore[no-any-return]


def sigmoid(x: Node) -> Node:
    """``1 / (1 + exp(-x))`` elementwise: ``x.sigmoid()`` as a function, for a Tensor or a Value."""
    return _activation(x, "sigmoid")  # type: ignore[no-any-return]


def tanh(x: Node) -> Node:
    """``tanh(x)`` elementwise: ``x.tanh()`` as a function, for a Tensor or a Value."""
    return _activation(x, "tanh")  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- PyTorch's activations
# Each is one fused Tensor node with its own row (registered at the end of this file). A rule runs
# on arrays (first order) and on Tensors (create_graph=True): it is written with operators, the
# op table's generic functions (exp, sigmoid, tanh work on both) and constant masks, so the
# derivative of a rule is again a graph. Kinks follow PyTorch's choices (stated per function).
_SQRT1_2 = math.sqrt(0.5)
_PDF = 1.0 / math.sqrt(2.0 * math.pi)  # the standard normal density at 0
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_KAPPA = 0.044715  # gelu's tanh approximation (PyTorch's constants)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
#: erf, erfc (and so the exact gelu) run math.erf / math.erfc once per element: larger inputs are
#: refused up front, naming the size (gelu(approximate='tanh') has no limit).
ERF_MAX_ELEMENTS = 2 ** 22


def _data(x: Any, op: str) -> np.ndarray:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x.data


def _number(value: Any, name: str, op: str, infinite: bool = False) -> float:
    x = _checks.real_number(value, f"{op}: {name}")
    if not (math.isfinite(x) or (infinite and x == x)):
        raise ValueError(f"{op}: {name} must be a {'' if infinite else 'finite '}number, got {x!r}")
    return x


def _flat(a: Any, mask: np.ndarray) -> Any:
    """``a`` where ``mask`` holds, else 0: an exp of it never overflows on the other side."""
    if isinstance(a, Tensor):
        from .tensor.select import where

        return where(mask, a, 0.0)
    return np.where(mask, a, 0.0)


def _per_element(f: Any, a: np.ndarray, op: str) -> np.ndarray:
    if a.size > ERF_MAX_ELEMENTS:
        raise ValueError(f"{op}: {a.size} elements is more than {op} computes exactly "
                         f"({ERF_MAX_ELEMENTS}, one math.{f.__name__} each); split the tensor"
                         f"{', or use approximate=' + repr('tanh') if op == 'gelu' else ''}")
    flat = np.fromiter(map(f, a.ravel().tolist()), np.float64, a.size)
    return flat.reshape(a.shape).astype(a.dtype, copy=False)


def _sigmoid(z: Any) -> Any:
    """sigmoid(z); on the graph path ``exp(-softplus(-z))``, whose derivatives keep their digits
    where ``s·(1 - s)`` would cancel (large |z|)."""
    if isinstance(z, Tensor):
        return (-softplus(-z, threshold=math.inf)).exp()
    return _ops.sigmoid(z)


def _erf_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return g * (_TWO_OVER_SQRT_PI * _ops.exp(-(a * a)))


def _erfc_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return g * (-_TWO_OVER_SQRT_PI * _ops.exp(-(a * a)))


def erf(x: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) ∫₀ˣ exp(-t²) dt`` elementwise, to the last digit (math.erf
    per element: at most ``ERF_MAX_ELEMENTS`` elements); derivative ``2/sqrt(pi)·exp(-x²)``.

    >>> from autograd_lite import fmt
    >>> fmt(erf(Tensor([0.5])).item())
    '0.520499877813'
    """
    return _result(_per_element(math.erf, _data(x, "erf"), "erf"), "erf", _erf_rule, x)


def erfc(x: Tensor) -> Tensor:
    """``1 - erf(x)`` elementwise, to the last digit also where it is tiny (x = 10: 2.1e-45), as
    math.erfc (at most ``ERF_MAX_ELEMENTS`` elements); derivative ``-2/sqrt(pi)·exp(-x²)``."""
    return _result(_per_element(math.erfc, _data(x, "erfc"), "erfc"), "erfc", _erfc_rule, x)


def _cdf(a: Any) -> Any:
    """Φ(a), the standard normal CDF, as ``erfc(-a/√2)/2``: no cancellation for negative a."""
    if isinstance(a, Tensor):
        return 0.5 * erfc(a * -_SQRT1_2)
    return 0.5 * _per_element(math.erfc, a * -_SQRT1_2, "gelu")


def _sech2(u: Any) -> Any:
    """1 - tanh(u)² as 4·sigmoid(2u)·sigmoid(-2u): no cancellation where tanh(u) is near ±1, and
    finite derivatives where cosh(u) would overflow."""
    return 4.0 * _sigmoid(2.0 * u) * _sigmoid(-2.0 * u)


def _gelu_rule(g: Any, a: Any, out: Any, approximate: str) -> Any:
    if approximate == "tanh":  # (1 + tanh u)/2 = sigmoid(2u): no cancellation for negative x
        u = _SQRT_2_OVER_PI * (a + _KAPPA * a * a * a)
        du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _KAPPA * a * a)
        s = _sigmoid(2.0 * u)
        return g * (s + 2.0 * a * s * _sigmoid(-2.0 * u) * du)
    return g * (_cdf(a) + a * (_PDF * _ops.exp(-0.5 * a * a)))


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """``x·Φ(x)`` (Φ the standard normal CDF) = ``x/2·(1 + erf(x/√2))``, PyTorch's default, to the
    last digit: Φ(x) is computed as ``erfc(-x/√2)/2``, so it keeps its digits for negative x where
    ``1 + erf`` (and PyTorch) lose them (at most ``ERF_MAX_ELEMENTS`` elements); ``approximate='tanh'`` is
    ``x/2·(1 + tanh(√(2/π)(x + 0.044715x³)))`` for any size, computed as ``x·sigmoid(2·…)``, which
    keeps its digits for negative x.

    >>> from autograd_lite import fmt
    >>> fmt(gelu(Tensor([1.0])).item()), fmt(gelu(Tensor([1.0]), approximate="tanh").item())
    ('0.841344746069', '0.841191990608')
    """
    a = _data(x, "gelu")
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    if approximate == "tanh":
        data = a * _ops.sigmoid(2.0 * _SQRT_2_OVER_PI * (a + _KAPPA * a * a * a))
    else:
        data = a * _cdf(a)
    return _result(data, "gelu", _gelu_rule, x, None, approximate)


def _silu_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return g * (_sigmoid(a) * (1.0 + a * _sigmoid(-a)))  # s·(1 + x(1 - s)), 1 - s without cancelling


def silu(x: Tensor) -> Tensor:
    """``x·sigmoid(x)`` (swish); derivative ``s·(1 + x(1 - s))``, s = sigmoid(x)."""
    a = _data(x, "silu")
    return _result(a * _ops.sigmoid(a), "silu", _silu_rule, x)


def _softplus_rule(g: Any, a: Any, out: Any, saved: Tuple[float, float]) -> Any:
    beta, threshold = saved
    b = value_of(a) * beta
    linear, tie = b > threshold, b == threshold  # PyTorch: x above the threshold, slope 1
    if not (linear.any() or tie.any()):
        return g * _sigmoid(a * beta)
    # at the threshold itself PyTorch's slope is sigmoid(threshold), flat (its second derivative 0)
    soft = ~(linear | tie)
    flat = np.where(tie, float(_ops.sigmoid(threshold)), linear.astype(b.dtype))
    return g * (_sigmoid(_flat(a, soft) * beta) * soft + flat)


def _softplus_array(a: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    b = a * beta
    soft = np.logaddexp(0.0, b) / beta  # log(1 + exp(bx)) / beta without overflow
    return np.where(b > threshold, a, soft)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta·x)) / beta``, and ``x`` where ``beta·x > threshold`` (PyTorch's rule);
    never overflows; derivative ``sigmoid(beta·x)`` (1 above the threshold). ``beta > 0``."""
    a = _data(x, "softplus")
    beta, threshold = _number(beta, "beta", "softplus"), _number(threshold, "threshold", "softplus", True)
    if beta <= 0.0:
        raise ValueError(f"softplus: beta must be > 0, got {beta!r}")
    data = _softplus_array(a, beta, threshold)
    return _result(data, "softplus", _softplus_rule, x, None, (beta, threshold))


def _leaky_rule(g: Any, a: Any, out: Any, slope: float) -> Any:
    return g * np.where(value_of(a) > 0, 1.0, slope)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` where x > 0, else ``negative_slope·x``; the slope at 0 is ``negative_slope`` (PyTorch)."""
    a = _data(x, "leaky_relu")
    slope = _number(negative_slope, "negative_slope", "leaky_relu")
    return _result(np.where(a > 0, a, a * slope), "leaky_relu", _leaky_rule, x, None, slope)


def _elu_rule(g: Any, a: Any, out: Any, saved: Tuple[float, float]) -> Any:
    # PyTorch's choices at 0: the slope is alpha·scale (the exp side), its derivative 0 (constant)
    alpha, scale = saved
    v = value_of(a)
    neg = v < 0
    flat = np.where(v == 0, scale * alpha, np.where(neg, 0.0, scale))  # NaN: the x > 0 side
    return g * ((scale * alpha) * _ops.exp(_flat(a, neg)) * neg + flat)


def _elu(x: Tensor, alpha: float, scale: float, op: str) -> Tensor:
    a = _data(x, op)
    data = np.where(a > 0, scale * a, (scale * alpha) * np.expm1(np.minimum(a, 0.0)))
    return _result(data, op, _elu_rule, x, None, (alpha, scale))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """``x`` where x > 0, else ``alpha·(exp(x) - 1)``; the slope at 0 is ``alpha``, and its own
    derivative there 0 (PyTorch's choices)."""
    return _elu(x, _number(alpha, "alpha", "elu"), 1.0, "elu")


def selu(x: Tensor) -> Tensor:
    """``scale·elu(x, alpha)`` with PyTorch's (self-normalising) constants
    ``SELU_ALPHA ≈ 1.6733``, ``SELU_SCALE ≈ 1.0507``."""
    return _elu(x, SELU_ALPHA, SELU_SCALE, "selu")


def _hardtanh_rule(g: Any, a: Any, out: Any, saved: Tuple[float, float]) -> Any:
    lo, hi = saved
    v = value_of(a)
    return g * ~((v <= lo) | (v >= hi))  # PyTorch: 0 at the kinks, 1 strictly inside (and at NaN)


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``x`` clipped to [min_val, max_val]; the slope is 1 strictly inside, 0 elsewhere (kinks
    included, as PyTorch)."""
    a = _data(x, "hardtanh")
    lo, hi = _number(min_val, "min_val", "hardtanh"), _number(max_val, "max_val", "hardtanh")
    if lo > hi:
        raise ValueError(f"hardtanh: min_val must be <= max_val, got min_val={lo!r}, max_val={hi!r}")
    return _result(np.clip(a, lo, hi), "hardtanh", _hardtanh_rule, x, None, (lo, hi))


def _softsign_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    d = 1.0 + (a.abs() if isinstance(a, Tensor) else np.abs(a))
    return g / (d * d)


def softsign(x: Tensor) -> Tensor:
    """``x / (1 + |x|)``; derivative ``1 / (1 + |x|)²``."""
    a = _data(x, "softsign")
    return _result(a / (1.0 + np.abs(a)), "softsign", _softsign_rule, x)


def _mish_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    sp = softplus(a, threshold=math.inf) if isinstance(a, Tensor) else np.logaddexp(0.0, a)
    return g * (_ops.tanh(sp) + a * _sigmoid(a) * _sech2(sp))  # 1 - tanh² as sech²: no cancelling


def mish(x: Tensor) -> Tensor:
    """``x·tanh(softplus(x))``; never overflows; derivative ``t + x·sigmoid(x)·(1 - t²)``,
    t = tanh(softplus(x))."""
    a = _data(x, "mish")
    return _result(a * np.tanh(np.logaddexp(0.0, a)), "mish", _mish_rule, x)


# name, rule, what it sends, doc, again (the op re-applied to new parents with the node's options)
_ROWS: Any = (
    ("erf", _erf_rule, "g·2/sqrt(π)·exp(-{a}²)", "the error function", lambda n, ps: erf(ps[0])),
    ("erfc", _erfc_rule, "-g·2/sqrt(π)·exp(-{a}²)", "1 - erf(x), without cancellation",
     lambda n, ps: erfc(ps[0])),
    ("gelu", _gelu_rule, "g·(Φ({a}) + {a}·φ({a}))", "x·Φ(x), Φ the normal CDF (or its tanh approximation)",
     lambda n, ps: gelu(ps[0], n._saved)),
    ("silu", _silu_rule, "g·s·(1 + {a}(1 - s)), s = sigmoid({a})", "x·sigmoid(x)",
     lambda n, ps: silu(ps[0])),
    ("softplus", _softplus_rule, "g·sigmoid(β{a}) (g above the threshold)",
     "log(1 + exp(βx))/β, x above the threshold", lambda n, ps: softplus(ps[0], *n._saved)),
    ("leaky_relu", _leaky_rule, "g if {a} > 0 else g·slope", "x if x > 0 else slope·x",
     lambda n, ps: leaky_relu(ps[0], n._saved)),
    ("elu", _elu_rule, "g if {a} > 0 else g·α·exp({a})", "x if x > 0 else α(exp(x) - 1)",
     lambda n, ps: elu(ps[0], n._saved[0])),
    ("selu", _elu_rule, "g·scale if {a} > 0 else g·scale·α·exp({a})", "scale·elu(x, α), fixed constants",
     lambda n, ps: selu(ps[0])),
    ("hardtanh", _hardtanh_rule, "g where min < {a} < max, else 0", "x clipped to [min, max]",
     lambda n, ps: hardtanh(ps[0], *n._saved)),
    ("softsign", _softsign_rule, "g/(1 + |{a}|)²", "x / (1 + |x|)", lambda n, ps: softsign(ps[0])),
    ("mish", _mish_rule, "g·(t + {a}·sigmoid({a})·(1 - t²)), t = tanh(softplus({a}))",
     "x·tanh(softplus(x))", lambda n, ps: mish(ps[0])),
)
for _name, _rule, _sends, _doc, _again in _ROWS:
    _ops.register(_ops.Op(_name, 1, f"{_name}({{a}})", ("",), (), doc=_doc, sends=(_sends,),
                          kinds=("Tensor",), vjp=_rule, again=_again))

# Tensor.logsumexp runs it, so it is written with the Tensor ops; imported after the rows above
# so the op table keeps its order (logsumexp after the activations).
from .tensor.logsumexp import logsumexp  # noqa: E402
