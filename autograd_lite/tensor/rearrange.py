"""Ops that read each output element from one place of the input: flip, roll, rot90, diagonal,
diag, tril, triu, take_along_axis, topk, partition, cummax, cummin (numpy's and PyTorch's
meanings); and nan_to_num, which keeps the finite elements.

One mechanism serves them all: the op works out, for every output element, the flat position
of the input it copies (``-1``: a zero, as outside tril's triangle), by running numpy's own
function on the positions ``0, 1, 2, ...``.  The forward is that gather; its gradient sends each
upstream entry back to the position it was read from, summed where a position was read twice
(``add_at``), and the gradient of ``add_at`` is the gather again (``take_at``): every order of
derivative stays inside this pair.

>>> from autograd_lite import Tensor
>>> t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> t.rot90().data.tolist()
[[2.0, 4.0], [1.0, 3.0]]
>>> t.diagonal().sum().backward()          # the trace: 1 on the diagonal
>>> t.grad.tolist()
[[1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

import numpy as np

from .. import checks as _checks
from .. import ops as _ops
from ._node import _Node, _result
from .numpy_api import FUNCTIONS

if TYPE_CHECKING:
    from .core import Tensor

Saved = Tuple[np.ndarray, Tuple[int, ...]]  # (flat positions read, -1 for a zero; the gathered shape)


# --------------------------------------------------------------------------- the pair
def _gathered(a: np.ndarray, index: np.ndarray) -> np.ndarray:
    flat = a.reshape(-1)
    if index.size and index.min() < 0:
        if not flat.size:
            return np.zeros(index.shape, a.dtype)
        return np.where(index >= 0, flat[np.maximum(index, 0)], a.dtype.type(0))
    return flat[index]


def take_at(x: Any, index: np.ndarray, op: str = "take_at") -> Any:
    """``x`` read at the flat positions ``index`` (an array of the output's shape; -1 gives 0):
    an array, or for a Tensor a graph node named ``op``."""
    if isinstance(x, _Node):
        return _result(_gathered(x.data, index), op, _take_rule, x, None, (index, x.data.shape))  # type: ignore[arg-type]
    return _gathered(x, index)


def add_at(g: Any, index: np.ndarray, shape: Tuple[int, ...]) -> Any:
    """The adjoint of :func:`take_at`: an array of ``shape`` with each entry of ``g`` added at its
    position (entries at -1 dropped)."""
    if isinstance(g, _Node):
        return _result(add_at(g.data, index, shape), "add_at", _add_rule, g, None, (index, shape))  # type: ignore[arg-type]
    size = 1
    for n in shape:
        size *= n
    keep = index >= 0
    pos, w = (index, g) if keep.all() else (index[keep], np.broadcast_to(g, index.shape)[keep])
    w = np.broadcast_to(w, pos.shape).reshape(-1)
    total = np.bincount(pos.reshape(-1), weights=w.astype(np.float64, copy=False), minlength=size)
    return total.astype(g.dtype, copy=False).reshape(shape)


def _take_rule(g: Any, a: Any, out: Any, saved: Saved) -> Any:
    return add_at(g, saved[0], saved[1])


def _add_rule(g: Any, a: Any, out: Any, saved: Saved) -> Any:
    return take_at(g, saved[0])


def _mask_rule(g: Any, a: Any, out: Any, mask: np.ndarray) -> Any:
    return g * mask


_GATHERS = {
    "flip": "the elements in reverse order along the axes",
    "roll": "the elements shifted cyclically along the axes",
    "rot90": "rotated by 90° k times in the plane of two axes",
    "diagonal": "the diagonal of two axes (offset above or below)",
    "diag": "a vector on a matrix's diagonal, or a matrix's diagonal",
    "tril": "the lower triangle (zeros above the k-th diagonal)",
    "triu": "the upper triangle (zeros below the k-th diagonal)",
    "take_along_axis": "the elements at the given indices along an axis (PyTorch's gather)",
    "topk": "the k largest (or smallest) along an axis",
    "partition": "the k-th element in its sorted place, smaller ones before, larger after",
    "cummax": "the running maximum along an axis",
    "cummin": "the running minimum along an axis",
    "take_at": "the input read at recorded positions (the gradient of add_at)",
}
for _name, _doc in _GATHERS.items():
    _ops.register(_ops.Op(_name, 1, f"{_name}({{a}})", ("",), (), doc=_doc,
                          sends=("g added back where each element was read",), kinds=("Tensor",),
                          vjp=_take_rule, again=lambda n, ps: take_at(ps[0], n._saved[0], n.op)))
_ops.register(_ops.Op("add_at", 1, "add_at({a})", ("",), (), doc="g added at recorded positions "
                      "(the gradient of every gather above)", sends=("g read back at those positions",),
                      kinds=("Tensor",), vjp=_add_rule, again=lambda n, ps: add_at(ps[0], *n._saved)))
_ops.register(_ops.Op("nan_to_num", 1, "nan_to_num({a})", ("",), (), doc="NaN and ±inf replaced by numbers",
                      sends=("g where the element is finite, else 0",), kinds=("Tensor",), vjp=_mask_rule,
                      again=lambda n, ps: ps[0] * n._saved))


def _positions(shape: Tuple[int, ...]) -> np.ndarray:
    return np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.intp).reshape(shape)


def _int(value: Any, name: str, op: str) -> int:
    if not _checks.is_int(value):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__}: {value!r}")
    return int(value)


def _at_least(a: np.ndarray, ndim: int, op: str) -> None:
    if a.ndim < ndim:
        raise ValueError(f"{op}: needs a tensor with at least {ndim} dimensions, got shape {a.shape}")


def _two_axes(axis1: Any, axis2: Any, ndim: int, op: str) -> Tuple[int, int]:
    p, q = _checks.axis(axis1, ndim, op, "axis1"), _checks.axis(axis2, ndim, op, "axis2")
    if p == q:
        raise ValueError(f"{op}: axis1 and axis2 must be different axes, got {axis1} and {axis2}")
    return p, q


class RearrangeOps:
    """flip ... cummin and nan_to_num of a Tensor (see the module notes)."""

    __slots__ = ()
    data: np.ndarray

    def _gather(self, op: str, index: np.ndarray) -> "Tensor":
        return take_at(self, index, op)  # type: ignore[no-any-return]

    def flip(self, axis: Any = None) -> "Tensor":
        """The elements in reverse order along ``axis`` (None: every axis; an int or a tuple)."""
        a = self.data
        ax = _checks.axes(axis, a.ndim, "flip")
        return self._gather("flip", np.flip(_positions(a.shape), ax))

    def flipud(self) -> "Tensor":
        """Rows upside down: ``flip(axis=0)``."""
        _at_least(self.data, 1, "flipud")
        return self.flip(0)

    def fliplr(self) -> "Tensor":
        """Columns left to right: ``flip(axis=1)``."""
        _at_least(self.data, 2, "fliplr")
        return self.flip(1)

    def roll(self, shift: Any, axis: Any = None) -> "Tensor":
        """numpy's roll: each element moves ``shift`` places along ``axis`` (None: the flattened
        tensor, reshaped back), those falling off the end coming back at the start."""
        a = self.data
        if axis is None:
            k = _int(shift, "shift", "roll")
            n = a.size
            return self._gather("roll", np.roll(_positions((n,)), k % n if n else 0).reshape(a.shape))
        ax = (axis,) if _checks.is_int(axis) else tuple(axis) if isinstance(axis, (tuple, list)) else None
        if ax is None:
            raise TypeError(f"roll: axis must be None, an int or a tuple of ints, got {axis!r}")
        axes = tuple(_checks.axis(k, a.ndim, "roll") for k in ax)
        if not (_checks.is_int(shift) or isinstance(shift, (tuple, list))):
            raise TypeError(f"roll: shift must be an int or a tuple of ints, got {shift!r}")
        shifts = (shift,) * len(axes) if _checks.is_int(shift) else tuple(shift)
        if len(shifts) != len(axes):
            raise ValueError(f"roll: shift {shift!r} must be an int or one int per axis {tuple(ax)!r}")
        small = tuple(_int(s, "shift", "roll") % max(a.shape[k], 1) for s, k in zip(shifts, axes))
        return self._gather("roll", np.roll(_positions(a.shape), small, axes))

    def rot90(self, k: Any = 1, axes: Any = (0, 1)) -> "Tensor":
        """numpy's rot90: rotated by 90° ``k`` times, from the first axis of ``axes`` towards the second."""
        a = self.data
        turns = _int(k, "k", "rot90") % 4
        if not (isinstance(axes, (tuple, list)) and len(axes) == 2):
            raise ValueError(f"rot90: axes must be a pair of axes, got {axes!r}")
        _at_least(a, 2, "rot90")
        p, q = _two_axes(axes[0], axes[1], a.ndim, "rot90")
        return self._gather("rot90", np.rot90(_positions(a.shape), turns, (p, q)))

    def diagonal(self, offset: Any = 0, axis1: Any = 0, axis2: Any = 1) -> "Tensor":
        """numpy's diagonal: the elements ``[i, i + offset]`` of the axes ``axis1``, ``axis2``, as
        the last axis of the result."""
        a = self.data
        _at_least(a, 2, "diagonal")
        p, q = _two_axes(axis1, axis2, a.ndim, "diagonal")
        off = max(-a.shape[p], min(_int(offset, "offset", "diagonal"), a.shape[q]))  # beyond: empty
        return self._gather("diagonal", np.diagonal(_positions(a.shape), off, p, q).copy())

    def trace(self, offset: Any = 0, axis1: Any = 0, axis2: Any = 1) -> "Tensor":
        """The sum of :meth:`diagonal` (numpy's trace)."""
        return self.diagonal(offset, axis1, axis2).sum(axis=-1)  # type: ignore[no-any-return, attr-defined]

    def diag(self, k: Any = 0) -> "Tensor":
        """numpy's diag: a vector laid on the ``k``-th diagonal of a square matrix of zeros, or a
        matrix's ``k``-th diagonal."""
        a = self.data
        off = _int(k, "k", "diag")
        if a.ndim == 2:
            return self.diagonal(off)
        if a.ndim != 1:
            raise ValueError(f"diag: needs a 1-D or 2-D tensor, got shape {a.shape}")
        n = a.shape[0]
        m = n + abs(off)
        _checks.fits(m * m, a.itemsize, f"k={off} (a {m}x{m} matrix)", "diag")
        index = np.full((m, m), -1, np.intp)
        rows = np.arange(n) + max(-off, 0)
        index[rows, rows + off] = np.arange(n)
        return self._gather("diag", index)

    def _triangle(self, op: str, k: Any, lower: bool) -> "Tensor":
        a = self.data
        _at_least(a, 2, op)
        r, c = a.shape[-2:]
        off = max(-r - 1, min(_int(k, "k", op), c + 1))
        keep = np.tri(r, c, off, dtype=bool) if lower else ~np.tri(r, c, off - 1, dtype=bool)
        return self._gather(op, np.where(keep, _positions(a.shape), -1))

    def tril(self, k: Any = 0) -> "Tensor":
        """The lower triangle of the last two axes: zeros above the ``k``-th diagonal."""
        return self._triangle("tril", k, True)

    def triu(self, k: Any = 0) -> "Tensor":
        """The upper triangle of the last two axes: zeros below the ``k``-th diagonal."""
        return self._triangle("triu", k, False)

    def take_along_axis(self, indices: Any, axis: Any = -1) -> "Tensor":
        """numpy's take_along_axis (PyTorch's ``gather``): ``out[..., i, ...] = t[..., indices[..., i,
        ...], ...]`` along ``axis`` (None: of the flattened tensor, ``indices`` 1-D); an index may
        repeat (its element's gradient is the sum)."""
        if axis is None:
            return self.reshape(-1).take_along_axis(indices, 0)  # type: ignore[attr-defined, no-any-return]
        a = self.data
        ax = _checks.axis(axis, a.ndim, "take_along_axis")
        idx = _index_array(indices, a, ax, "take_along_axis")
        return self._gather("take_along_axis", np.take_along_axis(_positions(a.shape), idx, ax))

    def topk(self, k: Any, axis: Any = -1, largest: Any = True,
             sorted: Any = True) -> Tuple["Tensor", np.ndarray]:
        """PyTorch's topk: ``(values, indices)`` of the ``k`` largest (``largest=False``: smallest)
        along ``axis``, largest first (smallest first); NaN counts as the largest, as there."""
        a = self.data
        _at_least(a, 1, "topk")
        ax = _checks.axis(axis, a.ndim, "topk")
        n = a.shape[ax]
        kk = _checks.count(k, "k", "topk")
        if kk > n:
            raise ValueError(f"topk: k={kk} is more than the {n} elements along axis {axis}")
        big = _checks.flag(largest, "largest", "topk")
        _checks.flag(sorted, "sorted", "topk")  # the order is always sorted (allowed by PyTorch)
        order = np.argsort(a, axis=ax, kind="stable")
        if big:
            order = np.flip(order, ax)
        idx = np.take(order, np.arange(kk), axis=ax)
        return self._gather("topk", np.take_along_axis(_positions(a.shape), idx, ax)), idx

    def partition(self, kth: Any, axis: Any = -1) -> "Tensor":
        """numpy's partition (through argpartition): the ``kth`` smallest in its sorted place,
        the smaller before it and the larger after, along ``axis``."""
        a = self.data
        ax = _checks.axis(axis, a.ndim, "partition")
        n = a.shape[ax]
        k = _int(kth, "kth", "partition")
        if not -n <= k < n:
            raise ValueError(f"partition: kth {k} is out of range for {n} elements along axis {ax}")
        idx = np.argpartition(a, k, axis=ax)
        return self._gather("partition", np.take_along_axis(_positions(a.shape), idx, ax))

    def _running(self, op: str, axis: Any, bigger: bool) -> Tuple["Tensor", np.ndarray]:
        a = self.data
        _at_least(a, 1, op)
        ax = _checks.axis(axis, a.ndim, op)
        best = (np.maximum if bigger else np.minimum).accumulate(a, axis=ax)
        shape = [1] * a.ndim
        shape[ax] = a.shape[ax]
        steps = np.arange(a.shape[ax]).reshape(shape)
        # the last place up to here holding the running extreme (a tie moves it on, as PyTorch)
        idx = np.maximum.accumulate(np.where((a == best) | (a != a), steps, -1), axis=ax)
        return self._gather(op, np.take_along_axis(_positions(a.shape), idx, ax)), idx

    def cummax(self, axis: Any) -> Tuple["Tensor", np.ndarray]:
        """PyTorch's cummax: ``(values, indices)`` of the running maximum along ``axis`` (a NaN
        stays the maximum once met)."""
        return self._running("cummax", axis, True)

    def cummin(self, axis: Any) -> Tuple["Tensor", np.ndarray]:
        """PyTorch's cummin: ``(values, indices)`` of the running minimum along ``axis``."""
        return self._running("cummin", axis, False)

    def nan_to_num(self, nan: Any = 0.0, posinf: Any = None, neginf: Any = None) -> "Tensor":
        """numpy's nan_to_num: NaN becomes ``nan``, +inf ``posinf`` and -inf ``neginf`` (default:
        the largest and smallest float of the dtype); the gradient passes where x is finite."""
        a = self.data
        fills = [None if v is None else _checks.real_number(v, "nan_to_num") for v in (nan, posinf, neginf)]
        data = np.nan_to_num(a, copy=True, nan=fills[0], posinf=fills[1], neginf=fills[2])  # type: ignore[arg-type]
        return _result(data, "nan_to_num", _mask_rule, self, None,  # type: ignore[arg-type]
                       np.isfinite(a).astype(a.dtype))

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> np.ndarray:
        """numpy's isclose of the numbers (a boolean array, no graph)."""
        b = other.data if isinstance(other, _Node) else other
        return np.isclose(self.data, b, rtol, atol, _checks.flag(equal_nan, "equal_nan", "isclose"))


