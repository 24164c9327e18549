"""``optim.lr_scheduler``: the learning rates of StepLR, ExponentialLR, CosineAnnealingLR and
OneCycleLR, by hand and equal to PyTorch's step by step (momentum and beta1 too)."""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pytest

from autograd_lite import Tensor, Value, optim
from autograd_lite.optim import lr_scheduler as S


def _rates(opt: Any, sched: Any, steps: int, key: str = "lr") -> List[List[Any]]:
    out = []
    for _ in range(steps):
        out.append([g[key] for g in opt.param_groups])
        opt.step()
        sched.step()
    return out


def _sgd(lr: float = 1.0, **kw: Any) -> optim.SGD:
    return optim.SGD([Value(1.0)], lr=lr, **kw)


# ----------------------------------------------------------------------------- by hand
def test_step_lr_by_hand() -> None:
    opt = _sgd(1.0)
    rates = [r[0] for r in _rates(opt, S.StepLR(opt, step_size=2, gamma=0.5), 7)]
    assert rates == [1, 1, .5, .5, .25, .25, .125]


def test_exponential_lr_by_hand() -> None:
    opt = _sgd(3.0)
    assert [r[0] for r in _rates(opt, S.ExponentialLR(opt, gamma=0.5), 5)] == [3, 1.5, .75, .375, .1875]


def test_cosine_annealing_by_hand() -> None:
    opt = _sgd(2.0)
    got = [r[0] for r in _rates(opt, S.CosineAnnealingLR(opt, T_max=4, eta_min=0.5), 9)]
    closed = [0.5 + 1.5 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(9)]  # up again after T_max
    np.testing.assert_allclose(got, closed, rtol=1e-14, atol=1e-15)
    assert got[4] == pytest.approx(0.5, abs=1e-15) and got[8] == pytest.approx(2.0, rel=1e-14)


def test_one_cycle_linear_by_hand() -> None:
    opt = _sgd(1.0, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear", div_factor=4.0,
                         final_div_factor=5.0, base_momentum=0.8, max_momentum=0.9)
    got = _rates(opt, sched, 10)
    lrs = [0.25, 0.625, 1.0] + [1.0 + (0.05 - 1.0) * (s - 2) / 7 for s in range(3, 10)]
    moms = [0.9, 0.85, 0.8] + [0.8 + (0.9 - 0.8) * (s - 2) / 7 for s in range(3, 10)]
    np.testing.assert_allclose([r[0] for r in got], lrs, rtol=1e-15, atol=1e-16)
    opt2 = _sgd(1.0, momentum=0.9)
    sched2 = S.OneCycleLR(opt2, max_lr=1.0, total_steps=10, anneal_strategy="linear", div_factor=4.0,
                          final_div_factor=5.0, base_momentum=0.8, max_momentum=0.9)
    np.testing.assert_allclose([r[0] for r in _rates(opt2, sched2, 10, "momentum")], moms, rtol=1e-15)
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 11 times; total_steps is 10"):
        sched.step()
    assert sched.last_epoch == 10  # the failed step is not counted


def test_schedulers_write_initial_lr_and_step_the_optimiser_with_the_new_rate() -> None:
    w = Tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    sched = S.StepLR(opt, step_size=1, gamma=0.5)
    assert opt.param_groups[0]["initial_lr"] == 1.0 and sched.get_last_lr() == [1.0]
    for _ in range(3):
        w.grad = np.ones(1)
        opt.step()
        sched.step()
    assert w.data.tolist() == [-(1 + 0.5 + 0.25)]


def test_scheduler_state_dict_resumes_the_schedule() -> None:
    opt = _sgd(1.0)
    sched = S.CosineAnnealingLR(opt, T_max=10)
    _rates(opt, sched, 4)
    saved, opt_saved = sched.state_dict(), opt.state_dict()
    rest = _rates(opt, sched, 6)
    opt2 = _sgd(1.0)
    sched2 = S.CosineAnnealingLR(opt2, T_max=10)
    opt2.load_state_dict(opt_saved)
    sched2.load_state_dict(saved)
    assert _rates(opt2, sched2, 6) == rest
    with pytest.raises(ValueError, match="CosineAnnealingLR.load_state_dict: expected the entries"):
        sched2.load_state_dict({"last_epoch": 3})
    before = sched2.state_dict()
    for key, bad in (("eta_min", "0"), ("base_lrs", [1.0, 2.0]), ("T_max", 2.5), ("last_epoch", -1)):
        with pytest.raises((TypeError, ValueError), match="load_state_dict"):
            sched2.load_state_dict({**before, key: bad})
    assert sched2.state_dict() == before


