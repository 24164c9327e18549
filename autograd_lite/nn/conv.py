"""The layers of chapter 7: ``Conv2d``, ``MaxPool2d``, ``AvgPool2d`` and ``Flatten`` (NCHW).

Each is a thin wrapper of :mod:`autograd_lite.functional` (``conv2d``, ``max_pool2d``,
``avg_pool2d``): no backward code, the engine differentiates the ops.

>>> import numpy as np
>>> from autograd_lite import nn
>>> net = nn.Sequential(nn.Conv2d(1, 30, 5, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
...                     nn.Linear(30 * 12 * 12, 10, rng=1))
>>> net(np.zeros((2, 1, 28, 28))).shape
(2, 10)
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Optional, Tuple, Union

import numpy as np
from numpy.typing import DTypeLike

from .. import checks as _checks
from .. import functional as F
from ..conv import Size, _pair
from ..tensor import Tensor
from .module import Module, Seed, _as_tensor, _check_size
from .torch_bridge import _copy, twin

__all__ = ["Conv2d", "MaxPool2d", "AvgPool2d", "Flatten"]


def filters(shape: Tuple[int, ...], fan_in: int, out_channels: int, bias: Any, init: Union[str, float],
            rng: Seed, dtype: DTypeLike, name: str) -> Tuple[Tensor, Optional[Tensor]]:
    """Initial filters of ``shape`` (normal, std from ``init``: ``"he"`` is sqrt(2 / fan_in)) and
    zero biases (or None), for every convolution layer."""
    bias = _checks.flag(bias, "bias", name)
    dtype = _checks.float_dtype(dtype, name)
    if isinstance(init, str) and init == "he":
        std = math.sqrt(2.0 / fan_in)
    elif (isinstance(init, numbers.Real) and not isinstance(init, bool)
          and math.isfinite(init) and init >= 0):
        std = float(init)
    else:
        raise ValueError(f"{name}: init must be 'he' or a standard deviation >= 0, got {init!r}")
    _checks.fits(math.prod(shape), 8, f"{shape[0]} filters of shape {shape[1:]} (drawn in float64)", name)
    weights = std * np.random.default_rng(rng).standard_normal(shape)
    W = Tensor(weights.astype(dtype), requires_grad=True)
    return W, (Tensor(np.zeros(out_channels, dtype=dtype), requires_grad=True) if bias else None)


def _split(groups: Any, in_channels: int, out_channels: int, name: str) -> int:
    g = _checks.count(groups, "groups", name, 1)
    if in_channels % g or out_channels % g:
        raise ValueError(f"{name}: in_channels {in_channels} and out_channels {out_channels} must both "
                         f"split into groups={g} equal groups")
    return g


def _padding_mode(mode: Any, name: str) -> str:
    if not isinstance(mode, str) or mode not in ("zeros", "reflect", "replicate", "circular"):
        raise ValueError(f"{name}: padding_mode must be 'zeros', 'reflect', 'replicate' or 'circular', "
                         f"got {mode!r}")
    return mode


class Filters:
    """PyTorch's names for a filter layer's parameters: ``weight`` is ``W`` (the same Tensor, the
    same layout), ``bias`` is ``b`` (or None)."""

    W: Tensor
    b: Optional[Tensor]
    in_channels: int
    out_channels: int

    def _input(self, x: Any, dims: str) -> Tensor:
        """``x`` as a Tensor of shape (N, in_channels, ``dims``...), else a ValueError naming the layer."""
        x = _as_tensor(x)
        if x.ndim != 2 + len(dims.split(", ")) or x.shape[1] != self.in_channels:
            layer = f"{type(self).__name__}({self.in_channels}, {self.out_channels})"
            raise ValueError(f"{layer}: expected input of shape (N, {self.in_channels}, {dims}), "
                             f"got shape {x.shape}")
        return x

    @property
    def weight(self) -> Tensor:
        """PyTorch's name for ``W``."""
        return self.W

    @property
    def bias(self) -> Optional[Tensor]:
        """PyTorch's name for ``b``."""
        return self.b

    def _weights_into(self, torch: Any, t: Any) -> Any:
        """The twin ``t`` (a PyTorch filter layer) with copies of ``W`` and ``b``."""
        _copy(torch, t.weight, self.W.data)
        if self.b is not None:
            _copy(torch, t.bias, self.b.data)
        return t


# the parameter names of a filter layer in PyTorch
FILTER_NAMES = {"W": ("weight", False), "b": ("bias", False)}


