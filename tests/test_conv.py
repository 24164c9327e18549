"""Convolution and pooling: hand values, central differences on every argument, PyTorch parity
(hypothesis over shapes, strides, paddings, float32 and float64, max-pool ties), the adjoint
identity behind col2im, the rules on the graph path, validation and all-or-nothing."""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_tensor_grads import check

from autograd_lite import Tensor, nn
from autograd_lite import conv as C
from autograd_lite import functional as F

EXAMPLES = settings(deadline=None, max_examples=40)
seeds = st.integers(0, 2**32 - 1)


def distinct(rng: np.random.Generator, shape: Tuple[int, ...]) -> np.ndarray:
    """Values at least 0.1 apart (a shuffled grid), so a max is never near a tie."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.1 - n * 0.05).reshape(shape) + rng.uniform(-0.02, 0.02, shape)


# --------------------------------------------------------------------------- hand values
def test_im2col_rows_are_the_windows_and_col2im_counts_the_overlaps() -> None:
    x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3), requires_grad=True)
    col = F.im2col(x, 2)
    assert col.data.tolist() == [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]
    col.sum().backward()
    assert x.grad is not None and x.grad[0, 0].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    assert F.col2im(np.ones((4, 4)), (1, 1, 3, 3), 2).data[0, 0].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]


def test_conv2d_by_hand_with_stride_and_padding() -> None:
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # x[i, j] - x[i+1, j+1]
    out = F.conv2d(x, w, np.array([0.5]), stride=2, pad=1)
    # padded 6x6; windows at rows/cols 0, 2, 4 of the padded image
    xp = np.pad(x[0, 0], 1)
    expected = [[xp[i, j] - xp[i + 1, j + 1] + 0.5 for j in (0, 2, 4)] for i in (0, 2, 4)]
    assert out.data[0, 0].tolist() == expected
    assert out.shape == (1, 1, 3, 3)


def test_pools_by_hand() -> None:
    x = np.array([[[[1.0, 3.0, -2.0], [3.0, 0.0, -5.0], [-1.0, -1.0, -4.0]]]])
    t = Tensor(x, requires_grad=True)
    out = F.max_pool2d(t, 2, stride=1)
    assert out.data[0, 0].tolist() == [[3.0, 3.0], [3.0, 0.0]]
    out.sum().backward()
    # the tie of the first window (3 at (0,1) and (1,0)): all of it to the first, (0,1)
    assert t.grad is not None and t.grad[0, 0].tolist() == [[0, 2, 0], [1, 1, 0], [0, 0, 0]]
    neg = -np.ones((1, 1, 2, 2))  # padding is -inf for max pool (0 would win), 0 for avg pool
    assert F.max_pool2d(neg, 2, pad=1).data[0, 0].tolist() == [[-1, -1], [-1, -1]]
    assert F.avg_pool2d(neg, 2, pad=1).data[0, 0].tolist() == [[-0.25, -0.25], [-0.25, -0.25]]
    assert F.avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2).data[0, 0].tolist() == [[2.5, 4.5],
                                                                                         [10.5, 12.5]]


def test_im2col_and_col2im_are_adjoint() -> None:
    # <im2col(x), c> = <x, col2im(c)> for every x and c: col2im is im2col's transpose,
    # which is exactly why it is im2col's backward
    rng = np.random.default_rng(1)
    for shape, k, s, p in [((2, 3, 5, 4), (2, 3), (1, 2), (1, 0)), ((1, 2, 7, 7), 3, 2, 1),
                           ((3, 1, 4, 6), (4, 1), (3, 1), (0, 2))]:
        x = rng.standard_normal(shape)
        col = F.im2col(x, k, s, p).data
        c = rng.standard_normal(col.shape)
        back = F.col2im(c, shape, k, s, p).data
        assert back.shape == shape
        np.testing.assert_allclose(np.sum(col * c), np.sum(x * back), rtol=1e-13)


# --------------------------------------------------------------------------- central differences
@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1), ((1, 2), (2, 0))])
def test_conv2d_gradcheck_every_argument(stride: Any, pad: Any) -> None:
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 2, 5, 4)), rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3)
    check(lambda x, w, b: F.conv2d(x, w, b, stride, pad), x, w, b, rtol=1e-6, atol=1e-8)
    check(lambda x, w: F.conv2d(x, w, None, stride, pad), x, w, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kernel,stride,pad", [(2, 1, 0), ((3, 2), (2, 1), (1, 1)), (3, 3, 1)])
def test_im2col_col2im_gradcheck(kernel: Any, stride: Any, pad: Any) -> None:
    rng = np.random.default_rng(2)
    shape = (2, 2, 5, 4)
    x = rng.standard_normal(shape)
    check(lambda x: F.im2col(x, kernel, stride, pad), x, rtol=1e-6, atol=1e-8)
    col = F.im2col(x, kernel, stride, pad).data
    check(lambda c: F.col2im(c, shape, kernel, stride, pad), rng.standard_normal(col.shape), rtol=1e-6,
          atol=1e-8)


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
@pytest.mark.parametrize("kernel,stride,pad", [(2, None, 0), ((3, 2), 1, (1, 1)), (2, (1, 2), 1)])
def test_pool_gradcheck(pool: Callable[..., Tensor], kernel: Any, stride: Any, pad: Any) -> None:
    x = distinct(np.random.default_rng(3), (2, 2, 5, 4))
    check(lambda x: pool(x, kernel, stride, pad), x, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------- PyTorch parity
@st.composite
def geometries(draw: Any, pool: bool = False) -> Tuple[Tuple[int, ...], Tuple[int, int], Tuple[int, int],
                                                       Tuple[int, int]]:
    shape = tuple(draw(st.integers(1, n)) for n in (3, 3, 9, 9))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2 if pool else 2)), draw(st.integers(0, k[1] // 2 if pool else 2)))
    assume(shape[2] + 2 * p[0] >= k[0] and shape[3] + 2 * p[1] >= k[1])
    return shape, k, s, p


DTYPES = st.sampled_from([np.float32, np.float64])


def tol(dtype: Any) -> dict:
    return {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 2e-5}


@EXAMPLES
@given(geo=geometries(), fn=st.integers(1, 3), bias=st.booleans(), dtype=DTYPES, seed=seeds)
def test_conv2d_matches_torch(geo: Any, fn: int, bias: bool, dtype: Any, seed: int) -> None:
    torch = pytest.importorskip("torch")
    shape, k, s, p = geo
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((fn, shape[1]) + k).astype(dtype)
    b = rng.standard_normal(fn).astype(dtype) if bias else None
    ours = [Tensor(a.copy(), requires_grad=True) for a in (x, w, b) if a is not None]
    out = F.conv2d(ours[0], ours[1], ours[2] if bias else None, s, p)
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b) if a is not None]
    ref = torch.nn.functional.conv2d(theirs[0], theirs[1], theirs[2] if bias else None, stride=s, padding=p)
    assert out.shape == tuple(ref.shape) and out.dtype == dtype
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol(dtype))
    g = rng.standard_normal(out.shape).astype(dtype)
    out.backward(g)
    ref.backward(torch.tensor(g))
    for a, t in zip(ours, theirs):
        assert a.grad is not None and a.grad.dtype == dtype
        np.testing.assert_allclose(a.grad, t.grad.numpy(), **tol(dtype))


@EXAMPLES
@given(geo=geometries(pool=True), kind=st.sampled_from(["max", "avg"]), ties=st.booleans(), dtype=DTYPES,
       seed=seeds)
def test_pools_match_torch(geo: Any, kind: str, ties: bool, dtype: Any, seed: int) -> None:
    torch = pytest.importorskip("torch")
    shape, k, s, p = geo
    rng = np.random.default_rng(seed)
    # ties: a few small integers, so most windows hold equal maxima; negative values make
    # the -inf padding of max pooling matter
    x = (rng.integers(-2, 2, shape) if ties else rng.standard_normal(shape)).astype(dtype)
    ours, theirs = {"max": (F.max_pool2d, torch.nn.functional.max_pool2d),
                    "avg": (F.avg_pool2d, torch.nn.functional.avg_pool2d)}[kind]
    t = Tensor(x.copy(), requires_grad=True)
    out = ours(t, k, s, p)
    tx = torch.tensor(x, requires_grad=True)
    ref = theirs(tx, k, s, p)
    assert out.shape == tuple(ref.shape) and out.dtype == dtype
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **tol(dtype))
    g = rng.standard_normal(out.shape).astype(dtype)
    out.backward(g)
    ref.backward(torch.tensor(g))
    assert t.grad is not None
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), **tol(dtype))


@EXAMPLES
@given(geo=geometries(), seed=seeds)
def test_im2col_matches_torch_unfold(geo: Any, seed: int) -> None:
    torch = pytest.importorskip("torch")
    shape, k, s, p = geo
    x = np.random.default_rng(seed).standard_normal(shape)
    ref = torch.nn.functional.unfold(torch.tensor(x), k, padding=p, stride=s)  # (N, C·KH·KW, L)
    ours = F.im2col(x, k, s, p).data.reshape(shape[0], -1, ref.shape[1]).transpose(0, 2, 1)
    np.testing.assert_array_equal(ours, ref.numpy())
    col = np.random.default_rng(seed + 1).standard_normal(ours.shape)
    back = torch.nn.functional.fold(torch.tensor(col), shape[2:], k, padding=p, stride=s)
    ours_back = F.col2im(col.transpose(0, 2, 1).reshape(-1, col.shape[1]), shape, k, s, p).data
    np.testing.assert_allclose(ours_back, back.numpy(), rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- the rules on the graph path
def test_rules_dispatch_on_tensors_and_build_a_graph() -> None:
    # the same rule run on a Tensor upstream is a graph node that can itself be differentiated
    rng = np.random.default_rng(4)
    shape = (2, 2, 4, 5)
    geo = C.geometry(shape, (2, 3), (1, 2), (1, 1), "test")
    col = C.im2col_array(rng.standard_normal(shape), geo)
    g = Tensor(rng.standard_normal(col.shape), requires_grad=True)
    back = C.im2col_rule(g, None, None, geo)
    assert isinstance(back, Tensor) and back.op == "col2im"
    np.testing.assert_array_equal(back.data, C.im2col_rule(g.data, None, None, geo))
    v = rng.standard_normal(shape)
    back.backward(v)  # d <col2im(g), v> / dg = im2col(v)
    np.testing.assert_allclose(g.grad, C.im2col_array(v, geo), rtol=1e-15)
    # max pool: the window max's rule is a scatter (whose rule is a gather)
    windows = distinct(rng, (6, 4))
    saved = ((np.arange(6), windows.argmax(axis=1)), False)
    up = Tensor(rng.standard_normal(6), requires_grad=True)
    sent = C.first_max_rule(up, windows, None, saved)
    assert isinstance(sent, Tensor) and sent.op == "scatter"
    w = rng.standard_normal((6, 4))
    sent.backward(w)
    np.testing.assert_array_equal(up.grad, w[np.arange(6), windows.argmax(axis=1)])


# --------------------------------------------------------------------------- second derivatives
def _second_derivatives(ours: Callable[..., Tensor], theirs: Callable[..., Any], arrays: List[np.ndarray],
                        seed: int) -> None:
    """d/dx_j of sum_i <u_i, dL/dx_i> for L = sum(v * f(x)**2), ours (create_graph) vs torch."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = ours(*xs)
    v = rng.standard_normal(out.shape)
    us = [rng.standard_normal(a.shape) for a in arrays]
    (v * out * out).sum().backward(create_graph=True)
    firsts = [x.grad for x in xs]
    assert all(isinstance(g, Tensor) for g in firsts)
    for x in xs:
        x.grad = None
    sum((g * u).sum() for g, u in zip(firsts, us)).backward()  # type: ignore[union-attr]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    tout = theirs(*ts)
    tfirst = torch.autograd.grad((torch.tensor(v) * tout * tout).sum(), ts, create_graph=True)
    tsecond = torch.autograd.grad(sum((g * torch.tensor(u)).sum() for g, u in zip(tfirst, us)), ts)
    for x, g, tg, t2 in zip(xs, firsts, tfirst, tsecond):
        np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-12, atol=1e-12)  # type: ignore[union-attr]
        np.testing.assert_allclose(x.grad, t2.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("stride,pad", [(1, 0), (2, (1, 2))])
def test_conv2d_second_derivatives_match_torch(stride: Any, pad: Any) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal((2, 2, 5, 4)), rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3)]
    _second_derivatives(lambda x, w, b: F.conv2d(x, w, b, stride, pad),
                        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride=stride, padding=pad),
                        arrays, 6)


