"""The layer classes of "Deep Learning from Scratch" ch. 5, hand-written, as the book means them.

Each layer keeps what its backward pass needs during ``forward`` and turns the upstream
gradient ``dout`` into gradients for its inputs in ``backward``.  They are the reference the
autograd_lite versions are checked against, so three bugs found in circulating copies of
this code are fixed here and called out where they would be:

* ``Affine.forward`` is ``x @ W + b``, not ``np.dot(x * W)`` (an element-wise product);
* ``Relu.backward`` returns a new array instead of zeroing the caller's ``dout`` in place;
* ``SoftmaxWithLoss`` averages the loss over the batch, so its backward ``(y - t) / N`` is
  the gradient of what forward returns (a summed loss with a mean gradient disagree by N);
  its softmax is taken row by row (``np.max(x, axis=-1)``, not ``np.maximum(a)``).

>>> import numpy as np
>>> layer = MulLayer()
>>> layer.forward(100.0, 2.0), layer.backward(1.1)
(200.0, (2.2, 110.00000000000001))
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Dict, Optional, Tuple, Union, cast

import numpy as np

Number = Union[float, np.ndarray]


# ----------------------------------------------------------------- 5.4 simple layers
class MulLayer:
    """``out = x * y``; backward: ``dx = dout * y``, ``dy = dout * x`` (the inputs swap)."""

    def __init__(self) -> None:
        self.x: Optional[Number] = None
        self.y: Optional[Number] = None

    def forward(self, x: Number, y: Number) -> Number:
        self.x, self.y = x, y
        return x * y

    def backward(self, dout: Number) -> Tuple[Number, Number]:
        if self.x is None or self.y is None:
            raise RuntimeError("MulLayer.backward: call forward first")
        return dout * self.y, dout * self.x


class AddLayer:
    """``out = x + y``; backward passes ``dout`` to both inputs unchanged."""

    def forward(self, x: Number, y: Number) -> Number:
        return x + y

    def backward(self, dout: Number) -> Tuple[Number, Number]:
        return dout * 1, dout * 1


# ----------------------------------------------------------------- 5.5 activations
class Relu:
    """``max(0, x)``; backward lets ``dout`` through where ``x > 0``."""

    def __init__(self) -> None:
        self.mask: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.mask is None:
            raise RuntimeError("Relu.backward: call forward first")
        # A new array: the copy in circulation wrote ``dout[mask] = 0`` into the caller's array.
        return np.where(self.mask, 0.0, dout)


class Sigmoid:
    """``1 / (1 + exp(-x))``; backward uses only the output: ``dout * y * (1 - y)``."""

    def __init__(self) -> None:
        self.out: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.out is None:
            raise RuntimeError("Sigmoid.backward: call forward first")
        return dout * self.out * (1.0 - self.out)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function without overflow warnings for large negative x."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# ----------------------------------------------------------------- 5.6 Affine, softmax
class Affine:
    """``out = x @ W + b`` for a batch ``x`` of shape (N, in).

    backward: ``dx = dout @ W.T``, ``dW = x.T @ dout``, ``db = dout.sum(axis=0)``.
    ``W`` and ``b`` are the caller's arrays (shared with ``TwoLayerNet.params``, so an
    in-place SGD update is seen by the layer, as in the book).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b
        self.x: Optional[np.ndarray] = None
        self.dW: Optional[np.ndarray] = None
        self.db: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return np.dot(x, self.W) + self.b  # matrix product; ``np.dot(x * W)`` would be wrong

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.x is None:
            raise RuntimeError("Affine.backward: call forward first")
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by each row's max so ``exp`` cannot overflow."""
    z = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise ``log(softmax(x))`` as ``x - max - log(sum(exp(x - max)))``: no log(0)."""
    z = x - np.max(x, axis=-1, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


def labels_of(t: np.ndarray) -> np.ndarray:
    """Class indices from one-hot rows (N, C) or from indices (N,)."""
    t = np.asarray(t)
    return t.argmax(axis=1) if t.ndim == 2 else t.astype(np.intp)


class SoftmaxWithLoss:
    """Softmax then cross-entropy, averaged over the batch; backward is ``(y - t) / N``.

    The loss is computed from log-softmax, so it needs no ``+ 1e-7`` inside the log
    (the book's guard against ``log(0)``) and ``(y - t) / N`` is its exact gradient.
    """

    def __init__(self) -> None:
        self.loss: Optional[float] = None
        self.y: Optional[np.ndarray] = None
        self.t: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        if x.ndim != 2 or np.shape(t)[0] != x.shape[0]:
            raise ValueError(f"SoftmaxWithLoss: scores (N, C) and N labels needed, got shapes "
                             f"{x.shape} and {np.shape(t)}")
        self.t = labels_of(t)
        self.y = softmax(x)
        batch = x.shape[0]
        self.loss = float(-np.sum(log_softmax(x)[np.arange(batch), self.t]) / batch)
        return self.loss

    def backward(self, dout: float = 1.0) -> np.ndarray:
        if self.y is None or self.t is None:
            raise RuntimeError("SoftmaxWithLoss.backward: call forward first")
        batch = self.y.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch), self.t] -= 1.0  # y - t with t one-hot
        return dout * dx / batch  # the batch division: forward returns the mean loss


# ----------------------------------------------------------------- 5.7 the two-layer net
class TwoLayerNet:
    """Affine -> Relu -> Affine -> SoftmaxWithLoss, with the book's ``gradient`` (backprop)
    and ``numerical_gradient`` (central differences).

    ``rng`` seeds the weights (``weight_init_std * randn``; biases start at zero).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 weight_init_std: float = 0.01, rng: Optional[np.random.Generator] = None,
                 dtype: type = np.float64) -> None:
        rng = rng if rng is not None else np.random.default_rng()
        self.params: Dict[str, np.ndarray] = {
            "W1": (weight_init_std * rng.standard_normal((input_size, hidden_size))).astype(dtype),
            "b1": np.zeros(hidden_size, dtype=dtype),
            "W2": (weight_init_std * rng.standard_normal((hidden_size, output_size))).astype(dtype),
            "b2": np.zeros(output_size, dtype=dtype),
        }
        self.layers: "OrderedDict[str, object]" = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        # No ReLU on the scores: softmax needs negative logits too.
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers.values():
            x = layer.forward(x)  # type: ignore[attr-defined]
        return x

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.sum(y == t) / x.shape[0])

    def gradient(self, x: np.ndarray, t: np.ndarray) -> Dict[str, np.ndarray]:
        """Backprop: forward once, then every layer's backward in reverse order."""
        self.loss(x, t)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)  # type: ignore[attr-defined]
        a1, a2 = cast(Affine, self.layers["Affine1"]), cast(Affine, self.layers["Affine2"])
        return {"W1": cast(np.ndarray, a1.dW), "b1": cast(np.ndarray, a1.db),
                "W2": cast(np.ndarray, a2.dW), "b2": cast(np.ndarray, a2.db)}

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray, h: float = 1e-4,
                           keys: Tuple[str, ...] = ("W1", "b1", "W2", "b2")) -> Dict[str, np.ndarray]:
        """Central differences ``(L(p + h) - L(p - h)) / 2h``, one parameter entry at a time."""
        return {k: numerical_gradient(lambda: self.loss(x, t), self.params[k], h) for k in keys}


def numerical_gradient(f: Callable[[], float], p: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """d f / d p by central differences, nudging ``p`` in place and restoring every entry."""
    grad = np.zeros_like(p, dtype=np.float64)
    flat, g = p.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        up = f()
        flat[i] = old - h
        down = f()
        flat[i] = old
        g[i] = (up - down) / (2 * h)
    return grad
