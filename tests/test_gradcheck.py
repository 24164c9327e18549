"""gradcheck: passes correct gradients, catches wrong ones, never touches the caller's inputs."""

from __future__ import annotations

import math

import pytest

from autograd_lite import DomainError, GradcheckError, Value, gradcheck, gradcheck_report, no_grad, ops
from autograd_lite import value as value_module


def test_passes_on_hand_example() -> None:
    # z = (x + y)**2 at (1, 2): dz/dx = dz/dy = 2 (x + y) = 6
    x, y = Value(1.0, "x"), Value(2.0, "y")
    assert gradcheck(lambda a, b: (a + b) ** 2, x, y) is True
    records = gradcheck_report(lambda a, b: (a + b) ** 2, x, y)
    assert [r.label for r in records] == ["x", "y"]
    for r in records:
        assert r.analytic == pytest.approx(6.0, abs=1e-12)
        assert r.numeric == pytest.approx(6.0, abs=1e-7)
        assert r.abs_error == pytest.approx(abs(r.analytic - r.numeric))
        assert r.ok and r.element is None and r.shape == ()


def test_callers_inputs_untouched() -> None:
    x = Value(0.7, "x")
    x.grad = 5.0  # an existing gradient must survive
    gradcheck(lambda a: a.tanh() * a, x)
    assert x.grad == 5.0 and x.data == 0.7


def test_unused_input_has_zero_gradient() -> None:
    records = gradcheck_report(lambda a, b: a * 3, Value(1.0), Value(2.0))
    assert records[1].analytic == 0.0 and records[1].numeric == 0.0 and records[1].ok


def test_mismatch_raises_with_every_input_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Break sin's local derivative (cos -> 2 cos): gradcheck must notice.
    def bad_sin(self: Value) -> Value:
        return value_module._new(math.sin(self.data), ops.OPS["sin"].tag, self, 2 * math.cos(self.data))

    monkeypatch.setattr(Value, "sin", bad_sin)
    x, y = Value(0.3, "x"), Value(1.1, "y")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: a.sin() + b * b, x, y)
    msg = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "1 of 2 inputs" in msg
    assert "input 0 'x'" in msg and "MISMATCH" in msg
    assert "input 1 'y'" in msg and "-- ok" in msg
    # the numbers in the message are the analytic (2 cos 0.3) and numeric (cos 0.3) values
    from autograd_lite import fmt
    assert fmt(2 * math.cos(0.3)) in msg
    bad, good = info.value.records
    assert not bad.ok and good.ok
    assert bad.numeric == pytest.approx(math.cos(0.3), abs=1e-8)
    assert good.analytic == pytest.approx(2.2, abs=1e-12)


def test_tolerances_are_torch_like() -> None:
    # f = 1e6 x: numeric error ~1e-4 absolute, fine relative to |numeric| = 1e6
    assert gradcheck(lambda a: a * 1e6, Value(0.5))
    # atol=rtol=0 demands exact agreement, which central differences cannot give here
    with pytest.raises(GradcheckError):
        gradcheck(lambda a: (a * 3.1).exp(), Value(0.37), atol=0.0, rtol=0.0)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="input 0 must be a Value"):
        gradcheck(lambda a: a, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="at least one input"):
        gradcheck(lambda: Value(1.0))
    with pytest.raises(TypeError, match="must return a scalar Value or a one-element Tensor, got float"):
        gradcheck(lambda a: a.data, Value(1.0))
    with pytest.raises(ValueError, match="eps must be a finite number > 0, got 0"):
        gradcheck(lambda a: a, Value(1.0), eps=0.0)
    for name, bad, error in (("eps", float("nan"), ValueError), ("atol", float("nan"), ValueError),
                             ("rtol", -1.0, ValueError), ("eps", "a", TypeError), ("atol", True, TypeError)):
        with pytest.raises(error, match=f"gradcheck: {name}"):
            gradcheck(lambda a: a, Value(1.0), **{name: bad})
    # inside no_grad() the check runs anyway (the derivative functions' one rule): never vacuous
    with no_grad():
        assert gradcheck(lambda a: a * a, Value(1.5))
        with pytest.raises(GradcheckError):
            gradcheck(lambda a: Value(a.data * a.data) + a, Value(1.5))


