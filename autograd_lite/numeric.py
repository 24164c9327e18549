"""The numeric policy on floats (docs/api.md, "Numeric policy"): the errors and the checked power.
(The float forward of each one-parent op is its row's ``scalar`` in :mod:`autograd_lite.ops`.)

>>> _power(2.0, 3.0, "**"), _power(0.0, -1.0, "**", derivative=True)
(8.0, inf)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from . import checks as _checks
from .format import fmt


class DomainError(ValueError):
    """An operation was asked for a value outside its domain, e.g. ``log(0)``."""


class ZeroDivisionDomainError(DomainError, ZeroDivisionError):
    """Division by zero: both a :class:`DomainError` and a ``ZeroDivisionError``."""


def _check_number(x: Any, where: str) -> float:
    """Convert an int, float or numpy scalar to float; anything else is a TypeError."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        if type(x).__name__ == "Tensor":
            raise TypeError(
                f"{where}: cannot combine a Value with a Tensor; use Tensor for arrays "
                "(Tensor(v.data)) or Value for scalars (Value(t.item()))"
            )
        if hasattr(x, "__array__") and not isinstance(x, numbers.Number):
            raise TypeError(
                f"{where}: cannot combine a Value with an array ({type(x).__name__}); Values are "
                "scalars: use Tensor for arrays, or one Value per element"
            )
    return _checks.real_number(x, where)


def _finite(x: float) -> bool:
    return x - x == 0.0


def _power(a: float, n: float, op: str, derivative: bool = False) -> float:
    """a**n as a real number, or a clear DomainError naming the op and values."""
    if a < 0.0 and not float(n).is_integer():
        raise DomainError(f"{op}: negative base with a non-integer exponent ({fmt(a)} ** {fmt(n)})")
    if a == 0.0 and n < 0.0:
        if derivative:  # the function is defined but its slope is infinite, e.g. sqrt at 0
            return _signed_inf(a, n)
        raise ZeroDivisionDomainError(f"{op}: zero to a negative power ({fmt(a)} ** {fmt(n)})")
    try:
        return float(a**n)
    except OverflowError:
        if derivative:  # a slope may be infinite (IEEE, as numpy computes it for Tensor)
            return _signed_inf(a, n)
        raise OverflowError(f"{op}: result too large for a float ({fmt(a)} ** {fmt(n)})") from None


def _signed_inf(a: float, n: float) -> float:
    """a**n where it overflows (or a is ±0 and n < 0): ±inf, negative for a < 0 (or -0) and odd n."""
    odd = float(n).is_integer() and n % 2 == 1
    return -math.inf if odd and math.copysign(1.0, a) < 0 else math.inf
