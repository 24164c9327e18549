"""Convolution and pooling as "Deep Learning from Scratch" ch. 7 builds them: im2col, one matrix
product, and col2im on the way back.

``im2col`` copies every window the kernel visits into one row of a matrix, so a convolution
becomes a single matrix product with the filters laid out as columns.  Windows overlap (with
stride 1 a pixel sits in up to KH·KW of them), so the pixel is *copied* several times; by the
chain rule the gradients of all its copies add up in the pixel.  That sum of overlapping
patches is ``col2im``: it is im2col's backward, and im2col is col2im's backward.

Both are ops of the graph whose rules call each other through :func:`_im2col_any` and
:func:`_col2im_any`, which take an ndarray (the fast first-order path) or a Tensor (a gradient
that is itself a graph), so conv's second derivatives come from the same two rules.
``conv2d`` is im2col -> reshape/transpose -> ``@`` (+ b) with ordinary Tensor ops.

Layout NCHW: x (N, C, H, W), filters W (FN, C, KH, KW), bias b (FN,), output
(N, FN, OH, OW) with ``OH = (H + 2·pad - KH) // stride + 1`` (the same for widths).

>>> import numpy as np
>>> from autograd_lite import Tensor, functional as F
>>> x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3), requires_grad=True)
>>> F.im2col(x, 2).data.tolist()           # the four 2x2 windows, one per row
[[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0], [3.0, 4.0, 6.0, 7.0], [4.0, 5.0, 7.0, 8.0]]
>>> F.im2col(x, 2).sum().backward()
>>> x.grad[0, 0].tolist()                  # how many windows hold each pixel
[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from . import checks as _checks
from . import ops as _ops
from .conv_args import Geometry, Size, _image, _pair, _shape4, _tensor, geometry
from .tensor import Tensor, _result
from .tensor.shape import scatter as _scatter

__all__ = ["im2col", "col2im", "conv2d", "max_pool2d", "avg_pool2d"]

# --------------------------------------------------------------------------- numpy kernels
def im2col_array(x: np.ndarray, geo: Geometry) -> np.ndarray:
    """The book's im2col: (N, C, H, W) -> (N·OH·OW, C·KH·KW), one window per row.

    numpy's ``sliding_window_view`` sees every window of the padded image without copying
    (a strided view); taking every stride-th one and laying them out as rows is one copy,
    whatever the kernel size (no Python loop over kernel positions).
    """
    n, c, _, _ = geo.shape
    (kh, kw), (sh, sw), (ph, pw), (oh, ow) = geo.kernel, geo.stride, geo.pad, geo.out
    img = x if not (ph or pw) else np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)], constant_values=geo.fill)
    windows = np.lib.stride_tricks.sliding_window_view(img, (kh, kw), axis=(2, 3))
    windows = windows[:, :, : sh * (oh - 1) + 1 : sh, : sw * (ow - 1) + 1 : sw]  # (N, C, OH, OW, KH, KW)
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * kh * kw)


def col2im_array(col: np.ndarray, geo: Geometry) -> np.ndarray:
    """The book's col2im: every row back onto its window, overlapping windows *added*.

    It loops over the kernel positions (each a strided slice of the image, as the book) or,
    when there are fewer windows than kernel positions (a big pooling kernel), over the
    windows: at most min(KH·KW, OH·OW) numpy additions.  The padding is cut off at the end.
    """
    n, c, h, w = geo.shape
    (kh, kw), (sh, sw), (ph, pw), (oh, ow) = geo.kernel, geo.stride, geo.pad, geo.out
    cols = col.reshape(n, oh, ow, c, kh, kw)
    img = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=col.dtype)
    if kh * kw <= oh * ow:
        for y in range(kh):
            y_max = y + sh * oh
            for xx in range(kw):
                x_max = xx + sw * ow
                img[:, :, y:y_max:sh, xx:x_max:sw] += cols[:, :, :, :, y, xx].transpose(0, 3, 1, 2)
    else:
        for i in range(oh):
            for j in range(ow):
                img[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += cols[:, i, j]
    return img[:, :, ph:h + ph, pw:w + pw]


# --------------------------------------------------------------------------- the ops and their rules
# Rules in the form rule(g, a, out, saved): g is the upstream gradient, a the parent's data,
# saved the Geometry.  Each rule calls the other op through a function that dispatches on
# g's type, so the same line differentiates numerically (ndarray) and as a graph (Tensor).

def _im2col_any(x: Any, geo: Geometry) -> Any:
    if isinstance(x, Tensor):
        return _result(im2col_array(x.data, geo), "im2col", im2col_rule, x, None, geo)
    return im2col_array(x, geo)


def _col2im_any(col: Any, geo: Geometry) -> Any:
    if isinstance(col, Tensor):
        return _result(col2im_array(col.data, geo), "col2im", col2im_rule, col, None, geo)
    return col2im_array(col, geo)


def im2col_rule(g: Any, a: Any, out: Any, saved: Geometry) -> Any:
    # each pixel was copied into every window that holds it: its copies' gradients add up
    return _col2im_any(g, saved)


def col2im_rule(g: Any, a: Any, out: Any, saved: Geometry) -> Any:
    # each row was added onto its window: every window reads its gradient back out
    return _im2col_any(g, saved._replace(fill=0.0))  # padding is cut off: it gets nothing


def _first_max_any(x: Any, saved: Tuple[Any, bool]) -> Any:
    """Each row's element at ``saved``'s index: the forward of max pooling (ties: the first)."""
    return _result(x.data[saved[0]], "window_max", first_max_rule, x, None, saved)


def first_max_rule(g: Any, a: Any, out: Any, saved: Tuple[Any, bool]) -> Any:
    # the whole gradient goes to one element per window, its first maximum (as PyTorch);
    # scatter's own rule is the gather g[index], so second derivatives stay in the graph
    return _scatter(g, saved[0], saved[1], a.shape)


_ROWS = (  # name, rule, what it sends its parent, a one-line doc, the op applied again to new parents
    ("im2col", im2col_rule, "col2im(g): each window's row added back onto its pixels",
     "every window of an image as a row of a matrix", lambda n, ps: _im2col_any(ps[0], n._saved)),
    ("col2im", col2im_rule, "im2col(g): each window reads its pixels' gradient",
     "rows added back onto their windows, overlaps summed", lambda n, ps: _col2im_any(ps[0], n._saved)),
    ("window_max", first_max_rule, "g to the first largest element of each window",
     "each row's largest element (max pooling)", lambda n, ps: _first_max_any(ps[0], n._saved)),
)
for _name, _rule, _words, _doc, _again in _ROWS:
    _ops.register(_ops.Op(_name, 1, f"{_name}({{a}})", ("",), (), doc=_doc, sends=(_words,),
                          kinds=("Tensor",), vjp=_rule, again=_again))


# --------------------------------------------------------------------------- public functions
def im2col(x: Any, kernel_size: Size, stride: Size = 1, pad: Size = 0) -> Tensor:
    """Every window of ``x`` (N, C, H, W) as a row: shape (N·OH·OW, C·KH·KW), zero padding.

    Row ``(n·OH + i)·OW + j`` is the window at output position (i, j) of image n, flattened
    in (C, KH, KW) order.  Backward: :func:`col2im` (overlapping windows add up).
    """
    t = _image(x, "im2col")
    geo = geometry(t.shape, kernel_size, stride, pad, "im2col", itemsize=t.data.itemsize)
    out = _im2col_any(t, geo)
    return out


def col2im(col: Any, input_shape: Sequence[int], kernel_size: Size, stride: Size = 1,
           pad: Size = 0) -> Tensor:
    """The rows of ``col`` added back onto their windows of an image of ``input_shape``.

    The inverse layout of :func:`im2col`, *summing* where windows overlap, so it is
    im2col's transpose (and its backward).

    >>> import numpy as np
    >>> col2im(np.ones((4, 4)), (1, 1, 3, 3), 2).data[0, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    t = _tensor(col, "col2im", "col")
    geo = geometry(_shape4(input_shape, "col2im"), kernel_size, stride, pad, "col2im",
                   itemsize=t.data.itemsize)
    (n, c, _, _), (kh, kw), (oh, ow) = geo.shape, geo.kernel, geo.out
    expected = (n * oh * ow, c * kh * kw)
    if t.shape != expected:
        raise ValueError(f"col2im: col must have shape (N·OH·OW, C·KH·KW) = {expected} for input_shape "
                         f"{geo.shape}, kernel {geo.kernel}, stride {geo.stride}, pad {geo.pad}; "
                         f"got shape {t.shape}")
    return _col2im_any(t, geo)


def conv2d(x: Any, W: Any, b: Any = None, stride: Size = 1, pad: Size = 0, dilation: Size = 1,
           groups: int = 1, padding_mode: str = "zeros") -> Tensor:
    """2-D convolution (cross-correlation, as the book and PyTorch): (N, C, H, W) -> (N, FN, OH, OW).

    ``W`` has shape (FN, C, KH, KW), ``b`` shape (FN,) or None.  Built as the book's
    Convolution layer: ``im2col(x) @ W.reshape(FN, -1).T + b``, reshaped to NCHW.  Every
    step is a Tensor op, so all three inputs get gradients, and so do the gradients.
    ``dilation``, ``groups`` (W then has shape (FN, C/groups, KH, KW)) and ``padding_mode``
    (``'zeros'``, ``'reflect'``, ``'replicate'``, ``'circular'``) are PyTorch's; with any of them
    the windows are gathered by :mod:`autograd_lite.conv_more`.

    >>> import numpy as np
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> conv2d(x, np.ones((1, 1, 2, 2))).data[0, 0].tolist()    # sums of the 2x2 windows
    [[8.0, 12.0], [20.0, 24.0]]
    """
    if not (groups == 1 and type(groups) is int and padding_mode == "zeros"
            and _pair(dilation, "dilation", "conv2d", 1) == (1, 1)):
        from .conv_more import conv2d_general

        return conv2d_general(x, W, b, stride, pad, dilation, groups, padding_mode)
    xt = _image(x, "conv2d")
    wt = _tensor(W, "conv2d", "W")
    n, c = xt.shape[:2]
    if wt.ndim != 4 or wt.shape[1] != c or min(wt.shape) < 1:
        raise ValueError(f"conv2d: W must have shape (FN, C, KH, KW) with C = {c} (x has shape {xt.shape}), "
                         f"got shape {wt.shape}")
    fn = wt.shape[0]
    bt = None if b is None else _tensor(b, "conv2d", "b")
    if bt is not None and bt.shape != (fn,):
        raise ValueError(f"conv2d: b must have shape ({fn},) (one bias per filter), got shape {bt.shape}")
    geo = geometry(xt.shape, wt.shape[2:], stride, pad, "conv2d", itemsize=xt.data.itemsize)
    oh, ow = geo.out
    _checks.fits(n * oh * ow * fn, xt.data.itemsize, f"{fn} filters over {n * oh * ow} windows (an output "
                 f"of shape {(n, fn, oh, ow)})", "conv2d")
    col = _im2col_any(xt, geo)                     # (N·OH·OW, C·KH·KW)
    out = col @ wt.reshape(fn, -1).T               # (N·OH·OW, FN): every window times every filter
    if bt is not None:
        out = out + bt
    return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)


