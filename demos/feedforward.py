"""The numpy feed-forward derivation, checked: softmax + cross-entropy and the weight-grad formulas.

The derivation (a two-part blog series on building a feed-forward net in numpy) makes
three claims, each checked here on numbers:

1. With ``S = softmax`` on the last layer's node values ``C`` and ``L = -Σ_k Y_k ln S(C_k)``
   for a one-hot ``Y``, the node gradient is ``∂L/∂C_i = S(C_i) - Y_i``.  Checked with
   ``Value`` (one sample, drawn as a graph), with ``Tensor`` on a batch (where the mean
   loss divides it by N), and with central differences.
2. From a node gradient ``L'(Z_j)`` of ``Z_j = Σ_i w_ij A_i + b_j`` the weight and bias
   gradients follow: ``L'(w_ij) = L'(Z_j) · A_i`` and ``L'(b_j) = L'(Z_j)``.
3. The node gradient of the layer before: ``L'(Z_{A_i}) = (Σ_j L'(Z_{B_j}) w_ij) · α'(Z_{A_i})``.

Claims 2 and 3 are applied by hand, layer by layer, on a small net (3 inputs -> 4 sigmoid
-> 4 sigmoid -> 3 softmax) and compared with what autograd_lite's backward left in the
parameters' and the intermediate nodes' ``.grad``.

Run: ``python -m demos.feedforward`` (graph picture in ./out/feedforward/).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from autograd_lite import Tensor, Value, fmt
from autograd_lite import functional as F

from ._common import grad_of, missing_picture, out_path, parser, summary

TOLERANCE = 1e-12


# ----------------------------------------------------------------- claim 1, one sample with Values
def softmax_cross_entropy_values(c: Union[Sequence[float], np.ndarray],
                                 label: int) -> Tuple[List[Value], Value]:
    """``(C nodes, L)`` with ``L = -ln S(C_label) = -(C_label - ln Σ_k exp C_k)`` from scalar ops.

    No max-shift, so the picture stays small: fine for moderate C (``exp`` overflows past
    about 709); ``functional.cross_entropy`` shifts for any size.
    """
    cs = [Value(float(v), f"C{k + 1}") for k, v in enumerate(c)]
    total = cs[0].exp()
    for ck in cs[1:]:
        total = total + ck.exp()
    total.label = "Σ exp"
    loss = -(cs[label] - total.log())
    loss.label = "L"
    return cs, loss


def softmax(c: np.ndarray) -> np.ndarray:
    z = np.exp(c - c.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def check_single(c: np.ndarray, label: int) -> Dict[str, float]:
    """max |∂L/∂C - (S(C) - Y)| for Value backward and for central differences."""
    cs, loss = softmax_cross_entropy_values(c, label)
    loss.backward()
    claim = softmax(c) - np.eye(len(c))[label]
    auto = np.array([ck.grad for ck in cs])

    def f(v: np.ndarray) -> float:
        return float(-np.log(softmax(v)[label]))

    h = 1e-5  # truncation ~h² and roundoff ~1e-16/h balance near here
    numeric = np.array([(f(c + h * e) - f(c - h * e)) / (2 * h) for e in np.eye(len(c))])
    return {"Value backward": float(np.max(np.abs(auto - claim))),
            "central differences": float(np.max(np.abs(numeric - claim)))}


def check_batch(rng: np.random.Generator, n: int, k: int) -> float:
    """Batch of N: the mean loss's gradient is (S(C) - Y) / N, with Tensor ops."""
    c = 3 * rng.standard_normal((n, k))
    labels = rng.integers(0, k, n)
    ct = Tensor(c, requires_grad=True)
    F.cross_entropy(ct, labels).backward()
    claim = (softmax(c) - np.eye(k)[labels]) / n
    return float(np.max(np.abs(grad_of(ct) - claim)))


