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
