"""Every derivative mode composes with every other, on Value functions, array functions and
Tensor functions alike, and keeps the functional API's promises (docs/api.md, "Gradients of
gradients and forward mode"): no silent 0 inside no_grad or through a cut graph, thread safety,
tangents that are nodes stay nodes.  Oracles: torch.func (when installed) and hand values."""

from __future__ import annotations

import math
import threading
import warnings
from typing import Any, Callable, List, Tuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (
    DisconnectedInputWarning,
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
    no_grad,
    value_and_grad,
)


# --------------------------------------------------------------------------- hand values
def test_the_issue_cases() -> None:
    assert jvp(grad(lambda x: x ** 3), (2.0,), (1.0,)) == (12.0, 12.0)  # (3x², 6x)
    assert grad(lambda x: jvp(lambda y: y ** 3, (x,), (1.0,))[1])(2.0) == 12.0
    t = jvp(lambda x: jvp(lambda y: y.sin(), (x,), (1.0,))[1], (0.5,), (1.0,))
    assert t == (math.cos(0.5), -math.sin(0.5))
    # a tangent that is a node stays a node: d/dV Σ jvp(a*a)(X; V) = 2X, d/dX = 2V (PyTorch)
    X, V = Tensor([1.0, 2.0], requires_grad=True), Tensor([0.5, -1.0], requires_grad=True)
    _, tangent = jvp(lambda a: a * a, (X,), (V,))
    tangent.sum().backward()
    assert V.grad.tolist() == [2.0, 4.0] and X.grad.tolist() == [1.0, -2.0]
    x, v = Value(3.0), Value(0.5)
    _, tv = jvp(lambda a: a * a, (x,), (v,))
    tv.backward()
    assert (v.grad, x.grad) == (6.0, 1.0)
    # a seed that is a node, with create_graph=True, stays in the graph too
    x, v = Value(3.0), Value(2.0)
    (x * x).backward(v, create_graph=True)
    g = x.grad
    x.grad = 0.0
    g.backward()
    assert (v.grad, x.grad) == (6.0, 4.0)
    X, V = Tensor([1.0, 2.0], requires_grad=True), Tensor([0.5, -1.0], requires_grad=True)
    (X * X).backward(V, create_graph=True)
    G = X.grad
    X.grad = None
    G.sum().backward()
    assert V.grad.tolist() == [2.0, 4.0] and X.grad.tolist() == [1.0, -2.0]


def test_inside_no_grad_the_derivatives_are_computed_not_zero() -> None:
    f = lambda x: x ** 4 - 2 * x ** 2  # noqa: E731  f' = 4x³ - 4x, f'' = 12x² - 4
    with no_grad():
        assert grad(f)(2.0) == 24.0 and grad(grad(f))(2.0) == 44.0
        assert hessian(f)(2.0) == [[44.0]] and hvp(f, (2.0,), (1.0,)) == (8.0, [44.0])
        assert jacobian(f)(2.0) == [[24.0]] and jacfwd(f)(2.0) == [[24.0]]
        assert jvp(f, (2.0,), (1.0,)) == (8.0, 24.0)
        assert gradgradcheck(f, 2.0)
        with pytest.raises(GradcheckError):  # not vacuous: a wrong second derivative is still caught
            gradgradcheck(lambda x: x * Value(x.data), 2.0)
        np.testing.assert_array_equal(grad(lambda t: (t ** 3).sum())(np.array([1.0, 2.0])), [3.0, 12.0])
        # and no_grad still holds for the caller's own ops afterwards
        assert (Value(2.0) * 3).parents == ()


@pytest.mark.parametrize("cut", [
    lambda x: Value(x.data ** 2),           # .data
    lambda x: x.detach() * 3.0,             # detach()
    lambda x: _under_no_grad(lambda: x * x),  # a graph built inside no_grad
])
def test_a_cut_graph_warns_naming_the_argument(cut: Callable[[Any], Any]) -> None:
    with pytest.warns(DisconnectedInputWarning, match=r"grad: f's result does not depend on argument 0"):
        assert grad(cut)(1.5) == 0.0


def _under_no_grad(f: Callable[[], Any]) -> Any:
    with no_grad():
        return f()


def test_math_functions_cannot_cut_the_graph() -> None:
    with pytest.raises(TypeError, match=r"float\(Value\) would cut the graph"):
        grad(lambda x: math.sin(x))(1.0)
    with pytest.raises(TypeError, match=r"float\(Tensor\) of a tensor that requires grad"):
        grad(lambda t: Tensor(math.exp(t.sum())))(np.array([1.0]))


