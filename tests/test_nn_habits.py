"""PyTorch habits on ``nn``: Parameter, the module tree (modules, children, named_modules,
apply), forward hooks with removable handles, parameters labelled by their path (and
``scalar_nn``'s), activations as functions, and ``dim=`` as ``axis=``."""

from __future__ import annotations

from typing import Any, List

import numpy as np
import pytest

from autograd_lite import Tensor, Value, nn
from autograd_lite import functional as F
from autograd_lite.scalar_nn import MLP, Layer, Neuron


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 4, rng=0)
        self.body = nn.Sequential(nn.ReLU(), nn.Linear(4, 2, rng=1))
        self.scale = nn.Parameter(np.ones(2))

    def forward(self, x: Any) -> Tensor:
        return self.body(self.fc1(x)) * self.scale


# ----------------------------------------------------------------------------- Parameter
def test_parameter_is_a_trainable_tensor_that_modules_register() -> None:
    w = nn.Parameter([1.0, 2.0])
    assert isinstance(w, Tensor) and w.requires_grad and w.grad is None
    frozen = nn.Parameter(np.zeros(2), requires_grad=False)
    m = nn.Module()
    m.frozen = frozen  # a Parameter is a parameter even when frozen, as in PyTorch
    m.w = w
    assert [n for n, _ in m.named_parameters()] == ["frozen", "w"]
    shared = Tensor(np.arange(3.0))
    assert nn.Parameter(shared).data is shared.data  # shares the array, as torch.nn.Parameter
    y = (w * w).sum()
    assert type(y) is Tensor
    y.backward()
    assert w.grad.tolist() == [2.0, 4.0]
    assert repr(w).startswith("Parameter containing:\nTensor(")


def test_parameter_refuses_what_tensor_refuses() -> None:
    with pytest.raises(TypeError, match="requires_grad"):
        nn.Parameter([1.0], requires_grad="yes")
    with pytest.raises(TypeError, match="label must be a str"):
        nn.Parameter([1.0], label=3)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the tree
def test_modules_children_named_modules_and_named_parameters() -> None:
    net = Net()
    assert [type(m).__name__ for m in net.children()] == ["Linear", "Sequential"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "body", "body.0", "body.1"]
    assert [type(m).__name__ for m in net.modules()] == ["Net", "Linear", "Sequential", "ReLU", "Linear"]
    assert [n for n, _ in net.named_parameters()] == ["scale", "fc1.W", "fc1.b", "body.1.W", "body.1.b"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert net.parameters(recurse=False) == [net.scale]
    assert [n for n, _ in net.body.named_parameters(prefix="body")] == ["body.1.W", "body.1.b"]
    with pytest.raises(TypeError, match="Net.named_parameters: recurse must be True or False"):
        net.named_parameters(recurse="no")  # type: ignore[arg-type]


def test_apply_visits_children_first_as_pytorch() -> None:
    net = Net()
    seen: List[str] = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "Linear", "Sequential", "Net"]
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    twin = tnn.Sequential(tnn.Linear(3, 4), tnn.Sequential(tnn.ReLU(), tnn.Linear(4, 2)))
    ours = nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 2)))
    theirs: List[str] = []
    twin.apply(lambda m: theirs.append(type(m).__name__))
    mine: List[str] = []
    ours.apply(lambda m: mine.append(type(m).__name__))
    assert mine == theirs


