"""Value's numpy-style scalar ops (tan ... exp2, sign/floor/ceil/round, %): values against math
and numpy, first derivatives against central differences and PyTorch, second derivatives
against PyTorch, and the numeric policy's errors."""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Dict, Tuple

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_lite import DomainError, Value, grad, gradcheck, gradgradcheck, hessian, jacfwd, ops
from autograd_lite.value import ZeroDivisionDomainError

# name -> (numpy's function, the open interval the checks draw x from)
SMOOTH: Dict[str, Tuple[Callable[[float], Any], Tuple[float, float]]] = {
    "tan": (np.tan, (-1.4, 1.4)),
    "sinh": (np.sinh, (-5.0, 5.0)),
    "cosh": (np.cosh, (-5.0, 5.0)),
    "arcsin": (np.arcsin, (-0.95, 0.95)),
    "arccos": (np.arccos, (-0.95, 0.95)),
    "arctan": (np.arctan, (-20.0, 20.0)),
    "log1p": (np.log1p, (-0.9, 5.0)),
    "expm1": (np.expm1, (-5.0, 5.0)),
    "log2": (np.log2, (0.05, 50.0)),
    "log10": (np.log10, (0.05, 50.0)),
    "exp2": (np.exp2, (-10.0, 10.0)),
}
FLAT = {"sign": np.sign, "floor": np.floor, "ceil": np.ceil, "round": np.round}
TORCH_NAME = {"arcsin": "asin", "arccos": "acos", "arctan": "atan"}


def _x(name: str) -> Any:
    lo, hi = SMOOTH[name][1]
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _torch_derivatives(name: str, x: float) -> Tuple[float, float, float]:
    torch = pytest.importorskip("torch")
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = getattr(torch, TORCH_NAME.get(name, name))(t)
    (d1,) = torch.autograd.grad(out, t, create_graph=True)
    (d2,) = torch.autograd.grad(d1, t, materialize_grads=True, allow_unused=True)
    return float(out.detach()), float(d1.detach()), float(d2)


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_every_new_unary_op_is_a_row_of_the_table_shared_with_tensor(name: str) -> None:
    row = ops.OPS[name]
    assert row.kinds == ("Value", "Tensor") and row.arity == 1
    node = getattr(Value(0.5), name)()
    assert node.op == name and ops.op_row(node.op) is row
    assert node.local_grads == (row.rules[0](0.5, node.data),)
    assert f"d/dx = {row.local[0].format(a='x')}" in getattr(Value, name).__doc__


@pytest.mark.parametrize("name", sorted(SMOOTH))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_values_and_first_derivatives_against_numpy_and_central_differences(name: str, data: Any) -> None:
    x = data.draw(_x(name))
    f, _ = SMOOTH[name]
    v = Value(x)
    out = getattr(v, name)()
    np.testing.assert_allclose(out.data, float(f(x)), rtol=2e-15, atol=0)  # math and numpy: a few ulp
    out.backward()
    eps = 1e-6
    numeric = (float(f(x + eps)) - float(f(x - eps))) / (2 * eps)
    assert v.grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)
    assert gradcheck(lambda a: getattr(a, name)(), Value(x))


@pytest.mark.parametrize("name", sorted(SMOOTH))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_first_and_second_derivatives_against_pytorch(name: str, data: Any) -> None:
    x = data.draw(_x(name))
    value, d1, d2 = _torch_derivatives(name, x)
    f = lambda a: getattr(a, name)()  # noqa: E731
    assert grad(f)(x) == pytest.approx(d1, rel=1e-14, abs=1e-300)
    assert hessian(f)(x)[0][0] == pytest.approx(d2, rel=2e-13, abs=1e-300)
    assert gradgradcheck(f, x, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(FLAT))
@settings(max_examples=40, deadline=None)
@given(x=st.floats(-1e6, 1e6, allow_nan=False))
def test_piecewise_constant_ops_have_a_zero_derivative(name: str, x: float) -> None:
    v = Value(x)
    out = getattr(v, name)()
    expected = float(FLAT[name](x))
    assert out.data == expected and math.copysign(1.0, out.data) == math.copysign(1.0, expected)
    out.backward()
    assert v.grad == 0.0 and out.local_grads == (0.0,)
    assert hessian(lambda a: getattr(a, name)() * a)(x) == [[0.0]]  # d²(x·c)/dx² = 0
    torch = pytest.importorskip("torch")
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    getattr(torch, name)(t).backward()
    assert float(t.grad) == v.grad