def _windows(x: Any, kernel_size: Size, stride: Optional[Size], pad: Size, op: str,
             fill: float) -> Tuple[Tensor, Geometry]:
    t = _image(x, op)
    geo = geometry(t.shape, kernel_size, kernel_size if stride is None else stride, pad, op, fill, pool=True,
                   itemsize=t.data.itemsize)
    (kh, kw) = geo.kernel
    return _im2col_any(t, geo).reshape(-1, kh * kw), geo  # one window of one channel per row


def _to_image(rows: Tensor, geo: Geometry) -> Tensor:
    (n, c, _, _), (oh, ow) = geo.shape, geo.out
    return rows.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)


def max_pool2d(x: Any, kernel_size: Size, stride: Optional[Size] = None, pad: Size = 0, dilation: Size = 1,
               ceil_mode: bool = False) -> Tensor:
    """Largest value of each window; ``stride`` defaults to the kernel size (as PyTorch);
    ``dilation`` and ``ceil_mode`` are PyTorch's (:mod:`autograd_lite.conv_more`).

    Padding holds -inf (it never wins).  The gradient of each window goes to ONE element, its
    first maximum in row-major order, exactly as PyTorch's ``max_pool2d`` (``Tensor.max``
    would split it between ties).

    >>> import numpy as np
    >>> x = Tensor(np.array([[[[1.0, 3.0], [3.0, 0.0]]]]), requires_grad=True)
    >>> max_pool2d(x, 2).sum().backward()
    >>> x.grad[0, 0].tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """
    if ceil_mode is not False or _pair(dilation, "dilation", "max_pool2d", 1) != (1, 1):
        from .conv_more import max_pool2d_general

        return max_pool2d_general(x, kernel_size, stride, pad, dilation, ceil_mode)
    windows, geo = _windows(x, kernel_size, stride, pad, "max_pool2d", -math.inf)
    d = windows.data
    rows = np.arange(d.shape[0])
    saved = ((rows, _window_argmax(d, rows, geo)), False)  # (index of each window's max, accumulate)
    return _to_image(_first_max_any(windows, saved), geo)