def test_im2col_col2im_second_derivatives_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    shape, k, s, p = (2, 2, 5, 4), (2, 3), (1, 2), (1, 1)
    col = F.im2col(np.zeros(shape), k, s, p)
    # torch's unfold is (N, C·KH·KW, L); ours is (N·L, C·KH·KW)
    _second_derivatives(lambda x: F.im2col(x, k, s, p),
                        lambda x: torch.nn.functional.unfold(x, k, padding=p, stride=s).transpose(1, 2)
                        .reshape(col.shape), [rng.standard_normal(shape)], 8)
    rows = col.shape[0] // shape[0]
    _second_derivatives(lambda c: F.col2im(c, shape, k, s, p),
                        lambda c: torch.nn.functional.fold(c.reshape(shape[0], rows, -1).transpose(1, 2),
                                                           shape[2:], k, padding=p, stride=s),
                        [rng.standard_normal(col.shape)], 9)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool_second_derivatives_match_torch(kind: str) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = {"max": (F.max_pool2d, torch.nn.functional.max_pool2d),
                    "avg": (F.avg_pool2d, torch.nn.functional.avg_pool2d)}[kind]
    x = distinct(np.random.default_rng(10), (2, 2, 5, 4))
    _second_derivatives(lambda x: ours(x, 2, 1, 1), lambda x: theirs(x, 2, 1, 1), [x], 11)


