"""explain(root).code(): the adjoint program runs on its own and gives backward()'s grads bit for bit."""

from __future__ import annotations

import math
import struct
from typing import Any, Dict, List, Tuple

import numpy as np
import pytest
from graphs import TENSOR_OPS, build_program, build_tensor_program
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, explain
from autograd_lite.adjoint_code import MAX_CODE_NODES, code_rows, write
from autograd_lite.numeric import DomainError
from autograd_lite.ops import OPS

UNARY = ["neg", "square", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "abs", "tan",
         "sinh", "cosh", "arcsin", "arccos", "arctan", "log1p", "expm1", "log2", "log10", "exp2", "sign",
         "floor", "ceil", "round", "arcsinh", "arctanh", "deg2rad", "rad2deg"]
OPERATORS = ["+", "-", "*"] + UNARY


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same(x: Any, y: Any) -> bool:
    return (math.isnan(x) and math.isnan(y)) or bits(x) == bits(y)


def run(program: str) -> Dict[str, Any]:
    space: Dict[str, Any] = {}
    exec(program, space)  # the program needs nothing but what it writes itself
    return space


def check_exact(root: Value, expect_formulas: bool = True) -> str:
    """Write the program (without touching grads), run backward(), compare every node."""
    nodes = explain(root, replay=True).nodes
    assert all(n.grad == 0.0 for n in nodes)
    program = write(explain(root, replay=True))
    space = run(program.text)
    root.backward()
    for n in nodes:
        ident = program.names[n]
        assert same(space[ident], n.data), (ident, space[ident], n.data)
        assert same(space[ident + "_grad"], n.grad), (ident, space[ident + "_grad"], n.grad)
    if expect_formulas:
        assert "the engine's" not in program.text, program.text
    return program.text


def test_hand_example_reads_and_runs() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    z = x * y + x
    text = explain(z, replay=True).code()
    assert "x_grad += t1_grad * y  # ∂(x*y)/∂x = y = 3" in text
    assert "t1 = x * y  # x*y = 6" in text
    assert run(text)["grads"] == {"x": 4.0, "y": 2.0}  # dz/dx = y + 1, dz/dy = x
    assert x.grad == 0.0 and y.grad == 0.0  # replay: no grad changed


def test_every_value_row_has_code() -> None:
    rows = code_rows()
    missing = [r.name for r in OPS.values() if "Value" in r.kinds and not r.user and r.name != "**n"
               and r.name not in rows]
    assert missing == []


@settings(deadline=None, max_examples=150)
@given(st.lists(st.floats(-3.0, 3.0), min_size=2, max_size=3),
       st.lists(st.tuples(st.sampled_from(OPERATORS), st.integers(0, 40), st.integers(0, 40)),
                min_size=1, max_size=12))
def test_program_reproduces_backward_exactly(leaves: List[float], raw: List[Tuple[str, int, int]]) -> None:
    program = [(op, i % (len(leaves) + k), j % (len(leaves) + k)) for k, (op, i, j) in enumerate(raw)]
    try:
        _, root = build_program(leaves, program)
    except (DomainError, OverflowError, ZeroDivisionError):
        assume(False)
        return
    nodes = explain(root, replay=True).nodes
    # away from infinities and NaN a formula always applies; there the line holds the number
    finite = all(math.isfinite(n.data) and all(math.isfinite(v) for v in n.local_grads) for n in nodes)
    check_exact(root, expect_formulas=finite)


@pytest.mark.parametrize("make", [
    lambda x, y: x / y - y / x,
    lambda x, y: x ** y + y ** x,
    lambda x, y: x % y + y % x,
    lambda x, y: x ** 3 + x ** 0.5 + y ** -1 + x ** 0 + y ** 1 + x ** 2.5,
    lambda x, y: (x * 2 + 1).sigmoid() * (y - 3).relu() + (-x).relu(),
])
def test_binary_and_power_ops(make: Any) -> None:
    x, y = Value(1.7, "x"), Value(0.6, "y")
    check_exact(make(x, y))


