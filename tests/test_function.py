"""``autograd_lite.Function``: a user's op is a row like any built-in.  Oracles: the built-in ops
(themselves checked against hand values, central differences and PyTorch), central differences,
hand values."""

from __future__ import annotations

import math
from typing import Any, Tuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (
    Function,
    Tensor,
    Value,
    engine,
    explain,
    grad,
    gradcheck,
    gradgradcheck,
    hessian,
    jvp,
    no_grad,
)
from autograd_lite.function import Context
from autograd_lite.ops import op_row
from demos import functions as demo
from demos._book_functions import AddLayer, Affine, MulLayer, Relu, SoftmaxWithLoss


class Square(Function):
    """x² with a differentiable backward (works on numbers, arrays and graph nodes)."""

    local = ("2·{a}",)

    @staticmethod
    def forward(ctx: Context, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Context, dout: Any) -> Any:
        (x,) = ctx.saved_values
        return dout * 2.0 * x


class Scale(Function):
    """x·k for a constant k given to apply: the constant is kept as it is."""

    @staticmethod
    def forward(ctx: Context, x: Any, k: float) -> Any:
        ctx.k = k
        ctx.save_for_backward(x)
        return x * k

    @staticmethod
    def backward(ctx: Context, dout: Any) -> Tuple[Any, None]:
        return dout * ctx.k, None


def test_the_apples_graph_from_functions_is_the_builtin_graph_bit_for_bit() -> None:
    ours, leaves = demo.apples("functions")
    theirs, their_leaves = demo.apples("builtin")
    assert ours.data == theirs.data == 715.0000000000001
    assert {k: v.grad for k, v in leaves.items()} == {k: v.grad for k, v in their_leaves.items()}
    assert [round(v.grad, 10) for v in leaves.values()] == [2.2, 110, 3.3, 165, 650]


def test_a_function_node_reads_like_a_builtin_row() -> None:
    a, b = Value(2.0, "a"), Value(3.0, "b")
    c = MulLayer.apply(a, b)
    assert (c.op, c.parents, c.local_grads) == ("MulLayer", (a, b), (3.0, 2.0))
    row = op_row("MulLayer")
    assert row is not None and row.user and row.local == ("{b}", "{a}")
    c.backward()
    text = str(explain(c))
    assert "∂MulLayer(a, b)/∂a = b = 3" in text and "∂MulLayer(a, b)/∂b = a = 2" in text
    x = Tensor(np.ones((2, 3)), label="x")
    W = Tensor(np.ones((3, 2)), requires_grad=True, label="W")
    y = Affine.apply(x, W, Tensor(np.zeros(2), requires_grad=True, label="b")).sum()
    y.backward()
    assert "∂Affine(x, W, b)/∂W: sends xᵀ @ g" in str(explain(y))


def _twin(words: str, slope: float) -> Any:
    """A Function named ``Twin`` with its own words and derivative."""

    class Twin(Function):
        """a scaled copy"""

        local = (words,)

        @staticmethod
        def forward(ctx: Context, x: Any) -> Any:
            return slope * x

        @staticmethod
        def backward(ctx: Context, g: Any) -> Any:
            return slope * g

    return Twin


def test_two_functions_with_one_name_keep_their_own_rows() -> None:
    # each node holds its own row (its op's tag), so a name shared by two classes mixes nothing
    One, Three = _twin("1", 1.0), _twin("3", 3.0)
    x = Value(2.0, "x")
    y, z = One.apply(x), Three.apply(x)
    assert y.op == z.op == "Twin" and op_row(y.op) is One._row and op_row(z.op) is Three._row
    y.backward()
    assert "∂Twin(x)/∂x = 1 " in str(explain(y))
    x.grad = 0.0
    z.backward()
    assert "∂Twin(x)/∂x = 3 " in str(explain(z)) and x.grad == 3.0


def test_tensor_functions_agree_with_the_builtin_ops_and_central_differences() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 3))
    t = rng.integers(0, 2, 4)
    W1, b1, W2, b2 = (Tensor(rng.normal(size=s), requires_grad=True) for s in ((3, 5), (5,), (5, 2), (2,)))
    twins = [Tensor(p.data.copy(), requires_grad=True) for p in (W1, b1, W2, b2)]
    demo.net_loss(x, t, W1, b1, W2, b2).backward()
    demo.builtin_loss(x, t, *twins).backward()
    for p, q in zip((W1, b1, W2, b2), twins):
        np.testing.assert_allclose(p.grad, q.grad, rtol=1e-13, atol=1e-15)
    assert gradcheck(lambda *ps: demo.net_loss(x, t, *ps), *twins, atol=1e-7, rtol=1e-5)


