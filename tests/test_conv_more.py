"""Convolution options (autograd_lite.conv_more): dilation, groups, padding modes, asymmetric padding,
conv1d, conv_transpose2d, pooling with ceil_mode and dilation -- values, first derivatives (central
differences and PyTorch) and second derivatives (Hessian-vector products against PyTorch's); the nn
layers with their options; bad arguments refused."""

from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_tensor_ops import full_check

from autograd_lite import Tensor, nn
from autograd_lite import functional as F
from autograd_lite.engine import topological_order

R = np.random.default_rng(9)


def _tf() -> Any:
    import torch.nn.functional as TF  # only called by tests that importorskip'd torch

    return TF


def _n(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


# (ours, inputs, PyTorch's): each squared so that second derivatives are not trivially 0
CASES: Dict[str, Tuple[Callable[..., Any], Tuple[np.ndarray, ...], Callable[..., Any]]] = {
    "dilation groups stride": (
        lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), pad=(1, 2), dilation=(2, 1), groups=2) ** 2,
        (_n(2, 4, 7, 6), _n(6, 2, 3, 2), _n(6)),
        lambda x, w, b: _tf().conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2) ** 2),
    "depthwise": (lambda x, w: F.conv2d(x, w, pad=1, groups=3) ** 2, (_n(1, 3, 5, 5), _n(3, 1, 3, 3)),
                  lambda x, w: _tf().conv2d(x, w, padding=1, groups=3) ** 2),
    **{f"padding_mode {m}": (
        (lambda x, w, _m=m: F.conv2d(x, w, pad=(1, 2), padding_mode=_m) ** 2),
        (_n(2, 2, 5, 6), _n(3, 2, 3, 3)),
        (lambda x, w, _m=m: _tf().conv2d(_tf().pad(x, (2, 2, 1, 1), mode=_m), w) ** 2))
       for m in ("reflect", "replicate", "circular")},
    "pad2d asymmetric": (lambda x: F.pad2d(x, (2, 0, 1, 3), mode="replicate") ** 2, (_n(2, 3, 4, 3),),
                         lambda x: _tf().pad(x, (2, 0, 1, 3), mode="replicate") ** 2),
    "pad2d constant": (lambda x: F.pad2d(x, (0, 1, 2, 0), value=0.5) ** 2, (_n(1, 2, 3, 3),),
                       lambda x: _tf().pad(x, (0, 1, 2, 0), value=0.5) ** 2),
    "conv1d": (lambda x, w, b: F.conv1d(x, w, b, stride=2, pad=1, dilation=2, groups=2) ** 2,
               (_n(2, 4, 9), _n(6, 2, 3), _n(6)),
               lambda x, w, b: _tf().conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2) ** 2),
    "conv_transpose2d": (
        lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(2, 3), pad=(1, 0), output_padding=(1, 2),
                                           groups=2, dilation=(1, 2)) ** 2,
        (_n(2, 4, 3, 3), _n(4, 3, 3, 2), _n(6)),
        lambda x, w, b: _tf().conv_transpose2d(x, w, b, stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                               groups=2, dilation=(1, 2)) ** 2),
    "deconv2d": (lambda x, w: F.deconv2d(x, w, stride=2, pad=1) ** 2, (_n(1, 2, 3, 4), _n(2, 3, 4, 4)),
                 lambda x, w: _tf().conv_transpose2d(x, w, stride=2, padding=1) ** 2),
    "max_pool ceil": (lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True) ** 2, (_n(2, 2, 6, 7),),
                      lambda x: _tf().max_pool2d(x, 3, 2, 1, ceil_mode=True) ** 2),
    "max_pool dilation": (lambda x: F.max_pool2d(x, (2, 3), 1, 1, dilation=(2, 1)) ** 2, (_n(1, 2, 6, 5),),
                          lambda x: _tf().max_pool2d(x, (2, 3), 1, 1, dilation=(2, 1)) ** 2),
    "avg_pool ceil": (lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True) ** 2, (_n(2, 2, 6, 7),),
                      lambda x: _tf().avg_pool2d(x, 3, 2, 1, ceil_mode=True) ** 2),
    "avg_pool no pad count": (
        lambda x: F.avg_pool2d(x, (3, 2), (2, 2), (1, 1), ceil_mode=True, count_include_pad=False) ** 2,
        (_n(1, 2, 5, 6),),
        lambda x: _tf().avg_pool2d(x, (3, 2), (2, 2), (1, 1), ceil_mode=True, count_include_pad=False) ** 2),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_option_to_second_order_against_pytorch(name: str) -> None:
    pytest.importorskip("torch")
    f, xs, theirs = CASES[name]
    full_check(f, theirs, *xs, rtol=1e-11)


def test_the_gathered_paths_run_their_rows() -> None:
    x = Tensor(_n(1, 2, 5, 5), requires_grad=True)
    ops = {n.op for n in topological_order((F.conv2d(x, _n(2, 2, 3, 3), dilation=2) ** 2).sum())}
    assert "windows" in ops and "im2col" not in ops
    assert "pad2d" in {n.op for n in topological_order(F.pad2d(x, 1, mode="reflect").sum())}
    assert "pool_max" in {n.op for n in topological_order(F.max_pool2d(x, 2, ceil_mode=True).sum())}
    plain = {n.op for n in topological_order(F.conv2d(x, _n(2, 2, 3, 3)).sum())}
    assert "im2col" in plain  # the book's path is unchanged without the options


