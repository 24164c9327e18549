"""numpy functions on Tensors: ``np.exp(t)``, ``np.sum(t, axis=0)``, ``ndarray + t`` build graph.

Tensor implements numpy's two dispatch protocols (NEP 13 ``__array_ufunc__`` and NEP 18
``__array_function__``).  A numpy function given a Tensor runs the Tensor op of the same
name, so derivative rules written with numpy functions build graph when handed Tensors:
that is how one rule serves first-order (arrays) and higher-order (Tensors) derivatives.

Functions without a Tensor op run on the data when their answer is not a float array
(``np.shape``, ``np.allclose``, comparisons: nothing to differentiate) and are refused
when it would be (a silently detached result would be a wrong derivative).
"""

from __future__ import annotations

from typing import Any, Callable, Dict

import numpy as np

from ._node import _Node, _operand


def _binary(method: str, symbol: str) -> Callable[..., Any]:
    def f(x: Any, y: Any) -> Any:
        if isinstance(x, _Node):
            return getattr(x, method)(y)
        return getattr(_operand(x, y, symbol), method)(y)  # an array or number on the left

    return f


#: numpy ufunc -> the Tensor operation it runs (the ufunc's inputs as arguments).
UFUNCS: Dict[Any, Callable[..., Any]] = {
    np.add: _binary("__add__", "+"),
    np.subtract: _binary("__sub__", "-"),
    np.multiply: _binary("__mul__", "*"),
    np.true_divide: _binary("__truediv__", "/"),
    np.power: _binary("__pow__", "**"),
    np.matmul: _binary("__matmul__", "@"),
    np.negative: lambda x: -x,
    np.positive: lambda x: x,
    np.absolute: lambda x: x.abs(),
    np.exp: lambda x: x.exp(),
    np.log: lambda x: x.log(),
    np.sqrt: lambda x: x.sqrt(),
    np.tanh: lambda x: x.tanh(),
    np.sin: lambda x: x.sin(),
    np.cos: lambda x: x.cos(),
    np.square: lambda x: x * x,
}


def _where(condition: Any, x: Any = None, y: Any = None) -> Any:
    from ..functional import where

    if x is None or y is None:
        raise TypeError(
            "np.where: give x and y to select from (np.where(condition) alone "
            "returns indices: use np.where(t.data > 0))"
        )
    return where(np.asarray(condition.data if isinstance(condition, _Node) else condition), x, y)


def _join(name: str) -> Callable[..., Any]:
    def f(arrays: Any, axis: int = 0) -> Any:
        from .. import functional

        return getattr(functional, name)(list(arrays), axis=axis)

    return f


def _reduction(name: str) -> Callable[..., Any]:
    def f(
        a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kwargs: Any
    ) -> Any:
        if dtype is not None or out is not None:
            raise TypeError(
                f"numpy.{name} of a Tensor: dtype= and out= are not supported; cast with t.astype(...) first"
            )
        return getattr(a, name)(axis=axis, keepdims=keepdims, **kwargs)

    return f


#: numpy function -> the Tensor operation it runs (numpy's signature).
FUNCTIONS: Dict[Any, Callable[..., Any]] = {
    np.sum: _reduction("sum"),
    np.mean: _reduction("mean"),
    np.max: _reduction("max"),
    np.amax: _reduction("max"),
    np.min: _reduction("min"),
    np.amin: _reduction("min"),
    np.var: _reduction("var"),
    np.reshape: lambda a, newshape=None, **kw: a.reshape(kw.get("shape", newshape)),
    np.transpose: lambda a, axes=None: a.transpose() if axes is None else a.transpose(axes),
    np.broadcast_to: lambda a, shape, subok=False: a.broadcast_to(shape),
    np.swapaxes: lambda a, axis1, axis2: a.transpose(_swapped(a.ndim, axis1, axis2)),
    np.clip: lambda a, a_min=None, a_max=None, **kw: a.clip(kw.get("min", a_min), kw.get("max", a_max)),
    np.where: _where,
    np.concatenate: _join("concatenate"),
    np.stack: _join("stack"),
}


def _swapped(ndim: int, i: int, j: int) -> tuple:
    from .. import checks

    i, j = checks.axis(i, ndim, "swapaxes"), checks.axis(j, ndim, "swapaxes")
    perm = list(range(ndim))
    perm[i], perm[j] = perm[j], perm[i]
    return tuple(perm)


def _extreme(name: str) -> Callable[..., Any]:
    def f(x: Any, y: Any) -> Any:
        from .. import functional

        return getattr(functional, name)(x, y)

    return f


UFUNCS[np.maximum] = _extreme("maximum")
UFUNCS[np.minimum] = _extreme("minimum")


def _data(x: Any) -> Any:
    if isinstance(x, _Node):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_data(v) for v in x)
    return x


def _refuse_or_plain(name: str, result: Any, args: Any) -> Any:
    """A function with no Tensor op: fine when nothing differentiable comes out."""
    floats = isinstance(result, np.ndarray) and result.dtype.kind in "fc" or isinstance(result, np.floating)
    wants = any(isinstance(x, _Node) and x.requires_grad for x in _flat(args))
    if floats and wants:
        raise TypeError(
            f"numpy.{name}: autograd_lite has no differentiable version of it; use the "
            f"Tensor ops (see docs/api.md), or pass t.data for a constant result"
        )
    return result


def _flat(args: Any) -> Any:
    for x in args:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


class NumpyProtocol:
    """numpy's dispatch hooks for Tensor."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        op = UFUNCS.get(ufunc)
        if method != "__call__" or kwargs.get("out") is not None:
            op = None
        elif op is not None:
            return op(*inputs)
        result = getattr(ufunc, method)(*_data(inputs), **{k: _data(v) for k, v in kwargs.items()})
        return _refuse_or_plain(
            ufunc.__name__ + ("" if method == "__call__" else "." + method), result, inputs
        )

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        op = FUNCTIONS.get(func)
        if op is not None:
            return op(*args, **kwargs)
        result = func(*_data(args), **{k: _data(v) for k, v in kwargs.items()})
        return _refuse_or_plain(func.__name__, result, args)
