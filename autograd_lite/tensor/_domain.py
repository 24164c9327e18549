"""Domain and overflow checks of Tensor ops (the numeric policy of docs/api.md).

Domain rules are checked *before* computing (exact, so numpy never warns first); a cheap
"surely fine" test keeps the hot path fast and only its failure pays for the exact
element-by-element check.  Overflow is detected after computing, by one dot product of
the result with itself (NaN/inf anywhere make it non-finite).
"""

from __future__ import annotations

import math
from typing import Any, Dict

import numpy as np

from .. import engine as _engine
from ..format import fmt
from ..value import DomainError, ZeroDivisionDomainError


def surely_positive(a: np.ndarray) -> bool:
    """True if every element is > 0 (False may also mean: NaN present, look closer)."""
    if a.size <= 16:  # a Python scan beats a numpy reduction's call overhead here
        return a.size == 0 or min(a.reshape(-1).tolist()) > 0.0
    return bool(a.min() > 0.0)


def surely_nonnegative(a: np.ndarray) -> bool:
    if a.size <= 16:
        return a.size == 0 or min(a.reshape(-1).tolist()) >= 0.0
    return bool(a.min() >= 0.0)


def surely_below(a: np.ndarray, limit: float) -> bool:
    """True if every element is < limit (False may also mean: NaN present, look closer)."""
    if a.size <= 16:
        return a.size == 0 or max(a.reshape(-1).tolist()) < limit
    return bool(a.max() < limit)


def exp_limit(dtype: np.dtype) -> float:
    """The largest x with a finite exp(x) in ``dtype`` (about 709.78 for float64)."""
    limit = exp_limits.get(dtype)
    if limit is None:
        limit = exp_limits[dtype] = float(np.log(np.finfo(dtype).max))
    return limit


exp_limits: Dict[np.dtype, float] = {}


def surely_nonzero(a: np.ndarray) -> bool:
    if a.size <= 16:
        return 0.0 not in a.reshape(-1).tolist()
    return bool(a.all())


def all_finite(x: np.ndarray) -> bool:
    """Cheap test that ``x`` has no NaN/inf: one sum, in Python for a few elements, else a dot
    product (either may say False for huge values: then look closer)."""
    r = x if x.ndim == 1 else x.reshape(-1)
    if r.size <= 16:  # a Python sum beats the dot product's call overhead here
        return math.isfinite(sum(r.tolist()))
    return math.isfinite(r.dot(r))


def where_bad(mask: np.ndarray, *arrays: np.ndarray) -> str:
    """Describe up to three offending elements: ``-1 at index (2,)``."""
    idx = np.argwhere(mask)
    parts = []
    for i in idx[:3]:
        i = tuple(int(k) for k in i)
        vals = ", ".join(fmt(np.broadcast_to(a, mask.shape)[i]) for a in arrays)
        parts.append(f"{vals} at index {i}")
    more = f" (and {len(idx) - 3} more)" if len(idx) > 3 else ""
    return "; ".join(parts) + more


def check_overflow(op: str, out: np.ndarray, *inputs: np.ndarray) -> None:
    """After a non-finite result: raise OverflowError if finite inputs gave an inf (not while
    derivative rules run as graph, where a derivative may be infinite, as a plain one may)."""
    if _engine.in_rule():
        return
    finite = np.ones(out.shape, bool)
    for x in inputs:
        finite &= np.isfinite(x)
    over = finite & np.isinf(out)
    if over.any():
        names = "x" if len(inputs) == 1 else "a, b"
        raise OverflowError(f"{op}: result too large for {out.dtype}: {names} = {where_bad(over, *inputs)}")


def check_power_domain(a: np.ndarray, k: Any, op: str) -> None:
    """a ** k must be real and finite-by-definition: no negative base with a fractional
    exponent, no zero to a negative power (exact check, broadcasting a against k)."""
    k = np.asarray(k)
    shape = np.broadcast_shapes(a.shape, k.shape)
    negative = (a < 0) & ((k != np.floor(k)) | np.isinf(k))  # inf is not an integer
    if negative.any():
        raise DomainError(
            f"{op}: negative base with a non-integer exponent: a, b = "
            f"{where_bad(np.broadcast_to(negative, shape), a, k)}"
        )
    zero = (a == 0) & (k < 0)
    if zero.any() and not _engine.in_rule():  # a derivative as graph may be infinite
        raise ZeroDivisionDomainError(
            f"{op}: zero to a negative power: a, b = {where_bad(np.broadcast_to(zero, shape), a, k)}"
        )


def check_domain(op: str, a: np.ndarray, bad: np.ndarray, needs: str) -> None:
    """Raise DomainError naming the op and the first offending values where ``bad`` holds."""
    if bad.any():
        raise DomainError(f"{op}: needs {needs}, got x = {where_bad(bad, a)}")
