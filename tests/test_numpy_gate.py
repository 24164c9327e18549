"""numpy on Tensors gives a gradient equal to PyTorch's or refuses (issue 20, part 1).

Hypothesis draws a numpy function and what to hand it: a supported call (with or without a
keyword numpy takes, default-valued or not), a function whose result is a tuple or list, a
conversion through ``__array__``, or a write (``out=``, ``np.put``, ``arr += t`` ...).  Every
outcome is one of two: a Tensor whose gradient (after a random upstream, on top of grads already
there) equals PyTorch's, or a TypeError / ValueError naming the function (and the keyword), with
every datum, grad and array exactly as before.  Refusals are measured (time, tracemalloc peak).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Tuple

import hostile
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor

torch = pytest.importorskip("torch")
tF = torch.nn.functional
seeds = st.integers(0, 2**32 - 1)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print("\n" + hostile.summary())


# name -> (ours(t, u, m, **kw), torch's(a, b, m), keywords numpy takes but autograd_lite refuses,
#          keywords holding numpy's default, which change nothing)
Case = Tuple[Callable[..., Any], Callable[..., Any], Dict[str, Any], Dict[str, Any]]
M = np.array([[True, False, True, True], [False, True, True, False], [True, True, False, True]])
ARR = np.zeros((3, 4))
REDUCE_BAD = {"where": M, "dtype": np.float32, "out": ARR, "initial": 1.0}
UFUNC_BAD = {"where": M, "dtype": np.float32, "out": ARR, "casting": "unsafe", "subok": False, "order": "F"}
UFUNC_OK = {"where": True, "casting": "same_kind", "order": "K", "dtype": None, "subok": True}
CASES: Dict[str, Case] = {
    "sum": (
        lambda t, u, m, **k: np.sum(t, axis=1, **k),
        lambda a, b, m: a.sum(1),
        REDUCE_BAD,
        {"out": None, "dtype": None, "keepdims": False},
    ),
    "mean": (
        lambda t, u, m, **k: np.mean(t, axis=0, **k),
        lambda a, b, m: a.mean(0),
        {"where": M, "dtype": np.float32, "out": np.zeros(4)},
        {"out": None},
    ),
    "max": (lambda t, u, m, **k: np.max(t, **k), lambda a, b, m: a.max(), REDUCE_BAD, {"axis": None}),
    "amin": (lambda t, u, m, **k: np.amin(t, axis=1, **k), lambda a, b, m: a.amin(1), REDUCE_BAD, {}),
    "prod": (lambda t, u, m, **k: np.prod(t, axis=0, **k), lambda a, b, m: a.prod(0), REDUCE_BAD, {}),
    "var": (
        lambda t, u, m, **k: np.var(t, axis=1, ddof=1, **k),
        lambda a, b, m: a.var(1, correction=1),
        {"where": M, "mean": np.zeros((3, 1)), "correction": 1, "dtype": np.float32},
        {"out": None},
    ),
    "std": (
        lambda t, u, m, **k: np.std(t, **k),
        lambda a, b, m: a.std(correction=0),
        {"where": M, "correction": 0, "out": np.zeros(())},
        {"ddof": 0},
    ),
    "exp": (lambda t, u, m, **k: np.exp(t, **k), lambda a, b, m: a.exp(), UFUNC_BAD, UFUNC_OK),
    "add": (lambda t, u, m, **k: np.add(t, u, **k), lambda a, b, m: a + b, UFUNC_BAD, UFUNC_OK),
    "multiply": (lambda t, u, m, **k: np.multiply(ARR + 2.0, u, **k), lambda a, b, m: 2.0 * b, UFUNC_BAD, {}),
    "maximum": (
        lambda t, u, m, **k: np.maximum(t, u, **k),
        lambda a, b, m: torch.maximum(a, b),
        UFUNC_BAD,
        {},
    ),
    "matmul": (
        lambda t, u, m, **k: np.matmul(t, u.T, **k),
        lambda a, b, m: a @ b.T,
        {"axes": [(-2, -1), (-2, -1), (-2, -1)], "dtype": np.float32},
        {},
    ),
    "reshape": (
        lambda t, u, m, **k: np.reshape(t, (4, 3), **k),
        lambda a, b, m: a.reshape(4, 3),
        {"order": "F", "copy": True},
        {"order": "C"},
    ),
    "transpose": (lambda t, u, m, **k: np.transpose(t, **k), lambda a, b, m: a.T, {}, {"axes": None}),
    "clip": (
        lambda t, u, m, **k: np.clip(t, -0.5, 0.5, **k),
        lambda a, b, m: a.clamp(-0.5, 0.5),
        {"out": np.zeros((3, 4)), "where": M, "dtype": np.float32},
        {},
    ),
    "where": (lambda t, u, m, **k: np.where(m, t, u, **k), lambda a, b, m: torch.where(m, a, b), {}, {}),
    "concatenate": (
        lambda t, u, m, **k: np.concatenate([t, u], axis=1, **k),
        lambda a, b, m: torch.cat([a, b], 1),
        {"out": np.zeros((3, 8)), "dtype": np.float32, "casting": "unsafe"},
        {"out": None},
    ),
    "stack": (
        lambda t, u, m, **k: np.stack([t, u], **k),
        lambda a, b, m: torch.stack([a, b]),
        {"out": np.zeros((2, 3, 4)), "dtype": np.float32},
        {"axis": 0},
    ),
    "repeat": (
        lambda t, u, m, **k: np.repeat(t, 2, axis=0, **k),
        lambda a, b, m: a.repeat_interleave(2, 0),
        {},
        {},
    ),
    "tile": (lambda t, u, m, **k: np.tile(t, (2, 1), **k), lambda a, b, m: a.repeat(2, 1), {}, {}),
    "pad": (
        lambda t, u, m, **k: np.pad(t, 1, **k),
        lambda a, b, m: tF.pad(a, (1, 1, 1, 1)),
        {"mode": "reflect", "stat_length": 2},
        {"mode": "constant", "constant_values": 0.0},
    ),
    "cumsum": (
        lambda t, u, m, **k: np.cumsum(t, axis=1, **k),
        lambda a, b, m: a.cumsum(1),
        {"dtype": np.float32, "out": np.zeros((3, 4))},
        {"out": None},
    ),
    "diff": (
        lambda t, u, m, **k: np.diff(t, **k),
        lambda a, b, m: torch.diff(a),
        {"prepend": 0.0, "append": 1.0},
        {"n": 1, "axis": -1},
    ),
    "einsum": (
        lambda t, u, m, **k: np.einsum("ij,ij->i", t, u, **k),
        lambda a, b, m: torch.einsum("ij,ij->i", a, b),
        {"out": np.zeros(3), "dtype": np.float32, "casting": "unsafe"},
        {"optimize": True},
    ),
    "tensordot": (
        lambda t, u, m, **k: np.tensordot(t, u, axes=([1], [1]), **k),
        lambda a, b, m: torch.tensordot(a, b, dims=([1], [1])),
        {},
        {},
    ),
    "outer": (
        lambda t, u, m, **k: np.outer(t, u, **k),
        lambda a, b, m: torch.outer(a.ravel(), b.ravel()),
        {"out": np.zeros((12, 12))},
        {"out": None},
    ),
    "dot": (lambda t, u, m, **k: np.dot(t, u.T, **k), lambda a, b, m: a @ b.T, {"out": np.zeros((3, 3))}, {}),
    "sort": (
        lambda t, u, m, **k: np.sort(t, **k),
        lambda a, b, m: torch.sort(a, stable=True).values,
        {"order": "x"},
        {"kind": "stable", "stable": True},
    ),
    "swapaxes": (lambda t, u, m, **k: np.swapaxes(t, 0, 1, **k), lambda a, b, m: a.T, {}, {}),
}

# functions whose result is a tuple or list, or no Tensor op: refused when t requires grad
NO_OP: Dict[str, Callable[..., Any]] = {
    "split": lambda t, u: np.split(t, 3),
    "array_split": lambda t, u: np.array_split(t, 2),
    "hsplit": lambda t, u: np.hsplit(t, 2),
    "vsplit": lambda t, u: np.vsplit(t, 3),
    "divmod": lambda t, u: np.divmod(t, 2.0),
    "modf": lambda t, u: np.modf(t),
    "frexp": lambda t, u: np.frexp(t),
    "eigh": lambda t, u: np.linalg.eigh(t[:, :3]),
    "eig": lambda t, u: np.linalg.eig(t[:, :3]),
    "svd": lambda t, u: np.linalg.svd(t),
    "qr": lambda t, u: np.linalg.qr(t),
    "slogdet": lambda t, u: np.linalg.slogdet(t[:, :3]),
    "lstsq": lambda t, u: np.linalg.lstsq(t, np.ones(3)),
    "inv": lambda t, u: np.linalg.inv(t[:, :3]),
    "norm": lambda t, u: np.linalg.norm(t),
    "meshgrid": lambda t, u: np.meshgrid(t, u),
    "gradient": lambda t, u: np.gradient(t),
    "nanmin": lambda t, u: np.nanmin(t),
    "broadcast_arrays": lambda t, u: np.broadcast_arrays(t, u),
    "unique": lambda t, u: np.unique(t, return_counts=True),
    "histogram": lambda t, u: np.histogram(t),
    "nancumprod": lambda t, u: np.nancumprod(t),
    "nanmax": lambda t, u: np.nanmax(t),
    "nanmean": lambda t, u: np.nanmean(t),
    "median": lambda t, u: np.median(t),
    "percentile": lambda t, u: np.percentile(t, 50),
    "fft": lambda t, u: np.fft.fft(t),
    "add.reduce": lambda t, u: np.add.reduce(t),
    "multiply.outer": lambda t, u: np.multiply.outer(t, u),
    "add.accumulate": lambda t, u: np.add.accumulate(t),
    "copysign": lambda t, u: np.copysign(t, u),
    "nextafter": lambda t, u: np.nextafter(t, u),
    "interp": lambda t, u: np.interp(t, [0.0, 1.0], [0.0, 2.0]),
}
for _f in NO_OP.values():  # numpy imports some submodules on first use: not a refusal's memory
    _f(np.eye(3, 4) + 1.0, np.eye(3, 4) + 2.0)

# conversions through __array__ (the numpy function is not told about the Tensor)
CONVERSIONS: Dict[str, Callable[..., Any]] = {
    "asarray": lambda t, u: np.asarray(t),
    "array": lambda t, u: np.array([t, u]),
    "sum of a list": lambda t, u: np.sum([t, u]),
    "mean of a list": lambda t, u: np.mean([t, t + 2]),
    "r_": lambda t, u: np.r_[t, u],
    "c_": lambda t, u: np.c_[t, u],
    "vectorize": lambda t, u: np.vectorize(lambda x: x * 2)(t),
    "ascontiguousarray": lambda t, u: np.array(t),
}


def _writes(t: Any, u: Any, arr: np.ndarray) -> Dict[str, Callable[[], Any]]:
    def iadd() -> None:
        a = arr
        a += t

    return {
        "exp": lambda: np.exp(t, out=t),
        "add": lambda: np.add(t, u, out=arr),
        "add.": iadd,
        "negative": lambda: np.negative(u, out=arr),
        "put": lambda: np.put(t, [0], [5.0]),
        "place": lambda: np.place(t, M, [1.0]),
        "putmask": lambda: np.putmask(t, M, 1.0),
        "copyto": lambda: np.copyto(t, 1.0),
        "copyto ": lambda: np.copyto(arr, u),
        "add.at": lambda: np.add.at(t, ([0], [0]), 1.0),
        "add.at ": lambda: np.add.at(arr, ([0], [0]), u[0, 0]),
        "fill_diagonal": lambda: np.fill_diagonal(t, 0.0),
        "put_along_axis": lambda: np.put_along_axis(t, np.zeros((3, 1), int), 0.0, 1),
        "clip": lambda: np.clip(t, 0, 1, out=arr),
        "cumsum": lambda: np.cumsum(t, axis=0, out=arr),
        "matmul": lambda: np.matmul(t, u.T, out=np.zeros((3, 3))),
    }


def _tensors(seed: int) -> Tuple[Tensor, Tensor, Any, Any, np.ndarray]:
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    t, u = Tensor(a.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    if rng.random() < 0.5:  # grads already there: a refusal keeps them, a backward adds to them
        g0, h0 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
        t.grad, u.grad, ta.grad, tb.grad = g0.copy(), h0.copy(), torch.tensor(g0), torch.tensor(h0)
    return t, u, ta, tb, rng.standard_normal(1)


@settings(deadline=None, max_examples=150)
@given(st.sampled_from(sorted(CASES)), st.sampled_from(["none", "refused", "default"]), st.data(), seeds)
def test_supported_functions_give_pytorchs_gradient_or_refuse_the_keyword(
    name: str, keyword: str, data: Any, seed: int
) -> None:
    ours, theirs, bad, fine = CASES[name]
    pool = bad if keyword == "refused" else fine if keyword == "default" else {}
    kw: Dict[str, Any] = {}
    if pool:
        key = data.draw(st.sampled_from(sorted(pool)))
        kw = {key: pool[key]}
    t, u, ta, tb, _ = _tensors(seed)
    outs = [v for v in kw.values() if isinstance(v, np.ndarray)]
    state = hostile.State([t, u], outs + [ARR])
    kind = "numpy-keyword" if kw else "numpy-supported"
    result, refused = hostile.attempt(
        kind, f"np.{name}(**{sorted(kw)})", lambda: ours(t, u, M, **kw), [name.split(".")[0]] + sorted(kw)
    )
    if refused or (kw and keyword == "refused"):
        assert refused, f"np.{name} accepted {sorted(kw)}"
        state.unchanged()
        return
    assert isinstance(result, Tensor) and result.requires_grad
    expected = theirs(ta, tb, torch.tensor(M))
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=1e-13, atol=1e-14)
    w = np.random.default_rng(seed + 1).standard_normal(result.shape)
    result.backward(w)
    expected.backward(torch.tensor(w))
    for x, tx in ((t, ta), (u, tb)):
        if tx.grad is None:
            assert x.grad is None
        else:
            np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-13)


@settings(deadline=None, max_examples=150)
@given(st.sampled_from(["no-op"] * 3 + ["conversion", "write"]), st.data(), seeds, st.booleans())
def test_what_would_drop_the_graph_is_refused_and_changes_nothing(
    kind: str, data: Any, seed: int, wants: bool
) -> None:
    t, u, _, _, _ = _tensors(seed)
    if not wants:  # constants: numpy runs on the data (never writing into a Tensor)
        t, u = t.detach(), u.detach()
    arr = np.random.default_rng(seed).standard_normal((3, 4))
    table: Dict[str, Callable[[], Any]]
    if kind == "write":
        table = _writes(t, u, arr)
    else:
        funcs = NO_OP if kind == "no-op" else CONVERSIONS
        table = {k: (lambda f=f: f(t, u)) for k, f in funcs.items()}  # type: ignore[misc]
    name = data.draw(st.sampled_from(sorted(table)))
    state, tensors = hostile.State([t, u], [arr, ARR]), hostile.State([t, u])
    writes_a_tensor = (
        kind == "write"
        and name.rstrip(". ")
        in ("exp", "put", "place", "putmask", "copyto", "add.at", "fill_diagonal", "put_along_axis")
        and name[-1] != " "
    )
    label = "numpy" if kind == "conversion" else name.rstrip(". ").split(".")[0]
    result, refused = hostile.attempt(f"numpy-{kind}", f"{kind} {name}", table[name], [label])
    if wants or writes_a_tensor:
        assert refused, f"{kind} {name} was not refused"
        state.unchanged()
        return
    assert not refused
    assert not isinstance(result, Tensor) or not result.requires_grad
    tensors.unchanged()  # a plain run never writes into a Tensor (plain arrays it may)


def test_the_issues_examples() -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    y = (t * t).sum()
    with pytest.raises(TypeError, match="numpy.put"):
        np.put(t, [0], [5.0])
    y.backward()  # the saved input was never changed: 2t at [1, 2]
    assert t.grad.tolist() == [2.0, 4.0]
    with pytest.raises(TypeError, match="numpy.exp of a Tensor that requires grad: keyword 'out'"):
        np.exp(t, out=t)
    assert t.data.tolist() == [1.0, 2.0]
    arr = np.zeros(2)
    with pytest.raises(TypeError, match="numpy.add"):
        arr += t
    assert arr.tolist() == [0.0, 0.0]
    with pytest.raises(TypeError, match="numpy.sum of a Tensor: keyword 'where'"):
        np.sum(t, where=np.array([True, False]))
    c = Tensor([1.0, 2.0])  # no gradient wanted: numpy may write into plain arrays
    arr += c
    assert arr.tolist() == [1.0, 2.0]
    assert [s.tolist() for s in np.split(c, 2)] == [[1.0], [2.0]]
    assert np.asarray(c) is c.data and np.array(c) is not c.data


def test_numpy_defaults_and_values_pass_through() -> None:
    t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert np.reshape(t, (4,), order="C").op == "reshape"
    assert np.sum(t, axis=0, keepdims=True).shape == (1, 2)
    assert np.var(t, ddof=1).item() == pytest.approx(np.var(t.data, ddof=1), rel=1e-15)
    with pytest.raises(TypeError, match="numpy.var of a Tensor: keyword 'correction'"):
        np.var(t, correction=1)
    with pytest.raises(TypeError, match="reshape"):
        np.reshape(t)  # numpy's own signature refuses it, named
    parts: List[Any] = [np.shape(t), np.ndim(t), np.argmax(t), np.allclose(t, t.data), np.isnan(t).tolist()]
    assert parts == [(2, 2), 2, 3, True, [[False, False], [False, False]]]
