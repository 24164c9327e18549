"""register_hook on Value and Tensor (autograd_lite.hooks) and backward(retain_graph=...): what a hook
sees and what its result changes (hand values and PyTorch's hooks on the same graphs), several hooks,
removal, create_graph=True, the functional API, and all or nothing when a hook fails."""

from __future__ import annotations

import gc
from typing import Any, List

import numpy as np
import pytest

from autograd_lite import Tensor, Value, grad, hooks


def test_an_intermediate_hook_sees_the_whole_gradient_and_its_result_flows_on() -> None:
    x = Value(3.0)
    y = x * x
    z = y + y  # y used twice: its gradient is 2
    seen: List[float] = []
    y.register_hook(lambda g: seen.append(g))
    z.backward()
    assert seen == [2.0] and x.grad == 12.0
    h = y.register_hook(lambda g: g * 10)
    x.grad = 0.0
    z.backward()
    assert seen == [2.0, 2.0] and y.grad == 20.0 and x.grad == 120.0  # dz/dx through y: 20 · 2x
    h.remove()
    h.remove()  # a second remove changes nothing
    x.grad = 0.0
    z.backward()
    assert x.grad == 12.0


def test_a_leaf_hook_sees_this_pass_and_its_result_is_added() -> None:
    x = Value(3.0)
    seen: List[float] = []
    x.register_hook(lambda g: seen.append(g) or g + 1)
    (x * x).backward()
    (x * x).backward()
    assert seen == [6.0, 6.0] and x.grad == 14.0  # (6 + 1) twice


def test_hooks_run_in_order_each_on_the_last_result_and_come_off() -> None:
    x = Value(2.0)
    y = x.exp()
    calls: List[str] = []
    y.register_hook(lambda g: calls.append("a") or g * 2)
    with y.register_hook(lambda g: calls.append("b") or g + 1):
        y.backward()
    assert calls == ["a", "b"] and y.grad == 3.0 and x.grad == 3.0 * y.data
    y.backward()  # the second hook came off with its `with` block
    assert calls == ["a", "b", "a"]


def _tensor_graph(lib: Any, x: Any, w: Any, hook_y: Any, hook_x: Any) -> Any:
    y = (x * w).tanh()
    y.register_hook(hook_y)
    x.register_hook(hook_x)
    return (y * y).sum() + (y * x).sum()


def test_tensor_hooks_give_pytorchs_gradients() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    xs, ws = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 3)
    scale = rng.uniform(0.5, 2.0, (2, 3))
    x, w = Tensor(xs, requires_grad=True), Tensor(ws, requires_grad=True)
    out = _tensor_graph(None, x, w, lambda g: g * scale, lambda g: g - 1.0)
    out.backward()
    out.backward()  # a second pass: the leaf hook runs again on that pass's gradient
    tx, tw = torch.tensor(xs, requires_grad=True), torch.tensor(ws, requires_grad=True)
    tout = _tensor_graph(torch, tx, tw, lambda g: g * torch.tensor(scale), lambda g: g - 1.0)
    tout.backward(retain_graph=True)
    tout.backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-14)
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-14)


def test_hooks_with_create_graph_are_differentiated_along() -> None:
    torch = pytest.importorskip("torch")
    xs = np.array([0.3, -0.8, 1.1])
    x = Tensor(xs, requires_grad=True)
    y = x.sin()
    y.register_hook(lambda g: g * y)  # a hook whose result depends on x (a graph node)
    (y * y).sum().backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Tensor) and g.requires_grad
    x.grad = None
    g.sum().backward()
    tx = torch.tensor(xs, requires_grad=True)
    ty = tx.sin()
    ty.register_hook(lambda gg: gg * ty)
    tg, = torch.autograd.grad((ty * ty).sum(), tx, create_graph=True)
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-14)
    th, = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(x.grad, th.numpy(), rtol=1e-13)
    v = Value(0.5)
    u = v * v
    u.register_hook(lambda gg: gg * u)
    (u + 0.0).backward(create_graph=True)
    first = v.grad
    assert isinstance(first, Value) and first.data == 2 * 0.5 * 0.25  # g·u·2v
    v.grad = 0.0
    first.backward()  # u's hook runs in this pass too (u is in first's graph), as in PyTorch
    tv = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    tu = tv * tv
    tu.register_hook(lambda gg: gg * tu)
    tfirst, = torch.autograd.grad(tu + 0.0, tv, create_graph=True)
    tsecond, = torch.autograd.grad(tfirst, tv)
    assert v.grad == pytest.approx(float(tsecond), rel=1e-15)


def test_the_functional_api_runs_the_hooks_it_meets() -> None:
    def f(x: Value) -> Value:
        y = x * x
        y.register_hook(lambda g: g * 3)
        return y

    assert grad(f)(2.0) == 12.0


@pytest.mark.parametrize("bad", ["raises", "shape", "type"])
def test_a_failing_hook_leaves_every_grad_as_it_was(bad: str) -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.grad = np.array([5.0, 6.0])
    y = x * 3.0
    z = (y * y).sum()
    z.backward()
    before = (x.grad.copy(), y.grad.copy(), z.grad.copy())

    def hook(g: Any) -> Any:
        if bad == "raises":
            raise KeyError("boom")
        return np.ones(3) if bad == "shape" else "no"

    y.register_hook(hook)
    with pytest.raises(KeyError if bad == "raises" else ValueError):
        z.backward()
    assert all(np.array_equal(a, b) for a, b in zip((x.grad, y.grad, z.grad), before))
    v = Value(2.0)
    v.grad = 1.5
    v.register_hook(lambda g: "no")
    with pytest.raises(TypeError, match="register_hook: a hook of a Value must return None or a number"):
        (v * v).backward()
    assert v.grad == 1.5


def test_a_hook_cannot_write_into_the_gradients() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0

    def writes(g: np.ndarray) -> None:
        g[0] = 99.0

    y.register_hook(writes)
    with pytest.raises(ValueError, match="read-only"):
        y.sum().backward()
    assert x.grad is None


def test_bad_registrations_are_refused() -> None:
    with pytest.raises(TypeError, match="register_hook: the hook must be a function"):
        Value(1.0).register_hook(3)
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(lambda g: g)


def test_retain_graph_is_accepted_and_the_graph_stays() -> None:
    x = Value(2.0)
    y = x * x
    y.backward(retain_graph=False)
    y.backward(retain_graph=True)
    assert x.grad == 8.0
    t = Tensor([1.0], requires_grad=True)
    (t * t).sum().backward(retain_graph=False)
    with pytest.raises(TypeError, match="backward: retain_graph must be True or False"):
        (t * t).sum().backward(retain_graph="yes")
    with pytest.raises(TypeError, match="backward: retain_graph must be True or False"):
        y.backward(retain_graph=1)


def test_hooked_nodes_are_forgotten_when_they_die_and_passes_stop_looking() -> None:
    gc.collect()
    start = hooks.live
    x = Value(1.0)
    y = x * 2.0
    h = y.register_hook(lambda g: g)
    t = Tensor([1.0], requires_grad=True)
    t.register_hook(lambda g: g)
    assert hooks.live == start + 2 and type(y).__name__ == "Value" and isinstance(y, Value)
    h.remove()
    assert hooks.live == start + 1  # its last hook came off
    del y, t, h
    gc.collect()
    assert hooks.live == start
