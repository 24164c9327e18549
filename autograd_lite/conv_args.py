"""The arguments of convolution and pooling, checked in one place: sizes given as an int or a pair
(height, width), images of shape (N, C, H, W), and the windows' :class:`Geometry` (with the sizes
it will allocate refused up front).  ``conv`` and ``conv_more`` read them from here.

>>> geometry((1, 1, 4, 4), 3, 1, 1, "conv2d").out
(4, 4)
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence, Tuple, Union

import numpy as np

from . import checks as _checks
from .tensor import Tensor

Size = Union[int, Tuple[int, int], Sequence[int]]


class Geometry(NamedTuple):
    """Where the windows are: image shape, kernel, stride, padding, output size, pad value."""

    shape: Tuple[int, int, int, int]  # (N, C, H, W) of the image
    kernel: Tuple[int, int]
    stride: Tuple[int, int]
    pad: Tuple[int, int]
    out: Tuple[int, int]  # (OH, OW)
    fill: float = 0.0  # what the padding holds (max pooling pads with -inf, as PyTorch)


def _pair(value: Any, name: str, op: str, minimum: int) -> Tuple[int, int]:
    """An int or a pair of ints (height, width), each >= ``minimum``."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2 or not all(_checks.is_int(k) for k in items):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints (height, width), "
                        f"got {type(value).__name__}: {value!r}")
    if min(items) < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return int(items[0]), int(items[1])


def _shape4(shape: Any, op: str) -> Tuple[int, int, int, int]:
    if (not isinstance(shape, (tuple, list)) or len(shape) != 4
            or not all(_checks.is_int(k) for k in shape)):
        raise TypeError(f"{op}: input_shape must be a tuple of 4 ints (N, C, H, W), got {shape!r}")
    if min(shape[1:]) < 1 or shape[0] < 0:
        raise ValueError(f"{op}: input_shape {tuple(shape)} must have C, H, W >= 1 and N >= 0")
    return int(shape[0]), int(shape[1]), int(shape[2]), int(shape[3])


def geometry(shape: Tuple[int, ...], kernel: Size, stride: Size, pad: Size, op: str,
             fill: float = 0.0, pool: bool = False, itemsize: int = 8) -> Geometry:
    """Check the window arguments against an image shape and work out the output size.

    The padded image and the matrix of windows (im2col's result, col2im's input) must fit
    :data:`autograd_lite.checks.MAX_BYTES`: checked here, before anything is allocated."""
    k = _pair(kernel, "kernel_size", op, 1)
    s = _pair(stride, "stride", op, 1)
    p = _pair(pad, "pad", op, 0)
    n, c, h, w = (int(k) for k in shape)
    if pool and (2 * p[0] > k[0] or 2 * p[1] > k[1]):  # else a window could hold only padding
        raise ValueError(f"{op}: pad {p} must be at most half the kernel size {k} (as in PyTorch)")
    if h + 2 * p[0] < k[0] or w + 2 * p[1] < k[1]:
        raise ValueError(f"{op}: kernel {k} is larger than the padded input {(h + 2 * p[0], w + 2 * p[1])} "
                         f"(input {h}x{w}, pad {p})")
    out = ((h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1)
    padded = (n, c, h + 2 * p[0], w + 2 * p[1])
    _checks.fits(n * c * padded[2] * padded[3], itemsize,
                 f"pad={p} on an image of shape {(n, c, h, w)} (padded: {padded})", op)
    rows, cols = n * out[0] * out[1], c * k[0] * k[1]
    _checks.fits(rows * cols, itemsize, f"kernel_size={k}, stride={s}, pad={p} (a matrix of windows of "
                 f"shape {(rows, cols)})", op)
    return Geometry((n, c, h, w), k, s, p, out, fill)


def _tensor(x: Any, op: str, name: str) -> Tensor:
    """A Tensor argument; arrays and lists become constants (no gradient)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, list, tuple)):
        return Tensor(x)
    raise TypeError(f"{op}: {name} must be a Tensor or an array, got {type(x).__name__}")


def _image(x: Any, op: str) -> Tensor:
    t = _tensor(x, op, "x")
    if t.ndim != 4:
        raise ValueError(f"{op}: x must have shape (N, C, H, W), got shape {t.shape}")
    if min(t.shape[1:]) < 1:
        raise ValueError(f"{op}: x of shape {t.shape} has an empty channel, height or width axis")
    return t
