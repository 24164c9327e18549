"""The convolution layers of "Deep Learning from Scratch" ch. 7, hand-written, as the book means them.

``im2col`` / ``col2im`` in the book's own formulation (a loop over the kernel positions that
fills a (N, C, KH, KW, OH, OW) array, then one transpose), ``Convolution`` and ``Pooling``
with their hand-written backward, and ``SimpleConvNet``.  They are the reference the
autograd_lite build of ``demos/conv_net.py`` is checked against, so the mistakes found in
circulating copies of this code are fixed here and called out where they would be:

* ``col2im`` **adds** each row back onto its window (``+=``): windows overlap, and a pixel's
  gradient is the sum over every window that holds it.  Copies that assign (``=``) keep only
  the last window's share and give wrong gradients whenever stride < kernel size;
* ``Pooling`` counts its padding in the output size (``(H + 2·pad - pool_h) // stride + 1``;
  the book's ``1 + (H - pool_h) / stride`` ignores ``pad``), and max pooling pads with -inf,
  not 0, so a padded window of negative numbers still returns its own maximum (as PyTorch);
* output sizes use integer division ``//`` (``int(1 + (H - FH) / stride)`` goes through a
  float);
* ``Affine`` flattens a 4-D input itself and hands ``dx`` back in that shape.

>>> import numpy as np
>>> col = im2col(np.arange(9.0).reshape(1, 1, 3, 3), 2, 2)
>>> col.tolist()
[[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0], [3.0, 4.0, 6.0, 7.0], [4.0, 5.0, 7.0, 8.0]]
>>> col2im(np.ones_like(col), (1, 1, 3, 3), 2, 2)[0, 0].tolist()   # overlaps add up
[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Dict, Optional, Tuple

import numpy as np

from ._book_layers import Relu, SoftmaxWithLoss


# ----------------------------------------------------------------- 7.4 im2col / col2im
def im2col(input_data: np.ndarray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0,
           fill: float = 0.0) -> np.ndarray:
    """(N, C, H, W) -> (N·out_h·out_w, C·filter_h·filter_w): one window per row."""
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant", constant_values=fill)
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w), dtype=input_data.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


def col2im(col: np.ndarray, input_shape: Tuple[int, int, int, int], filter_h: int, filter_w: int,
           stride: int = 1, pad: int = 0) -> np.ndarray:
    """The inverse layout of :func:`im2col`, adding where windows overlap."""
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]  # +=, not =
    return img[:, :, pad:H + pad, pad:W + pad]


# ----------------------------------------------------------------- 7.4 the layers
class Convolution:
    """Filters W (FN, C, FH, FW), bias b (FN,): ``im2col(x) @ W.reshape(FN, -1).T + b``."""

    def __init__(self, W: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0) -> None:
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.x: Optional[np.ndarray] = None
        self.col: Optional[np.ndarray] = None
        self.col_W: Optional[np.ndarray] = None
        self.dW: Optional[np.ndarray] = None
        self.db: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = (H + 2 * self.pad - FH) // self.stride + 1
        out_w = (W + 2 * self.pad - FW) // self.stride + 1
        col = im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T
        out = np.dot(col, col_W) + self.b
        self.x, self.col, self.col_W = x, col, col_W
        return out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.x is None or self.col is None or self.col_W is None:
            raise RuntimeError("Convolution.backward: call forward first")
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW)
        dcol = np.dot(dout, self.col_W.T)
        return col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


class Pooling:
    """Max pooling over pool_h x pool_w windows; backward sends dout to each window's argmax
    (the first maximum, as PyTorch)."""

    def __init__(self, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0) -> None:
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad
        self.x: Optional[np.ndarray] = None
        self.arg_max: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        N, C, H, W = x.shape
        out_h = (H + 2 * self.pad - self.pool_h) // self.stride + 1  # the book leaves out the pad
        out_w = (W + 2 * self.pad - self.pool_w) // self.stride + 1
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad, fill=-np.inf)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        out = np.max(col, axis=1)
        return out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.x is None or self.arg_max is None:
            raise RuntimeError("Pooling.backward: call forward first")
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size), dtype=dout.dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (pool_size,))
        N, out_h, out_w = dout.shape[:3]
        dcol = dmax.reshape(N * out_h * out_w, -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


class Affine:
    """``x @ W + b`` for a batch; a 4-D input is flattened first and dx returned in its shape."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b
        self.x: Optional[np.ndarray] = None
        self.original_x_shape: Tuple[int, ...] = ()
        self.dW: Optional[np.ndarray] = None
        self.db: Optional[np.ndarray] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self.x is None:
            raise RuntimeError("Affine.backward: call forward first")
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(self.original_x_shape)


