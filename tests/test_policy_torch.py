"""The numeric policy of the newer ops against PyTorch (issue 20, part 5).

``std`` where it is 0 (first and second order), ``max_pool2d`` of windows of -inf and NaN with
padding, ``pad``'s constant and loaded weights in float32/float16, and the refusals where PyTorch
returns a number: each as docs/api.md's policy table states it.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any, List

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import DomainError, Tensor, Value, nn
from autograd_lite import functional as F

torch = pytest.importorskip("torch")
seeds = st.integers(0, 2**32 - 1)


def _grads_to_second_order(t: Tensor, out: Tensor, w: np.ndarray, v: np.ndarray) -> List[np.ndarray]:
    (out * Tensor(w)).sum().backward(create_graph=True)
    g = t.grad
    first = g.data.copy()
    t.grad = None
    (g * Tensor(v)).sum().backward()
    return [first, t.grad]


@settings(deadline=None, max_examples=80)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
        elements=st.sampled_from([-2.0, -0.5, 0.0, 1.5, 3.5, 8.0]),
    ),
    st.sampled_from([None, 0, -1]),
    st.integers(0, 1),
    seeds,
)
def test_std_at_zero_and_elsewhere_is_pytorchs_in_both_orders(
    a: np.ndarray, axis: Any, ddof: int, seed: int
) -> None:
    n = a.size if axis is None else a.shape[axis]
    if n - ddof <= 0:
        return
    if seed % 3:  # often make the reduced slices constant: std exactly 0 there
        a = (
            np.full_like(a, a.flat[0])
            if axis is None
            else np.broadcast_to(a.take([0], axis=axis), a.shape).copy()
        )
    t = Tensor(a.copy(), requires_grad=True)
    out = t.std(axis=axis, ddof=ddof)
    rng = np.random.default_rng(seed)
    w, v = rng.standard_normal(out.shape), rng.standard_normal(a.shape)
    first, second = _grads_to_second_order(t, out, w, v)
    tt = torch.tensor(a, requires_grad=True)
    to = tt.std(dim=axis, correction=ddof) if axis is not None else tt.std(correction=ddof)
    (tg,) = torch.autograd.grad((to * torch.tensor(w)).sum(), tt, create_graph=True)
    (th,) = torch.autograd.grad((tg * torch.tensor(v)).sum(), tt, allow_unused=True, materialize_grads=True)
    np.testing.assert_allclose(out.data, to.detach().numpy(), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(first, tg.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(second, th.numpy(), rtol=1e-10, atol=1e-12)
    assert np.isfinite(first).all() and np.isfinite(second).all()


def test_std_of_one_number() -> None:
    t = Tensor([3.5], requires_grad=True)
    s = t.std()
    s.backward(create_graph=True)
    assert s.item() == 0.0 and t.grad.data.tolist() == [0.0]
    g = t.grad
    t.grad = None
    g.sum().backward()
    assert t.grad.tolist() == [0.0]


cells = st.sampled_from([-math.inf, -math.inf, math.nan, 0.0, 1.0, 2.0, -3.0])


@settings(deadline=None, max_examples=120)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 5), st.integers(1, 5)),
        elements=cells,
    ),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(0, 1),
    seeds,
)
def test_max_pool2d_with_minus_inf_nan_and_padding_is_pytorchs(
    x: np.ndarray, k: int, s: int, p: int, seed: int
) -> None:
    p = min(p, k // 2)
    if x.shape[2] + 2 * p < k or x.shape[3] + 2 * p < k:
        return
    t = Tensor(x.copy(), requires_grad=True)
    out = F.max_pool2d(t, k, s, p)
    tt = torch.tensor(x, requires_grad=True)
    to = torch.nn.functional.max_pool2d(tt, k, s, p)
    np.testing.assert_array_equal(out.data, to.detach().numpy())  # nan and -inf in the same places
    w = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(w)
    to.backward(torch.tensor(w))
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-14, atol=1e-15)  # sums in another order


def test_the_issues_max_pool2d() -> None:
    x = Tensor(np.array([[[[-math.inf, 1.0], [-math.inf, -math.inf]]]]), requires_grad=True)
    F.max_pool2d(x, 2, 2, 1).sum().backward()
    assert x.grad.ravel().tolist() == [1.0, 1.0, 1.0, 1.0]  # PyTorch's; the padding got two before


@settings(deadline=None, max_examples=60)
@given(
    st.sampled_from([np.float16, np.float32, np.float64]),
    st.one_of(st.floats(allow_nan=True), st.sampled_from([1e300, -1e300, 1e-10, 1e-50, 70000.0, 5e-324])),
)
def test_pad_constant_follows_the_policy_of_numbers(dtype: Any, c: float) -> None:
    t = Tensor(np.ones(2, dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        held = np.asarray(c, dtype)
    lost = math.isfinite(c) and (not np.isfinite(held) or (c != 0 and held == 0))
    try:
        out = t.pad(1, constant_values=c)
    except (OverflowError, ValueError) as e:
        assert lost and str(e).startswith("pad: the number") and "float64" in str(e)
        assert t.grad is None and t.data.tolist() == [1.0, 1.0]
        return
    assert not lost and out.dtype == dtype
    np.testing.assert_array_equal(out.data, np.pad(t.data, 1, constant_values=held))


@settings(deadline=None, max_examples=60)
@given(
    st.sampled_from([np.float16, np.float32]),
    st.lists(
        st.one_of(st.floats(-1e5, 1e5), st.sampled_from([1e300, -1e300, 1e-10, 1e-50, 70000.0, 0.0])),
        min_size=4,
        max_size=4,
    ),
)
def test_loading_float64_weights_into_smaller_layers(dtype: Any, values: List[float]) -> None:
    layer = nn.Conv2d(1, 4, 1, dtype=dtype, rng=0)
    before = {k: v.copy() for k, v in layer.state_dict().items()}
    state = {k: v.astype(np.float64) for k, v in before.items()}
    state["W"] = np.array(values).reshape(4, 1, 1, 1)
    with np.errstate(over="ignore", under="ignore"):
        held = state["W"].astype(dtype)
    lost = bool((np.isinf(held) | ((held == 0) & (state["W"] != 0))).any())
    try:
        layer.load_state_dict(state)
    except ValueError as e:
        assert lost and "Conv2d.load_state_dict" in str(e) and "cannot hold" in str(e)
        for k, v in layer.state_dict().items():
            np.testing.assert_array_equal(v, before[k])  # nothing was loaded
        return
    assert not lost
    np.testing.assert_array_equal(layer.W.data, held)


def test_where_pytorch_returns_a_number_autograd_lite_refuses() -> None:
    # each line of the policy table: PyTorch's number, then our refusal (Value and Tensor alike)
    docs = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    table = docs[docs.index("## Numeric policy") : docs.index("## Arguments")]
    for row in (
        "| mean over an empty axis | `nan` |",
        "| `var` / `std` with N ≤ ddof | `nan`",
        "| `clip(lo, hi)` with lo > hi | every element becomes `hi` |",
        "| a negative base to a non-integer power | `nan` |",
        "| `exp` overflowing its dtype",
        "| `std` where it is 0 | gradient 0, as PyTorch",
        "| `max_pool2d` |",
        "| sizes |",
    ):
        assert row in table, row
    f64 = torch.float64
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(torch.zeros(0, dtype=f64).mean().item())
        assert math.isnan(torch.tensor([1.0], dtype=f64).var(correction=1).item())
        assert math.isnan(torch.tensor([1.0], dtype=f64).std(correction=1).item())
    assert torch.tensor([1.0, 5.0], dtype=f64).clamp(3, 2).tolist() == [2.0, 2.0]
    assert math.isnan((torch.tensor([-2.0], dtype=f64) ** 0.5).item())
    assert math.isinf(torch.tensor([100.0]).exp().item())
    with pytest.raises(ValueError, match="mean: no elements"):
        Tensor(np.zeros(0)).mean()
    with pytest.raises(ValueError, match="var: needs more than ddof=1"):
        Tensor([1.0]).var(ddof=1)
    with pytest.raises(ValueError, match="std: needs more than ddof=1"):
        Tensor([1.0]).std(ddof=1)
    with pytest.raises(ValueError, match="clip: lo must be <= hi"):
        Tensor([1.0, 5.0]).clip(3, 2)
    with pytest.raises(DomainError, match="negative base"):
        Tensor([-2.0]) ** 0.5
    with pytest.raises(DomainError, match="negative base"):
        Value(-2.0) ** 0.5
    with pytest.raises(OverflowError, match="exp: result too large for float32"):
        Tensor(np.array([100.0], np.float32)).exp()
    with pytest.raises(OverflowError, match="exp"):
        Value(1000.0).exp()
