"""The ops PyTorch users and HIPS autograd's tests reach for (autograd_lite.ops_more, tensor.binary_math,
tensor.rearrange, joins, einsum's '...'): values against numpy, first derivatives against central
differences and PyTorch, second derivatives (Hessian-vector products) against PyTorch; hand values;
bad input refused, naming the op, with nothing changed."""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, Tuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_tensor_ops import full_check

from autograd_lite import DomainError, Tensor, Value, grad, hessian, jvp
from autograd_lite import functional as F
from autograd_lite.engine import topological_order
from autograd_lite.tensor.rearrange import add_at, take_at

R = np.random.default_rng(5)


def _t() -> Any:
    import torch  # only called by tests that importorskip'd it

    return torch


def _u(lo: float, hi: float, *shape: int) -> np.ndarray:
    return R.uniform(lo, hi, shape)


_IDX = np.array([[2, 0, 0], [1, 1, 3]])
_FLAT = np.array([[5, -1, 0], [5, 2, 7]])  # take_at: -1 reads a zero; 5 is read twice
_PUT = np.array([[3, 0], [1, 2]])  # put_along_axis: distinct places per row
_ZEROS = np.array([[2.0, 0.0, 3.0, 0.5, 0.0], [0.0, -0.7, 0.0, 1.5, 2.0], [1.5, -0.7, 1.2, 0.8, 2.0]])
_PARTED = np.array([[0.3, -1.2, 2.2, 0.9], [1.7, 0.1, -0.6, 2.9], [-2.1, 1.1, 0.4, -0.2]])


def _partition_torch(a: Any) -> Any:
    idx = np.argpartition(a.detach().numpy(), 1, axis=1)
    return _t().gather(a, 1, _t().from_numpy(idx))


