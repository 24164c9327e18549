"""The scalar op table, gradients of gradients, forward mode (autograd_lite.ops, derivatives, forward)."""

from __future__ import annotations

import doctest
import importlib
import math
from typing import Any, Callable, List

import numpy as np
import pytest
from graphs import ROW_ONLY, row_only_point
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (
    GradcheckError,
    Tensor,
    Value,
    grad,
    gradgradcheck,
    hessian,
    hvp,
    jacfwd,
    jacobian,
    jvp,
    ops,
    value_and_grad,
)
from autograd_lite.derivatives import DisconnectedInputWarning
from autograd_lite.engine import topological_order
from autograd_lite.forward import Dual, work

# One function per row of the table, with a point inside its domain (for checks and torch).
CASES = {
    "+": (lambda a, b: a + b, (0.7, -1.3)),
    "-": (lambda a, b: a - b, (0.7, -1.3)),
    "*": (lambda a, b: a * b, (0.7, -1.3)),
    "/": (lambda a, b: a / b, (0.7, -1.3)),
    "**": (lambda a, b: a ** b, (1.7, 1.3)),
    "**n": (lambda a: a ** 3.5, (1.7,)),
    "neg": (lambda a: -a, (0.7,)),
    "exp": (lambda a: a.exp(), (0.7,)),
    "log": (lambda a: a.log(), (0.7,)),
    "sqrt": (lambda a: a.sqrt(), (0.7,)),
    "tanh": (lambda a: a.tanh(), (0.7,)),
    "sigmoid": (lambda a: a.sigmoid(), (0.7,)),
    "relu": (lambda a: a.relu(), (0.7,)),
    "sin": (lambda a: a.sin(), (0.7,)),
    "cos": (lambda a: a.cos(), (0.7,)),
    "abs": (lambda a: a.abs(), (-0.7,)),
    "tan": (lambda a: a.tan(), (0.7,)),
    "sinh": (lambda a: a.sinh(), (0.7,)),
    "cosh": (lambda a: a.cosh(), (0.7,)),
    "arcsin": (lambda a: a.arcsin(), (0.7,)),
    "arccos": (lambda a: a.arccos(), (0.7,)),
    "arctan": (lambda a: a.arctan(), (0.7,)),
    "log1p": (lambda a: a.log1p(), (0.7,)),
    "expm1": (lambda a: a.expm1(), (0.7,)),
    "log2": (lambda a: a.log2(), (0.7,)),
    "log10": (lambda a: a.log10(), (0.7,)),
    "exp2": (lambda a: a.exp2(), (0.7,)),
    "sign": (lambda a: a.sign(), (-0.7,)),
    "floor": (lambda a: a.floor(), (0.7,)),
    "ceil": (lambda a: a.ceil(), (0.7,)),
    "round": (lambda a: a.round(), (0.7,)),
    "%": (lambda a, b: a % b, (0.7, -1.3)),
    # the two-parent rows of autograd_lite.ops_more (PyTorch's functions of the same names)
    "arctan2": (lambda a, b: a.arctan2(b), (0.7, -1.3)),
    "hypot": (lambda a, b: a.hypot(b), (0.7, -1.3)),
    "logaddexp": (lambda a, b: a.logaddexp(b), (0.7, -1.3)),
    "logaddexp2": (lambda a, b: a.logaddexp2(b), (0.7, -1.3)),
    "fmax": (lambda a, b: a.fmax(b), (0.7, -1.3)),
    "fmin": (lambda a, b: a.fmin(b), (0.7, -1.3)),
}
CASES.update({name: (lambda a, _n=name: getattr(a, _n)(), (row_only_point(name),)) for name in ROW_ONLY})
# where test_local_grads_are_the_rules_on_floats draws x (else from (0.1, 3))
DRAW = {"arcsin": (-0.99, 0.99), "arccos": (-0.99, 0.99), "relu": (-3.0, 3.0), "tanh": (-3.0, 3.0),
        **{name: (low, high) for name, (low, high, _) in ROW_ONLY.items()}}


def test_every_row_has_a_case_and_every_op_string_has_a_row() -> None:
    # a new Value row needs a case here
    assert set(CASES) == {name for name, row in ops.OPS.items() if "Value" in row.kinds}
    for name, (f, xs) in CASES.items():
        out = f(*[Value(x) for x in xs])
        row = ops.op_row(out.op)
        assert row is not None and row.name == name, (name, out.op)
        assert row.arity == len(out.parents) and len(row.rules) == row.arity == len(row.local)


