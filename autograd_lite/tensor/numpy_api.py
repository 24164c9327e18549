"""numpy functions on Tensors: ``np.exp(t)``, ``np.sum(t, axis=0)``, ``ndarray + t`` build graph.

Tensor implements numpy's dispatch protocols (NEP 13 ``__array_ufunc__``, NEP 18
``__array_function__``) and its conversion hook ``__array__``.  All three pass through one
gate, so numpy gives a gradient or refuses, never a silently detached number:

* a numpy function with a Tensor op runs that op: keywords the op takes are passed on,
  keywords it does not take are a ``TypeError`` naming the function and the keyword (unless
  they hold numpy's default, or no Tensor involved wants a gradient: then numpy runs on the
  data); derivative rules written with numpy functions build graph
  when handed Tensors, which is how one rule serves first and higher order;
* a function without a Tensor op runs on the data when no float comes out of it
  (``np.shape``, ``np.allclose``, comparisons), or when no Tensor involved wants a
  gradient; otherwise it is a ``TypeError`` (tuple and list results included);
* numpy never writes into a Tensor (``out=t``, ``np.put``, ``np.copyto``, ``np.add.at`` ...),
  and never writes numbers of a Tensor that requires grad into an array (``arr += t``,
  ``np.add(t, t, out=arr)``): both are refused before anything is written;
* ``np.asarray(t)``, ``np.array([t, u])``, ``np.vectorize`` ... of a Tensor that requires
  grad are refused, as PyTorch refuses ``.numpy()`` there.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Iterator

import numpy as np

from ._node import _Node, _operand

_VAR_POSITIONAL = inspect.Parameter.VAR_POSITIONAL
_VAR_KEYWORD = inspect.Parameter.VAR_KEYWORD


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

# A ufunc keyword holding its default changes nothing; any other value is refused.
_UFUNC_DEFAULTS = {"where": True, "casting": "same_kind", "order": "K", "dtype": None, "subok": True,
                   "signature": None, "axes": None, "axis": None, "keepdims": False}


def _where(condition: Any, x: Any = None, y: Any = None) -> Any:
    from .select import where

    if x is None or y is None:
        raise TypeError(
            "np.where: give x and y to select from (np.where(condition) alone "
            "returns indices: use np.where(t.data > 0))"
        )
    return where(np.asarray(condition.data if isinstance(condition, _Node) else condition), x, y)


def _join(name: str) -> Callable[..., Any]:
    def f(arrays: Any, axis: int = 0) -> Any:
        from . import joins

        return getattr(joins, name)(list(arrays), axis=axis)

    return f


def _reduction(name: str) -> Callable[..., Any]:
    """numpy's reduction ``name`` as the Tensor method (numpy's parameter names)."""
    if name in ("var", "std"):
        def with_ddof(a: Any, axis: Any = None, keepdims: bool = False, ddof: Any = 0) -> Any:
            return getattr(a, name)(axis=axis, keepdims=keepdims, ddof=ddof)

        return with_ddof

    def f(a: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return getattr(a, name)(axis=axis, keepdims=keepdims)

    return f


def _reshape(a: Any, shape: Any = None, newshape: Any = None) -> Any:
    if (shape is None) == (newshape is None):
        raise TypeError("numpy.reshape of a Tensor: give the new shape once")
    return a.reshape(shape if newshape is None else newshape)


def _clip(a: Any, a_min: Any = None, a_max: Any = None, min: Any = None, max: Any = None) -> Any:
    return a.clip(a_min if min is None else min, a_max if max is None else max)


#: numpy function -> the Tensor operation it runs.  Each takes numpy's parameter names; the
#: keywords it does not name are refused by the gate unless they hold numpy's default.
FUNCTIONS: Dict[Any, Callable[..., Any]] = {
    np.sum: _reduction("sum"),
    np.mean: _reduction("mean"),
    np.max: _reduction("max"),
    np.amax: _reduction("max"),
    np.min: _reduction("min"),
    np.amin: _reduction("min"),
    np.var: _reduction("var"),
    np.reshape: _reshape,
    np.transpose: lambda a, axes=None: a.transpose() if axes is None else a.transpose(axes),
    np.broadcast_to: lambda array, shape: array.broadcast_to(shape),
    np.clip: _clip,
    np.where: _where,
    np.concatenate: _join("concatenate"),
    np.stack: _join("stack"),
}


def _extreme(name: str) -> Callable[..., Any]:
    def f(x: Any, y: Any) -> Any:
        from . import select

        return getattr(select, name)(x, y)

    return f


UFUNCS[np.maximum] = _extreme("maximum")
UFUNCS[np.minimum] = _extreme("minimum")


# --------------------------------------------------------------------------- the gate
_signatures: Dict[Any, inspect.Signature] = {}


def _signature(f: Any, impl: Any = None) -> inspect.Signature:
    """``f``'s signature; for a numpy builtin that has none (``np.where`` on older numpy), the
    Tensor op's own (``impl``), whose parameters follow numpy's names."""
    sig = _signatures.get(f)
    if sig is None:
        try:
            sig = inspect.signature(f)
        except ValueError:
            if impl is None:
                raise
            sig = inspect.signature(impl)
        _signatures[f] = sig
    return sig


def _is_default(value: Any, default: Any) -> bool:
    if value is default:
        return True
    plain = (str, bool, int, float)
    return type(value) is type(default) and isinstance(default, plain) and value == default


_leading: Dict[Any, int] = {}


def _positional(func: Any, impl: Callable[..., Any]) -> int:
    """How many leading parameters numpy's function and the Tensor op share, in order (a call
    with no keywords and no more arguments than that needs no binding: the common case)."""
    k = _leading.get(func)
    if k is None:
        ours = list(_signature(impl).parameters.values())
        k = 0
        for p in _signature(func, impl).parameters.values():
            if (k >= len(ours) or p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                    or ours[k].name != p.name or ours[k].kind is not p.POSITIONAL_OR_KEYWORD):
                break
            k += 1
        _leading[func] = k
    return k


def _run_op(func: Any, impl: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """numpy's call bound to numpy's own signature, then passed to the Tensor op by name."""
    if not kwargs and len(args) <= _positional(func, impl):
        return impl(*args)
    name = func.__name__
    sig = _signature(func, impl)
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"numpy.{name}: {e}") from None
    takes = _signature(impl).parameters
    positional: list = []
    named: Dict[str, Any] = {}
    for pname, value in bound.arguments.items():
        p = sig.parameters[pname]
        if p.kind is _VAR_POSITIONAL:
            positional.extend(value)
            continue
        items = value.items() if p.kind is _VAR_KEYWORD else ((pname, value),)
        for key, v in items:
            if key in takes:
                named[key] = v
            elif not _is_default(v, p.default):
                if not _wants(args, kwargs):  # nothing to differentiate: numpy itself, on the data
                    return _run_plain(name, func, args, kwargs, False)
                allowed = ", ".join(k for k, q in takes.items() if q.kind is not _VAR_POSITIONAL)
                hint = _HINTS.get(key, "")
                raise TypeError(f"numpy.{name} of a Tensor: keyword {key!r} is not supported "
                                f"(autograd_lite's {name} takes {allowed}){hint}")
    return impl(*positional, **named)


_HINTS = {k: "; dtype= and out= are not supported: cast with t.astype(...) first, and use the "
              "Tensor it returns instead of out=" for k in ("dtype", "out")}


def _items(x: Any) -> Iterator[Any]:
    """Every leaf of nested lists, tuples and dicts."""
    if isinstance(x, (list, tuple)):
        for v in x:
            yield from _items(v)
    elif isinstance(x, dict):
        for v in x.values():
            yield from _items(v)
    else:
        yield x


def _wants(args: Any, kwargs: Any) -> bool:
    return any(isinstance(x, _Node) and x.requires_grad for x in _items((args, kwargs)))


def _readonly(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


def _plain_args(x: Any, guard_arrays: bool) -> Any:
    """A Tensor's data (read-only: numpy never writes into a Tensor); with ``guard_arrays``
    every array read-only too (numbers of a Tensor that wants a gradient are written nowhere)."""
    if isinstance(x, _Node):
        return _readonly(x.data)
    if guard_arrays and isinstance(x, np.ndarray):
        return _readonly(x)
    if isinstance(x, (list, tuple)):
        items = [_plain_args(v, guard_arrays) for v in x]
        return type(x)(*items) if hasattr(x, "_fields") else type(x)(items)
    if isinstance(x, dict):
        return {k: _plain_args(v, guard_arrays) for k, v in x.items()}
    return x


def _differentiable(result: Any) -> bool:
    """Does a float (something a gradient would need) come out?"""
    if isinstance(result, np.ndarray):
        return result.dtype.kind in "fc" or (result.dtype.kind == "O" and any(
            _differentiable(v) for v in result.flat))
    if isinstance(result, (float, complex, np.floating, np.complexfloating)):
        return True
    if isinstance(result, (list, tuple)):
        return any(_differentiable(v) for v in result)
    return False


def _refuse_writes(name: str) -> TypeError:
    return TypeError(
        f"numpy.{name}: writes into an array (out=, np.put, np.copyto, np.add.at, +=, ...) "
        "that is a Tensor or that would hold numbers of a Tensor that requires grad; nothing "
        "was written. A Tensor changes only by its ops (t + u makes a new one); use t.data "
        "for plain numbers"
    )


def _run_plain(name: str, call: Callable[..., Any], args: Any, kwargs: Any, writes_first: bool) -> Any:
    """A numpy function without a Tensor op: on the data, when no gradient is lost."""
    wants = _wants(args, kwargs)
    outs = kwargs.get("out")
    outs = outs if isinstance(outs, tuple) else (outs,)
    target = args[0] if writes_first and args else None
    if writes_first and (wants or isinstance(target, _Node)) or any(isinstance(o, _Node) for o in outs):
        raise _refuse_writes(name)  # (ufunc.at writes even into read-only arrays: refused by name)
    try:
        result = call(*_plain_args(args, wants), **_plain_args(kwargs, wants))
    except ValueError as e:
        if "read-only" in str(e):
            raise _refuse_writes(name) from None
        raise
    if wants and _differentiable(result):
        raise TypeError(
            f"numpy.{name}: autograd_lite has no differentiable version of it, and a Tensor "
            "that requires grad is among its inputs (its result would have no gradient); use "
            "the Tensor ops (see docs/api.md), or pass t.data for a constant result"
        )
    return result


class NumpyProtocol:
    """numpy's dispatch hooks for Tensor: the one gate between numpy and the graph."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        name = ufunc.__name__ + ("" if method == "__call__" else "." + method)
        op = UFUNCS.get(ufunc) if method == "__call__" else None
        if op is not None and not kwargs:
            return op(*inputs)
        if op is not None:
            extra = {k: v for k, v in kwargs.items()
                     if k != "out" and not (k in _UFUNC_DEFAULTS and _is_default(v, _UFUNC_DEFAULTS[k]))}
            if extra and _wants(inputs, kwargs):
                raise TypeError(f"numpy.{name} of a Tensor: keyword {next(iter(extra))!r} is not "
                                f"supported (autograd_lite's {name} takes the inputs only)")
            if not extra and "out" not in kwargs:
                return op(*inputs)
            if _wants(inputs, kwargs):
                raise TypeError(f"numpy.{name} of a Tensor that requires grad: keyword 'out' is not "
                                "supported (the array would hold numbers without their gradient); "
                                "nothing was written")
        return _run_plain(name, getattr(ufunc, method), inputs, kwargs, method == "at")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        op = FUNCTIONS.get(func)
        if op is not None:
            return _run_op(func, op, args, kwargs)
        module = getattr(func, "__module__", None) or "numpy"
        name = (module[len("numpy."):] + "." if module.startswith("numpy.") else "") + func.__name__
        return _run_plain(name, func, args, kwargs, func in _WRITERS)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if self.requires_grad:  # type: ignore[attr-defined]
            raise TypeError(
                "numpy.asarray / numpy.array of a Tensor that requires grad: its numbers would leave "
                "the graph and their gradient would be lost (this is also how np.array([t, u]), "
                "np.sum([t, u]), np.r_ and np.vectorize read a Tensor); use the Tensor ops "
                "(functional.stack([t, u])), t.detach() for a constant, or t.data for the numbers"
            )
        d = self.data  # type: ignore[attr-defined]
        if dtype is not None:
            return d.astype(dtype)  # type: ignore[no-any-return]
        return d.copy() if copy else d  # type: ignore[no-any-return]


#: numpy functions that write into their first argument.
_WRITERS = {np.put, np.place, np.putmask, np.copyto, np.fill_diagonal, np.put_along_axis}
