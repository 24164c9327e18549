"""Tensor: rules run twice (arrays and Tensors), create_graph, the functional API, numpy dispatch."""

from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (
    Tensor,
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
from autograd_lite import (
    functional as F,
)
from autograd_lite.derivatives import DisconnectedInputWarning
from autograd_lite.engine import topological_order

RNG = np.random.default_rng(7)


def _torch() -> Any:
    import torch  # only the torch tests call it, after importorskip

    return torch


def _pos(*shape: int) -> np.ndarray:
    return RNG.uniform(0.5, 2.0, shape)


def _any(*shape: int) -> np.ndarray:
    return RNG.uniform(-1.5, 1.5, shape)


# One differentiable function per Tensor row (with inputs inside the domain), for the checks
# below: first and second derivatives against central differences and PyTorch.
CASES: Dict[str, Tuple[Callable[..., Any], Tuple[np.ndarray, ...], Callable[..., Any]]] = {
    "+": (lambda a, b: a + b, (_any(2, 3), _any(3)), lambda a, b: a + b),
    "-": (lambda a, b: a - b, (_any(2, 3), _any(2, 1)), lambda a, b: a - b),
    "*": (lambda a, b: a * b, (_any(2, 3), _any(3)), lambda a, b: a * b),
    "/": (lambda a, b: a / b, (_any(2, 3), _pos(3)), lambda a, b: a / b),
    "**": (lambda a, b: a ** b, (_pos(3), _any(3)), lambda a, b: a ** b),
    "**n": (lambda a: a ** 3.5, (_pos(4),), lambda a: a ** 3.5),
    "neg": (lambda a: -a, (_any(3),), lambda a: -a),
    "@": (lambda a, b: a @ b, (_any(2, 3), _any(3, 4)), lambda a, b: a @ b),
    "exp": (lambda a: a.exp(), (_any(4),), lambda a: a.exp()),
    "log": (lambda a: a.log(), (_pos(4),), lambda a: a.log()),
    "sqrt": (lambda a: a.sqrt(), (_pos(4),), lambda a: a.sqrt()),
    "abs": (lambda a: a.abs(), (_pos(4) * np.array([1, -1, 1, -1]),), lambda a: a.abs()),
    "tanh": (lambda a: a.tanh(), (_any(4),), lambda a: a.tanh()),
    "sigmoid": (lambda a: a.sigmoid(), (_any(4),), lambda a: a.sigmoid()),
    "relu": (lambda a: a.relu() * a, (_pos(4) * np.array([1, -1, 1, -1]),), lambda a: a.relu() * a),
    "sin": (lambda a: a.sin(), (_any(4),), lambda a: a.sin()),
    "cos": (lambda a: a.cos(), (_any(4),), lambda a: a.cos()),
    "clip": (lambda a: a.clip(-1.0, 1.0) * a, (np.array([-1.4, -0.3, 0.2, 1.3]),),
             lambda a: a.clip(-1.0, 1.0) * a),
    "sum": (lambda a: a.sum(axis=1) ** 2, (_any(2, 3),), lambda a: a.sum(dim=1) ** 2),
    "mean": (lambda a: a.mean(axis=0) ** 2, (_any(2, 3),), lambda a: a.mean(dim=0) ** 2),
    "max": (lambda a: a.max(axis=1) ** 2, (_any(2, 3),), lambda a: a.amax(dim=1) ** 2),
    "min": (lambda a: a.min(axis=0) ** 2, (_any(2, 3),), lambda a: a.amin(dim=0) ** 2),
    "var": (lambda a: a.var(axis=1, ddof=1), (_any(2, 4),), lambda a: a.var(dim=1, correction=1)),
    "reshape": (lambda a: a.reshape(3, 2) ** 2, (_any(2, 3),), lambda a: a.reshape(3, 2) ** 2),
    "transpose": (lambda a: a.T @ a, (_any(2, 3),), lambda a: a.T @ a),
    "getitem": (lambda a: a[np.array([0, 0, 2])] ** 2, (_any(3),), lambda a: a[[0, 0, 2]] ** 2),
    "astype": (lambda a: a.astype(np.float32).astype(np.float64) ** 2, (_any(3),),
               lambda a: a.float().double() ** 2),
    "broadcast_to": (lambda a: a.broadcast_to(2, 3) ** 2, (_any(3),), lambda a: a.broadcast_to(2, 3) ** 2),
    "sum_to": (lambda a: a.sum_to(1, 3) ** 2, (_any(2, 3),), lambda a: a.sum(dim=0, keepdim=True) ** 2),
    "softmax": (lambda a: F.softmax(a, axis=1) ** 2, (_any(2, 3),), lambda a: a.softmax(dim=1) ** 2),
    "log_softmax": (lambda a: F.log_softmax(a, axis=1) ** 2, (_any(2, 3),),
                    lambda a: a.log_softmax(dim=1) ** 2),
    "cross_entropy": (lambda a: F.cross_entropy(a, np.array([2, 0])), (_any(2, 3),),
                      lambda a: _torch().nn.functional.cross_entropy(a, _torch().tensor([2, 0]))),
    "mse_loss": (lambda a, b: F.mse_loss(a, b), (_any(2, 3), _any(2, 3)),
                 lambda a, b: _torch().nn.functional.mse_loss(a, b)),
    "concatenate": (lambda a, b: F.concatenate([a, b], axis=0) ** 3, (_any(2, 3), _any(1, 3)),
                    lambda a, b: _torch().cat([a, b], dim=0) ** 3),
    "stack": (lambda a, b: F.stack([a, b], axis=1) ** 3, (_any(3), _any(3)),
              lambda a, b: _torch().stack([a, b], dim=1) ** 3),
    "where": (lambda a, b: F.where(np.array([True, False, True]), a, b) ** 3, (_any(3), _any(3)),
              lambda a, b: _torch().where(_torch().tensor([True, False, True]), a, b) ** 3),
    "maximum": (lambda a, b: F.maximum(a, b) ** 3, (_any(4), _any(4)),
                lambda a, b: _torch().maximum(a, b) ** 3),
    "minimum": (lambda a, b: F.minimum(a, b) ** 3, (_any(4), _any(4)),
                lambda a, b: _torch().minimum(a, b) ** 3),
}
# The activations and losses of PyTorch (autograd_lite.activation, .losses, .losses_binary); their
# kinks, options and edge values are in tests/test_losses_activations.py.
_SIGNS = np.array([1.0, -1.0, 1.0, -1.0])
_LABELS = np.array([2, 0])
CASES.update({
    "erf": (lambda a: F.erf(a), (_any(4),), lambda a: _torch().erf(a)),
    "erfc": (lambda a: F.erfc(a), (_any(4),), lambda a: _torch().erfc(a)),
    "gelu": (lambda a: F.gelu(a), (2 * _any(5),), lambda a: _torch().nn.functional.gelu(a)),
    "silu": (lambda a: F.silu(a), (2 * _any(5),), lambda a: _torch().nn.functional.silu(a)),
    "softplus": (lambda a: F.softplus(a, beta=1.5), (2 * _any(5),),
                 lambda a: _torch().nn.functional.softplus(a, beta=1.5)),
    "leaky_relu": (lambda a: F.leaky_relu(a, 0.2) * a, (_pos(4) * _SIGNS,),
                   lambda a: _torch().nn.functional.leaky_relu(a, 0.2) * a),
    "elu": (lambda a: F.elu(a, 0.7), (_pos(4) * _SIGNS,), lambda a: _torch().nn.functional.elu(a, 0.7)),
    "selu": (lambda a: F.selu(a), (_pos(4) * _SIGNS,), lambda a: _torch().nn.functional.selu(a)),
    "hardtanh": (lambda a: F.hardtanh(a, -0.8, 1.2) * a, (np.array([-1.4, -0.3, 0.2, 1.3]),),
                 lambda a: _torch().nn.functional.hardtanh(a, -0.8, 1.2) * a),
    "softsign": (lambda a: F.softsign(a), (2 * _any(5),), lambda a: _torch().nn.functional.softsign(a)),
    "mish": (lambda a: F.mish(a), (2 * _any(5),), lambda a: _torch().nn.functional.mish(a)),
    "logsumexp": (lambda a: F.logsumexp(a, axis=1), (_any(2, 3),), lambda a: _torch().logsumexp(a, dim=1)),
    "nll_loss": (lambda a: F.nll_loss(a, _LABELS, reduction="none") ** 2, (_any(2, 3),),
                 lambda a: _torch().nn.functional.nll_loss(a, _torch().tensor(_LABELS),
                                                           reduction="none") ** 2),
    "binary_cross_entropy": (lambda a, b: F.binary_cross_entropy(a, b), (RNG.uniform(0.1, 0.9, (2, 3)),
                             RNG.uniform(0.0, 1.0, (2, 3))),
                             # PyTorch's own second derivative adds 1e-12 to p and 1 - p (off by
                             # ~1e-11): its autograd of the formula is the oracle here
                             lambda a, b: -(b * a.log() + (1 - b) * (-a).log1p()).mean()),
    "binary_cross_entropy_with_logits": (
        lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=np.array([0.5, 2.0, 3.0])),
        (2 * _any(2, 3), RNG.uniform(0.0, 1.0, (2, 3))),
        lambda a, b: _torch().nn.functional.binary_cross_entropy_with_logits(
            a, b, pos_weight=_torch().tensor([0.5, 2.0, 3.0]))),
    "huber_loss": (lambda a, b: F.huber_loss(a, b, delta=0.8), (2 * _any(2, 3), _any(2, 3)),
                   lambda a, b: _torch().nn.functional.huber_loss(a, b, delta=0.8)),
    "smooth_l1_loss": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.7), (2 * _any(2, 3), _any(2, 3)),
                       lambda a, b: _torch().nn.functional.smooth_l1_loss(a, b, beta=0.7)),
})
# Rows checked elsewhere: scatter only appears inside getitem's gradient graph (checked through
# it here); the convolution ops have their own first- and second-derivative tests against torch.
INTERNAL = {"scatter": "getitem", "im2col": "tests/test_conv.py", "col2im": "tests/test_conv.py",
            "window_max": "tests/test_conv.py (max_pool2d)", "pad2d": "tests/test_conv_more.py",
            "windows": "tests/test_conv_more.py", "pool_max": "tests/test_conv_more.py"}


