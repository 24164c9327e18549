"""Learning-rate schedules: ``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``, ``OneCycleLR``.

Each computes exactly PyTorch's learning rates, step by step and to the last digit (the same
formulas in the same order: the recursive forms PyTorch uses, not the closed forms they
approximate).  Make the schedule after the optimiser and call ``scheduler.step()`` once per
epoch (or per batch for ``OneCycleLR``) *after* ``optimizer.step()``; it writes
``group["lr"]`` of every parameter group.  Construction writes the first rate (and, as in
PyTorch, ``initial_lr`` into every group).

>>> from autograd_lite import Value, optim
>>> opt = optim.SGD([Value(1.0)], lr=0.1)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> rates = []
>>> for epoch in range(5):
...     rates.append(sched.get_last_lr()[0])
...     opt.step()
...     sched.step()
>>> rates
[0.1, 0.1, 0.05, 0.05, 0.025]
"""

from __future__ import annotations

import copy
import math
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from .. import checks as _checks
from .base import Optimizer, _check_flag, _check_hyper

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "OneCycleLR"]


class LRScheduler:
    """Base class: ``step()`` moves one epoch on and writes the new rates; ``get_last_lr()``
    reads them; ``state_dict()`` / ``load_state_dict()`` save and restore the position."""

    last_epoch: int
    base_lrs: List[float]

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an autograd_lite optimiser, "
                            f"got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self._initial = True
        self.step()
        self._initial = False

    def get_lr(self) -> List[float]:
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr")

    def step(self) -> None:
        """One epoch on: compute every group's rate and write it (all groups or none)."""
        self.last_epoch += 1
        try:
            rates = self.get_lr()
        except BaseException:
            self.last_epoch -= 1
            raise
        for group, lr in zip(self.optimizer.param_groups, rates):
            group["lr"] = lr

    def get_last_lr(self) -> List[float]:
        """The rates written by the last ``step()`` (one per parameter group)."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> Dict[str, Any]:
        """Everything but the optimiser (as PyTorch's)."""
        return copy.deepcopy({k: v for k, v in vars(self).items() if k != "optimizer"})

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a :meth:`state_dict` of the same kind of schedule (the same entries)."""
        owner = f"{type(self).__name__}.load_state_dict"
        ours = {k for k in vars(self) if k != "optimizer"}
        if not isinstance(state, Mapping) or set(state) != ours:
            got = sorted(state) if isinstance(state, Mapping) else type(state).__name__
            raise ValueError(f"{owner}: expected the entries {sorted(ours)}, got {got}. Nothing was loaded.")
        if not _checks.is_int(state["last_epoch"]) or state["last_epoch"] < 0:
            raise ValueError(f"{owner}: last_epoch must be a count >= 0, got {state['last_epoch']!r}. "
                             "Nothing was loaded.")
        for key, ours_value in vars(self).items():
            if key != "optimizer" and not _same_kind(state[key], ours_value):
                raise TypeError(f"{owner}: {key!r} is a {type(state[key]).__name__}, this schedule's a "
                                f"{type(ours_value).__name__}. Nothing was loaded.")
        vars(self).update(copy.deepcopy(dict(state)))

    def _groups_lr(self) -> List[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


def _same_kind(new: Any, old: Any) -> bool:
    """``new`` has ``old``'s shape of data: numbers for numbers, and lists/tuples item by item."""
    if isinstance(old, bool) or isinstance(new, bool):
        return type(new) is type(old)
    if isinstance(old, (int, float)):
        return isinstance(new, (int, float)) and (isinstance(new, int) or not isinstance(old, int))
    if isinstance(old, (list, tuple)):
        return (isinstance(new, (list, tuple)) and len(new) == len(old)
                and all(_same_kind(a, b) for a, b in zip(new, old)))
    return type(new) is type(old)


def _count(value: Any, name: str, owner: str) -> int:
    return _checks.count(value, name, owner, minimum=1)


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs: ``lr·gamma^(epoch // step_size)``."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = _count(step_size, "step_size", "StepLR")
        self.gamma = _check_hyper("StepLR", "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self) -> List[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._groups_lr()
        return [lr * self.gamma for lr in self._groups_lr()]


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch: ``lr·gamma^epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = _check_hyper("ExponentialLR", "gamma", gamma)
        super().__init__(optimizer)

    def get_lr(self) -> List[float]:
        if self._initial:
            return self._groups_lr()
        return [lr * self.gamma for lr in self._groups_lr()]


class CosineAnnealingLR(LRScheduler):
    """From the base rate down to ``eta_min`` along half a cosine over ``T_max`` epochs, then
    back up (SGDR without restarts): ``eta_min + (base - eta_min)·(1 + cos(π·epoch/T_max))/2``,
    computed as PyTorch does, by ratios from the previous rate."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        self.T_max = _count(T_max, "T_max", "CosineAnnealingLR")
        self.eta_min = _check_hyper("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer)

    def get_lr(self) -> List[float]:
        e, t, low = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._groups_lr()
        if (e - 1 - t) % (2 * t) == 0:
            return [lr + (base - low) * (1 - math.cos(math.pi / t)) / 2
                    for base, lr in zip(self.base_lrs, self._groups_lr())]
        return [(1 + math.cos(math.pi * e / t)) / (1 + math.cos(math.pi * (e - 1) / t)) * (lr - low) + low
                for lr in self._groups_lr()]


Rates = Union[float, Sequence[float]]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith): the rate rises from ``max_lr / div_factor`` to ``max_lr`` over
    the first ``pct_start`` of ``total_steps`` and falls to ``initial / final_div_factor``;
    with ``cycle_momentum`` the momentum (or Adam's beta1) moves the opposite way between
    ``max_momentum`` and ``base_momentum``.  Step it once per batch; more than
    ``total_steps`` steps is an error (as in PyTorch)."""

    def __init__(self, optimizer: Optimizer, max_lr: Rates, total_steps: Optional[int] = None,
                 epochs: Optional[int] = None, steps_per_epoch: Optional[int] = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True, base_momentum: Rates = 0.85,
                 max_momentum: Rates = 0.95, div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False) -> None:
        name = "OneCycleLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an autograd_lite optimiser, got {type(optimizer).__name__}")
        if total_steps is not None:
            self.total_steps = _count(total_steps, "total_steps", name)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (_count(epochs, "epochs", name)
                                * _count(steps_per_epoch, "steps_per_epoch", name))
        else:
            raise ValueError(f"{name}: give total_steps, or epochs and steps_per_epoch")
        pct = _check_hyper(name, "pct_start", pct_start, high=1.0, high_open=False)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{name}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        self.cycle_momentum = _check_flag(name, "cycle_momentum", cycle_momentum)
        div = _check_hyper(name, "div_factor", div_factor, low_open=True)
        final_div = _check_hyper(name, "final_div_factor", final_div_factor, low_open=True)
        groups = optimizer.param_groups
        max_lrs = _per_group(name, "max_lr", max_lr, len(groups))
        self.use_beta1 = "betas" in optimizer.defaults
        if self.cycle_momentum and not self.use_beta1 and "momentum" not in optimizer.defaults:
            raise ValueError(f"{name}: cycle_momentum=True needs an optimiser with momentum or betas; "
                             f"{type(optimizer).__name__} has neither (pass cycle_momentum=False)")
        max_ms = _per_group(name, "max_momentum", max_momentum, len(groups))
        base_ms = _per_group(name, "base_momentum", base_momentum, len(groups))
        n = self.total_steps
        ends = ([pct * n - 1, 2 * pct * n - 2, n - 1] if _check_flag(name, "three_phase", three_phase)
                else [pct * n - 1, n - 1])
        keys = ([("initial_lr", "max_lr", "max_momentum", "base_momentum"),
                 ("max_lr", "initial_lr", "base_momentum", "max_momentum"),
                 ("initial_lr", "min_lr", "max_momentum", "max_momentum")] if three_phase else
                [("initial_lr", "max_lr", "max_momentum", "base_momentum"),
                 ("max_lr", "min_lr", "base_momentum", "max_momentum")])
        self.phases = [(float(end), *k) for end, k in zip(ends, keys)]
        for k, group in enumerate(groups):  # everything checked: now write, as PyTorch does
            group["initial_lr"] = max_lrs[k] / div
            group["max_lr"] = max_lrs[k]
            group["min_lr"] = group["initial_lr"] / final_div
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (max_ms[k], *group["betas"][1:])
                else:
                    group["momentum"] = max_ms[k]
                group["max_momentum"] = max_ms[k]
                group["base_momentum"] = base_ms[k]
        super().__init__(optimizer)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> List[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times; total_steps is {self.total_steps}")
        rates, momenta = [], []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(self.phases):
                if step <= end or i == len(self.phases) - 1:
                    pct = (step - start) / (end - start)
                    rates.append(self._anneal(group[lr0], group[lr1], pct))
                    momenta.append(self._anneal(group[m0], group[m1], pct) if self.cycle_momentum else 0.0)
                    break
                start = end
        if self.cycle_momentum:  # only once every rate is computed: a failure changes nothing
            for group, m in zip(self.optimizer.param_groups, momenta):
                if self.use_beta1:
                    group["betas"] = (m, *group["betas"][1:])
                else:
                    group["momentum"] = m
        return rates


def _per_group(owner: str, name: str, value: Rates, n: int) -> List[float]:
    values = list(value) if isinstance(value, (list, tuple)) else [value] * n
    if len(values) != n:
        raise ValueError(f"{owner}: {name} has {len(values)} values for {n} parameter groups")
    return [_check_hyper(owner, f"{name}", v) for v in values]
