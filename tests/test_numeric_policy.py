"""One numeric policy (docs/api.md, "Numeric policy"): the same inputs through Value and Tensor.

For every op both types share and every special input (zeros of both signs, subnormals, huge
values, infinities, NaN), either both raise the same exception type, or both give the same
result and the same gradients (NaN where the other has NaN).
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any, Callable, Tuple

import numpy as np
import pytest

from autograd_lite import DomainError, Tensor, Value
from autograd_lite.value import ZeroDivisionDomainError

SPECIAL = [0.0, -0.0, 5e-324, 1e-310, 1e-170, 0.5, -2.5, 2.0, 3.0, 1e300, -1e300, 710.0, -1000.0,
           math.inf, -math.inf, math.nan]

UNARY: dict = {
    "neg": lambda x: -x,
    "abs": lambda x: x.abs(),
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "**2": lambda x: x ** 2,
    "**3": lambda x: x ** 3,
    "**0.5": lambda x: x ** 0.5,
    "**-1": lambda x: x ** -1,
    "**-1.5": lambda x: x ** -1.5,
    "**0": lambda x: x ** 0,
    "**inf": lambda x: x ** math.inf,
    **{name: (lambda x, _n=name: getattr(x, _n)())
       for name in ("sin", "cos", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "log1p", "expm1",
                    "log2", "log10", "exp2", "sign", "floor", "ceil", "round")},
}

BINARY: dict = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a ** b,
    "%": lambda a, b: a % b,
}


def _run(make: Callable[[float], Any], fn: Callable[..., Any], xs: Tuple[float, ...]) -> Any:
    """(result, grads) or the exception type."""
    leaves = [make(x) for x in xs]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy's notes on inf/nan arithmetic
            out = fn(*leaves)
            out.backward()
    except (ArithmeticError, ValueError) as e:
        return type(e)
    grads = tuple(float(np.asarray(leaf.grad)) for leaf in leaves)
    return float(np.asarray(out.data)), grads


def _value(x: float) -> Value:
    return Value(x)


def _tensor(x: float) -> Tensor:
    return Tensor(np.float64(x), requires_grad=True)


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    return math.isfinite(a) and math.isfinite(b) and math.isclose(a, b, rel_tol=1e-14, abs_tol=0.0)


def _agree(v: Any, t: Any) -> bool:
    if isinstance(v, type) or isinstance(t, type):
        return v is t
    return _same(v[0], t[0]) and all(_same(a, b) for a, b in zip(v[1], t[1]))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops_follow_one_policy(name: str) -> None:
    fn = UNARY[name]
    bad = []
    for x in SPECIAL:
        v, t = _run(_value, fn, (x,)), _run(_tensor, fn, (x,))
        if not _agree(v, t):
            bad.append(f"{name}({x!r}): Value {v}, Tensor {t}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_follow_one_policy(name: str) -> None:
    fn = BINARY[name]
    bad = []
    for a, b in itertools.product(SPECIAL, SPECIAL):
        v, t = _run(_value, fn, (a, b)), _run(_tensor, fn, (a, b))
        if not _agree(v, t):
            bad.append(f"{a!r} {name} {b!r}: Value {v}, Tensor {t}")
    assert not bad, "\n".join(bad[:20]) + (f"\n... {len(bad)} in all" if len(bad) > 20 else "")


def test_the_examples_of_the_policy() -> None:
    # NaN propagates everywhere, without an error
    assert math.isnan(Value(math.nan).relu().data) and math.isnan(Value(math.nan).log().data)
    assert np.isnan(Tensor([math.nan]).relu().data).all() and np.isnan(Tensor([math.nan]).log().data).all()
    # an infinity's sine is NaN, not "math domain error"
    assert math.isnan(Value(math.inf).sin().data) and math.isnan(Value(-math.inf).cos().data)
    # an intermediate underflow (b*b) invents neither an error nor a zero
    a, b = Value(1.0), Value(1e-170)
    q = a / b
    q.backward()
    assert q.data == 1e170 and a.grad == 1e170 and b.grad == -math.inf
    # overflow of / is an OverflowError for both
    with pytest.raises(OverflowError, match=r"/: result too large"):
        Value(1e300) / 1e-10
    with pytest.raises(OverflowError, match=r"/: result too large"), np.errstate(over="ignore"):
        Tensor([1e300]) / 1e-10
    # an empty tensor divided by zero divides nothing
    assert Tensor(np.zeros(0)).__truediv__(0.0).shape == (0,)


def test_numpy_arrays_do_not_swallow_values() -> None:
    with pytest.raises(TypeError, match="cannot combine a Value with an array"):
        np.array([1.0, 2.0]) + Value(2.0)
    with pytest.raises(TypeError, match="cannot combine a Value with an array"):
        Value(2.0) * np.array([1.0, 2.0])
    assert (np.float64(2.0) + Value(1.0)).data == 3.0  # numpy scalars are numbers


@pytest.mark.parametrize("number, error",
                         [(1e-300, ValueError), (1e300, OverflowError), (-1e39, OverflowError)])
def test_numbers_a_float32_tensor_cannot_hold_are_refused(number: float, error: type) -> None:
    t = Tensor(np.ones(2, np.float32))
    with pytest.raises(error, match="float32 tensor .*use a float64 tensor"):
        t / number
    assert (t * 1e-30).dtype == np.float32  # representable numbers are fine
    assert np.isinf((t * math.inf).data).all()  # an infinity is what it says


def test_huge_python_ints_are_an_overflow_naming_the_op() -> None:
    with pytest.raises(OverflowError, match=r"^Value: the number .*\(401 digits\) is too large for a float"):
        Value(10 ** 400)
    with pytest.raises(OverflowError, match=r"^\+: the number .* is too large"):
        Tensor([1.0]) + 10 ** 400
    with pytest.raises(OverflowError, match=r"^\*: the number .* is too large"):
        Value(1.0) * 10 ** 400


def test_domain_errors_name_the_op_and_value() -> None:
    for make in (Value, lambda x: Tensor([x])):
        with pytest.raises(DomainError, match="log: needs x > 0"):
            make(-math.inf).log()
        with pytest.raises(DomainError, match="sqrt: needs x >= 0"):
            make(-1.0).sqrt()
        for name, x, words in (("arcsin", 1.5, "-1 <= x <= 1"), ("arccos", -math.inf, "-1 <= x <= 1"),
                               ("log1p", -1.0, "x > -1"), ("log2", 0.0, "x > 0"), ("log10", -3.0, "x > 0")):
            with pytest.raises(DomainError, match=rf"^{name}: needs {words}, got x = {x:g}"):
                getattr(make(x), name)()
        with pytest.raises(ZeroDivisionDomainError, match=r"^%: division by zero"):
            make(1.0) % 0.0
    for name in ("sinh", "cosh", "expm1", "exp2"):
        for make in (Value, lambda x: Tensor([x])):
            with pytest.raises(OverflowError, match=rf"^{name}: result too large"):
                getattr(make(1e4), name)()