def test_create_graph_through_a_differentiable_backward() -> None:
    assert hessian(lambda a, b: MulLayer.apply(a, b) * a)(2.0, 3.0) == [[6.0, 4.0], [4.0, 0.0]]
    assert hessian(lambda v: Square.apply(Square.apply(v)))(1.5) == [[12 * 1.5 ** 2]]  # (x⁴)'' = 12x²
    assert jvp(lambda v: Scale.apply(v, 3.0) * v, (2.0,), (1.0,)) == (12.0, 12.0)
    rng = np.random.default_rng(2)
    assert gradgradcheck(lambda x, W, b: (Affine.apply(x, W, b).tanh() ** 2).sum(),
                         rng.normal(size=(2, 3)), rng.normal(size=(3, 2)), rng.normal(size=2))
    assert gradgradcheck(lambda x: Relu.apply(x).sum() * x.sum(), rng.normal(size=4))


def test_create_graph_refuses_what_it_cannot_differentiate_naming_the_function() -> None:
    scores = Tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    loss = SoftmaxWithLoss.apply(scores, np.array([1]))
    scores.grad = np.array([[7.0, 7.0, 7.0]])
    with pytest.raises(ValueError, match=r"SoftmaxWithLoss keeps ctx\.layer, a SoftmaxWithLoss object"):
        loss.backward(create_graph=True)
    assert scores.grad.tolist() == [[7.0, 7.0, 7.0]]  # all or nothing

    class Cut(Function):
        @staticmethod
        def forward(ctx: Context, x: float) -> float:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx: Context, dout: Any) -> Any:
            (x,) = ctx.saved_values
            return 2.0 * getattr(x, "data", x) * getattr(dout, "data", dout)  # plain numbers

    x = Value(0.3)
    Cut.apply(x).backward()
    assert x.grad == 2.0 * 0.3
    with pytest.raises(TypeError, match=r"Cut\.backward returned a plain float for input 0, not a graph"):
        hessian(lambda v: Cut.apply(v))(0.3)


def test_a_float_kept_from_forward_is_refused_as_graph_and_an_int_or_mask_is_kept() -> None:
    import math as m

    class Sigmoid(Function):
        @staticmethod
        def forward(ctx: Context, x: float) -> float:
            ctx.e, ctx.k, ctx.mask = m.exp(-x), 2, np.array([True])
            return 1.0 / (1.0 + ctx.e)

        @staticmethod
        def backward(ctx: Context, dout: Any) -> Any:
            return dout * ctx.e / (1.0 + ctx.e) ** 2 * (ctx.k - 1)

    x = Value(0.3)
    Sigmoid.apply(x).backward()
    assert math.isclose(x.grad, Value(0.3).sigmoid().data * (1 - Value(0.3).sigmoid().data), rel_tol=1e-15)
    with pytest.raises(ValueError, match=r"Sigmoid keeps ctx\.e, a value computed in forward"):
        hessian(lambda v: Sigmoid.apply(v))(0.3)


def test_bad_functions_get_clear_errors_and_create_no_node() -> None:
    class Wrong(Function):
        @staticmethod
        def forward(ctx: Context, x: Any, y: Any) -> Any:
            return x + y

        @staticmethod
        def backward(ctx: Context, dout: Any) -> Any:
            return dout  # one gradient for two inputs

    before = engine.next_order()
    with pytest.raises(TypeError, match=r"Wrong\.backward must return 2 gradients .* got float"):
        Wrong.apply(Value(1.0), Value(2.0))
    assert engine.next_order() == before + 3  # the two leaves, the counter read: no node was made
    with pytest.raises(TypeError, match="subclass Function"):
        Function.apply(Value(1.0))
    with pytest.raises(TypeError, match=r"Square\.apply: expected at least one Value or Tensor input"):
        Square.apply(2.0)
    with pytest.raises(TypeError, match="argument 1 is a Tensor, others are Values"):
        MulLayer.apply(Value(1.0), Tensor([1.0]))
    with pytest.raises(TypeError, match="the name is a built-in op's"):
        type("exp", (Function,), {})
    b = Tensor(np.zeros(2), requires_grad=True)
    b.grad = np.array([1.0, 1.0])
    y = _BadBias.apply(Tensor(np.ones((1, 2))), b).sum()
    with pytest.raises(ValueError, match=r"_BadBias\.backward returned a gradient of shape \(3,\) for "
                                         r"input 1 of shape \(2,\)"):
        y.backward()
    assert b.grad.tolist() == [1.0, 1.0]