def test_an_edge_at_a_pole_is_the_rules_formula_too() -> None:
    x = Value(0.0, "x")
    y = x.sqrt() + x  # d sqrt / dx is +inf at 0: recip, the rules' 1/x, says so (IEEE's ±inf at ±0)
    text = check_exact(y)
    assert "x_grad += t1_grad * (0.5 * recip(abs(t1)))" in text and "the engine's number" not in text
    assert "def recip(x):" in text and run(text)["grads"]["x"] == math.inf


def test_labels_that_are_not_identifiers() -> None:
    a, b, c, d = Value(1.5, "x y"), Value(2.0, "x_y"), Value(-1.0, "for"), Value(0.5, "a")
    e = Value(3.0, "a_grad")
    z = (a * b + c) * d - e * a
    text = check_exact(z)
    grads = run(text)["grads"]
    assert set(grads) == {"x_y", "x_y_2", "v_for", "a", "a_grad_2"}  # a_grad is a's grad
    assert grads["a"] == pytest.approx(1.5 * 2.0 - 1.0)  # dz/da = a*b + c  (a is the label "a")


def test_labels_that_would_shadow_the_programs_names() -> None:
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True, label="np")
    u = Tensor(np.array([[0.5], [3.0]]), requires_grad=True, label="unbroadcast")
    y = ((x + u) * x).sum()
    grads = run(explain(y, replay=True).code())["grads"]
    y.backward()
    assert grads["np_2"].tobytes() == x.grad.tobytes()
    assert grads["unbroadcast_2"].tobytes() == u.grad.tobytes()


def test_a_leaf_root() -> None:
    x = Value(2.0, "x")
    assert run(explain(x, replay=True).code())["grads"] == {"x": 1.0}


def test_seed_is_written() -> None:
    x = Value(2.0, "x")
    y = x * x
    assert run(explain(y, 0.5, replay=True).code())["grads"] == {"x": 2.0}


# the Tensor ops a program writes as formulas (the rest as the engine's arrays)
WRITTEN = ["+", "-", "*", "/", "**", "square", "neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu",
           "abs", "sum", "mean", "@", "transpose", "reshape"]


@settings(deadline=None, max_examples=60)
@given(st.sampled_from([(2, 3), (3, 3), (1, 4)]),
       st.lists(st.tuples(st.sampled_from(TENSOR_OPS), st.integers(0, 30), st.integers(0, 30)),
                min_size=1, max_size=8),
       st.integers(0, 2**16))
def test_tensor_program_reproduces_backward_exactly(shape: Tuple[int, int], raw: List[Tuple[str, int, int]],
                                                    seed: int) -> None:
    program = [(op, i % (2 + k), j % (2 + k)) for k, (op, i, j) in enumerate(raw)]
    try:
        _, root = build_tensor_program(shape, program, seed)
        root = root.sum()
    except (DomainError, OverflowError, ZeroDivisionError, ValueError):
        assume(False)
        return
    written = write(explain(root, replay=True))
    space = run(written.text)
    nodes = explain(root, replay=True).nodes
    root.backward()
    for n in nodes:
        ident = written.names[n]
        assert np.asarray(space[ident]).tobytes() == np.asarray(n.data).tobytes(), ident
        if n.grad is not None:
            got = np.asarray(space[ident + "_grad"])
            assert got.shape == n.grad.shape and got.tobytes() == np.asarray(n.grad).tobytes(), ident
    if all(op in WRITTEN for op, _, _ in program):
        assert "the engine's array" not in written.text, written.text


