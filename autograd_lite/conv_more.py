"""Convolution beyond the book's: dilation, groups, padding modes (reflect, replicate, circular,
asymmetric), ``conv1d``, the transposed convolution (``conv_transpose2d``, DeZero's ``deconv2d``)
and pooling with ``ceil_mode`` and dilation -- PyTorch's meanings, NCHW.

Every window op here is the gather of :mod:`autograd_lite.tensor.rearrange`: numpy's own window
view run on the *positions* of the padded image says which input element each window entry
copies (``-1``: padding), the forward copies them, and the gradient adds each entry back where it
came from (``add_at``), whose gradient gathers again (``take_at``) -- so second derivatives (and
any order) come with it.  The transposed convolution is the adjoint: each input pixel's products
with the filters are *added* onto the output window it spreads to (``add_at``).  The book's path
(:mod:`autograd_lite.conv`: im2col, col2im) still runs a plain ``conv2d``.

>>> import numpy as np
>>> from autograd_lite import functional as F
>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> F.conv2d(x, np.ones((1, 1, 2, 2)), dilation=2).data[0, 0].tolist()    # x[i, j] + x[i, j+2] + ...
[[20.0, 24.0], [36.0, 40.0]]
>>> F.pad2d(np.arange(3.0).reshape(1, 1, 1, 3), (2, 1, 0, 0), mode="reflect").data[0, 0].tolist()
[[2.0, 1.0, 0.0, 1.0, 2.0, 1.0]]
"""

from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np

from . import checks as _checks
from . import ops as _ops
from .conv_args import Size, _image, _pair, _tensor
from .tensor import Tensor
from .tensor.rearrange import _positions, _take_rule, add_at, take_at

__all__ = ["pad2d", "conv1d", "conv_transpose2d", "deconv2d", "PADDING_MODES"]

#: PyTorch's padding modes and numpy's names for them.
PADDING_MODES = {"zeros": "constant", "constant": "constant", "reflect": "reflect", "replicate": "edge",
                 "circular": "wrap"}

for _name, _doc in (("pad2d", "the image padded (reflect, replicate, circular or a constant)"),
                    ("windows", "every window of an image as a row (dilated, grouped convolution)"),
                    ("pool_max", "the largest element of each window (max pooling, ceil_mode, dilation)")):
    _ops.register(_ops.Op(_name, 1, f"{_name}({{a}})", ("",), (), doc=_doc,
                          sends=("g added back where each element was read",), kinds=("Tensor",),
                          vjp=_take_rule, again=lambda n, ps: take_at(ps[0], n._saved[0], n.op)))


def _four(pad: Any, op: str) -> Tuple[int, int, int, int]:
    """(left, right, top, bottom), PyTorch's order for the last two axes; an int pads all four."""
    items = tuple(pad) if isinstance(pad, (tuple, list)) else (pad,) * 4
    if len(items) == 2:
        items = (items[0], items[0], items[1], items[1])  # (width, height) as F.pad's pairs
    if len(items) != 4 or not all(_checks.is_int(k) for k in items):
        raise TypeError(f"{op}: pad must be an int or (left, right, top, bottom) ints, got {pad!r}")
    if min(items) < 0:
        raise ValueError(f"{op}: pad must be >= 0, got {pad!r}")
    return tuple(int(k) for k in items)  # type: ignore[return-value]


def _mode(mode: Any, op: str) -> str:
    if not isinstance(mode, str) or mode not in PADDING_MODES:
        raise ValueError(f"{op}: mode must be one of {sorted(PADDING_MODES)}, got {mode!r}")
    return PADDING_MODES[mode]


