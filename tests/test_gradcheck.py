"""gradcheck: passes correct gradients, catches wrong ones, never touches the caller's inputs."""

from __future__ import annotations

import math

import pytest

from autograd_lite import DomainError, GradcheckError, Value, gradcheck, gradcheck_report, no_grad
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
        return value_module._new(math.sin(self.data), "sin", self, 2 * math.cos(self.data))

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
    with pytest.raises(ValueError, match="eps > 0"):
        gradcheck(lambda a: a, Value(1.0), eps=0.0)
    with pytest.raises(RuntimeError, match="no_grad"):
        with no_grad():
            gradcheck(lambda a: a, Value(1.0))


def test_domain_edge_is_a_clear_error() -> None:
    with pytest.raises(DomainError, match="undefined within eps"):
        gradcheck(lambda a: a.log(), Value(1e-7))
