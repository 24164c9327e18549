"""One number formatter for everything that displays numbers (pictures, tables, reprs).

Floats are shown with at most 12 significant digits and no trailing noise, so the
price of the apples-and-oranges example prints as ``715`` and not ``715.0000000000001``.
The exact value always stays available on ``.data`` / ``.grad``.

>>> fmt(715.0000000000001), fmt(3.3000000000000003), fmt(2.0), fmt(1e-20)
('715', '3.3', '2', '1e-20')

A number whose integer digits do not all fit is written in scientific notation, so no digit is
silently replaced by a 0:

>>> fmt(1234567, digits=6), fmt(1234567), fmt(1e15), fmt(2.5e20)
('1.23457e+06', '1234567', '1000000000000000', '2.5e+20')
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
    text = f"{f:.{digits}g}"
    rounded = float(text)
    if rounded == 0.0:
        return "0"
    if rounded.is_integer() and abs(rounded) < 1e16 and ("e" not in text or rounded == f):
        return str(int(rounded))  # every digit shown: 715, 1000000000000000
    if "e" in text:  # digits dropped before the point: 1234567 at 6 digits is 1.23457e+06, not 1234570
        return text
    return repr(rounded)


# a number as fmt writes it (not negative: -1 needs parentheses after an operator)
_NUMBER = re.compile(r"^(?:[0-9]+(?:\.[0-9]*)?(?:e[+-][0-9]+)?|inf|nan)$")
_CALL = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*\((.*)\)$")


def atom(name: str) -> str:
    """Parenthesise a name inside a formula unless it is an identifier, a number or one call.

    >>> atom("x"), atom("2.5"), atom("x + y"), atom("-1"), atom("exp(x + y)"), atom("f(x)*g(y)")
    ('x', '2.5', '(x + y)', '(-1)', 'exp(x + y)', '(f(x)*g(y))')
    >>> atom("2+3"), atom("1.5e+06"), atom("3.14+2.71"), atom("(-1)"), atom("(a)+(b)")
    ('(2+3)', '1.5e+06', '(3.14+2.71)', '(-1)', '((a)+(b))')
    """
    if (name.isidentifier() and not keyword.iskeyword(name)) or _NUMBER.match(name) or _one_call(name) \
            or _one_group(name):
        return name
    return f"({name})"


def _one_group(expr: str) -> bool:
    """``(-1)``, ``(x + y)``: already one parenthesised group (no second pair around it)."""
    return expr.startswith("(") and expr.endswith(")") and _balanced(expr[1:-1])


def _balanced(inner: str) -> bool:
    depth = 0
    for ch in inner:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


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
