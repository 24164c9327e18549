"""One validator per kind of public argument: axes, dtypes, flags, counts, numbers.

Tensor, functional, nn and optim all call these, so the same mistake gets the same message
everywhere: the op's name, what was given, and what is allowed.

>>> axes((0, -1), 3, "sum")
(0, 2)
>>> flag("no", "requires_grad", "Tensor")
Traceback (most recent call last):
...
TypeError: Tensor: requires_grad must be True or False, got str: 'no'
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import TYPE_CHECKING, Any, Optional, Sequence, Tuple, Union

if TYPE_CHECKING:
    import numpy as np

__all__ = ["is_int", "axis", "axes", "permutation", "flag", "float_dtype", "count", "real_number", "fits",
           "MAX_BYTES"]

# numpy is only imported by the functions that need it (dtypes), never for a script of Values;
# numpy's integers and floats register as numbers.Integral / numbers.Real, its bool_ as neither.


def _float_dtypes() -> Tuple[Any, ...]:
    value = globals().get("FLOAT_DTYPES")
    if value is None:  # computed (with numpy) on first use
        import numpy

        value = (numpy.dtype(numpy.float16), numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))
        globals()["FLOAT_DTYPES"] = value
    return value


def __getattr__(name: str) -> Any:
    if name == "FLOAT_DTYPES":
        return _float_dtypes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The float dtypes every op and backward supports (numpy's longdouble is platform-dependent).
FLOAT_DTYPES: Tuple["np.dtype", ...]  # (for type checkers: the value comes from __getattr__)


def _is_numpy_bool(x: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(x, np.bool_)


def is_int(x: Any) -> bool:
    """An int or numpy integer, but not a bool (``True`` is not an axis or a count)."""
    if type(x) is int:
        return True
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def axis(value: Any, ndim: int, op: str, name: str = "axis") -> int:
    """One axis of a tensor with ``ndim`` dimensions, as a non-negative int (-1 is the last)."""
    if not is_int(value):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__}: {value!r}")
    k = int(value)
    if not -ndim <= k < ndim:
        raise ValueError(f"{op}: {name} {k} is out of range for a tensor with {ndim} dimensions "
                         f"(allowed: {-ndim} to {ndim - 1})" if ndim else
                         f"{op}: {name} {k} is out of range for a 0-d tensor (it has no axes)")
    return k + ndim if k < 0 else k


def axes(value: Union[None, int, Sequence[int]], ndim: int, op: str) -> Optional[Tuple[int, ...]]:
    """None (all axes), an int, or a tuple/list of distinct ints, as a sorted tuple."""
    if value is None:
        return None
    if is_int(value):
        return (axis(value, ndim, op),)
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{op}: axis must be None, an int or a tuple of ints, "
                        f"got {type(value).__name__}: {value!r}")
    out = sorted(axis(k, ndim, op) for k in value)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: axis {tuple(value)!r} names an axis more than once")
    return tuple(out)


def permutation(value: Sequence[Any], ndim: int, op: str) -> Tuple[int, ...]:
    """A permutation of ``range(ndim)`` (negative axes allowed), in the given order."""
    perm = tuple(axis(k, ndim, op) for k in value)
    if sorted(perm) != list(range(ndim)):
        raise ValueError(f"{op}: axes {tuple(value)!r} are not a permutation of the {ndim} axes "
                         f"(each of 0..{ndim - 1} exactly once)")
    return perm


def flag(value: Any, name: str, op: str) -> bool:
    """True or False (numpy bools too); ``'no'``, ``0`` or ``None`` are refused, not guessed."""
    if isinstance(value, bool) or _is_numpy_bool(value):
        return bool(value)
    raise TypeError(f"{op}: {name} must be True or False, got {type(value).__name__}: {value!r}")


def float_dtype(value: Any, op: str) -> "np.dtype":
    """float16, float32 or float64 (names, numpy types or dtypes), else a clear error."""
    import numpy as np

    try:
        dt = np.dtype(value)
    except (TypeError, ValueError, SyntaxError):  # numpy parses "," as a struct dtype
        raise TypeError(f"{op}: dtype {value!r} is not a numpy dtype; use float32 or float64") from None
    if dt not in _float_dtypes():
        raise TypeError(f"{op}: dtype must be a float type (float16, float32 or float64), got {dt}")
    return dt


def count(value: Any, name: str, op: str, minimum: int = 0) -> int:
    """A whole number >= ``minimum`` (a size, a number of steps, a start_dim)."""
    if not is_int(value):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value}")
    return int(value)


#: The most bytes one result (or one pass of work) may take when an argument decides its size:
#: repeats, tile's reps, pad widths, diff's n, einsum's output, conv2d's padded image and windows,
#: Conv2d's filters.  Anything larger is refused before it is allocated, naming the argument and
#: the size; raise it (``autograd_lite.checks.MAX_BYTES = ...``) on a machine with more memory.
MAX_BYTES = 2**32  # 4 GiB


def fits(elements: int, itemsize: int, what: str, op: str) -> int:
    """``elements`` (exact Python int) of ``itemsize`` bytes, if within :data:`MAX_BYTES`.

    >>> fits(6, 8, "repeats=2", "repeat")
    6
    >>> fits(3 * 10**9, 8, "repeats=1000000000", "repeat")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: repeat: repeats=1000000000 would need 3000000000 elements (22.35 GiB), more than ...
    """
    need = int(elements) * int(itemsize)
    if need > MAX_BYTES:
        from .format import fmt

        raise ValueError(f"{op}: {what} would need {int(elements)} elements ({fmt(need / 2**30, 4)} GiB), "
                         f"more than one result may take ({fmt(MAX_BYTES / 2**30, 4)} GiB: "
                         "autograd_lite.checks.MAX_BYTES)")
    return int(elements)


def real_number(value: Any, op: str) -> float:
    """An int, float or numpy real as a Python float; too big for a float is an OverflowError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):  # numpy's bool_ is not Real
        raise TypeError(f"{op}: expected a number (int, float or numpy scalar), "
                        f"got {type(value).__name__}: {value!r}")
    try:
        x = float(value)
    except OverflowError:
        raise OverflowError(f"{op}: the number {_short_int(value)} is too large for a float "
                            f"(the largest is about {sys.float_info.max:.4g})") from None
    if math.isinf(x) and is_int(value):  # numpy ints never overflow float64; kept for clarity
        raise OverflowError(f"{op}: the number {_short_int(value)} is too large for a float")
    return x


def _short_int(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:10]}...{text[-4:]} ({len(text)} digits)"