def test_rounding_keeps_signs_and_rounds_halves_to_even() -> None:
    assert [Value(x).round().data for x in (0.5, 1.5, 2.5, -2.5, 3.5)] == [0.0, 2.0, 2.0, -2.0, 4.0]
    for op, x in (("round", -0.4), ("ceil", -0.5), ("floor", -0.0), ("round", -0.0)):
        out = getattr(Value(x), op)().data
        assert out == 0.0 and math.copysign(1.0, out) == -1.0, (op, x)
    assert Value(-0.5).floor().data == -1.0 and Value(2.0000001).ceil().data == 3.0
    assert [Value(x).sign().data for x in (-3.0, -0.0, 0.0, 2.0)] == [-1.0, 0.0, 0.0, 1.0]
    for op in ("sign", "floor", "ceil", "round"):
        assert getattr(Value(math.inf), op)().data == (1.0 if op == "sign" else math.inf)
        assert getattr(Value(-math.inf), op)().data == (-1.0 if op == "sign" else -math.inf)
        assert math.isnan(getattr(Value(math.nan), op)().data)


def test_hand_values_and_infinities() -> None:
    assert Value(0.0).arccos().data == math.pi / 2 and Value(1.0).arctan().data == math.pi / 4
    assert Value(3.0).exp2().data == 8.0 and Value(1024.0).log2().data == 10.0
    assert Value(1000.0).log10().data == 3.0
    assert Value(1e-20).log1p().data == 1e-20 and Value(1e-20).expm1().data == 1e-20  # exact when tiny
    d = Value(8.0)
    d.log2().backward()
    assert d.grad == 1.0 / (8.0 * math.log(2.0))
    assert math.isnan(Value(math.inf).tan().data) and math.isnan(Value(-math.inf).tan().data)
    assert Value(math.inf).arctan().data == math.pi / 2 and Value(-math.inf).sinh().data == -math.inf
    assert Value(-math.inf).cosh().data == math.inf and Value(-math.inf).expm1().data == -1.0
    assert Value(-math.inf).exp2().data == 0.0 and Value(math.inf).log1p().data == math.inf
    # the slopes at the edge of a domain are infinite, as in PyTorch
    for name, x, slope in (("arcsin", 1.0, math.inf), ("arccos", -1.0, -math.inf), ("log1p", 5e-324, 1.0)):
        assert getattr(Value(x), name)().local_grads == (slope,)


@pytest.mark.parametrize("name, x, words", [
    ("arcsin", 1.5, "arcsin: needs -1 <= x <= 1, got x = 1.5"),
    ("arcsin", -math.inf, "arcsin: needs -1 <= x <= 1, got x = -inf"),
    ("arccos", -1.0000001, "arccos: needs -1 <= x <= 1, got x = -1.0000001"),
    ("log1p", -1.0, "log1p: needs x > -1, got x = -1"),
    ("log1p", -3.0, "log1p: needs x > -1, got x = -3"),
    ("log2", 0.0, "log2: needs x > 0, got x = 0"),
    ("log2", -0.0, "log2: needs x > 0, got x = 0"),  # fmt writes -0 as 0
    ("log10", -2.0, "log10: needs x > 0, got x = -2"),
    ("log", -math.inf, "log: needs x > 0, got x = -inf"),
])
def test_domain_errors_name_the_op_and_the_value(name: str, x: float, words: str) -> None:
    with pytest.raises(DomainError) as e:
        getattr(Value(x), name)()
    assert str(e.value) == words


@pytest.mark.parametrize("name, x", [("sinh", 711.0), ("sinh", -711.0), ("cosh", -711.0), ("expm1", 710.0),
                                     ("exp2", 1024.0), ("exp", 710.0)])
def test_overflow_is_an_overflow_error_naming_the_op(name: str, x: float) -> None:
    with pytest.raises(OverflowError) as e:
        getattr(Value(x), name)()
    assert str(e.value) == f"{name}: result too large for a float ({name}({x:g}))"
    assert math.isfinite(getattr(Value(x / 2), name)().data)  # well inside: fine