def test_apply_reinitialises_weights_and_refuses_a_non_callable() -> None:
    net = Net()

    def zero(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            m.W.data[...] = 0.0

    net.apply(zero)
    assert all(not p.data.any() for n, p in net.named_parameters() if n.endswith("W"))
    with pytest.raises(TypeError, match="Net.apply: fn must be callable, got int"):
        net.apply(3)  # type: ignore[arg-type]


def test_apply_on_a_deep_nest_needs_no_recursion() -> None:
    inner: nn.Module = nn.ReLU()
    for _ in range(3000):
        inner = nn.Sequential(inner)
    count = []
    inner.apply(lambda m: count.append(1))
    assert len(count) == 3001


# ----------------------------------------------------------------------------- forward hooks
def test_forward_pre_hook_and_forward_hook_see_and_replace() -> None:
    layer = nn.Linear(2, 2, init=0.0, rng=0)
    layer.b.data[:] = [1.0, 2.0]
    calls: List[Any] = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    post = layer.register_forward_hook(
        lambda m, args, out: calls.append((m, args[0].data.tolist(), out.data.tolist())))
    out = layer(Tensor([[1.0, 1.0]]))
    assert out.data.tolist() == [[1.0, 2.0]]
    assert calls == [(layer, [[2.0, 2.0]], [[1.0, 2.0]])]  # the hook sees the replaced input
    double = layer.register_forward_hook(lambda m, args, out: out * 10)
    assert layer(Tensor([[0.0, 0.0]])).data.tolist() == [[10.0, 20.0]]
    pre.remove()
    post.remove()
    double.remove()
    double.remove()  # twice is harmless
    assert layer(Tensor([[0.0, 0.0]])).data.tolist() == [[1.0, 2.0]] and len(calls) == 2


def test_a_pre_hook_may_return_one_value_and_hooks_run_in_order() -> None:
    relu = nn.ReLU()
    order: List[int] = []
    relu.register_forward_pre_hook(lambda m, args: Tensor([-1.0, 3.0]))
    relu.register_forward_hook(lambda m, a, o: order.append(1))
    relu.register_forward_hook(lambda m, a, o: order.append(2))
    assert relu(Tensor([5.0])).data.tolist() == [0.0, 3.0] and order == [1, 2]


def test_hooks_on_children_fire_inside_a_sequential_and_the_handle_is_a_context_manager() -> None:
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    shapes: List[Any] = []
    with net[1].register_forward_hook(lambda m, a, out: shapes.append(out.shape)):
        net(np.ones((5, 3)))
    net(np.ones((5, 3)))
    assert shapes == [(5, 4)]


def test_gradients_flow_through_a_replaced_output() -> None:
    layer = nn.Linear(2, 1, rng=0)
    layer.register_forward_hook(lambda m, a, out: out * 3)
    layer(np.ones((1, 2))).sum().backward()
    assert layer.b.grad.tolist() == [3.0]


def test_a_hook_that_is_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="ReLU.register_forward_hook: hook must be callable, got str"):
        nn.ReLU().register_forward_hook("print")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="register_forward_pre_hook: hook must be callable"):
        nn.ReLU().register_forward_pre_hook(None)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- labels
def test_nn_parameters_are_labelled_by_their_path() -> None:
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Sequential(nn.Linear(3, 1, rng=1)))
    assert [(n, p.label) for n, p in model.named_parameters()] == [
        ("0.W", "0.W"), ("0.b", "0.b"), ("2.0.W", "2.0.W"), ("2.0.b", "2.0.b")]
    net = Net()
    assert {n: p.label for n, p in net.named_parameters()} == {n: n for n, _ in net.named_parameters()}
    bn = nn.BatchNorm1d(3)
    conv = nn.Conv2d(1, 2, 3)
    assert [p.label for p in bn.parameters()] == ["gamma", "beta"]
    assert [p.label for p in conv.parameters()] == ["W", "b"]


def test_a_label_given_by_hand_is_kept() -> None:
    layer = nn.Linear(2, 1, rng=0)
    layer.W.label = "weights"
    mine = Tensor(np.ones(1), requires_grad=True, label="mine")
    m = nn.Module()
    m.extra = mine
    model = nn.Sequential(layer, m)
    assert [p.label for p in model.parameters()] == ["weights", "0.b", "mine"]


