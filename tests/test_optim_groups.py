"""Optimiser habits from PyTorch: ``param_groups`` with settings of their own, and
``state_dict`` / ``load_state_dict`` (all or nothing; PyTorch's optimiser state loads too)."""

from __future__ import annotations

import copy
import pickle
from typing import Any, Callable, List

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, optim

KINDS = {
    "SGD": dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "AdaGrad": dict(lr=0.1, lr_decay=0.01, weight_decay=0.1),
    "RMSprop": dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
    "Adam": dict(lr=0.01, amsgrad=True, weight_decay=0.1),
    "AdamW": dict(lr=0.01, weight_decay=0.3),
}
TORCH = {"SGD": "SGD", "AdaGrad": "Adagrad", "RMSprop": "RMSprop", "Adam": "Adam", "AdamW": "AdamW"}


def _params(seed: int = 0) -> List[Tensor]:
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal((2, 3)), requires_grad=True),
            Tensor(rng.standard_normal(3), requires_grad=True)]


def _grads(rng: np.random.Generator, params: List[Any]) -> None:
    for p in params:
        p.grad = rng.standard_normal(p.data.shape)


def _bits(x: Any) -> Any:
    return pickle.dumps(x)


# ----------------------------------------------------------------------------- param_groups
def test_one_group_by_default_with_the_settings() -> None:
    ps = _params()
    opt = optim.SGD(ps, lr=0.1, momentum=0.9)
    assert len(opt.param_groups) == 1
    group = opt.param_groups[0]
    assert group["params"] == ps and group["lr"] == 0.1 and group["momentum"] == 0.9
    assert group["nesterov"] is False and group["weight_decay"] == 0.0
    assert opt.defaults == {"lr": 0.1, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0}
    assert opt.lr == 0.1 and opt.params == ps


def test_groups_take_their_own_settings_and_the_rest_from_the_defaults() -> None:
    a, b = _params()
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in opt.param_groups] == [0.0, 0.5]
    a.grad, b.grad = np.ones_like(a.data), np.ones_like(b.data)
    a0, b0 = a.data.copy(), b.data.copy()
    opt.step()
    assert np.array_equal(a.data, a0 - 0.1) and np.array_equal(b.data, b0 - 0.5)
    assert 0 not in opt.state and set(opt.state[1]) == {"momentum_buffer"}


def test_reading_a_setting_the_groups_disagree_on_is_an_error_and_setting_it_sets_all() -> None:
    a, b = _params()
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    with pytest.raises(AttributeError, match=r"SGD.lr: the parameter groups differ \(\[0.1, 0.5\]\)"):
        _ = opt.lr
    opt.lr = 0.2
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2] and opt.lr == 0.2
    with pytest.raises(ValueError, match="invalid lr = -1"):
        opt.lr = -1
    assert opt.lr == 0.2


def test_bad_groups_are_refused() -> None:
    a, b = _params()
    with pytest.raises(ValueError, match=r"param_groups\[1\]: unknown settings \['lrr'\]"):
        optim.SGD([{"params": [a]}, {"params": [b], "lrr": 0.5}], lr=0.1)
    with pytest.raises(ValueError, match="parameter 1 appears more than once"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)
    with pytest.raises(ValueError, match=r"param_groups\[0\]: invalid momentum = -0.5"):
        optim.SGD([{"params": [a], "momentum": -0.5}], lr=0.1)
    with pytest.raises(ValueError, match="nesterov=True needs a momentum > 0"):
        optim.SGD([{"params": [a], "nesterov": True}], lr=0.1)
    with pytest.raises(ValueError, match="betas must be a pair"):
        optim.Adam([{"params": [a], "betas": 0.9}])
    with pytest.raises(TypeError, match="must be a dict with a 'params' entry"):
        optim.SGD([a], lr=0.1).add_param_group({"lr": 0.1})


def test_a_setting_broken_by_hand_fails_the_step_and_changes_nothing() -> None:
    a, b = _params()
    opt = optim.Adam([{"params": [a]}, {"params": [b]}])
    rng = np.random.default_rng(0)
    _grads(rng, [a, b])
    opt.step()
    opt.param_groups[1]["lr"] = float("nan")
    _grads(rng, [a, b])
    before = (_bits(a.data), _bits(b.data), _bits(opt.state))
    with pytest.raises(ValueError, match=r"Adam: param_groups\[1\]: invalid lr = nan"):
        opt.step()
    assert (_bits(a.data), _bits(b.data), _bits(opt.state)) == before