def test_bad_arguments_are_refused() -> None:
    opt = _sgd(1.0)
    with pytest.raises(ValueError, match="StepLR: step_size"):
        S.StepLR(opt, step_size=0)
    with pytest.raises(TypeError, match="ExponentialLR: gamma must be a number"):
        S.ExponentialLR(opt, gamma="0.5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="CosineAnnealingLR: invalid eta_min"):
        S.CosineAnnealingLR(opt, T_max=3, eta_min=-1.0)
    with pytest.raises(ValueError, match="give total_steps, or epochs and steps_per_epoch"):
        S.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="cycle_momentum=True needs an optimiser with momentum or betas"):
        S.OneCycleLR(optim.AdaGrad([Value(1.0)]), max_lr=1.0, total_steps=5)
    with pytest.raises(ValueError, match="max_lr has 2 values for 1 parameter groups"):
        S.OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=5)
    with pytest.raises(ValueError, match="anneal_strategy must be 'cos' or 'linear'"):
        S.OneCycleLR(opt, max_lr=1.0, total_steps=5, anneal_strategy="exp")
    with pytest.raises(TypeError, match="expected an autograd_lite optimiser"):
        S.StepLR(object(), step_size=1)  # type: ignore[arg-type]
    assert opt.param_groups[0]["lr"] == 1.0 and "max_lr" not in opt.param_groups[0]  # nothing written


# ----------------------------------------------------------------------------- against PyTorch
CASES: Dict[str, Tuple[Callable[..., Any], Dict[str, Any], int]] = {
    "StepLR": (lambda m, o, **k: m.StepLR(o, **k), {"step_size": 3, "gamma": 0.7}, 20),
    "ExponentialLR": (lambda m, o, **k: m.ExponentialLR(o, **k), {"gamma": 0.93}, 40),
    "CosineAnnealingLR": (lambda m, o, **k: m.CosineAnnealingLR(o, **k), {"T_max": 7, "eta_min": 0.001}, 40),
    "OneCycleLR": (lambda m, o, **k: m.OneCycleLR(o, **k), {"max_lr": [0.5, 0.05], "total_steps": 37}, 37),
    "OneCycleLR-3": (lambda m, o, **k: m.OneCycleLR(o, **k),
                     {"max_lr": 0.3, "epochs": 4, "steps_per_epoch": 6, "three_phase": True,
                      "anneal_strategy": "linear", "pct_start": 0.25}, 24),
}


@pytest.mark.parametrize("opt_kind", ["SGD", "Adam"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_rates_equal_pytorch_step_by_step(case: str, opt_kind: str) -> None:
    torch = pytest.importorskip("torch")
    make, kwargs, steps = CASES[case]
    extra = {"momentum": 0.9} if opt_kind == "SGD" else {}
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    ta, tb = torch.ones(2, dtype=torch.float64, requires_grad=True), torch.ones(3, dtype=torch.float64,
                                                                               requires_grad=True)
    ours = getattr(optim, opt_kind)([{"params": [a]}, {"params": [b], "lr": 0.02}], lr=0.1, **extra)
    theirs = getattr(torch.optim, opt_kind)([{"params": [ta]}, {"params": [tb], "lr": 0.02}], lr=0.1, **extra)
    s1, s2 = make(S, ours, **kwargs), make(torch.optim.lr_scheduler, theirs, **kwargs)
    key = "momentum" if opt_kind == "SGD" else "betas"
    rng = np.random.default_rng(0)
    for _ in range(steps):
        assert s1.get_last_lr() == s2.get_last_lr()  # exactly, to the last digit
        assert [g[key] for g in ours.param_groups] == [g[key] for g in theirs.param_groups]
        for p, t in ((a, ta), (b, tb)):
            g = rng.standard_normal(p.data.shape)
            p.grad, t.grad = g.copy(), torch.tensor(g)
        ours.step()
        theirs.step()
        s1.step()
        s2.step()
    np.testing.assert_allclose(a.data, ta.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(b.data, tb.detach().numpy(), rtol=1e-13, atol=1e-15)
