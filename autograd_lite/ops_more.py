"""More rows that ``Value`` and ``Tensor`` share: numpy's reciprocal, fabs, arccosh, sinc, and the
two-parent arctan2, hypot, logaddexp, logaddexp2, fmax, fmin.

Each is one row of the op table (:mod:`autograd_lite.ops`), written like the rows there: its
local derivatives as rules in the generic functions, which run on floats, arrays, ``Value`` s and
``Tensor`` s (so a gradient is itself a graph).  The one-parent rows carry their float forward
and get their methods from the table as every other; the two-parent rows' forwards on floats
are :data:`BINARY`, and :mod:`autograd_lite.value_more` and :mod:`autograd_lite.tensor.binary_math`
make the methods from them.

>>> from autograd_lite.ops import OPS
>>> OPS["arctan2"].rules[0](1.0, 1.0, 0.7853981633974483)   # d atan2(a, b)/da = b/(a² + b²)
0.5
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, Tuple

from . import generic as _generic
from .generic import _data, _numpy, cos, ieee_quotient, recip, sigmoid
from .ops import _VT, Op, _unary, register

__all__ = ["BINARY", "OVERFLOWS"]

_LN2 = math.log(2.0)
_PI = math.pi


# --------------------------------------------------------------------------- masks (constants)
def _is_array(x: Any) -> bool:
    return type(x) is _generic._ndarray  # (numpy is loaded on first use: read the name then)


def _flag(test: Callable[..., Any], *xs: Any) -> Any:
    """``test`` of the numbers under ``xs`` as a constant: a float 0/1, or a float array."""
    ds = [_data(x) for x in xs]
    if any(_is_array(d) for d in ds):
        np = _numpy()
        return test(*[np.asarray(d) for d in ds]).astype(float)
    return 1.0 if test(*ds) else 0.0


def _is_zero(d: Any) -> Any:
    return d == 0.0


def _is_nan(d: Any) -> Any:
    return d != d


# --------------------------------------------------------------------------- sinc
def _sinc(x: float) -> float:
    """numpy's sinc: sin(πx)/(πx), 1 at 0 (NaN at ±inf, as numpy)."""
    if x == 0.0:
        return 1.0
    y = _PI * x
    return math.sin(y) / y if y - y == 0.0 else math.nan


# sinc'(x) = Σ_k (-1)^k π^(2k) 2k x^(2k-1) / (2k+1)!: its first terms, exact to the 8th derivative at 0
_SERIES = tuple((-1.0) ** k * _PI ** (2 * k) * 2 * k / math.factorial(2 * k + 1) for k in (1, 2, 3, 4))


def _sinc_slope(a: Any, out: Any) -> Any:
    """(cos(πx) - sinc(x))/x, and at x = 0 its limit 0 (the series there, so derivatives of any
    order stay right): written on a safe divisor so no 0/0 reaches the graph."""
    zero = _flag(_is_zero, a)
    safe = a + zero  # 1 where x = 0 (that branch is multiplied by 0 below)
    slope = (cos(_PI * a) - out) * recip(safe)
    x = a * zero
    x2 = x * x
    series = x * (_SERIES[0] + x2 * (_SERIES[1] + x2 * (_SERIES[2] + x2 * _SERIES[3])))
    return slope * (1.0 - zero) + series * zero


def _reciprocal(x: float) -> float:
    if x == 0.0:
        raise ValueError("reciprocal of 0")
    return 1.0 / x


# --------------------------------------------------------------------------- two parents
def _logaddexp(a: float, b: float) -> float:
    """log(e**a + e**b) without overflow (numpy's logaddexp; inf where both are inf)."""
    if a == b:
        return a + _LN2
    m = a if a > b else b
    return m + math.log1p(math.exp(-abs(a - b))) if m == m else m


def _logaddexp2(a: float, b: float) -> float:
    if a == b:
        return a + 1.0
    m = a if a > b else b
    return m + math.log1p(2.0 ** -abs(a - b)) / _LN2 if m == m else m


def _fmax(a: float, b: float) -> float:
    """numpy's fmax: the larger, ignoring a NaN (NaN only when both are)."""
    return a if (a >= b or b != b) else b


def _fmin(a: float, b: float) -> float:
    return a if (a <= b or b != b) else b


def _first_max(a: Any, b: Any) -> Any:
    # PyTorch's fmax: the whole gradient to a where a >= b (ties included) or b is NaN
    return (a >= b) | (b != b) if _is_array(a) or _is_array(b) else (a >= b or b != b)


def _first_min(a: Any, b: Any) -> Any:
    return (a <= b) | (b != b) if _is_array(a) or _is_array(b) else (a <= b or b != b)


def _mask_a(test: Callable[..., Any]) -> Callable[..., Any]:
    return lambda a, b, out: _flag(test, a, b)


