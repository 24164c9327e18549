"""Copies and running sums: repeat, tile, pad, cumsum, diff (numpy's semantics).

Each is linear, so each rule is another of these ops or a shape op, and derivatives of any
order stay inside them: repeat's rule sums each run of copies (its own op, whose rule is repeat
again), tile's a reshape and sum, pad's a slice, cumsum's a reversed cumsum, diff's pads.

>>> from autograd_lite import Tensor
>>> t = Tensor([1.0, 2.0, 4.0], requires_grad=True)
>>> t.cumsum().data.tolist(), t.diff().data.tolist(), t.repeat(2).data.tolist()
([1.0, 3.0, 7.0], [1.0, 2.0], [1.0, 1.0, 2.0, 2.0, 4.0, 4.0])
>>> t.cumsum().backward(np.ones(3))     # element i is in the sums i, i+1, ...
>>> t.grad.tolist()
[3.0, 2.0, 1.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Tuple

import numpy as np

from .. import checks as _checks
from .. import ops as _ops
from ._node import _Node, _operand, _result
from .numpy_api import FUNCTIONS

if TYPE_CHECKING:
    from .core import Tensor


# --------------------------------------------------------------------------- repeat
def _run_sums(g: Any, counts: np.ndarray, axis: int) -> Any:
    """Along ``axis``, the sum of each run of ``counts[i]`` copies (the inverse of repeat)."""
    if isinstance(g, _Node):
        data = _run_sums(g.data, counts, axis)
        return _result(data, "run_sums", _run_sums_rule, g, None, (counts, axis))  # type: ignore[arg-type]
    shape = g.shape[:axis] + (len(counts),) + g.shape[axis + 1:]
    out = np.zeros(shape, g.dtype)
    nonzero = counts > 0
    if nonzero.any():
        starts = (np.cumsum(counts) - counts)[nonzero]
        index = (slice(None),) * axis + (nonzero,)
        out[index] = np.add.reduceat(g, starts, axis=axis)  # a new array: g is never written
    return out


def _repeat_rule(g: Any, a: Any, out: Any, saved: Tuple[np.ndarray, int]) -> Any:
    return _run_sums(g, *saved)


def _run_sums_rule(g: Any, a: Any, out: Any, saved: Tuple[np.ndarray, int]) -> Any:
    counts, axis = saved
    return g.repeat(counts, axis=axis)


# --------------------------------------------------------------------------- tile, pad
def _tile_rule(g: Any, a: Any, out: Any, reps: Tuple[int, ...]) -> Any:
    # out is (r0·s0, r1·s1, ...) with copy k of element j at k·s + j: sum over the copies
    shape = a.shape
    split = tuple(n for r, s in zip(reps, shape) for n in (r, s))
    return g.reshape(split).sum(axis=tuple(range(0, 2 * len(shape), 2)))


def _pad_rule(g: Any, a: Any, out: Any, saved: Tuple[Any, float]) -> Any:
    return g[tuple(slice(before, before + n) for (before, _), n in zip(saved[0], a.shape))]


def _ints(value: Any) -> Any:
    """``value`` as an int array (Python ints of any size kept exactly), or None if not ints."""
    try:
        w = np.asarray(value)
    except (ValueError, OverflowError):  # ragged
        return None
    if w.dtype.kind == "O" and w.size and all(_checks.is_int(k) for k in w.flat):
        return w  # ints beyond int64: kept as Python ints, so the size check below is exact
    return w if w.dtype.kind in "iu" else None


def _pad_widths(pad_width: Any, ndim: int) -> Tuple[Tuple[int, int], ...]:
    """numpy's forms (n, (n,), (before, after), ((b0, a0), ...)) as one pair per axis."""
    w = _ints(pad_width)
    if w is None:
        raise TypeError(f"pad: pad_width must be ints: n, (before, after) or one pair per axis, "
                        f"got {pad_width!r}")
    try:
        pairs = np.broadcast_to(w, (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit a tensor with {ndim} dimensions "
                         "(give n, (before, after), or one (before, after) per axis)") from None
    if (pairs < 0).any():
        raise ValueError(f"pad: widths must be >= 0, got {pad_width!r}")
    return tuple((int(b), int(e)) for b, e in pairs)


def _size(shape: Any) -> int:
    """The number of elements of ``shape``, exactly (Python ints: no overflow)."""
    n = 1
    for k in shape:
        n *= int(k)
    return n


# --------------------------------------------------------------------------- cumsum, diff
def _reverse(axis: int) -> Tuple[slice, ...]:
    return (slice(None),) * axis + (slice(None, None, -1),)


def _cumsum_rule(g: Any, a: Any, out: Any, axis: int) -> Any:
    # element i is in the sums i, i+1, ...: the gradient is the cumsum from the end
    back = _reverse(axis)
    return g[back].cumsum(axis=axis)[back]


def _diff_rule(g: Any, a: Any, out: Any, saved: Tuple[int, int]) -> Any:
    # (D x)_i = x_(i+1) - x_i, so (Dᵀ y)_j = y_(j-1) - y_j (zero beyond the ends), n times
    n, axis = saved
    if n >= a.shape[axis]:
        return 0.0  # nothing came out
    before = [(0, 0)] * a.ndim
    after = [(0, 0)] * a.ndim
    before[axis], after[axis] = (1, 0), (0, 1)
    for _ in range(n):
        g = np.pad(g, before) - np.pad(g, after)  # np.pad of a Tensor is Tensor.pad
    return g


for _name, _rule, _words, _again in (
    ("repeat", _repeat_rule, "g summed over each run of copies",
     lambda n, ps: ps[0].repeat(n._saved[0], axis=n._saved[1])),
    ("run_sums", _run_sums_rule, "g copied back over each run", lambda n, ps: _run_sums(ps[0], *n._saved)),
    ("tile", _tile_rule, "g summed over the tiles", lambda n, ps: ps[0].tile(n._saved)),
    ("pad", _pad_rule, "g without the padding", lambda n, ps: ps[0].pad(*n._saved)),
    ("cumsum", _cumsum_rule, "g summed from the end", lambda n, ps: ps[0].cumsum(axis=n._saved)),
    ("diff", _diff_rule, "g·(shifted by one) - g, n times", lambda n, ps: ps[0].diff(*n._saved)),
):
    _ops.register(_ops.Op(_name, 1, f"{_name}({{a}})", ("",), (), doc=_words, sends=(_words,),
                          kinds=("Tensor",), vjp=_rule, again=_again))


class ArrangeOps:
    """repeat, tile, pad, cumsum and diff of a Tensor."""

    __slots__ = ()
    data: np.ndarray

    def repeat(self, repeats: Any, axis: Any = None) -> "Tensor":
        """numpy's repeat: each element ``repeats`` times (an int, or one count per element)
        along ``axis`` (None: of the flattened tensor).  ``[a, b].repeat(2)`` is ``[a, a, b, b]``."""
        if axis is None:
            return self.ravel().repeat(repeats, axis=0)  # type: ignore[attr-defined, no-any-return]
        a = self.data
        ax = _checks.axis(axis, a.ndim, "repeat")
        given = _ints(repeats)
        if given is None or given.ndim > 1:
            raise TypeError(f"repeat: repeats must be an int or a 1-D sequence of ints, got {repeats!r}")
        if (given < 0).any():
            raise ValueError(f"repeat: repeats must be >= 0, got {repeats!r}")
        n = a.shape[ax]
        if given.ndim == 1 and len(given) not in (1, n):
            raise ValueError(f"repeat: {len(given)} repeats for axis {ax} of shape {a.shape} "
                             f"(give one, or one per element: {n})")
        total = int(given.reshape(-1)[0]) * max(n, 1) if given.size == 1 else sum(int(k) for k in given.flat)
        others = _size(a.shape) // n if n else _size(a.shape[:ax] + a.shape[ax + 1:])
        _checks.fits(total * max(others, 1), a.itemsize, f"repeats={_short(repeats)}", "repeat")
        counts = np.broadcast_to(given.astype(np.intp), (n,)).copy()
        data = np.repeat(a, counts, axis=ax)
        return _result(data, "repeat", _repeat_rule, self, None, (counts, ax))  # type: ignore[arg-type]

    def tile(self, reps: Any) -> "Tensor":
        """numpy's tile: the whole tensor repeated ``reps`` times along each axis (an int or a
        tuple; a longer tuple adds leading axes)."""
        d = (reps,) if _checks.is_int(reps) else tuple(reps) if isinstance(reps, (tuple, list)) else None
        if d is None or not all(_checks.is_int(r) for r in d):
            raise TypeError(f"tile: reps must be an int or a tuple of ints, got {reps!r}")
        if any(r < 0 for r in d):
            raise ValueError(f"tile: reps must be >= 0, got {reps!r}")
        a = self.data
        full = (1,) * (a.ndim - len(d)) + tuple(int(r) for r in d)
        shape = (1,) * (len(full) - a.ndim) + a.shape
        _checks.fits(_size(r * max(k, 1) for r, k in zip(full, shape)), a.itemsize,
                     f"reps={_short(reps)}", "tile")
        t = self if a.ndim >= len(full) else self.reshape(  # type: ignore[attr-defined]
            (1,) * (len(full) - a.ndim) + a.shape)
        return _result(np.tile(t.data, full), "tile", _tile_rule, t, None, full)  # type: ignore[arg-type]

    def pad(self, pad_width: Any, constant_values: float = 0.0) -> "Tensor":
        """numpy's pad, mode 'constant': ``pad_width`` is n, (before, after) or one pair per
        axis; the new elements are ``constant_values``.  Gradient: the unpadded slice."""
        a = self.data
        widths = _pad_widths(pad_width, a.ndim)
        _checks.fits(_size(max(b + k + e, 1) for (b, e), k in zip(widths, a.shape)), a.itemsize,
                     f"pad_width={_short(pad_width)}", "pad")
        c = _checks.real_number(constant_values, "pad")
        # as a number combined with the tensor: one its dtype cannot hold (1e300 in float32 would
        # be inf, 1e-50 would be 0) is refused, not rounded silently
        fill = _operand(c, self, "pad").data
        data = np.pad(a, widths, mode="constant", constant_values=fill)
        return _result(data, "pad", _pad_rule, self, None, (widths, c))  # type: ignore[arg-type]

    def cumsum(self, axis: Any = None) -> "Tensor":
        """Running sums along ``axis`` (None: of the flattened tensor, as numpy)."""
        if axis is None:
            return self.ravel().cumsum(axis=0)  # type: ignore[attr-defined, no-any-return]
        if not _checks.is_int(axis):
            raise TypeError(f"cumsum: axis must be None or an int, got {type(axis).__name__}: {axis!r}")
        a = self.data
        ax = _checks.axis(axis, a.ndim, "cumsum")
        return _result(np.cumsum(a, axis=ax), "cumsum", _cumsum_rule, self, None, ax)  # type: ignore[arg-type]

    def diff(self, n: int = 1, axis: int = -1) -> "Tensor":
        """The n-th differences along ``axis``: ``x[1:] - x[:-1]``, n times (n=0: the tensor)."""
        k = _checks.count(n, "n", "diff")
        a = self.data
        ax = _checks.axis(axis, a.ndim, "diff")
        if k == 0:
            return self  # type: ignore[return-value]  # numpy's diff gives its input back too
        # n >= the axis' length leaves nothing (numpy would still run n passes); fewer passes
        # each touch the whole tensor, forward and backward
        passes = min(k, a.shape[ax])
        _checks.fits(passes * a.size, a.itemsize, f"n={k} (passes over {a.size} elements)", "diff")
        return _result(np.diff(a, n=passes, axis=ax), "diff", _diff_rule, self, None, (k, ax))  # type: ignore[arg-type]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:45] + "..." + text[-10:]


def _np_pad(array: Any, pad_width: Any, mode: Any = "constant", constant_values: Any = 0.0) -> Any:
    if not (isinstance(mode, str) and mode == "constant"):
        raise ValueError(f"pad: only mode 'constant' (with constant_values) is supported, got mode {mode!r}")
    return array.pad(pad_width, constant_values)


_NUMPY: Dict[Any, Callable[..., Any]] = {
    np.repeat: lambda a, repeats, axis=None: a.repeat(repeats, axis),
    np.tile: lambda A, reps: A.tile(reps),
    np.pad: _np_pad,
    np.cumsum: lambda a, axis=None: a.cumsum(axis),
    np.diff: lambda a, n=1, axis=-1: a.diff(n, axis),
}
FUNCTIONS.update(_NUMPY)
