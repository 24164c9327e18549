"""PyTorch's activations and losses as fused Tensor ops: first and second derivatives against
PyTorch (float64) and mpmath on random and edge inputs (large |x|, 0, ties at the kinks), every
option and reduction, the numeric policy and the errors."""

from __future__ import annotations

import math
from typing import Any, Callable, List, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, nn
from autograd_lite import activation as A
from autograd_lite import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

EDGES = [0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 20.0, -20.0, 40.0, -40.0, 700.0, -700.0, 1e4, -1e4]


def _derivatives(f: Callable[..., Any], xs: Sequence[np.ndarray], w_seed: int = 3) -> List[Any]:
    """Value, first derivatives of <f, v> and the derivatives of <first, w>, ours."""
    rng = np.random.default_rng(w_seed)
    ts = [Tensor(x.copy(), requires_grad=True) for x in xs]
    out = f(*ts)
    v = rng.uniform(0.5, 1.5, out.shape)
    (out * Tensor(v)).sum().backward(create_graph=True)
    first = [t.grad for t in ts]
    dot = sum(((g * Tensor(rng.uniform(-1, 1, x.shape))).sum() for g, x in zip(first, xs)), Tensor(0.0))
    for t in ts:
        t.grad = None
    if dot.requires_grad:
        dot.backward()
    second = [np.zeros(x.shape) if t.grad is None else t.grad for x, t in zip(xs, ts)]
    return [out.data, [g.data for g in first], second]


def _torch_derivatives(f: Callable[..., Any], xs: Sequence[np.ndarray], w_seed: int = 3) -> List[Any]:
    rng = np.random.default_rng(w_seed)
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    out = f(*ts)
    v = rng.uniform(0.5, 1.5, tuple(out.shape))
    first = torch.autograd.grad((out * torch.tensor(v)).sum(), ts, create_graph=True)
    dot = sum((g * torch.tensor(rng.uniform(-1, 1, x.shape))).sum() for g, x in zip(first, xs))
    second = (torch.autograd.grad(dot, ts, allow_unused=True) if dot.requires_grad else [None] * len(ts))
    return [out.detach().numpy(), [g.detach().numpy() for g in first],
            [np.zeros(x.shape) if s is None else s.numpy(force=True) for x, s in zip(xs, second)]]