def pad2d(x: Any, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """The last two axes padded by ``(left, right, top, bottom)`` (PyTorch's ``F.pad`` of an image):
    ``'constant'`` (``value``), ``'reflect'`` (mirrored without the edge; pad < the size),
    ``'replicate'`` (the edge repeated) or ``'circular'`` (wrapped around; pad <= the size)."""
    t = _tensor(x, "pad2d", "x")
    if t.ndim < 2:
        raise ValueError(f"pad2d: x needs at least 2 axes, got shape {t.shape}")
    left, right, top, bottom = _four(pad, "pad2d")
    how = _mode(mode, "pad2d")
    h, w = t.shape[-2:]
    widths = [(0, 0)] * (t.ndim - 2) + [(top, bottom), (left, right)]
    size = math.prod(t.shape[:-2]) * (h + top + bottom) * (w + left + right)
    _checks.fits(size, t.data.itemsize, f"pad={(left, right, top, bottom)} on shape {t.shape}", "pad2d")
    if how == "constant":
        return t.pad(widths, _checks.real_number(value, "pad2d"))
    limit = {"reflect": (h - 1, w - 1), "wrap": (h, w), "edge": (math.inf, math.inf)}[how]
    if max(top, bottom) > limit[0] or max(left, right) > limit[1] or min(h, w) < 1:
        most = "size - 1" if how == "reflect" else "the size"
        raise ValueError(f"pad2d: mode {mode!r} pads at most {most} "
                         f"on each side; got pad {(left, right, top, bottom)} for an image of {h}x{w}")
    index = np.pad(_positions(t.shape), widths, mode=how)  # type: ignore[call-overload]
    return take_at(t, index, "pad2d")  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- windows
def _out_size(size: int, kernel: int, stride: int, dilation: int, ceil: bool = False, pad: int = 0) -> int:
    span = dilation * (kernel - 1) + 1
    if ceil:
        n = -(-(size - span) // stride) + 1
        return n - 1 if (n - 1) * stride >= size - pad else n  # PyTorch: the last window starts inside
    return (size - span) // stride + 1


def _window_index(shape: Tuple[int, ...], kernel: Tuple[int, int], stride: Tuple[int, int],
                  dilation: Tuple[int, int], out: Tuple[int, int],
                  fill: Tuple[int, int] = (0, 0)) -> np.ndarray:
    """(N, C, OH, OW, KH, KW): the flat position in an image of ``shape`` of every window entry,
    ``-1`` beyond the image (``fill`` more rows and columns of -1 at the end)."""
    pos = _positions(shape)
    if fill[0] or fill[1]:
        pos = np.pad(pos, [(0, 0), (0, 0), (0, fill[0]), (0, fill[1])], constant_values=-1)
    span = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    view = np.lib.stride_tricks.sliding_window_view(pos, span, axis=(2, 3))
    view = view[:, :, : stride[0] * (out[0] - 1) + 1 : stride[0], : stride[1] * (out[1] - 1) + 1 : stride[1],
                ::dilation[0], ::dilation[1]]
    return view


def _filters(W: Any, op: str, channels: int, groups: int, transposed: bool = False) -> Tensor:
    wt = _tensor(W, op, "W")
    if wt.ndim != 4 or min(wt.shape) < 1:
        raise ValueError(f"{op}: W must have 4 axes, got shape {wt.shape}")
    if transposed and wt.shape[0] != channels:
        raise ValueError(f"{op}: W must have shape (C_in, C_out/groups, KH, KW) with C_in = {channels}, "
                         f"got shape {wt.shape}")
    if not transposed and wt.shape[1] * groups != channels:
        raise ValueError(f"{op}: W must have shape (FN, C/groups, KH, KW) with C/groups = "
                         f"{channels}/{groups}, "
                         f"got shape {wt.shape}")
    if not transposed and wt.shape[0] % groups:
        raise ValueError(f"{op}: the {wt.shape[0]} filters must split into groups={groups} equal groups")
    return wt


def _groups(groups: Any, channels: int, op: str) -> int:
    g = _checks.count(groups, "groups", op, 1)
    if channels % g:
        raise ValueError(f"{op}: the {channels} input channels must split into groups={g} equal groups")
    return g


def conv2d_general(x: Any, W: Any, b: Any, stride: Size, pad: Size, dilation: Size, groups: Any,
                   padding_mode: str, op: str = "conv2d") -> Tensor:
    """conv2d with dilation, groups or a padding mode other than zeros (see the module notes)."""
    xt = _image(x, op)
    n, c = xt.shape[:2]
    g = _groups(groups, c, op)
    wt = _filters(W, op, c, g)
    fn, cg, kh, kw = wt.shape
    s, p, d = _pair(stride, "stride", op, 1), _pair(pad, "pad", op, 0), _pair(dilation, "dilation", op, 1)
    how = _mode(padding_mode, op)
    bt = None if b is None else _tensor(b, op, "b")
    if bt is not None and bt.shape != (fn,):
        raise ValueError(f"{op}: b must have shape ({fn},) (one bias per filter), got shape {bt.shape}")
    xp = xt if not (p[0] or p[1]) else pad2d(xt, (p[1], p[1], p[0], p[0]), "constant" if how == "constant"
                                              else padding_mode)
    hp, wp = xp.shape[2:]
    span = (d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1)
    if hp < span[0] or wp < span[1]:
        raise ValueError(f"{op}: the dilated kernel {span} is larger than the padded input {(hp, wp)}")
    out = (_out_size(hp, kh, s[0], d[0]), _out_size(wp, kw, s[1], d[1]))
    rows = n * out[0] * out[1]
    _checks.fits(rows * c * kh * kw, 8, f"kernel_size={(kh, kw)}, stride={s}, dilation={d} (a matrix of "
                 f"windows of shape {(rows, c * kh * kw)})", op)
    _checks.fits(rows * fn, xt.data.itemsize, f"{fn} filters over {rows} windows", op)
    index = _window_index(xp.shape, (kh, kw), s, d, out).transpose(0, 2, 3, 1, 4, 5)
    index = index.reshape(rows, c * kh * kw)
    col = take_at(xp, index, "windows")
    if g == 1:
        res = col @ wt.reshape(fn, -1).T
    else:
        from .tensor.contract import einsum

        res = einsum("rgk,gfk->rgf", col.reshape(rows, g, cg * kh * kw),
                     wt.reshape(g, fn // g, cg * kh * kw)).reshape(rows, fn)
    if bt is not None:
        res = res + bt
    return res.reshape(n, out[0], out[1], fn).transpose(0, 3, 1, 2)  # type: ignore[no-any-return]


def conv1d(x: Any, W: Any, b: Any = None, stride: int = 1, pad: int = 0, dilation: int = 1,
           groups: int = 1, padding_mode: str = "zeros") -> Tensor:
    """1-D convolution (cross-correlation): x (N, C, L), W (FN, C/groups, K) -> (N, FN, OL), PyTorch's
    ``conv1d`` (``pad`` its ``padding``): a conv2d of height 1."""
    xt = _tensor(x, "conv1d", "x")
    wt = _tensor(W, "conv1d", "W")
    if xt.ndim != 3 or wt.ndim != 3:
        raise ValueError(f"conv1d: x must have shape (N, C, L) and W (FN, C/groups, K), got shapes "
                         f"{xt.shape} and {wt.shape}")
    for name, v in (("stride", stride), ("pad", pad), ("dilation", dilation)):
        if not _checks.is_int(v):
            raise TypeError(f"conv1d: {name} must be an int, got {type(v).__name__}: {v!r}")
    n, c, length = xt.shape
    out = conv2d_general(xt.reshape(n, c, 1, length), wt.reshape(wt.shape[0], wt.shape[1], 1, wt.shape[2]),
                         b, (1, stride), (0, pad), (1, dilation), groups, padding_mode, "conv1d")
    return out.reshape(n, out.shape[1], out.shape[3])


def conv_transpose2d(x: Any, W: Any, b: Any = None, stride: Size = 1, pad: Size = 0,
                     output_padding: Size = 0, groups: int = 1, dilation: Size = 1) -> Tensor:
    """The transposed convolution (PyTorch's ``conv_transpose2d``, DeZero's ``deconv2d``): x (N, C_in,
    H, W), W (C_in, C_out/groups, KH, KW) -> (N, C_out, OH, OW) with ``OH = (H - 1)·stride - 2·pad +
    dilation·(KH - 1) + output_padding + 1``: each input pixel spreads its products with the filters
    over an output window, and overlapping windows add up -- conv2d's gradient with respect to its
    input, as an op of its own."""
    op = "conv_transpose2d"
    xt = _image(x, op)
    n, c, h, w = xt.shape
    g = _groups(groups, c, op)
    wt = _filters(W, op, c, g, transposed=True)
    _, fg, kh, kw = wt.shape
    cout = fg * g
    s, p, d = _pair(stride, "stride", op, 1), _pair(pad, "pad", op, 0), _pair(dilation, "dilation", op, 1)
    op_ = _pair(output_padding, "output_padding", op, 0)
    if op_[0] >= max(s[0], d[0]) or op_[1] >= max(s[1], d[1]):
        raise ValueError(f"{op}: output_padding {op_} must be smaller than the stride {s} or the "
                         f"dilation {d}")
    bt = None if b is None else _tensor(b, op, "b")
    if bt is not None and bt.shape != (cout,):
        raise ValueError(f"{op}: b must have shape ({cout},) (one bias per output channel), got shape "
                         f"{bt.shape}")
    full = ((h - 1) * s[0] + d[0] * (kh - 1) + 1 + op_[0], (w - 1) * s[1] + d[1] * (kw - 1) + 1 + op_[1])
    oh, ow = full[0] - 2 * p[0], full[1] - 2 * p[1]
    if oh < 1 or ow < 1:
        raise ValueError(f"{op}: pad {p} leaves no output (the full output is {full})")
    rows = n * h * w
    _checks.fits(rows * cout * kh * kw, 8, f"kernel_size={(kh, kw)} over {rows} pixels", op)
    _checks.fits(n * cout * full[0] * full[1], xt.data.itemsize, f"an output of shape {(n, cout) + full}", op)
    index = _window_index((n, cout) + full, (kh, kw), s, d, (h, w)).transpose(0, 2, 3, 1, 4, 5)
    index = index.reshape(rows, cout * kh * kw)
    pixels = xt.transpose(0, 2, 3, 1).reshape(rows, c)
    if g == 1:
        cols = pixels @ wt.reshape(c, fg * kh * kw)
    else:
        from .tensor.contract import einsum

        cols = einsum("rgc,gck->rgk", pixels.reshape(rows, g, c // g),
                      wt.reshape(g, c // g, fg * kh * kw)).reshape(rows, cout * kh * kw)
    img = add_at(cols, index, (n, cout) + full)[:, :, p[0]:p[0] + oh, p[1]:p[1] + ow]
    if bt is not None:
        img = img + bt.reshape(1, cout, 1, 1)
    return img  # type: ignore[no-any-return]


def deconv2d(x: Any, W: Any, b: Any = None, stride: Size = 1, pad: Size = 0) -> Tensor:
    """DeZero's name for :func:`conv_transpose2d`."""
    return conv_transpose2d(x, W, b, stride, pad)


# --------------------------------------------------------------------------- pooling
def _pool_index(t: Tensor, kernel: Size, stride: Optional[Size], pad: Size, dilation: Size, ceil_mode: Any,
                op: str) -> Tuple[np.ndarray, Tuple[int, int], Tuple[int, int], Tuple[int, int]]:
    k = _pair(kernel, "kernel_size", op, 1)
    s = k if stride is None else _pair(stride, "stride", op, 1)
    p, d = _pair(pad, "pad", op, 0), _pair(dilation, "dilation", op, 1)
    ceil = _checks.flag(ceil_mode, "ceil_mode", op)
    if 2 * p[0] > k[0] or 2 * p[1] > k[1]:
        raise ValueError(f"{op}: pad {p} must be at most half the kernel size {k} (as in PyTorch)")
    n, c, h, w = t.shape
    hp, wp = h + 2 * p[0], w + 2 * p[1]
    span = (d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1)
    if hp < span[0] or wp < span[1]:
        raise ValueError(f"{op}: the (dilated) kernel {span} is larger than the padded input {(hp, wp)}")
    out = (_out_size(hp, k[0], s[0], d[0], ceil, p[0]), _out_size(wp, k[1], s[1], d[1], ceil, p[1]))
    _checks.fits(n * c * out[0] * out[1] * k[0] * k[1], 8, f"kernel_size={k}, stride={s} (windows of "
                 f"{n * c * out[0] * out[1]} outputs)", op)
    extra = (max((out[0] - 1) * s[0] + span[0] - hp, 0), max((out[1] - 1) * s[1] + span[1] - wp, 0))
    pos = np.pad(_positions(t.shape), [(0, 0), (0, 0), (p[0], p[0] + extra[0]), (p[1], p[1] + extra[1])],
                 constant_values=-1)
    view = np.lib.stride_tricks.sliding_window_view(pos, span, axis=(2, 3))
    view = view[:, :, : s[0] * (out[0] - 1) + 1 : s[0], : s[1] * (out[1] - 1) + 1 : s[1], ::d[0], ::d[1]]
    return view.reshape(n, c, out[0], out[1], k[0] * k[1]), p, out, extra


def max_pool2d_general(x: Any, kernel_size: Size, stride: Optional[Size], pad: Size, dilation: Size,
                       ceil_mode: Any) -> Tensor:
    """max_pool2d with dilation or ceil_mode: each window's first largest element (the last NaN if
    it holds one), gathered, so its gradient goes to that one element (as PyTorch)."""
    t = _image(x, "max_pool2d")
    index, _, _, _ = _pool_index(t, kernel_size, stride, pad, dilation, ceil_mode, "max_pool2d")
    flat = t.data.reshape(-1)
    vals = np.where(index >= 0, flat[np.maximum(index, 0)], -np.inf)
    pick = vals.argmax(axis=-1)[..., None]
    nan = np.isnan(vals)
    if nan.any():  # a NaN wins (the last one, as PyTorch's kernel)
        last = vals.shape[-1] - 1 - nan[..., ::-1].argmax(axis=-1)[..., None]
        pick = np.where(nan.any(axis=-1, keepdims=True), last, pick)
    chosen = np.take_along_axis(index, pick, -1)[..., 0]
    lost = chosen < 0  # every element of the window is -inf: the first one inside the image
    if lost.any():
        inside = np.take_along_axis(index, (index >= 0).argmax(axis=-1)[..., None], -1)[..., 0]
        chosen = np.where(lost, inside, chosen)
    return take_at(t, chosen, "pool_max")  # type: ignore[no-any-return]


def avg_pool2d_general(x: Any, kernel_size: Size, stride: Optional[Size], pad: Size, ceil_mode: Any,
                       count_include_pad: Any) -> Tensor:
    """avg_pool2d with ceil_mode or count_include_pad=False: each window's sum divided by PyTorch's
    count (the padding counted or not; never the cells beyond it that ceil_mode adds)."""
    op = "avg_pool2d"
    t = _image(x, op)
    include = _checks.flag(count_include_pad, "count_include_pad", op)
    index, p, out, extra = _pool_index(t, kernel_size, stride, pad, 1, ceil_mode, op)
    sums = take_at(t, index, "windows").sum(axis=-1)
    n, c, h, w = t.shape
    if include:  # the padded image counts; the cells ceil_mode adds beyond it do not
        marks = np.pad(np.ones((1, 1, h + 2 * p[0], w + 2 * p[1])),
                       [(0, 0), (0, 0), (0, extra[0]), (0, extra[1])])
        k = _pair(kernel_size, "kernel_size", op, 1)
        s = k if stride is None else _pair(stride, "stride", op, 1)
        view = np.lib.stride_tricks.sliding_window_view(marks, k, axis=(2, 3))
        count = view[:, :, : s[0] * (out[0] - 1) + 1 : s[0],
                     : s[1] * (out[1] - 1) + 1 : s[1]].sum(axis=(-1, -2))
    else:
        count = (index >= 0).sum(axis=-1)
    return sums / count.astype(t.data.dtype)  # type: ignore[no-any-return]
