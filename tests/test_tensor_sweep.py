"""The first-order Tensor sweep adds most contributions in its own loop (the fast path of
``_add_to``, written out): it must give what the one adding place gives, bit for bit, and keep
its promises about a leaf's grad (an array of its own; a Tensor the user set stays one)."""

from __future__ import annotations

from typing import Any, Callable, List

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor
from autograd_lite import engine as _engine

# Each op takes the running tensor h and the leaves; several send the upstream itself (+, -),
# a view of it (reshape, sum's broadcast), a broadcast shape (a (3,) leaf times a (2, 3) h) or
# another dtype (float32 h times a float64 contribution of **'s exponent rule).
OPS: List[Callable[[Any, List[Tensor]], Any]] = [
    lambda h, L: h * L[0],
    lambda h, L: h + L[1],
    lambda h, L: h - L[0],
    lambda h, L: L[1] * h,
    lambda h, L: h + h,
    lambda h, L: h * h,
    lambda h, L: (h * 0.5).tanh(),
    lambda h, L: -h,
    lambda h, L: h ** 2,
    lambda h, L: (h * 0.1).exp(),
    lambda h, L: h.sigmoid(),
    lambda h, L: h.reshape(-1).reshape(h.shape),
    lambda h, L: h * L[2],  # (3,) against (2, 3): summed back
    lambda h, L: h + L[3],  # (2, 1): summed back along the columns
    lambda h, L: h.sum(axis=0) * h,
    lambda h, L: L[4] ** (h * 0.1),  # a node exponent: its exponent rule sends float64
]


def _leaves(dtype: Any, scalar_seed: int) -> List[Tensor]:
    rng = np.random.default_rng(scalar_seed)
    shapes = [(2, 3), (2, 3), (3,), (2, 1), (2, 3)]
    leaves = [Tensor(rng.uniform(0.5, 1.5, s).astype(dtype), requires_grad=True) for s in shapes]
    return leaves


def _run(program: List[int], dtype: Any, seed: int, traced: bool) -> List[Any]:
    leaves = _leaves(dtype, seed)
    h = leaves[0] * 1.0
    for k in program:
        h = OPS[k](h, leaves).sigmoid() + 0.5  # kept in (0.5, 1.5): no op overflows
    out = h.sum()
    if traced:  # each contribution through the one adding place (_sends, _accumulate: _add_to)
        _engine.backward(out, out._seed_for(None, "test"), trace=lambda *edge: None)
    else:
        out.backward()
    return leaves


@settings(deadline=None, max_examples=120)
@given(st.lists(st.integers(0, len(OPS) - 1), min_size=1, max_size=8),
       st.sampled_from([np.float64, np.float32]), st.integers(0, 3))
def test_the_sweep_adds_as_the_one_adding_place_does(program: List[int], dtype: Any, seed: int) -> None:
    with np.errstate(all="ignore"):
        fast = _run(program, dtype, seed, traced=False)
        slow = _run(program, dtype, seed, traced=True)
    grads = [x.grad for x in fast]
    for f, s in zip(fast, slow):
        if s.grad is None:
            assert f.grad is None
            continue
        assert type(f.grad) is np.ndarray and f.grad.dtype == f.data.dtype and f.grad.shape == f.data.shape
        assert f.grad.tobytes() == s.grad.tobytes(), program
        # a leaf's grad is an array of its own: no view, no array another leaf holds
        assert f.grad.base is None
        assert not any(f.grad is g for g in grads if g is not f.grad)


def test_a_leaf_grad_the_user_set_to_a_tensor_stays_a_tensor() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.grad = Tensor([10.0, 20.0])
    (x * 3.0).sum().backward()
    assert isinstance(x.grad, Tensor) and x.grad.data.tolist() == [13.0, 23.0]
    s = Tensor(2.0, requires_grad=True)
    s.grad = np.array(1.0)
    (s * s).backward()  # 0-d arrays: numpy's sum is a scalar; the grad stays an array
    assert type(s.grad) is np.ndarray and s.grad.shape == () and float(s.grad) == 5.0


def test_a_leaf_that_gets_the_upstream_itself_twice_owns_its_grad() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, 4.0], requires_grad=True)
    z = x + y + x  # x gets the upstream array itself from two nodes
    seed = np.array([1.0, 2.0])
    z.backward(seed)
    assert x.grad.tolist() == [2.0, 4.0] and y.grad.tolist() == [1.0, 2.0]
    assert y.grad is not seed and y.grad.base is None and x.grad is not y.grad
