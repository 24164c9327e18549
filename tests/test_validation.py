"""Every public argument validated, errors naming the op (one helper per kind of argument)."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, nn, optim
from autograd_lite import functional as F

M = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)


@pytest.mark.parametrize("call, error, message", [
    (lambda: Value(10 ** 400), OverflowError, r"^Value: the number .* too large for a float"),
    (lambda: M + 10 ** 400, OverflowError, r"^\+: the number .* too large for a float"),
    (lambda: M.transpose(0, 5), ValueError, r"^transpose: axis 5 is out of range .* 2 dimensions"),
    (lambda: M.transpose(1.5, 0), TypeError, r"^transpose: axis must be an int, got float: 1.5"),
    (lambda: M.transpose(0, 0), ValueError, r"^transpose: axes \(0, 0\) are not a permutation"),
    (lambda: M.sum(axis="0"), TypeError, r"^sum: axis must be None, an int or a tuple of ints, got str"),
    (lambda: M.sum(axis=True), TypeError, r"^sum: axis must be None, an int or a tuple of ints, got bool"),
    (lambda: M.mean(axis=(0, 1.0)), TypeError, r"^mean: axis must be an int, got float"),
    (lambda: Tensor([1.0], requires_grad="no"), TypeError,
     r"^Tensor: requires_grad must be True or False, got str"),
    (lambda: Tensor([1.0], requires_grad=1), TypeError,
     r"^Tensor: requires_grad must be True or False, got int"),
    (lambda: Tensor([1.0], dtype="bogus"), TypeError, r"^Tensor: dtype 'bogus' is not a numpy dtype"),
    (lambda: Tensor([1.0], dtype=int), TypeError, r"^Tensor: dtype must be a float type .* got int64"),
    (lambda: Tensor(np.ones(2, np.longdouble)), TypeError, r"^Tensor: dtype float128 is not supported"),
    (lambda: Tensor(np.ones(2, np.complex128)), TypeError,
     r"^Tensor: expected numbers, got an array of dtype complex128"),
    (lambda: M[::0], IndexError, r"^getitem: index slice\(None, None, 0\) is invalid .*step cannot be zero"),
    (lambda: M.flatten(1.5), TypeError, r"^flatten: start_dim must be an int, got float"),
    (lambda: M.flatten(2), ValueError, r"^flatten: start_dim 2 is out of range"),
    (lambda: M.unsqueeze(3), ValueError, r"^unsqueeze: dim 3 is out of range"),
    (lambda: M.argmax(axis=1.0), TypeError, r"^argmax: axis must be an int"),
    (lambda: M.astype(int), TypeError, r"^astype: dtype must be a float type"),
    (lambda: list(Tensor(3.0)), TypeError, r"^iteration over a 0-d Tensor"),
    (lambda: float(M.detach()), ValueError, r"^item: needs a tensor with one element, got shape \(2, 3\)"),
    (lambda: float(M), TypeError, r"^float\(Tensor\) of a tensor that requires grad would cut the graph"),
    (lambda: F.softmax(Tensor(np.zeros((2, 0)))), ValueError, r"^softmax: axis 1 of shape \(2, 0\) is empty"),
    (lambda: F.log_softmax(Tensor(np.zeros((0, 2))), axis=0), ValueError,
     r"^log_softmax: axis 0 of shape \(0, 2\) is empty"),
    (lambda: F.softmax(M, axis=2), ValueError, r"^softmax: axis 2 is out of range"),
    (lambda: F.cross_entropy(Tensor(np.zeros((1, 3))), np.array([2 ** 63], dtype=np.uint64)), ValueError,
     r"^cross_entropy: labels must lie in \[0, 3\) for 3 classes, "
     r"got values from 9223372036854775808 to 9223372036854775808"),
    (lambda: F.cross_entropy(Tensor(np.zeros((1, 3))), np.array([1e30])), ValueError,
     r"^cross_entropy: labels must lie in \[0, 3\) .* from 1000000000000000019884624838656"),
    (lambda: F.cross_entropy(Tensor(np.zeros((1, 3))), np.array([np.inf])), ValueError,
     r"^cross_entropy: labels must lie in \[0, 3\) for 3 classes, got values from inf to inf"),
    (lambda: F.cross_entropy(Tensor(np.zeros((1, 3))), np.array([0.5])), ValueError,
     r"^cross_entropy: class labels must be integers"),
    (lambda: nn.Linear(2, 3, dtype=int), TypeError, r"^Linear: dtype must be a float type"),
    (lambda: nn.Linear(2, 3, bias="yes"), TypeError, r"^Linear: bias must be True or False, got str"),
    (lambda: nn.Linear(2.0, 3), TypeError, r"^Linear: in_features must be an int, got float"),
    (lambda: nn.Linear(0, 3), ValueError, r"^Linear: in_features must be >= 1, got 0"),
    (lambda: nn.BatchNorm1d(3, dtype="float128"), TypeError, r"^BatchNorm1d: dtype must be a float type"),
    (lambda: nn.Softmax(axis=0.5), TypeError, r"^Softmax: axis must be an int"),
    (lambda: optim.SGD([M], lr=0.1, nesterov=1), TypeError, r"^SGD: nesterov must be True or False"),
    (lambda: M.requires_grad_("yes"), TypeError, r"^requires_grad_: requires_grad must be True or False"),
    (lambda: (M * 2).requires_grad_(False), RuntimeError, r"^requires_grad_: only a leaf's flag can change"),
])
def test_bad_arguments_are_named(call: Callable[[], Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_the_numpy_and_pytorch_names() -> None:
    t = Tensor([[1.0, 5.0], [7.0, 2.0]], requires_grad=True)
    assert float(Tensor([2.5])) == 2.5 and t.tolist() == [[1.0, 5.0], [7.0, 2.0]]
    assert t.argmax() == 2 and t.argmax(axis=1).tolist() == [1, 0] and t.argmin(-1).tolist() == [0, 1]
    assert t.view(4).shape == (4,) and t.unsqueeze(0).shape == (1, 2, 2)
    assert t.unsqueeze(-1).shape == (2, 2, 1)
    h = t.astype("float32")
    assert h.dtype == np.float32
    (h * h).sum().backward()
    assert t.grad.dtype == np.float64 and t.grad.tolist() == [[2.0, 10.0], [14.0, 4.0]]
    leaf = Tensor([1.0]).requires_grad_()
    assert leaf.requires_grad is True and leaf.requires_grad_(False).requires_grad is False
    assert (t == 7).tolist() == [[False, False], [True, False]]
    layer = nn.Linear(2, 3, rng=0)
    assert layer.weight is layer.W and layer.bias is layer.b
    layer.weight = Tensor(np.zeros((2, 3)), requires_grad=True)
    assert layer.W is layer.weight and [n for n, _ in layer.named_parameters()] == ["W", "b"]
    loss = nn.MSELoss()(Tensor([1.0, 3.0]), np.array([0.0, 1.0]))
    assert loss.item() == 2.5
    ce = nn.CrossEntropyLoss()(Tensor(np.zeros((2, 4))), [1, 3])
    assert math.isclose(ce.item(), math.log(4), rel_tol=1e-15)


HOSTILE = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=3),
    st.integers(-10, 10), st.integers(2 ** 62, 2 ** 70), st.lists(st.integers(-4, 4), max_size=3),
    st.tuples(st.floats(), st.integers(-3, 3)), st.just(np.int64(1)), st.just(np.float64(1.0)),
    st.just(object()), st.just(b"0"), st.just(1j),
)


@settings(max_examples=300, deadline=None)
@given(HOSTILE, st.sampled_from(["sum", "mean", "max", "min", "var", "transpose", "flatten", "unsqueeze",
                                 "softmax", "log_softmax", "argmax", "astype", "Tensor.dtype",
                                 "Tensor.requires_grad", "concatenate", "stack"]))
def test_hostile_arguments_give_a_clear_error_or_a_correct_result(arg: Any, op: str) -> None:
    """Whatever a learner passes: a TypeError/ValueError naming the op, or numpy's own answer."""
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    calls = {
        "sum": lambda: x.sum(axis=arg), "mean": lambda: x.mean(axis=arg), "max": lambda: x.max(axis=arg),
        "min": lambda: x.min(axis=arg), "var": lambda: x.var(axis=arg),
        "transpose": lambda: x.transpose(arg) if not isinstance(arg, list) else x.transpose(*arg),
        "flatten": lambda: x.flatten(arg), "unsqueeze": lambda: x.unsqueeze(arg),
        "softmax": lambda: F.softmax(x, axis=arg), "log_softmax": lambda: F.log_softmax(x, axis=arg),
        "argmax": lambda: x.argmax(axis=arg), "astype": lambda: x.astype(arg),
        "Tensor.dtype": lambda: Tensor([1.0], dtype=arg),
        "Tensor.requires_grad": lambda: Tensor([1.0], requires_grad=arg),
        "concatenate": lambda: F.concatenate([x, x], axis=arg), "stack": lambda: F.stack([x, x], axis=arg),
    }
    name = op.split(".")[0]
    try:
        out = calls[op]()
    except (TypeError, ValueError) as e:
        assert str(e).startswith(name + ":"), str(e)
        return
    # accepted: it must be what numpy gives for a valid argument
    if op in ("sum", "mean", "max", "min", "var"):
        expected = getattr(np, op)(x.data, axis=tuple(arg) if isinstance(arg, list) else arg)
        np.testing.assert_array_equal(out.data, expected)
    elif op == "transpose":
        np.testing.assert_array_equal(out.data, np.transpose(x.data, arg or None))
    elif op == "Tensor.requires_grad":
        assert isinstance(arg, (bool, np.bool_))
    elif op == "Tensor.dtype" or op == "astype":
        assert out.dtype in (np.float16, np.float32, np.float64)
    elif op == "argmax":
        assert arg is None or isinstance(arg, (int, np.integer)) and not isinstance(arg, bool)
    elif op in ("flatten", "unsqueeze", "softmax", "log_softmax", "concatenate", "stack"):
        assert isinstance(arg, (int, np.integer)) and not isinstance(arg, bool)
