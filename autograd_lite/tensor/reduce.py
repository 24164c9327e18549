"""Reductions: sum, mean, max, min, var.

A reduction's rule copies the upstream back over the reduced axes (``broadcast_to`` of it
reshaped with the reduced axes kept as 1), scaled by what each element contributed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence, Tuple, Union

import numpy as np

from .. import checks as _checks
from .. import ops as _ops
from ._node import _add_reduce, _Node, _result, value_of
from .numpy_api import FUNCTIONS, _reduction

if TYPE_CHECKING:
    from .core import Tensor

Axis = Union[None, int, Sequence[int]]


def _saved(a: np.ndarray, axis: Optional[Tuple[int, ...]]) -> tuple:
    """(axis, keepdims shape, number of elements reduced) for a reduction's rule."""
    if axis is None:
        return None, (1,) * a.ndim, a.size
    kshape = tuple(1 if i in axis else n for i, n in enumerate(a.shape))
    return axis, kshape, int(np.prod([a.shape[i] for i in axis]))


_SMALL = 4096  # elements: a copy this size costs less than broadcast_to's Python wrapper (~2 µs)


def _spread(g: Any, shape: Tuple[int, ...], size: int) -> Any:
    """``g`` (reduced axes kept as 1) copied back over ``shape``: for a small array a fresh
    one filled in C, else a read-only broadcast view (and graph for a Tensor)."""
    if size <= _SMALL and type(g) is np.ndarray:
        spread = np.empty(shape, g.dtype)
        spread[...] = g
        return spread
    return np.broadcast_to(g, shape)


def _sum_rule(g: Any, a: Any, out: Any, saved: tuple) -> Any:
    return _spread(g.reshape(saved[1]), a.shape, a.size)


def _mean_rule(g: Any, a: Any, out: Any, saved: tuple) -> Any:
    return _spread(g.reshape(saved[1]) / saved[2], a.shape, a.size)


def _extreme_rule(g: Any, a: Any, out: Any, saved: tuple) -> Any:
    # ties share the gradient evenly: mask / (number of tied extremes), a constant
    axis, kshape = saved[0], saved[1]
    mask = np.asarray(value_of(a) == value_of(out).reshape(kshape))  # 0-d: numpy gives a bool
    share = mask / mask.sum(axis=axis, keepdims=True, dtype=g.dtype)
    return share * g.reshape(kshape)


def _var_rule(g: Any, a: Any, out: Any, saved: tuple) -> Any:
    # d var / dx_i = 2 (x_i - mean) / (N - ddof)
    axis, kshape, count, ddof = saved
    centred = a - a.mean(axis=axis, keepdims=True)
    return centred * (g.reshape(kshape) * (2.0 / (count - ddof)))


def _std_rule(g: Any, a: Any, out: Any, saved: tuple) -> Any:
    # d std / dx_i = (x_i - mean) / ((N - ddof) std); where std = 0 the gradient is 0, as
    # PyTorch's: the division is by 1 there and a mask zeroes it, so on Tensors
    # (create_graph=True) the second derivative is 0 too, not a division by zero
    axis, kshape, count, ddof = saved
    s = out.reshape(kshape)
    flat = value_of(s) == 0
    centred = a - a.mean(axis=axis, keepdims=True)
    if not flat.any():
        return centred * (g.reshape(kshape) / (s * float(count - ddof)))
    from .select import where

    safe = where(flat, 1.0, s) if isinstance(s, _Node) else np.where(flat, 1.0, s)
    return centred * (g.reshape(kshape) / (safe * float(count - ddof))) * (~flat).astype(value_of(s).dtype)


def _prod_rule(g: Any, a: Any, out: Any, saved: tuple) -> Any:
    # d prod / dx_i = the product of the others: exact with zeros (no division by x_i)
    return g.reshape(saved[1]) * _others(a, saved[0])


def _others(a: Any, axis: Optional[Tuple[int, ...]]) -> Any:
    """For every element, the product of the other elements along ``axis`` (None: all).

    On arrays: the product of those before times those after (two cumulative products, O(n)).
    On Tensors (second derivatives): the product of n copies of the slice, each with its own
    element set to 1, so the result is made of differentiable ops (prod, where, broadcast_to).
    """
    ax = tuple(range(a.ndim)) if axis is None else axis
    perm = tuple(i for i in range(a.ndim) if i not in ax) + ax
    moved = a.transpose(perm)
    lead = moved.shape[: a.ndim - len(ax)]
    n = int(np.prod(moved.shape[a.ndim - len(ax):], dtype=np.int64))
    if n == 0:
        return a * 0.0
    flat = moved.reshape(lead + (n,))
    others: Any
    if isinstance(a, _Node):
        from .select import where
        grid = flat.reshape(lead + (1, n)).broadcast_to(lead + (n, n))
        others = where(np.eye(n, dtype=bool), 1.0, grid).prod(axis=-1)
    else:
        ones = np.ones(lead + (1,), a.dtype)
        with np.errstate(invalid="ignore", over="ignore"):  # inf slopes (and 0·inf: NaN) are IEEE's
            before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
            after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
            others = before * after
    return others.reshape(moved.shape).transpose(tuple(int(k) for k in np.argsort(perm)))