def test_structurally_zero_derivatives_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DisconnectedInputWarning)
        assert grad(grad(lambda x: 2.0 * x))(1.0) == 0.0
        assert grad(grad(lambda y: 0.0 ** y))(0.3) == 0.0
        assert hessian(lambda x, y: x * y)(1.0, 2.0) == [[0.0, 1.0], [1.0, 0.0]]
        assert grad(lambda x: hvp(lambda y: y * 3.0, (x,), (1.0,))[1][0])(1.0) == 0.0
        assert grad(lambda x: jvp(lambda y: y * 3.0, (x,), (1.0,))[1])(1.0) == 0.0


def test_threads_share_nothing_and_leave_captured_grads_alone() -> None:
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(3, 3)), requires_grad=True)
    W.grad = np.full((3, 3), 7.0)  # preset by the user: must survive every thread

    def loss(x: Any) -> Any:
        return ((W @ x).tanh() ** 2).sum()

    xs = [rng.normal(size=3) for _ in range(8)]
    expected = [grad(loss)(x) for x in xs]
    results: List[Any] = [None] * 8
    barrier = threading.Barrier(8)

    def work(i: int) -> None:
        barrier.wait()
        for _ in range(30):
            g = grad(loss)(xs[i])
            if not np.array_equal(g, expected[i]):
                results[i] = g
                return
        results[i] = "ok"

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"] * 8
    assert W.grad.tolist() == np.full((3, 3), 7.0).tolist()


@pytest.mark.parametrize("bad, error, words", [
    (np.array([1 + 2j, 0]), TypeError, "must hold real numbers, got dtype complex128"),
    (np.array([True, False]), TypeError, "must hold real numbers, got dtype bool"),
    (np.array(["a", "b"]), TypeError, "must hold real numbers"),
    ([None, None], TypeError, "must hold real numbers"),
    (Value(1.0), TypeError, "tangent 0 is a Value"),
    (np.ones(3), ValueError, r"tangent 0 has shape \(3,\), its primal \(2,\)"),
    (np.array([1e300, 0.0]), ValueError, "too large for its primal's dtype float16"),
])
def test_tensor_tangents_are_validated_once_for_every_call(bad: Any, error: type, words: str) -> None:
    x = np.array([0.5, 1.0], np.float16)
    for fn in (jvp, hvp):
        named = "tangent 0 has" in words or "is a Value" in words
        with pytest.raises(error, match=f"{fn.__name__}: {words}" if named else words):
            fn(lambda t: (t * t).sum(), (x,), (bad,))


def test_scalar_tangents_and_checker_arguments_are_validated() -> None:
    for bad, error in ((True, TypeError), ("a", TypeError), (1 + 2j, TypeError), (10 ** 400, OverflowError)):
        with pytest.raises(error, match="jvp: tangent 0"):
            jvp(lambda a: a * a, (1.0,), (bad,))
    for kw in ({"eps": 0.0}, {"eps": float("nan")}, {"atol": float("nan")}, {"rtol": -1.0}):
        with pytest.raises(ValueError, match="gradgradcheck: (eps|atol|rtol) must be a finite number"):
            gradgradcheck(lambda a: a * a, 1.0, **kw)
        with pytest.raises(ValueError, match="gradgradcheck: (eps|atol|rtol) must be a finite number"):
            gradgradcheck(lambda t: (t * t).sum(), np.ones(2), **kw)
    with pytest.raises(TypeError, match="gradgradcheck: eps"):
        gradgradcheck(lambda a: a * a, 1.0, eps="a")
    with pytest.raises(TypeError, match="gradgradcheck: input 0 must hold real numbers, got dtype complex"):
        gradgradcheck(lambda t: (t * t).sum(), np.array([1 + 1j]))
    with pytest.raises(TypeError, match="jacfwd: f needs at least one argument"):
        jacfwd(lambda: Value(1.0))()
    assert jacfwd(lambda t: t * 2.0)(np.zeros(0)).shape == (0, 0)


# --------------------------------------------------------------------------- random programs
OPS = ("+", "*", "-", "sin", "tanh", "exp_tanh")


@st.composite
def programs(draw: Any) -> List[Tuple[str, int, int]]:
    return [(draw(st.sampled_from(OPS)), draw(st.integers(0, 9)), draw(st.integers(0, 9)))
            for _ in range(draw(st.integers(1, 6)))]


def run(program: List[Tuple[str, int, int]], x: Any, y: Any) -> Any:
    """The program on any node type with these methods: Value, Tensor, torch.Tensor."""
    nodes = [x, y]
    for op, i, j in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op == "+":
            nodes.append(a + b)
        elif op == "*":
            nodes.append(a * b)
        elif op == "-":
            nodes.append(a - b)
        elif op == "exp_tanh":
            nodes.append(a.tanh().exp())
        else:
            nodes.append(getattr(a, op)())
    return nodes[-1] * x + y  # every program uses both arguments


