"""Running products and writes: ``cumprod`` (numpy's), ``logcumsumexp`` (PyTorch's),
``put_along_axis`` (numpy's, out of place:
PyTorch's ``scatter``), and ``logsumexp`` as a method.

cumprod's gradient is exact with zeros: where ``x_i != 0`` it is the reversed running sum of
``g·out`` divided by ``x_i``; where ``x_p = 0`` it is the product of the elements before p times
the sum of ``g_j·(x_(p+1)···x_j)`` over j >= p (a cumprod again).  The rule is written with Tensor
ops (cumsum, cumprod, prod, ``*``), so it runs on arrays and as graph, and derivatives of any order
follow (also across zeros: a slope that is 0 there still has its own derivative).

>>> from autograd_lite import Tensor
>>> t = Tensor([2.0, 0.0, 3.0], requires_grad=True)
>>> t.cumprod().data.tolist()
[2.0, 0.0, 0.0]
>>> t.cumprod().sum().backward()          # d(2 + 2x + 2x·3)/dx = 8 at x = 0
>>> t.grad.tolist()
[1.0, 8.0, 0.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

import numpy as np

from .. import checks as _checks
from .. import ops as _ops
from ._node import _Node, _operand, _result
from .numpy_api import FUNCTIONS
from .rearrange import _index_array, _positions, take_at

if TYPE_CHECKING:
    from .core import Tensor


def _cumprod(x: Any, axis: int) -> Any:
    return x.cumprod(axis=axis) if isinstance(x, _Node) else np.cumprod(x, axis=axis)  # type: ignore[attr-defined]


def _cumprod_rule(g: Any, a: Any, out: Any, axis: int) -> Any:
    x = a.data if isinstance(a, _Node) else a
    n = x.shape[axis]
    shape = [1] * x.ndim
    shape[axis] = n
    steps = np.arange(n).reshape(shape)
    is_zero = x == 0
    nonzero = (~is_zero).astype(x.dtype)
    back = (slice(None),) * axis + (slice(None, None, -1),)
    # where x_i != 0: sum_{j >= i} g_j out_j / x_i (exact to any order: out is the node itself)
    total = (g * out)[back].cumsum(axis=axis)[back] * nonzero / (a * nonzero + (1.0 - nonzero))
    places = np.unique(np.nonzero(is_zero)[axis])
    _checks.fits(len(places) * x.size, x.itemsize, f"{len(places)} places holding a 0 along axis {axis}",
                 "cumprod's gradient")
    for p in places:  # where x_p = 0: (x_0 ··· x_(p-1)) · sum_{j >= p} g_j (x_(p+1) ··· x_j)
        at = ((steps == p) & is_zero).astype(x.dtype)
        before = (steps < p).astype(x.dtype)
        after = (steps > p).astype(x.dtype)
        head = (a * before + (1.0 - before)).prod(axis=axis, keepdims=True)
        rest = _cumprod(a * after + (1.0 - after), axis)
        total = total + at * head * (g * rest * (1.0 - before)).sum(axis=axis, keepdims=True)
    return total


def _last(x: Any, axis: int) -> Any:
    return x.moveaxis(axis, -1) if isinstance(x, _Node) else np.moveaxis(x, axis, -1)  # type: ignore[attr-defined]


def _logcumsumexp_rule(g: Any, a: Any, out: Any, axis: int) -> Any:
    # d out_j / d a_i = exp(a_i - out_j) for j >= i (at most 1): the matrix M[i, j] of those, masked
    # to j >= i with the exponent masked first (exp(0) where j < i), so nothing overflows; g·M^T
    x = a.data if isinstance(a, _Node) else a
    n = x.shape[axis]
    _checks.fits(x.size * n, x.itemsize, f"{n} elements along axis {axis} (an {n}x{n} matrix per row)",
                 "logcumsumexp's gradient")
    upper = np.triu(np.ones((n, n), x.dtype))  # [i, j]: j >= i
    ai = _last(a, axis)[..., :, None]
    oj = _last(out, axis)[..., None, :]
    gj = _last(g, axis)[..., None, :]
    weights = ((ai - oj) * upper).exp() * upper if isinstance(ai, _Node) or isinstance(oj, _Node) \
        else np.exp((ai - oj) * upper) * upper
    grad = (weights * gj).sum(axis=-1)
    return grad.moveaxis(-1, axis) if isinstance(grad, _Node) else np.moveaxis(grad, -1, axis)  # type: ignore


def _put_rule(g: Any, a: Any, b: Any, out: Any, saved: Tuple[np.ndarray, np.ndarray],
              wa: bool, wb: bool) -> tuple:
    keep, pos = saved
    return (g * keep if wa else None, take_at(g, pos) if wb else None)


_ops.register(_ops.Op("cumprod", 1, "cumprod({a})", ("",), (), doc="running products along an axis",
                      sends=("reversed running sums of g·out / a (exact with zeros)",), kinds=("Tensor",),
                      vjp=_cumprod_rule, again=lambda n, ps: ps[0].cumprod(axis=n._saved)))
_ops.register(_ops.Op("logcumsumexp", 1, "logcumsumexp({a})", ("",), (),
                      doc="log of the running sums of exp along an axis, never overflowing",
                      sends=("sum over j >= i of g_j·exp(a_i - out_j)",), kinds=("Tensor",),
                      vjp=_logcumsumexp_rule, again=lambda n, ps: ps[0].logcumsumexp(axis=n._saved)))
_ops.register(_ops.Op("put_along_axis", 2, "put_along_axis({a}, {b})", ("", ""), (),
                      doc="a copy of a with b written at indices along an axis (PyTorch's scatter)",
                      sends=("g where nothing was written", "g read at the places written"),
                      kinds=("Tensor",),
                      vjp=_put_rule, again=lambda n, ps: _put(ps[0], ps[1], n._saved)))


def _put(a: "Tensor", values: "Tensor", saved: Tuple[np.ndarray, np.ndarray]) -> "Tensor":
    keep, pos = saved
    data = a.data.copy()
    data.reshape(-1)[pos.reshape(-1)] = np.broadcast_to(values.data, pos.shape).reshape(-1)
    return _result(data, "put_along_axis", _put_rule, a, values, saved)


class ScanOps:
    """cumprod, put_along_axis and logsumexp of a Tensor."""

    __slots__ = ()
    data: np.ndarray

    def cumprod(self, axis: Any = None) -> "Tensor":
        """Running products along ``axis`` (None: of the flattened tensor, as numpy); the gradient
        is exact where elements are 0 (see the module notes)."""
        if axis is None:
            return self.ravel().cumprod(axis=0)  # type: ignore[attr-defined, no-any-return]
        a = self.data
        ax = _checks.axis(axis, a.ndim, "cumprod")
        with np.errstate(over="ignore"):  # a product may overflow to inf (IEEE, as prod does)
            data = np.cumprod(a, axis=ax)
        return _result(data, "cumprod", _cumprod_rule, self, None, ax)  # type: ignore[arg-type]

    def logcumsumexp(self, axis: Any) -> "Tensor":
        """PyTorch's logcumsumexp: ``log(cumsum(exp(t)))`` along ``axis``, computed with numpy's
        ``logaddexp.accumulate`` (never overflows); the gradient weighs g by ``exp(t_i - out_j)``
        (at most 1), an n×n matrix per row along the axis (bounded by ``checks.MAX_BYTES``)."""
        a = self.data
        ax = _checks.axis(axis, a.ndim, "logcumsumexp")
        with np.errstate(invalid="ignore"):  # inf and -inf give NaN, as PyTorch
            data = np.logaddexp.accumulate(a, axis=ax)
        return _result(data, "logcumsumexp", _logcumsumexp_rule, self, None, ax)  # type: ignore[arg-type]

    def put_along_axis(self, indices: Any, values: Any, axis: Any) -> "Tensor":
        """A copy with ``values`` (broadcast to the indices' shape) written at ``indices`` along
        ``axis``: numpy's put_along_axis without writing in place (PyTorch's ``scatter``).  An index
        may not repeat along the axis (which write would win is an accident of order): refused."""
        a = self.data
        ax = _checks.axis(axis, a.ndim, "put_along_axis")
        idx = _index_array(indices, a, ax, "put_along_axis")
        v = values if isinstance(values, _Node) else _operand(values, self, "put_along_axis")
        try:
            np.broadcast_to(v.data, idx.shape)
        except ValueError:
            raise ValueError(f"put_along_axis: values of shape {v.data.shape} do not broadcast to the "
                             f"indices' shape {idx.shape}") from None
        pos = np.take_along_axis(_positions(a.shape), idx, ax)
        if np.unique(pos).size != pos.size:
            raise ValueError("put_along_axis: an index repeats along the axis, so two values would be "
                             "written to one place (which one wins is an accident of order); give each "
                             "place once")
        keep = np.ones(a.size, a.dtype)
        keep[pos.reshape(-1)] = 0
        return _put(self, v, (keep.reshape(a.shape), pos))  # type: ignore[arg-type]

    def logsumexp(self, axis: Any = None, keepdims: bool = False) -> "Tensor":
        """``log(sum(exp(t)))`` over ``axis``, never overflowing: :func:`functional.logsumexp`."""
        from .logsumexp import logsumexp

        return logsumexp(self, axis, keepdims)  # type: ignore[arg-type]


FUNCTIONS[np.cumprod] = lambda a, axis=None: a.cumprod(axis)
