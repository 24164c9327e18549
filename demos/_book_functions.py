"""The layers of "Deep Learning from Scratch" 5.4-5.6 as ``autograd_lite.Function`` s.

The book's layers are classes with ``forward`` and ``backward`` (``demos/_book_layers.py``); the
same code in PyTorch's shape joins a graph like any built-in op: ``forward(ctx, ...)`` keeps on
``ctx`` what the book keeps on ``self``, ``backward(ctx, dout)`` returns one gradient per input.

>>> from autograd_lite import Value
>>> apple, num = Value(100.0, "apple"), Value(2.0, "apple_num")
>>> price = MulLayer.apply(MulLayer.apply(apple, num), Value(1.1, "tax"))
>>> price.backward()
>>> apple.grad, num.grad
(2.2, 110.00000000000001)
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from autograd_lite import Function
from autograd_lite.function import Context

from ._book_layers import SoftmaxWithLoss as BookSoftmaxWithLoss


class MulLayer(Function):
    """x * y (5.4.1): each input's gradient is dout times the other input."""

    local = ("{b}", "{a}")

    @staticmethod
    def forward(ctx: Context, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx: Context, dout: Any) -> Tuple[Any, Any]:
        x, y = ctx.saved_values
        return dout * y, dout * x  # the inputs swapped


class AddLayer(Function):
    """x + y (5.4.2): dout passes to both inputs unchanged."""

    local = ("1", "1")

    @staticmethod
    def forward(ctx: Context, x: Any, y: Any) -> Any:
        return x + y

    @staticmethod
    def backward(ctx: Context, dout: Any) -> Tuple[Any, Any]:
        return dout * 1, dout * 1


class Relu(Function):
    """max(0, x) (5.5.1): the gradient passes where x > 0 (the mask is kept, not dout changed)."""

    sends = ("g where {a} > 0, else 0",)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.mask = x <= 0
        return np.where(ctx.mask, 0.0, x)

    @staticmethod
    def backward(ctx: Context, dout: Any) -> Any:
        return dout * ~ctx.mask  # a new array: the caller's dout stays as it was


class Affine(Function):
    """x @ W + b (5.6.2): dx = dout @ Wᵀ, dW = xᵀ @ dout, db = dout summed over the batch."""

    sends = ("g @ {b}ᵀ", "{a}ᵀ @ g", "g summed over the batch")

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x, W)
        return x @ W + b  # a matrix product; the ``np.dot(x * W)`` of some copies is wrong

    @staticmethod
    def backward(ctx: Context, dout: Any) -> Tuple[Any, Any, Any]:
        x, W = ctx.saved_values
        return dout @ W.T, x.T @ dout, dout.sum(axis=0)


class SoftmaxWithLoss(Function):
    """Softmax, then the mean cross-entropy against labels t (5.6.3): backward is (y - t) / N.

    The book's own layer does the work (``demos/_book_layers.py``): a layer object with ``forward``
    and ``backward`` becomes a Function by keeping it on ``ctx``.  It keeps the softmax y inside,
    as the book does: fine for a first-order backward; ``create_graph=True`` refuses it (ctx holds
    an object whose numbers are not the inputs or the output).
    """

    sends = ("g·(softmax({a}) - onehot(t)) / N",)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        ctx.layer = BookSoftmaxWithLoss()
        return np.asarray(ctx.layer.forward(x, t))

    @staticmethod
    def backward(ctx: Context, dout: Any) -> Tuple[Any, None]:
        return ctx.layer.backward(dout), None  # the labels need no gradient