def _mask_b(test: Callable[..., Any]) -> Callable[..., Any]:
    return lambda a, b, out: 1.0 - _flag(test, a, b)


def _binary(name: str, expr: str, local: Tuple[str, str], rules: Tuple[Callable[..., Any], ...],
            doc: str, sends: Tuple[str, str]) -> Op:
    return Op(name, 2, expr, local, rules, doc=doc, sends=sends, kinds=_VT,
              again=lambda n, ps: getattr(ps[0], name)(ps[1]))


def _div(x: Any, y: Any) -> Any:
    """x/y; on floats IEEE's (a slope may be infinite or NaN at y = 0: PyTorch's numbers there)."""
    if type(x) is float and type(y) is float:
        return ieee_quotient(x, y)
    if _is_array(x) or _is_array(y):
        with _numpy().errstate(divide="ignore", invalid="ignore"):
            return x / y
    return x / y


def _r2(a: Any, b: Any) -> Any:
    return recip(a * a + b * b)


_ROWS = (
    _unary("reciprocal", "-1/{a}²", "-(out * out)", "1/x (numpy's reciprocal)", _reciprocal,
           sends="-g/{a}²", domain=("x != 0", _is_zero), overflows=True),
    _unary("fabs", "sign({a})", "sign(a)",
           "absolute value (numpy's fabs)", math.fabs),
    _unary("arccosh", "1/sqrt({a}² - 1)", "recip(sqrt(a * a - 1.0))",
           "inverse hyperbolic cosine, x >= 1", math.acosh, sends="g/sqrt({a}² - 1)",
           domain=("x >= 1", lambda x: x < 1.0)),
    _unary("sinc", "(cos(π·{a}) - sinc({a}))/{a}, 0 at 0", _sinc_slope, "sin(πx)/(πx), 1 at 0 (numpy's sinc)",
           _sinc),
    _binary("arctan2", "arctan2({a}, {b})", ("{b}/({a}² + {b}²)", "-{a}/({a}² + {b}²)"),
            (lambda a, b, out: b * _r2(a, b), lambda a, b, out: -a * _r2(a, b)),
            "the angle of the point (b, a): atan(a/b) in the right quadrant",
            ("g·{b}/({a}² + {b}²)", "-g·{a}/({a}² + {b}²)")),
    _binary("hypot", "hypot({a}, {b})", ("{a}/hypot({a}, {b})", "{b}/hypot({a}, {b})"),
            (lambda a, b, out: _div(a, out), lambda a, b, out: _div(b, out)),
            "sqrt(a² + b²) without overflow in between",
            ("g·{a}/hypot({a}, {b})", "g·{b}/hypot({a}, {b})")),
    # e**a/(e**a + e**b) is sigmoid(a - b): exact where a = b, and never overflows
    _binary("logaddexp", "logaddexp({a}, {b})", ("sigmoid({a} - {b})", "sigmoid({b} - {a})"),
            (lambda a, b, out: sigmoid(a - b), lambda a, b, out: sigmoid(b - a)),
            "log(e**a + e**b), never overflows", ("g·sigmoid({a} - {b})", "g·sigmoid({b} - {a})")),
    _binary("logaddexp2", "logaddexp2({a}, {b})", ("sigmoid(({a} - {b})·ln 2)", "sigmoid(({b} - {a})·ln 2)"),
            (lambda a, b, out: sigmoid((a - b) * _LN2), lambda a, b, out: sigmoid((b - a) * _LN2)),
            "log2(2**a + 2**b), never overflows",
            ("g·sigmoid(({a} - {b})·ln 2)", "g·sigmoid(({b} - {a})·ln 2)")),
    _binary("fmax", "fmax({a}, {b})", ("1 if {a} >= {b} or {b} is NaN else 0", "1 if not so else 0"),
            (_mask_a(_first_max), _mask_b(_first_max)),
            "the larger, ignoring NaN; a tie sends the gradient to a (PyTorch's fmax)",
            ("g where {a} >= {b}", "g where {b} > {a}")),
    _binary("fmin", "fmin({a}, {b})", ("1 if {a} <= {b} or {b} is NaN else 0", "1 if not so else 0"),
            (_mask_a(_first_min), _mask_b(_first_min)),
            "the smaller, ignoring NaN; a tie sends the gradient to a (PyTorch's fmin)",
            ("g where {a} <= {b}", "g where {b} < {a}")),
)

for _row in _ROWS:
    register(_row)

#: The two-parent rows' forwards on floats (numpy's functions of the same names, for Value).
BINARY: Dict[str, Callable[[float, float], float]] = {
    "arctan2": math.atan2, "hypot": math.hypot, "logaddexp": _logaddexp, "logaddexp2": _logaddexp2,
    "fmax": _fmax, "fmin": _fmin}

#: The two-parent rows whose finite inputs may give an infinite result (an OverflowError).
OVERFLOWS = frozenset({"hypot"})
