"""One number formatter for everything that displays numbers (pictures, tables, reprs).

Floats are shown with at most 12 significant digits and no trailing noise, so the
price of the apples-and-oranges example prints as ``715`` and not ``715.0000000000001``.
The exact value always stays available on ``.data`` / ``.grad``.

>>> fmt(715.0000000000001), fmt(3.3000000000000003), fmt(2.0), fmt(1e-20)
('715', '3.3', '2', '1e-20')
"""

from __future__ import annotations

import keyword
import math
import re

SIGNIFICANT_DIGITS = 12
ARRAY_DIGITS = 6  # elements of arrays in pictures and tables: many numbers, fewer digits each


def fmt(x: object, digits: int = SIGNIFICANT_DIGITS) -> str:
    """Format a number shortest-sane: ``digits`` significant digits, integers without ``.0``.

    >>> fmt(0.113005321369), fmt(0.113005321369, digits=ARRAY_DIGITS)
    ('0.113005321369', '0.113005')
    """
    try:
        dtype = getattr(x, "dtype", None)
        if dtype is not None and dtype.kind == "f" and dtype.itemsize < 8:
            # float32/float16: start from numpy's shortest repr for that precision,
            # so float32(0.1) shows as 0.1, not 0.100000001490.
            f = float(str(x))
        else:
            f = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    rounded = float(f"{f:.{digits}g}")
    if rounded == 0.0:
        return "0"
    if rounded.is_integer() and abs(rounded) < 1e16:
        return str(int(rounded))
    return repr(rounded)


_NUMBER = re.compile(r"^[0-9][0-9.e+]*$")
_CALL = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*\((.*)\)$")


def atom(name: str) -> str:
    """Parenthesise a name inside a formula unless it is an identifier, a number or one call.

    >>> atom("x"), atom("2.5"), atom("x + y"), atom("-1"), atom("exp(x + y)"), atom("f(x)*g(y)")
    ('x', '2.5', '(x + y)', '(-1)', 'exp(x + y)', '(f(x)*g(y))')
    """
    if (name.isidentifier() and not keyword.iskeyword(name)) or _NUMBER.match(name) or _one_call(name):
        return name
    return f"({name})"


def _one_call(expr: str) -> bool:
    """``exp(t)`` reads fine after ∂; ``a*b`` and ``f(a)*g(b)`` need parentheses."""
    m = _CALL.match(expr)
    if m is None:
        return False
    depth = 0  # the call's own parentheses must span the whole text: f(a)*g(b) is not one call
    for ch in m.group(1):
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return True