def test_domain_edge_is_a_clear_error() -> None:
    with pytest.raises(DomainError, match="undefined within eps"):
        gradcheck(lambda a: a.log(), Value(1e-7))


# --------------------------------------------------------------------------- Tensors
def test_tensor_inputs_pass_and_report_per_element() -> None:
    import numpy as np

    from autograd_lite import Tensor

    x = Tensor([[1.0, -2.0], [0.5, 3.0]], label="x")
    w = Tensor([0.3, -0.7], label="w")
    assert gradcheck(lambda a, b: ((a @ b).tanh() * 2).sum(), x, w)
    rx, rw = gradcheck_report(lambda a, b: ((a @ b).tanh() * 2).sum(), x, w)
    assert rx.shape == (2, 2) and rw.shape == (2,) and rx.element is not None
    assert rx.analytic_grad.shape == (2, 2) and rx.numeric_grad.shape == (2, 2)
    # the reported numbers are the ones at the named element
    assert rx.analytic == rx.analytic_grad[rx.element] and rx.numeric == rx.numeric_grad[rx.element]
    # hand check: d/dx_ij of 2 sum(tanh(x w)) = 2 (1 - tanh(x_i w)**2) w_j
    t = np.tanh(x.data @ w.data)
    np.testing.assert_allclose(rx.analytic_grad, 2 * (1 - t * t)[:, None] * w.data[None, :], rtol=1e-14)


def test_tensor_mismatch_names_the_worst_element(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from autograd_lite import Tensor
    from autograd_lite.tensor import elementwise

    def wrong_exp_rule(g: np.ndarray, a: np.ndarray, out: np.ndarray, saved: object) -> np.ndarray:
        c = g * out
        c.reshape(-1)[-1] *= 3.0  # the last element's gradient is wrong
        return c

    monkeypatch.setitem(elementwise._RULES, "exp", wrong_exp_rule)
    x = Tensor(np.array([[0.1, 0.2], [0.3, 0.4]]), label="x")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: a.exp().sum(), x)
    msg = str(info.value)
    assert "input 0 'x' (worst element (1, 1) of shape (2, 2))" in msg and "MISMATCH" in msg
    (record,) = info.value.records
    assert record.element == (1, 1)
    assert record.analytic == pytest.approx(3 * np.exp(0.4), rel=1e-12)
    assert record.numeric == pytest.approx(np.exp(0.4), rel=1e-8)


def test_tensor_inputs_untouched_and_checked_in_float64() -> None:
    import numpy as np

    from autograd_lite import Tensor

    data = np.array([0.5, 1.5], np.float32)
    x = Tensor(data, requires_grad=True)
    x.grad = np.array([7.0, 7.0], np.float32)
    assert gradcheck(lambda a: (a.log() * a).sum(), x)
    assert x.grad.tolist() == [7.0, 7.0] and x.data is data and x.data.dtype == np.float32
    (rec,) = gradcheck_report(lambda a: (a * a).sum(), x)
    assert rec.analytic_grad.dtype == np.float64


def test_tensor_output_must_be_scalar_and_unused_inputs() -> None:
    from autograd_lite import Tensor

    x = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"f must return a scalar, got a Tensor of shape \(2,\)"):
        gradcheck(lambda a: a * 2, x)
    unused = gradcheck_report(lambda a, b: (a * 2).sum(), x, Tensor([[1.0]]))[1]
    assert unused.ok and unused.analytic_grad.tolist() == [[0.0]] and unused.numeric_grad.tolist() == [[0.0]]
    assert gradcheck(lambda a, v: (a * 2).sum().item() * 0 + v * v, x, Value(3.0)) is True
