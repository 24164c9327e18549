"""Every Tensor op against float64 central differences, on random shapes (hypothesis).

The oracle is written here, independent of the library: for an op ``f`` and a random
upstream ``w`` of the output's shape, ``d sum(f(x) * w) / d x`` by central differences,
compared with what ``f(x).backward(w)`` leaves in ``x.grad``.  Shapes include broadcast
pairs and size-1 axes; values stay away from the points where an op is not smooth.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
from graphs import numeric_grads
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import Tensor

EXAMPLES = settings(deadline=None, max_examples=30)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3)
seeds = st.integers(0, 2**32 - 1)


def check(f: Callable[..., Tensor], *arrays: np.ndarray, seed: int = 0, rtol: float = 1e-5,
          atol: float = 1e-6) -> None:
    """Analytic gradients of every input match central differences and have its shape."""
    rng = np.random.default_rng(seed)
    arrays = tuple(np.array(a, dtype=np.float64) for a in arrays)  # 0-d results of numpy are scalars
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = f(*xs)
    w = rng.standard_normal(out.shape)
    out.backward(w)
    for x, a, num in zip(xs, arrays, numeric_grads(f, arrays, w)):
        assert x.grad is not None and x.grad.shape == a.shape
        np.testing.assert_allclose(x.grad, num, rtol=rtol, atol=atol)


def away_from_zero(rng: np.random.Generator, shape: tuple, lo: float = 0.3, hi: float = 2.0) -> np.ndarray:
    return rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


# --------------------------------------------------------------------------- binary, broadcasting
BINARY = {
    "+": (lambda a, b: a + b, "any", "any"),
    "-": (lambda a, b: a - b, "any", "any"),
    "*": (lambda a, b: a * b, "any", "any"),
    "/": (lambda a, b: a / b, "any", "nonzero"),
    "** tensor": (lambda a, b: a ** b, "positive", "any"),
}


@pytest.mark.parametrize("name", list(BINARY))
@EXAMPLES
@given(shapes=pairs, seed=seeds)
def test_binary_ops_with_broadcasting(name: str, shapes: hnp.BroadcastableShapes, seed: int) -> None:
    f, dom_a, dom_b = BINARY[name]
    rng = np.random.default_rng(seed)

    def draw(dom: str, shape: tuple) -> np.ndarray:
        if dom == "positive":
            return rng.uniform(0.5, 2.0, shape)
        if dom == "nonzero":
            return away_from_zero(rng, shape)
        return rng.uniform(-2.0, 2.0, shape)

    sa, sb = shapes.input_shapes
    check(f, draw(dom_a, sa), draw(dom_b, sb), seed=seed)


@EXAMPLES
@given(shape=shapes, seed=seeds, number=st.sampled_from([2.0, -1.5, 3]), side=st.sampled_from("lr"))
def test_ops_with_numbers_on_either_side(shape: tuple, seed: int, number: float, side: str) -> None:
    rng = np.random.default_rng(seed)
    x = away_from_zero(rng, shape)
    if side == "l":
        check(lambda t: number - t + number * t + number / t, x, seed=seed)
    else:
        check(lambda t: t - number + t * number + t / number, x, seed=seed)
    check(lambda t: 2.0 ** t, x, seed=seed)


# --------------------------------------------------------------------------- unary
UNARY = {
    "neg": (lambda t: -t, "any"),
    "exp": (lambda t: t.exp(), "any"),
    "log": (lambda t: t.log(), "positive"),
    "sqrt": (lambda t: t.sqrt(), "positive"),
    "abs": (lambda t: t.abs(), "nonzero"),
    "abs()": (lambda t: abs(t), "nonzero"),
    "tanh": (lambda t: t.tanh(), "any"),
    "sigmoid": (lambda t: t.sigmoid(), "any"),
    "relu": (lambda t: t.relu(), "nonzero"),
    "clip": (lambda t: t.clip(-1.0, 1.0), "clip"),
    "clip lo": (lambda t: t.clip(lo=0.0), "nonzero"),
    "**2": (lambda t: t ** 2, "any"),
    "**3": (lambda t: t ** 3, "any"),
    "**0.5": (lambda t: t ** 0.5, "positive"),
    "**-1": (lambda t: t ** -1, "nonzero"),
    "**-1.5": (lambda t: t ** -1.5, "positive"),
    "reshape": (lambda t: t.reshape(-1), "any"),
    "flatten": (lambda t: t.flatten(), "any"),
    "T": (lambda t: t.T, "any"),
    "transpose": (lambda t: t.transpose(*reversed(range(t.ndim))), "any"),
    "chain": (lambda t: ((t * 1.5).tanh() * t + t.sigmoid()).exp(), "any"),
}


@pytest.mark.parametrize("name", list(UNARY))
@EXAMPLES
@given(shape=shapes, seed=seeds)
def test_unary_ops(name: str, shape: tuple, seed: int) -> None:
    f, dom = UNARY[name]
    rng = np.random.default_rng(seed)
    if dom == "positive":
        x = rng.uniform(0.3, 3.0, shape)
    elif dom == "nonzero":
        x = away_from_zero(rng, shape, 0.05, 2.0)
    elif dom == "clip":  # keep clear of the clip points -1 and 1
        x = rng.choice([-1.6, -0.5, 0.2, 0.7, 1.4], shape) + rng.uniform(-0.1, 0.1, shape)
    else:
        x = rng.uniform(-2.0, 2.0, shape)
    check(f, x, seed=seed)


# --------------------------------------------------------------------------- reductions
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var"])
@EXAMPLES
@given(data=st.data(), shape=shapes, seed=seeds, keepdims=st.booleans())
def test_reductions_with_axes(name: str, data: st.DataObject, shape: tuple, seed: int,
                              keepdims: bool) -> None:
    rng = np.random.default_rng(seed)
    x = rng.permutation(np.linspace(-2.0, 2.0, int(np.prod(shape)))).reshape(shape)  # no ties
    choice = data.draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none" or not shape:
        axis = None
    elif choice == "int":
        axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    else:
        axis = tuple(data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1)))
    out = getattr(Tensor(x), name)(axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.data, getattr(np, name)(x, axis=axis, keepdims=keepdims), rtol=1e-12)
    check(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x, seed=seed)


def test_max_ties_split_evenly() -> None:
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).backward(np.array([1.0, 6.0]))
    assert x.grad.tolist() == [[0.0, 0.5, 0.5], [2.0, 2.0, 2.0]]
    y = Tensor([-1.0, -1.0, 4.0, -1.0], requires_grad=True)
    y.min().backward()
    assert y.grad.tolist() == pytest.approx([1 / 3, 1 / 3, 0.0, 1 / 3], abs=1e-15)


def test_var_ddof_and_hand_values() -> None:
    x = Tensor([1.0, 2.0, 4.0], requires_grad=True)  # mean 7/3
    v = x.var(ddof=1)
    assert v.item() == pytest.approx(np.var([1.0, 2.0, 4.0], ddof=1), rel=1e-15)
    v.backward()  # 2 (x - mean) / (N - 1)
    assert x.grad == pytest.approx([(1 - 7 / 3), (2 - 7 / 3), (4 - 7 / 3)], rel=1e-14)


# --------------------------------------------------------------------------- matmul
MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)), ((2, 2, 3), (3,)),
    ((2, 1, 2, 3), (3, 3, 2)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_all_ranks(sa: tuple, sb: tuple) -> None:
    rng = np.random.default_rng(len(sa) * 10 + len(sb))
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    np.testing.assert_allclose((Tensor(a) @ Tensor(b)).data, a @ b, rtol=1e-14)
    check(lambda x, y: x @ y, a, b)


def test_matmul_hand_values() -> None:
    # C = A B; with upstream ones: dA = 1 B^T (row sums of B), dB = A^T 1 (column sums of A)
    A = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    B = Tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    (A @ B).sum().backward()
    assert A.grad.tolist() == [[11.0, 15.0], [11.0, 15.0]]
    assert B.grad.tolist() == [[4.0, 4.0], [6.0, 6.0]]


# --------------------------------------------------------------------------- indexing
@EXAMPLES
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds)
def test_getitem(data: st.DataObject, shape: tuple, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    kind = data.draw(st.sampled_from(["slice", "int", "ints", "mask", "tuple"]))
    if kind == "slice":
        index = slice(data.draw(st.integers(0, shape[0] - 1)), None, data.draw(st.integers(1, 2)))
    elif kind == "int":
        index = data.draw(st.integers(-shape[0], shape[0] - 1))
    elif kind == "ints":  # repeats allowed: their gradients must add up
        index = np.array(data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=6)))
    elif kind == "mask":
        index = rng.random(shape) > 0.4
    else:
        index = (slice(None), np.array([0, 0])) if len(shape) > 1 else (np.array([0, 0]),)
    np.testing.assert_array_equal(Tensor(x)[index].data, x[index])
    check(lambda t: t[index], x, seed=seed)
