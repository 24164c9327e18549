"""Value's op methods are generated from the op table's rows (autograd_lite.specialise): their
numbers are the rows' forward and rules, bit for bit, and their code is the rows' text."""

from __future__ import annotations

import math
import re
import struct
from typing import Any, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value, ops, specialise
from autograd_lite.numeric import DomainError

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 1e-310, -1e-310, 5e-324, 1e308, -1e308,
           math.inf, -math.inf, math.nan, 0.999999, 3.0]


def same(x: float, y: float) -> bool:
    """Equal as IEEE bit patterns (NaN equals NaN, -0 differs from 0)."""
    return struct.pack("<d", x) == struct.pack("<d", y) or (x != x and y != y)


GENERATED = {"__add__": "+", "__sub__": "-", "__mul__": "*", "__truediv__": "/", "__neg__": "neg"}
UNARY: List[ops.Op] = [r for r in ops.OPS.values() if r.arity == 1 and r.scalar is not None]


@pytest.mark.parametrize("name", sorted(specialise.FLOAT_FORMS))
@pytest.mark.parametrize("x", SPECIAL)
def test_each_float_form_is_the_vocabulary_function(name: str, x: float) -> None:
    form = eval(specialise.FLOAT_FORMS[name].format(x="x"), {"math": math, "x": x})  # noqa: S307
    assert same(form, ops.VOCABULARY[name](x)), (name, x)


def test_the_methods_are_the_rows_text() -> None:
    for method, op in GENERATED.items():
        row = ops.OPS[op]
        source = getattr(Value, method).source
        if row.inline:
            assert f"r = {row.inline}\n" in source, method
        assert "out.op = tag" in source and getattr(Value, method).__qualname__ == f"Value.{method}"
    for row in UNARY:
        source = getattr(Value, row.name).source
        local = specialise._local(row.rules[0], {"a": "a", "out": "r"})
        assert f"out._la = {local}\n" in source, row.name
        # a vocabulary function with a float form is written out, never called on a float
        assert not re.search(r"\b(step|recip)\((a|b|r)\)", source), source
    with pytest.raises(ValueError, match="no inline two-parent forward"):
        specialise.binary_method(Value, lambda x, op: x, ops.OPS["**"], "__pow__")


def _binary(op: str, a: float, b: float) -> Any:
    x, y = Value(a), Value(b)
    return {"+": x.__add__, "-": x.__sub__, "*": x.__mul__, "/": x.__truediv__}[op](y)


@settings(deadline=None, max_examples=300)
@given(st.sampled_from(["+", "-", "*", "/"]),
       st.one_of(st.sampled_from(SPECIAL), st.floats(-1e6, 1e6)),
       st.one_of(st.sampled_from(SPECIAL), st.floats(-1e6, 1e6)))
def test_binary_nodes_hold_the_rows_numbers(op: str, a: float, b: float) -> None:
    row = ops.OPS[op]
    try:
        node = _binary(op, a, b)
    except (ZeroDivisionError, OverflowError):
        assert op == "/" and (b == 0.0 or abs(a / b) == math.inf)
        return
    out = eval(row.inline, {"a": a, "b": b})  # noqa: S307
    assert same(node.data, out)
    for local, rule in zip(node.local_grads, row.rules):
        assert same(local, rule(a, b, out)), (op, a, b)
    assert node.op == op and ops.op_row(node.op) is row


@settings(deadline=None, max_examples=300)
@given(st.sampled_from(UNARY), st.one_of(st.sampled_from(SPECIAL), st.floats(-50, 50)))
def test_unary_nodes_hold_the_rows_numbers(row: ops.Op, a: float) -> None:
    assert row.scalar is not None
    try:
        out = row.scalar(a)
    except ValueError:
        if row.domain is not None and row.domain[1](a):
            with pytest.raises(DomainError, match=row.name):
                getattr(Value(a), row.name)()
            return
        out = math.nan  # outside no stated domain: NaN (sin(inf)), as numpy
    except OverflowError:
        with pytest.raises(OverflowError, match=row.name):
            getattr(Value(a), row.name)()
        return
    if row.overflows and math.isinf(out) and math.isfinite(a):
        with pytest.raises(OverflowError, match=row.name):
            getattr(Value(a), row.name)()
        return
    node = getattr(Value(a), row.name)()
    assert same(node.data, out), (row.name, a)
    assert same(node.local_grads[0], row.rules[0](a, out)), (row.name, a)
    assert node.op == row.name and node.op.row is ops.OPS[row.name]  # (a Tensor rule may have joined it)