@pytest.mark.parametrize("name", sorted(CASES))
def test_local_grads_are_the_rules_on_floats(name: str) -> None:
    """The hand-bound fast path (+ - * /) and every method compute exactly the table's rules."""
    f, _ = CASES[name]
    row = ops.OPS[name]
    rng = np.random.default_rng(0)
    for _ in range(50):
        xs = [float(v) for v in rng.uniform(*DRAW.get(name, (0.1, 3.0)), row.arity if name != "**n" else 1)]
        out = f(*[Value(x) for x in xs])
        args: List[Any] = [p.data for p in out.parents] + [out.data]
        if row.param:
            args.append(3.5)
        expected = tuple(float(r(*args)) for r in row.rules)
        assert out.local_grads == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivatives_of_every_op(name: str) -> None:
    f, xs = CASES[name]
    assert gradgradcheck(f, *xs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_and_second_derivatives_match_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    f, xs = CASES[name]
    torch_f = {
        "exp": lambda a: a.exp(), "log": lambda a: a.log(), "sqrt": lambda a: a.sqrt(),
        "tanh": lambda a: a.tanh(), "sigmoid": lambda a: a.sigmoid(), "relu": lambda a: a.relu(),
        "sin": lambda a: a.sin(), "cos": lambda a: a.cos(), "abs": lambda a: a.abs(),
        **{op: getattr(torch, op) for op in ("tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "log1p",
                                             "expm1", "log2", "log10", "exp2", "sign", "floor", "ceil",
                                             "round")},
        "%": torch.remainder, "arctan2": torch.atan2, "hypot": torch.hypot, "logaddexp": torch.logaddexp,
        "logaddexp2": torch.logaddexp2, "fmax": torch.fmax, "fmin": torch.fmin,
        **{name: getattr(torch, theirs) for name, (_, _, theirs) in ROW_ONLY.items()},
    }.get(name, f)
    t = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = torch_f(*t)
    g = torch.autograd.grad(out, t, create_graph=True)
    # a gradient without graph is constant: its row of the Hessian is 0
    h = [[float(v) for v in torch.autograd.grad(gi, t, retain_graph=True, allow_unused=True,
                                                 materialize_grads=True)]
         if gi.requires_grad else [0.0] * len(t) for gi in g]
    ours_g = grad(f, argnums=tuple(range(len(xs))))(*xs)
    np.testing.assert_allclose(ours_g, [float(v.detach()) for v in g], rtol=1e-14, atol=0)
    ours_h = hessian(f)(*xs)
    np.testing.assert_allclose(ours_h, h, rtol=1e-13, atol=1e-300)


def test_create_graph_makes_grads_graph_nodes_and_leaves_accumulate() -> None:
    x = Value(3.0, "x")
    y = x * x * x
    y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.data == 27.0 and not g.is_leaf
    y.backward(create_graph=True)  # accumulates: 27 + 27, still a node
    assert isinstance(x.grad, Value) and x.grad.data == 54.0
    x.grad = 0.0
    g.backward()
    assert x.grad == 18.0  # d(3x²)/dx


def test_dezero_step_36_double_backprop() -> None:
    x = Value(2.0, "x")
    y = x ** 2
    y.backward(create_graph=True)
    gx = x.grad
    x.grad = 0.0
    z = gx ** 3 + y
    z.backward()
    assert x.grad == 100.0


def test_newtons_method_with_second_derivatives_from_double_backprop() -> None:
    f = lambda x: x ** 4 - 2 * x ** 2  # noqa: E731
    df, d2f = grad(f), grad(grad(f))
    x, path = 2.0, [2.0]
    for _ in range(10):
        x = x - df(x) / d2f(x)
        path.append(x)
        if abs(df(x)) < 1e-15:
            break
    assert math.isclose(path[1], 1.4545454545454546, rel_tol=1e-15)
    assert len(path) - 1 <= 7 and path[-1] == 1.0


def test_tanh_derivatives_up_to_the_fourth() -> None:
    x0 = 0.4
    t = math.tanh(x0)
    expected = [1 - t ** 2, -2 * t * (1 - t ** 2), -2 * (1 - t ** 2) * (1 - 3 * t ** 2),
                8 * t * (1 - t ** 2) * (2 - 3 * t ** 2)]
    x = Value(x0, "x")
    y = x.tanh()
    got = []
    for _ in range(4):
        x.grad = 0.0
        y.backward(create_graph=True)
        y = x.grad
        got.append(y.data)
        assert topological_order(y)  # each derivative is a graph one can draw
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_grad_of_grad_composes_and_leaves_caller_grads_alone() -> None:
    x = Value(1.5, "x")
    x.grad = 7.0
    f = lambda v: v.sin() * v  # noqa: E731
    first = grad(f)(x)
    assert isinstance(first, Value) and x.grad == 7.0
    assert math.isclose(first.data, math.cos(1.5) * 1.5 + math.sin(1.5), rel_tol=1e-15)
    third = grad(grad(grad(f)))(1.5)
    assert math.isclose(third, -3 * math.sin(1.5) - 1.5 * math.cos(1.5), rel_tol=1e-13)
    assert value_and_grad(f)(0.0) == (0.0, 0.0)
    with pytest.warns(DisconnectedInputWarning, match="does not depend on argument 0"):
        assert grad(lambda a, b: 3.0)(1.0, 2.0) == 0.0  # constant functions have zero gradients


def test_hvp_jvp_jacobians_agree() -> None:
    f = lambda x, y, z: (x * y).tanh() + z ** 2 * x  # noqa: E731
    p = (0.3, -0.8, 1.2)
    H = hessian(f)(*p)
    for v in ([1.0, 0.0, 0.0], [0.5, -2.0, 1.5]):
        value, hv = hvp(f, p, v)
        np.testing.assert_allclose(hv, np.array(H) @ np.array(v), rtol=1e-13, atol=1e-15)
    value, tangent = jvp(f, p, (0.5, -2.0, 1.5))
    g = grad(f, argnums=(0, 1, 2))(*p)
    assert math.isclose(tangent, float(np.dot(g, (0.5, -2.0, 1.5))), rel_tol=1e-13)
    h = lambda x, y: (x * y, x.exp() - y, (x / y).sin())  # noqa: E731
    np.testing.assert_allclose(jacfwd(h)(0.3, 1.7), jacobian(h)(0.3, 1.7), rtol=1e-14)


@st.composite
def scalar_programs(draw: Any) -> Callable[..., Any]:
    steps = [(draw(st.sampled_from(["+", "*", "tanh", "sin", "sigmoid", "exp_small", "-"])),
              draw(st.integers(0, 10)), draw(st.integers(0, 10))) for _ in range(draw(st.integers(1, 8)))]

    def f(x: Any, y: Any) -> Any:
        nodes = [x, y]
        for op, i, j in steps:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            if op in ("+", "*", "-"):
                nodes.append(a + b if op == "+" else (a * b if op == "*" else a - b))
            elif op == "exp_small":
                nodes.append(a.tanh().exp())
            else:
                nodes.append(getattr(a, op)())
        return nodes[-1]

    return f


@pytest.mark.filterwarnings("ignore::autograd_lite.derivatives.DisconnectedInputWarning")  # f may skip x or y
@settings(max_examples=60, deadline=None)
@given(scalar_programs(), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_random_programs_second_order_and_forward_mode(f: Callable[..., Any], x: float, y: float) -> None:
    H = hessian(f)(x, y)
    assert np.allclose(H, np.array(H).T, rtol=1e-10, atol=1e-12)  # mixed partials agree
    assert gradgradcheck(f, x, y, atol=1e-6, rtol=1e-4)
    np.testing.assert_allclose(jacfwd(f)(x, y)[0], list(grad(f, argnums=(0, 1))(x, y)),
                               rtol=1e-12, atol=1e-14)


def test_gradgradcheck_catches_a_wrong_second_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    # A rule that is right on floats (first order) but wrong as a graph (second order).
    row = ops.OPS["tanh"]

    def rule(a: Any, out: Any) -> Any:
        return 1.0 - out * out if not isinstance(out, Value) else 1.0 - out * out * 2.0 + out * out

    monkeypatch.setattr(row.tag, "row", ops.Op(row.name, 1, row.expr, row.local, (rule,)))
    assert gradgradcheck(lambda v: v.tanh(), 0.5)  # 1 - 2t² + t² is the same function: passes
    monkeypatch.setattr(row.tag, "row", ops.Op(row.name, 1, row.expr, row.local,
                                                (lambda a, out: 1.0 - out * out * 2.0,)))
    with pytest.raises(GradcheckError, match=r"second derivatives disagree: ∂²f/∂x0∂x0"):
        gradgradcheck(lambda v: v.tanh(), 0.5)


def test_forward_mode_duals_and_the_work_count() -> None:
    d = Dual(2.0, 1.0)
    r = (d ** 3 - 2 * d).exp() / (1 + d) + 5 ** d
    ref = grad(lambda v: (v ** 3 - 2 * v).exp() / (1 + v) + 5 ** v)(2.0)
    assert math.isclose(r.tangent, ref, rel_tol=1e-14)
    w = work(lambda *xs: sum(x * x for x in xs), *([1.0] * 50))
    assert (w.inputs, w.outputs, w.forward_passes, w.reverse_sweeps) == (50, 1, 50, 1)
    assert w.reverse_ops < w.forward_ops and "cheaper: reverse mode" in str(w)
    wide = work(lambda x: [x * k for k in range(1, 31)], 1.0)  # 1 -> 30: forward wins
    assert wide.forward_ops < wide.reverse_ops and "cheaper: forward mode" in str(wide)
    # the counts read as English: one pass, one sweep; many passes, many sweeps
    assert "1 pass + 1 sweep (one per output)" in str(w) and "50 passes (one per input)" in str(w)
    assert "1 pass (one per input)" in str(wide) and "1 pass + 30 sweeps (one per output)" in str(wide)


def test_a_failing_graph_backward_restores_every_grad(monkeypatch: pytest.MonkeyPatch) -> None:
    x = Value(0.5, "x")
    y = x.sqrt() * 2.0
    x.grad = 4.0

    def broken(a: Any, out: Any) -> Any:
        raise ZeroDivisionError("injected")

    monkeypatch.setattr(ops.OPS["sqrt"].tag, "row", ops.OPS["sqrt"].replace(rules=(broken,)))
    with pytest.raises(ZeroDivisionError, match="injected"):
        y.backward(create_graph=True)
    assert x.grad == 4.0 and y.grad == 0.0


def test_an_infinite_derivative_is_inf_as_graph_too() -> None:
    # sqrt's slope at 0 is +inf: first order and create_graph=True agree (PyTorch: inf too)
    for make in (lambda: Value(0.0, "x"), lambda: Tensor([0.0, 4.0], requires_grad=True)):
        x = make()
        y = (x.sqrt() * 2.0) if isinstance(x, Value) else (x.sqrt() * 2.0).sum()
        y.backward()
        first = np.asarray(x.grad, dtype=float).copy()
        x.grad = 0.0 if isinstance(x, Value) else None
        y.backward(create_graph=True)
        as_graph = np.asarray(x.grad.data, dtype=float)
        np.testing.assert_array_equal(first, as_graph)
        assert np.isinf(first).any()
    # the second derivative through a pole is computed, not refused: d²/dy² 0**y = 0 for y > 0
    assert grad(grad(lambda y: 0.0 ** y))(0.3) == 0.0
    assert grad(grad(lambda y: Tensor(0.0) ** y))(np.array(0.3)) == 0.0


def test_functional_api_refuses_what_it_does_not_cover() -> None:
    from autograd_lite import Tensor
    with pytest.raises(TypeError, match="grad: argument 0 is a Value, the others are arrays or Tensors"):
        grad(lambda v, t: t.sum())(Value(1.0), Tensor([1.0]))
    with pytest.raises(TypeError, match="f must return a Value"):
        grad(lambda v: [v])(1.0)
    with pytest.raises(ValueError, match="argnums 2 is out of range"):
        grad(lambda a, b: a * b, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match="tangents must be a sequence of 2 numbers"):
        jvp(lambda a, b: a * b, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match="create_graph must be True or False"):
        Value(1.0).backward(create_graph="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("module", ["autograd_lite.ops", "autograd_lite.forward", "autograd_lite.derivatives",
                                    "autograd_lite.value_derivatives", "autograd_lite.tensor_derivatives",
                                    "autograd_lite.function", "autograd_lite.tensor.function",
                                    "autograd_lite.checks", "autograd_lite.value",
                                    "autograd_lite.value_protocol", "autograd_lite.engine"])
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_draw_gradient_puts_the_gradient_beside_the_forward_graph() -> None:
    import viz

    x = Value(0.5, "x")
    y = x.tanh()
    y.label = "y"
    y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value)
    g.label = "dy/dx"
    src = viz.draw_gradient(g, y).source
    assert src == viz.draw_gradient(g, y).source  # deterministic
    assert "cluster_f" in src and "cluster_g" in src and "forward pass" in src
    # x and y are in both graphs: highlighted in both and joined by a dotted line each
    assert src.count("style=dotted") == 2
    assert src.count(">x<") == 2 and src.count(">y<") == 2 and src.count(">dy/dx<") == 1
    with pytest.raises(TypeError, match="gradient must be a Value or Tensor, got float"):
        viz.draw_gradient(0.5, y)
    with pytest.raises(TypeError, match="highlight= is set by draw_gradient itself"):
        viz.draw_gradient(g, y, highlight=x)
    z = Value(3.0, "z") * 2  # shares nothing with y: drawn beside it all the same
    assert viz.draw_gradient(z, y).source.count("style=dotted") == 0
