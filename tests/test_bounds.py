"""Every input bounded (issue 20, parts 2 and 3): hostile sizes and arguments at random.

Hypothesis hands repeat, tile, pad, diff, einsum / tensordot / outer, conv2d, im2col, col2im,
max_pool2d, avg_pool2d, Conv2d, chain and var / std ints from tiny to 2**64 (and bools, floats,
strings, negatives).  Each call either gives numpy's values and PyTorch's gradient, or a
TypeError / ValueError naming the op -- and, for a size beyond ``checks.MAX_BYTES``, the argument
and the size it would need -- allocating almost nothing (tracemalloc) and changing no datum or
grad.  Times are measured and printed (``-s``), not asserted.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator, List, Tuple

import hostile
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, explain, nn
from autograd_lite import chain as chain_module
from autograd_lite import functional as F

torch = pytest.importorskip("torch")
seeds = st.integers(0, 2**32 - 1)
HUGE = [10**5, 3 * 10**4, 10**9, 2**31, 2**62, 2**63, 2**64, 10**30]
WRONG = [True, 1.5, float("nan"), "3", None, -1, -(2**63)]
ints = st.one_of(st.integers(0, 3), st.integers(0, 3), st.sampled_from(HUGE), st.sampled_from(WRONG))


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print("\n" + hostile.summary())


def _leaf(seed: int, shape: Tuple[int, ...]) -> Tuple[Tensor, Any, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    t = Tensor(a.copy(), requires_grad=True)
    t.grad = rng.standard_normal(shape)  # a grad already there: kept by a refusal, added to by backward
    tt = torch.tensor(a, requires_grad=True)
    tt.grad = torch.tensor(t.grad.copy())
    return t, tt, a


def _check(
    kind: str, what: str, op: str, call: Callable[[], Any], tensors: List[Tensor], huge: bool, arg: str
) -> Any:
    state = hostile.State(tensors)
    result, refused = hostile.attempt(kind, what, call, [op])
    if refused:
        state.unchanged()
        return None
    assert not huge, f"{what}: accepted a size beyond MAX_BYTES"
    return result


def _size_refusal(call: Callable[[], Any], arg: str) -> None:
    with pytest.raises(ValueError, match=f"(?=.*{arg})(?=.*would need .* elements)"):
        call()


def _same_grad(result: Tensor, expected: Any, pairs: List[Tuple[Tensor, Any]], seed: int) -> None:
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=1e-13, atol=1e-13)
    w = np.random.default_rng(seed + 7).standard_normal(result.shape)
    result.backward(w)
    expected.backward(torch.tensor(w))
    # a gradient summed over many terms (einsum over 10⁵ elements) differs from PyTorch's by the
    # rounding of a different summation order: bounded by a few ulps of Σ|terms|, not of the sum
    scale = float(np.abs(w).sum()) * max(1.0, max(float(np.abs(x.data).max(initial=0.0)) for x, _ in pairs))
    for x, tx in pairs:
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=max(1e-12, 1e-15 * scale))


def _is_big(*values: Any) -> bool:
    return any(type(v) is int and v >= 3 * 10**4 for v in values)


@settings(deadline=None, max_examples=120)
@given(st.sampled_from(["repeat", "tile", "pad", "diff"]), ints, st.sampled_from([None, 0, 1, -1]), seeds)
def test_copies_and_differences_are_bounded(op: str, k: Any, axis: Any, seed: int) -> None:
    t, tt, a = _leaf(seed, (2, 3))
    calls = {
        "repeat": (lambda: t.repeat(k, axis), lambda: tt.repeat_interleave(k, dim=axis), "repeats"),
        "tile": (
            lambda: t.tile((k, 1) if axis is None else k),
            lambda: tt.repeat((k, 1) if axis is None else (1, k)),
            "reps",
        ),
        "pad": (lambda: t.pad(k), lambda: torch.nn.functional.pad(tt, (k, k, k, k)), "pad_width"),
        "diff": (
            lambda: t.diff(k, -1 if axis is None else axis),
            lambda: torch.diff(tt, n=k, dim=-1 if axis is None else axis),
            "n",
        ),
    }
    ours, theirs, arg = calls[op]
    elements = (
        {"repeat": 6 * k, "tile": 6 * k, "pad": (2 + 2 * k) * (3 + 2 * k), "diff": 0}[op]
        if type(k) is int and k >= 0
        else 0
    )
    huge = elements * 8 > 2**32  # the oracle: checks.MAX_BYTES of float64
    result = _check("size", f"{op}({k!r}, axis={axis!r})", op, ours, [t], huge, arg)
    if result is None:
        if huge:
            _size_refusal(ours, arg)
        return
    if op == "diff" and (k == 0 or k >= a.shape[-1 if axis is None else axis]):
        return  # numpy's diff: the tensor itself, or nothing left (PyTorch refuses n beyond the axis)
    _same_grad(result, theirs(), [(t, tt)], seed)


@settings(deadline=None, max_examples=80)
@given(
    st.sampled_from(["einsum", "outer", "tensordot", "np.outer", "@", "np.matmul"]),
    st.sampled_from([1, 3, 4, 3 * 10**4, 10**5]),
    st.sampled_from([1, 2, 4, 10**5]),
    seeds,
)
def test_contractions_refuse_huge_outputs(op: str, n: int, m: int, seed: int) -> None:
    x, tx, _ = _leaf(seed, (n,))
    y, ty, _ = _leaf(seed + 1, (m,))
    ours = {
        "einsum": lambda: F.einsum("i,j->ij", x, y),
        "outer": lambda: F.outer(x, y),
        "tensordot": lambda: F.tensordot(x, y, 0),
        "np.outer": lambda: np.outer(x, y),
        "@": lambda: x.reshape(n, 1) @ y.reshape(1, m),
        "np.matmul": lambda: np.matmul(x.reshape(n, 1), y.reshape(1, m)),
    }[op]
    huge = n * m * 8 > 2**32
    name = {"np.outer": "outer", "np.matmul": "@"}.get(op, op)
    result = _check("size", f"{op} of {n} and {m} elements", name, ours, [x, y], huge, "")
    if result is None:
        assert huge
        _size_refusal(ours, "output of shape")
        return
    _same_grad(result, torch.outer(tx, ty), [(x, tx), (y, ty)], seed)


def test_tensordot_of_more_than_52_axes() -> None:
    a = Tensor(np.ones((1,) * 27), requires_grad=True)
    with pytest.raises(ValueError, match=r"tensordot: a and b have 27 \+ 27 = 54 axes; at most 52"):
        F.tensordot(a, a, 0)
    b = Tensor(np.ones((1,) * 26), requires_grad=True)
    F.tensordot(b, b, 0).sum().backward()  # 52 letters: allowed, and its gradient too
    assert b.grad.shape == (1,) * 26 and b.grad.item() == 2.0


@settings(deadline=None, max_examples=150)
@given(
    st.sampled_from(["conv2d", "im2col", "col2im", "max_pool2d", "avg_pool2d", "Conv2d"]),
    ints,
    ints,
    ints,
    seeds,
)
def test_convolution_sizes_are_bounded(op: str, kernel: Any, stride: Any, pad: Any, seed: int) -> None:
    x, tx, _ = _leaf(seed, (1, 2, 3, 3))
    w, tw, _ = _leaf(seed + 1, (2, 2, kernel if type(kernel) is int and 1 <= kernel <= 3 else 1, 1))
    calls = {
        "conv2d": lambda: F.conv2d(x, w, stride=stride, pad=pad),
        "im2col": lambda: F.im2col(x, kernel, stride, pad),
        "col2im": lambda: F.col2im(np.ones((1, 1)), (1, 1, kernel, pad), 1),
        "max_pool2d": lambda: F.max_pool2d(x, kernel, stride, pad),
        "avg_pool2d": lambda: F.avg_pool2d(x, kernel, stride, pad),
        "Conv2d": lambda: nn.Conv2d(kernel, stride, (1, 1), rng=0),
    }
    huge = (
        op in ("col2im", "Conv2d")
        and type(kernel) is int
        and type(pad if op == "col2im" else stride) is int
        and kernel * (pad if op == "col2im" else stride) > 2**29
        or op == "conv2d"
        and _is_big(pad)
    )
    result = _check(
        "size", f"{op}(kernel={kernel!r}, stride={stride!r}, pad={pad!r})", op, calls[op], [x, w], huge, ""
    )
    if result is None or op not in ("conv2d", "max_pool2d", "avg_pool2d"):
        return
    tf = torch.nn.functional
    if stride is not None:  # None: the pools' default, the kernel (as PyTorch)
        stride = min(stride, 100)  # any stride beyond the image gives the same one window (PyTorch: int64)
    expected = {
        "conv2d": lambda: tf.conv2d(tx, tw, stride=stride, padding=pad),
        "max_pool2d": lambda: tf.max_pool2d(tx, kernel, stride, pad),
        "avg_pool2d": lambda: tf.avg_pool2d(tx, kernel, stride, pad),
    }[op]()
    _same_grad(result, expected, [(x, tx), (w, tw)] if op == "conv2d" else [(x, tx)], seed)


def test_the_issues_sizes_are_refused_naming_the_argument() -> None:
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = Tensor(np.ones((2, 2)))
    for call, arg in (
        (lambda: t.repeat(2**63), "repeats=9223372036854775808"),
        (lambda: t.tile(2**63), "reps="),
        (lambda: t.pad(2**62), "pad_width="),
        (lambda: t.repeat(10**9), "repeats=1000000000 .*3000000000 elements"),
        (lambda: m.tile((10**5, 10**5)), "reps=\\(100000, 100000\\)"),
        (lambda: m.pad(10**5), "pad_width"),
        (lambda: F.conv2d(np.ones((1, 1, 1, 1)), np.ones((1, 1, 1, 1)), pad=20000), "pad=\\(20000"),
        (lambda: nn.Conv2d(10**5, 10**5, 3), "100000 filters"),
        (lambda: F.col2im(np.ones((1, 1)), (1, 1, 10**10, 1), 1), "image of shape"),
    ):
        _size_refusal(call, arg)
    assert t.diff(n=10**8).shape == (0,)  # n beyond the axis: numpy's empty result, at once
    big = Tensor(np.ones((1, 1, 1, 2 * 10**6)), requires_grad=True)  # a kernel as wide as the image
    F.max_pool2d(big, (1, 2 * 10**6)).sum().backward()
    assert big.grad[0, 0, 0, 0] == 1.0 and big.grad.sum() == 1.0


@settings(deadline=None, max_examples=60)
@given(st.one_of(st.integers(0, 40), st.sampled_from([3000, 30000, 10**5, 2**63]), st.sampled_from(WRONG)))
def test_chain_max_paths_is_bounded(max_paths: Any) -> None:
    x = Value(0.5, "x")
    v = x
    for _ in range(16):  # 2**16 paths
        v = (v * 1.0 + v * 1.0).tanh()
    v.backward()
    ex = explain(v)
    # the oracle: paths written times the 12 factors each shows, against the documented limit
    huge = type(max_paths) is int and min(max_paths, 2**16) * 12 > chain_module.MAX_SHOWN
    result = _check(
        "size",
        f"chain(max_paths={max_paths!r})",
        "chain",
        lambda: str(ex.chain(x, max_paths=max_paths)) and ex.chain(x, max_paths=max_paths),
        [],
        huge,
        "",
    )
    if result is None:
        if huge:
            with pytest.raises(ValueError, match=f"max_paths={max_paths} would write out"):
                ex.chain(x, max_paths=max_paths)
        return
    assert len(result.paths) == min(max_paths, 2**16) and result.count == 2**16
    assert result.total == pytest.approx(x.grad, rel=1e-12)


@settings(deadline=None, max_examples=60)
@given(st.one_of(st.integers(-2, 4), st.sampled_from([True, False, 1.5, float("nan"), "1", None, 2**70])))
def test_var_validates_ddof_as_std_does(ddof: Any) -> None:
    t, tt, _ = _leaf(0, (4,))
    outcomes = []
    for op in ("var", "std"):
        result, refused = hostile.attempt(
            "ddof", f"{op}(ddof={ddof!r})", lambda op=op: getattr(t, op)(ddof=ddof), [op]
        )
        outcomes.append((refused, None if refused else result.data.item()))
    assert outcomes[0][0] == outcomes[1][0]  # the same arguments refused by both
    if not outcomes[0][0]:
        assert outcomes[1][1] == pytest.approx(math.sqrt(outcomes[0][1]), rel=1e-14)
        assert outcomes[0][1] == pytest.approx(tt.var(correction=ddof).item(), rel=1e-14)