@twin(renamed=FILTER_NAMES)
class Conv2d(Filters, Module):
    """2-D convolution with ``out_channels`` filters of ``kernel_size`` over ``in_channels``.

    ``W`` has shape (out, in, KH, KW) (the book's and PyTorch's layout), ``b`` shape (out,).
    ``init`` sets the standard deviation of the normally distributed initial filters:
    ``"he"`` (the default) -> sqrt(2 / (in·KH·KW)), the fan-in a ReLU after the layer needs to
    keep the signal's variance from layer to layer, so a deeper stack trains without tuning;
    or a number such as the book's ``weight_init_std=0.01`` (its SimpleConvNet, and
    ``demos/conv_net.py``, use that).  Biases start at zero.  ``rng`` (a seed or a
    ``numpy.random.Generator``) makes the filters reproducible.

    >>> layer = Conv2d(1, 2, 3, pad=1, init=0.01, rng=0)
    >>> layer.W.shape, layer(np.zeros((4, 1, 5, 5))).shape
    ((2, 1, 3, 3), (4, 2, 5, 5))
    """

    in_channels: int
    out_channels: int
    kernel_size: Tuple[int, int]
    stride: Tuple[int, int]
    pad: Tuple[int, int]
    init: Union[str, float]
    W: Tensor
    b: Optional[Tensor]

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Size, stride: Size = 1,
                 pad: Size = 0, bias: bool = True, init: Union[str, float] = "he", rng: Seed = None,
                 dtype: DTypeLike = np.float64, dilation: Size = 1, groups: int = 1,
                 padding_mode: str = "zeros") -> None:
        super().__init__()
        self.in_channels = _check_size("Conv2d", "in_channels", in_channels)
        self.out_channels = _check_size("Conv2d", "out_channels", out_channels)
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride = _pair(stride, "stride", "Conv2d", 1)
        self.pad = _pair(pad, "pad", "Conv2d", 0)
        self.dilation = _pair(dilation, "dilation", "Conv2d", 1)
        self.groups = _split(groups, self.in_channels, self.out_channels, "Conv2d")
        self.padding_mode = _padding_mode(padding_mode, "Conv2d")
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.init = init
        self.W, self.b = filters(shape, shape[1] * shape[2] * shape[3], out_channels, bias, init, rng, dtype,
                                 "Conv2d")

    def forward(self, x: Any) -> Tensor:
        x = self._input(x, "H, W")
        return F.conv2d(x, self.W, self.b, self.stride, self.pad, self.dilation, self.groups,
                        self.padding_mode)

    def extra_repr(self) -> str:
        more = "".join(f", {k}={v!r}" for k, v, default in (
            ("dilation", self.dilation, (1, 1)), ("groups", self.groups, 1),
            ("padding_mode", self.padding_mode, "zeros")) if v != default)
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, pad={self.pad}{more}, bias={self.b is not None}, init={self.init!r}")

    def _torch_twin(self, torch: Any, path: str) -> Any:
        dtype = torch.from_numpy(self.W.data).dtype
        return self._weights_into(torch, torch.nn.Conv2d(
            self.in_channels, self.out_channels, self.kernel_size, stride=self.stride, padding=self.pad,
            dilation=self.dilation, groups=self.groups, bias=self.b is not None,
            padding_mode=self.padding_mode, dtype=dtype))


class _Pool(Module):

    def __init__(self, kernel_size: Size, stride: Optional[Size] = None, pad: Size = 0,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _pair(kernel_size, "kernel_size", name, 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", name, 1)
        self.pad = _pair(pad, "pad", name, 0)
        self.ceil_mode = _checks.flag(ceil_mode, "ceil_mode", name)
        if 2 * self.pad[0] > self.kernel_size[0] or 2 * self.pad[1] > self.kernel_size[1]:
            raise ValueError(f"{name}: pad {self.pad} must be at most half the kernel size "
                             f"{self.kernel_size} (as in PyTorch)")

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, pad={self.pad}"
                + (", ceil_mode=True" if self.ceil_mode else ""))


@twin()
class MaxPool2d(_Pool):
    """Max pooling (``functional.max_pool2d``); ``stride`` defaults to the kernel size; ``dilation``
    and ``ceil_mode`` as PyTorch's.

    >>> MaxPool2d(2)(np.arange(16.0).reshape(1, 1, 4, 4)).data[0, 0].tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    """

    def __init__(self, kernel_size: Size, stride: Optional[Size] = None, pad: Size = 0, dilation: Size = 1,
                 ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, pad, ceil_mode)
        self.dilation = _pair(dilation, "dilation", "MaxPool2d", 1)

    def forward(self, x: Any) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.pad, self.dilation, self.ceil_mode)

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.MaxPool2d(self.kernel_size, self.stride, padding=self.pad, dilation=self.dilation,
                                  ceil_mode=self.ceil_mode)


@twin()
class AvgPool2d(_Pool):
    """Average pooling (``functional.avg_pool2d``; padding counts as zeros unless
    ``count_include_pad=False``; ``ceil_mode`` as PyTorch's)."""

    def __init__(self, kernel_size: Size, stride: Optional[Size] = None, pad: Size = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, pad, ceil_mode)
        self.count_include_pad = _checks.flag(count_include_pad, "count_include_pad", "AvgPool2d")

    def forward(self, x: Any) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.pad, self.ceil_mode,
                            self.count_include_pad)

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.AvgPool2d(self.kernel_size, self.stride, padding=self.pad, ceil_mode=self.ceil_mode,
                                  count_include_pad=self.count_include_pad)


@twin()
class Flatten(Module):
    """Axes from ``start_dim`` on merged into one: (N, C, H, W) -> (N, C·H·W) with the default 1.

    >>> Flatten()(np.zeros((2, 3, 4, 5))).shape
    (2, 60)
    """

    def __init__(self, start_dim: int = 1) -> None:
        super().__init__()
        self.start_dim = _checks.count(start_dim, "start_dim", "Flatten")

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x)
        if x.ndim <= self.start_dim:
            raise ValueError(f"Flatten(start_dim={self.start_dim}): input of shape {x.shape} has no axis "
                             f"{self.start_dim}")
        return x.flatten(self.start_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}"

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.Flatten(start_dim=self.start_dim)