def _again(n: Any, ps: Sequence[Any]) -> Any:
    """A reduction re-applied with the axes the node recorded (keepdims from its shape)."""
    kwargs = {"ddof": n._saved[3]} if n.op in ("var", "std") else {}
    return getattr(ps[0], n.op)(axis=n._saved[0], **kwargs).reshape(n.data.shape)


for _name, _rule, _words in (
    ("sum", _sum_rule, "g copied to every element"),
    ("mean", _mean_rule, "g / n copied to every averaged element"),
    ("max", _extreme_rule, "g to the largest elements (ties share it)"),
    ("min", _extreme_rule, "g to the smallest elements (ties share it)"),
    ("var", _var_rule, "g·2({a} - mean)/(n - ddof)"),
    ("std", _std_rule, "g·({a} - mean)/((n - ddof)·std)"),
    ("prod", _prod_rule, "g·(the product of the other elements)"),
):
    _ops.register(
        _ops.Op(
            _name,
            1,
            f"{_name}({{a}})",
            ("",),
            (),
            doc=f"{_name} over axes",
            sends=(_words,),
            kinds=("Tensor",),
            vjp=_rule,
            again=_again,
        )
    )


class ReductionOps:
    """Reductions of a Tensor over axes (an int, a tuple, or None for all)."""

    __slots__ = ()
    data: np.ndarray

    def sum(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Sum over ``axis`` (int or tuple; None: all).  Gradient: upstream copied back."""
        a = self.data
        ax = None if axis is None else _checks.axes(axis, a.ndim, "sum")
        # np.add.reduce is what a.sum calls, without the method's Python-level wrapper
        return _result(_add_reduce(a, ax, keepdims=keepdims), "sum", _sum_rule, self, None, _saved(a, ax))

    def mean(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Mean over ``axis``.  Gradient: upstream / N copied back."""
        a = self.data
        ax = _checks.axes(axis, a.ndim, "mean")
        saved = _saved(a, ax)
        if saved[2] == 0:
            raise ValueError(f"mean: no elements to average over axis {axis!r} of shape {a.shape}")
        return _result(a.mean(axis=ax, keepdims=keepdims), "mean", _mean_rule, self, None, saved)

    def max(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Largest element over ``axis``; tied maxima share the gradient evenly."""
        return self._extreme(axis, keepdims, "max")

    def min(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Smallest element over ``axis``; tied minima share the gradient evenly."""
        return self._extreme(axis, keepdims, "min")

    def _extreme(self, axis: Axis, keepdims: bool, op: str) -> "Tensor":
        a = self.data
        ax = _checks.axes(axis, a.ndim, op)
        saved = _saved(a, ax)
        if saved[2] == 0:
            raise ValueError(f"{op}: no elements to reduce over axis {axis!r} of shape {a.shape}")
        data = a.max(axis=ax, keepdims=keepdims) if op == "max" else a.min(axis=ax, keepdims=keepdims)
        return _result(data, op, _extreme_rule, self, None, saved)

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        """Variance over ``axis`` (divides by N - ddof; ddof=0 as numpy, BatchNorm)."""
        a = self.data
        ax = _checks.axes(axis, a.ndim, "var")
        saved = _saved(a, ax)
        ddof = _checks.count(ddof, "ddof", "var")
        if saved[2] - ddof <= 0:
            raise ValueError(
                f"var: needs more than ddof={ddof} elements along axis {axis!r} of shape {a.shape}"
            )
        return _result(
            a.var(axis=ax, keepdims=keepdims, ddof=ddof), "var", _var_rule, self, None, saved + (ddof,)
        )

    def std(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        """Standard deviation over ``axis``: sqrt(var) with N - ddof (numpy's ddof=0 default)."""
        a = self.data
        ax = _checks.axes(axis, a.ndim, "std")
        saved = _saved(a, ax)
        ddof = _checks.count(ddof, "ddof", "std")
        if saved[2] - ddof <= 0:
            raise ValueError(
                f"std: needs more than ddof={ddof} elements along axis {axis!r} of shape {a.shape}"
            )
        return _result(
            a.std(axis=ax, keepdims=keepdims, ddof=ddof), "std", _std_rule, self, None, saved + (ddof,)
        )

    def prod(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Product over ``axis``; gradient: the product of the other elements (exact with zeros).

        >>> from autograd_lite import Tensor
        >>> t = Tensor([2.0, 0.0, 3.0], requires_grad=True)
        >>> t.prod().backward()
        >>> t.grad.tolist()
        [0.0, 6.0, 0.0]
        """
        a = self.data
        ax = _checks.axes(axis, a.ndim, "prod")
        with np.errstate(over="ignore"):  # a product may overflow to inf (IEEE, as sum does)
            data = a.prod(axis=ax, keepdims=keepdims)
        return _result(data, "prod", _prod_rule, self, None, _saved(a, ax))


FUNCTIONS.update({np.prod: _reduction("prod"), np.std: _reduction("std")})