def test_tensor_broadcasting_is_written_out() -> None:
    X = Tensor(np.array([[1.0, 2.0], [3.0, -1.0]]), requires_grad=True, label="X")
    W = Tensor(np.array([[0.5], [-2.0]]), requires_grad=True, label="W")
    b = Tensor(np.array([0.25]), requires_grad=True, label="b")
    y = ((X @ W + b).tanh() * 2.0).sum()
    text = explain(y, replay=True).code()
    assert "b_grad = unbroadcast(t2_grad, (1,))  # ∂(t1+b)/∂b: sends g summed over axis 0" in text
    assert "X_grad = t1_grad @ W.T  # ∂(X@W)/∂X: sends g @ Wᵀ" in text
    grads = run(text)["grads"]
    t = np.tanh(X.data @ W.data + b.data)
    # hand: dy/db = Σ 2(1 - tanh²), dy/dX = 2(1 - tanh²) Wᵀ
    np.testing.assert_allclose(grads["b"], [np.sum(2.0 * (1.0 - t * t))], rtol=1e-15)
    np.testing.assert_allclose(grads["X"], 2.0 * (1.0 - t * t) @ W.data.T, rtol=1e-15)
    y.backward()
    assert all(grads[k].tobytes() == v.grad.tobytes() for k, v in (("X", X), ("W", W), ("b", b)))


def test_refusals() -> None:
    t = Tensor(np.ones(30000), requires_grad=True)
    with pytest.raises(ValueError, match="holds 30001 numbers; a program is written for at most 20000"):
        explain(t.sum(), replay=True).code()
    x = Value(1.0, "x")
    y = x
    for _ in range(MAX_CODE_NODES):
        y = y + 1.0
    with pytest.raises(ValueError, match=f"nodes; a program is written for at most {MAX_CODE_NODES}"):
        explain(y, replay=True).code()
    assert x.grad == 0.0 and t.grad is None


@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "sin", "cos", "neg",
                                "square", "cube", "half", "/", "**", "@", "mean", "T"])
def test_each_tensor_formula_with_an_uneven_upstream(op: str) -> None:
    rng = np.random.default_rng(5)
    x = Tensor(rng.uniform(0.1, 2.0, (3, 3)), requires_grad=True, label="x")
    y = Tensor(rng.uniform(-1.0, 1.0, (3, 3)), requires_grad=True, label="y")
    w = Tensor(rng.uniform(-3.0, 3.0, (3, 3)), label="w")  # upstream grads that are not 1
    made = {"neg": lambda: -x, "square": lambda: x ** 2, "cube": lambda: x ** 3, "half": lambda: x ** 0.5,
            "/": lambda: y / x, "**": lambda: x ** y, "@": lambda: x @ y, "mean": lambda: x.mean(axis=0) * y,
            "T": lambda: x.T * y}
    out = made[op]() if op in made else getattr(x, op)()
    root = (out * w).sum()
    written = write(explain(root, replay=True))
    assert "the engine's array" not in written.text, written.text
    space = run(written.text)
    root.backward()
    for t in (x, y):
        if t.grad is not None:
            assert space["grads"][t.label].tobytes() == t.grad.tobytes()


def test_module_doctests() -> None:
    import doctest
    import importlib

    for name in ("autograd_lite.adjoint_code", "autograd_lite.explain"):
        result = doctest.testmod(importlib.import_module(name))
        assert result.attempted > 0 and result.failed == 0, name


def test_a_users_function_is_written_as_the_engines_numbers() -> None:
    from autograd_lite import Function

    class Cube(Function):
        @staticmethod
        def forward(ctx: Any, x: float) -> float:
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx: Any, dout: float) -> float:
            (x,) = ctx.saved_values
            return dout * 3.0 * x * x

    x = Value(1.5, "x")
    y = Cube.apply(x) * x
    text = check_exact(y, expect_formulas=False)
    assert "t1 = 3.375  # Cube(x) = 3.375: the engine's value (no formula for this op here)" in text
    assert "x_grad += t1_grad * 6.75  #" in text and "the engine's number (no formula here)" in text
