"""Tensor: construction, dtype rules, display, backward semantics, errors, grad memory.

Gradients of every op against central differences live in test_tensor_grads.py.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from autograd_lite import DomainError, Tensor, Value, engine, fmt, no_grad
from autograd_lite.value import ZeroDivisionDomainError


# --------------------------------------------------------------------------- construction
def test_lists_and_ints_become_float64_float32_stays() -> None:
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor(3).dtype == np.float64 and Tensor(3).shape == ()
    assert Tensor(np.arange(4)).dtype == np.float64
    assert Tensor(np.array([True, False])).data.tolist() == [1.0, 0.0]
    assert Tensor(np.zeros(2, np.float32)).dtype == np.float32
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert Tensor(np.zeros(2, np.float32), dtype="float64").dtype == np.float64


def test_ndarray_is_shared_and_attributes() -> None:
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    t = Tensor(a, requires_grad=True, label="t")
    assert t.data is a and t.numpy() is a
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert t.grad is None and t.requires_grad and t.is_leaf and t.parents == () and t.label == "t"
    assert t.T.shape == (3, 2) and t.T.data.tolist() == a.T.tolist()
    assert Tensor([[2.5]]).item() == 2.5 and type(Tensor([[2.5]]).item()) is float
    assert np.asarray(t.detach()) is a and np.asarray(Tensor(a)) is a  # a constant converts, shared
    with pytest.raises(TypeError, match="requires grad"):  # issue 20: it would drop the gradient
        np.asarray(t)


def test_constructor_errors() -> None:
    with pytest.raises(TypeError, match="from a Value"):
        Tensor(Value(1.0))
    with pytest.raises(TypeError, match="from Values"):
        Tensor([Value(1.0), Value(2.0)])
    with pytest.raises(TypeError, match="dtype must be a float"):
        Tensor([1, 2], dtype=np.int64)
    with pytest.raises(TypeError, match="dtype <U1"):
        Tensor(["a"])
    with pytest.raises(TypeError, match="cannot convert"):
        Tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="label must be a str"):
        Tensor([1.0], label=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="item: needs a tensor with one element, got shape \\(2,\\)"):
        Tensor([1.0, 2.0]).item()
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d"):
        len(Tensor(1.0))


def test_repr_uses_the_shared_formatter() -> None:
    t = Tensor([715.0000000000001, 3.3000000000000003], requires_grad=True, label="price")
    r = repr(t)
    assert r == "Tensor(data=[715, 3.3], grad=None, label='price', requires_grad=True)"
    y = (t * 2).sum()
    y.backward()
    assert repr(y) == "Tensor(data=1436.6, grad=1, op='sum')"
    assert "dtype=float32" in repr(Tensor([1.0], dtype=np.float32))
    assert fmt(y.data) == "1436.6"


def test_repr_is_short_and_aligned() -> None:
    w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="W")
    (w * w).sum().backward()
    assert repr(w) == (
        "Tensor(data=[[1, 2],\n"
        "             [3, 4]],\n"
        "       grad=[[2, 4],\n"
        "             [6, 8]], label='W', requires_grad=True)"
    )
    assert repr(Tensor(np.arange(1000.0))) == "Tensor(data=[0, 1, 2, ..., 997, 998, 999], grad=None)"
    assert len(repr(Tensor(np.ones((784, 50)))).splitlines()) == 8


# --------------------------------------------------------------------------- backward semantics
def test_hand_example_and_reuse() -> None:
    # z = sum((x + y)**2) at x = [1, 2], y = [2, 0]: dz/dx = dz/dy = 2 (x + y) = [6, 4]
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([2.0, 0.0], requires_grad=True)
    z = ((x + y) ** 2).sum()
    z.backward()
    assert x.grad.tolist() == [6.0, 4.0] and y.grad.tolist() == [6.0, 4.0]
    a = Tensor([3.0], requires_grad=True)
    (a * a * a).sum().backward()  # 3 a**2 = 27
    assert a.grad.tolist() == [27.0]
    b = Tensor([1.5], requires_grad=True)
    (b + b).sum().backward()  # two edges from one node
    assert b.grad.tolist() == [2.0]


def test_backward_twice_doubles_leaves_and_recomputes_intermediates() -> None:
    x = Tensor([1.0, -2.0, 0.5], requires_grad=True)
    w = Tensor([0.3, 0.1, -0.7], requires_grad=True)
    h = (x * w).tanh()
    loss = (h * h).sum()
    loss.backward()
    gx, gw, gh = x.grad.copy(), w.grad.copy(), h.grad.copy()
    loss.backward()
    assert np.array_equal(x.grad, 2 * gx) and np.array_equal(w.grad, 2 * gw)
    assert np.array_equal(h.grad, gh)  # intermediate: recomputed, not accumulated
    assert np.array_equal(gh, 2 * h.data)  # and readable: d loss / d h = 2 h


def test_non_scalar_backward_needs_gradient_of_exact_shape() -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2
    with pytest.raises(ValueError, match=r"shape \(2, 3\), not a single number"):
        y.backward()
    with pytest.raises(ValueError, match=r"gradient shape \(3,\) does not match the output shape \(2, 3\)"):
        y.backward(np.ones(3))
    assert x.grad is None  # a failure leaves grads untouched
    y.backward(np.full((2, 3), 0.5))
    assert np.array_equal(x.grad, np.ones((2, 3)))
    # a one-element output of any rank seeds 1
    s = (x * 3).sum(keepdims=True)
    assert s.shape == (1, 1)
    x.grad = None
    s.backward()
    assert np.array_equal(x.grad, np.full((2, 3), 3.0))


def test_backward_errors() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).backward()
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="not a Value"):
        (x * 2).backward(Value(1.0))  # type: ignore[arg-type]


def test_leaf_backward_and_seed_not_aliased() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([5.0, 6.0])
    x.backward(seed)
    assert x.grad.tolist() == [5.0, 6.0] and x.grad is not seed
    seed[0] = 0.0
    assert x.grad.tolist() == [5.0, 6.0]


def test_leaf_grads_are_their_own_arrays() -> None:
    # z = x + y passes the upstream through unchanged; the leaves must not share it
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, 4.0], requires_grad=True)
    z = x + y
    seed = np.array([1.0, 1.0])
    z.backward(seed)
    assert x.grad is not y.grad and x.grad is not seed and x.grad is not z.grad
    x.grad *= 10  # an optimiser may update a leaf's grad in place
    assert y.grad.tolist() == [1.0, 1.0] and z.grad.tolist() == [1.0, 1.0]
    r = Tensor(np.ones((2, 2)), requires_grad=True)
    r.reshape(4).backward(np.arange(4.0))  # a view of the upstream
    assert r.grad.base is None and r.grad.tolist() == [[0.0, 1.0], [2.0, 3.0]]


def test_ops_without_grad_record_nothing() -> None:
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    c = (a * b).exp().sum()
    assert not c.requires_grad and c.parents == () and c.is_leaf
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        d = (x * 3).sum()
    assert not d.requires_grad and d.parents == ()
    m = x * a  # one parent wants a gradient: recorded, the constant gets none
    assert m.requires_grad and m.parents == (x, a)
    m.sum().backward()
    assert a.grad is None and x.grad.tolist() == [1.0, 2.0]


def test_no_grad_is_per_thread() -> None:
    x = Tensor([1.0], requires_grad=True)
    seen = []
    entered, done = threading.Event(), threading.Event()

    def other() -> None:
        entered.wait()
        seen.append((x * 2).requires_grad)
        done.set()

    t = threading.Thread(target=other)
    t.start()
    with no_grad():
        entered.set()
        done.wait()
        assert not (x * 2).requires_grad
    t.join()
    assert seen == [True]


def test_detach_cuts_the_graph() -> None:
    x = Tensor([2.0], requires_grad=True)
    y = x * x
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.data is y.data
    (d * x).sum().backward()
    assert x.grad.tolist() == [4.0]  # d is a constant 4


def test_parents_order_and_engine_protocol() -> None:
    x = Tensor([1.0], requires_grad=True)
    y = Tensor([2.0], requires_grad=True)
    z = y - x
    assert z.parents == (y, x) and z.op == "-"
    assert z._a is y and z._b is x and z._rest is None and z._order > x._order
    assert Tensor._GRAD_ZERO is None
    loss = (z * z).sum()
    order = engine.topological_order(loss)
    assert order[0] is loss and any(n is z for n in order) and all(n is not x for n in order)
    # tracing sees the same contributions the fast path adds
    edges = []
    engine.backward(loss, np.ones(()), trace=lambda n, i, p, c, before, after: edges.append((p, c.copy())))
    gx = sum(c for p, c in edges if p is x)
    assert gx.tolist() == [-2.0] and x.grad.tolist() == [-2.0]
    x.grad = None
    loss.backward()
    assert x.grad.tolist() == [-2.0]


def test_contributions_skip_constants_and_undo_broadcasting() -> None:
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    c = Tensor(np.arange(3.0))
    y = x * c + Tensor([1.0], requires_grad=True)
    y.grad = np.ones((2, 3))
    pairs = y._sends(y.grad)
    assert [p.shape for p, _ in pairs] == [(2, 3), (1,)] and pairs[1][1].tolist() == [6.0]
    m = x * c
    m.grad = np.ones((2, 3))
    assert [p for p, _ in m._sends(m.grad)] == [x]


# --------------------------------------------------------------------------- broadcasting
def test_broadcast_gradient_shapes_and_values() -> None:
    a = Tensor(np.arange(3.0).reshape(3, 1), requires_grad=True)
    b = Tensor(np.arange(4.0), requires_grad=True)
    s = Tensor(2.0, requires_grad=True)
    out = (a * b + s).sum()  # shape (3, 4) before the sum
    out.backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,) and s.grad.shape == ()
    assert a.grad.ravel().tolist() == [6.0] * 3  # sum of b = 0+1+2+3
    assert b.grad.tolist() == [3.0] * 4  # sum of a = 0+1+2
    assert s.grad.tolist() == 12.0  # 3 * 4 copies
    k = Tensor(np.ones((1, 4, 1)), requires_grad=True)
    (k + np.ones((2, 1, 3))).backward(np.ones((2, 4, 3)))
    assert k.grad.shape == (1, 4, 1) and k.grad.ravel().tolist() == [6.0] * 4


def test_mixed_dtypes_keep_the_leaf_dtype() -> None:
    x32 = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    y = x32 * 3 + 1.5
    assert y.dtype == np.float32
    y.sum().backward()
    assert x32.grad.dtype == np.float32 and x32.grad.tolist() == [3.0, 3.0]
    x32.grad = None
    z = x32 * np.array([1.0, 1.0])  # a float64 array promotes, like numpy
    assert z.dtype == np.float64
    z.sum().backward()
    assert x32.grad.dtype == np.float32


# --------------------------------------------------------------------------- indexing
def test_repeated_indices_accumulate() -> None:
    x = Tensor([10.0, 20.0, 30.0, 40.0], requires_grad=True)
    y = x[[0, 0, 2, 0]]
    assert y.data.tolist() == [10.0, 10.0, 30.0, 10.0]
    y.backward(np.array([1.0, 2.0, 3.0, 4.0]))
    assert x.grad.tolist() == [7.0, 0.0, 3.0, 0.0]
    m = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    picked = m[np.array([1, 1, 0]), np.array([2, 2, 0])]
    picked.sum().backward()
    assert m.grad.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]]


def test_slices_masks_and_errors() -> None:
    m = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    (m[1:, ::2] * 2).sum().backward()
    assert m.grad.tolist() == [[0, 0, 0, 0], [2, 0, 2, 0], [2, 0, 2, 0]]
    m.grad = None
    sel = m[m > 6.5]
    assert sel.data.tolist() == [7.0, 8.0, 9.0, 10.0, 11.0]
    sel.sum().backward()
    assert m.grad.ravel().tolist() == [0.0] * 7 + [1.0] * 5
    m.grad = None
    m[1].sum().backward()
    assert m.grad.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0]]
    with pytest.raises(IndexError, match=r"getitem: index 5 is invalid for shape \(3, 4\)"):
        m[5]
    with pytest.raises(TypeError, match="Tensor cannot be an index"):
        m[Tensor([0.0])]
    assert [r.data.tolist() for r in Tensor([[1.0, 2.0], [3.0, 4.0]])] == [[1.0, 2.0], [3.0, 4.0]]


# --------------------------------------------------------------------------- errors name op and shapes
@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_shape_mismatch_names_op_and_shapes(op: str) -> None:
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones((4,)) * 2)
    f = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b, "**": lambda: a ** b}
    name = "[*][*]" if op == "**" else "[" + op + "]"
    with pytest.raises(ValueError, match=rf"^{name}: shapes \(2, 3\) and \(4,\)"):
        f[op]()


def test_matmul_errors() -> None:
    msg = r"@: shapes \(2, 3\) and \(4, 5\) do not match \(inner sizes 3 and 4\)"
    with pytest.raises(ValueError, match=msg):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"batch axes"):
        Tensor(np.ones((2, 2, 3))) @ Tensor(np.ones((3, 3, 4)))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        Tensor(2.0) @ Tensor([1.0])


def test_reduction_and_shape_errors() -> None:
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="sum: axis 2 is out of range"):
        t.sum(axis=2)
    with pytest.raises(ValueError, match=r"mean: axis \(0, 0\) names an axis more than once"):
        t.mean(axis=(0, 0))
    with pytest.raises(ValueError, match=r"max: no elements"):
        Tensor(np.ones((0, 3))).max(axis=0)
    with pytest.raises(ValueError, match=r"var: needs more than ddof=1"):
        Tensor([1.0]).var(ddof=1)
    with pytest.raises(ValueError, match=r"reshape: cannot reshape shape \(2, 3\) into \(4,\)"):
        t.reshape(4)
    with pytest.raises(ValueError, match=r"transpose: axes \(0, 0\) are not a permutation"):
        t.transpose(0, 0)
    with pytest.raises(ValueError, match="clip: lo must be <= hi"):
        t.clip(1.0, 0.0)


def test_domain_errors_name_op_and_values_and_change_nothing() -> None:
    x = Tensor([1.0, 0.0, -2.0], requires_grad=True)
    x.grad = np.array([9.0, 9.0, 9.0])
    ones, big = Tensor([1.0, 1.0, 1.0]), Tensor([1000.0, 1.0])
    negative, exponent = Tensor([-2.0]), Tensor([2.0], requires_grad=True)
    before = engine.next_order()
    with pytest.raises(DomainError, match=r"log: needs x > 0, got x = 0 at index \(1,\); -2 at index \(2,\)"):
        x.log()
    with pytest.raises(DomainError, match=r"sqrt: needs x >= 0, got x = -2 at index \(2,\)"):
        x.sqrt()
    with pytest.raises(ZeroDivisionDomainError, match=r"/: division by zero: a, b = 1, 0 at index \(1,\)"):
        ones / x
    msg = r"\*\*0.5: negative base with a non-integer exponent: a, b = -2, 0.5"
    with pytest.raises(DomainError, match=msg):
        x ** 0.5
    with pytest.raises(ZeroDivisionDomainError, match=r"\*\*-1: zero to a negative power"):
        x ** -1
    with pytest.raises(OverflowError, match=r"exp: result too large for float64: x = 1000 at index \(0,\)"):
        big.exp()
    assert x.grad.tolist() == [9.0, 9.0, 9.0]
    assert engine.next_order() == before + 1  # no node was created by any failing op
    # a negative base with a node exponent: (-2)**2 = 4, and d/db = a**b ln a is NaN there (ln of
    # a negative number), as PyTorch gives it; the same on Value
    r = negative ** exponent
    r.sum().backward()
    assert r.data.tolist() == [4.0] and np.isnan(exponent.grad).all()
    b = Value(2.0)
    (Value(-2.0) ** b).backward()
    assert math.isnan(b.grad)
    with pytest.raises(ZeroDivisionError):
        x / 0
    with pytest.raises(OverflowError, match="exp: result too large for float32"):
        Tensor(np.full(40, 89.0, np.float32)).exp()  # large arrays take the vectorised check
    # NaN propagates (no error); constant exponents of negative bases are fine when integral
    assert np.isnan(Tensor([np.nan, 1.0]).log().data[0])
    assert (x ** 3).data.tolist() == [1.0, 0.0, -8.0]
    assert (Tensor([-2.0]) ** Tensor([2.0])).data.tolist() == [4.0]


def test_value_and_tensor_never_mix() -> None:
    t, v = Tensor([1.0, 2.0]), Value(3.0)
    cases = [
        lambda: t + v, lambda: v + t, lambda: t - v, lambda: v - t, lambda: t * v, lambda: v * t,
        lambda: t / v, lambda: v / t, lambda: t ** v, lambda: v ** t, lambda: t @ v, lambda: v @ t,
        lambda: t < v, lambda: v < t,
    ]
    for case in cases:
        with pytest.raises(TypeError, match="Value") as info:
            case()
        assert "Tensor" in str(info.value) or "t.data" in str(info.value)
    with pytest.raises(TypeError, match="expected a Tensor, number or array, got str"):
        t + "a"  # type: ignore[operator]
    with pytest.raises(TypeError, match="truth value"):
        bool(t)


def test_numbers_and_arrays_on_either_side() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = 2 - x + np.array([1.0, 1.0]) * x + np.float64(3.0) / x + 2 ** x + 1.0
    # y = 2 - x + x + 3/x + 2**x + 1  ->  dy/dx = -3/x**2 + 2**x ln 2
    y.sum().backward()
    expected = -3.0 / np.array([1.0, 4.0]) + 2.0 ** np.array([1.0, 2.0]) * np.log(2.0)
    assert np.allclose(x.grad, expected, rtol=1e-14, atol=0)
    assert (np.ones((2, 2)) @ Tensor([1.0, 2.0])).data.tolist() == [3.0, 3.0]
    assert (x > 1.5).tolist() == [False, True] and (x <= Tensor([1.0, 1.0])).tolist() == [True, False]
    assert (x == x).tolist() == [True, True] and (x != Tensor([1.0, 3.0])).tolist() == [False, True]
    assert (x == 2).tolist() == [False, True] and len({x, x, Tensor([1.0, 2.0])}) == 2  # hashed by identity


def test_small_edge_cases() -> None:
    x = Tensor([0.0, 2.0], requires_grad=True)
    (x ** 0).sum().backward()  # a**0 is constant: slope 0 even at 0
    assert x.grad.tolist() == [0.0, 0.0]
    s = Tensor(3.0, requires_grad=True)
    (s * np.ones((2, 2))).sum().backward()  # 0-d leaf: its grad is a 0-d array, not a numpy scalar
    assert type(s.grad) is np.ndarray and s.grad.shape == () and s.grad.tolist() == 4.0
    with pytest.raises(TypeError, match="clip: bounds must be numbers"):
        x.clip(np.zeros(2))
    assert Tensor([1.0, 5.0]).clip(hi=2.0).data.tolist() == [1.0, 2.0]


def test_docstring_examples_run() -> None:
    import doctest
    import importlib

    for name in ("tensor", "functional", "gradcheck"):  # the gradcheck *module*, not the function
        module = importlib.import_module(f"autograd_lite.{name}")
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
