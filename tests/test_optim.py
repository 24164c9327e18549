"""Tests for autograd_lite.optim: hand-computed updates, PyTorch parity, bookkeeping, errors."""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional

import numpy as np
import pytest

from autograd_lite import Tensor, Value
from autograd_lite.optim import SGD, AdaGrad, Adam, Momentum, RMSprop


def param(values: Any, dtype: Any = np.float64) -> Tensor:
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def run(opt_factory: Callable[[List[Tensor]], Any], start: List[float],
        grads: List[List[float]]) -> np.ndarray:
    p = param(start)
    opt = opt_factory([p])
    for g in grads:
        p.grad = np.array(g, dtype=np.float64)
        opt.step()
    return p.data


# ------------------------------------------------------------------------------------------------
# Hand-computed updates
# ------------------------------------------------------------------------------------------------

def test_sgd_plain() -> None:
    out = run(lambda ps: SGD(ps, lr=0.1), [1.0, 2.0], [[0.5, -1.0]])
    np.testing.assert_allclose(out, [0.95, 2.1], rtol=0, atol=1e-15)


def test_sgd_momentum_two_steps() -> None:
    # b1 = 1 -> p = 1 - 0.1 = 0.9;  b2 = 0.9 * 1 + 2 = 2.9 -> p = 0.9 - 0.29 = 0.61
    out = run(lambda ps: SGD(ps, lr=0.1, momentum=0.9), [1.0], [[1.0], [2.0]])
    np.testing.assert_allclose(out, [0.61], rtol=0, atol=1e-15)


def test_momentum_alias_matches_book_formula() -> None:
    # the book: v = 0.9 v - lr g; p += v
    p, v = 1.0, 0.0
    grads = [[1.0], [2.0], [-0.5]]
    for (g,) in grads:
        v = 0.9 * v - 0.1 * g
        p += v
    out = run(lambda ps: Momentum(ps, lr=0.1), [1.0], grads)
    np.testing.assert_allclose(out, [p], rtol=0, atol=1e-15)


def test_sgd_nesterov_two_steps() -> None:
    # b1 = 1, step 1 + 0.9 * 1 = 1.9 -> p = 0.81;  b2 = 2.9, step 2 + 0.9 * 2.9 = 4.61 -> p = 0.349
    out = run(lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True), [1.0], [[1.0], [2.0]])
    np.testing.assert_allclose(out, [0.349], rtol=0, atol=1e-15)


def test_sgd_weight_decay_does_not_touch_grad() -> None:
    p = param([2.0])
    p.grad = np.array([1.0])
    SGD([p], lr=0.1, weight_decay=0.5).step()  # g = 1 + 0.5 * 2 = 2 -> p = 1.8
    np.testing.assert_allclose(p.data, [1.8], rtol=0, atol=1e-15)
    assert p.grad.tolist() == [1.0]


def test_adagrad_two_steps_and_lr_decay() -> None:
    # s = 4: p = 1 - 0.1 * 2 / 2 = 0.9;  s = 8: p = 0.9 - 0.1 * 2 / sqrt(8)
    out = run(lambda ps: AdaGrad(ps, lr=0.1, eps=0.0), [1.0], [[2.0], [2.0]])
    np.testing.assert_allclose(out, [0.9 - 0.2 / math.sqrt(8)], rtol=0, atol=1e-15)
    out = run(lambda ps: AdaGrad(ps, lr=0.1, eps=0.0, lr_decay=0.5), [1.0], [[2.0], [2.0]])
    np.testing.assert_allclose(out, [0.9 - (0.1 / 1.5) * 2 / math.sqrt(8)], rtol=0, atol=1e-15)


def test_adagrad_book_formula() -> None:
    p, h = np.array([1.0, -2.0]), np.zeros(2)
    grads = [[0.3, -1.0], [0.1, 2.0], [-0.7, 0.5]]
    for g in grads:
        h += np.square(g)
        p -= 0.05 * np.array(g) / (np.sqrt(h) + 1e-7)
    out = run(lambda ps: AdaGrad(ps, lr=0.05, eps=1e-7), [1.0, -2.0], grads)
    np.testing.assert_allclose(out, p, rtol=1e-15, atol=0)


def test_rmsprop_one_step_and_book_formula() -> None:
    # v = 0.1 * 4 = 0.4 -> p = 1 - 0.1 * 2 / sqrt(0.4)
    out = run(lambda ps: RMSprop(ps, lr=0.1, alpha=0.9, eps=0.0), [1.0], [[2.0]])
    np.testing.assert_allclose(out, [1 - 0.2 / math.sqrt(0.4)], rtol=0, atol=1e-15)
    p, h = np.array([0.5, 1.5]), np.zeros(2)
    grads = [[0.3, -1.0], [0.1, 2.0], [-0.7, 0.5]]
    for g in grads:
        h = 0.99 * h + 0.01 * np.square(g)
        p -= 0.01 * np.array(g) / (np.sqrt(h) + 1e-7)
    out = run(lambda ps: RMSprop(ps, lr=0.01, eps=1e-7), [0.5, 1.5], grads)
    np.testing.assert_allclose(out, p, rtol=1e-14, atol=0)


