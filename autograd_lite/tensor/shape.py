"""Shape ops: reshape, transpose, indexing, astype, broadcast_to and sum_to.

Each rule is another shape op (reshape ↔ reshape, transpose ↔ its inverse, getitem ↔
scatter, broadcast_to ↔ sum_to), so derivatives of any order stay inside this file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, List, Sequence, Tuple

import numpy as np

from .. import checks as _checks
from .. import ops as _ops
from ..value import Value
from ._node import _Node, _result, _unbroadcast
from .numpy_api import FUNCTIONS

if TYPE_CHECKING:
    from .core import Tensor

Shape = Tuple[int, ...]


def sum_to(x: Any, shape: Shape) -> Any:
    """``x`` summed down to ``shape`` (undoing broadcasting): an array, or a Tensor op."""
    return x.sum_to(shape) if isinstance(x, _Node) else _unbroadcast(x, shape)  # type: ignore[attr-defined]


def scatter(g: Any, index: Any, accumulate: bool, shape: Shape) -> Any:
    """Zeros of ``shape`` with ``g`` placed (added, if ``accumulate``) at ``index``."""
    if isinstance(g, _Node):
        return _result(
            _scatter_array(g.data, index, accumulate, shape),
            "scatter",
            _scatter_rule,
            g,
            None,
            (index, accumulate),
        )
    return _scatter_array(g, index, accumulate, shape)


def _scatter_array(g: np.ndarray, index: Any, accumulate: bool, shape: Shape) -> np.ndarray:
    out = np.zeros(shape, g.dtype)
    if accumulate:  # integer arrays may repeat an element: every copy adds its gradient
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


def _reshape_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return g.reshape(a.shape)


def _transpose_rule(g: Any, a: Any, out: Any, inverse: Any) -> Any:
    return g.transpose(inverse)


def _getitem_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return scatter(g, saved[0], saved[1], a.shape)


def _scatter_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return g[saved[0]]


def _astype_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return g.astype(a.dtype)


def _broadcast_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return sum_to(g, a.shape)


def _sum_to_rule(g: Any, a: Any, out: Any, saved: Any) -> Any:
    return np.broadcast_to(g, a.shape)


for _row in (
    ("reshape", _reshape_rule, "g reshaped back", lambda n, ps: ps[0].reshape(n.data.shape)),
    (
        "transpose",
        _transpose_rule,
        "g transposed back",
        lambda n, ps: ps[0].transpose(tuple(int(k) for k in np.argsort(n._saved))),
    ),
    (
        "getitem",
        _getitem_rule,
        "g placed at the selected elements, 0 elsewhere",
        lambda n, ps: ps[0][n._saved[0]],
    ),
    ("scatter", _scatter_rule, "g at the placed elements",
     lambda n, ps: scatter(ps[0], n._saved[0], n._saved[1], n.data.shape)),
    ("astype", _astype_rule, "g cast back", lambda n, ps: ps[0].astype(n.data.dtype)),
    (
        "broadcast_to",
        _broadcast_rule,
        "g summed over the copies",
        lambda n, ps: ps[0].broadcast_to(n.data.shape),
    ),
    ("sum_to", _sum_to_rule, "g copied back over the summed axes", lambda n, ps: ps[0].sum_to(n.data.shape)),
):
    _ops.register(
        _ops.Op(
            _row[0],
            1,
            f"{_row[0]}({{a}})",
            ("",),
            (),
            doc=_row[2],
            sends=(_row[2],),
            kinds=("Tensor",),
            vjp=_row[1],
            again=_row[3],
        )
    )


def _shape_arg(shape: Any, op: str) -> Shape:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(shape)


class ShapeOps:
    """Shape changes and indexing of a Tensor."""

    __slots__ = ()
    data: np.ndarray

    def reshape(self, *shape: Any) -> "Tensor":
        """Same elements, new shape (``-1`` infers one size); ``t.reshape(2, 3)`` or ``((2, 3))``."""
        shape = _shape_arg(shape, "reshape")
        try:
            data = self.data.reshape(shape)
        except (ValueError, TypeError) as e:
            raise ValueError(f"reshape: cannot reshape shape {self.data.shape} into {shape} ({e})") from None
        return _result(data, "reshape", _reshape_rule, self)

    def view(self, *shape: Any) -> "Tensor":
        """PyTorch's name for :meth:`reshape` (the data is never copied when it need not be)."""
        return self.reshape(*shape)

    def unsqueeze(self, dim: int) -> "Tensor":
        """A new axis of size 1 at position ``dim`` (``numpy.expand_dims``); -1 appends it."""
        shape = self.data.shape
        k = _checks.axis(dim, len(shape) + 1, "unsqueeze", "dim")
        return self.reshape(shape[:k] + (1,) + shape[k:])

    def flatten(self, start_dim: int = 0) -> "Tensor":
        """Axes from ``start_dim`` on merged into one (``flatten(1)``: (N, C, H, W) -> (N, C*H*W))."""
        shape = self.data.shape
        start = _checks.axis(start_dim, max(len(shape), 1), "flatten", "start_dim")
        return self.reshape(shape[:start] + (-1,))

    def ravel(self) -> "Tensor":
        """The elements as one axis (numpy's ravel; a reshape)."""
        return self.reshape(-1)

    def squeeze(self, axis: Any = None) -> "Tensor":
        """Axes of size 1 removed: all of them, or those of ``axis`` (an int or a tuple)."""
        shape = self.data.shape
        ax = _checks.axes(axis, len(shape), "squeeze")
        if ax is None:
            ax = tuple(i for i, n in enumerate(shape) if n == 1)
        for i in ax:
            if shape[i] != 1:
                raise ValueError(f"squeeze: cannot squeeze axis {i} of shape {shape}: "
                                 f"its size is {shape[i]}, not 1")
        return self.reshape(tuple(n for i, n in enumerate(shape) if i not in ax))

    def expand_dims(self, axis: Any) -> "Tensor":
        """New axes of size 1 at the positions ``axis`` (an int or a tuple) of the result (numpy's)."""
        shape = self.data.shape
        new = 1 if _checks.is_int(axis) else len(axis) if isinstance(axis, (tuple, list)) else 0
        ax = _checks.axes(axis, len(shape) + new, "expand_dims") or ()
        rest = iter(shape)
        return self.reshape(tuple(1 if i in ax else next(rest) for i in range(len(shape) + len(ax))))

    def moveaxis(self, source: Any, destination: Any) -> "Tensor":
        """Axes ``source`` moved to the positions ``destination``, the others keeping their order."""
        nd = self.data.ndim
        src = _axis_list(source, nd, "moveaxis", "source")
        dst = _axis_list(destination, nd, "moveaxis", "destination")
        if len(src) != len(dst):
            raise ValueError(f"moveaxis: source {source!r} and destination {destination!r} "
                             "must name as many axes")
        order = [i for i in range(nd) if i not in src]
        for d, a in sorted(zip(dst, src)):
            order.insert(d, a)
        return self.transpose(tuple(order))

    def swapaxes(self, axis1: int, axis2: int) -> "Tensor":
        """Axes ``axis1`` and ``axis2`` exchanged (a transpose)."""
        nd = self.data.ndim
        i, j = _checks.axis(axis1, nd, "swapaxes", "axis1"), _checks.axis(axis2, nd, "swapaxes", "axis2")
        perm = list(range(nd))
        perm[i], perm[j] = j, i
        return self.transpose(tuple(perm))

    def transpose(self, *axes: Any) -> "Tensor":
        """Axes permuted (none given: reversed).  Gradient: the inverse permutation."""
        a = self.data
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        perm = (
            tuple(range(a.ndim - 1, -1, -1)) if not axes else _checks.permutation(axes, a.ndim, "transpose")
        )
        inverse = tuple(int(k) for k in np.argsort(perm))
        return _result(a.transpose(perm), "transpose", _transpose_rule, self, None, inverse)

    @property
    def T(self) -> "Tensor":
        """The transpose (axes reversed)."""
        return self.transpose()

    def astype(self, dtype: Any) -> "Tensor":
        """The same numbers in another float dtype; the gradient is cast back (differentiable)."""
        dt = _checks.float_dtype(dtype, "astype")
        return _result(self.data.astype(dt), "astype", _astype_rule, self)

    def broadcast_to(self, *shape: Any) -> "Tensor":
        """The tensor copied along new or size-1 axes (numpy's rules); gradient: summed back."""
        shape = _shape_arg(shape, "broadcast_to")
        try:
            data = np.broadcast_to(self.data, shape)
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"broadcast_to: cannot broadcast shape {self.data.shape} to {shape} ({e})"
            ) from None
        return _result(data, "broadcast_to", _broadcast_rule, self)

    def sum_to(self, *shape: Any) -> "Tensor":
        """Summed down to ``shape`` over the axes broadcasting would add or stretch (undoes it)."""
        shape = _shape_arg(shape, "sum_to")
        have = self.data.shape
        try:
            ok = np.broadcast_shapes(shape, have) == have
        except (ValueError, TypeError):
            ok = False
        if not ok:
            raise ValueError(
                f"sum_to: shape {have} cannot be summed to {shape} (it must broadcast to the tensor's shape)"
            )
        return _result(_unbroadcast(self.data, shape), "sum_to", _sum_to_rule, self)

    def __iter__(self) -> Iterator["Tensor"]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d Tensor (it has no rows); use t.item() for its number")
        return (self[i] for i in range(len(self.data)))

    def __getitem__(self, index: Any) -> "Tensor":
        idx, accumulate = _normalize_index(index)
        try:
            data = self.data[idx]
        except (IndexError, ValueError, TypeError) as e:
            raise IndexError(
                f"getitem: index {index!r} is invalid for shape {self.data.shape} ({e})"
            ) from None
        return _result(data, "getitem", _getitem_rule, self, None, (idx, accumulate))