def test_sqrt_slope_is_plus_infinity_at_both_zeros_as_for_tensor() -> None:
    from autograd_lite import Tensor

    for z in (0.0, -0.0):
        v, t = Value(z), Tensor(z, requires_grad=True)
        v.sqrt().backward()
        t.sqrt().backward()
        assert v.grad == math.inf and float(t.grad) == math.inf


OPTIONAL = {"anywidget", "torch", "selenium", "nbclient", "nbformat", "babel"}  # setup.cfg's extras


def test_every_module_doctest_passes() -> None:
    # every docstring example of the package and of viz runs and shows what it says
    import doctest
    import importlib
    import pkgutil

    import autograd_lite
    import viz

    attempted = 0
    for pkg in (autograd_lite, viz):
        names = [pkg.__name__] + [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
                                  if not m.name.endswith("__main__")]
        for name in names:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as e:  # a module of an optional extra (the notebook widget)
                assert e.name in OPTIONAL, (name, e.name)
                continue
            result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
            assert result.failed == 0, name
            attempted += result.attempted
    assert attempted > 300


def test_tensor_rules_are_generated_from_the_rows_and_run_the_rows_numbers() -> None:
    import numpy as np

    from autograd_lite import Tensor  # noqa: F401  (loads the Tensor rows)

    rng = np.random.default_rng(3)
    a = rng.uniform(0.1, 0.9, size=(3, 4))
    g = rng.normal(size=(3, 4))
    for row in UNARY + [ops.OPS["neg"]]:
        if row.vjp is None or not hasattr(row.vjp, "source"):
            continue
        x = a if row.domain is None or not np.any(row.domain[1](a)) else a + 1.5  # arccosh: x >= 1
        out = np.vectorize(row.scalar)(x) if row.scalar is not None else -x
        local = np.vectorize(row.rules[0])(x, out)
        sent = row.vjp(g, x, out, None)
        np.testing.assert_allclose(sent, g * local, rtol=1e-15, atol=0, err_msg=row.name)
    b = rng.uniform(0.5, 2.0, size=(3, 4))
    for op in "+-*/":
        row = ops.OPS[op]
        out = eval(row.inline, {"a": a, "b": b})  # noqa: S307
        ca, cb = row.vjp(g, a, b, out, None, True, False)
        assert cb is None
        np.testing.assert_allclose(ca, g * np.vectorize(row.rules[0])(a, b, out), rtol=1e-15, atol=0)
        assert "g *" in row.vjp.source or "g /" in row.vjp.source or "(g if" in row.vjp.source


# --------------------------------------------------------------------------- ** and **n: one source
POWER_ROWS = ("**", "**n")


def test_the_power_rows_rules_are_text_and_their_tensor_rules_are_generated_from_it() -> None:
    import numpy as np  # noqa: F401  (the Tensor rows load with the Tensor package)

    from autograd_lite import Tensor  # noqa: F401

    for name in POWER_ROWS:
        row = ops.OPS[name]
        assert all(getattr(rule, "code", None) for rule in row.rules), name  # the row's text, once
        source = row.vjp.source  # generated (a hand-written rule has no source)
        for i in range(len(row.rules)):
            if not row.param:
                assert specialise.vjp_text(row, i) in source, (name, i)
        # the vocabulary's array forms written out; no hand-made numpy in the rule
        assert "np." not in source and "is_zero(" not in source
    cases, general = specialise._cases(specialise._local_text(ops.OPS["**n"], 0))
    assert [test for test, _ in cases] == ["n == 0.0", "n == 1.0", "n == 2.0"]
    assert general == "n * power(a, n - 1.0)"
    source = ops.OPS["**n"].vjp.source
    assert "if n == 2.0:\n        return g * (a + a)\n" in source
    assert "if n == 1.0:\n        return g\n" in source


