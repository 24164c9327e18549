"""Tensor's numpy-style ops: values against numpy, first derivatives against central differences
and PyTorch, second derivatives (Hessian-vector products through ``create_graph=True``) against
PyTorch, and the same ops reached through numpy (``np.tan(t)``, ``np.einsum(...)``).

Every check takes a random upstream ``w`` of the output's shape (so the whole vector-Jacobian
product is checked, not one sum) and, for second order, a random direction ``v`` per input:
``H v`` of ``sum(f(x) * w)``.  Inputs stay away from the points where an op is not smooth.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pytest
from graphs import ROW_ONLY, numeric_grads
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograd_lite import DomainError, Tensor
from autograd_lite import functional as F
from autograd_lite.engine import topological_order

EXAMPLES = settings(deadline=None, max_examples=15)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
seeds = st.integers(0, 2**32 - 1)
Arrays = Tuple[np.ndarray, ...]


def _torch() -> Any:
    return pytest.importorskip("torch")


def ours_hvp(f: Callable[..., Tensor], arrays: Arrays, w: np.ndarray, vs: Arrays) -> List[np.ndarray]:
    """H v of sum(f(x) * w), by differentiating (grad · v) once more (double backprop)."""
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    (f(*xs) * Tensor(w)).sum().backward(create_graph=True)
    gs = [x.grad for x in xs]
    for x in xs:
        x.grad = None
    terms = []
    for g, v in zip(gs, vs):
        assert isinstance(g, Tensor), "create_graph=True: every grad is a Tensor"
        if g.requires_grad:  # a gradient that is constant in x (a linear op) has no graph
            terms.append((g * Tensor(v)).sum())
    if terms:
        s = terms[0]
        for t in terms[1:]:
            s = s + t
        s.backward()
    return [np.zeros(a.shape) if x.grad is None else np.asarray(x.grad) for a, x in zip(arrays, xs)]


def torch_hvp(theirs: Callable[..., Any], arrays: Arrays, w: np.ndarray, vs: Arrays) -> List[np.ndarray]:
    torch = _torch()
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    loss = (theirs(*tt) * torch.from_numpy(w)).sum()
    gs = torch.autograd.grad(loss, tt, create_graph=True, allow_unused=True, materialize_grads=True)
    terms = [(g * torch.from_numpy(v)).sum() for g, v in zip(gs, vs) if g.requires_grad]
    if not terms:
        return [np.zeros(a.shape) for a in arrays]
    hv = torch.autograd.grad(sum(terms), tt, allow_unused=True, materialize_grads=True)
    return [h.detach().numpy(force=True) for h in hv]  # (force: a ZeroTensor, abs's second derivative)


def full_check(ours: Callable[..., Tensor], theirs: Optional[Callable[..., Any]], *arrays: np.ndarray,
               ref: Optional[Callable[..., Any]] = None, seed: int = 0, central: bool = True,
               rtol: float = 1e-12) -> None:
    """Values (numpy's ``ref`` and torch), first derivatives (central differences unless
    ``central`` is False, and torch), and second derivatives (torch) of ``ours`` on ``arrays``."""
    rng = np.random.default_rng(seed)
    arrays = tuple(np.array(a, dtype=np.float64) for a in arrays)
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = ours(*xs)
    assert isinstance(out, Tensor)
    if ref is not None:
        expected = np.asarray(ref(*[a.copy() for a in arrays]))
        assert out.shape == expected.shape and out.dtype == np.float64
        # atol: the sum order of einsum and of numpy.dot differ in the last bit
        np.testing.assert_allclose(out.data, expected, rtol=1e-14, atol=1e-15)
    w = rng.standard_normal(out.shape)
    out.backward(w)
    for x, a in zip(xs, arrays):
        assert x.grad is not None and x.grad.shape == a.shape and x.grad.dtype == a.dtype
    if central:
        for x, num in zip(xs, numeric_grads(ours, arrays, w)):
            np.testing.assert_allclose(x.grad, num, rtol=1e-5, atol=1e-6)
    if theirs is None:
        return
    torch = _torch()
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    r = theirs(*tt)
    np.testing.assert_allclose(out.data, r.detach().numpy(), rtol=rtol, atol=1e-13)
    r.backward(torch.from_numpy(w))
    for x, t in zip(xs, tt):
        expected = np.zeros(x.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(x.grad, expected, rtol=rtol, atol=1e-13)
    vs = tuple(rng.standard_normal(a.shape) for a in arrays)
    for got, want in zip(ours_hvp(ours, arrays, w, vs), torch_hvp(theirs, arrays, w, vs)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def _axis(draw: Any, ndim: int, allow_none: bool = True, allow_tuple: bool = True) -> Any:
    choices = [st.integers(-ndim, ndim - 1)]
    if allow_none:
        choices.append(st.none())
    if allow_tuple and ndim > 1:
        choices.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple))
    return draw(st.one_of(*choices))


def _torch_dims(axis: Any, ndim: int) -> Any:
    if axis is None:
        return tuple(range(ndim))
    return tuple(a % ndim for a in axis) if isinstance(axis, tuple) else axis % ndim


# --------------------------------------------------------------------------- one case per row
def _t() -> Any:
    import torch  # only called by tests that importorskip'd it

    return torch


_R = np.random.default_rng(11)


def _u(lo: float, hi: float, *shape: int) -> np.ndarray:
    return _R.uniform(lo, hi, shape)


_TORCH_UNARY = {"arcsin": "asin", "arccos": "acos", "arctan": "atan",
                **{name: theirs for name, (_, _, theirs) in ROW_ONLY.items()}}
# One differentiable function per Tensor row this file adds (inputs inside the domain, away from
# jumps), in the format of tests/test_tensor_higher_order.py's CASES: (ours, inputs, torch's).
CASES: Dict[str, Tuple[Callable[..., Any], Tuple[np.ndarray, ...], Callable[..., Any]]] = {
    **{name: ((lambda a, _n=name: getattr(a, _n)() * a), (x,),
              (lambda a, _n=name: getattr(_t(), _TORCH_UNARY.get(_n, _n))(a) * a))
       for name, x in (("tan", _u(-1.2, 1.2, 4)), ("sinh", _u(-2, 2, 4)), ("cosh", _u(-2, 2, 4)),
                       ("arcsin", _u(-0.9, 0.9, 4)), ("arccos", _u(-0.9, 0.9, 4)),
                       ("arctan", _u(-3, 3, 4)),
                       ("log1p", _u(-0.8, 3, 4)), ("expm1", _u(-2, 2, 4)), ("log2", _u(0.3, 4, 4)),
                       ("log10", _u(0.3, 4, 4)), ("exp2", _u(-3, 3, 4)),
                       ("sign", np.array([-1.5, -0.3, 0.4, 2.0])),
                       ("floor", np.array([-1.7, -0.3, 0.4, 2.2])),
                       ("ceil", np.array([-1.7, -0.3, 0.4, 2.2])),
                       ("round", np.array([-1.7, -0.3, 0.4, 2.2])),
                       *((n, _u(low, high, 4)) for n, (low, high, _) in ROW_ONLY.items()))},
    "%": (lambda a, b: (a % b) ** 2, (np.array([2.3, -2.3, 5.6]), np.array([2.05, 1.9, -4.1])),
          lambda a, b: _t().remainder(a, b) ** 2),
    "prod": (lambda a: a.prod(axis=1), (np.array([[0.5, 0.0, 2.0], [1.5, -0.7, 1.2]]),),
             lambda a: a.prod(dim=1)),
    "std": (lambda a: a.std(axis=1, ddof=1), (_u(-2, 2, 2, 4),), lambda a: a.std(dim=1, correction=1)),
    "cumsum": (lambda a: a.cumsum(axis=0) ** 2, (_u(-2, 2, 3, 2),), lambda a: a.cumsum(0) ** 2),
    "repeat": (lambda a: a.repeat([1, 0, 2], axis=1) ** 2, (_u(-2, 2, 2, 3),),
               lambda a: _t().repeat_interleave(a, _t().tensor([1, 0, 2]), dim=1) ** 2),
    "tile": (lambda a: a.tile((2, 1, 2)) ** 2, (_u(-2, 2, 2, 3),), lambda a: a.tile((2, 1, 2)) ** 2),
    "diff": (lambda a: a.diff(n=2, axis=1) ** 2, (_u(-2, 2, 2, 4),), lambda a: a.diff(n=2, dim=1) ** 2),
    "pad": (lambda a: a.pad(((1, 0), (0, 2)), constant_values=0.5) ** 2, (_u(-2, 2, 2, 3),),
            lambda a: _t().nn.functional.pad(a, [0, 2, 1, 0], value=0.5) ** 2),
    "sort": (lambda a: a.sort(axis=0) ** 2 * a.sort(axis=1), (_u(-2, 2, 3, 3),),
             lambda a: a.sort(dim=0).values ** 2 * a.sort(dim=1).values),
    "einsum": (lambda a, b: F.einsum("ii,ij->ij", a, b) ** 2, (_u(-2, 2, 3, 3), _u(-2, 2, 3, 2)),
               lambda a, b: _t().einsum("ii,ij->ij", a, b) ** 2),
}
# rows that only appear in a gradient's graph (repeat's rule is run_sums, sort's is permute): their
# rules run when the Hessian-vector product differentiates those cases' gradients
IN_GRADIENTS = {"run_sums": "repeat", "permute": "sort"}
CASES.update({inner: CASES[outer] for inner, outer in IN_GRADIENTS.items()})


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_row_first_and_second_derivatives(name: str) -> None:
    f, xs, theirs = CASES[name]
    full_check(f, theirs, *xs)
    ts = [Tensor(x, requires_grad=True) for x in xs]
    out = f(*ts)
    graph = out
    if name in IN_GRADIENTS:
        out.backward(np.ones(out.shape), create_graph=True)
        graph = ts[0].grad
    assert name in {n.op for n in topological_order(graph)}  # the case runs its row


# --------------------------------------------------------------------------- elementwise
def _away_from_integers(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """k + u with u in (0.1, 0.4) or (0.6, 0.9): no floor/ceil/round jump within eps."""
    u = rng.uniform(0.1, 0.4, shape) + rng.choice([0.0, 0.5], shape)
    return rng.integers(-3, 3, shape) + u


UNARY = {  # name: (draw the input, the torch function)
    "sin": (lambda r, s: r.uniform(-3, 3, s), "sin"),
    "cos": (lambda r, s: r.uniform(-3, 3, s), "cos"),
    "tan": (lambda r, s: r.uniform(-1.3, 1.3, s), "tan"),
    "sinh": (lambda r, s: r.uniform(-3, 3, s), "sinh"),
    "cosh": (lambda r, s: r.uniform(-3, 3, s), "cosh"),
    "arcsin": (lambda r, s: r.uniform(-0.9, 0.9, s), "asin"),
    "arccos": (lambda r, s: r.uniform(-0.9, 0.9, s), "acos"),
    "arctan": (lambda r, s: r.uniform(-4, 4, s), "atan"),
    "log1p": (lambda r, s: r.uniform(-0.9, 4, s), "log1p"),
    "expm1": (lambda r, s: r.uniform(-3, 3, s), "expm1"),
    "log2": (lambda r, s: r.uniform(0.2, 6, s), "log2"),
    "log10": (lambda r, s: r.uniform(0.2, 6, s), "log10"),
    "exp2": (lambda r, s: r.uniform(-4, 4, s), "exp2"),
    "sign": (lambda r, s: r.uniform(0.2, 2, s) * r.choice([-1.0, 1.0], s), "sign"),
    "floor": (_away_from_integers, "floor"),
    "ceil": (_away_from_integers, "ceil"),
    "round": (_away_from_integers, "round"),
    **{name: ((lambda r, s, _lo=low, _hi=high: r.uniform(_lo, _hi, s)), theirs)
       for name, (low, high, theirs) in ROW_ONLY.items()},
}


@pytest.mark.parametrize("name", sorted(UNARY))
@EXAMPLES
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), seed=seeds)
def test_elementwise_ops(name: str, shape: tuple, seed: int) -> None:
    draw, torch_name = UNARY[name]
    x = np.asarray(draw(np.random.default_rng(seed), shape), dtype=np.float64)
    full_check(lambda t: getattr(t, name)(), lambda t: getattr(_torch(), torch_name)(t), x,
               ref=getattr(np, name), seed=seed)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_elementwise_ops_through_numpy_build_the_same_graph(name: str) -> None:
    x = np.asarray(UNARY[name][0](np.random.default_rng(3), (2, 3)))
    t = Tensor(x, requires_grad=True)
    via_numpy, via_method = getattr(np, name)(t), getattr(t, name)()
    assert isinstance(via_numpy, Tensor) and via_numpy.op == via_method.op == name
    assert len(via_numpy.parents) == 1 and via_numpy.parents[0] is t
    np.testing.assert_array_equal(via_numpy.data, via_method.data)
    via_numpy.backward(np.ones((2, 3)))
    g = t.grad.copy()
    t.grad = None
    via_method.backward(np.ones((2, 3)))
    np.testing.assert_array_equal(g, t.grad)


@pytest.mark.parametrize("name, x", [("arcsin", 1.5), ("arccos", -1.0000001), ("log1p", -1.0), ("log2", 0.0),
                                     ("log10", -2.0), ("arcsin", -np.inf)])
def test_domain_errors_name_the_op_and_the_values(name: str, x: float) -> None:
    t = Tensor([0.5, x, 0.25], requires_grad=True)
    with pytest.raises(DomainError, match=rf"^{name}: needs .*, got x = .*at index \(1,\)"):
        getattr(t, name)()
    with pytest.raises(DomainError, match=rf"^{name}: "):
        getattr(np, name)(t)
    assert t.grad is None and t.data[1] == x


@pytest.mark.parametrize("name", ["sinh", "cosh", "expm1", "exp2"])
def test_overflow_is_an_overflow_error(name: str) -> None:
    with pytest.raises(OverflowError, match=rf"^{name}: result too large"):
        getattr(Tensor([1.0, 1e4]), name)()
    assert np.isinf(getattr(Tensor([np.inf]), name)().data).all()  # an infinity in is no overflow


def test_rounding_follows_numpy() -> None:
    x = np.array([-2.5, -1.5, -0.5, -0.4, -0.0, 0.5, 1.5, 2.5, 2.7, np.inf, -np.inf, np.nan])
    for name in ("floor", "ceil", "round", "sign"):
        got = getattr(Tensor(x), name)().data
        np.testing.assert_array_equal(got, getattr(np, name)(x))
        np.testing.assert_array_equal(np.signbit(got), np.signbit(getattr(np, name)(x)))
    t = Tensor(x, requires_grad=True)
    t.round().backward(np.ones(x.shape))
    assert (t.grad == 0.0).all()


# --------------------------------------------------------------------------- %
@EXAMPLES
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3), seed=seeds)
def test_mod_broadcasts_with_numpys_sign_rule(shapes: hnp.BroadcastableShapes, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    # a = k + 1/2 + u and b = ±2 or ±4 (+ δ): every a/b of the broadcast stays >= 0.09 away
    # from an integer, so no jump of a % b lies within central differences' reach
    a = rng.integers(-4, 4, sa) + 0.5 + rng.uniform(-0.05, 0.05, sa)
    b = rng.choice([-4.0, -2.0, 2.0, 4.0], sb) + rng.uniform(-0.02, 0.02, sb)
    full_check(lambda x, y: x % y, lambda x, y: _torch().remainder(x, y), np.asarray(a), np.asarray(b),
               ref=np.mod, seed=seed)


def test_mod_derivatives_numbers_on_either_side_and_zero_divisors() -> None:
    a = Tensor([7.5, -7.5, 1.0, -1.0], requires_grad=True)
    b = Tensor([2.0, 2.0, -3.0, 3.0], requires_grad=True)
    out = a % b
    assert out.op == "%" and out.data.tolist() == [1.5, 0.5, -2.0, 2.0]
    out.sum().backward()
    assert a.grad.tolist() == [1.0] * 4 and b.grad.tolist() == [-3.0, 4.0, 1.0, 1.0]
    c = Tensor([2.0, -2.0], requires_grad=True)
    r = 7.5 % c
    r.sum().backward()
    assert r.data.tolist() == [1.5, -0.5] and c.grad.tolist() == [-3.0, 4.0]
    assert (Tensor([7.5]) % 2).data.tolist() == [1.5]
    via_numpy = np.mod(a, b)
    assert isinstance(via_numpy, Tensor) and via_numpy.op == "%"
    assert isinstance(np.remainder(a, 2.0), Tensor)
    from autograd_lite.value import ZeroDivisionDomainError
    with pytest.raises(ZeroDivisionDomainError, match=r"^%: division by zero"):
        Tensor([1.0, 2.0]) % Tensor([1.0, 0.0])


# --------------------------------------------------------------------------- reductions
@EXAMPLES
@given(data=st.data(), shape=shapes, seed=seeds, zeros=st.integers(0, 3))
def test_prod_with_zeros_axes_and_keepdims(data: Any, shape: tuple, seed: int, zeros: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    x.reshape(-1)[rng.choice(x.size, min(zeros, x.size), replace=False)] = 0.0
    axis = _axis(data.draw, x.ndim)
    keepdims = data.draw(st.booleans())

    def theirs(t: Any) -> Any:
        dims = _torch_dims(axis, t.ndim)
        for d in sorted(dims if isinstance(dims, tuple) else (dims,), reverse=True):
            t = t.prod(dim=d, keepdim=True)
        return t if keepdims else t.reshape(np.prod(x, axis=axis, keepdims=False).shape)

    full_check(lambda t: t.prod(axis=axis, keepdims=keepdims), theirs, x,
               ref=lambda a: np.prod(a, axis=axis, keepdims=keepdims), seed=seed)


def test_prod_gradient_is_exact_with_zeros() -> None:
    t = Tensor([2.0, 0.0, 3.0, 5.0], requires_grad=True)
    t.prod().backward()
    assert t.grad.tolist() == [0.0, 30.0, 0.0, 0.0]  # one zero: the product of the others there
    u = Tensor([[0.0, 4.0, 0.0], [1.0, 2.0, 3.0]], requires_grad=True)
    u.prod(axis=1).sum().backward()
    assert u.grad.tolist() == [[0.0, 0.0, 0.0], [6.0, 3.0, 2.0]]  # two zeros: 0 everywhere
    big = Tensor(np.full(3, 1e200), requires_grad=True)
    big.prod().backward()  # the product overflows; the gradient is still inf, not a NaN of inf/x
    assert np.isposinf(big.grad).all()
    assert isinstance(np.prod(t), Tensor) and np.prod(t, axis=0).op == t.prod(axis=0).op


@EXAMPLES
@given(data=st.data(), shape=shapes, seed=seeds, ddof=st.integers(0, 1))
def test_std(data: Any, shape: tuple, seed: int, ddof: int) -> None:
    x = np.random.default_rng(seed).standard_normal(shape)
    axis = _axis(data.draw, x.ndim)
    keepdims = data.draw(st.booleans())
    n = x.size if axis is None else int(np.prod([x.shape[a] for a in np.atleast_1d(axis)]))
    if n - ddof <= 0:
        with pytest.raises(ValueError, match=r"^std: needs more than ddof="):
            Tensor(x).std(axis=axis, keepdims=keepdims, ddof=ddof)
        return
    assume(n > 1)  # the std of one element is 0, where its slope is infinite
    full_check(lambda t: t.std(axis=axis, keepdims=keepdims, ddof=ddof),
               lambda t: t.std(dim=_torch_dims(axis, t.ndim), correction=ddof, keepdim=keepdims), x,
               ref=lambda a: np.std(a, axis=axis, keepdims=keepdims, ddof=ddof), seed=seed, rtol=1e-11)


@EXAMPLES
@given(data=st.data(), shape=shapes, seed=seeds)
def test_cumsum(data: Any, shape: tuple, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(shape)
    axis = _axis(data.draw, x.ndim, allow_tuple=False)
    full_check(lambda t: t.cumsum(axis=axis),
               lambda t: t.reshape(-1).cumsum(0) if axis is None else t.cumsum(axis), x,
               ref=lambda a: np.cumsum(a, axis=axis), seed=seed)
    assert np.cumsum(Tensor(x), axis=axis).op == Tensor(x).cumsum(axis=axis).op


# --------------------------------------------------------------------------- shape and order
@EXAMPLES
@given(data=st.data(), shape=shapes, seed=seeds)
def test_repeat_is_numpys(data: Any, shape: tuple, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(shape)
    axis = _axis(data.draw, x.ndim, allow_tuple=False)
    n = x.size if axis is None else x.shape[axis]
    repeats = data.draw(st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), min_size=n, max_size=n)))

    def theirs(t: Any) -> Any:
        torch = _torch()
        r = repeats if isinstance(repeats, int) else torch.tensor(repeats)
        if axis is None:
            return torch.repeat_interleave(t.reshape(-1), r)
        return torch.repeat_interleave(t, r, dim=axis)

    full_check(lambda t: t.repeat(repeats, axis=axis), theirs, x,
               ref=lambda a: np.repeat(a, repeats, axis=axis), seed=seed)


@EXAMPLES
@given(shape=shapes, reps=st.lists(st.integers(1, 3), min_size=1, max_size=4), seed=seeds)
def test_tile(shape: tuple, reps: List[int], seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(shape)
    full_check(lambda t: t.tile(tuple(reps)), lambda t: t.tile(tuple(reps)), x,
               ref=lambda a: np.tile(a, tuple(reps)), seed=seed)
    full_check(lambda t: t.tile(2), lambda t: t.tile((2,)), x, ref=lambda a: np.tile(a, 2), seed=seed)


@EXAMPLES
@given(data=st.data(), shape=shapes, seed=seeds)
def test_diff(data: Any, shape: tuple, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(shape)
    axis = _axis(data.draw, x.ndim, allow_none=False, allow_tuple=False)
    n = data.draw(st.integers(0, x.shape[axis] + 1))
    full_check(lambda t: t.diff(n=n, axis=axis),
               (lambda t: t.diff(n=n, dim=axis)) if 0 < n <= x.shape[axis] else None, x,
               ref=lambda a: np.diff(a, n=n, axis=axis), seed=seed)


@EXAMPLES
@given(data=st.data(), shape=shapes, seed=seeds)
def test_moveaxis_swapaxes_squeeze_expand_dims_ravel(data: Any, shape: tuple, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(shape)
    nd = x.ndim
    src = data.draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    dst = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=len(src), max_size=len(src),
                             unique_by=lambda a: a % nd))
    full_check(lambda t: t.moveaxis(src, dst), lambda t: t.movedim(src, dst), x,
               ref=lambda a: np.moveaxis(a, src, dst), seed=seed)
    a1, a2 = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
    full_check(lambda t: t.swapaxes(a1, a2), lambda t: t.swapaxes(a1, a2), x,
               ref=lambda a: np.swapaxes(a, a1, a2), seed=seed)
    ones = tuple(i for i, n in enumerate(x.shape) if n == 1)
    full_check(lambda t: t.squeeze(), lambda t: t.squeeze(), x, ref=np.squeeze, seed=seed)
    if ones:
        full_check(lambda t: t.squeeze(axis=ones), lambda t: t.squeeze(ones), x,
                   ref=lambda a: np.squeeze(a, axis=ones), seed=seed)
    at = data.draw(st.integers(-nd - 1, nd))
    full_check(lambda t: t.expand_dims(at), lambda t: t.unsqueeze(at), x,
               ref=lambda a: np.expand_dims(a, at), seed=seed)
    full_check(lambda t: t.expand_dims((0, -1)), lambda t: t.unsqueeze(0).unsqueeze(-1), x,
               ref=lambda a: np.expand_dims(a, (0, -1)), seed=seed)
    full_check(lambda t: t.ravel(), lambda t: t.ravel(), x, ref=np.ravel, seed=seed)


@EXAMPLES
@given(data=st.data(), shape=shapes, seed=seeds, ties=st.booleans())
def test_sort_is_stable_and_differentiable(data: Any, shape: tuple, seed: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, shape).astype(float) if ties else rng.standard_normal(shape)
    axis = _axis(data.draw, x.ndim, allow_none=False, allow_tuple=False)

    def theirs(t: Any) -> Any:
        s = t.sort(dim=axis, stable=True).values
        return s * 1.5 + s ** 2

    # at a tie central differences average two permutations; the stable one is torch's
    full_check(lambda t: t.sort(axis=axis) * 1.5 + t.sort(axis=axis) ** 2, theirs, x,
               ref=lambda a: np.sort(a, axis=axis, kind="stable") * 1.5 + np.sort(a, axis=axis) ** 2,
               seed=seed, central=not ties)


def test_sort_hand_values_ties_and_numpy() -> None:
    t = Tensor([[3.0, 1.0, 2.0], [5.0, 5.0, 4.0]], requires_grad=True)
    s = t.sort()
    assert s.data.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 5.0]]
    s.backward(np.array([[10.0, 20.0, 30.0], [1.0, 2.0, 3.0]]))
    assert t.grad.tolist() == [[30.0, 10.0, 20.0], [2.0, 3.0, 1.0]]  # stable: the first 5 gets slot 1
    assert isinstance(np.sort(t), Tensor) and np.sort(t, axis=0).data.tolist() == [[3.0, 1.0, 2.0],
                                                                                  [5.0, 5.0, 4.0]]
    assert np.argmax(t) == 3 and np.argmin(t, axis=1).tolist() == [1, 2]
    assert t.argmax(axis=0).tolist() == [1, 1, 1]


# --------------------------------------------------------------------------- broadcast_to, sum_to, pad
@EXAMPLES
@given(data=st.data(), big=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3), seed=seeds)
def test_broadcast_to_and_sum_to_are_each_others_gradients(data: Any, big: tuple, seed: int) -> None:
    small = data.draw(hnp.broadcastable_shapes(big, min_dims=0, max_dims=len(big), max_side=3))
    assume(np.broadcast_shapes(small, big) == big)
    rng = np.random.default_rng(seed)
    full_check(lambda t: t.broadcast_to(big), lambda t: t.broadcast_to(big), rng.standard_normal(small),
               ref=lambda a: np.broadcast_to(a, big), seed=seed)
    full_check(lambda t: t.sum_to(small), lambda t: t.sum_to_size(small) if small else t.sum(),
               rng.standard_normal(big), seed=seed)
    b = np.broadcast_to(Tensor(rng.standard_normal(small), requires_grad=True), big)
    assert isinstance(b, Tensor) and b.shape == big


def test_sum_to_and_broadcast_to_refuse_shapes_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match=r"^sum_to: .*\(2, 3\).*\(4,\)"):
        Tensor(np.ones((2, 3))).sum_to((4,))
    with pytest.raises(ValueError, match=r"^broadcast_to: .*\(2, 3\).*\(3, 3\)"):
        Tensor(np.ones((2, 3))).broadcast_to((3, 3))


PAD_WIDTHS = [1, (1, 2), ((0, 1),), ((1, 0), (2, 1)), ((0, 0), (0, 3)), (2,), 0]


@pytest.mark.parametrize("pad_width", PAD_WIDTHS, ids=str)
def test_pad_takes_numpys_pad_widths(pad_width: Any) -> None:
    torch = _torch()
    x = np.random.default_rng(0).standard_normal((2, 3))
    full = np.broadcast_to(np.asarray(pad_width), (2, 2)).tolist()
    flat = [w for pair in reversed(full) for w in pair]
    for c in (0.0, -1.5):
        full_check(lambda t, c=c: t.pad(pad_width, constant_values=c),
                   lambda t, c=c: torch.nn.functional.pad(t, flat, value=c), x,
                   ref=lambda a, c=c: np.pad(a, pad_width, constant_values=c))
    t = Tensor(x, requires_grad=True)
    assert np.pad(t, pad_width).op == t.pad(pad_width).op


def test_pad_refuses_what_it_does_not_cover() -> None:
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"^pad: "):
        t.pad(-1)
    with pytest.raises(ValueError, match=r"^pad: "):
        t.pad(((1, 1), (1, 1), (1, 1)))
    with pytest.raises(ValueError, match=r"^pad: only mode 'constant'"):
        np.pad(t, 1, mode="reflect")


# --------------------------------------------------------------------------- contractions
@EXAMPLES
@given(n=st.integers(1, 4), m=st.integers(1, 4), k=st.integers(1, 4), seed=seeds)
def test_dot_and_outer(n: int, m: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    torch = _torch()
    a, b = rng.standard_normal(n), rng.standard_normal(n)
    full_check(F.dot, torch.dot, a, b, ref=np.dot, seed=seed)
    A, B = rng.standard_normal((m, n)), rng.standard_normal((n, k))
    full_check(F.dot, torch.matmul, A, B, ref=np.dot, seed=seed)
    full_check(F.dot, torch.mv, A, b, ref=np.dot, seed=seed)
    C = rng.standard_normal((2, k, n, m))
    full_check(F.dot, lambda x, y: torch.tensordot(x, y, dims=([1], [2])), A, C, ref=np.dot, seed=seed)
    full_check(F.outer, lambda x, y: torch.outer(x.reshape(-1), y.reshape(-1)), A, b, ref=np.outer, seed=seed)
    x = Tensor(a, requires_grad=True)
    assert isinstance(np.dot(x, b), Tensor) and isinstance(np.outer(x, x), Tensor)


@EXAMPLES
@given(data=st.data(), seed=seeds)
def test_tensordot(data: Any, seed: int) -> None:
    torch = _torch()
    rng = np.random.default_rng(seed)
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=5, max_size=5))
    k = data.draw(st.integers(0, 2))
    a = rng.standard_normal(tuple(sizes[:3]))
    b = rng.standard_normal(tuple(sizes[3 - k:3]) + tuple(sizes[3:]))
    full_check(lambda x, y: F.tensordot(x, y, axes=k), lambda x, y: torch.tensordot(x, y, dims=k), a, b,
               ref=lambda x, y: np.tensordot(x, y, axes=k), seed=seed)
    pairs = ([0, 2], [1, 0])
    c = rng.standard_normal((sizes[2], sizes[0], 2))
    full_check(lambda x, y: F.tensordot(x, y, axes=pairs), lambda x, y: torch.tensordot(x, y, dims=pairs),
               a, c, ref=lambda x, y: np.tensordot(x, y, axes=pairs), seed=seed)
    full_check(lambda x, y: F.tensordot(x, y), lambda x, y: torch.tensordot(x, y), a,
               rng.standard_normal((sizes[1], sizes[2])), ref=np.tensordot, seed=seed)  # axes=2
    assert isinstance(np.tensordot(Tensor(a), Tensor(b), axes=k), Tensor)


EINSUM = [  # subscripts, operand shapes
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 2)]),
    ("i,i->", [(4,), (4,)]),
    ("i,i", [(3,), (3,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij->ji", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->ij", [(2, 2, 3)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("bi,bi->b", [(3, 4), (3, 4)]),
    ("ij,ij,ij->i", [(2, 3), (2, 3), (2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("i,jk->ijk", [(2,), (2, 3)]),
    ("ijk,kji->", [(2, 3, 2), (2, 3, 2)]),
    ("ab,b->a", [(3, 2), (2,)]),
    ("ii,i->i", [(3, 3), (3,)]),
    ("i->", [(1,)]),
]


@pytest.mark.parametrize("subscripts, shapes_", EINSUM, ids=[s for s, _ in EINSUM])
def test_einsum_explicit_implicit_and_repeated_indices(subscripts: str, shapes_: List[tuple]) -> None:
    torch = _torch()
    rng = np.random.default_rng(len(subscripts))
    arrays = [rng.standard_normal(s) for s in shapes_]
    full_check(lambda *xs: F.einsum(subscripts, *xs), lambda *xs: torch.einsum(subscripts, *xs), *arrays,
               ref=lambda *xs: np.einsum(subscripts, *xs))
    ts = [Tensor(a, requires_grad=True) for a in arrays]
    via_numpy = np.einsum(subscripts, *ts)
    assert isinstance(via_numpy, Tensor)
    np.testing.assert_allclose(via_numpy.data, np.einsum(subscripts, *arrays), rtol=1e-14)


def test_einsum_refuses_bad_subscripts_naming_them() -> None:
    a = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"^einsum: .*'ij,jk->ik'.*2 operands"):
        F.einsum("ij,jk->ik", a)
    with pytest.raises(ValueError, match=r"^einsum: .*'j'.*sizes 3 and 2"):
        F.einsum("ij,jk->ik", a, a)
    with pytest.raises(ValueError, match=r"^einsum: "):
        F.einsum("ij->k", a)
    with pytest.raises(ValueError, match=r"^einsum: "):
        F.einsum("ijk->ij", a)


def test_contractions_refuse_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"^dot: shapes \(2, 3\) and \(2,\)"):
        F.dot(Tensor(np.ones((2, 3))), Tensor(np.ones(2)))
    with pytest.raises(ValueError, match=r"^tensordot: "):
        F.tensordot(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3))), axes=1)


# --------------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize("call, words", [
    (lambda t: t.repeat(-1), r"^repeat: "),
    (lambda t: t.repeat([1, 2, 3], axis=0), r"^repeat: "),
    (lambda t: t.tile(-1), r"^tile: "),
    (lambda t: t.diff(n=-1), r"^diff: "),
    (lambda t: t.moveaxis(0, 5), r"^moveaxis: "),
    (lambda t: t.swapaxes(0, 2), r"^swapaxes: "),
    (lambda t: t.squeeze(axis=0), r"^squeeze: .*axis 0.*\(2, 3\)"),
    (lambda t: t.expand_dims(4), r"^expand_dims: "),
    (lambda t: t.sort(axis=2), r"^sort: "),
    (lambda t: t.prod(axis=3), r"^prod: "),
    (lambda t: t.cumsum(axis=(0, 1)), r"^cumsum: "),
    (lambda t: t.std(ddof=6), r"^std: "),
])
def test_bad_arguments_are_clear_errors(call: Callable[[Tensor], Any], words: str) -> None:
    t = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises((ValueError, TypeError), match=words):
        call(t)
    assert t.grad is None and (t.data == 1.0).all()


def test_every_tensor_op_has_a_row_of_the_table() -> None:
    from autograd_lite import ops
    t = Tensor(np.arange(1.0, 7.0).reshape(2, 3) / 7, requires_grad=True)
    made = [t.prod(), t.std(), t.cumsum(), t.repeat(2), t.tile(2), t.diff(), t.moveaxis(0, 1),
            t.swapaxes(0, 1), t[None].squeeze(), t.expand_dims(0), t.ravel(), t.sort(), t.sum_to((3,)),
            t.broadcast_to((2, 2, 3)), t.pad(1), t % 0.3, F.dot(t, t.T), F.outer(t, t), F.tensordot(t, t),
            F.einsum("ij,ij->", t, t)]
    made += [getattr(Tensor(draw(np.random.default_rng(0), (2, 3)), requires_grad=True), name)()
             for name, (draw, _) in UNARY.items()]  # inside each op's domain
    for out in made:
        row = ops.op_row(out.op)
        assert row is not None and "Tensor" in row.kinds and row.vjp is not None, out.op
        assert row.again is not None and row.sends, out.op
