"""numpy's joins and products made of other ops: vstack, hstack, column_stack, append,
atleast_1d/2d/3d, kron, inner, cross; and PyTorch's ``gather`` and ``scatter`` (``take_along_axis``
and ``put_along_axis`` with ``dim``).

Each is a composition of rows of the op table (reshape, concatenate, einsum, getitem, ``*``),
so its gradient, of any order, is theirs and its graph shows what it is made of.  Arguments are
Tensors, arrays or numbers (a constant); numpy's functions of Tensors run these
(``np.vstack([t, u])``).

>>> from autograd_lite import Tensor
>>> a = Tensor([1.0, 2.0], requires_grad=True)
>>> kron(a, Tensor([1.0, 10.0])).data.tolist()
[1.0, 10.0, 2.0, 20.0]
>>> inner(a, a).backward()                 # d(a·a)/da = 2a
>>> a.grad.tolist()
[2.0, 4.0]
"""

from __future__ import annotations

from typing import Any, List, Sequence, Union

import numpy as np

from . import checks as _checks
from .activation import LAST, axis_or_dim
from .tensor import Tensor, _operand, _tensors
from .tensor._node import _Node
from .tensor.numpy_api import FUNCTIONS

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "vstack", "hstack", "column_stack", "append",
           "kron", "inner", "cross", "gather", "scatter"]


def _one(x: Any, op: str) -> Tensor:
    return x if isinstance(x, _Node) else _operand(x, Tensor(0.0), op)  # type: ignore[return-value]


def _at_least(arys: Sequence[Any], shape_of: Any, op: str) -> Union[Tensor, List[Tensor]]:
    if not arys:
        raise TypeError(f"{op}: expected at least one Tensor or array")
    ts = [_one(x, op) for x in arys]
    out = [t if shape_of(t.shape) == t.shape else t.reshape(shape_of(t.shape)) for t in ts]
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys: Any) -> Union[Tensor, List[Tensor]]:
    """Each argument with at least one axis (a number becomes shape (1,)); one in, one out."""
    return _at_least(arys, lambda s: s if len(s) >= 1 else (1,), "atleast_1d")


def atleast_2d(*arys: Any) -> Union[Tensor, List[Tensor]]:
    """At least two axes: () -> (1, 1), (n,) -> (1, n)."""
    return _at_least(arys, lambda s: s if len(s) >= 2 else (1,) * (2 - len(s)) + s, "atleast_2d")


