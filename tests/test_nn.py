"""Tests for autograd_lite.nn: parameter bookkeeping, layers, Dropout/BatchNorm semantics and
gradients (central differences, PyTorch), state_dict / save / load and their error cases."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import Callable, Dict, List

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, gradcheck_report, nn
from autograd_lite.datasets import make_moons
from autograd_lite.functional import cross_entropy
from autograd_lite.optim import Adam


def snapshot(model: nn.Module) -> Dict[str, np.ndarray]:
    return {k: v.copy() for k, v in model.state_dict().items()}


def assert_same_state(model: nn.Module, state: Dict[str, np.ndarray]) -> None:
    now = model.state_dict()
    assert list(now) == list(state)
    for k in state:
        np.testing.assert_array_equal(now[k], state[k])


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = nn.Linear(3, 4, rng=0)
        self.act = nn.Tanh()
        self.scale = Tensor(np.ones(4), requires_grad=True)
        self.constant = Tensor(np.ones(4))  # requires_grad=False: not a parameter
        self.second = nn.Linear(4, 2, rng=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.second(self.act(self.first(x)) * self.scale)


# ------------------------------------------------------------------------------------------------
# Module bookkeeping
# ------------------------------------------------------------------------------------------------

def test_named_parameters_in_assignment_order() -> None:
    model = Block()
    # own parameters first, then the children depth first, each in assignment order
    assert [n for n, _ in model.named_parameters()] == ["scale", "first.W", "first.b", "second.W", "second.b"]
    assert [p.shape for p in model.parameters()] == [(4,), (3, 4), (4,), (4, 2), (2,)]
    assert all(p is q for p, q in zip(model.parameters(), [model.scale, model.first.W, model.first.b,
                                                          model.second.W, model.second.b]))


def test_shared_parameter_listed_once_and_reassignment() -> None:
    model = Block()
    model.second.W = model.first.W  # tie (shapes differ, but bookkeeping does not care)
    assert len(model.parameters()) == 4
    model.first = nn.Linear(3, 4, rng=9)  # replacing a child or parameter keeps its place
    model.scale = Tensor(np.zeros(4), requires_grad=True)
    assert [n for n, _ in model.named_parameters()] == ["scale", "first.W", "first.b", "second.W", "second.b"]
    assert model.first.W.data[0, 0] == nn.Linear(3, 4, rng=9).W.data[0, 0]
    model.scale = None  # no longer a parameter
    assert "scale" not in [n for n, _ in model.named_parameters()]
    del model.act
    assert [n for n, _ in model.named_children()] == ["first", "second"]


def test_module_without_super_init_still_registers() -> None:
    class Lazy(nn.Module):
        def __init__(self) -> None:  # forgets super().__init__()
            self.w = Tensor(np.zeros(2), requires_grad=True)

        def forward(self, x: Tensor) -> Tensor:
            return x * self.w

    m = Lazy()
    assert [n for n, _ in m.named_parameters()] == ["w"] and m.training


def test_zero_grad_train_eval_call() -> None:
    model = nn.Sequential(Block(), nn.Dropout(0.5), nn.Linear(2, 1, rng=2))
    out = model(Tensor(np.ones((5, 3))))
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert model.eval() is model
    assert [m.training for _, m in model.named_modules()] == [False] * 7
    model.train()
    assert all(m.training for _, m in model.named_modules())
    with pytest.raises(TypeError, match="mode must be True or False"):
        model.train(1)  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(1)


def test_repr_shows_the_tree() -> None:
    text = repr(nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Dropout(0.25)))
    assert text == ("Sequential(\n  (0): Linear(2, 3, bias=True, init='he')\n  (1): ReLU()\n"
                    "  (2): Dropout(p=0.25)\n)")


# ------------------------------------------------------------------------------------------------
# Linear
# ------------------------------------------------------------------------------------------------

def test_linear_forward_backward_by_hand() -> None:
    rng = np.random.default_rng(0)
    layer = nn.Linear(3, 2, rng=5)
    assert nn.Affine is nn.Linear
    layer.b.data[:] = [0.5, -1.0]
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    y = layer(x)
    np.testing.assert_allclose(y.data, x.data @ layer.W.data + [0.5, -1.0], rtol=1e-15)
    g = rng.standard_normal((4, 2))
    y.backward(g)
    np.testing.assert_allclose(layer.W.grad, x.data.T @ g, rtol=1e-13)
    np.testing.assert_allclose(layer.b.grad, g.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(x.grad, g @ layer.W.data.T, rtol=1e-13)
    assert layer(np.ones(3)).shape == (2,)  # a plain array works as an input, 1-D too


def test_linear_init_scales_and_seeding() -> None:
    for init, std in (("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(1 / 400)), (0.01, 0.01)):
        w = nn.Linear(400, 300, init=init, rng=0).W.data
        assert abs(w.std() / std - 1) < 0.01 and abs(w.mean()) < 0.01 * std * 10
    a, b = nn.Linear(5, 3, rng=7), nn.Linear(5, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.W.data, b.W.data)
    assert not np.array_equal(a.W.data, nn.Linear(5, 3, rng=8).W.data)
    assert np.array_equal(nn.Linear(5, 3, init=0.0, rng=1).W.data, np.zeros((5, 3)))
    assert nn.Linear(5, 3, bias=False, rng=0).b is None
    assert len(nn.Linear(5, 3, bias=False, rng=0).parameters()) == 1
    f32 = nn.Linear(5, 3, rng=0, dtype=np.float32)
    assert f32.W.dtype == np.float32 and f32.b.dtype == np.float32


def test_linear_errors() -> None:
    with pytest.raises(ValueError, match="Linear: init must be 'he', 'xavier' or a standard deviation >= 0, "
                                         "got 'glorot'"):
        nn.Linear(2, 2, init="glorot")
    with pytest.raises(ValueError, match="got -0.1"):
        nn.Linear(2, 2, init=-0.1)
    with pytest.raises(ValueError, match="Linear: out_features must be >= 1, got 0"):
        nn.Linear(2, 0)
    with pytest.raises(TypeError, match="Linear: in_features must be an int, got float"):
        nn.Linear(2.0, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Linear\(3, 2\): expected input with last dimension 3, "
                                         r"got shape \(4, 5\)"):
        nn.Linear(3, 2, rng=0)(Tensor(np.ones((4, 5))))


# ------------------------------------------------------------------------------------------------
# Activations, Sequential
# ------------------------------------------------------------------------------------------------

def test_activations_match_numpy() -> None:
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0], [1.0, 2.0, 3.0, 4.0, 1000.0]])
    np.testing.assert_array_equal(nn.ReLU()(Tensor(x)).data, np.maximum(x, 0))
    np.testing.assert_allclose(nn.Sigmoid()(Tensor(x)).data, 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(nn.Tanh()(Tensor(x)).data, np.tanh(x), rtol=1e-15)
    s = nn.Softmax()(Tensor(x)).data
    e = np.exp(x[0] - x[0].max())
    np.testing.assert_allclose(s[0], e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(s[1], [0, 0, 0, 0, 1], atol=1e-300)
    s0 = nn.Softmax(axis=0)(Tensor(x[:, :2])).data
    np.testing.assert_allclose(s0.sum(axis=0), [1.0, 1.0], rtol=1e-15)


def test_sequential_composes_in_order() -> None:
    first, second = nn.Linear(2, 3, rng=0), nn.Linear(3, 1, rng=1)
    net = nn.Sequential(first, nn.ReLU(), second)
    x = np.array([[1.0, -2.0], [0.5, 0.25]])
    expected = np.maximum(x @ first.W.data + first.b.data, 0) @ second.W.data + second.b.data
    np.testing.assert_allclose(net(Tensor(x)).data, expected, rtol=1e-15)
    assert len(net) == 3 and net[0] is first and net[-1] is second and list(net)[1].__class__ is nn.ReLU
    assert [n for n, _ in net.named_parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    with pytest.raises(TypeError, match="Sequential: argument 1 is a ufunc, expected a Module"):
        nn.Sequential(first, np.tanh)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# Dropout
# ------------------------------------------------------------------------------------------------

def test_dropout_train_and_eval() -> None:
    d = nn.Dropout(0.3, rng=0)
    x = Tensor(np.full((200, 50), 2.0), requires_grad=True)
    y = d(x)
    mask = d.last_mask
    assert mask is not None and mask.shape == (200, 50)
    assert abs((~mask).mean() - 0.3) < 0.01
    np.testing.assert_allclose(y.data, np.where(mask, 2.0 / 0.7, 0.0), rtol=1e-15)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.where(mask, 1 / 0.7, 0.0), rtol=1e-15)
    d.eval()
    z = d(x)
    np.testing.assert_array_equal(z.data, x.data)
    # seeded: the same masks again
    a, b = nn.Dropout(0.5, rng=3), nn.Dropout(0.5, rng=3)
    np.testing.assert_array_equal(a(Tensor(np.ones(100))).data, b(Tensor(np.ones(100))).data)


def test_dropout_edge_probabilities() -> None:
    x = Tensor(np.arange(1.0, 7.0), requires_grad=True)
    assert np.array_equal(nn.Dropout(0.0)(x).data, x.data)
    y = nn.Dropout(1.0, rng=0)(x)
    assert np.array_equal(y.data, np.zeros(6))
    y.sum().backward()
    assert np.array_equal(x.grad, np.zeros(6))
    for bad in (-0.1, 1.5, "half", True):
        with pytest.raises(ValueError, match="Dropout: p must be a probability in"):
            nn.Dropout(bad)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# BatchNorm1d
# ------------------------------------------------------------------------------------------------

def test_batchnorm_train_statistics_by_hand() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3)) * [1.0, 5.0, 0.1] + [0.0, 10.0, -3.0]
    bn = nn.BatchNorm1d(3, momentum=0.2)
    y = bn(Tensor(x)).data
    mean, var = x.mean(axis=0), x.var(axis=0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-12)
    np.testing.assert_allclose(bn.running_mean, 0.2 * mean, rtol=1e-14)
    np.testing.assert_allclose(bn.running_var, 0.8 + 0.2 * x.var(axis=0, ddof=1), rtol=1e-14)
    bn.gamma.data[:] = [2.0, 1.0, -1.0]
    bn.beta.data[:] = [0.5, 0.0, 1.0]
    bn.eval()
    x2 = rng.standard_normal((4, 3))
    expected = (x2 - bn.running_mean) / np.sqrt(bn.running_var + 1e-5) * [2.0, 1.0, -1.0] + [0.5, 0.0, 1.0]
    before = bn.running_mean.copy()
    np.testing.assert_allclose(bn(Tensor(x2)).data, expected, rtol=1e-13)
    np.testing.assert_array_equal(bn.running_mean, before)  # eval does not update the statistics


@settings(deadline=None, max_examples=25)
@given(n=st.integers(2, 6), c=st.integers(1, 4), training=st.booleans(), seed=st.integers(0, 2**16))
def test_batchnorm_gradients_central_differences(n: int, c: int, training: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    bn = nn.BatchNorm1d(c, momentum=0.3)
    bn.running_mean[:] = rng.standard_normal(c)
    bn.running_var[:] = rng.random(c) + 0.5
    bn.train(training)
    stats = (bn.running_mean.copy(), bn.running_var.copy())
    weights = Tensor(rng.standard_normal((n, c)))

    def loss(x: Tensor, gamma: Tensor, beta: Tensor) -> Tensor:
        bn.gamma, bn.beta = gamma, beta
        bn.running_mean[:], bn.running_var[:] = stats  # every evaluation sees the same statistics
        return (bn(x) * weights).sum()

    inputs = (Tensor(rng.standard_normal((n, c)) * 2 + 1), Tensor(rng.standard_normal(c)),
              Tensor(rng.standard_normal(c)))
    records = gradcheck_report(loss, *inputs, atol=1e-7, rtol=1e-6)
    assert all(r.ok for r in records), "\n".join(r.describe() for r in records)


def test_batchnorm_torch_parity() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    ours = nn.BatchNorm1d(4, momentum=0.3)
    theirs = torch.nn.BatchNorm1d(4, momentum=0.3).double()
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    ours.gamma.data[:], ours.beta.data[:] = gamma, beta
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gamma))
        theirs.bias.copy_(torch.tensor(beta))
    for _ in range(3):
        x, g = rng.standard_normal((8, 4)), rng.standard_normal((8, 4))
        xt, tx = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = ours(xt), theirs(tx)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-13)
        y.backward(g)
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.gamma.grad, theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.beta.grad, theirs.bias.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-13)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-13)
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_batchnorm_errors() -> None:
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="training needs more than 1 sample"):
        bn(Tensor(np.ones((1, 3))))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\): expected input of shape \(N, 3\), got \(4, 2\)"):
        bn(Tensor(np.ones((4, 2))))
    with pytest.raises(ValueError, match="eps must be > 0"):
        nn.BatchNorm1d(3, eps=0)
    with pytest.raises(ValueError, match="momentum must be in"):
        nn.BatchNorm1d(3, momentum=1.5)
    assert bn.eval()(Tensor(np.ones((1, 3)))).shape == (1, 3)  # one sample is fine in eval mode
    with pytest.raises(TypeError, match="buffer 'running_mean' must stay a numpy array"):
        bn.running_mean = [0.0, 0.0, 0.0]  # type: ignore[assignment]


# ------------------------------------------------------------------------------------------------
# state_dict, save, load
# ------------------------------------------------------------------------------------------------

def make_model(seed: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(4, 5, rng=seed), nn.BatchNorm1d(5), nn.ReLU(),
                         nn.Linear(5, 3, rng=seed + 1))


def test_state_dict_names_and_copies() -> None:
    model = make_model(0)
    state = model.state_dict()
    assert list(state) == ["0.W", "0.b", "1.gamma", "1.beta", "3.W", "3.b",
                           "1.running_mean", "1.running_var"]
    state["0.W"][0, 0] = 1234.0  # a copy: the model is not affected
    assert model[0].W.data[0, 0] != 1234.0


def test_load_state_dict_round_trip_in_place() -> None:
    source, target = make_model(0), make_model(10)
    source(Tensor(np.random.default_rng(0).standard_normal((6, 4))))  # move the running statistics
    arrays = [p.data for p in target.parameters()]
    target.load_state_dict(source.state_dict())
    assert_same_state(target, source.state_dict())
    assert all(p.data is a for p, a in zip(target.parameters(), arrays))  # optimisers stay valid
    x = np.random.default_rng(1).standard_normal((3, 4))
    np.testing.assert_array_equal(source.eval()(Tensor(x)).data, target.eval()(Tensor(x)).data)


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.pop("3.b"), r"missing keys \['3.b'\]"),
    (lambda s: s.update(extra=np.zeros(2)), r"unexpected keys \['extra'\]"),
    (lambda s: s.update({"3.W": np.zeros((3, 5))}), r"'3.W' has shape \(3, 5\), the model expects \(5, 3\)"),
    (lambda s: s.update({"1.running_var": np.zeros(4)}), r"'1.running_var' has shape \(4,\)"),
    (lambda s: s.update({"0.b": np.array(["a"] * 5)}), "'0.b' has dtype <U1, expected a real number array"),
])
def test_load_state_dict_mismatch_changes_nothing(edit: Callable[[Dict[str, np.ndarray]], object],
                                                  message: str) -> None:
    model, other = make_model(0), make_model(5)
    before = snapshot(model)
    state = other.state_dict()
    edit(state)
    with pytest.raises(ValueError, match=message + ".*Nothing was loaded"):
        model.load_state_dict(state)
    assert_same_state(model, before)


def test_load_state_dict_reports_every_problem_at_once() -> None:
    model = make_model(0)
    state = model.state_dict()
    del state["0.W"]
    state["3.W"] = np.zeros(1)
    state["bogus"] = np.zeros(1)
    with pytest.raises(ValueError) as info:
        model.load_state_dict(state)
    assert "missing keys ['0.W']" in str(info.value) and "unexpected keys ['bogus']" in str(info.value)
    assert "'3.W' has shape (1,)" in str(info.value)
    with pytest.raises(TypeError, match="expected a mapping"):
        model.load_state_dict([("0.W", 1)])  # type: ignore[arg-type]


def test_save_load_round_trip(tmp_path: Path) -> None:
    source = make_model(0)
    source(Tensor(np.random.default_rng(0).standard_normal((6, 4))))
    path = tmp_path / "weights.bin"
    source.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.bin"]  # exactly at path
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(source.state_dict())
    target = make_model(99)
    assert target.load(str(path)) is target
    assert_same_state(target, source.state_dict())


def test_save_load_float32_into_float64(tmp_path: Path) -> None:
    small = nn.Linear(3, 2, rng=0, dtype=np.float32)
    small.save(tmp_path / "w.npz")
    big = nn.Linear(3, 2, rng=1).load(tmp_path / "w.npz")
    assert big.W.dtype == np.float64
    np.testing.assert_array_equal(big.W.data, small.W.data.astype(np.float64))


def test_load_mismatched_file_changes_nothing(tmp_path: Path) -> None:
    nn.Sequential(nn.Linear(4, 6, rng=0)).save(tmp_path / "other.npz")
    model = make_model(0)
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"missing keys.*'0.W' has shape \(4, 6\), the model expects"):
        model.load(tmp_path / "other.npz")
    assert_same_state(model, before)


def test_load_refuses_pickles_and_garbage(tmp_path: Path) -> None:
    model = nn.Linear(2, 2, rng=0)
    before = snapshot(model)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, W=np.array([{"x": 1}, None], dtype=object), b=np.zeros(2))
    with pytest.raises(ValueError, match="cannot be read safely.*allow_pickle"):
        model.load(pickled)
    raw_pickle = tmp_path / "raw.pkl"
    raw_pickle.write_bytes(pickle.dumps({"W": np.zeros((2, 2))}))
    with pytest.raises(ValueError, match="is not an .npz archive of plain arrays"):
        model.load(raw_pickle)
    single = tmp_path / "single.npy"
    np.save(single, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="holds a single array"):
        model.load(single)
    good = tmp_path / "good.npz"
    model.save(good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:-40])
    with pytest.raises(ValueError, match="Linear.load"):
        model.load(truncated)
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "missing.npz")
    assert_same_state(model, before)
    assert zipfile.is_zipfile(good)


# ------------------------------------------------------------------------------------------------
# Training end to end, and PyTorch parity of a small MLP
# ------------------------------------------------------------------------------------------------

def test_mlp_learns_moons() -> None:
    x, t = make_moons(200, noise=0.1, seed=0)
    model = nn.Sequential(nn.Linear(2, 16, rng=0), nn.ReLU(), nn.Linear(16, 16, rng=1), nn.ReLU(),
                          nn.Linear(16, 2, rng=2))
    opt = Adam(model.parameters(), lr=0.05)
    for _ in range(150):
        loss = cross_entropy(model(Tensor(x)), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    accuracy = (model(Tensor(x)).data.argmax(axis=1) == t).mean()
    assert accuracy >= 0.99, accuracy


def test_mlp_gradients_torch_parity() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    model = nn.Sequential(nn.Linear(6, 5, rng=0), nn.Sigmoid(), nn.Linear(5, 4, rng=1))
    x, t = rng.standard_normal((7, 6)), rng.integers(0, 4, 7)
    loss = cross_entropy(model(Tensor(x)), t)
    loss.backward()
    tw = [torch.tensor(p.data, requires_grad=True) for p in model.parameters()]
    tx = torch.tensor(x)
    hidden = torch.sigmoid(tx @ tw[0] + tw[1])
    tloss = torch.nn.functional.cross_entropy(hidden @ tw[2] + tw[3], torch.tensor(t))
    tloss.backward()
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-13)
    for p, q in zip(model.parameters(), tw):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-11, atol=1e-14)


def test_parameters_list_feeds_optimizers() -> None:
    model = make_model(0)
    params: List[Tensor] = model.parameters()
    opt = Adam(params, lr=0.1)
    before = snapshot(model)
    out = model(Tensor(np.ones((4, 4)) * np.arange(4)[:, None]))
    out.sum().backward()
    opt.step()
    after = model.state_dict()
    assert not np.array_equal(after["0.W"], before["0.W"])


def test_docstring_examples_run() -> None:
    import doctest

    from autograd_lite import nn as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0, result
