"""Parity with PyTorch (float64, CPU) on the same ops: values and gradients.

Skipped when torch is not installed.  Includes the conventions where engines may
differ: ties in max/min/maximum (split evenly), relu/abs at 0, clip at its bounds,
sqrt at 0, repeated indices, broadcasting, batched matmul.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import numpy as np
import pytest

from autograd_lite import Tensor
from autograd_lite import functional as F

torch = pytest.importorskip("torch")


def both(ours: Callable[..., Tensor], theirs: Callable[..., Any], *arrays: np.ndarray,
         seed: int = 0) -> None:
    """Same values and same gradients (for a random upstream) from both engines."""
    w = None
    ts = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = ours(*ts)
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    ref = theirs(*tt)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-14)
    w = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(w)
    ref.backward(torch.from_numpy(w))
    for t, r in zip(ts, tt):
        expected = np.zeros(t.shape) if r.grad is None else r.grad.numpy()
        got = np.zeros(t.shape) if t.grad is None else t.grad
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


rng = np.random.default_rng(7)
A = rng.standard_normal((3, 4))
B = rng.standard_normal((4,))
POS = rng.uniform(0.5, 2.0, (3, 4))
COL = rng.standard_normal((3, 1))

CASES: Dict[str, List[Any]] = {
    "add broadcast": [lambda a, b: a + b, lambda a, b: a + b, A, B],
    "sub broadcast": [lambda a, b: a - b, lambda a, b: a - b, COL, B],
    "mul broadcast": [lambda a, b: a * b, lambda a, b: a * b, A, COL],
    "div broadcast": [lambda a, b: a / b, lambda a, b: a / b, A, POS],
    "pow tensor": [lambda a, b: a ** b, lambda a, b: a ** b, POS, A],
    "rpow number": [lambda a: 2.0 ** a, lambda a: 2.0 ** a, A],
    "pow number": [lambda a: a ** 3 + a ** 2 + a ** -1, lambda a: a ** 3 + a ** 2 + a ** -1, POS],
    "neg exp log sqrt": [lambda a: (-a).exp() + a.log() + a.sqrt(),
                         lambda a: torch.exp(-a) + torch.log(a) + torch.sqrt(a), POS],
    "tanh sigmoid": [lambda a: a.tanh() * a.sigmoid(), lambda a: torch.tanh(a) * torch.sigmoid(a), A],
    "relu abs with zeros": [lambda a: a.relu() + a.abs(), lambda a: torch.relu(a) + torch.abs(a),
                            np.array([-1.0, 0.0, 2.0, 0.0])],
    "clip at its bounds": [lambda a: a.clip(-1.0, 1.0), lambda a: torch.clamp(a, -1.0, 1.0),
                           np.array([-2.0, -1.0, 0.0, 1.0, 3.0])],
    "sum axes": [lambda a: a.sum(axis=(0, 2), keepdims=True), lambda a: a.sum(dim=(0, 2), keepdim=True),
                 rng.standard_normal((2, 3, 4))],
    "mean axis": [lambda a: a.mean(axis=1), lambda a: a.mean(dim=1), A],
    "var": [lambda a: a.var(axis=0), lambda a: a.var(dim=0, unbiased=False), A],
    "max ties": [lambda a: a.max(axis=1), lambda a: torch.amax(a, dim=1),
                 np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])],
    "max all ties": [lambda a: a.max(), lambda a: a.max(), np.array([[1.0, 3.0], [3.0, 0.0]])],
    "min keepdims": [lambda a: a.min(axis=0, keepdims=True), lambda a: torch.amin(a, dim=0, keepdim=True), A],
    "matmul 2-D": [lambda a, b: a @ b, lambda a, b: a @ b, A, rng.standard_normal((4, 2))],
    "matmul 1-D": [lambda a, b: a @ b, lambda a, b: a @ b, A, B],
    "matmul batched broadcast": [lambda a, b: a @ b, lambda a, b: a @ b, rng.standard_normal((2, 1, 3, 4)),
                                 rng.standard_normal((5, 4, 2))],
    "reshape transpose": [lambda a: a.reshape(2, 6).T.flatten(), lambda a: a.reshape(2, 6).T.flatten(), A],
    "transpose axes": [lambda a: a.transpose(2, 0, 1), lambda a: a.permute(2, 0, 1),
                       rng.standard_normal((2, 3, 4))],
    "getitem repeated": [lambda a: a[[0, 0, 2]], lambda a: a[[0, 0, 2]], A],
    "getitem mask": [lambda a: a[a.data > 0], lambda a: a[a > 0], A],
    "getitem slice int": [lambda a: a[1:, 2], lambda a: a[1:, 2], A],
    "softmax": [lambda a: F.softmax(a, axis=0), lambda a: torch.softmax(a, dim=0), A],
    "log_softmax": [lambda a: F.log_softmax(a), lambda a: torch.log_softmax(a, dim=-1), A],
    "cross_entropy labels": [lambda a: F.cross_entropy(a, np.array([0, 3, 1])),
                             lambda a: torch.nn.functional.cross_entropy(a, torch.tensor([0, 3, 1])), A],
    "cross_entropy probs": [lambda a, t: F.cross_entropy(a, t),
                            lambda a, t: torch.nn.functional.cross_entropy(a, t), A,
                            POS / POS.sum(1, keepdims=True)],
    "mse_loss": [lambda a, b: F.mse_loss(a, b), lambda a, b: torch.nn.functional.mse_loss(a, b), A, POS],
    "concatenate": [lambda a, b: F.concatenate([a, b], axis=1), lambda a, b: torch.cat([a, b], dim=1),
                    A, COL],
    "stack": [lambda a, b: F.stack([a, b], axis=1), lambda a, b: torch.stack([a, b], dim=1), A, POS],
    "where": [lambda a, b: F.where(A > 0, a, b), lambda a, b: torch.where(torch.from_numpy(A > 0), a, b),
              COL, B],
    "maximum ties": [lambda a, b: F.maximum(a, b), lambda a, b: torch.maximum(a, b),
                     np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])],
    "minimum": [lambda a, b: F.minimum(a, b), lambda a, b: torch.minimum(a, b), A, B],
}


@pytest.mark.parametrize("name", list(CASES))
def test_parity(name: str) -> None:
    ours, theirs, *arrays = CASES[name]
    both(ours, theirs, *arrays)


def test_sqrt_at_zero_is_infinite_slope_like_torch() -> None:
    x = Tensor([0.0, 4.0], requires_grad=True)
    x.sqrt().sum().backward()
    t = torch.tensor([0.0, 4.0], requires_grad=True)
    torch.sqrt(t).sum().backward()
    assert x.grad.tolist() == t.grad.tolist() == [float("inf"), 0.25]


def test_mlp_training_steps_match_torch() -> None:
    r = np.random.default_rng(3)
    x, y = r.standard_normal((8, 5)), r.integers(0, 3, 8)
    init = [r.standard_normal((5, 4)) * 0.5, np.zeros(4), r.standard_normal((4, 3)) * 0.5, np.zeros(3)]
    ours = [Tensor(p.copy(), requires_grad=True) for p in init]
    theirs = [torch.tensor(p, requires_grad=True) for p in init]
    for _ in range(5):
        loss = F.cross_entropy((Tensor(x) @ ours[0] + ours[1]).relu() @ ours[2] + ours[3], y)
        ref = torch.nn.functional.cross_entropy(
            torch.relu(torch.from_numpy(x) @ theirs[0] + theirs[1]) @ theirs[2] + theirs[3],
            torch.from_numpy(y),
        )
        assert loss.item() == pytest.approx(ref.item(), rel=1e-12)
        loss.backward()
        ref.backward()
        with torch.no_grad():
            for p, q in zip(ours, theirs):
                np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-14)
                p.data -= 0.5 * p.grad
                p.grad = None
                q -= 0.5 * q.grad
                q.grad = None