# ----------------------------------------------------------------- claims 2 and 3, a small net
def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def small_net(rng: np.random.Generator, sizes: Sequence[int] = (3, 4, 4, 3), batch: int = 5
              ) -> Dict[str, float]:
    """Backprop by the derivation's formulas vs autograd_lite, for every W, b and node Z.

    Net: ``Z_1 = X W_1 + b_1``, ``A_1 = σ(Z_1)``, ``Z_2 = A_1 W_2 + b_2``, ``A_2 = σ(Z_2)``,
    ``C = A_2 W_3 + b_3``, ``L = mean cross-entropy of softmax(C)``.
    Returns the max |difference| per quantity.
    """
    x = rng.standard_normal((batch, sizes[0]))
    labels = rng.integers(0, sizes[-1], batch)
    Ws = [rng.standard_normal((a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.standard_normal(b) for b in sizes[1:]]

    # autograd_lite: build, backward, read .grad of parameters and of the node values Z
    Wt = [Tensor(W.copy(), requires_grad=True) for W in Ws]
    bt = [Tensor(b.copy(), requires_grad=True) for b in bs]
    a: Tensor = Tensor(x)
    zs: List[Tensor] = []
    for i in range(len(Ws)):
        z = a @ Wt[i] + bt[i]
        zs.append(z)
        a = z.sigmoid() if i < len(Ws) - 1 else z
    F.cross_entropy(zs[-1], labels).backward()

    # the derivation, by hand: forward keeping Z and A, then node grads layer by layer
    acts, pre = [x], []
    for i, (W, b) in enumerate(zip(Ws, bs)):
        pre.append(acts[-1] @ W + b)
        acts.append(sigmoid(pre[-1]) if i < len(Ws) - 1 else pre[-1])
    dZ = (softmax(pre[-1]) - np.eye(sizes[-1])[labels]) / batch  # claim 1, for the batch mean
    diffs: Dict[str, float] = {}
    for i in reversed(range(len(Ws))):
        A = acts[i]
        # claim 2 for every sample, summed over the batch: L'(w_ij) = Σ_n L'(Z_nj) A_ni
        dW = np.einsum("nj,ni->ij", dZ, A)
        db = dZ.sum(axis=0)  # L'(b_j) = Σ_n L'(Z_nj)
        diffs[f"L'(Z{i + 1})"] = float(np.max(np.abs(dZ - grad_of(zs[i]))))
        diffs[f"L'(W{i + 1})"] = float(np.max(np.abs(dW - grad_of(Wt[i]))))
        diffs[f"L'(b{i + 1})"] = float(np.max(np.abs(db - grad_of(bt[i]))))
        if i > 0:
            # claim 3: L'(Z_{A_i}) = (Σ_j L'(Z_{B_j}) w_ij) · α'(Z_{A_i}), α' = σ(1 - σ)
            s = sigmoid(pre[i - 1])
            dZ = np.einsum("nj,ij->ni", dZ, Ws[i]) * s * (1.0 - s)
    return diffs


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser("feedforward", __doc__)
    p.add_argument("--trials", type=int, default=100, help="random cases per check (default 100)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    trials = min(args.trials, 10) if args.fast else args.trials
    rng = np.random.default_rng(args.seed)

    # one worked example, printed
    c, label = np.array([2.0, 1.0, 0.1]), 0
    cs, loss = softmax_cross_entropy_values(c, label)
    loss.backward()
    s = softmax(c)
    print(f"C = {[fmt(v) for v in c]}, true class n = {label + 1}: L = -ln S(C_n) = {fmt(loss.data)}")
    print(f"{'i':>3}  {'S(C_i)':>16}  {'Y_i':>3}  {'S(C_i) - Y_i':>16}  {'∂L/∂C_i (backward)':>20}")
    for i, ck in enumerate(cs):
        y = 1 if i == label else 0
        print(f"{i + 1:3d}  {fmt(s[i]):>16}  {y:3d}  {fmt(s[i] - y):>16}  {fmt(ck.grad):>20}")

    worst: Dict[str, float] = {}

    def note(name: str, value: float) -> None:
        worst[name] = max(worst.get(name, 0.0), value)

    for _ in range(trials):
        k = int(rng.integers(2, 11))
        single = check_single(3 * rng.standard_normal(k), int(rng.integers(0, k)))
        note("claim 1, one sample, Value backward", single["Value backward"])
        note("claim 1, one sample, central differences", single["central differences"])
        note("claim 1, batch mean, Tensor backward", check_batch(rng, int(rng.integers(1, 20)), k))
        for q, v in small_net(rng).items():
            note(f"claims 2-3, {q}", v)

    print(f"\nworst |formula - computed| over {trials} random cases:")
    ok = True
    for name, v in worst.items():
        # central differences carry their own error (~1e-10), the rest must agree to 1e-12
        bound = 1e-8 if "central" in name else TOLERANCE
        good = v <= bound
        ok = ok and good
        print(f"  {name:44} {fmt(v):>22}  {'ok' if good else 'MISMATCH'} (bound {fmt(bound)})")

    rows: List[Tuple[str, object]] = [("∂L/∂C = S(C) - Y", "confirmed" if ok else "MISMATCH")]
    pictures_ok = True
    if not args.no_plot:
        from viz import GraphvizNotFoundError, render

        try:
            # top to bottom: the chain C -> exp -> Σ -> log -> L is long, the classes sit side by
            # side, so the picture stays under 2000 px wide (a slide)
            path = render(loss, out_path(args.out_dir, "softmax_cross_entropy.png"), rankdir="TB")
        except GraphvizNotFoundError as e:
            rows.append(missing_picture("feedforward", e))
            pictures_ok = False
        else:
            rows.append(("graph with gradients", str(path)))
    summary("feedforward", rows)
    return 0 if ok and pictures_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
