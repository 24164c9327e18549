"""autograd_lite.functional: values by hand, gradients by central differences, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_tensor_grads import check

from autograd_lite import Tensor
from autograd_lite import functional as F

EXAMPLES = settings(deadline=None, max_examples=25)
seeds = st.integers(0, 2**32 - 1)
matrices = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


# --------------------------------------------------------------------------- softmax family
def test_softmax_hand_values_and_stability() -> None:
    p = F.softmax(Tensor([1.0, 2.0, 3.0]))
    e = [math.exp(1), math.exp(2), math.exp(3)]
    assert p.data.tolist() == pytest.approx([v / sum(e) for v in e], rel=1e-15)
    big = F.softmax(Tensor([1000.0, 1000.0]))  # exp(1000) would overflow without the shift
    assert big.data.tolist() == [0.5, 0.5]
    ls = F.log_softmax(Tensor([1000.0, 0.0]))
    assert ls.data.tolist() == pytest.approx([0.0, -1000.0], abs=1e-12)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
@EXAMPLES
@given(data=st.data(), shape=matrices, seed=seeds)
def test_softmax_gradients(fn: object, data: st.DataObject, shape: tuple, seed: int) -> None:
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(seed).uniform(-3, 3, shape)
    out = fn(Tensor(x), axis=axis)  # type: ignore[operator]
    np.testing.assert_allclose(np.exp(out.data).sum(axis=axis) if fn is F.log_softmax
                               else out.data.sum(axis=axis), 1.0, rtol=1e-12)
    check(lambda t: fn(t, axis=axis), x, seed=seed)  # type: ignore[operator]


# --------------------------------------------------------------------------- cross-entropy
def test_cross_entropy_hand_values_both_label_forms() -> None:
    z = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    labels = np.array([0, 2])
    # loss = mean(-log softmax at the label); gradient (softmax - onehot) / N
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -(math.log(p[0, 0]) + math.log(p[1, 2])) / 2
    onehot = np.eye(3)[labels]
    for target in (labels, labels.tolist(), onehot, Tensor(onehot), Tensor(labels.astype(float))):
        logits = Tensor(z, requires_grad=True)
        loss = F.cross_entropy(logits, target)
        assert loss.shape == () and loss.item() == pytest.approx(expected, rel=1e-14)
        loss.backward()
        np.testing.assert_allclose(logits.grad, (p - onehot) / 2, rtol=1e-14, atol=1e-16)


def test_cross_entropy_single_row_and_float32() -> None:
    z = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    loss = F.cross_entropy(z, 2)
    p = np.exp(z.data) / np.exp(z.data).sum()
    assert loss.item() == pytest.approx(-math.log(p[2]), rel=1e-14)
    loss.backward()
    assert z.grad.shape == (3,)
    np.testing.assert_allclose(z.grad, p - np.eye(3)[2], rtol=1e-14)
    z32 = Tensor(np.array([[1.0, 2.0]], np.float32), requires_grad=True)
    loss32 = F.cross_entropy(z32, [1])
    loss32.backward()
    assert loss32.dtype == np.float32 and z32.grad.dtype == np.float32


@EXAMPLES
@given(n=st.integers(1, 4), c=st.integers(1, 5), seed=seeds, onehot=st.booleans())
def test_cross_entropy_gradients(n: int, c: int, seed: int, onehot: bool) -> None:
    rng = np.random.default_rng(seed)
    z = rng.uniform(-3, 3, (n, c))
    labels = rng.integers(0, c, n)
    target = np.eye(c)[labels] if onehot else labels
    check(lambda t: F.cross_entropy(t, target), z, seed=seed)


@EXAMPLES
@given(n=st.integers(1, 4), c=st.integers(1, 4), seed=seeds)
def test_cross_entropy_soft_targets_and_their_gradient(n: int, c: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    z = rng.uniform(-3, 3, (n, c))
    t = rng.uniform(0.1, 1.0, (n, c))  # rows need not sum to one
    check(lambda a, b: F.cross_entropy(a, b), z, t, seed=seed)


def test_cross_entropy_errors() -> None:
    z = Tensor(np.zeros((2, 3)))
    msg = r"labels of shape \(2,\) or one-hot rows of shape \(2, 3\).*got shape \(3,\)"
    with pytest.raises(ValueError, match=msg):
        F.cross_entropy(z, np.array([0, 1, 2]))
    msg = r"labels must lie in \[0, 3\) for 3 classes, got values from 0 to 3"
    with pytest.raises(ValueError, match=msg):
        F.cross_entropy(z, np.array([0, 3]))
    with pytest.raises(ValueError, match="got values from -1 to 0"):  # no silent wrap-around
        F.cross_entropy(z, np.array([0, -1]))
    with pytest.raises(ValueError, match="got values from 0 to 7"):
        F.cross_entropy(z, np.array([0, 7], np.uint8))
    with pytest.raises(ValueError, match="must be integers, got non-integer"):
        F.cross_entropy(z, np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"logits must have shape \(N, C\) or \(C,\), got \(1, 2, 3\)"):
        F.cross_entropy(Tensor(np.zeros((1, 2, 3))), [0])
    with pytest.raises(TypeError, match="expected a Tensor, got list"):
        F.cross_entropy([[1.0, 2.0]], [0])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- mse
def test_mse_hand_values_and_errors() -> None:
    pred = Tensor([1.0, 2.0, 4.0], requires_grad=True)
    loss = F.mse_loss(pred, np.array([1.0, 0.0, 1.0]))  # (0 + 4 + 9) / 3
    assert loss.item() == pytest.approx(13 / 3, rel=1e-15)
    loss.backward()
    assert pred.grad.tolist() == pytest.approx([0.0, 4 / 3, 2.0], rel=1e-15)  # 2 (p - t) / N
    msg = r"mse_loss: pred and target must have the same shape, got \(3,\) and \(3, 1\)"
    with pytest.raises(ValueError, match=msg):
        F.mse_loss(pred, np.ones((3, 1)))


@EXAMPLES
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), seed=seeds)
def test_mse_gradients(shape: tuple, seed: int) -> None:
    rng = np.random.default_rng(seed)
    check(F.mse_loss, rng.standard_normal(shape), rng.standard_normal(shape), seed=seed)


# --------------------------------------------------------------------------- joins
@EXAMPLES
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=3), seed=seeds,
       count=st.integers(1, 3))
def test_concatenate_and_stack(data: st.DataObject, shape: tuple, seed: int, count: int) -> None:
    rng = np.random.default_rng(seed)
    axis = data.draw(st.integers(0, len(shape) - 1))
    parts = []
    for _ in range(count):
        s = list(shape)
        s[axis] = data.draw(st.integers(1, 3))
        parts.append(rng.standard_normal(s))
    np.testing.assert_array_equal(F.concatenate([Tensor(p) for p in parts], axis=axis).data,
                                  np.concatenate(parts, axis=axis))
    check(lambda *ts: F.concatenate(list(ts), axis=axis), *parts, seed=seed)
    same = [rng.standard_normal(shape) for _ in range(count)]
    new_axis = data.draw(st.integers(0, len(shape)))
    np.testing.assert_array_equal(F.stack([Tensor(p) for p in same], axis=new_axis).data,
                                  np.stack(same, axis=new_axis))
    check(lambda *ts: F.stack(list(ts), axis=new_axis), *same, seed=seed)


def test_join_errors_and_constants() -> None:
    msg = r"concatenate: shapes \(2, 3\), \(2, 4\) do not match except along axis 0"
    with pytest.raises(ValueError, match=msg):
        F.concatenate([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))])
    with pytest.raises(ValueError, match="stack: all shapes must be equal"):
        F.stack([Tensor(np.ones(2)), Tensor(np.ones(3))])
    with pytest.raises(TypeError, match="list or tuple of Tensors"):
        F.stack(Tensor(np.ones(2)))  # type: ignore[arg-type]
    x = Tensor([1.0, 2.0], requires_grad=True)
    out = F.concatenate([np.zeros(1), x, Tensor([5.0]), x])  # constants get no gradient; x twice adds
    out.backward(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    assert x.grad.tolist() == [2.0 + 5.0, 3.0 + 6.0] and len(out.parents) == 4


# --------------------------------------------------------------------------- selection
@EXAMPLES
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3), seed=seeds)
def test_where_with_broadcasting(shapes: hnp.BroadcastableShapes, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sc, sx, sy = shapes.input_shapes
    cond = rng.random(sc) > 0.5
    x, y = rng.standard_normal(sx), rng.standard_normal(sy)
    np.testing.assert_array_equal(F.where(cond, Tensor(x), Tensor(y)).data, np.where(cond, x, y))
    check(lambda a, b: F.where(cond, a, b), x, y, seed=seed)


@pytest.mark.parametrize("fn", [F.maximum, F.minimum])
@EXAMPLES
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), seed=seeds)
def test_maximum_minimum(fn: object, shapes: hnp.BroadcastableShapes, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)  # continuous: no ties
    ref = np.maximum if fn is F.maximum else np.minimum
    np.testing.assert_array_equal(fn(Tensor(a), Tensor(b)).data, ref(a, b))  # type: ignore[operator]
    check(lambda s, t: fn(s, t), a, b, seed=seed)  # type: ignore[operator]


def test_maximum_ties_split_and_errors() -> None:
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([1.0, 5.0, 0.0], requires_grad=True)
    F.maximum(a, b).backward(np.array([2.0, 2.0, 2.0]))
    assert a.grad.tolist() == [1.0, 0.0, 2.0] and b.grad.tolist() == [1.0, 2.0, 0.0]
    c = Tensor([0.0, -1.0], requires_grad=True)
    F.minimum(c, 0.0).sum().backward()
    assert c.grad.tolist() == [0.5, 1.0]
    with pytest.raises(ValueError, match=r"maximum: shapes \(3,\) and \(2,\)"):
        F.maximum(a, c)
    with pytest.raises(TypeError, match="where: condition must be boolean"):
        F.where(np.array([1.0, 0.0]), c, c)
    with pytest.raises(ValueError, match=r"where: shapes \(3,\), \(2,\) and \(2,\)"):
        F.where(np.array([True, False, True]), c, c)