def test_float16_and_empty_batch() -> None:
    x = Tensor(np.ones((0, 2, 4, 4)), requires_grad=True)
    out = F.conv2d(x, np.ones((3, 2, 2, 2)))
    assert out.shape == (0, 3, 3, 3)
    assert F.max_pool2d(x, 2).shape == (0, 2, 2, 2)
    h = F.max_pool2d(np.ones((1, 1, 2, 2), np.float16), 2, pad=1)
    assert h.dtype == np.float16 and h.data.tolist() == [[[[1, 1], [1, 1]]]]


# --------------------------------------------------------------------------- validation
X = np.zeros((1, 2, 5, 5))
BAD: list = [
    (lambda: F.conv2d(np.zeros((2, 5, 5)), np.zeros((1, 2, 3, 3))), ValueError,
     r"conv2d: x must have shape \(N, C, H, W\), got shape \(2, 5, 5\)"),
    (lambda: F.conv2d(X, np.zeros((1, 3, 3, 3))), ValueError,
     r"conv2d: W must have shape \(FN, C, KH, KW\) with C = 2"),
    (lambda: F.conv2d(X, np.zeros((4, 2, 3, 3)), np.zeros(3)), ValueError,
     r"conv2d: b must have shape \(4,\)"),
    (lambda: F.conv2d(X, np.zeros((1, 2, 6, 3))), ValueError,
     r"conv2d: kernel \(6, 3\) is larger than the padded input \(5, 5\)"),
    (lambda: F.conv2d(X, np.zeros((1, 2, 3, 3)), stride=1.5), TypeError,
     r"conv2d: stride must be an int or a pair"),
    (lambda: F.conv2d(X, np.zeros((1, 2, 3, 3)), stride=True), TypeError, r"conv2d: stride must be an int"),
    (lambda: F.conv2d(X, np.zeros((1, 2, 3, 3)), stride=0), ValueError,
     r"conv2d: stride must be >= 1, got 0"),
    (lambda: F.conv2d(X, np.zeros((1, 2, 3, 3)), pad=(1, -1)), ValueError, r"conv2d: pad must be >= 0"),
    (lambda: F.conv2d(X, np.zeros((1, 2, 3, 3)), pad=(1, 2, 3)), TypeError,
     r"conv2d: pad must be an int or a pair"),
    (lambda: F.conv2d("x", np.zeros((1, 2, 3, 3))), TypeError,
     r"conv2d: x must be a Tensor or an array, got str"),
    (lambda: F.conv2d(np.zeros((1, 0, 5, 5)), np.zeros((1, 0, 3, 3))), ValueError,
     r"conv2d: x of shape .* empty"),
    (lambda: F.max_pool2d(X, 2, pad=2), ValueError,
     r"max_pool2d: pad \(2, 2\) must be at most half the kernel"),
    (lambda: F.avg_pool2d(X, 6), ValueError, r"avg_pool2d: kernel \(6, 6\) is larger than the padded input"),
    (lambda: F.max_pool2d(X, 0), ValueError, r"max_pool2d: kernel_size must be >= 1"),
    (lambda: F.im2col(X, (2, "2")), TypeError, r"im2col: kernel_size must be an int or a pair"),
    (lambda: F.col2im(np.zeros((16, 8)), (1, 2, 5, 5), 2, 2), ValueError,
     r"col2im: col must have shape .* = \(4, 8\)"),
    (lambda: F.col2im(np.zeros((16, 8)), (1, 2, 5), 2), TypeError,
     r"col2im: input_shape must be a tuple of 4 ints"),
    (lambda: F.col2im(np.zeros((16, 8)), (1, 0, 5, 5), 2), ValueError,
     r"col2im: input_shape \(1, 0, 5, 5\) must"),
    (lambda: nn.Conv2d(0, 3, 3), ValueError, r"Conv2d: in_channels must be >= 1"),
    (lambda: nn.Conv2d(1, 3, 3, init="xavier"), ValueError,
     r"Conv2d: init must be 'he' or a standard deviation"),
    (lambda: nn.Conv2d(1, 3, 3)(np.zeros((1, 2, 5, 5))), ValueError,
     r"Conv2d\(1, 3\): expected input of shape \(N, 1, H, W\)"),
    (lambda: nn.MaxPool2d(2, pad=3), ValueError, r"MaxPool2d: pad \(3, 3\) must be at most half"),
    (lambda: nn.AvgPool2d(2.0), TypeError, r"AvgPool2d: kernel_size must be an int"),
    (lambda: nn.Flatten(1)(np.zeros(3)), ValueError,
     r"Flatten\(start_dim=1\): input of shape \(3,\) has no axis 1"),
]