# (base, exponent) pairs with every edge of the power's derivatives: 0**0, 0**y, a negative base
# with an integer exponent, a pole of the slope (0 ** -0.5 as a slope), NaN.
EDGES = [(0.0, 0.0), (-0.0, 0.0), (-2.0, -2.0), (0.0, 0.3), (0.0, 2.0), (0.0, 1.0), (0.0, -0.5),
         (-2.0, 3.0), (-2.0, 0.0), (2.0, 0.5), (1.5, -1.5), (0.5, 2.5), (3.0, 0.0), (math.nan, 2.0),
         (2.0, math.nan), (math.nan, 0.0), (1e-300, 0.5), (4.0, -3.0)]
NUMBERS = [0.0, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0, 2.5, 1e-3, -3.0]
BASES = [0.0, -0.0, 1.5, -2.0, 2.0, 1e-300, 0.5, 3.0, math.nan, math.inf, 1e200]


def _bits_equal(x: Any, y: Any) -> bool:
    import numpy as np

    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    equal = (x == y) & (np.signbit(x) == np.signbit(y)) | (np.isnan(x) & np.isnan(y))
    return x.shape == y.shape and bool(np.all(equal))


def test_the_generated_tensor_rules_send_g_times_the_rows_rules() -> None:
    import numpy as np

    from autograd_lite import Tensor  # noqa: F401

    rng = np.random.default_rng(5)
    a = np.array([p[0] for p in EDGES])
    b = np.array([p[1] for p in EDGES])
    with np.errstate(all="ignore"):
        out = a ** b
    g = rng.normal(size=a.shape)
    row = ops.OPS["**"]
    sent = row.vjp(g, a, b, out, None, True, True)
    for i, c in enumerate(sent):
        with np.errstate(all="ignore"):
            on_arrays = g * row.rules[i](a, b, out)  # the row's text, run on the arrays
        assert _bits_equal(c, on_arrays), i
        floats = zip(a.tolist(), b.tolist(), out.tolist())
        on_floats = g * np.array([row.rules[i](x, y, o) for x, y, o in floats])
        _close(c, on_floats)  # as a Value's local derivative (numpy's pow may differ in the last bit)
    row = ops.OPS["**n"]
    x = np.array([v for v in BASES if v == v and v != math.inf])
    for n in NUMBERS:
        with np.errstate(all="ignore"):
            out = x ** n
            on_arrays = g[:len(x)] * row.rules[0](x, out, n)
        assert _bits_equal(row.vjp(g[:len(x)], x, out, n), on_arrays), n
        local = []
        for v, o in zip(x.tolist(), out.tolist()):
            try:
                local.append(row.rules[0](v, o, n))
            except DomainError:  # a negative base with a fractional exponent: no slope on a float
                local.append(math.nan)
        _close(on_arrays, g[:len(x)] * np.array(local))


def _close(x: Any, y: Any) -> None:
    import numpy as np

    finite = np.isfinite(x) & np.isfinite(y)
    assert _bits_equal(x[~finite], y[~finite])
    np.testing.assert_array_max_ulp(x[finite], y[finite], maxulp=2)


def _torch_grads(torch: Any, a: float, b: float, number: bool) -> List[Any]:
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=not number)
    out = ta ** b if number else ta ** tb
    inputs = [ta] if number else [ta, tb]
    first = torch.autograd.grad(out, inputs, create_graph=True)
    second = [torch.autograd.grad(f, inputs, allow_unused=True) if f.requires_grad else [None] * len(inputs)
              for f in first]
    return [float(f) for f in first] + [None if s is None else float(s) for row in second for s in row]


def _our_grads(kind: str, a: float, b: float, number: bool) -> List[Any]:
    import numpy as np

    from autograd_lite import Tensor

    def leaf(v: float) -> Any:
        return Value(v) if kind == "Value" else Tensor(np.float64(v), requires_grad=True)

    x, y = leaf(a), leaf(b)
    out = x ** b if number else x ** y
    ins = [x] if number else [x, y]
    out.backward(create_graph=True)
    first = [p.grad for p in ins]
    result = [float(f.data) for f in first]
    for f in first:
        for p in ins:
            p.grad = 0.0 if kind == "Value" else None
        if f.parents:
            f.backward()
            result += [float(np.asarray(p.grad)) if p.grad is not None else 0.0 for p in ins]
        else:
            result += [0.0] * len(ins)  # a constant: every derivative of it is 0
    return result


