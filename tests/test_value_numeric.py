"""Every Value op against float64 central differences on random inputs (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value

EPS = 1e-6
moderate = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=5.0, allow_nan=False)
away_from_zero = st.one_of(st.floats(-3.0, -0.2), st.floats(0.2, 3.0))


def central_difference(f, xs, i):
    hi = list(xs)
    lo = list(xs)
    hi[i] += EPS
    lo[i] -= EPS
    return (f(*hi) - f(*lo)) / (2 * EPS)


def check(op, *xs):
    """Analytic grads from backward vs central differences on the same op on floats."""
    leaves = [Value(x) for x in xs]
    out = op(*leaves)
    out.backward()

    def plain(*ys):
        return op(*[Value(y) for y in ys]).data

    for i, leaf in enumerate(leaves):
        numeric = central_difference(plain, xs, i)
        assert leaf.grad == pytest.approx(numeric, rel=1e-5, abs=1e-6), (i, xs)


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "reflected+": lambda a, b: 2.5 + a * b,
    "reflected-": lambda a, b: 2.5 - a * b,
    "reflected*": lambda a, b: 2.5 * a - b,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(deadline=None, max_examples=40)
@given(a=moderate, b=moderate)
def test_binary_ops(name, a, b):
    check(BINARY[name], a, b)


@settings(deadline=None, max_examples=40)
@given(a=moderate, b=away_from_zero)
def test_division(a, b):
    check(lambda x, y: x / y, a, b)
    check(lambda x, y: 1.5 / y + x, a, b)


@settings(deadline=None, max_examples=40)
@given(a=positive, b=moderate)
def test_power_with_value_exponent(a, b):
    check(lambda x, y: x**y, a, b)
    check(lambda x, y: 2.0**x * y, b, a)


@pytest.mark.parametrize("n", [2, 3, -1, -2, 0.5, 1.5, 0])
@settings(deadline=None, max_examples=25)
@given(a=positive)
def test_power_with_number_exponent(n, a):
    check(lambda x: x**n, a)


@pytest.mark.parametrize("n", [2, 3, -1])
@settings(deadline=None, max_examples=25)
@given(a=away_from_zero)
def test_integer_power_of_negative_base(n, a):
    check(lambda x: x**n, a)


UNARY = {
    "neg": (lambda a: -a, moderate),
    "exp": (lambda a: a.exp(), moderate),
    "log": (lambda a: a.log(), positive),
    "sqrt": (lambda a: a.sqrt(), positive),
    "tanh": (lambda a: a.tanh(), moderate),
    "sigmoid": (lambda a: a.sigmoid(), st.floats(-20, 20)),
    "relu": (lambda a: a.relu(), away_from_zero),
    "abs": (lambda a: abs(a), away_from_zero),
    "sin": (lambda a: a.sin(), moderate),
    "cos": (lambda a: a.cos(), moderate),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(deadline=None, max_examples=30)
@given(data=st.data())
def test_unary_ops(name, data):
    op, domain = UNARY[name]
    check(op, data.draw(domain))


@settings(deadline=None, max_examples=30)
@given(x=moderate, y=moderate, z=positive)
def test_composite_expression_with_reuse(x, y, z):
    def f(a, b, c):
        t = a * b + c.log()
        return (t * t).tanh() + (a - c) / (1 + c) + a.sigmoid() * t

    check(f, x, y, z)
    assert math.isfinite(f(Value(x), Value(y), Value(z)).data)
