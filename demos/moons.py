"""micrograd's demo: a 2-16-16-1 MLP of scalar ``Value`` s separates two moons.

The recipe is micrograd's: 100 points of ``make_moons(noise=0.1)``, labels -1 / +1, a ReLU
MLP with a linear output, the max-margin loss ``mean(relu(1 - y·score)) + 1e-4·Σ p²``,
full-batch SGD for 100 steps with the learning rate going from 1.0 down to 0.1.  It
reaches 100% training accuracy.

The same model is then built from ``Tensor`` ops (``nn.Sequential`` of ``Linear`` and
``ReLU``), started from the very same weights and trained on the same schedule: one
matrix op per layer instead of thousands of scalar nodes, the same losses step by step,
and the same 100%.  The decision boundaries of both go into one PNG.

With ``--watch`` the scalar MLP's training is watched (:func:`viz.watch`): every step's weights,
grads and gradient norms, and 20 of the points through the network, written as one offline HTML
page (``out/moons/moons_watched.html``) to scrub through step by step and point by point.

Run: ``python -m demos.moons`` (picture in ./out/moons/).
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from autograd_lite import Tensor, Value, fmt, nn, no_grad, optim
from autograd_lite.datasets import make_moons
from autograd_lite.scalar_nn import MLP
from viz import watch

from ._common import missing_extra, out_path, parser, progress, pyplot, summary

SIZES = [16, 16, 1]
ALPHA = 1e-4  # L2 weight of micrograd's loss


def learning_rate(k: int, steps: int) -> float:
    """micrograd's schedule: 1.0 at the first step, falling linearly towards 0.1."""
    return 1.0 - 0.9 * k / steps


# ----------------------------------------------------------------- scalar (micrograd)
def scalar_loss(model: MLP, x: np.ndarray, y: np.ndarray) -> Tuple[Value, float]:
    """``(loss, accuracy)`` of the scalar MLP on all points; ``y`` holds -1 / +1."""
    scores = [model([Value(float(a)), Value(float(b))]) for a, b in x]
    losses = [(1 + -float(yi) * s).relu() for yi, s in zip(y, scores)]  # type: ignore[operator]
    data_loss = sum(losses, Value(0.0)) * (1.0 / len(losses))
    reg = ALPHA * sum((p * p for p in model.parameters()), Value(0.0))
    accuracy = float(np.mean([(yi > 0) == (s.data > 0) for yi, s in zip(y, scores)]))  # type: ignore[union-attr]
    return data_loss + reg, accuracy


# ----------------------------------------------------------------- the same net from Tensors
def tensor_twin(model: MLP) -> nn.Sequential:
    """An ``nn.Sequential`` with exactly the scalar MLP's current weights (float64)."""
    layers: List[nn.Module] = []
    for i, layer in enumerate(model.layers):
        n_in = len(layer.neurons[0].w)
        lin = nn.Linear(n_in, len(layer.neurons), init=0.0)
        W, b = lin.parameters()
        # neuron j computes sum_i w_i x_i + b: column j of W, entry j of b
        W.data[...] = np.array([[w.data for w in n.w] for n in layer.neurons]).T
        b.data[...] = np.array([n.b.data for n in layer.neurons])
        layers.append(lin)
        if i < len(model.layers) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def tensor_loss(net: nn.Sequential, x: np.ndarray, y: np.ndarray) -> Tuple[Tensor, float]:
    """The same loss on Tensors: ``mean(relu(1 - y * scores)) + 1e-4 * sum(p**2)``."""
    scores = net(Tensor(x))
    data_loss = (1.0 - Tensor(y.reshape(-1, 1)) * scores).relu().mean()
    reg = sum(((p * p).sum() for p in net.parameters()), Tensor(np.array(0.0))) * ALPHA
    accuracy = float(np.mean((y > 0) == (scores.data.reshape(-1) > 0)))
    return data_loss + reg, accuracy


# ----------------------------------------------------------------- training
def train(n_samples: int = 100, steps: int = 100, seed: int = 0, noise: float = 0.1,
          show_progress: bool = True, watched: bool = False) -> Dict[str, Any]:
    """Train the scalar MLP and its Tensor twin side by side from the same initial weights.

    Returns the data, both models, per-step losses and accuracies, the final training
    accuracies (after the last update) and the wall time of each; with ``watched``, also
    ``"watch"``: the scalar MLP's training as :func:`viz.watch` recorded it (every step, every
    5th point; the recording's time is not counted in the scalar MLP's).
    """
    x, t = make_moons(n_samples, noise=noise, seed=seed)
    y = (t * 2 - 1).astype(np.float64)  # labels -1 / +1 for the max-margin loss
    model = MLP(2, SIZES, seed=seed)
    view = watch(model, x[::5], labels=y[::5], max_steps=steps,
                 title=f"micrograd's moons MLP 2-16-16-1, {steps} SGD steps") if watched else None
    net = tensor_twin(model)
    opt_s, opt_t = optim.SGD(model.parameters(), lr=1.0), optim.SGD(net.parameters(), lr=1.0)
    hist: Dict[str, List[float]] = {"scalar_loss": [], "tensor_loss": [], "scalar_acc": [], "tensor_acc": []}
    time_s = time_t = 0.0
    for k in progress(range(steps), steps, "moons", show_progress):
        lr = learning_rate(k, steps)
        start = time.perf_counter()
        loss, acc = scalar_loss(model, x, y)
        opt_s.zero_grad()
        loss.backward()
        if view is not None:
            paused = time.perf_counter()
            view.record(loss)
            start += time.perf_counter() - paused
        opt_s.lr = lr
        opt_s.step()
        time_s += time.perf_counter() - start
        hist["scalar_loss"].append(loss.data)
        hist["scalar_acc"].append(acc)

        start = time.perf_counter()
        tloss, tacc = tensor_loss(net, x, y)
        opt_t.zero_grad()
        tloss.backward()
        opt_t.lr = lr
        opt_t.step()
        time_t += time.perf_counter() - start
        hist["tensor_loss"].append(float(tloss.data))
        hist["tensor_acc"].append(tacc)
    with no_grad():
        final_s = scalar_loss(model, x, y)[1]
        final_t = tensor_loss(net, x, y)[1]
    return {"x": x, "t": t, "model": model, "net": net, "history": hist, "scalar_accuracy": final_s,
            "tensor_accuracy": final_t, "scalar_seconds": time_s, "tensor_seconds": time_t, "watch": view}