class _BadBias(Function):
    @staticmethod
    def forward(ctx: Context, x: np.ndarray, b: np.ndarray) -> np.ndarray:
        return x + b

    @staticmethod
    def backward(ctx: Context, dout: Any) -> Any:
        return dout, np.ones(3)  # the wrong shape for b


class _Three(Function):
    @staticmethod
    def forward(ctx: Context, a: Any, b: Any, c: Any) -> Any:
        return a + b + c

    @staticmethod
    def backward(ctx: Context, dout: Any) -> Any:
        return dout, dout, dout


def test_a_failing_backward_changes_no_grad() -> None:
    class Flaky(Function):
        @staticmethod
        def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
            return x * 2.0

        @staticmethod
        def backward(ctx: Context, dout: Any) -> Any:
            raise RuntimeError("injected")

    x = Tensor([1.0, 2.0], requires_grad=True)
    x.grad = np.array([5.0, 5.0])
    y = (Flaky.apply(x) * x).sum()
    with pytest.raises(RuntimeError, match="injected"):
        y.backward()
    assert x.grad.tolist() == [5.0, 5.0] and y.grad is None


def test_teaching_tools_see_function_nodes() -> None:
    viz = pytest.importorskip("viz")
    rng = np.random.default_rng(3)
    x, t = rng.normal(size=(3, 2)), np.array([0, 1, 0])
    params = [Tensor(rng.normal(size=s), requires_grad=True, label=n)
              for n, s in (("W1", (2, 3)), ("b1", (3,)), ("W2", (3, 2)), ("b2", (2,)))]
    loss = demo.net_loss(x, t, *params)
    loss.backward()
    dot = viz.draw(loss, check=True).source
    assert "Affine" in dot and "SoftmaxWithLoss" in dot and "✓" in dot and "✗" not in dot
    ex = viz.plant_bug(loss, seed=0)
    assert ex is not None
    ex.restore()
    a, b = Value(2.0, "a"), Value(3.0, "b")
    price = MulLayer.apply(AddLayer.apply(a, b), b)
    price.backward()
    exercise = viz.plant_bug(price, node=price, parent=1)
    assert price.local_grads == (3.0, -5.0)  # the sign flipped on the MulLayer edge
    assert exercise.answer(price, b).correct and not exercise.answer(price, price.parents[0]).correct
    exercise.restore()
    assert price.local_grads == (3.0, 5.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-3, 3).filter(lambda v: v == 0.0 or abs(v) > 1e-3), min_size=1, max_size=6),
       st.integers(0, 3))
def test_a_function_and_the_builtin_op_give_the_same_grads_to_every_order(xs: list, depth: int) -> None:
    # Square applied `depth + 1` times is x^(2^(depth+1)): the same first and second derivatives
    # as the built-in x*x, on Values and Tensors (inputs whose powers stay normal floats: in the
    # subnormal range (2g)·x and g·x + g·x round differently)
    def ours(v: Any) -> Any:
        for _ in range(depth + 1):
            v = Square.apply(v)
        return v

    def builtin(v: Any) -> Any:
        for _ in range(depth + 1):
            v = v * v
        return v

    arr = np.array(xs)

    np.testing.assert_array_equal(grad(lambda t: ours(t).sum())(arr), grad(lambda t: builtin(t).sum())(arr))
    h1 = hessian(lambda t: ours(t).sum())(arr)
    h2 = hessian(lambda t: builtin(t).sum())(arr)
    np.testing.assert_allclose(h1, h2, rtol=1e-12, atol=1e-300)  # subnormal results lose digits
    v = xs[0]
    assert grad(ours)(v) == grad(builtin)(v)
    assert math.isclose(grad(grad(ours))(v), grad(grad(builtin))(v), rel_tol=1e-12, abs_tol=1e-300) or (
        math.isinf(grad(grad(ours))(v)))