@pytest.mark.filterwarnings("ignore::autograd_lite.derivatives.DisconnectedInputWarning")
@settings(max_examples=40, deadline=None)
@given(programs(), st.floats(-1.2, 1.2), st.floats(-1.2, 1.2), st.floats(-2, 2), st.floats(-2, 2))
def test_every_composition_matches_torch_func_on_values(program: Any, x: float, y: float,
                                                        vx: float, vy: float) -> None:
    torch = pytest.importorskip("torch")
    tf = torch.func
    f = lambda a, b: run(program, a, b)  # noqa: E731
    T = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    X, Y, VX, VY = T(x), T(y), T(vx), T(vy)
    g0 = lambda a, b: grad(f)(a, b)  # noqa: E731
    tg0 = tf.grad(f)
    cases = [
        (jvp(g0, (x, y), (vx, vy))[1], tf.jvp(tg0, (X, Y), (VX, VY))[1]),                       # jvp∘grad
        (grad(lambda a, b: jvp(f, (a, b), (vx, vy))[1], argnums=(0, 1))(x, y),                 # grad∘jvp
         tf.grad(lambda a, b: tf.jvp(f, (a, b), (VX, VY))[1], argnums=(0, 1))(X, Y)),
        (jvp(lambda a, b: jvp(f, (a, b), (vx, vy))[1], (x, y), (vy, vx))[1],                    # jvp∘jvp
         tf.jvp(lambda a, b: tf.jvp(f, (a, b), (VX, VY))[1], (X, Y), (VY, VX))[1]),
        (hvp(f, (x, y), (vx, vy))[1], tf.jvp(tf.grad(f, argnums=(0, 1)), (X, Y), (VX, VY))[1]),  # hvp
        (hessian(f)(x, y), tf.hessian(f, argnums=(0, 1))(X, Y)),
        (jacfwd(g0)(x, y), tf.jacfwd(tg0, argnums=(0, 1))(X, Y)),
        (grad(grad(g0))(x, y), tf.grad(tf.grad(tg0))(X, Y)),
    ]
    for ours, theirs in cases:
        np.testing.assert_allclose(np.array(ours, dtype=float).reshape(-1),
                                   np.array([float(t) for t in _flat(theirs)]), rtol=1e-10, atol=1e-12)


def _flat(x: Any) -> List[Any]:
    if isinstance(x, (tuple, list)):
        return [v for item in x for v in _flat(item)]
    return list(x.reshape(-1)) if hasattr(x, "reshape") else [x]


@pytest.mark.filterwarnings("ignore::autograd_lite.derivatives.DisconnectedInputWarning")
@settings(max_examples=25, deadline=None)
@given(programs(), st.integers(0, 2 ** 31 - 1), st.booleans())
def test_every_composition_matches_torch_func_on_arrays_and_tensors(program: Any, seed: int,
                                                                     as_tensors: bool) -> None:
    torch = pytest.importorskip("torch")
    tf = torch.func
    rng = np.random.default_rng(seed)
    x, y, vx, vy = (rng.uniform(-1.2, 1.2, 3) for _ in range(4))
    f = lambda a, b: run(program, a, b).sum()  # noqa: E731
    X, Y, VX, VY = (torch.tensor(v) for v in (x, y, vx, vy))
    args = (Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)) if as_tensors else (x, y)
    g0 = lambda a, b: grad(f)(a, b)  # noqa: E731
    tg0 = tf.grad(f)
    cases = [
        (jvp(g0, args, (vx, vy))[1], tf.jvp(tg0, (X, Y), (VX, VY))[1]),
        (grad(lambda a, b: jvp(f, (a, b), (vx, vy))[1], argnums=(0, 1))(*args),
         tf.grad(lambda a, b: tf.jvp(f, (a, b), (VX, VY))[1], argnums=(0, 1))(X, Y)),
        (jvp(lambda a, b: jvp(f, (a, b), (vx, vy))[1], args, (vy, vx))[1],
         tf.jvp(lambda a, b: tf.jvp(f, (a, b), (VX, VY))[1], (X, Y), (VY, VX))[1]),
        (hvp(f, args, (vx, vy))[1], tf.jvp(tf.grad(f, argnums=(0, 1)), (X, Y), (VX, VY))[1]),
        (hessian(f)(*args), tf.hessian(f, argnums=(0, 1))(X, Y)),
        (jacfwd(g0)(*args), tf.jacfwd(tg0, argnums=(0, 1))(X, Y)),
    ]
    for ours, theirs in cases:
        mine = np.concatenate([np.asarray(o.data if isinstance(o, Tensor) else o, float).reshape(-1)
                               for o in _flat_nodes(ours)])
        np.testing.assert_allclose(mine, np.array([float(t) for t in _flat(theirs)]), rtol=1e-10, atol=1e-12)