# ----------------------------------------------------------------- picture
def scalar_scores(model: MLP, points: np.ndarray) -> np.ndarray:
    with no_grad():
        return np.array([model([Value(float(a)), Value(float(b))]).data  # type: ignore[union-attr]
                         for a, b in points])


def tensor_scores(net: nn.Sequential, points: np.ndarray) -> np.ndarray:
    with no_grad():
        return np.asarray(net(Tensor(points)).data).reshape(-1)


def plot_boundaries(result: Dict[str, Any], path: Any, grid: int = 60) -> None:
    """Two panels, scalar MLP and Tensor net: score > 0 region, score = 0 line, the points."""
    plt = pyplot()
    x, t = result["x"], result["t"]
    lo, hi = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid))
    points = np.c_[gx.ravel(), gy.ravel()]
    panels = [("scalar Value MLP", scalar_scores(result["model"], points), result["scalar_accuracy"]),
              ("Tensor nn.Sequential", tensor_scores(result["net"], points), result["tensor_accuracy"])]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), sharey=True)
    for ax, (title, scores, acc) in zip(axes, panels):
        z = scores.reshape(gx.shape)
        ax.contourf(gx, gy, z > 0, levels=[-0.5, 0.5, 1.5], colors=["#f6d5c5", "#c9dcf0"], alpha=0.9)
        ax.contour(gx, gy, z, levels=[0.0], colors="k", linewidths=1.2)
        ax.scatter(x[t == 0, 0], x[t == 0, 1], c="#d9541e", s=18, edgecolors="k", linewidths=0.4)
        ax.scatter(x[t == 1, 0], x[t == 1, 1], c="#1f6fb4", s=18, edgecolors="k", linewidths=0.4)
        ax.set_title(f"{title}: training accuracy {fmt(100 * acc)}%")
        ax.set_xlabel("x1")
    axes[0].set_ylabel("x2")
    fig.suptitle("2-16-16-1 MLP on two moons (micrograd's recipe)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser("moons", __doc__)
    p.add_argument("--samples", type=int, default=100, help="number of points (default 100)")
    p.add_argument("--steps", type=int, default=100, help="SGD steps (default 100)")
    p.add_argument("--seed", type=int, default=0, help="seed of the data and the initial weights")
    p.add_argument("--watch", action="store_true",
                   help="watch the scalar MLP train: write moons_watched.html (viz.watch) to the out dir")
    args = p.parse_args(argv)
    if not args.no_plot and missing_extra("moons", "the decision-boundary plot"):
        return 1
    samples, steps = (min(args.samples, 40), min(args.steps, 40)) if args.fast else (args.samples, args.steps)

    result = train(samples, steps, args.seed, watched=args.watch)
    hist = result["history"]
    for k in sorted({0, steps // 4, steps // 2, 3 * steps // 4, steps - 1}):
        print(f"step {k:3d}  loss {fmt(hist['scalar_loss'][k]):>14} (scalar)  "
              f"{fmt(hist['tensor_loss'][k]):>14} (Tensor)  accuracy {fmt(100 * hist['scalar_acc'][k])}%")
    gap = max(abs(a - b) for a, b in zip(hist["scalar_loss"], hist["tensor_loss"]))

    rows: List[Tuple[str, object]] = [
        ("data", f"{samples} points of make_moons(noise=0.1, seed={args.seed}), {steps} SGD steps"),
        ("parameters", len(result["model"].parameters())),
        ("scalar MLP training accuracy", f"{fmt(100 * result['scalar_accuracy'])}%"),
        ("Tensor net training accuracy", f"{fmt(100 * result['tensor_accuracy'])}%"),
        ("max |loss difference| over all steps", gap),
        ("time, scalar Values", f"{fmt(round(result['scalar_seconds'], 2))} s"),
        ("time, Tensors", f"{fmt(round(result['tensor_seconds'], 3))} s"),
    ]
    # The claim checked: both builds compute the same training run (to rounding).
    same = result["scalar_accuracy"] == result["tensor_accuracy"] and gap < 1e-9
    perfect = result["scalar_accuracy"] == 1.0 and same
    rows.append(("verdict", "both builds separate the moons perfectly" if perfect
                 else "the builds agree" if same else "MISMATCH between the builds"))
    if args.watch:
        page = result["watch"].save(out_path(args.out_dir, "moons_watched.html"))
        rows.append(("training, watched", str(page)))
    if not args.no_plot:
        path = out_path(args.out_dir, "moons_decision_boundary.png")
        plot_boundaries(result, path, grid=30 if args.fast else 60)
        rows.append(("decision boundary", str(path)))
    summary("moons", rows)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
