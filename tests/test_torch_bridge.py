"""A way out to PyTorch: ``Module.to_torch()`` and PyTorch ``state_dict`` s in
``load_state_dict``.  Training 10 steps here and 10 in PyTorch from the converted weights
equals 20 steps in either, to 1e-12 in float64."""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict

import numpy as np
import pytest

from autograd_lite import Tensor, nn, optim
from autograd_lite import functional as F
from autograd_lite.nn.torch_bridge import torch_names

RNG = np.random.default_rng(0)
X_FLAT, T_FLAT = RNG.standard_normal((16, 4)), RNG.integers(0, 3, 16)
X_IMG, T_IMG = RNG.standard_normal((6, 1, 8, 8)), RNG.integers(0, 3, 6)

MODELS: Dict[str, Callable[[], nn.Module]] = {
    "mlp": lambda: nn.Sequential(nn.Linear(4, 8, rng=1), nn.Tanh(), nn.Linear(8, 8, rng=2), nn.Sigmoid(),
                                 nn.Linear(8, 3, rng=3)),
    "batchnorm": lambda: nn.Sequential(nn.Linear(4, 6, rng=1), nn.BatchNorm1d(6), nn.ReLU(),
                                       nn.Linear(6, 3, bias=False, rng=2)),
    "conv": lambda: nn.Sequential(nn.Conv2d(1, 3, 3, pad=1, rng=1), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Conv2d(3, 2, 3, stride=1, rng=2), nn.Tanh(), nn.AvgPool2d(2),
                                  nn.Flatten(), nn.Linear(2, 3, rng=3)),
}


def _data(kind: str) -> Any:
    return (X_IMG, T_IMG) if kind == "conv" else (X_FLAT, T_FLAT)


def _train_here(model: nn.Module, kind: str, steps: int) -> None:
    x, t = _data(kind)
    opt = optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        loss = F.cross_entropy(model(Tensor(x)), t)
        opt.zero_grad()
        loss.backward()
        opt.step()


def _train_torch(torch: Any, model: Any, kind: str, steps: int) -> None:
    x, t = _data(kind)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(t))
        opt.zero_grad()
        loss.backward()
        opt.step()


def _worst(a: nn.Module, b: nn.Module) -> float:
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    return max(float(np.max(np.abs(sa[k] - sb[k]))) for k in sa)


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_ten_steps_here_and_ten_in_pytorch_equal_twenty_in_either(kind: str) -> None:
    torch = pytest.importorskip("torch")
    here20 = MODELS[kind]()
    _train_here(here20, kind, 20)
    there20 = MODELS[kind]().to_torch()
    _train_torch(torch, there20, kind, 20)
    split = MODELS[kind]()
    _train_here(split, kind, 10)
    moved = split.to_torch()
    assert all(p.dtype == torch.float64 for p in moved.parameters())
    _train_torch(torch, moved, kind, 10)
    back, from_torch20 = MODELS[kind](), MODELS[kind]()
    back.load_state_dict(moved.state_dict())
    from_torch20.load_state_dict(there20.state_dict())
    assert _worst(back, here20) <= 1e-12
    assert _worst(from_torch20, here20) <= 1e-12
    assert _worst(back, from_torch20) <= 1e-12
    assert _worst(here20, MODELS[kind]()) > 1e-3  # the training moved the weights


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_the_twin_computes_the_same_outputs_and_gradients(kind: str) -> None:
    torch = pytest.importorskip("torch")
    model = MODELS[kind]()
    twin = model.to_torch()
    x, t = _data(kind)
    loss = F.cross_entropy(model(Tensor(x)), t)
    loss.backward()
    tloss = torch.nn.functional.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(t))
    tloss.backward()
    assert abs(loss.item() - tloss.item()) <= 1e-13
    grads = {name: p.grad for name, p in twin.named_parameters()}
    for theirs, (ours, transposed) in torch_names(model).items():
        if theirs in grads:
            ours_grad = dict(model.named_parameters())[ours].grad
            g = grads[theirs].numpy()
            np.testing.assert_allclose(ours_grad, g.T if transposed else g, rtol=1e-10, atol=1e-13)


def test_names_shapes_modes_and_dtypes_follow() -> None:
    torch = pytest.importorskip("torch")
    model = MODELS["batchnorm"]()
    twin = model.eval().to_torch()
    assert not twin.training and not twin[1].training
    theirs = sorted(k for k in twin.state_dict() if not k.endswith("num_batches_tracked"))
    assert sorted(torch_names(model)) == theirs
    assert tuple(twin[0].weight.shape) == (6, 4)
    assert np.array_equal(twin[0].weight.detach().numpy(), model[0].W.data.T)
    single = nn.Linear(2, 3, dtype=np.float32, rng=0).to_torch()
    assert single.weight.dtype == torch.float32
    soft = nn.Sequential(nn.Softmax(dim=0), nn.Dropout(0.3), nn.MSELoss(), nn.CrossEntropyLoss()).to_torch()
    assert soft[0].dim == 0 and soft[1].p == 0.3


def test_a_pytorch_state_dict_that_does_not_fit_changes_nothing() -> None:
    pytest.importorskip("torch")
    model = MODELS["mlp"]()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    wrong = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 2))
    wrong = wrong.to_torch()
    with pytest.raises(ValueError, match="does not fit this model"):
        model.load_state_dict(wrong.state_dict())
    partial = MODELS["mlp"]().to_torch().state_dict()
    del partial["4.bias"]
    with pytest.raises(ValueError, match="missing keys"):
        model.load_state_dict(partial)
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_a_module_with_its_own_forward_has_no_twin() -> None:
    pytest.importorskip("torch")

    class Mine(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x: Any) -> Any:
            return self.fc(x) * 2

    with pytest.raises(TypeError, match=r"to_torch: Sequential.1 is a Mine, which has no PyTorch twin"):
        nn.Sequential(nn.ReLU(), Mine()).to_torch()
    assert type(Mine().fc.to_torch()).__name__ == "Linear"  # its layers convert one by one


def test_every_layer_has_its_twin_and_a_subclass_has_none() -> None:
    pytest.importorskip("torch")

    class Scaled(nn.Linear):  # a subclass may have changed forward: no twin is guessed for it
        def forward(self, x: Any) -> Any:
            return super().forward(x) * 2

    with pytest.raises(TypeError, match=r"to_torch: Scaled is a Scaled, which has no PyTorch twin") as info:
        Scaled(2, 2).to_torch()
    listed = set(str(info.value).split("(convertible: ")[1].split(")")[0].split(", "))
    layers = {name for name in nn.__all__ if name not in ("Module", "Parameter", "RemovableHandle", "Affine")}
    assert listed == layers


def test_without_torch_the_conversion_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    with pytest.raises(ImportError, match=r"to_torch needs PyTorch \(the 'torch' package\)"):
        nn.Linear(2, 2).to_torch()
    model = nn.Linear(2, 2, rng=0)  # loading our own state_dict needs no torch
    model.load_state_dict(nn.Linear(2, 2, rng=1).state_dict())