def test_labels_change_no_number() -> None:
    x = np.random.default_rng(0).standard_normal((4, 2))
    a = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    b = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    assert [p.label for p in a.parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    for p in b.parameters():
        p.label = ""
    for m in (a, b):
        (m(x) ** 2).sum().backward()
    for p, q in zip(a.parameters(), b.parameters()):
        assert np.array_equal(p.data, q.data) and np.array_equal(p.grad, q.grad)
    assert a.state_dict().keys() == b.state_dict().keys()


def test_pictures_name_the_parameters() -> None:
    viz = pytest.importorskip("viz")
    model = nn.Sequential(nn.Linear(2, 1, rng=0))
    loss = (model(np.ones((1, 2))) ** 2).sum()
    loss.backward()
    source = viz.draw(loss).source
    assert "0.W" in source and "0.b" in source


def test_scalar_nn_weights_are_labelled_by_layer_neuron_and_input() -> None:
    model = MLP(2, [3, 1], seed=0)
    labels = [p.label for p in model.parameters()]
    assert labels[:3] == ["L1.n1.w1", "L1.n1.w2", "L1.n1.b"]
    assert labels[-4:] == ["L2.n1.w1", "L2.n1.w2", "L2.n1.w3", "L2.n1.b"]
    assert model.layers[0].neurons[2].w[1].label == "L1.n3.w2"
    assert len(set(labels)) == len(labels) == 13
    assert [p.label for p in Neuron(2).parameters()] == ["w1", "w2", "b"]
    assert [p.label for p in Layer(1, 2).parameters()] == ["n1.w1", "n1.b", "n2.w1", "n2.b"]
    with pytest.raises(TypeError, match="Neuron: name must be a str"):
        Neuron(2, name=1)  # type: ignore[arg-type]


def test_scalar_nn_labels_change_no_number() -> None:
    model, plain = MLP(3, [4, 1], seed=5), MLP(3, [4, 1], seed=5)
    assert all(p.label.startswith("L") for p in model.parameters())
    for p in plain.parameters():
        p.label = ""
    for m in (model, plain):
        out = m([Value(0.5), -1.0, 2.0])
        out.backward()
    assert [(p.data, p.grad) for p in model.parameters()] == [(p.data, p.grad) for p in plain.parameters()]


# ----------------------------------------------------------------------------- functional and dim
@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activations_as_functions_equal_the_methods(name: str) -> None:
    x = Tensor([-1.5, 0.0, 2.0], requires_grad=True)
    y = getattr(F, name)(x)
    z = getattr(x, name)()
    assert np.array_equal(y.data, z.data) and y.op == z.op == name
    v = getattr(F, name)(Value(0.3))
    assert v.data == getattr(Value(0.3), name)().data
    with pytest.raises(TypeError, match=f"{name}: expected a Tensor or a Value, got list"):
        getattr(F, name)([1.0])


def test_activations_match_pytorch() -> None:
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal(7)
    for name in ("relu", "sigmoid", "tanh"):
        x = Tensor(a.copy(), requires_grad=True)
        getattr(F, name)(x).sum().backward()
        t = torch.tensor(a, requires_grad=True)
        getattr(torch.nn.functional, name)(t).sum().backward()
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-15, atol=1e-16)


def test_dim_is_axis_by_its_pytorch_name() -> None:
    x = Tensor(np.random.default_rng(2).standard_normal((3, 4)))
    assert np.array_equal(F.softmax(x, dim=0).data, F.softmax(x, axis=0).data)
    assert np.array_equal(F.log_softmax(x, dim=0).data, F.log_softmax(x, axis=0).data)
    assert np.array_equal(F.softmax(x).data, F.softmax(x, axis=-1).data)
    assert nn.Softmax(dim=0).axis == 0 and nn.Softmax().axis == -1
    with pytest.raises(TypeError, match="softmax: got both axis=1 and dim=0"):
        F.softmax(x, axis=1, dim=0)
    with pytest.raises(TypeError, match="Softmax: got both axis=0 and dim=0"):
        nn.Softmax(0, dim=0)
    with pytest.raises(TypeError, match="softmax: got both axis=-1 and dim=0"):
        F.softmax(x, axis=-1, dim=0)  # -1 given by hand is still given
    with pytest.raises(TypeError, match="softmax: axis must be an int, got NoneType"):
        F.softmax(x, axis=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="log_softmax"):
        F.log_softmax(x, dim=2)


@pytest.mark.parametrize("name", ["autograd_lite.nn", "autograd_lite.nn.module", "autograd_lite.nn.parameter",
                                  "autograd_lite.nn.torch_bridge", "autograd_lite.nn.layers",
                                  "autograd_lite.activation", "autograd_lite.functional",
                                  "autograd_lite.scalar_nn",
                                  "autograd_lite.optim", "autograd_lite.optim.rules",
                                  "autograd_lite.optim.lr_scheduler", "autograd_lite.data"])
def test_docstring_examples_run(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0, result