def _index_array(indices: Any, a: np.ndarray, ax: int, op: str) -> np.ndarray:
    """Integer indices with ``a``'s number of dimensions, each within ``-n .. n-1`` along ``ax``."""
    if isinstance(indices, _Node):
        raise TypeError(f"{op}: indices must be an int array, not a Tensor (use t.data.astype(int))")
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be ints, got dtype {idx.dtype}")
    if idx.ndim != a.ndim:
        raise ValueError(f"{op}: indices need {a.ndim} dimensions like the tensor, got shape {idx.shape}")
    n = a.shape[ax]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise ValueError(f"{op}: index {bad} is out of range for {n} elements along axis {ax}")
    try:
        np.broadcast_shapes(tuple(k for i, k in enumerate(a.shape) if i != ax),
                            tuple(k for i, k in enumerate(idx.shape) if i != ax))
    except ValueError:
        raise ValueError(f"{op}: indices of shape {idx.shape} do not fit a tensor of shape {a.shape} "
                         f"outside axis {ax}") from None
    return idx


def _np_trace(a: Any, offset: Any = 0, axis1: Any = 0, axis2: Any = 1) -> Any:
    return a.trace(offset, axis1, axis2)


def _np_nan_to_num(x: Any, copy: Any = True, nan: Any = 0.0, posinf: Any = None, neginf: Any = None) -> Any:
    return x.nan_to_num(nan, posinf, neginf)


FUNCTIONS.update({
    np.flip: lambda m, axis=None: m.flip(axis),
    np.flipud: lambda m: m.flipud(),
    np.fliplr: lambda m: m.fliplr(),
    np.roll: lambda a, shift, axis=None: a.roll(shift, axis),
    np.rot90: lambda m, k=1, axes=(0, 1): m.rot90(k, axes),
    np.diagonal: lambda a, offset=0, axis1=0, axis2=1: a.diagonal(offset, axis1, axis2),
    np.trace: _np_trace,
    np.diag: lambda v, k=0: v.diag(k),
    np.tril: lambda m, k=0: m.tril(k),
    np.triu: lambda m, k=0: m.triu(k),
    np.take_along_axis: lambda arr, indices, axis: arr.take_along_axis(indices, axis),
    np.partition: lambda a, kth, axis=-1: a.partition(kth, axis),
    np.nan_to_num: _np_nan_to_num,
})