# One function per Tensor row added here: (ours, inputs, PyTorch's); the linear ops squared so their
# second derivatives run the gradient's own rows (add_at, take_at).
CASES: Dict[str, Tuple[Callable[..., Any], Tuple[np.ndarray, ...], Callable[..., Any]]] = {
    "arctan2": (lambda a, b: a.arctan2(b), (_u(-2, 2, 2, 3), _u(0.5, 2, 3)), lambda a, b: _t().atan2(a, b)),
    "hypot": (lambda a, b: a.hypot(b), (_u(-2, 2, 2, 3), _u(0.5, 2, 2, 1)), lambda a, b: _t().hypot(a, b)),
    "logaddexp": (lambda a, b: a.logaddexp(b), (_u(-3, 3, 2, 3), _u(-3, 3, 3)),
                  lambda a, b: _t().logaddexp(a, b)),
    "logaddexp2": (lambda a, b: a.logaddexp2(b), (_u(-3, 3, 2, 3), _u(-3, 3, 3)),
                   lambda a, b: _t().logaddexp2(a, b)),
    "fmax": (lambda a, b: a.fmax(b) * a, (np.array([1.0, -2.0, 0.5, 3.0]), np.array([0.2, -1.0, 2.5, 1.0])),
             lambda a, b: _t().fmax(a, b) * a),
    "fmin": (lambda a, b: a.fmin(b) * a, (np.array([1.0, -2.0, 0.5, 3.0]), np.array([0.2, -1.0, 2.5, 1.0])),
             lambda a, b: _t().fmin(a, b) * a),
    "flip": (lambda a: a.flip((0, 2)) ** 2, (_u(-2, 2, 2, 3, 2),), lambda a: a.flip((0, 2)) ** 2),
    "roll": (lambda a: a.roll((1, -4), (0, 1)) ** 2, (_u(-2, 2, 3, 3),),
             lambda a: _t().roll(a, (1, -4), (0, 1)) ** 2),
    "rot90": (lambda a: a.rot90(3, (1, 0)) ** 2, (_u(-2, 2, 2, 3),), lambda a: _t().rot90(a, 3, (1, 0)) ** 2),
    "diagonal": (lambda a: a.diagonal(1, 2, 0) ** 2, (_u(-2, 2, 3, 2, 4),),
                 lambda a: _t().diagonal(a, 1, 2, 0) ** 2),
    "diag": (lambda a: a.diag(-1) ** 2, (_u(-2, 2, 3),), lambda a: _t().diag(a, -1) ** 2),
    "tril": (lambda a: a.tril(1) ** 2, (_u(-2, 2, 2, 3, 4),), lambda a: _t().tril(a, 1) ** 2),
    "triu": (lambda a: a.triu(-1) ** 2, (_u(-2, 2, 4, 3),), lambda a: _t().triu(a, -1) ** 2),
    "take_along_axis": (lambda a: a.take_along_axis(_IDX, 1) ** 2, (_u(-2, 2, 2, 4),),
                        lambda a: _t().gather(a, 1, _t().from_numpy(_IDX)) ** 2),
    "topk": (lambda a: a.topk(2, axis=0)[0] ** 2, (_PARTED,), lambda a: _t().topk(a, 2, dim=0).values ** 2),
    "partition": (lambda a: a.partition(1, axis=1) ** 2, (_PARTED,), lambda a: _partition_torch(a) ** 2),
    "cummax": (lambda a: a.cummax(1)[0] ** 2, (_PARTED,), lambda a: _t().cummax(a, 1).values ** 2),
    "cummin": (lambda a: a.cummin(0)[0] ** 2, (_PARTED,), lambda a: _t().cummin(a, 0).values ** 2),
    "nan_to_num": (lambda a: a.nan_to_num() ** 2, (_u(-2, 2, 2, 3),), lambda a: _t().nan_to_num(a) ** 2),
    "cumprod": (lambda a: a.cumprod(axis=1), (_ZEROS,), lambda a: _t().cumprod(a, 1)),
    "logcumsumexp": (lambda a: a.logcumsumexp(axis=1) ** 2, (_u(-3, 3, 2, 4),),
                     lambda a: _t().logcumsumexp(a, 1) ** 2),
    "put_along_axis": (lambda a, b: a.put_along_axis(_PUT, b, 1) ** 2, (_u(-2, 2, 2, 4), _u(-2, 2, 2, 2)),
                       lambda a, b: _t().scatter(a, 1, _t().from_numpy(_PUT), b) ** 2),
    "take_at": (lambda a: take_at(a, _FLAT) ** 2, (_u(-2, 2, 2, 4),),
                lambda a: _t().where(_t().from_numpy(_FLAT >= 0),
                                     a.reshape(-1)[_t().from_numpy(np.maximum(_FLAT, 0))], 0.0) ** 2),
    "add_at": (lambda a: add_at(a, _FLAT, (2, 4)) ** 2, (_u(-2, 2, 2, 3),),
               lambda a: _t().zeros(8, dtype=a.dtype).index_add(
                   0, _t().from_numpy(np.maximum(_FLAT, 0).ravel()),
                   (a * _t().from_numpy(_FLAT >= 0)).reshape(-1)).reshape(2, 4) ** 2),
}
# numpy's function of the same name, where it has one (the values must be numpy's exactly)
NUMPY = {"arctan2": np.arctan2, "hypot": np.hypot, "logaddexp": np.logaddexp, "logaddexp2": np.logaddexp2,
         "flip": lambda a: np.flip(a, (0, 2)) ** 2, "rot90": lambda a: np.rot90(a, 3, (1, 0)) ** 2,
         "roll": lambda a: np.roll(a, (1, -4), (0, 1)) ** 2, "diag": lambda a: np.diag(a, -1) ** 2,
         "diagonal": lambda a: np.diagonal(a, 1, 2, 0) ** 2, "tril": lambda a: np.tril(a, 1) ** 2,
         "triu": lambda a: np.triu(a, -1) ** 2, "partition": lambda a: np.partition(a, 1, axis=1) ** 2,
         "take_along_axis": lambda a: np.take_along_axis(a, _IDX, 1) ** 2,
         "cumprod": lambda a: np.cumprod(a, axis=1)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_row_first_and_second_derivatives(name: str) -> None:
    pytest.importorskip("torch")
    f, xs, theirs = CASES[name]
    full_check(f, theirs, *xs, ref=NUMPY.get(name))
    out = f(*[Tensor(x, requires_grad=True) for x in xs])
    assert name in {n.op for n in topological_order(out)}  # the case runs its row


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_row_against_central_differences_without_torch(name: str) -> None:
    f, xs, _ = CASES[name]
    full_check(f, None, *xs)


# --------------------------------------------------------------------------- Value: hand values
def test_hand_values_of_the_scalar_rows() -> None:
    a, b = Value(3.0), Value(4.0)
    c = a.hypot(b)
    c.backward()
    assert (c.data, a.grad, b.grad) == (5.0, 0.6, 0.8)
    y, x = Value(1.0), Value(1.0)
    t = y.arctan2(x)
    t.backward()
    assert t.data == math.pi / 4 and (y.grad, x.grad) == (0.5, -0.5)
    s = Value(0.5).logaddexp(Value(0.5))
    assert s.data == 0.5 + math.log(2.0) and s.local_grads == (0.5, 0.5)
    assert Value(2.0).reciprocal().local_grads == (-0.25,)
    assert Value(-2.0).fabs().data == 2.0 and Value(-2.0).fabs().local_grads == (-1.0,)
    assert Value(1.0).fmax(Value(1.0)).local_grads == (1.0, 0.0)  # a tie: a gets it (PyTorch's fmax)
    nan = Value(math.nan).fmax(Value(2.0))
    assert nan.data == 2.0 and nan.local_grads == (0.0, 1.0)


def test_sinc_at_zero_has_its_limits_to_high_order() -> None:
    assert Value(0.0).sinc().data == 1.0 and Value(0.0).sinc().local_grads == (0.0,)
    # sinc'' (0) = -π²/3, sinc''''(0) = π⁴/5 (the series 1 - (πx)²/6 + (πx)⁴/120 ...)
    assert hessian(lambda x: x.sinc())(0.0)[0][0] == pytest.approx(-math.pi ** 2 / 3, rel=1e-15)
    d4 = grad(grad(grad(grad(lambda x: x.sinc()))))(0.0)
    assert d4 == pytest.approx(math.pi ** 4 / 5, rel=1e-14)
    t = Tensor([0.0, 0.5], requires_grad=True)
    t.sinc().sum().backward(create_graph=True)
    g = t.grad
    assert g.data[0] == 0.0
    t.grad = None
    g.sum().backward()
    assert t.grad[0] == pytest.approx(-math.pi ** 2 / 3, rel=1e-15)


def test_forward_mode_of_the_two_parent_rows() -> None:
    for name in ("arctan2", "hypot", "logaddexp", "logaddexp2", "fmax", "fmin"):
        f = getattr(Value, name)
        out, tangent = jvp(lambda a, b, _f=f: _f(a, b), (0.7, -1.3), (0.3, 0.5))
        ga, gb = grad(lambda a, b, _f=f: _f(a, b), argnums=(0, 1))(0.7, -1.3)
        assert tangent == pytest.approx(0.3 * ga + 0.5 * gb, rel=1e-15)


# --------------------------------------------------------------------------- policy and bad input
def test_the_numeric_policy_for_the_new_rows() -> None:
    with pytest.raises(DomainError, match="reciprocal: needs x != 0"):
        Value(0.0).reciprocal()
    t = Tensor([1.0, 0.0], requires_grad=True)
    with pytest.raises(DomainError, match="reciprocal"):
        t.reciprocal()
    with pytest.raises(DomainError, match="arccosh: needs x >= 1"):
        Tensor([0.5]).arccosh()
    with pytest.raises(OverflowError, match="hypot"):
        Value(1.5e308).hypot(1.5e308)
    with pytest.raises(OverflowError, match="hypot"):
        Tensor([1.0, 1.5e308]).hypot(Tensor([1.0, 1.5e308]))
    with pytest.raises(ValueError, match="arctan2: shapes"):
        Tensor(np.ones(3)).arctan2(Tensor(np.ones(2)))
    assert Tensor([np.inf]).logaddexp(Tensor([np.inf])).data[0] == np.inf  # numpy's value, no error


BAD: Dict[str, Tuple[Callable[[Tensor], Any], type, str]] = {
    "flip axis": (lambda t: t.flip(2), ValueError, "flip: axis 2 is out of range"),
    "flipud 0-d": (lambda t: t.sum().flipud(), ValueError, "flipud: needs a tensor with at least 1"),
    "roll shift": (lambda t: t.roll(1.5, 0), TypeError, "roll: shift must be an int"),
    "roll shift none": (lambda t: t.roll(1.5), TypeError, "roll: shift must be an int"),
    "roll shifts": (lambda t: t.roll((1, 2, 3), (0, 1)), ValueError, "roll: shift"),
    "rot90 axes": (lambda t: t.rot90(1, (1, 1)), ValueError, "rot90: axis1 and axis2 must be different"),
    "rot90 k": (lambda t: t.rot90(True), TypeError, "rot90: k must be an int"),
    "diagonal 1-d": (lambda t: t[0].diagonal(), ValueError, "diagonal: needs a tensor with at least 2"),
    "diag 3-d": (lambda t: t.reshape(2, 3, 1).diag(), ValueError, "diag: needs a 1-D or 2-D"),
    "diag size": (lambda t: t[0].diag(10**6), ValueError, "diag: k=1000000 .* would need"),
    "tril 1-d": (lambda t: t[0].tril(), ValueError, "tril: needs a tensor with at least 2"),
    "take index": (lambda t: t.take_along_axis(np.array([[0], [3]]), 1), ValueError,
                   "take_along_axis: index 3 is out of range for 3 elements"),
    "take float": (lambda t: t.take_along_axis(np.array([[0.0]]), 1), TypeError, "indices must be ints"),
    "take ndim": (lambda t: t.take_along_axis(np.array([0]), 1), ValueError, "indices need 2 dimensions"),
    "topk k": (lambda t: t.topk(4), ValueError, "topk: k=4 is more than the 3 elements"),
    "topk largest": (lambda t: t.topk(1, largest="yes"), TypeError, "topk: largest must be True or False"),
    "partition kth": (lambda t: t.partition(3), ValueError, "partition: kth 3 is out of range"),
    "cummax axis": (lambda t: t.cummax(2), ValueError, "cummax: axis 2 is out of range"),
    "nan_to_num fill": (lambda t: t.nan_to_num(nan="0"), TypeError, "nan_to_num: expected a number"),
    "kron size": (lambda t: F.kron(Tensor(np.ones(10**5)), Tensor(np.ones(10**5))), ValueError,
                  "kron: shapes .* would need"),
    "cross 2-vectors": (lambda t: F.cross(t[:, :2], t[:, :2]), ValueError, "cross: needs vectors of 3"),
    "inner axes": (lambda t: F.inner(t, t.T), ValueError, "inner: the last axes differ"),
    "einsum dots": (lambda t: F.einsum("....,ij", t, t), ValueError, "einsum: .* '...' may appear once"),
    "einsum too few axes": (lambda t: F.einsum("...ijk", t), ValueError, "fewer axes than"),
    "put repeats": (lambda t: t.put_along_axis(np.array([[0, 0]]), 1.0, 1), ValueError,
                    "put_along_axis: an index repeats"),
    "put values": (lambda t: t.put_along_axis(np.array([[0, 1]]), np.ones(3), 1), ValueError,
                   "put_along_axis: values of shape"),
    "logcumsumexp axis": (lambda t: t.logcumsumexp(2), ValueError, "logcumsumexp: axis 2 is out of range"),
    "cumprod axis": (lambda t: t.cumprod(axis=(0, 1)), TypeError, "cumprod: axis must be an int"),
    "append axis and dim": (lambda t: F.append(t, t, axis=0, dim=0), TypeError, "append: got both axis"),
    "cross axis and dim": (lambda t: F.cross(t, t, axis=0, dim=0), TypeError, "cross: got both axis"),
    "append ndim": (lambda t: F.append(t, t[0], axis=0), ValueError, "append: the pieces have shapes"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_naming_the_op_and_changes_nothing(case: str) -> None:
    call, kind, message = BAD[case]
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    t.grad = np.full((2, 3), 7.0)
    before = t.data.copy()
    with pytest.raises(kind, match=message):
        call(t)
    assert np.array_equal(t.data, before) and np.array_equal(t.grad, np.full((2, 3), 7.0))


# --------------------------------------------------------------------------- numpy gate, joins
GATE: Dict[str, Callable[..., Any]] = {
    "flipud": lambda a: np.flipud(a), "fliplr": lambda a: np.fliplr(a), "flip": lambda a: np.flip(a),
    "roll": lambda a: np.roll(a, 5), "rot90": lambda a: np.rot90(a, 2),
    "trace": lambda a: np.trace(a, 1), "diag": lambda a: np.diag(np.diag(a)),
    "tril": lambda a: np.tril(a, -1), "triu": lambda a: np.triu(a, 1),
    "take_along_axis": lambda a: np.take_along_axis(a, np.array([[3, 3, 0, 1]]), axis=1),
    "partition": lambda a: np.partition(a, 2, axis=0), "nan_to_num": lambda a: np.nan_to_num(a),
    "sinc": lambda a: np.sinc(a), "reciprocal": lambda a: np.reciprocal(a), "fabs": lambda a: np.fabs(a),
    "arctan2": lambda a: np.arctan2(a, 2.0), "hypot": lambda a: np.hypot(1.5, a),
    "fmax": lambda a: np.fmax(a, 0.25), "fmin": lambda a: np.fmin(a, 0.25),
    "logaddexp": lambda a: np.logaddexp(a, a[:, :1]), "logaddexp2": lambda a: np.logaddexp2(a, 1.0),
    "vstack": lambda a: np.vstack([a, a[0]]), "hstack": lambda a: np.hstack([a, a]),
    "column_stack": lambda a: np.column_stack([a[:, 0], a]),
    "append": lambda a: np.append(a, a[1]),
    "append axis": lambda a: np.append(a, a[1:], axis=0), "kron": lambda a: np.kron(a, a[:2, :2]),
    "inner": lambda a: np.inner(a, a), "cumprod": lambda a: np.cumprod(a, axis=0),
    "cross": lambda a: np.cross(a[:, :3], a[:, 1:]),
    "atleast_3d": lambda a: np.atleast_3d(a), "einsum": lambda a: np.einsum("...j,kj->...k", a, a),
}


@pytest.mark.parametrize("name", sorted(GATE))
def test_numpy_functions_of_tensors_run_the_ops(name: str) -> None:
    f = GATE[name]
    x = R.uniform(0.2, 1.5, (3, 4))
    t = Tensor(x, requires_grad=True)
    out = f(t)
    assert isinstance(out, Tensor) and out.requires_grad
    np.testing.assert_array_equal(out.data, f(x))
    w = R.standard_normal(out.shape)
    out.backward(w)
    eps = 1e-6
    num = np.zeros(x.shape)
    for i in np.ndindex(*x.shape):
        hi, lo = x.copy(), x.copy()
        hi[i] += eps
        lo[i] -= eps
        num[i] = (np.sum(f(hi) * w) - np.sum(f(lo) * w)) / (2 * eps)
    np.testing.assert_allclose(t.grad, num, rtol=1e-6, atol=1e-7)


def test_atleast_and_topk_cummax_return_what_numpy_and_pytorch_return() -> None:
    torch = pytest.importorskip("torch")
    a, b = F.atleast_2d(Tensor(1.0), Tensor([1.0, 2.0]))
    assert a.shape == (1, 1) and b.shape == (1, 2)
    x = np.array([[1.0, 3.0, 3.0, 2.0, 5.0], [0.5, -1.0, 0.5, 4.0, 4.0]])
    t = Tensor(x)
    for mine, theirs in ((t.cummax(1), torch.cummax(torch.tensor(x), 1)),
                         (t.cummin(1), torch.cummin(torch.tensor(x), 1))):
        assert np.array_equal(mine[0].data, theirs.values.numpy())
        assert np.array_equal(mine[1], theirs.indices.numpy())  # ties: the later index, as PyTorch
    y = np.array([[0.1, np.nan, 2.0, -1.0]])
    vals, idx = Tensor(y).topk(2)
    tv = torch.topk(torch.tensor(y), 2)
    np.testing.assert_array_equal(vals.data, tv.values.numpy())
    assert np.array_equal(idx, tv.indices.numpy())  # NaN counts as the largest


def test_cumprod_third_derivative_across_zeros_against_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x = np.array([1.5, 0.0, 2.0, 0.0, -1.0])
    first = grad(lambda v: v.cumprod().sum())
    second = grad(lambda u: first(u).sum())
    ours = grad(lambda w: second(w).sum())
    t = torch.tensor(x, requires_grad=True)
    g, = torch.autograd.grad(torch.cumprod(t, 0).sum(), t, create_graph=True)
    h, = torch.autograd.grad(g.sum(), t, create_graph=True)
    k, = torch.autograd.grad(h.sum(), t)
    np.testing.assert_allclose(ours(x), k.numpy(), rtol=1e-13, atol=1e-13)


def test_logcumsumexp_never_overflows_and_matches_pytorch_far_apart() -> None:
    pytest.importorskip("torch")
    x = np.array([[-1000.0, 0.0, 5.0, -3.0], [700.0, 800.0, -900.0, 1.0]])
    for axis in (0, 1):
        full_check(lambda a, _ax=axis: a.logcumsumexp(axis=_ax),
                   lambda a, _ax=axis: _t().logcumsumexp(a, _ax), x, central=False, rtol=1e-12)


def test_isclose_is_numpys_on_the_numbers() -> None:
    t = Tensor([1.0, 2.0, np.nan], requires_grad=True)
    u = Tensor([1.0 + 1e-9, 2.1, np.nan])
    assert t.isclose(u).tolist() == [True, False, False]
    assert t.isclose(u, equal_nan=True).tolist() == [True, False, True]
    assert t.isclose(u, rtol=0.1).tolist() == [True, True, False]
    with pytest.raises(TypeError, match="isclose: equal_nan must be True or False"):
        t.isclose(u, equal_nan=1)


def test_logsumexp_method_is_the_function() -> None:
    x = R.uniform(-3, 3, (2, 3))
    assert np.array_equal(Tensor(x).logsumexp(axis=1).data, F.logsumexp(Tensor(x), axis=1).data)


def test_nan_to_num_gradient_is_zero_where_x_was_not_finite() -> None:
    torch = pytest.importorskip("torch")
    x = np.array([1.5, np.nan, np.inf, -np.inf, -0.5])
    t = Tensor(x, requires_grad=True)
    out = t.nan_to_num(nan=2.0, posinf=9.0, neginf=-9.0)
    tt = torch.tensor(x, requires_grad=True)
    ref = torch.nan_to_num(tt, nan=2.0, posinf=9.0, neginf=-9.0)
    np.testing.assert_array_equal(out.data, ref.detach().numpy())
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    out.backward(w)
    ref.backward(torch.tensor(w))
    np.testing.assert_array_equal(t.grad, tt.grad.numpy())


def test_einsum_ellipsis_matches_pytorch_to_second_order() -> None:
    pytest.importorskip("torch")
    full_check(lambda a, b: F.einsum("...ij,...jk->...ik", a, b) ** 2, lambda a, b: _t().einsum(
        "...ij,...jk->...ik", a, b) ** 2, _u(-1, 1, 2, 3, 4), _u(-1, 1, 2, 4, 2),
        ref=lambda a, b: np.einsum("...ij,...jk->...ik", a, b) ** 2)
    full_check(lambda a: F.einsum("i...i", a), lambda a: _t().einsum("i...i", a), _u(-1, 1, 3, 2, 3))


def test_joins_and_products_to_second_order_against_pytorch() -> None:
    pytest.importorskip("torch")
    torch = _t()
    a, b = _u(-1, 1, 2, 3), _u(-1, 1, 3, 3)
    full_check(lambda x, y: F.kron(x, y) ** 2, lambda x, y: torch.kron(x, y) ** 2, a, b,
               ref=lambda x, y: np.kron(x, y) ** 2)
    full_check(lambda x, y: F.inner(x, y) ** 2, lambda x, y: torch.inner(x, y) ** 2, a, b)
    full_check(lambda x, y: F.cross(x, y) ** 2, lambda x, y: torch.linalg.cross(x, y) ** 2, a, b[:2],
               ref=lambda x, y: np.cross(x, y) ** 2)
    full_check(lambda x, y: F.cross(x.T, y[:2].T, dim=0) ** 2,
               lambda x, y: torch.linalg.cross(x.T, y[:2].T, dim=0) ** 2, a, b)
    full_check(lambda x, y: F.append(x, y, dim=0) ** 2, lambda x, y: torch.cat([x, y], dim=0) ** 2, a, b)
    full_check(lambda x, y: F.vstack([x, y]) ** 2, lambda x, y: torch.vstack([x, y]) ** 2, a, b)
    full_check(lambda x, y: F.hstack([x.T, y]) ** 2, lambda x, y: torch.hstack([x.T, y]) ** 2, a, b)
    full_check(lambda x, y: F.column_stack([x[0], y]) ** 2,
               lambda x, y: torch.column_stack([x[0], y]) ** 2, a, b)
    full_check(lambda x, y: F.scatter(x, 1, np.array([[2, 0], [1, 2]]), y[:2, :2]) ** 2,
               lambda x, y: torch.scatter(x, 1, torch.tensor([[2, 0], [1, 2]]), y[:2, :2]) ** 2, a, b)
    full_check(lambda x: F.gather(x, 0, np.array([[1, 0, 1]])) ** 2,
               lambda x: torch.gather(x, 0, torch.tensor([[1, 0, 1]])) ** 2, a)


@settings(deadline=None, max_examples=25)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4),
                    elements=st.floats(-3, 3)),
       op=st.sampled_from(["flip", "roll", "rot90", "diagonal", "tril", "triu", "cummax", "topk"]),
       k=st.integers(-5, 5))
def test_gathers_of_any_shape_match_central_differences(x: np.ndarray, op: str, k: int) -> None:
    f = {"flip": lambda t: t.flip(k % t.ndim), "roll": lambda t: t.roll(k, axis=0),
         "rot90": lambda t: t.rot90(k), "diagonal": lambda t: t.diagonal(k), "tril": lambda t: t.tril(k),
         "triu": lambda t: t.triu(k), "cummax": lambda t: t.cummax(0)[0] * 1.0,
         "topk": lambda t: t.topk(1, axis=-1)[0]}[op]
    # away from ties (cummax, topk pick one of equal elements; a step would cross them)
    x = x + np.arange(x.size).reshape(x.shape) * 1e-3
    full_check(lambda t: f(t) ** 2, None, x)