def test_rmsprop_centered_momentum_one_step() -> None:
    # v = 0.1 * 4 = 0.4, a = 0.1 * 2 = 0.2, d = sqrt(0.4 - 0.04) = 0.6; b = 2 / 0.6 -> p = 1 - 0.1 * b
    out = run(lambda ps: RMSprop(ps, lr=0.1, alpha=0.9, eps=0.0, centered=True, momentum=0.5), [1.0], [[2.0]])
    np.testing.assert_allclose(out, [1 - 0.1 * 2 / 0.6], rtol=0, atol=1e-15)


def test_adam_first_step_is_lr_times_sign() -> None:
    out = run(lambda ps: Adam(ps, lr=0.01, eps=0.0), [1.0, 1.0, 1.0], [[3.0, -1e-3, 250.0]])
    np.testing.assert_allclose(out, [0.99, 1.01, 0.99], rtol=0, atol=1e-15)


def test_adam_two_steps_by_hand() -> None:
    m1, v1 = 0.1 * 1, 0.001 * 1
    m2, v2 = 0.9 * m1 + 0.1 * 3, 0.999 * v1 + 0.001 * 9
    p = 1.0 - 0.01 * (m1 / 0.1) / (math.sqrt(v1 / 0.001) + 1e-8)
    p -= 0.01 * (m2 / (1 - 0.9 ** 2)) / (math.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8)
    out = run(lambda ps: Adam(ps, lr=0.01, eps=1e-8), [1.0], [[1.0], [3.0]])
    np.testing.assert_allclose(out, [p], rtol=1e-13, atol=0)


def test_adam_amsgrad_uses_the_max_second_moment() -> None:
    # step 2 with a tiny gradient: v2 < v1, so amsgrad divides by sqrt(v1 / bc2) instead
    m1, v1 = 0.1 * 4.0, 0.001 * 16.0
    m2, v2 = 0.9 * m1 + 0.1 * 0.0, 0.999 * v1
    p = 1.0 - 0.1 - 0.1 * (m2 / 0.19) / math.sqrt(max(v1, v2) / (1 - 0.999 ** 2))
    out = run(lambda ps: Adam(ps, lr=0.1, eps=0.0, amsgrad=True), [1.0], [[4.0], [0.0]])
    np.testing.assert_allclose(out, [p], rtol=1e-14, atol=0)


def test_value_parameters() -> None:
    w, b = Value(1.0), Value(-2.0)
    w.grad, b.grad = 0.5, -4.0
    opt = SGD([w, b], lr=0.1)
    opt.step()
    assert (w.data, b.data) == (0.95, -1.6) and isinstance(w.data, float)
    opt.zero_grad()
    assert (w.grad, b.grad) == (0.0, 0.0)


# ------------------------------------------------------------------------------------------------
# Bookkeeping
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda ps: AdaGrad(ps, lr=0.1),
    lambda ps: RMSprop(ps, lr=0.1, centered=True, momentum=0.3),
    lambda ps: Adam(ps, lr=0.1, amsgrad=True),
])
def test_in_place_update_keeps_identity_and_dtype(make: Callable[[List[Tensor]], Any]) -> None:
    p64, p32 = param([[1.0, 2.0]]), param([[1.0, 2.0]], np.float32)
    arrays = (p64.data, p32.data)
    opt = make([p64, p32])
    for _ in range(3):
        p64.grad = np.array([[0.5, -0.25]])
        p32.grad = np.array([[0.5, -0.25]], dtype=np.float32)
        opt.step()
    assert p64.data is arrays[0] and p32.data is arrays[1]
    assert p32.data.dtype == np.float32 and p64.data.dtype == np.float64
    assert not np.array_equal(p64.data, [[1.0, 2.0]])
    np.testing.assert_allclose(p32.data, p64.data, rtol=1e-6)


def test_grad_none_is_skipped_and_state_untouched() -> None:
    a, b = param([1.0]), param([1.0])
    opt = Adam([a, b], lr=0.1)
    a.grad = np.array([1.0])
    opt.step()  # b has no grad: unchanged, no state
    assert b.data.tolist() == [1.0] and 1 not in opt.state
    b.grad = np.array([1.0])
    a.grad = None
    opt.step()  # b's first step: exactly lr * sign(g) up to eps
    np.testing.assert_allclose(b.data, [0.9], rtol=1e-7)
    np.testing.assert_allclose(a.data, [0.9], rtol=1e-7)


def test_zero_grad_clears_tensor_grads() -> None:
    a = param([1.0, 2.0])
    a.grad = np.ones(2)
    opt = SGD([a], lr=0.1)
    opt.zero_grad()
    assert a.grad is None
    opt.step()
    assert a.data.tolist() == [1.0, 2.0]