def _window_argmax(d: np.ndarray, rows: np.ndarray, geo: Geometry) -> np.ndarray:
    """The element of each window (a row of ``d``) that PyTorch's max pooling picks: its first
    maximum; the last NaN if it holds one; its first element inside the image if everything
    in it is -inf (the -inf padding must not take the gradient)."""
    index = d.argmax(axis=1)
    best = d[rows, index]
    odd = np.isnan(best) | (best == -math.inf)
    if odd.any():
        k = d.shape[1]
        r = rows[odd]
        nan = np.isnan(d[r])
        last_nan = k - 1 - nan[:, ::-1].argmax(axis=1)
        (_, c, _, _), (_, kw), (sh, sw), (ph, pw) = geo.shape, geo.kernel, geo.stride, geo.pad
        oh, ow = geo.out
        window = r // c  # rows run over (image, output row, output column, channel)
        i, j = (window // ow) % oh, window % ow
        first_inside = np.maximum(ph - i * sh, 0) * kw + np.maximum(pw - j * sw, 0)
        index[r] = np.where(nan.any(axis=1), last_nan, first_inside)
    return index


def avg_pool2d(x: Any, kernel_size: Size, stride: Optional[Size] = None, pad: Size = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Mean of each window; padding counts as zeros (PyTorch's default ``count_include_pad=True``);
    ``ceil_mode`` and ``count_include_pad=False`` are PyTorch's (:mod:`autograd_lite.conv_more`).

    >>> import numpy as np
    >>> avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2).data[0, 0].tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    if ceil_mode is not False or count_include_pad is not True:
        from .conv_more import avg_pool2d_general

        return avg_pool2d_general(x, kernel_size, stride, pad, ceil_mode, count_include_pad)
    windows, geo = _windows(x, kernel_size, stride, pad, "avg_pool2d", 0.0)
    return _to_image(windows.mean(axis=1), geo)