def test_add_param_group() -> None:
    a, b = _params()
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.01})
    assert opt.params == [a, b] and [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    with pytest.raises(ValueError, match="parameter 2 appears more than once"):
        opt.add_param_group({"params": [b]})


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_groups_match_pytorch(kind: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    ours, theirs = _params(1), [torch.tensor(p.data.copy(), requires_grad=True) for p in _params(1)]
    settings_ = dict(KINDS[kind])
    lr = settings_.pop("lr")
    torch_settings = {("lr_decay" if k == "lr_decay" else k): v for k, v in settings_.items()}
    groups = [{"params": [ours[0]]}, {"params": [ours[1]], "lr": lr * 3}]
    o1 = getattr(optim, kind)(groups, lr=lr, **settings_)
    o2 = getattr(torch.optim, TORCH[kind])([{"params": [theirs[0]]}, {"params": [theirs[1]], "lr": lr * 3}],
                                           lr=lr, **torch_settings)
    for _ in range(6):
        for p, t in zip(ours, theirs):
            g = rng.standard_normal(p.data.shape)
            p.grad, t.grad = g.copy(), torch.tensor(g)
        o1.step()
        o2.step()
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-13, atol=1e-15)


# ----------------------------------------------------------------------------- state_dict
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_state_dict_round_trip_continues_exactly(kind: str) -> None:
    rng = np.random.default_rng(4)
    grads = [[rng.standard_normal(p.data.shape) for p in _params()] for _ in range(6)]

    def run(ps: List[Tensor], opt: Any, steps: range) -> None:
        for k in steps:
            for p, g in zip(ps, grads[k]):
                p.grad = g.copy()
            opt.step()

    straight = _params()
    run(straight, getattr(optim, kind)(straight, **KINDS[kind]), range(6))
    first = _params()
    opt = getattr(optim, kind)(first, **KINDS[kind])
    run(first, opt, range(3))
    saved = opt.state_dict()
    assert saved["param_groups"][0]["params"] == [0, 1] and set(saved["state"]) == {0, 1}
    resumed = [Tensor(p.data.copy(), requires_grad=True) for p in first]
    other = getattr(optim, kind)(resumed, lr=0.5)  # other settings: loading brings them back
    other.load_state_dict(saved)
    assert other.param_groups[0]["lr"] == KINDS[kind]["lr"]
    run(resumed, other, range(3, 6))
    for p, q in zip(straight, resumed):
        assert np.array_equal(p.data, q.data)


def test_state_dict_is_a_copy() -> None:
    ps = _params()
    opt = optim.Adam(ps)
    _grads(np.random.default_rng(0), ps)
    opt.step()
    saved = opt.state_dict()
    saved["state"][0]["exp_avg"][...] = 99.0
    saved["param_groups"][0]["lr"] = 5.0
    assert not (opt.state[0]["exp_avg"] == 99.0).any() and opt.param_groups[0]["lr"] == 1e-3
    other = optim.Adam(_params())
    other.load_state_dict(opt.state_dict())
    other.state[0]["exp_avg"][...] = 7.0
    assert not (opt.state[0]["exp_avg"] == 7.0).any()


def _mutations() -> List[Callable[[Any], Any]]:
    def drop_group(s: Any) -> None:
        s["param_groups"].append(copy.deepcopy(s["param_groups"][0]))

    def short_group(s: Any) -> None:
        s["param_groups"][0]["params"].pop()

    def bad_shape(s: Any) -> None:
        s["state"][1]["exp_avg"] = np.zeros(4)

    def missing_entry(s: Any) -> None:
        del s["state"][0]["exp_avg_sq"]

    def extra_entry(s: Any) -> None:
        s["state"][0]["velocity"] = np.zeros((2, 3))

    def bad_lr(s: Any) -> None:
        s["param_groups"][0]["lr"] = -1.0

    def missing_setting(s: Any) -> None:
        del s["param_groups"][0]["eps"]

    def maximize(s: Any) -> None:
        s["param_groups"][0]["maximize"] = True

    def unknown_param(s: Any) -> None:
        s["state"][7] = s["state"].pop(1)

    def bad_step(s: Any) -> None:
        s["state"][0]["step"] = -2

    def complex_state(s: Any) -> None:
        s["state"][0]["exp_avg"] = np.zeros((2, 3), dtype=complex)

    def not_a_dict(s: Any) -> Any:
        return [s]

    def extra_key(s: Any) -> None:
        s["version"] = 2

    return [drop_group, short_group, bad_shape, missing_entry, extra_entry, bad_lr, missing_setting, maximize,
            unknown_param, bad_step, complex_state, not_a_dict, extra_key]


@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_a_bad_state_dict_changes_nothing(mutate: Callable[[Any], Any]) -> None:
    ps = _params()
    source = optim.Adam(ps, lr=0.05)
    _grads(np.random.default_rng(0), ps)
    source.step()
    bad = source.state_dict()
    bad = mutate(bad) or bad
    target = optim.Adam(_params(), lr=0.2)
    _grads(np.random.default_rng(1), target.params)
    target.step()
    before = _bits(target.state_dict())
    with pytest.raises((TypeError, ValueError), match="Adam.load_state_dict"):
        target.load_state_dict(bad)
    assert _bits(target.state_dict()) == before


@settings(deadline=None, max_examples=25)
@given(st.sampled_from(sorted(KINDS)), st.integers(0, 3), st.integers(0, 2**32 - 1))
def test_state_dicts_of_values_and_tensors_round_trip(kind: str, warm: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ps: List[Any] = [Value(float(rng.standard_normal())), Tensor(rng.standard_normal(2), requires_grad=True)]
    opt = getattr(optim, kind)(ps, **KINDS[kind])
    for _ in range(warm):
        ps[0].grad, ps[1].grad = float(rng.standard_normal()), rng.standard_normal(2)
        opt.step()
    twin_params: List[Any] = [Value(ps[0].data), Tensor(ps[1].data.copy(), requires_grad=True)]
    twin = getattr(optim, kind)(twin_params, **KINDS[kind])
    twin.load_state_dict(opt.state_dict())
    g0, g1 = float(rng.standard_normal()), rng.standard_normal(2)
    for group in (ps, twin_params):
        group[0].grad, group[1].grad = g0, g1.copy()
    opt.step()
    twin.step()
    assert ps[0].data == twin_params[0].data and np.array_equal(ps[1].data, twin_params[1].data)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_pytorch_optimiser_state_loads_and_continues_as_pytorch(kind: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    start = _params(2)
    theirs = [torch.tensor(p.data.copy(), requires_grad=True) for p in start]
    topt = getattr(torch.optim, TORCH[kind])(theirs, **KINDS[kind])
    for _ in range(3):
        for t in theirs:
            t.grad = torch.tensor(rng.standard_normal(tuple(t.shape)))
        topt.step()
    ours = [Tensor(t.detach().numpy().copy(), requires_grad=True) for t in theirs]
    opt = getattr(optim, kind)(ours, lr=0.5)
    opt.load_state_dict(topt.state_dict())
    for _ in range(3):
        for p, t in zip(ours, theirs):
            g = rng.standard_normal(p.data.shape)
            p.grad, t.grad = g.copy(), torch.tensor(g)
        opt.step()
        topt.step()
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-13, atol=1e-15)


def test_a_subclass_written_for_the_former_base_still_works() -> None:
    class Sign(optim.Optimizer):
        def __init__(self, params: Any, lr: float = 0.1) -> None:
            super().__init__(params, lr)  # the former signature: a learning rate, not a dict

        def _delta(self, p: Any, g: Any, state: Any) -> Any:
            return self.lr * np.sign(g), None

    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    w.grad = np.array([3.0, -1.0])
    opt = Sign([w])
    opt.step()
    assert w.data.tolist() == [0.9, -1.9] and opt.param_groups[0]["lr"] == 0.1
    opt.load_state_dict(opt.state_dict())
    with pytest.raises(TypeError, match="defaults must be a dict of settings with 'lr'"):
        optim.Optimizer([w], {"momentum": 0.9})


def test_an_optimiser_deep_copies_and_pickles() -> None:
    ps = _params()
    opt = optim.Adam([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.5}])
    _grads(np.random.default_rng(0), ps)
    opt.step()
    twin = copy.deepcopy(opt)
    assert [g["lr"] for g in twin.param_groups] == [1e-3, 0.5] and twin.state[1]["step"] == 1
    again = pickle.loads(pickle.dumps(opt))
    assert _bits(again.state_dict()) == _bits(opt.state_dict())