def tensor_rows() -> set:
    return {name for name, row in ops.OPS.items() if "Tensor" in row.kinds}


def test_every_tensor_row_has_a_case_here_or_in_the_new_ops_tests() -> None:
    from test_ops_more import CASES as most  # what PyTorch users and HIPS's tests reach for
    from test_tensor_ops import CASES as more  # the numpy set a learner reaches for
    missing = tensor_rows() - set(CASES) - set(INTERNAL) - set(more) - set(most)
    assert not missing, f"Tensor rows without a first- and second-derivative case: {sorted(missing)}"


def test_every_op_string_a_case_makes_has_a_row() -> None:
    for name, (f, xs, _) in CASES.items():
        ts = [Tensor(x, requires_grad=True) for x in xs]
        out = f(*ts)
        for node in topological_order(out):
            assert ops.op_row(node.op) is not None, (name, node.op)


def _scalar(f: Callable[..., Any], v: np.ndarray) -> Callable[..., Any]:
    """f's output dotted with a fixed random array: a scalar function with every element in play."""
    return lambda *ts: (f(*ts) * Tensor(v)).sum()


@pytest.mark.parametrize("name", sorted(set(CASES) - {"astype"}))  # float32 rounding swamps eps=1e-6
def test_second_derivatives_of_every_row_against_central_differences(name: str) -> None:
    f, xs, _ = CASES[name]
    shape = f(*[Tensor(x) for x in xs]).shape
    v = RNG.uniform(0.5, 1.5, shape)
    assert gradgradcheck(_scalar(f, v), *xs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_and_second_derivatives_of_every_row_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    f, xs, tf = CASES[name]
    shape = f(*[Tensor(x) for x in xs]).shape
    v = np.random.default_rng(1).uniform(0.5, 1.5, shape)
    w = [np.random.default_rng(2 + i).uniform(-1, 1, x.shape) for i, x in enumerate(xs)]
    # ours: gradient with create_graph, then the gradient of <gradient, w>
    ts = [Tensor(x, requires_grad=True) for x in xs]
    loss = _scalar(f, v)(*ts)
    loss.backward(create_graph=True)
    first = [t.grad for t in ts]
    assert all(isinstance(g, Tensor) for g in first)
    dot = sum(((g * Tensor(wi)).sum() for g, wi in zip(first, w)), Tensor(0.0))
    for t in ts:
        t.grad = None
    if dot.requires_grad:  # else the op is linear: its second derivatives are 0
        dot.backward()
    second = [np.zeros(t.shape) if t.grad is None else t.grad for t in ts]
    # torch
    tt = [torch.tensor(x, requires_grad=True) for x in xs]
    tloss = (tf(*tt) * torch.tensor(v)).sum()
    tfirst = torch.autograd.grad(tloss, tt, create_graph=True)
    tdot = sum((g * torch.tensor(wi)).sum() for g, wi in zip(tfirst, w))
    tsecond = torch.autograd.grad(tdot, tt, allow_unused=True) if tdot.requires_grad else [None] * len(tt)
    for ours, theirs in zip(first, tfirst):
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    for ours, theirs in zip(second, tsecond):
        expected = np.zeros(ours.shape) if theirs is None else theirs.numpy(force=True)
        np.testing.assert_allclose(np.asarray(ours), expected, rtol=1e-11, atol=1e-12)


def test_create_graph_grads_are_tensors_and_leaves_still_accumulate() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward()
    assert type(x.grad) is np.ndarray and x.grad.tolist() == [3.0, 12.0]
    (x ** 3).sum().backward(create_graph=True)  # accumulates: 2 · 3x²
    assert isinstance(x.grad, Tensor) and x.grad.tolist() == [6.0, 24.0]
    g = x.grad
    x.grad = None
    g.sum().backward()  # g = 3x² (a constant from the first call) + 3x²: d/dx Σ g = 6x
    assert x.grad.tolist() == [6.0, 12.0]


def test_create_graph_failure_restores_every_grad() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.grad = np.array([5.0, 5.0])
    y = (x.exp() * x).sum()
    node = y._a
    right = node._vjp
    node._vjp = lambda *args: (_ for _ in ()).throw(RuntimeError("injected"))
    with pytest.raises(RuntimeError, match="injected"):
        y.backward(create_graph=True)
    node._vjp = right
    assert type(x.grad) is np.ndarray and x.grad.tolist() == [5.0, 5.0]
    assert y.grad is None


def test_numpy_functions_build_the_same_graph_as_the_methods() -> None:
    x = Tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
    pairs = [(np.exp(x), x.exp()), (np.sum(x, axis=0), x.sum(axis=0)), (np.tanh(x), x.tanh()),
             (np.mean(x), x.mean()), (np.transpose(x), x.T), (np.reshape(x, (4,)), x.reshape(4)),
             (np.ones(2) + x, x + 1.0), (2.0 * x, x * 2.0), (np.float64(3.0) - x, 3.0 - x),
             (np.matmul(x, x), x @ x), (np.maximum(x, 0.0), F.maximum(x, 0.0)),
             (np.where(x.data > 0, x, 0.0), F.where(x.data > 0, x, 0.0)), (np.abs(x), abs(x)),
             (np.sqrt(x * x), (x * x).sqrt()), (np.swapaxes(x, 0, 1), x.T), (np.broadcast_to(x[0], (3, 2)),
                                                                              x[0].broadcast_to(3, 2))]
    for via_numpy, via_method in pairs:
        assert isinstance(via_numpy, Tensor), via_numpy
        assert via_numpy.op == via_method.op and np.array_equal(via_numpy.data, via_method.data)
    (np.exp(x) * np.sin(x)).sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(x.data) * (np.sin(x.data) + np.cos(x.data)), rtol=1e-15)


