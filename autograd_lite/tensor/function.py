"""A user's ``Function`` on Tensors (see :mod:`autograd_lite.function`): ``forward`` computes on
ndarrays, ``backward`` runs in the backward pass with the upstream array -- or, as graph
(``create_graph=True``, the functional API), with Tensors: the inputs and the output as nodes.

>>> import numpy as np
>>> from autograd_lite import Function, Tensor
>>> class LinearLayer(Function):
...     @staticmethod
...     def forward(ctx, x, W, b):
...         ctx.save_for_backward(x, W)
...         return x @ W + b
...     @staticmethod
...     def backward(ctx, dout):
...         x, W = ctx.saved_values
...         return dout @ W.T, x.T @ dout, dout.sum(axis=0)
>>> x = Tensor(np.ones((2, 3)))
>>> W = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
>>> b = Tensor(np.zeros(2), requires_grad=True)
>>> LinearLayer.apply(x, W, b).sum().backward()
>>> W.grad.tolist(), b.grad.tolist()
([[2.0, 2.0], [2.0, 2.0], [2.0, 2.0]], [2.0, 2.0])
"""

from __future__ import annotations

from typing import Any, List, Tuple

import numpy as np

from .. import engine as _engine
from .. import function as _function
from ..function import Context, grads_of, graph_context, not_differentiable
from ..value import Value
from ._node import _result_n, _to_array
from .core import Tensor


def apply_tensors(cls: Any, args: Tuple[Any, ...]) -> Tensor:
    name = cls.__name__
    for i, a in enumerate(args):
        if isinstance(a, Value):
            raise TypeError(f"{name}.apply: argument {i} is a Value, others are Tensors; use one kind")
    inputs = tuple(isinstance(a, Tensor) for a in args)
    # a view per input: ctx can then tell the inputs apart by identity (graph mode)
    raw = [a.data.view() if is_input else a for a, is_input in zip(args, inputs)]
    ctx = Context(tuple(isinstance(a, Tensor) and a.requires_grad for a in args))
    with _engine.no_grad():
        out = cls.forward(ctx, *raw)
    if isinstance(out, (Tensor, Value)):
        raise TypeError(f"{name}.forward must return an array (it computes on ndarrays), "
                        f"got a {type(out).__name__}")
    data = _to_array(out, None, f"{name}.forward")
    ctx._args, ctx._inputs, ctx._raw, ctx._out = args, inputs, raw, out  # type: ignore[attr-defined]
    parents = [a for a in args if isinstance(a, Tensor)]
    return _result_n(data, cls._row.tag, _function_rule, parents, (cls, ctx))


def _function_rule(g: Any, parents: List[Any], out: Any, saved: Any, wants: List[bool]) -> Tuple[Any, ...]:
    """The rule of every Function node (the n-ary convention of :mod:`autograd_lite.tensor`)."""
    cls, ctx = saved
    graph = isinstance(out, Tensor)  # the rule runs on nodes: the inputs and output as Tensors
    if graph:
        raw = [r for r, is_input in zip(ctx._raw, ctx._inputs) if is_input]
        constants = [a for a, is_input in zip(ctx._args, ctx._inputs) if not is_input]
        ctx = graph_context(cls, ctx, raw, parents, ctx._out, out, constants)
    grads = grads_of(cls, cls.backward(ctx, g), len(saved[1]._args))
    result: List[Any] = []
    k = 0
    for i, (c, is_input) in enumerate(zip(grads, saved[1]._inputs)):
        if not is_input:
            continue
        p, want = parents[k], wants[k]
        k += 1
        if c is None or not want:
            result.append(None)
            continue
        shape = p.data.shape if graph else p.shape
        if graph and not isinstance(c, Tensor):
            raise not_differentiable(cls, i, c)
        got = c.data if graph else _array(cls, i, c)
        if got.shape != shape:
            raise ValueError(f"{cls.__name__}.backward returned a gradient of shape {got.shape} for "
                             f"input {i} of shape {shape}")
        result.append(c if graph else got)
    return tuple(result)


def _array(cls: Any, i: int, c: Any) -> np.ndarray:
    try:
        arr = np.asarray(c)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{cls.__name__}.backward returned a gradient that is not an array for input {i} "
                        f"({e})") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{cls.__name__}.backward returned a gradient of dtype {arr.dtype} for input {i}; "
                        "gradients are real numbers")
    return arr


_function.apply_tensors = apply_tensors  # Function.apply on Tensors (this package is loaded then)