@pytest.mark.parametrize("kind", ["Value", "Tensor"])
@pytest.mark.parametrize("a, b, number", [(0.0, 0.0, False), (-2.0, -2.0, False), (0.0, 0.3, False),
                                          (0.0, 2.0, False), (0.0, 1.0, False), (2.0, 0.5, False),
                                          (-2.0, 3.0, False), (1.5, -1.5, False), (0.0, 0.5, True),
                                          (0.0, 0.0, True), (-2.0, -2.0, True), (0.0, 2.0, True),
                                          (0.0, 3.0, True), (1.5, 2.5, True)])
def test_power_edges_first_and_second_order_match_pytorch(kind: str, a: float, b: float,
                                                         number: bool) -> None:
    torch = pytest.importorskip("torch")
    ours = _our_grads(kind, a, b, number)
    theirs = _torch_grads(torch, a, b, number)
    for k, (o, t) in enumerate(zip(ours, theirs)):
        if t is None:  # PyTorch: the first derivative does not depend on that input
            assert o == 0.0, (k, ours, theirs)
        elif not math.isnan(t) or k < (1 if number else 2):  # a NaN second derivative: undefined
            assert same(o, t) or (o == t == 0.0), (k, ours, theirs)


def test_power_edges_by_hand() -> None:
    # d a**b/da = b a**(b-1), 0 where b = 0; d a**b/db = a**b ln a, 0 at a = 0, NaN for a < 0
    assert _our_grads("Value", 0.0, 0.0, False)[:2] == [0.0, 0.0]
    assert _our_grads("Tensor", 0.0, 0.0, False)[:2] == [0.0, 0.0]
    for kind in ("Value", "Tensor"):
        ga, gb = _our_grads(kind, -2.0, -2.0, False)[:2]
        assert ga == 0.25 and math.isnan(gb)  # -2 · (-2)**-3; ln(-2) undefined
        assert _our_grads(kind, 0.0, 0.3, False)[:2] == [math.inf, 0.0]  # 0.3 · 0**-0.7
        assert _our_grads(kind, 0.0, 0.5, True)[0] == math.inf  # sqrt's slope at 0
        assert _our_grads(kind, -2.0, -2.0, True)[:2] == [0.25, 0.375]  # b a**(b-1), b(b-1) a**(b-2)
        assert _our_grads(kind, 0.0, 0.0, True)[0] == 0.0  # x**0 is the constant 1


def test_the_power_vocabulary_on_floats_arrays_and_nodes() -> None:
    import warnings

    import numpy as np

    from autograd_lite import Tensor

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a slope at a pole is IEEE's number, without a warning
        assert ops.power(0.0, -0.5) == math.inf and ops.power(-0.0, -1.0) == -math.inf
        assert ops.power(1e300, 2.0) == math.inf and ops.power(-2.0, -3.0) == -0.125
        got = ops.power(np.array([0.0, -0.0, 1e300, -2.0, -2.0]), np.array([-0.5, -1.0, 2.0, -3.0, 0.5]))
        assert _bits_equal(got, [math.inf, -math.inf, math.inf, -0.125, math.nan])
    with pytest.raises(DomainError, match=r"\*\*"):
        ops.power(-2.0, 0.5)  # on a float, as Value's own **
    v = Value(3.0)
    assert ops.power(v, 2.0).data == 9.0 and ops.power(v, 2.0).parents == (v,)  # graph
    assert ops.is_zero(Value(-0.0)) is True and ops.is_zero(v) is False
    assert ops.where(True, v, 1.0) is v and ops.where(False, v, 1.0) == 1.0  # a choice, no numpy
    t = Tensor([0.0, 2.0], requires_grad=True)
    chosen = ops.where(ops.is_zero(t), 5.0, t * 3.0)
    assert isinstance(chosen, Tensor) and chosen.data.tolist() == [5.0, 6.0]
    chosen.sum().backward()
    assert t.grad.tolist() == [0.0, 3.0]  # the side not chosen sends nothing