def test_params_from_a_generator() -> None:
    ps = [param([1.0]), param([2.0])]
    opt = SGD((p for p in ps), lr=1.0)
    for p in ps:
        p.grad = np.array([1.0])
    opt.step()
    assert [p.data.tolist() for p in ps] == [[0.0], [1.0]]


def test_bad_grad_shape_leaves_everything_untouched() -> None:
    a, b = param([1.0]), param([1.0, 2.0])
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = np.array([1.0]), np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"SGD.step: parameter 1 has data of shape \(2,\) but grad of shape"):
        opt.step()
    assert a.data.tolist() == [1.0] and opt.state == {}


def test_read_only_data_is_a_clear_error() -> None:
    a = param([1.0, 2.0])
    a.data.flags.writeable = False
    a.grad = np.ones(2)
    with pytest.raises(ValueError, match="read-only"):
        SGD([a], lr=0.1).step()


# ------------------------------------------------------------------------------------------------
# Bad arguments
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda ps: SGD(ps, lr=-0.1), "SGD: invalid lr = -0.1"),
    (lambda ps: SGD(ps, lr=float("nan")), "SGD: invalid lr = nan"),
    (lambda ps: SGD(ps, lr=0.1, momentum=-0.5), "SGD: invalid momentum = -0.5"),
    (lambda ps: SGD(ps, lr=0.1, weight_decay=-1), "SGD: invalid weight_decay = -1"),
    (lambda ps: SGD(ps, lr=0.1, nesterov=True), "SGD: nesterov=True needs a momentum > 0"),
    (lambda ps: AdaGrad(ps, lr_decay=-1.0), "AdaGrad: invalid lr_decay"),
    (lambda ps: AdaGrad(ps, eps=-1e-10), "AdaGrad: invalid eps"),
    (lambda ps: RMSprop(ps, alpha=1.5), r"RMSprop: invalid alpha = 1.5; it must be in \[0, 1\]"),
    (lambda ps: RMSprop(ps, momentum=-0.1), "RMSprop: invalid momentum"),
    (lambda ps: Adam(ps, betas=(0.9, 1.0)), r"Adam: invalid betas\[1\] = 1.0; it must be in \[0, 1\)"),
    (lambda ps: Adam(ps, betas=(-0.1, 0.999)), r"Adam: invalid betas\[0\]"),
    (lambda ps: Adam(ps, betas=(0.9,)), "Adam: betas must be a pair"),
    (lambda ps: Adam(ps, eps=-1.0), "Adam: invalid eps"),
    (lambda ps: Adam([]), "Adam: got an empty parameter list"),
    (lambda ps: SGD(ps + ps, lr=0.1), "SGD: parameter 1 appears more than once"),
])
def test_bad_hyperparameters(make: Callable[[List[Tensor]], Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([param([1.0])])


def test_bad_types() -> None:
    with pytest.raises(TypeError, match="SGD: lr must be a number, got str"):
        SGD([param([1.0])], lr="0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="SGD: params must be an iterable of parameters"):
        SGD(param([1.0, 2.0]), lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="SGD: parameter 0 is a ndarray"):
        SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="SGD: nesterov must be True or False"):
        SGD([param([1.0])], lr=0.1, momentum=0.9, nesterov=1)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# PyTorch parity
# ------------------------------------------------------------------------------------------------

CASES: List[Dict[str, Any]] = [
    {"ours": SGD, "theirs": "SGD", "kw": {"lr": 0.1}},
    {"ours": SGD, "theirs": "SGD", "kw": {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}},
    {"ours": SGD, "theirs": "SGD", "kw": {"lr": 0.05, "momentum": 0.8, "nesterov": True}},
    {"ours": AdaGrad, "theirs": "Adagrad", "kw": {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1,
                                                 "initial_accumulator_value": 0.2}},
    {"ours": RMSprop, "theirs": "RMSprop", "kw": {"lr": 0.01}},
    {"ours": RMSprop, "theirs": "RMSprop", "kw": {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True,
                                                 "weight_decay": 0.05}},
    {"ours": Adam, "theirs": "Adam", "kw": {"lr": 0.01}},
    {"ours": Adam, "theirs": "Adam", "kw": {"lr": 0.02, "betas": (0.8, 0.99), "weight_decay": 0.1,
                                           "amsgrad": True}},
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['theirs']}-{sorted(c['kw'])}")
def test_torch_parity(case: Dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    starts = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    ours = [param(s) for s in starts]
    theirs = [torch.tensor(s, requires_grad=True) for s in starts]
    opt = case["ours"](ours, **case["kw"])
    topt = getattr(torch.optim, case["theirs"])(theirs, **case["kw"])
    for step in range(6):
        for i, (p, q) in enumerate(zip(ours, theirs)):
            g: Optional[np.ndarray] = rng.standard_normal(starts[i].shape) * 3.0 ** (step % 3 - 1)
            if step == 2 and i == 1:
                g = None  # not part of this step's graph: both libraries skip it
            p.grad = g
            q.grad = None if g is None else torch.tensor(g)
        opt.step()
        topt.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_docstring_examples_run() -> None:
    import doctest

    from autograd_lite import optim as module

    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0, result