def test_numpy_functions_without_a_tensor_op_are_refused_or_plain() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="numpy.nancumprod: autograd_lite has no differentiable version"):
        np.nancumprod(x)
    assert np.shape(x) == (2,) and np.allclose(x, [1.0, 2.0])  # nothing to differentiate
    assert (np.greater(x, 1.5) == [False, True]).all()
    assert np.nancumprod(Tensor([1.0, 2.0])).tolist() == [1.0, 2.0]  # no grad wanted: plain numpy
    with pytest.raises(TypeError, match="dtype= and out= are not supported"):
        np.sum(x, dtype=np.float32)


def test_functional_api_on_arrays_and_tensors() -> None:
    torch = pytest.importorskip("torch")
    x = np.array([0.3, -0.7, 1.1])
    v = np.array([1.0, 2.0, -1.0])
    f = lambda t: (t.sin() * t.exp()).sum() + (t ** 3).mean()  # noqa: E731
    tf = lambda t: (t.sin() * t.exp()).sum() + (t ** 3).mean()  # noqa: E731
    tx, tv = torch.tensor(x), torch.tensor(v)
    g = grad(f)(x)
    assert type(g) is np.ndarray
    np.testing.assert_allclose(g, torch.func.grad(tf)(tx).numpy(), rtol=1e-14)
    value, g2 = value_and_grad(f)(x)
    np.testing.assert_allclose(value, tf(tx).item(), rtol=1e-15)
    np.testing.assert_array_equal(g, g2)
    np.testing.assert_allclose(hessian(f)(x), torch.autograd.functional.hessian(tf, tx).numpy(), rtol=1e-13)
    out, hv = hvp(f, (x,), (v,))
    np.testing.assert_allclose(hv[0], torch.autograd.functional.hvp(tf, tx, tv)[1].numpy(), rtol=1e-13)
    h = lambda t: t.tanh() * t  # noqa: E731
    out, jv = jvp(h, (x,), (v,))
    tjv = torch.func.jvp(lambda t: t.tanh() * t, (tx,), (tv,))[1]
    np.testing.assert_allclose(jv, tjv.numpy(), rtol=1e-14)
    jt = torch.autograd.functional.jacobian(lambda t: t.tanh() * t, tx).numpy()
    np.testing.assert_allclose(jacobian(h)(x), jt, rtol=1e-14)
    np.testing.assert_allclose(jacfwd(h)(x), jt, rtol=1e-14)
    # Tensors in: graph out, so grad(grad(f)) composes (d²/dx² Σ x⁴ = 12x²)
    xt = Tensor(x, requires_grad=True)
    inner = grad(lambda t: (t ** 4).sum())(xt)
    assert isinstance(inner, Tensor) and inner.requires_grad
    np.testing.assert_allclose(grad(lambda t: grad(lambda s: (s ** 4).sum())(t).sum())(x), 12 * x ** 2,
                               rtol=1e-14)
    assert xt.grad is None  # the functional API leaves .grad alone