def test_the_demo_runs_and_its_numbers_hold(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    mnist = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
    if not mnist.is_dir():
        pytest.skip(f"the MNIST test set is not at {mnist}")
    assert demo.main(["--fast", "--no-plot", "--no-download", "--data-dir", str(mnist)]) == 0
    out = capsys.readouterr().out
    assert "every gradient bit for bit the built-in one     yes" in out
    assert "joined graph: gradcheck                         passed" in out
    assert "∂²(a²b)/∂a∂b at (2, 3) = 4" in out
    rows = dict(line.strip().split("  ", 1) for line in out.splitlines() if line.startswith("  training: "))
    assert all(float(v) < 1e-12 for v in rows.values())


class _Poly(Function):
    """a·b² + c³·d - e (any number of inputs after the first three is fine too)."""

    local = ("{b}²", "2·{a}·{b}", "3·{c}²·{d}", "{c}³", "-1")

    @staticmethod
    def forward(ctx: Context, a: Any, b: Any, c: Any, d: Any, e: Any) -> Any:
        ctx.save_for_backward(a, b, c, d)
        return a * b * b + c * c * c * d - e

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        a, b, c, d = ctx.saved_values
        return g * b * b, g * 2.0 * a * b, g * 3.0 * c * c * d, g * c * c * c, -g


def _poly_builtin(a: Any, b: Any, c: Any, d: Any, e: Any) -> Any:
    return a * b * b + c * c * c * d - e


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-2, 2).filter(lambda v: v == 0.0 or abs(v) > 1e-3), min_size=5, max_size=5))
def test_a_value_function_of_five_inputs_matches_the_builtin_ops_to_second_order(xs: list) -> None:
    ours = [Value(x, n) for x, n in zip(xs, "abcde")]
    theirs = [Value(x, n) for x, n in zip(xs, "abcde")]
    y, z = _Poly.apply(*ours) * ours[0], _poly_builtin(*theirs) * theirs[0]
    assert y.data == pytest.approx(z.data, rel=1e-12, abs=1e-12)
    node = y.parents[0]
    assert node.parents == tuple(ours) and len(node.local_grads) == 5
    y.backward()
    z.backward()
    for p, q in zip(ours, theirs):
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-12)
    # second order: the Function's backward runs on the nodes (create_graph) for every input
    for i in range(5):
        def f(fn: Any, x: Any, i: int = i) -> Any:
            args = [Value(v) for v in xs]
            args[i] = x
            return fn(*args) * x
        h1 = grad(grad(lambda x: f(_Poly.apply, x)))(xs[i])
        h2 = grad(grad(lambda x: f(_poly_builtin, x)))(xs[i])
        assert h1 == pytest.approx(h2, rel=1e-9, abs=1e-9)


def test_a_value_function_of_three_inputs_is_read_like_a_row() -> None:
    a, b, c = Value(2.0, "a"), Value(3.0, "b"), Value(4.0, "c")
    t = _Three.apply(a, b, c)
    t.label = "t"
    y = t * c
    y.backward()
    assert (a.grad, b.grad, c.grad) == (4.0, 4.0, 13.0)
    text = str(explain(y))
    assert "∂_Three(a, b, c)/∂c" in text and "c = 13" in text
    assert gradcheck(lambda a, b, c: _Three.apply(a, b, c) * c, Value(2.0), Value(3.0), Value(4.0))
    with no_grad():
        leaf = _Three.apply(a, b, c)
    assert leaf.is_leaf and leaf.parents == () and leaf.local_grads == ()
    # a hook on the third input sees what the node sent it
    seen = []
    c.register_hook(lambda g: seen.append(g))
    c.grad = 0.0
    (_Three.apply(a, b, c) * 5.0).backward()
    assert seen == [5.0] and c.grad == 5.0


def test_a_bug_planted_on_a_third_input_is_caught_and_restored() -> None:
    viz = pytest.importorskip("viz")
    a, b, c = Value(2.0, "a"), Value(3.0, "b"), Value(4.0, "c")
    y = _Poly.apply(a, b, c, Value(1.5, "d"), Value(0.5, "e")) * a
    y.backward()
    node = y.parents[0]
    right = node.local_grads
    exercise = viz.plant_bug(y, node=node, parent=2)
    assert node.local_grads[2] == -right[2] and node.local_grads[:2] == right[:2]
    assert exercise.answer(node, c).correct and not exercise.answer(node, b).correct
    exercise.restore()
    assert node.local_grads == right