def _axis_list(value: Any, ndim: int, op: str, name: str) -> List[int]:
    """An int or a sequence of distinct ints, as non-negative axes in the given order."""
    items = [value] if _checks.is_int(value) else list(value) if isinstance(value, (tuple, list)) else [value]
    out = [_checks.axis(k, ndim, op, name) for k in items]
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: {name} {value!r} names an axis more than once")
    return out


def _normalize_index(index: Any) -> Tuple[Any, bool]:
    """The index with lists turned into arrays; True if it may repeat elements."""
    items = index if isinstance(index, tuple) else (index,)
    out: List[Any] = []
    accumulate = False
    for k in items:
        if isinstance(k, _Node):
            raise TypeError(
                "getitem: a Tensor cannot be an index (its data is float); "
                "use an integer or boolean numpy array, e.g. t.data.astype(int) or t > 0"
            )
        if isinstance(k, Value):
            raise TypeError("getitem: a Value cannot be an index; use int(v.data)")
        if isinstance(k, list):
            k = np.asarray(k)
            if k.size == 0:
                k = k.astype(np.intp)
        if isinstance(k, np.ndarray) and k.dtype.kind != "b":
            accumulate = True
        out.append(k)
    idx = tuple(out) if isinstance(index, tuple) else out[0]
    return idx, accumulate


__all__: Sequence[str] = ["sum_to", "scatter", "ShapeOps"]


FUNCTIONS.update({
    np.ravel: lambda a: a.ravel(),
    np.squeeze: lambda a, axis=None: a.squeeze(axis),
    np.expand_dims: lambda a, axis: a.expand_dims(axis),
    np.moveaxis: lambda a, source, destination: a.moveaxis(source, destination),
    np.swapaxes: lambda a, axis1, axis2: a.swapaxes(axis1, axis2),
})