def test_jacobian_shapes_for_several_inputs_and_outputs() -> None:
    a, b = np.array([1.0, 2.0]), np.array([[1.0, -1.0, 0.5]])
    J = jacobian(lambda x, y: (x.reshape(2, 1) * y, (x * x).sum()))(a, b)
    assert J[0][0].shape == (2, 3, 2) and J[0][1].shape == (2, 3, 1, 3)
    assert J[1][0].shape == (2,) and J[1][1].shape == (1, 3)
    np.testing.assert_array_equal(J[1][0], 2 * a)
    np.testing.assert_array_equal(J[0][1][:, :, 0, :], np.stack([a[0] * np.eye(3), a[1] * np.eye(3)]))
    H = hessian(lambda x, y: (x.reshape(2, 1) * y).sum() ** 2)(a, b)
    assert H[0][0].shape == (2, 2) and H[0][1].shape == (2, 1, 3) and H[1][1].shape == (1, 3, 1, 3)


def test_small_network_hessian_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    X, W1, W2 = rng.normal(size=(6, 3)), rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    labels = np.array([0, 1, 1, 0, 1, 0])

    def loss(w1: Tensor, w2: Tensor) -> Tensor:
        return F.cross_entropy((Tensor(X) @ w1).tanh() @ w2, labels)

    def tloss(w1: Any, w2: Any) -> Any:
        return torch.nn.functional.cross_entropy((torch.tensor(X) @ w1).tanh() @ w2, torch.tensor(labels))

    ours = hessian(loss)(W1, W2)
    theirs = torch.autograd.functional.hessian(tloss, (torch.tensor(W1), torch.tensor(W2)))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(ours[i][j], theirs[i][j].numpy(), rtol=1e-11, atol=1e-13)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_hvp_equals_hessian_times_vector(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, v = rng.uniform(-1, 1, (n, m)), rng.uniform(-1, 1, (n, m))
    f = lambda t: ((t @ t.T).tanh().sum() + (t.sin() * t).mean())  # noqa: E731
    H = hessian(f)(x).reshape(n * m, n * m)
    _, hv = hvp(f, (x,), (v,))
    np.testing.assert_allclose(hv[0].reshape(-1), H @ v.reshape(-1), rtol=1e-10, atol=1e-12)
    _, jv = jvp(grad(f), (x,), (v,))  # forward over reverse: the same product
    np.testing.assert_allclose(jv, hv[0], rtol=1e-10, atol=1e-12)


def test_tensor_functional_errors_name_the_function() -> None:
    with pytest.raises(ValueError, match="grad: f must return one number"):
        grad(lambda t: t * 2.0)(np.ones(3))
    with pytest.raises(ValueError, match="hvp: tangent 0 has shape"):
        hvp(lambda t: t.sum(), (np.ones(3),), (np.ones(2),))
    with pytest.raises(TypeError, match="jacobian: f must return a Tensor"):
        jacobian(lambda t: "3")(np.ones(2))
    # a constant function: zeros and a warning naming the argument, as on the Value path
    with pytest.warns(DisconnectedInputWarning, match="does not depend on argument 0"):
        assert jacobian(lambda t: 3.0)(np.ones(2)).tolist() == [0.0, 0.0]
    with pytest.warns(DisconnectedInputWarning, match="does not depend on argument 0"):
        assert grad(lambda v: 3.0)(1.0) == 0.0
    with pytest.raises(ValueError, match="gradgradcheck: the inputs have 500 elements"):
        gradgradcheck(lambda t: t.sum(), np.ones(500))
    with pytest.raises(TypeError, match="create_graph must be True or False"):
        Tensor([1.0], requires_grad=True).sum().backward(create_graph="yes")  # type: ignore[arg-type]


def test_the_functional_api_keeps_a_float32_graph_in_float32() -> None:
    # the seed the functional API passes is float64 ones: the graph's own dtype must win, so
    # grad() gives bit for bit what backward() gives, and every intermediate grad stays float32
    rng = np.random.default_rng(3)
    x = Tensor(rng.uniform(-1, 1, (4, 3)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.uniform(-1, 1, (3,)).astype(np.float32))

    def f(t: Tensor) -> Tensor:
        return ((t * w).tanh() * 3.1).sum()

    g = grad(f)(x)
    out = f(x)
    out.backward()
    assert g.dtype == np.float32 and x.grad.dtype == np.float32
    assert g.data.tobytes() == x.grad.tobytes()
    v = Tensor(np.ones((4, 3), np.float32))
    hv = hvp(f, (x,), (v,))[1][0]
    # H·v from the graph of the gradient: the same float32 arithmetic as a second backward
    gx = grad(f)(x)
    dot = (gx * v).sum()
    x.grad = None
    dot.backward()
    assert hv.data.dtype == np.float32 and hv.data.tobytes() == x.grad.tobytes()
    assert np.asarray(jacobian(lambda t: (t * w).tanh())(x.data)).dtype == np.float32


@pytest.mark.parametrize("fn", [hvp, jvp])
def test_primals_that_are_not_a_tuple_get_a_clear_error(fn: Any) -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    for bad in (x, np.ones(3), 2.0):
        with pytest.raises(TypeError, match=rf"{fn.__name__}: primals must be a tuple .*\(x,\)"):
            fn(lambda t: (t * t).sum(), bad, (np.ones(3),))