def _close(ours: Any, theirs: Any, rtol: float, atol: float) -> None:
    """Equal to rtol (or atol), and finite wherever PyTorch is: where PyTorch's formula overflows
    (its mish'' and softplus(threshold=inf) beyond x ≈ 709 give NaN or inf), ours is the number."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    same = np.isfinite(theirs) | (theirs == ours) | (np.isnan(theirs) & np.isnan(ours))
    np.testing.assert_allclose(ours[same], theirs[same], rtol=rtol, atol=atol)
    assert np.isfinite(ours[~same]).all(), (ours, theirs)


def _match(f: Callable[..., Any], tf: Callable[..., Any], xs: Sequence[np.ndarray], rtol: float = 1e-12,
           atol: float = 1e-300, second_rtol: float = 1e-12, second_atol: float = 1e-13) -> None:
    """Ours and PyTorch's values agree to ``rtol``, first derivatives to ``rtol`` (or 1e-15 where
    they are tiny), second derivatives to ``second_rtol`` (or ``second_atol``): PyTorch's formulas
    cancel there (its softsign'(1e4) keeps 12 digits, sigmoid'(30) = s·(1 - s) 3; ours keep all of
    them: the mpmath test below)."""
    ours, theirs = _derivatives(f, xs), _torch_derivatives(tf, xs)
    _close(ours[0], theirs[0], rtol, atol)
    for a, b in zip(ours[1], theirs[1]):
        _close(a, b, rtol, max(atol, 1e-15))
    for a, b in zip(ours[2], theirs[2]):
        _close(a, b, second_rtol, second_atol)


reals = st.one_of(st.floats(-30.0, 30.0), st.sampled_from(EDGES))
arrays = st.lists(reals, min_size=1, max_size=8).map(lambda v: np.array(v, dtype=np.float64))

ACTIVATIONS = {
    "silu": (lambda a: F.silu(a), TF.silu),
    "softplus": (lambda a: F.softplus(a), TF.softplus),
    "softplus beta=2 threshold=5": (lambda a: F.softplus(a, beta=2.0, threshold=5.0),
                                    lambda a: TF.softplus(a, beta=2.0, threshold=5.0)),
    "softplus threshold=inf": (lambda a: F.softplus(a, threshold=math.inf),
                               lambda a: TF.softplus(a, threshold=math.inf)),
    "leaky_relu": (lambda a: F.leaky_relu(a) * a, lambda a: TF.leaky_relu(a) * a),
    "leaky_relu 0.3": (lambda a: F.leaky_relu(a, 0.3) * a, lambda a: TF.leaky_relu(a, 0.3) * a),
    "elu": (lambda a: F.elu(a), TF.elu),
    "elu 0.5": (lambda a: F.elu(a, alpha=0.5), lambda a: TF.elu(a, alpha=0.5)),
    "selu": (lambda a: F.selu(a), TF.selu),
    "hardtanh": (lambda a: F.hardtanh(a) * a, lambda a: TF.hardtanh(a) * a),
    "hardtanh -20..1": (lambda a: F.hardtanh(a, -20.0, 1.0) * a, lambda a: TF.hardtanh(a, -20.0, 1.0) * a),
    "softsign": (lambda a: F.softsign(a), TF.softsign),
    "mish": (lambda a: F.mish(a), TF.mish),
    "erf": (lambda a: F.erf(a), torch.erf),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@settings(deadline=None, max_examples=40)
@given(x=arrays)
def test_activations_match_torch_to_the_last_digits(name: str, x: np.ndarray) -> None:
    f, tf = ACTIVATIONS[name]
    _match(f, tf, [x])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_at_their_kinks_and_edges_match_torch(name: str) -> None:
    # every edge value at once, and the kinks: 0 (relu family), ±1 (hardtanh), 20 and 5/2 (softplus)
    x = np.array(EDGES + [2.5, -2.5, 5.0, 0.5, math.inf, -math.inf])
    if name == "hardtanh -20..1":
        x = np.append(x, [-20.0, 1.0])
    finite = x[np.isfinite(x)]
    _match(*ACTIVATIONS[name], [finite])
    with np.errstate(invalid="ignore"):  # ±inf: the values (derivatives there may be NaN in both)
        ours = ACTIVATIONS[name][0](Tensor(x)).data
    _close(ours, ACTIVATIONS[name][1](torch.tensor(x)).numpy(), 1e-15, 1e-300)


def _gelu_oracle(x: float) -> List[float]:
    """gelu, its first and second derivatives in 40 digits (mpmath)."""
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(40):
        t = mpmath.mpf(x)
        cdf = mpmath.erfc(-t / mpmath.sqrt(2)) / 2
        pdf = mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi)
        return [float(t * cdf), float(cdf + t * pdf), float(pdf * (2 - t * t))]


@settings(deadline=None, max_examples=60)
@given(x=arrays)
def test_exact_gelu_is_correct_to_the_last_digits(x: np.ndarray) -> None:
    t = Tensor(x.copy(), requires_grad=True)
    F.gelu(t).sum().backward(create_graph=True)
    first = t.grad
    t.grad = None
    first.sum().backward()
    expected = np.array([_gelu_oracle(float(v)) for v in x]).T
    values = F.gelu(Tensor(x)).data
    for ours, exact in zip((values, first.data, t.grad), expected):
        np.testing.assert_allclose(ours, exact, rtol=1e-12, atol=1e-300)


SMOOTH = {  # name: (ours, the function in mpmath)
    "silu": (F.silu, lambda m, t: t / (1 + m.exp(-t))),
    "softplus": (lambda a: F.softplus(a, threshold=math.inf), lambda m, t: m.log1p(m.exp(t))),
    "mish": (F.mish, lambda m, t: t * m.tanh(m.log1p(m.exp(t)))),
    "softsign": (F.softsign, lambda m, t: t / (1 + abs(t))),
    "gelu tanh": (lambda a: F.gelu(a, approximate="tanh"),
                  # t/2·(1 + tanh u) = t·sigmoid(2u), which keeps its digits in mpmath too
                  lambda m, t: t / (1 + m.exp(-2 * m.sqrt(2 / m.pi) * (t + m.mpf("0.044715") * t ** 3)))),
    "erf": (F.erf, lambda m, t: m.erf(t)),  # (differentiated as ∓erfc(±t) + const: see _KEEP)
    "erfc": (F.erfc, lambda m, t: m.erfc(t)),
    "elu (x < 0)": (lambda a: F.elu(a, 0.7), lambda m, t: 0.7 * m.expm1(t)),
}


# erf(18) = 1 - 1e-142: numeric differences would need 700 digits; erf's derivatives are known
_KEEP = {"erf": lambda m, t, k: 2 / m.sqrt(m.pi) * m.exp(-t * t) * (1 if k == 1 else -2 * t),
         "erfc": lambda m, t, k: -2 / m.sqrt(m.pi) * m.exp(-t * t) * (1 if k == 1 else -2 * t)}


@pytest.mark.parametrize("name", sorted(SMOOTH))
@settings(deadline=None, max_examples=25)
@given(x=st.lists(st.one_of(st.floats(-40.0, 40.0), st.sampled_from([0.5, -0.5, 1e-8, 700.0, -700.0])),
                  min_size=1, max_size=4).map(np.array))
def test_smooth_activations_keep_their_digits_against_mpmath(name: str, x: np.ndarray) -> None:
    mpmath = pytest.importorskip("mpmath")
    f, exact = SMOOTH[name]
    if name.startswith("elu"):
        x = -np.abs(x) - 1e-3
    if name == "softsign":  # its kink at 0: PyTorch's side of it is tested above
        x = np.where(np.abs(x) < 1e-3, 0.5, x)
    t = Tensor(x.copy(), requires_grad=True)
    f(t).sum().backward(create_graph=True)
    first = t.grad
    t.grad = None
    first.sum().backward()
    with mpmath.workdps(130):  # erf(11) = 1 - 1e-54: differences need far more than 54 digits
        oracle = np.array([[float(_KEEP[name](mpmath, mpmath.mpf(float(v)), k) if k and name in _KEEP
                                  else mpmath.diff(lambda u: exact(mpmath, u), mpmath.mpf(float(v)), k))
                            for v in x] for k in range(3)])
    for k, ours in enumerate((f(Tensor(x)).data, first.data, t.grad)):
        # (x ± 40 rounded to a double moves exp(-x²) by up to 2e-13 of itself: inherent in the input)
        # mish'' sums terms of both signs that cancel (x = 7: to 2e-11 of itself): 1e-15 absolute there
        # gelu's tanh form: its second derivative far out (x = 16: -4.8e-134) is a difference of
        # sech² terms, to 5e-10 of itself: 1e-15 absolute there too
        atol = 1e-15 if k == 2 and name in ("mish", "gelu tanh") else 1e-300
        np.testing.assert_allclose(ours, oracle[k], rtol=1e-12, atol=atol,
                                   err_msg=f"derivative {k}")


def test_exact_gelu_matches_torch_where_torch_keeps_its_digits() -> None:
    # PyTorch computes 1 + erf(x/√2), which loses digits for x < -3 (ours uses erfc there)
    x = np.random.default_rng(0).uniform(-3.0, 30.0, 50)
    _match(lambda a: F.gelu(a), TF.gelu, [x], rtol=1e-12, second_rtol=1e-11)
    far = np.array([-8.0])
    assert F.gelu(Tensor(far)).item() == pytest.approx(_gelu_oracle(-8.0)[0], rel=1e-15)
    assert F.gelu(Tensor(far)).item() != 0.0  # PyTorch's value: 1 + erf rounds it to 0


@settings(deadline=None, max_examples=40)
@given(x=st.lists(st.lists(reals, min_size=3, max_size=3), min_size=1, max_size=4),
       axis=st.sampled_from([None, 0, 1, -1, (0, 1)]), keepdims=st.booleans())
def test_logsumexp_matches_torch(x: List[List[float]], axis: Any, keepdims: bool) -> None:
    a = np.array(x)
    dims = tuple(range(a.ndim)) if axis is None else axis
    _match(lambda t: A.logsumexp(t, axis, keepdims), lambda t: torch.logsumexp(t, dim=dims, keepdim=keepdims),
           [a])


def test_logsumexp_never_overflows_and_handles_infinities() -> None:
    assert F.logsumexp(Tensor([1000.0, 1000.0])).item() == 1000.0 + math.log(2.0)
    assert F.logsumexp(Tensor([-1e4, -1e4])).item() == -1e4 + math.log(2.0)
    x = np.array([[-math.inf, -math.inf], [math.inf, 0.0], [-math.inf, 1.0]])
    theirs = torch.logsumexp(torch.tensor(x), 1).numpy()
    np.testing.assert_array_equal(F.logsumexp(Tensor(x), dim=1).data, theirs)


# --------------------------------------------------------------------------- losses
def _labels(n: int, c: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, c, n)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ls", [0.0, 0.1, 1.0])
@settings(deadline=None, max_examples=15)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 4), c=st.integers(1, 4),
       scale=st.sampled_from([1.0, 30.0, 1e3]))
def test_cross_entropy_with_labels_reduction_and_label_smoothing_match_torch(
        reduction: str, ls: float, seed: int, n: int, c: int, scale: float) -> None:
    z = np.random.default_rng(seed).normal(size=(n, c)) * scale
    y = _labels(n, c, seed)
    _match(lambda a: F.cross_entropy(a, y, reduction=reduction, label_smoothing=ls),
           lambda a: TF.cross_entropy(a, torch.tensor(y), reduction=reduction, label_smoothing=ls),
           [z], atol=1e-15 * scale)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ls", [0.0, 0.25])
def test_cross_entropy_with_probability_rows_and_1d_logits_match_torch(reduction: str, ls: float) -> None:
    rng = np.random.default_rng(5)
    z, t = rng.normal(size=(3, 4)), rng.dirichlet(np.ones(4), 3)
    _match(lambda a, b: F.cross_entropy(a, b, reduction=reduction, label_smoothing=ls),
           lambda a, b: TF.cross_entropy(a, b, reduction=reduction, label_smoothing=ls), [z, t])
    _match(lambda a: F.cross_entropy(a, 2, reduction=reduction, label_smoothing=ls),
           lambda a: TF.cross_entropy(a, torch.tensor(2), reduction=reduction, label_smoothing=ls), [z[0]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch_and_equals_cross_entropy_of_log_softmax(reduction: str) -> None:
    z = np.random.default_rng(1).normal(size=(5, 3))
    y = _labels(5, 3, 1)
    _match(lambda a: F.nll_loss(F.log_softmax(a), y, reduction=reduction),
           lambda a: TF.nll_loss(TF.log_softmax(a, 1), torch.tensor(y), reduction=reduction), [z])
    _match(lambda a: F.nll_loss(a, y, reduction=reduction) ** 2,
           lambda a: TF.nll_loss(a, torch.tensor(y), reduction=reduction) ** 2, [z])
    ours = F.nll_loss(F.log_softmax(Tensor(z)), y, reduction=reduction).data
    np.testing.assert_allclose(ours, F.cross_entropy(Tensor(z), y, reduction=reduction).data, rtol=1e-15)


probs = st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 1.0, 1e-300, 1e-13, 0.5, 1 - 1e-16]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@settings(deadline=None, max_examples=40)
@given(pt=st.lists(st.tuples(probs, probs), min_size=1, max_size=6))
def test_binary_cross_entropy_matches_torch(reduction: str, pt: List[Any]) -> None:
    p, t = np.array(pt).T.copy()
    ours = _derivatives(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), [p, t])
    theirs = _torch_derivatives(lambda a, b: TF.binary_cross_entropy(a, b, reduction=reduction), [p, t])
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-300)
    clamped = p * (1 - p) < 1e-12  # the slopes divide by at least 1e-12, the logs are at least -100
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a[~clamped], b[~clamped], rtol=1e-12, atol=1e-300)
    # where clamped, the hand-derived slopes of the clamped loss (PyTorch's target slope is ±inf
    # at p = 0 or 1: it does not clamp there)
    v = np.random.default_rng(3).uniform(0.5, 1.5, np.shape(ours[0]))  # _derivatives' first draw
    gs = v / p.size if reduction == "mean" else v
    with np.errstate(divide="ignore"):
        log_p, log_q = np.maximum(np.log(p), -100.0), np.maximum(np.log1p(-p), -100.0)
    np.testing.assert_allclose(ours[1][0][clamped], ((p - t) / 1e-12 * gs)[clamped], rtol=1e-15)
    expected = (log_q - log_p) * gs * np.ones_like(p)
    np.testing.assert_allclose(ours[1][1][clamped], expected[clamped], rtol=1e-15)
    inside = (p > 1e-3) & (p < 1 - 1e-3)  # PyTorch's second derivative adds 1e-12 to p and 1 - p
    for a, b in zip(ours[2], theirs[2]):
        np.testing.assert_allclose(np.asarray(a)[inside], b[inside], rtol=1e-8)


logits = st.one_of(st.floats(-50.0, 50.0), st.sampled_from([0.0, 800.0, -800.0, 1e4, -1e4, 40.0, -40.0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("pos_weight", [None, "scalar", "per class"])
@settings(deadline=None, max_examples=25)
@given(xt=st.lists(st.tuples(logits, probs), min_size=3, max_size=3))
def test_binary_cross_entropy_with_logits_matches_torch(reduction: str, pos_weight: Any,
                                                        xt: List[Any]) -> None:
    x, t = np.array(xt).T.copy()
    pw = {None: None, "scalar": np.array(2.5), "per class": np.array([0.5, 2.0, 3.0])}[pos_weight]
    _match(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction, pos_weight=pw),
           lambda a, b: TF.binary_cross_entropy_with_logits(
               a, b, reduction=reduction, pos_weight=None if pw is None else torch.tensor(pw)),
           [x, t], rtol=1e-12, atol=1e-12)


def test_binary_cross_entropy_with_logits_never_overflows() -> None:
    x = Tensor([1e308, -1e308, 800.0, -800.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, [0.0, 1.0, 1.0, 0.0], reduction="none")
    assert loss.data.tolist() == [1e308, 1e308, 0.0, 0.0]
    loss.backward(np.ones(4))
    assert x.grad.tolist() == [1.0, -1.0, 0.0, 0.0]


pairs = st.lists(st.tuples(st.floats(-5, 5), st.sampled_from([0.0, 0.25, -0.75, 1.0])),
                 min_size=1, max_size=6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("width", [0.5, 1.0, 2.0, 0.0])
@settings(deadline=None, max_examples=25)
@given(xt=pairs, ties=st.lists(st.sampled_from([-1.0, 1.0, 0.0]), min_size=1, max_size=3))
def test_huber_and_smooth_l1_match_torch_at_random_points_and_at_their_kinks(
        reduction: str, width: float, xt: List[Any], ties: List[float]) -> None:
    x, t = np.array(xt).T.copy()
    t_ties = np.array([0.25] * len(ties))
    x = np.concatenate([x, t_ties + np.array(ties) * width])  # |x - t| exactly at the kink (or 0)
    t = np.concatenate([t, t_ties])
    _match(lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=width),
           lambda a, b: TF.smooth_l1_loss(a, b, reduction=reduction, beta=width), [x, t])
    if width > 0:
        _match(lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=width),
               lambda a, b: TF.huber_loss(a, b, reduction=reduction, delta=width), [x, t])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_takes_a_reduction(reduction: str) -> None:
    rng = np.random.default_rng(2)
    x, t = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    _match(lambda a, b: F.mse_loss(a, b, reduction=reduction),
           lambda a, b: TF.mse_loss(a, b, reduction=reduction), [x, t])


LOSS_MODULES = [
    (nn.NLLLoss, torch.nn.NLLLoss, "labels", {}),
    (nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss, "labels", {"label_smoothing": 0.2}),
    (nn.BCELoss, torch.nn.BCELoss, "probs", {}),
    (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, "logits", {}),
    (nn.HuberLoss, torch.nn.HuberLoss, "pair", {"delta": 0.5}),
    (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, "pair", {"beta": 0.5}),
    (nn.MSELoss, torch.nn.MSELoss, "pair", {}),
]


@pytest.mark.parametrize("ours, theirs, kind, options", LOSS_MODULES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_modules_equal_torch_modules(ours: Any, theirs: Any, kind: str, options: dict,
                                          reduction: str) -> None:
    rng = np.random.default_rng(4)
    x = rng.uniform(0.05, 0.95, (4, 3))
    target: Any = {"labels": _labels(4, 3, 4), "probs": rng.uniform(0, 1, (4, 3)),
                   "logits": rng.uniform(0, 1, (4, 3)), "pair": rng.normal(size=(4, 3))}[kind]
    opts = {**options, "reduction": reduction}
    t = Tensor(x, requires_grad=True)
    loss = ours(**opts)(t, target)
    tt = torch.tensor(x, requires_grad=True)
    tloss = theirs(**opts)(tt, torch.tensor(target))
    np.testing.assert_allclose(loss.data, tloss.detach().numpy(), rtol=1e-13)
    loss.sum().backward()
    tloss.sum().backward()
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-13)
    assert repr(ours(**opts)).startswith(ours.__name__)


# --------------------------------------------------------------------------- errors
Z, ONE = Tensor([[1.0, 2.0]]), Tensor([1.0])
BCE, BCEL = F.binary_cross_entropy, F.binary_cross_entropy_with_logits
BAD = [
    (lambda: F.mse_loss(ONE, [1.0], reduction="avg"), ValueError, "mse_loss: reduction"),
    (lambda: F.cross_entropy(Z, [0], reduction=None), ValueError, "cross_entropy: reduction"),
    (lambda: F.nll_loss(Z, [0], reduction="max"), ValueError, "nll_loss: reduction"),
    (lambda: F.cross_entropy(Z, [0], label_smoothing=1.5), ValueError, "label_smoothing"),
    (lambda: F.cross_entropy(Z, [0], label_smoothing=-0.1), ValueError, "label_smoothing"),
    (lambda: F.cross_entropy(Z, [0], label_smoothing="0.1"), TypeError, "label_smoothing"),
    (lambda: F.nll_loss(Z, [2]), ValueError, "nll_loss: labels must lie in [0, 2)"),
    (lambda: F.nll_loss(Z, [0, 1]), ValueError, "nll_loss: target must be labels of shape (1,)"),
    (lambda: F.nll_loss(Z, [0.5]), ValueError, "nll_loss: class labels must be integers"),
    (lambda: F.huber_loss(Tensor([1.0, 2.0]), [1.0]), ValueError,
     "huber_loss: input and target must have the same shape"),
    (lambda: F.huber_loss(ONE, [1.0], delta=0.0), ValueError,
     "huber_loss: delta must be a finite number > 0"),
    (lambda: F.smooth_l1_loss(ONE, [1.0], beta=-1.0), ValueError, "smooth_l1_loss: beta"),
    (lambda: F.smooth_l1_loss(ONE, [1.0], beta=math.inf), ValueError, "smooth_l1_loss: beta"),
    (lambda: BCE(Tensor([1.5]), [1.0]), ValueError,
     "binary_cross_entropy: input must be probabilities in [0, 1], got 1.5"),
    (lambda: BCE(Tensor([-0.1]), [1.0]), ValueError, "binary_cross_entropy: input must be probabilities"),
    (lambda: BCE(Tensor([0.5]), [2.0]), ValueError, "binary_cross_entropy: target must be probabilities"),
    (lambda: BCEL(Tensor([0.5]), [-1.0]), ValueError, "binary_cross_entropy_with_logits: target"),
    (lambda: BCEL(Tensor([0.5, 1.0]), [1.0, 0.0], pos_weight=[1.0, 2.0, 3.0]),
     ValueError, "pos_weight of shape (3,) does not broadcast"),
    (lambda: BCEL(Tensor([0.5]), [1.0], pos_weight=Tensor([2.0], requires_grad=True)),
     ValueError, "pos_weight is a constant"),
    (lambda: F.mse_loss(Tensor(np.zeros(0)), np.zeros(0)), ValueError,
     "mse_loss: empty tensors have no mean"),
    (lambda: BCE([0.5], [1.0]), TypeError, "binary_cross_entropy: expected a Tensor"),
    (lambda: F.gelu(ONE, approximate="fast"), ValueError, "gelu: approximate must be 'none' or 'tanh'"),
    (lambda: F.softplus(ONE, beta=0.0), ValueError, "softplus: beta must be > 0"),
    (lambda: F.softplus(ONE, threshold=math.nan), ValueError, "softplus: threshold"),
    (lambda: F.leaky_relu(ONE, "0.1"), TypeError, "leaky_relu: negative_slope"),
    (lambda: F.elu(ONE, alpha=math.inf), ValueError, "elu: alpha must be a finite number"),
    (lambda: F.hardtanh(ONE, 1.0, -1.0), ValueError, "hardtanh: min_val must be <= max_val"),
    (lambda: F.mish(np.array([1.0])), TypeError, "mish: expected a Tensor, got ndarray"),
    (lambda: F.logsumexp(ONE, axis=0, dim=0), TypeError, "logsumexp: got both axis=0 and dim=0"),
    (lambda: F.logsumexp(ONE, axis=1), ValueError, "logsumexp: axis 1 is out of range"),
    (lambda: F.logsumexp(Tensor(np.zeros((2, 0))), axis=1), ValueError,
     "logsumexp: axis 1 of shape (2, 0) is empty"),
    (lambda: nn.HuberLoss(delta=-1.0), ValueError, "huber_loss: delta"),
    (lambda: nn.BCELoss(reduction="avg"), ValueError, "BCELoss: reduction must be 'mean', 'sum' or 'none'"),
    (lambda: nn.CrossEntropyLoss(label_smoothing=2.0), ValueError, "label_smoothing must lie in [0, 1]"),
]


@pytest.mark.parametrize("call, error, words", BAD)
def test_bad_arguments_are_refused_naming_the_function(call: Any, error: Any, words: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_a_refused_call_leaves_every_grad_as_it_was() -> None:
    x = Tensor([0.3, 0.6], requires_grad=True)
    F.binary_cross_entropy(x, [1.0, 0.0]).backward()
    before = x.grad.copy()
    with pytest.raises(ValueError):
        F.binary_cross_entropy(x, [1.0, 3.0]).backward()
    np.testing.assert_array_equal(x.grad, before)


def test_erf_refuses_more_elements_than_it_computes_exactly(monkeypatch: Any) -> None:
    monkeypatch.setattr(A, "ERF_MAX_ELEMENTS", 4)
    for f in (F.erf, F.erfc, F.gelu):
        with pytest.raises(ValueError, match=r"5 elements is more than .* computes exactly \(4"):
            f(Tensor(np.zeros(5)))
    assert F.gelu(Tensor(np.zeros(5)), approximate="tanh").shape == (5,)  # no limit


def test_every_new_op_replays_from_its_row() -> None:
    # draw(check=True) re-applies a node's op to its parents with the options it recorded
    from autograd_lite import ops

    x = Tensor(np.array([[0.2, -1.3, 2.0]]), requires_grad=True)
    p = Tensor(np.array([[0.2, 0.6, 0.9]]), requires_grad=True)
    for out in (F.softplus(x, 2.0, 1.0), F.elu(x, 0.5), F.hardtanh(x, -1.0, 0.5), F.leaky_relu(x, 0.3),
                F.gelu(x, "tanh"), F.logsumexp(x, axis=1, keepdims=True), F.selu(x), F.mish(x),
                F.cross_entropy(x, [2], reduction="sum", label_smoothing=0.3),
                F.nll_loss(x, [1], reduction="none"), F.huber_loss(x, p, "sum", 0.5),
                F.smooth_l1_loss(x, p, "none", 0.5), F.binary_cross_entropy(p, p * 0.5, "sum"),
                F.binary_cross_entropy_with_logits(x, p, "none", pos_weight=[1.0, 2.0, 3.0])):
        parents = [q for q in (out._a, out._b) if q is not None]
        again = ops.OPS[out.op].again(out, parents)
        np.testing.assert_array_equal(again.data, out.data)


@pytest.mark.parametrize("name", ["autograd_lite.activation", "autograd_lite.losses",
                                  "autograd_lite.losses_binary", "autograd_lite.nn.losses",
                                  "autograd_lite.nn.layers"])
def test_docstring_examples_run(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0, result