def atleast_3d(*arys: Any) -> Union[Tensor, List[Tensor]]:
    """At least three axes: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    def shape(s: tuple) -> tuple:
        return s if len(s) >= 3 else {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[len(s)]
    return _at_least(arys, shape, "atleast_3d")


def _listed(tup: Any, op: str) -> List[Any]:
    if isinstance(tup, _Node) or not isinstance(tup, (list, tuple)) or not tup:
        raise TypeError(f"{op}: expected a non-empty list or tuple of Tensors (or arrays)")
    return list(tup)


def _concat(ts: Sequence[Tensor], axis: int, op: str) -> Tensor:
    from .tensor.joins import concatenate

    first = ts[0].ndim
    if any(t.ndim != first for t in ts):
        raise ValueError(f"{op}: the pieces have shapes {[t.shape for t in ts]}; they need the same "
                         "number of dimensions")
    return concatenate(ts, axis=axis)


def vstack(tup: Sequence[Any]) -> Tensor:
    """Rows on top of each other: 1-D pieces become rows, then ``concatenate(axis=0)``."""
    items = _listed(tup, "vstack")
    return _concat([atleast_2d(x) for x in _tensors(items, "vstack")], 0, "vstack")  # type: ignore[misc]


def hstack(tup: Sequence[Any]) -> Tensor:
    """Side by side: along axis 1, or axis 0 for 1-D pieces (numpy's hstack)."""
    ts = [atleast_1d(x) for x in _tensors(_listed(tup, "hstack"), "hstack")]
    return _concat(ts, 0 if ts[0].ndim == 1 else 1, "hstack")  # type: ignore[union-attr, arg-type]


def column_stack(tup: Sequence[Any]) -> Tensor:
    """1-D pieces as columns (and 2-D ones as they are), side by side."""
    ts = _tensors(_listed(tup, "column_stack"), "column_stack")
    return _concat([t.reshape(-1, 1) if t.ndim < 2 else t for t in ts], 1, "column_stack")


def append(arr: Any, values: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """numpy's append: ``values`` after ``arr``, both flattened when ``axis`` (or ``dim``) is None,
    else joined along ``axis`` (same number of dimensions)."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"append: got both axis={axis!r} and dim={dim!r}; they are the same argument "
                            "(numpy's and PyTorch's name): give one")
        axis = dim
    a, v = _tensors([arr, values], "append")
    if axis is None:
        return _concat([a.reshape(-1), v.reshape(-1)], 0, "append")
    return _concat([a, v], _checks.axis(axis, a.ndim, "append"), "append")


def kron(a: Any, b: Any) -> Tensor:
    """The Kronecker product: every element of ``a`` times the whole of ``b``, in ``a``'s block
    layout (numpy's kron; the shorter shape gets leading 1s)."""
    x, y = _tensors([a, b], "kron")
    n = max(x.ndim, y.ndim)
    sx, sy = (1,) * (n - x.ndim) + x.shape, (1,) * (n - y.ndim) + y.shape
    _checks.fits(int(np.prod([p * q for p, q in zip(sx, sy)], dtype=object)), x.data.itemsize,
                 f"shapes {x.shape} and {y.shape}", "kron")
    wide = x.reshape(tuple(k for p in sx for k in (p, 1))) * y.reshape(tuple(k for q in sy for k in (1, q)))
    return wide.reshape(tuple(p * q for p, q in zip(sx, sy)))


def inner(a: Any, b: Any) -> Tensor:
    """numpy's inner: sums of products over the last axes (a number times a tensor for 0-d)."""
    x, y = _tensors([a, b], "inner")
    if x.ndim == 0 or y.ndim == 0:
        return x * y
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"inner: the last axes differ: shapes {x.shape} and {y.shape}")
    n = x.shape[-1]
    flat = x.reshape(-1, n) @ y.reshape(-1, n).T
    return flat.reshape(x.shape[:-1] + y.shape[:-1])


def cross(a: Any, b: Any, axis: Any = LAST, *, dim: Any = None) -> Tensor:
    """The cross product of 3-vectors along ``axis`` (or ``dim``; default the last), broadcast over
    the other axes."""
    from .tensor.joins import stack

    axis = axis_or_dim(axis, dim, "cross")
    x, y = _tensors([a, b], "cross")
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("cross: needs vectors of 3 components, got a 0-d tensor")
    p, q = _checks.axis(axis, x.ndim, "cross"), _checks.axis(axis, y.ndim, "cross")
    if x.shape[p] != 3 or y.shape[q] != 3:
        raise ValueError(f"cross: needs vectors of 3 components along axis {axis}, got shapes "
                         f"{x.shape} and {y.shape}")
    u, v = x.moveaxis(p, -1), y.moveaxis(q, -1)
    try:
        np.broadcast_shapes(u.shape, v.shape)
    except ValueError:
        raise ValueError(f"cross: shapes {x.shape} and {y.shape} cannot be broadcast together") from None
    c = [u[..., 1] * v[..., 2] - u[..., 2] * v[..., 1],
         u[..., 2] * v[..., 0] - u[..., 0] * v[..., 2],
         u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]]
    out = stack(c, axis=-1)
    return out.moveaxis(-1, _checks.axis(axis, out.ndim, "cross"))


def gather(input: Tensor, dim: Any, index: Any) -> Tensor:
    """PyTorch's gather: ``out[i][j] = input[index[i][j]][j]`` along ``dim`` (``dim=0``);
    :meth:`Tensor.take_along_axis` under PyTorch's name and argument order."""
    return _one(input, "gather").take_along_axis(index, dim)


def scatter(input: Tensor, dim: Any, index: Any, src: Any) -> Tensor:
    """PyTorch's scatter (out of place): a copy of ``input`` with ``src`` written at ``index``
    along ``dim``; :meth:`Tensor.put_along_axis` (an index repeated along ``dim`` is refused)."""
    return _one(input, "scatter").put_along_axis(index, src, dim)  # type: ignore[attr-defined, no-any-return]


# numpy's parameter names are these functions' own (the gate binds numpy's call to them)
FUNCTIONS.update({
    np.atleast_1d: atleast_1d, np.atleast_2d: atleast_2d, np.atleast_3d: atleast_3d, np.vstack: vstack,
    np.hstack: hstack, np.column_stack: column_stack, np.append: append, np.kron: kron, np.inner: inner,
    np.cross: lambda a, b, axis=-1: cross(a, b, axis),
})
