"""``Conv1d`` and ``ConvTranspose2d`` (PyTorch's layers; DeZero's ``Deconv2d`` is the second):
thin wrappers of :func:`functional.conv1d` and :func:`functional.conv_transpose2d`.

>>> import numpy as np
>>> ConvTranspose2d(1, 2, 3, stride=2, rng=0)(np.zeros((1, 1, 4, 4))).shape
(1, 2, 9, 9)
>>> Conv1d(3, 5, 3, pad=1, rng=0)(np.zeros((2, 3, 10))).shape
(2, 5, 10)
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np
from numpy.typing import DTypeLike

from .. import checks as _checks
from .. import functional as F
from ..conv import Size, _pair
from ..tensor import Tensor
from .conv import FILTER_NAMES, Filters, _padding_mode, _split, filters
from .module import Module, Seed, _check_size
from .torch_bridge import twin

__all__ = ["Conv1d", "ConvTranspose2d"]


def _int(value: Any, name: str, layer: str, minimum: int) -> int:
    if not _checks.is_int(value):
        raise TypeError(f"{layer}: {name} must be an int, got {type(value).__name__}: {value!r}")
    return _checks.count(value, name, layer, minimum)


@twin(renamed=FILTER_NAMES)
class Conv1d(Filters, Module):
    """1-D convolution: (N, in, L) -> (N, out, OL), W of shape (out, in/groups, K); ``stride``,
    ``pad`` (PyTorch's ``padding``), ``dilation``, ``groups``, ``padding_mode`` as PyTorch's."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, pad: int = 0,
                 dilation: int = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 init: Union[str, float] = "he", rng: Seed = None, dtype: DTypeLike = np.float64) -> None:
        super().__init__()
        self.in_channels = _check_size("Conv1d", "in_channels", in_channels)
        self.out_channels = _check_size("Conv1d", "out_channels", out_channels)
        self.kernel_size = _int(kernel_size, "kernel_size", "Conv1d", 1)
        self.stride = _int(stride, "stride", "Conv1d", 1)
        self.pad = _int(pad, "pad", "Conv1d", 0)
        self.dilation = _int(dilation, "dilation", "Conv1d", 1)
        self.groups = _split(groups, self.in_channels, self.out_channels, "Conv1d")
        self.padding_mode = _padding_mode(padding_mode, "Conv1d")
        self.init = init
        shape = (self.out_channels, self.in_channels // self.groups, self.kernel_size)
        self.W, self.b = filters(shape, shape[1] * shape[2], out_channels, bias, init, rng, dtype,
                                 "Conv1d")

    def forward(self, x: Any) -> Tensor:
        x = self._input(x, "L")
        return F.conv1d(x, self.W, self.b, self.stride, self.pad, self.dilation, self.groups,
                        self.padding_mode)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, pad={self.pad}, dilation={self.dilation}, groups={self.groups}, "
                f"bias={self.b is not None}")

    def _torch_twin(self, torch: Any, path: str) -> Any:
        dtype = torch.from_numpy(self.W.data).dtype
        return self._weights_into(torch, torch.nn.Conv1d(
            self.in_channels, self.out_channels, self.kernel_size, stride=self.stride, padding=self.pad,
            dilation=self.dilation, groups=self.groups, bias=self.b is not None,
            padding_mode=self.padding_mode, dtype=dtype))


@twin(renamed=FILTER_NAMES)
class ConvTranspose2d(Filters, Module):
    """The transposed convolution (DeZero's Deconv2d): (N, in, H, W) -> (N, out, OH, OW), W of shape
    (in, out/groups, KH, KW) as PyTorch's; ``OH = (H - 1)·stride - 2·pad + dilation·(KH - 1) +
    output_padding + 1``.  ``init="he"`` uses the fan-in out/groups·KH·KW (PyTorch's reading of W)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Size, stride: Size = 1,
                 pad: Size = 0, output_padding: Size = 0, groups: int = 1, bias: bool = True,
                 dilation: Size = 1, init: Union[str, float] = "he", rng: Seed = None,
                 dtype: DTypeLike = np.float64) -> None:
        super().__init__()
        self.in_channels = _check_size("ConvTranspose2d", "in_channels", in_channels)
        self.out_channels = _check_size("ConvTranspose2d", "out_channels", out_channels)
        self.kernel_size = _pair(kernel_size, "kernel_size", "ConvTranspose2d", 1)
        self.stride = _pair(stride, "stride", "ConvTranspose2d", 1)
        self.pad = _pair(pad, "pad", "ConvTranspose2d", 0)
        self.output_padding = _pair(output_padding, "output_padding", "ConvTranspose2d", 0)
        self.dilation = _pair(dilation, "dilation", "ConvTranspose2d", 1)
        self.groups = _split(groups, self.in_channels, self.out_channels, "ConvTranspose2d")
        if any(o >= max(s, d) for o, s, d in zip(self.output_padding, self.stride, self.dilation)):
            raise ValueError(f"ConvTranspose2d: output_padding {self.output_padding} must be smaller than "
                             f"the stride {self.stride} or the dilation {self.dilation}")
        self.init = init
        shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        self.W, self.b = filters(shape, shape[1] * shape[2] * shape[3], out_channels, bias, init, rng, dtype,
                                 "ConvTranspose2d")

    def forward(self, x: Any) -> Tensor:
        x = self._input(x, "H, W")
        return F.conv_transpose2d(x, self.W, self.b, self.stride, self.pad, self.output_padding, self.groups,
                                  self.dilation)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, pad={self.pad}, output_padding={self.output_padding}, "
                f"groups={self.groups}, "
                f"dilation={self.dilation}, bias={self.b is not None}")

    def _torch_twin(self, torch: Any, path: str) -> Any:
        dtype = torch.from_numpy(self.W.data).dtype
        return self._weights_into(torch, torch.nn.ConvTranspose2d(
            self.in_channels, self.out_channels, self.kernel_size, stride=self.stride, padding=self.pad,
            output_padding=self.output_padding, groups=self.groups, bias=self.b is not None,
            dilation=self.dilation, dtype=dtype))