# ----------------------------------------------------------------- 7.5 SimpleConvNet
PARAMS = ("W1", "b1", "W2", "b2", "W3", "b3")


class SimpleConvNet:
    """conv (30 filters 5x5) -> ReLU -> max pool 2x2 -> Affine 100 -> ReLU -> Affine 10 -> softmax loss.

    Weights ``weight_init_std * randn`` (the book's 0.01), biases zero; ``rng`` seeds them.
    """

    def __init__(self, input_dim: Tuple[int, int, int] = (1, 28, 28), filter_num: int = 30,
                 filter_size: int = 5, pad: int = 0, stride: int = 1, hidden_size: int = 100,
                 output_size: int = 10, weight_init_std: float = 0.01,
                 rng: Optional[np.random.Generator] = None, dtype: type = np.float64) -> None:
        rng = rng if rng is not None else np.random.default_rng()
        channels, size = input_dim[0], input_dim[1]
        conv_out = (size - filter_size + 2 * pad) // stride + 1
        pool_out = filter_num * (conv_out // 2) * (conv_out // 2)
        std = weight_init_std
        self.params: Dict[str, np.ndarray] = {
            "W1": (std * rng.standard_normal((filter_num, channels, filter_size, filter_size))).astype(dtype),
            "b1": np.zeros(filter_num, dtype=dtype),
            "W2": (std * rng.standard_normal((pool_out, hidden_size))).astype(dtype),
            "b2": np.zeros(hidden_size, dtype=dtype),
            "W3": (std * rng.standard_normal((hidden_size, output_size))).astype(dtype),
            "b3": np.zeros(output_size, dtype=dtype),
        }
        self.layers: "OrderedDict[str, object]" = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"], stride, pad)
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers.values():
            x = layer.forward(x)  # type: ignore[attr-defined]
        return x

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch_size: int = 500) -> float:
        hits = 0
        for i in range(0, len(x), batch_size):  # in batches: im2col of 10,000 images is large
            hits += int(np.sum(np.argmax(self.predict(x[i:i + batch_size]), axis=1) == t[i:i + batch_size]))
        return hits / len(x)

    def gradient(self, x: np.ndarray, t: np.ndarray) -> Dict[str, np.ndarray]:
        """Backprop: forward, then every layer's backward in reverse order."""
        self.loss(x, t)
        dout = self.last_layer.backward(1.0)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)  # type: ignore[attr-defined]
        grads = {}
        for i, name in enumerate(("Conv1", "Affine1", "Affine2"), 1):
            layer = self.layers[name]
            grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db  # type: ignore[attr-defined]
        return grads


class Adam:
    """The book's Adam (``common/optimizer.py``), updating the arrays of ``params`` in place."""

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m: Dict[str, np.ndarray] = {}
        self.v: Dict[str, np.ndarray] = {}

    def update(self, params: Dict[str, np.ndarray], grads: Dict[str, np.ndarray]) -> None:
        if not self.m:
            self.m = {k: np.zeros_like(v) for k, v in params.items()}
            self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for k in params:
            self.m[k] += (1 - self.beta1) * (grads[k] - self.m[k])
            self.v[k] += (1 - self.beta2) * (grads[k] ** 2 - self.v[k])
            params[k] -= lr_t * self.m[k] / (np.sqrt(self.v[k]) + 1e-7)