def test_nan_propagates_through_every_new_op() -> None:
    for name in (*SMOOTH, *FLAT):
        out = getattr(Value(math.nan), name)()
        assert math.isnan(out.data), name


# --------------------------------------------------------------------------- %
@settings(max_examples=60, deadline=None)
@given(a=st.floats(-50.0, 50.0), b=st.one_of(st.floats(-7.0, -0.1), st.floats(0.1, 7.0)))
def test_mod_is_numpys_floor_mod_with_its_derivatives(a: float, b: float) -> None:
    x, y = Value(a), Value(b)
    out = x % y
    assert out.op == "%" and out.data == float(np.mod(a, b))
    assert out.data == 0.0 or math.copysign(1.0, out.data) == math.copysign(1.0, b)  # the sign of b
    out.backward()
    assert x.grad == 1.0 and y.grad == -float(np.floor_divide(a, b))
    q = a / b
    # central differences (eps 1e-6 on a and on b) must not straddle a jump of a % b: moving b
    # by eps moves a/b by about |a|/b² · eps
    assume(abs(q - round(q)) > 2e-6 * (1.0 / abs(b) + abs(a) / (b * b)))
    assert gradcheck(lambda u, w: u % w, Value(a), Value(b))
    assert hessian(lambda u, w: u % w)(a, b) == [[0.0, 0.0], [0.0, 0.0]]
    torch = pytest.importorskip("torch")
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    r = torch.remainder(ta, tb)
    r.backward()
    assert float(r.detach()) == out.data and (float(ta.grad), float(tb.grad)) == (x.grad, y.grad)


def test_mod_hand_values_numbers_on_either_side_and_division_by_zero() -> None:
    assert [(Value(a) % b).data for a, b in ((-1.0, 3.0), (1.0, -3.0), (7.5, 2.0), (-7.5, 2.0))] == \
        [2.0, -2.0, 1.5, 0.5]
    b = Value(2.0)
    out = 7.5 % b
    out.backward()
    assert out.data == 1.5 and b.grad == -3.0 and out.parents[0].data == 7.5
    a = Value(-7.5)
    (a % 2).backward()
    assert a.grad == 1.0
    with pytest.raises(ZeroDivisionDomainError, match=r"^%: division by zero \(3 % 0\)$"):
        Value(3.0) % 0
    with pytest.raises(ZeroDivisionDomainError, match=r"^%: division by zero \(nan % 0\)$"):
        Value(math.nan) % Value(-0.0)
    with pytest.raises(TypeError, match="cannot combine a Value with an array"):
        Value(1.0) % np.array([1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for a_, b_ in ((math.inf, 3.0), (3.0, math.inf), (-3.0, math.inf), (3.0, math.nan)):
            got = (Value(a_) % b_).data
            want = float(np.mod(a_, b_))
            assert got == want or (math.isnan(got) and math.isnan(want)), (a_, b_)


def test_new_ops_compose_into_second_derivatives() -> None:
    f = lambda x, y: (x.sinh() * y.arctan()).log1p() + (x % y).tan() * y.exp2()  # noqa: E731
    assert gradgradcheck(f, 0.3, 1.7)
    g = lambda x, y: f(x, y) + x.floor() * (2.5 % y).cosh() + (x.expm1() - y.log2()).sign()  # noqa: E731
    np.testing.assert_allclose(jacfwd(g)(0.3, 1.7)[0], grad(g, argnums=(0, 1))(0.3, 1.7), rtol=1e-14)
    torch = pytest.importorskip("torch")
    tx = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(1.7, dtype=torch.float64, requires_grad=True)
    out = (tx.sinh() * ty.atan()).log1p() + torch.remainder(tx, ty).tan() * torch.exp2(ty)
    g = torch.autograd.grad(out, (tx, ty), create_graph=True)
    H = [[float(v) for v in torch.autograd.grad(gi, (tx, ty), retain_graph=True)] for gi in g]
    np.testing.assert_allclose(grad(f, argnums=(0, 1))(0.3, 1.7), [float(v.detach()) for v in g], rtol=1e-14)
    np.testing.assert_allclose(hessian(f)(0.3, 1.7), H, rtol=1e-13)
