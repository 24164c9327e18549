"""The layers of "Deep Learning from Scratch" 5.5-5.6, by hand and from ``Tensor`` ops.

``Relu``, ``Sigmoid``, ``Affine`` and ``SoftmaxWithLoss`` are written as the book means
them, each with its own ``backward`` (see ``demos/_book_layers.py``).  The same functions
built from autograd_lite ``Tensor`` ops need no backward code at all: the engine derives
it.  On random batches both give the same outputs and the same gradients (to 1e-12),
and the hand-written backward leaves the caller's ``dout`` untouched.

Three bugs in circulating copies of the book's code are what these checks would catch:
``np.dot(x * W)`` in ``Affine.forward`` (an element-wise product, then a one-argument dot),
``dout[mask] = 0`` in ``Relu.backward`` (it overwrites the caller's array), and a summed
cross-entropy whose backward divides by the batch size (forward and backward disagree by N).

Run: ``python -m demos.layers``.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from autograd_lite import Tensor, fmt
from autograd_lite import functional as F

from ._book_layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from ._common import parser, summary

TOLERANCE = 1e-12

# One check: name -> (max |difference| per compared quantity, dout untouched?)
Check = Tuple[Dict[str, float], bool]


def _diff(a: Optional[np.ndarray], b: Optional[np.ndarray]) -> float:
    if a is None or b is None:
        raise RuntimeError("layers: a gradient is missing; did backward() run?")
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"layers: shapes differ: {a.shape} vs {b.shape}")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def _unary(book_layer: object, tensor_op: Callable[[Tensor], Tensor], x: np.ndarray,
           dout: np.ndarray) -> Check:
    """Hand-written forward/backward of an element-wise layer against a Tensor op."""
    saved = dout.copy()
    out = book_layer.forward(x)  # type: ignore[attr-defined]
    dx = book_layer.backward(dout)  # type: ignore[attr-defined]
    xt = Tensor(x.copy(), requires_grad=True)
    yt = tensor_op(xt)
    yt.backward(dout.copy())
    return {"out": _diff(out, yt.data), "dx": _diff(dx, xt.grad)}, bool(np.array_equal(dout, saved))


def check_relu(rng: np.random.Generator, n: int, d: int) -> Check:
    x = rng.standard_normal((n, d))
    x[rng.random((n, d)) < 0.1] = 0.0  # exact zeros: both sides use derivative 0 there
    return _unary(Relu(), lambda t: t.relu(), x, rng.standard_normal((n, d)))


def check_sigmoid(rng: np.random.Generator, n: int, d: int) -> Check:
    x = 4 * rng.standard_normal((n, d))
    return _unary(Sigmoid(), lambda t: t.sigmoid(), x, rng.standard_normal((n, d)))


def check_affine(rng: np.random.Generator, n: int, d: int, k: int) -> Check:
    x, W, b = rng.standard_normal((n, d)), rng.standard_normal((d, k)), rng.standard_normal(k)
    dout = rng.standard_normal((n, k))
    saved = dout.copy()
    layer = Affine(W.copy(), b.copy())
    out = layer.forward(x)
    dx = layer.backward(dout)
    xt, Wt, bt = (Tensor(a.copy(), requires_grad=True) for a in (x, W, b))
    yt = xt @ Wt + bt
    yt.backward(dout.copy())
    diffs = {"out": _diff(out, yt.data), "dx": _diff(dx, xt.grad),
             "dW": _diff(layer.dW, Wt.grad), "db": _diff(layer.db, bt.grad)}
    return diffs, bool(np.array_equal(dout, saved))


def softmax_with_loss_from_ops(x: Tensor, t: np.ndarray) -> Tensor:
    """Mean cross-entropy of softmax(x) spelled out in Tensor ops (log-softmax, one-hot)."""
    z = x - x.max(axis=1, keepdims=True)  # shift for stability; it cancels in the gradient
    log_y = z - z.exp().sum(axis=1, keepdims=True).log()
    one_hot = np.eye(x.shape[1])[t]
    return -(log_y * one_hot).sum() / x.shape[0]


def check_softmax_with_loss(rng: np.random.Generator, n: int, c: int) -> Check:
    x, t = 3 * rng.standard_normal((n, c)), rng.integers(0, c, n)
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    dx = layer.backward(1.0)
    diffs: Dict[str, float] = {}
    builds: List[Tuple[str, Callable[[Tensor, np.ndarray], Tensor]]] = [
        ("ops", softmax_with_loss_from_ops), ("F.cross_entropy", F.cross_entropy)]
    for name, build in builds:
        xt = Tensor(x.copy(), requires_grad=True)
        lt = build(xt, t)
        lt.backward()
        diffs[f"loss vs {name}"] = _diff(np.array(loss), lt.data)
        diffs[f"dx vs {name}"] = _diff(dx, xt.grad)
    return diffs, True  # its backward takes no array from the caller


def run(trials: int, seed: int = 0) -> Dict[str, Dict[str, float]]:
    """Worst difference per layer and quantity over ``trials`` random batches of random sizes.

    ``"dout untouched"`` is 1.0 when no hand-written backward changed the caller's array.
    """
    rng = np.random.default_rng(seed)
    worst: Dict[str, Dict[str, float]] = {}
    for _ in range(trials):
        n, d, k = (int(v) for v in rng.integers(1, 40, 3))
        for name, (diffs, untouched) in [
            ("Relu", check_relu(rng, n, d)),
            ("Sigmoid", check_sigmoid(rng, n, d)),
            ("Affine", check_affine(rng, n, d, k)),
            ("SoftmaxWithLoss", check_softmax_with_loss(rng, n, max(k, 2))),
        ]:
            w = worst.setdefault(name, {"dout untouched": 1.0})
            for q, v in diffs.items():
                w[q] = max(w.get(q, 0.0), v)
            w["dout untouched"] = min(w["dout untouched"], float(untouched))
    return worst


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser("layers", __doc__)
    p.add_argument("--trials", type=int, default=200, help="random batches per layer (default 200)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    trials = min(args.trials, 20) if args.fast else args.trials

    worst = run(trials, args.seed)
    print(f"hand-written layers vs Tensor ops, worst |difference| over {trials} random batches "
          f"(batch, features, outputs each 1..39):\n")
    ok = True
    for name, diffs in worst.items():
        untouched = diffs.pop("dout untouched") == 1.0
        good = untouched and all(v <= TOLERANCE for v in diffs.values())
        ok = ok and good
        cells = ", ".join(f"{q} {fmt(v)}" for q, v in diffs.items())
        print(f"  {name:16} {cells}; caller's dout {'untouched' if untouched else 'MODIFIED'}")
    rows: List[Tuple[str, object]] = [
        ("layers", ", ".join(worst)),
        ("tolerance", TOLERANCE),
        ("verdict", "identical outputs and gradients" if ok else "MISMATCH"),
    ]
    summary("layers", rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