def test_conv_transpose2d_is_the_gradient_of_conv2d_with_respect_to_its_input() -> None:
    x = Tensor(_n(2, 3, 7, 6), requires_grad=True)
    w = _n(4, 3, 3, 3)
    y = F.conv2d(x, w, stride=2, pad=1)
    g = _n(*y.shape)
    y.backward(g)
    t = F.conv_transpose2d(g, w, stride=2, pad=1, output_padding=(0, 1))
    np.testing.assert_allclose(t.data, x.grad, rtol=1e-13, atol=1e-13)


BAD: Dict[str, Tuple[Callable[[], Any], type, str]] = {
    "groups split": (lambda: F.conv2d(_n(1, 3, 4, 4), _n(2, 1, 2, 2), groups=2), ValueError,
                     "conv2d: the 3 input channels must split into groups=2"),
    "groups W": (lambda: F.conv2d(_n(1, 4, 4, 4), _n(2, 1, 2, 2), groups=2), ValueError,
                 "conv2d: W must have shape \\(FN, C/groups, KH, KW\\)"),
    "groups zero": (lambda: F.conv2d(_n(1, 4, 4, 4), _n(2, 2, 2, 2), groups=0), ValueError,
                    "groups must be >= 1"),
    "dilation": (lambda: F.conv2d(_n(1, 1, 4, 4), _n(1, 1, 2, 2), dilation=0), ValueError,
                 "dilation must be >= 1"),
    "dilated too big": (lambda: F.conv2d(_n(1, 1, 4, 4), _n(1, 1, 3, 3), dilation=2), ValueError,
                        "the dilated kernel \\(5, 5\\) is larger than the padded input"),
    "mode": (lambda: F.conv2d(_n(1, 1, 4, 4), _n(1, 1, 2, 2), pad=1, padding_mode="mirror"), ValueError,
             "conv2d: mode must be one of"),
    "reflect too far": (lambda: F.pad2d(_n(1, 1, 2, 2), 2, mode="reflect"), ValueError,
                        "pad2d: mode 'reflect' pads at most size - 1"),
    "negative pad": (lambda: F.pad2d(_n(1, 1, 2, 2), (1, -1, 0, 0)), ValueError, "pad2d: pad must be >= 0"),
    "pad size": (lambda: F.pad2d(_n(1, 1, 2, 2), 10**6), ValueError, "pad2d: pad=.* would need"),
    "output_padding": (lambda: F.conv_transpose2d(_n(1, 1, 3, 3), _n(1, 1, 2, 2), stride=2, output_padding=2),
                       ValueError, "output_padding \\(2, 2\\) must be smaller than the stride"),
    "transposed W": (lambda: F.conv_transpose2d(_n(1, 2, 3, 3), _n(3, 1, 2, 2)), ValueError,
                     "conv_transpose2d: W must have shape \\(C_in, C_out/groups, KH, KW\\)"),
    "conv1d shape": (lambda: F.conv1d(_n(1, 2, 3, 3), _n(1, 2, 2)), ValueError, "conv1d: x must have shape"),
    "conv1d stride": (lambda: F.conv1d(_n(1, 2, 5), _n(1, 2, 2), stride=(1, 2)), TypeError,
                      "conv1d: stride must be an int"),
    "ceil_mode": (lambda: F.max_pool2d(_n(1, 1, 4, 4), 2, ceil_mode="yes"), TypeError,
                  "max_pool2d: ceil_mode must be True or False"),
    "pool pad": (lambda: F.max_pool2d(_n(1, 1, 4, 4), 2, pad=2, ceil_mode=True), ValueError,
                 "pad \\(2, 2\\) must be at most half the kernel size"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_arguments_are_refused_naming_the_function(case: str) -> None:
    call, kind, message = BAD[case]
    with pytest.raises(kind, match=message):
        call()


def test_the_layers_take_the_options_and_continue_in_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x = _n(2, 4, 7, 7)
    layers = [
        nn.Conv2d(4, 6, 3, stride=2, pad=1, dilation=2, groups=2, padding_mode="reflect", rng=0),
        nn.ConvTranspose2d(4, 6, 3, stride=2, pad=1, output_padding=1, groups=2, dilation=1, rng=1),
        nn.MaxPool2d(3, 2, 1, dilation=1, ceil_mode=True),
        nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
    ]
    for layer in layers:
        ours = layer(x)
        theirs = layer.to_torch()(torch.tensor(x))
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    conv1 = nn.Conv1d(4, 2, 3, stride=1, pad=2, dilation=2, rng=2)
    y = _n(2, 4, 9)
    np.testing.assert_allclose(conv1(y).data, conv1.to_torch()(torch.tensor(y)).detach().numpy(), rtol=1e-12)
    assert conv1.W.shape == (2, 4, 3) and layers[1].W.shape == (4, 3, 3, 3)


@settings(deadline=None, max_examples=20)
@given(k=st.integers(1, 3), s=st.integers(1, 3), p=st.integers(0, 1), d=st.integers(1, 2),
       size=st.integers(4, 7), seed=st.integers(0, 2**31 - 1))
def test_max_and_avg_pooling_with_ceil_mode_match_pytorch_for_any_geometry(
        k: int, s: int, p: int, d: int, size: int, seed: int) -> None:
    torch = pytest.importorskip("torch")
    if 2 * p > k or size + 2 * p < d * (k - 1) + 1:
        return  # PyTorch refuses these too
    x = np.random.default_rng(seed).standard_normal((1, 2, size, size + 1))
    for ceil in (False, True):
        ours = F.max_pool2d(x, k, s, p, dilation=d, ceil_mode=ceil)
        theirs = _tf().max_pool2d(torch.tensor(x), k, s, p, dilation=d, ceil_mode=ceil)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
        ours = F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=False)
        theirs = _tf().avg_pool2d(torch.tensor(x), k, s, p, ceil_mode=ceil, count_include_pad=False)
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-14, atol=1e-15)