@pytest.mark.parametrize("call,error,message", BAD)
def test_bad_arguments_get_a_clear_error(call: Callable[[], Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_a_failing_op_or_backward_changes_nothing() -> None:
    x = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    w = Tensor(np.ones((2, 1, 2, 2)), requires_grad=True)
    F.conv2d(x, w).sum().backward()
    before = (x.grad.copy(), w.grad.copy(), x.data.copy(), w.data.copy())  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        F.conv2d(x, w, stride=(1, 1), pad=-1)
    with pytest.raises(ValueError):
        F.max_pool2d(x, 5)
    out = F.conv2d(x, w, stride=2)
    with pytest.raises(ValueError, match="gradient shape"):
        out.backward(np.ones((1, 2, 3, 3)))
    for a, b in zip((x.grad, w.grad, x.data, w.data), before):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- layers
def test_layers_shapes_init_and_save_load(tmp_path: Any) -> None:
    conv = nn.Conv2d(3, 8, (3, 5), stride=2, pad=(1, 2), rng=0)
    assert conv.W.shape == (8, 3, 3, 5) and conv.b is not None
    assert conv.weight is conv.W and conv.bias is conv.b
    assert abs(conv.W.data.std() - np.sqrt(2.0 / 45)) < 0.2 * np.sqrt(2.0 / 45)  # He: fan-in 3·3·5
    assert nn.Conv2d(1, 2, 3, bias=False).b is None
    net = nn.Sequential(nn.Conv2d(1, 4, 3, init=0.01, rng=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(4, 2, 1, rng=2),
                        nn.AvgPool2d(2, stride=1), nn.Flatten(), nn.Linear(2 * 2 * 2, 3, rng=3))
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8))
    out = net(x).data
    assert out.shape == (2, 3)
    assert [n for n, _ in net.named_parameters()] == ["0.W", "0.b", "3.W", "3.b", "6.W", "6.b"]
    path = tmp_path / "net.npz"
    net.save(path)
    other = nn.Sequential(nn.Conv2d(1, 4, 3, rng=9), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 2, 1, rng=8),
                          nn.AvgPool2d(2, stride=1), nn.Flatten(), nn.Linear(8, 3, rng=7))
    np.testing.assert_array_equal(other.load(path)(x).data, out)
    wrong = nn.Sequential(nn.Conv2d(1, 5, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(5, 2, 1),
                          nn.AvgPool2d(2, stride=1), nn.Flatten(), nn.Linear(8, 3))
    kept = [p.data.copy() for p in wrong.parameters()]
    with pytest.raises(ValueError, match="0.W"):
        wrong.load(path)
    for p, k in zip(wrong.parameters(), kept):
        np.testing.assert_array_equal(p.data, k)
    assert "kernel_size=(3, 5), stride=(2, 2), pad=(1, 2)" in repr(conv)
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), pad=(0, 0))"
