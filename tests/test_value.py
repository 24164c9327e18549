"""Value: hand-derived values, reuse, repeated backward, deep chains, bad input."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from autograd_lite import DomainError, Value, fmt, is_grad_enabled, no_grad
from autograd_lite.value import ZeroDivisionDomainError


def apples_and_oranges():
    apple, apple_num = Value(100, "apple"), Value(2, "apple_num")
    orange, orange_num = Value(150, "orange"), Value(3, "orange_num")
    tax = Value(1.1, "tax")
    price = (apple * apple_num + orange * orange_num) * tax
    return apple, apple_num, orange, orange_num, tax, price


def test_apples_and_oranges_hand_values():
    apple, apple_num, orange, orange_num, tax, price = apples_and_oranges()
    price.backward()
    assert price.data == pytest.approx(715, abs=1e-9)
    assert apple.grad == pytest.approx(2.2, abs=1e-9)
    assert apple_num.grad == pytest.approx(110, abs=1e-9)
    assert orange.grad == pytest.approx(3.3, abs=1e-9)
    assert orange_num.grad == pytest.approx(165, abs=1e-9)
    assert tax.grad == pytest.approx(650, abs=1e-9)
    # displayed shortest-sane, exact floats still on .data/.grad
    assert fmt(price.data) == "715"
    assert fmt(orange.grad) == "3.3" and orange.grad != 3.3
    assert repr(price) == "Value(data=715, grad=1, op='*')"


def test_chain_rule_example():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    t = x + y
    z = t**2
    z.backward()
    assert (z.data, t.grad, x.grad, y.grad) == (9.0, 6.0, 6.0, 6.0)
    assert z.op == "**2" and z.parents == (t,) and z.local_grads == (6.0,)
    assert t.parents == (x, y) and t.local_grads == (1.0, 1.0)


def test_reuse_sums_contributions():
    a = Value(3.0)
    b = a + a
    assert b.parents == (a, a)
    b.backward()
    assert a.grad == 2.0

    a = Value(3.0)
    b = a * a
    c = b + b
    c.backward()
    assert c.data == 18.0 and b.grad == 2.0 and a.grad == 12.0

    x = Value(3.0)
    y = x * x * x
    y.backward()
    assert y.data == 27.0 and x.grad == 27.0


def test_backward_twice_doubles_leaves_and_recomputes_intermediates():
    apple, apple_num, orange, orange_num, tax, price = apples_and_oranges()
    price.backward()
    first = [v.grad for v in (apple, apple_num, orange, orange_num, tax)]
    inner = price.parents[0]
    inner_grad = inner.grad
    price.backward()
    second = [v.grad for v in (apple, apple_num, orange, orange_num, tax)]
    assert second == [2 * g for g in first]
    assert inner.grad == inner_grad == pytest.approx(1.1)  # recomputed, not doubled
    assert price.grad == 1.0


def test_backward_seed_and_leaf_root():
    x = Value(2.0)
    y = x * 5
    y.backward(3)
    assert x.grad == 15.0 and y.grad == 3.0
    leaf = Value(4.0)
    leaf.backward()
    leaf.backward()
    assert leaf.grad == 2.0


def test_intermediate_shared_between_two_roots():
    x = Value(2.0)
    h = x * x
    y1 = h + 1
    y2 = h * 3
    y1.backward()
    assert x.grad == 4.0
    y2.backward()
    assert h.grad == 3.0 and x.grad == 4.0 + 12.0


@pytest.mark.slow
def test_million_op_chain_forward_and_backward():
    x = Value(0.5)
    v = x
    for _ in range(1_000_000):
        v = v + x
    v.backward()
    assert v.data == pytest.approx(0.5 * 1_000_001)
    assert x.grad == 1_000_001.0


def test_deep_chain_of_mixed_ops_no_recursion():
    x = Value(1.0)
    v = x
    for _ in range(200_000):
        v = v * 1.0 + 0.0
    v.backward()
    assert x.grad == 1.0


@pytest.mark.parametrize(
    "make, value, grad",
    [
        (lambda a: a - 2, 1.0, 1.0),
        (lambda a: 2 - a, 1.0, -1.0),
        (lambda a: 6 / a, 4.0, -0.375),
        (lambda a: a / 4, -2.0, 0.25),
        (lambda a: 2**a, 0.0, math.log(2)),
        (lambda a: a**3, 2.0, 12.0),
        (lambda a: a**-1, 4.0, -1 / 16),
        (lambda a: -a, 5.0, -1.0),
        (lambda a: a.exp(), 0.0, 1.0),
        (lambda a: a.log(), 2.0, 0.5),
        (lambda a: a.tanh(), 0.0, 1.0),
        (lambda a: a.sigmoid(), 0.0, 0.25),
        (lambda a: a.relu(), -1.0, 0.0),
        (lambda a: a.relu(), 2.0, 1.0),
        (lambda a: a.sin(), 0.0, 1.0),
        (lambda a: a.cos(), 0.0, 0.0),
        (lambda a: a.sqrt(), 4.0, 0.25),
        (lambda a: abs(a), -3.0, -1.0),
        (lambda a: a.abs(), 0.0, 0.0),
    ],
)
def test_hand_derived_local_derivatives(make, value, grad):
    a = Value(value)
    out = make(a)
    out.backward()
    assert a.grad == pytest.approx(grad, abs=1e-15)


def test_sub_and_div_are_their_own_ops():
    a, b = Value(6.0), Value(3.0)
    d, q = a - b, a / b
    assert d.op == "-" and d.parents == (a, b) and d.local_grads == (1.0, -1.0)
    assert q.op == "/" and q.parents == (a, b) and q.local_grads == (1 / 3, -6 / 9)


def test_value_exponent_has_two_parents():
    a, b = Value(2.0), Value(3.0)
    c = a**b
    c.backward()
    assert c.op == "**" and c.parents == (a, b)
    assert a.grad == pytest.approx(12.0) and b.grad == pytest.approx(8 * math.log(2))


def test_constants_become_labelled_leaves():
    a = Value(2.0)
    out = 3 * a
    const = out.parents[0]
    assert const.data == 3.0 and const.parents == () and out.parents[1] is a


def test_numbers_accepted_and_converted():
    for x in (3, 3.0, np.float32(3.0), np.int64(3), np.float64(3.0)):
        v = Value(x)
        assert type(v.data) is float and v.data == 3.0
    assert type((Value(1.0) + np.float32(2)).data) is float


@pytest.mark.parametrize("bad", ["3", None, [1.0], True, 1 + 2j, np.array([1.0, 2.0])])
def test_non_numbers_are_type_errors(bad):
    with pytest.raises(TypeError) as info:
        Value(bad)
    assert type(bad).__name__ in str(info.value)
    a = Value(1.0)
    with pytest.raises(TypeError):
        a + bad
    with pytest.raises(TypeError):
        a * bad


@pytest.mark.parametrize(
    "op, message",
    [
        (lambda: Value(0.0).log(), "log"),
        (lambda: Value(-1.0).log(), "log"),
        (lambda: Value(-1.0).sqrt(), "sqrt"),
        (lambda: Value(-8.0) ** 0.5, "**"),
        (lambda: Value(-8.0) ** Value(0.5), "**"),
        (lambda: Value(0.0) ** -1, "**"),
        (lambda: Value(1.0) / 0, "/"),
        (lambda: 1 / Value(0.0), "/"),
        (lambda: Value(1.0) / Value(0.0), "/"),
    ],
)
def test_domain_errors_name_the_op_and_create_nothing(op, message):
    with pytest.raises(DomainError) as info:
        op()
    assert message in str(info.value)


def test_division_by_zero_is_also_zero_division_error():
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    assert issubclass(ZeroDivisionDomainError, ValueError)


def test_failure_leaves_grads_untouched():
    x = Value(2.0)
    y = x * 3
    y.backward()
    before = (x.grad, y.grad)
    with pytest.raises(DomainError):
        (y - 6).log()
    with pytest.raises(TypeError):
        y.backward("1")
    assert (x.grad, y.grad) == before


def test_overflow_names_the_op():
    with pytest.raises(OverflowError, match="exp"):
        Value(1000.0).exp()
    with pytest.raises(OverflowError, match=r"\*\*"):
        Value(10.0) ** 400


def test_sqrt_at_zero_has_infinite_slope_like_pytorch():
    a = Value(0.0)
    s = a.sqrt()
    s.backward()
    assert s.data == 0.0 and a.grad == math.inf


def test_sigmoid_is_stable_for_large_inputs():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_no_grad_builds_no_graph_and_nests():
    a = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        with no_grad():
            b = a * 3
        c = b + a
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert b.parents == () and c.parents == () and c.data == 8.0
    d = a * 3
    assert d.parents == (a, d.parents[1])


def test_no_grad_is_thread_local():
    a = Value(2.0)
    inside = threading.Event()
    release = threading.Event()
    results = {}

    def worker():
        with no_grad():
            inside.set()
            release.wait(5)
            results["worker"] = (a * 2).parents

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(5)
    results["main"] = (a * 2).parents  # main thread still records while the worker is in no_grad
    release.set()
    t.join()
    assert results["worker"] == ()
    assert len(results["main"]) == 2


def test_detach_cuts_the_graph():
    a = Value(2.0, "a")
    b = a * a
    d = b.detach()
    e = d * 3
    e.backward()
    assert d.parents == () and d.data == 4.0 and a.grad == 0.0 and d.grad == 3.0


def test_repr_and_label():
    t = Value(2.0) * Value(3.0)
    t.label = "t"
    t.backward()
    assert repr(t) == "Value(data=6, grad=1, op='*', label='t')"
    assert repr(Value(0.1 + 0.2)) == "Value(data=0.3, grad=0)"
    with pytest.raises(TypeError):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_truth_value_is_refused_but_comparisons_work():
    a = Value(2.0)
    with pytest.raises(TypeError, match="truth value"):
        bool(a)
    assert a > 1 and a < Value(3.0) and a >= 2 and a <= 2.0
    assert a.item() == 2.0 and a.data == 2.0


def test_float_and_math_functions_refuse_a_value_instead_of_cutting_the_graph():
    # y = x * math.exp(x) would silently give x.grad = e instead of 2e: refused, with the fix
    import math

    x = Value(1.0, "x")
    for call in (float, math.exp, math.sin, math.sqrt, math.floor):
        with pytest.raises(TypeError, match=r"would cut the graph.*v\.exp\(\)"):
            call(x)
    y = x * x.exp()
    y.backward()
    assert x.grad == 2 * math.e


def test_fmt():
    assert fmt(715.0000000000001) == "715"
    assert fmt(110.00000000000001) == "110"
    assert fmt(3.3000000000000003) == "3.3"
    assert fmt(-2.5) == "-2.5"
    assert fmt(1e-20) == "1e-20"
    assert fmt(1.5e20) == "1.5e+20"
    assert fmt(0.0) == fmt(-0.0) == "0"
    assert fmt(float("nan")) == "nan" and fmt(float("-inf")) == "-inf"
    assert fmt(1 / 3) == "0.333333333333"
    assert fmt(np.float32(0.1)) == "0.1" and fmt(np.float64(0.1)) == "0.1"
    assert fmt(np.float32(1) / np.float32(3)) == "0.33333334"
    assert fmt(2) == "2" and fmt("label") == "label"


def test_a_script_of_values_never_imports_numpy() -> None:
    """``from autograd_lite import Value`` loads the scalar engine only (start-up time counts)."""
    import subprocess
    import sys

    script = ("import sys\nfrom autograd_lite import Value\nfrom autograd_lite.scalar_nn import MLP\n"
              "x = Value(0.5)\ny = (x * 2 + 1.5).tanh() * x.sin() - 3 % x\ny.backward()\n"
              "MLP(2, [3, 1])([Value(1.0), Value(2.0)]).backward()\n"
              "print('numpy' in sys.modules, round(x.grad, 12))\n"
              "from autograd_lite import Tensor, explain\n"
              "print('numpy' in sys.modules, Tensor.__name__, explain.__name__)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    first, second = done.stdout.splitlines()
    assert first.startswith("False ") and second == "True Tensor explain"
