"""The generic math of the op table's rules: each function takes a float, an ndarray, a
``Value`` or a ``Tensor``, so a rule written once with them runs on numbers (``Value``'s local
derivatives), on arrays (``Tensor``'s first-order rules) and on nodes (a gradient that is a graph).

numpy is imported on first need only: a script of Values never loads it.

>>> exp(0.0), sign(-2.0)
(1.0, -1.0)
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from .numeric import _power  # the scalar power with the numeric policy's edge cases

# --------------------------------------------------------------------------- generic math
# Each takes a float, an ndarray, a Value or a Tensor: a float gives a float and an ndarray an
# ndarray (the numeric paths), a Value or Tensor builds graph (its own method).

class _NoArray:
    """Stands in for numpy's ndarray until numpy is loaded: a script of Values never loads it."""


_ndarray: Any = _NoArray
_np: Any = None


def _numpy() -> Any:
    """numpy, imported on first need (the Tensor package calls this as it loads)."""
    global _np, _ndarray
    if _np is None:
        import numpy

        _np, _ndarray = numpy, numpy.ndarray
    return _np


def _is_node(x: Any) -> bool:
    return hasattr(x, "_order")


def _generic(name: str, scalar: Callable[[float], float],
             array: Optional[Callable[..., Any]] = None) -> Callable[[Any], Any]:
    """The function ``name`` of a float (``scalar``), an ndarray (``array``; default numpy's
    function of that name, looked up on first use) or a node (its method)."""
    impl: Any = [array]

    def on_array(x: Any) -> Any:
        if impl[0] is None:
            impl[0] = getattr(_numpy(), name)
        return impl[0](x)

    def f(x: Any) -> Any:
        t = type(x)
        if t is float:
            return scalar(x)
        if t is _ndarray:
            return on_array(x)
        if _is_node(x):
            return getattr(x, name)()
        if type(x).__module__ == "numpy" or isinstance(x, (list, tuple)):
            np = _numpy()
            return scalar(float(x)) if np.ndim(x) == 0 else on_array(np.asarray(x))
        return scalar(x)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"{name}(x) of a float, an ndarray, a Value or a Tensor (graph for the last two)."
    return f


def _nan_unless_finite(f: Callable[[float], float]) -> Callable[[float], float]:
    return lambda x: f(x) if x - x == 0.0 else math.nan  # sin of inf is NaN, as in numpy


exp = _generic("exp", math.exp)
log = _generic("log", math.log)
sin = _generic("sin", _nan_unless_finite(math.sin))
cos = _generic("cos", _nan_unless_finite(math.cos))
sqrt = _generic("sqrt", math.sqrt)
tanh = _generic("tanh", math.tanh)


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sigmoid_array(x: Any) -> Any:
    np = _numpy()
    return np.exp(-np.logaddexp(0.0, -x))


sigmoid = _generic("sigmoid", _sigmoid, _sigmoid_array)


def square(x: Any) -> Any:
    return x * x


def recip(x: Any) -> Any:
    """1/x; for a float or array, ±inf at ±0 (a slope may be infinite) instead of an error."""
    t = type(x)
    if t is _ndarray:
        with _numpy().errstate(divide="ignore"):
            return 1.0 / x
    if t is not float and _is_node(x):
        return 1.0 / x
    if x == 0.0:
        return math.copysign(math.inf, x)
    return 1.0 / x


def _data(x: Any) -> Any:
    return x.data if _is_node(x) else x


def sign(x: Any) -> Any:
    """sign(x) as a constant (0 at 0, NaN at NaN): the slope of abs, flat in x."""
    a = x if type(x) is float else _data(x)
    if type(a) is _ndarray:
        return _numpy().sign(a)
    return 1.0 if a > 0 else (-1.0 if a < 0 else (0.0 if a == 0 else a))


def step(x: Any) -> Any:
    """1 where x > 0, else 0, as a constant: the slope of relu (0 at NaN)."""
    a: Any = x if type(x) is float else _data(x)
    if type(a) is _ndarray:
        return (a > 0.0).astype(a.dtype)
    return 1.0 if a > 0.0 else 0.0


def power(x: Any, p: Any) -> Any:
    """x**p as a slope may be: ±inf where x is 0 and p < 0 (sqrt's slope at 0), or where it
    overflows, instead of an error (a float), and without numpy's warnings (an array); a node's
    power is graph (its own ``**``).  A negative base with a fractional exponent is still a
    DomainError on a float (NaN in an array, as numpy)."""
    if type(x) is float and type(p) is float:  # (the most common: a Value's local derivative)
        return _power(x, p, "**", derivative=True)
    if _is_node(x) or _is_node(p):
        return x ** p
    if type(x) is _ndarray or type(p) is _ndarray:
        with _numpy().errstate(divide="ignore", invalid="ignore", over="ignore"):
            return x ** p
    return _power(x, p, "**", derivative=True)


def is_zero(x: Any) -> Any:
    """x == 0 (either zero), on the number under ``x``: a bool, or a bool array (a mask, flat in x)."""
    return (x if type(x) is float else _data(x)) == 0.0


def where(condition: Any, x: Any, y: Any) -> Any:
    """``x`` where ``condition`` holds, else ``y``: a choice for a bool (a float, a Value), numpy's
    elementwise ``where`` for a mask (arrays, or Tensors as graph).  Both sides are computed (as
    numpy's): a side must be safe where it is not chosen (``log(where(a > 0.0, a, 1.0))``)."""
    if type(condition) is bool:
        return x if condition else y
    return _numpy().where(condition, x, y)


# --------------------------------------------------------------------------- more generic math
# What the rules of tan ... exp2 and % need, in the same style.
# (cosh and sinh are each other's slopes; where one overflows the other did, in the forward pass)
sinh = _generic("sinh", math.sinh)
cosh = _generic("cosh", math.cosh)


def floordiv(a: Any, b: Any) -> Any:
    """floor(a/b) as numpy and Python compute it (``a // b``), as a constant: the slope of
    ``a % b`` in ``b`` is ``-floor(a/b)``, which is flat in both (0 as its own derivative)."""
    if type(a) is float and type(b) is float:
        return a // b
    a, b = _data(a), _data(b)
    if type(a) is _ndarray or type(b) is _ndarray:
        np = _numpy()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.floor_divide(a, b)
    return float(a) // float(b)


# --------------------------------------------------------------------------- float forwards
# What the unary rows of the op table compute on a float where math has no function of that name.
def rounding(f: Callable[[float], Any]) -> Callable[[float], float]:
    """floor/ceil/round that keep x's sign, -0.0 included (as numpy); infinities and NaN stay."""
    return lambda a: math.copysign(float(f(a)), a) if a - a == 0.0 else a


def exp2_of(a: float) -> float:
    return 2.0 ** a  # math.exp2 is Python 3.11+; ** raises OverflowError as math.exp does


def ieee_quotient(a: float, b: float) -> float:
    """a / b as IEEE arithmetic gives it (±inf, or NaN for 0/0), for derivatives at a pole."""
    if b != 0.0:
        return a / b
    if a == 0.0 or a != a:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)