def _flat_nodes(x: Any) -> List[Any]:
    if isinstance(x, (tuple, list)):
        return [v for item in x for v in _flat_nodes(item)]
    return [x]


def test_value_and_tensor_paths_agree_on_the_same_inputs() -> None:
    # the same function through Value and through 0-d Tensors: equal first and second derivatives
    f = lambda a, b: (a * b).tanh() + a.exp() * b  # noqa: E731
    p = (0.3, -0.7)
    tp = tuple(np.array(v) for v in p)
    assert value_and_grad(f, argnums=(0, 1))(*p)[1] == tuple(float(g) for g in grad(f, argnums=(0, 1))(*tp))
    np.testing.assert_array_equal(np.array(hessian(f)(*p)), np.array(hessian(f)(*tp), dtype=float))
    np.testing.assert_array_equal(jvp(f, p, (1.0, 2.0))[1], jvp(f, tp, (np.array(1.0), np.array(2.0)))[1])


def test_argnums_and_duals_are_refused_or_compared_clearly() -> None:
    from autograd_lite.forward import Dual

    with pytest.raises(ValueError, match=r"grad: argnums 2 is out of range: f was given 2 arguments"):
        grad(lambda a, b: a * b, argnums=2)(1.0, 2.0)
    with pytest.raises(TypeError, match="grad: argnums must be an int or a non-empty tuple of ints, got Tr"):
        grad(lambda a, b: a * b, argnums=True)(1.0, 2.0)
    with pytest.raises(TypeError, match="grad: argument 1: expected a number"):
        grad(lambda a, b: a * b)(1.0, True)
    assert grad(lambda a, b: a * b, argnums=-1)(1.0, 2.0) == 1.0
    d = Dual(1.0, 1.0)
    with pytest.raises(TypeError, match="Dual: truth value is ambiguous"):
        bool(d)
    assert d > 0 and d <= Dual(1.0) and not d < 1.0 and d >= 0.5


HOSTILE = st.one_of(
    st.just(None), st.booleans(), st.text(max_size=3), st.complex_numbers(allow_nan=False, max_magnitude=10),
    st.just(10 ** 400), st.just(float("nan")), st.just(float("inf")), st.just(object()),
    st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), max_size=4),
    st.just(Value(1.0)), st.just(np.array([1 + 1j, 0])), st.just(np.array(["a", "b"])),
    st.just(np.array([True, False])), st.just(np.ones((2, 2))), st.just(np.array([1e300, 0.0])),
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["jvp", "hvp", "grad", "gradgradcheck", "jacfwd"]), st.booleans(), HOSTILE)
def test_hostile_arguments_get_a_clear_error_or_a_right_answer(fn: str, tensors: bool, bad: Any) -> None:
    """Random hostile tangents, points and tolerances: a right derivative, or a TypeError /
    ValueError / OverflowError naming the function; a captured parameter's grad never changes."""
    W = Tensor([0.5, -1.5], requires_grad=True)
    W.grad = np.array([7.0, 7.0])
    x0 = np.array([0.3, 0.2], np.float16) if tensors else 0.3
    f = (lambda t: (t * W).sum() * t.sum()) if tensors else (lambda v: v * v * v)
    calls = {
        "jvp": lambda: jvp(f, (x0,), (bad,)),
        "hvp": lambda: hvp(f, (x0,), (bad,)),
        "grad": lambda: grad(f)(bad),
        "gradgradcheck": lambda: gradgradcheck(f, x0, eps=bad),
        "jacfwd": lambda: jacfwd(f)(bad),
    }
    try:
        result = calls[fn]()
    except (TypeError, ValueError, OverflowError) as e:
        assert fn in str(e) or "gradcheck" in str(e) or "Tensor" in str(e), str(e)
    else:
        # accepted: then it was a real number (or array) of the right kind, and the answer is right
        number = bad.data if isinstance(bad, Value) else bad  # a Value: a node, differentiated at its data
        if fn == "grad" and not tensors:
            g = result.data if isinstance(result, Value) else result
            assert g == 3 * float(number) ** 2 or math.isnan(g)
        elif fn == "jvp" and not tensors:
            t = result[1].data if isinstance(result[1], Value) else result[1]
            assert math.isclose(t, 3 * 0.3 ** 2 * float(number), rel_tol=1e-12) or not math.isfinite(number)
    assert W.grad.tolist() == [7.0, 7.0]
