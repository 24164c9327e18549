"""MiniFlow (Udacity's tiny graph framework) expressed with autograd_lite.

MiniFlow builds a graph of ``Input``, ``Linear``, ``Sigmoid`` and ``MSE`` nodes, sorts it
with ``topological_sort``, runs ``forward_and_backward`` and steps with ``sgd_update``.
Each piece has a one-line counterpart here::

    Input                 Tensor(value, requires_grad=True)   (a leaf)
    Linear(X, W, b)       X @ W + b
    Sigmoid(x)            x.sigmoid()
    MSE(y, a)             ((y - a) ** 2).mean()
    topological_sort      engine.topological_order(cost)  (called by backward)
    forward_and_backward  building the expression is the forward pass; cost.backward()
    sgd_update            optim.SGD(params, lr=1e-2).step()

The demo reproduces the course's quiz outputs with both (MiniFlow's own classes are in
``demos/_miniflow_nodes.py``) and then its regression network: Linear -> Sigmoid (10) ->
Linear -> MSE, batch 11, 10 epochs, SGD lr 0.01, the per-epoch loss printed.

The data.  MiniFlow used the Boston housing set (506 houses, 13 features), so its net is
13 -> 10 -> 1; that set is gone from scikit-learn.  ``--data diabetes`` (the default) uses
scikit-learn's bundled diabetes set (442 patients, 10 features, installs offline): the net
is then 10 -> 10 -> 1, the input width following the data.  Its target (a disease score
from 25 to 346) is standardized like the features: Boston's prices (5 to 50) were small
enough for lr 0.01, these are not -- with the raw scores SGD is chaotic (a change of 1e-15
in one initial weight moves the epoch-5 loss by 0.4%).  The loss is therefore in units of
the target's variance (1 = always predicting the mean).  ``--data synthetic`` generates 506
samples with 13 features (Boston's shape, a seeded nonlinear target with Boston's mean and
spread, left unscaled as MiniFlow did), giving exactly MiniFlow's 13 -> 10 -> 1.  Without
scikit-learn the diabetes choice falls back to the synthetic set and says so.

Run: ``python -m demos.miniflow`` (loss plot in ./out/miniflow/).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from autograd_lite import Tensor, engine, fmt, optim
from autograd_lite.data import DataLoader

from . import _miniflow_nodes as mf
from ._common import grad_of, missing_extra, out_path, parser, pyplot, summary

# The quiz outputs printed in the MiniFlow lessons (numpy's 9 significant digits).
QUIZ_SIGMOID = "[1.23394576e-04, 9.82013790e-01]"
QUIZ_MSE = "23.4166666667"
QUIZ_GRADS = {
    "X": "[[-3.34017280e-05, -5.01025919e-05], [-6.68040138e-05, -1.00206021e-04]]",
    "W": "[[5.01028709e-05], [1.00205742e-04]]",
    "b": "[-5.01028709e-05]",
}


def numpy_style(a: Any) -> str:
    """An array as the course printed it: 9 significant digits, scientific when numpy would."""
    return np.array2string(np.asarray(a), separator=", ").replace("\n", "").replace("  ", " ")


def as_printed(a: Any, reference: str) -> bool:
    """True when ``a`` rounded to the reference's printed precision reads as ``reference``."""
    return numpy_style(a) == reference


# ----------------------------------------------------------------- the quizzes, both ways
def quiz_linear_sigmoid() -> Dict[str, np.ndarray]:
    X_ = np.array([[-1.0, -2.0], [-1.0, -2.0]])
    W_ = np.array([[2.0, -3.0], [2.0, -3.0]])
    b_ = np.array([-3.0, -5.0])
    # MiniFlow
    X, W, b = mf.Input(), mf.Input(), mf.Input()
    f = mf.Linear(X, W, b)
    g = mf.Sigmoid(f)
    for n in mf.topological_sort({X: X_, W: W_, b: b_}):
        n.forward()
    # autograd_lite
    z = Tensor(X_) @ Tensor(W_) + Tensor(b_)
    s = z.sigmoid()
    return {"miniflow linear": f._value(), "miniflow sigmoid": g._value(),
            "autograd_lite linear": z.data, "autograd_lite sigmoid": s.data}


def quiz_mse() -> Dict[str, float]:
    y_, a_ = np.array([1.0, 2.0, 3.0]), np.array([4.5, 5.0, 10.0])
    y, a = mf.Input(), mf.Input()
    cost = mf.MSE(y, a)
    for n in mf.topological_sort({y: y_, a: a_}):
        n.forward()
    ours = ((Tensor(y_) - Tensor(a_)) ** 2).mean()
    return {"miniflow": float(cost._value()), "autograd_lite": float(ours.data)}


def quiz_backward() -> Dict[str, Dict[str, np.ndarray]]:
    """Linear -> Sigmoid -> MSE with the quiz's numbers: gradients of X, W, b both ways."""
    X_, W_, b_ = np.array([[-1.0, -2.0], [-1.0, -2.0]]), np.array([[2.0], [3.0]]), np.array([-3.0])
    y_ = np.array([1.0, 2.0])
    X, W, b, y = mf.Input(), mf.Input(), mf.Input(), mf.Input()
    mf.MSE(y, mf.Sigmoid(mf.Linear(X, W, b)))  # linked into the graph through its inputs
    mf.forward_and_backward(mf.topological_sort({X: X_, y: y_, W: W_, b: b_}))
    theirs = {k: n.gradients[n] for k, n in zip("XWb", (X, W, b))}

    Xt, Wt, bt = (Tensor(v.copy(), requires_grad=True, label=k) for k, v in zip("XWb", (X_, W_, b_)))
    a = (Xt @ Wt + bt).sigmoid()
    c = ((Tensor(y_).reshape(-1, 1) - a.reshape(-1, 1)) ** 2).mean()
    c.backward()
    ours = {"X": grad_of(Xt), "W": grad_of(Wt), "b": grad_of(bt)}
    return {"miniflow": theirs, "autograd_lite": ours}


# ----------------------------------------------------------------- the regression network
def regression_data(name: str, seed: int = 0) -> Tuple[np.ndarray, np.ndarray, str]:
    """``(X, y, description)``; X standardized per feature as MiniFlow did (y: see the module doc)."""
    if name == "diabetes":
        try:
            from sklearn.datasets import load_diabetes
        except ImportError:
            name = "synthetic"
            note = "scikit-learn is not installed, so: "
        else:
            d = load_diabetes()
            X, y = np.asarray(d.data, dtype=np.float64), np.asarray(d.target, dtype=np.float64)
            desc = ("scikit-learn's diabetes set: 442 samples, 10 features (MiniFlow's Boston set had 13, "
                    "so the net is 10 -> 10 -> 1); features and target standardized")
            return (X - X.mean(axis=0)) / X.std(axis=0), (y - y.mean()) / y.std(), desc
    else:
        note = ""
    if name != "synthetic":
        raise ValueError(f"miniflow: unknown data set {name!r}; use 'diabetes' or 'synthetic'")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((506, 13))
    # a smooth nonlinear target: a random two-layer tanh function plus noise,
    # scaled to the Boston prices' mean (22.5) and standard deviation (9.2)
    hidden = np.tanh(X @ rng.standard_normal((13, 8)) / np.sqrt(13))
    raw = hidden @ rng.standard_normal(8) + 0.3 * rng.standard_normal(506)
    y = 22.5 + 9.2 * (raw - raw.mean()) / raw.std()
    desc = (note + "a generated set of Boston's shape: 506 samples, 13 features, seeded nonlinear target "
            "(mean 22.5, sd 9.2), so the net is MiniFlow's 13 -> 10 -> 1")
    return (X - X.mean(axis=0)) / X.std(axis=0), y, desc


def train_regression(X_: np.ndarray, y_: np.ndarray, epochs: int = 10, batch_size: int = 11,
                     hidden: int = 10, lr: float = 1e-2, seed: int = 0) -> Dict[str, Any]:
    """MiniFlow's training loop run twice in lockstep: MiniFlow's nodes and autograd_lite.

    Same initial weights (``randn``, zero biases), same bootstrap batches (MiniFlow used
    ``sklearn.utils.resample``: sampling with replacement), same SGD steps.
    """
    rng = np.random.default_rng(seed)
    n_features = X_.shape[1]
    W1_, b1_ = rng.standard_normal((n_features, hidden)), np.zeros(hidden)
    W2_, b2_ = rng.standard_normal((hidden, 1)), np.zeros(1)

    # MiniFlow
    X, y = mf.Input(), mf.Input()
    W1, b1, W2, b2 = mf.Input(), mf.Input(), mf.Input(), mf.Input()
    cost = mf.MSE(y, mf.Linear(mf.Sigmoid(mf.Linear(X, W1, b1)), W2, b2))
    feed: Dict[mf.Node, np.ndarray] = {X: X_, y: y_, W1: W1_.copy(), b1: b1_.copy(),
                                       W2: W2_.copy(), b2: b2_.copy()}
    graph = mf.topological_sort(feed)
    trainables = [W1, b1, W2, b2]

    # autograd_lite
    params = [Tensor(a.copy(), requires_grad=True, label=k)
              for k, a in zip(["W1", "b1", "W2", "b2"], [W1_, b1_, W2_, b2_])]
    opt = optim.SGD(params, lr=lr)

    def forward(xb: np.ndarray, yb: np.ndarray) -> Tensor:
        w1, c1, w2, c2 = params
        a = ((Tensor(xb) @ w1 + c1).sigmoid() @ w2 + c2).reshape(-1)
        return ((Tensor(yb) - a) ** 2).mean()

    m = X_.shape[0]
    steps_per_epoch = m // batch_size
    losses: Dict[str, List[float]] = {"miniflow": [], "autograd_lite": []}
    # bootstrap batches (rows drawn with replacement), steps_per_epoch of them per epoch
    batches = DataLoader(X_, y_, batch_size=batch_size, shuffle=True, replacement=True,
                         num_batches=steps_per_epoch, seed=rng, progress=False)
    for _ in range(epochs):
        total = {"miniflow": 0.0, "autograd_lite": 0.0}
        for xb, yb in batches:
            X.value, y.value = xb, yb
            mf.forward_and_backward(graph)
            mf.sgd_update(trainables, lr)
            total["miniflow"] += float(cost._value())

            loss = forward(xb, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total["autograd_lite"] += float(loss.data)
        for k in total:
            losses[k].append(total[k] / steps_per_epoch)
    weight_gap = max(float(np.max(np.abs(n._value() - p.data))) for n, p in zip(trainables, params))
    # what MiniFlow's topological_sort did by hand, the engine does inside backward()
    graph_nodes = len(engine.topological_order(forward(X_[:batch_size], y_[:batch_size])))
    return {"losses": losses, "weight_gap": weight_gap, "steps_per_epoch": steps_per_epoch,
            "architecture": f"{n_features} -> {hidden} sigmoid -> 1", "graph_nodes": graph_nodes}


def plot_losses(result: Dict[str, Any], path: Any, title: str) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    epochs = np.arange(1, len(result["losses"]["miniflow"]) + 1)
    ax.plot(epochs, result["losses"]["miniflow"], "o-", color="#1f6fb4", label="MiniFlow nodes")
    ax.plot(epochs, result["losses"]["autograd_lite"], "x--", color="#d9541e", label="autograd_lite")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean training MSE")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser("miniflow", __doc__)
    p.add_argument("--data", choices=["diabetes", "synthetic"], default="diabetes")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if not args.no_plot and missing_extra("miniflow", "the loss plot"):
        return 1
    epochs = min(args.epochs, 3) if args.fast else args.epochs

    checks: List[Tuple[str, bool]] = []
    ls = quiz_linear_sigmoid()
    print("Linear, X=[[-1,-2],[-1,-2]], W=[[2,-3],[2,-3]], b=[-3,-5]:")
    for who in ["miniflow", "autograd_lite"]:
        print(f"  {who:14} linear {numpy_style(ls[f'{who} linear'])}")
        print(f"  {who:14} sigmoid, per row {numpy_style(ls[f'{who} sigmoid'][0])}")
        checks.append((f"{who} linear", ls[f"{who} linear"].tolist() == [[-9.0, 4.0], [-9.0, 4.0]]))
        checks.append((f"{who} sigmoid", all(as_printed(r, QUIZ_SIGMOID) for r in ls[f"{who} sigmoid"])))
    print(f"  course prints  sigmoid, per row {QUIZ_SIGMOID}")

    mse = quiz_mse()
    print("\nMSE of y=[1,2,3] and a=[4.5,5,10]:")
    for who, v in mse.items():
        print(f"  {who:14} {fmt(v)}")
        checks.append((f"{who} MSE", fmt(v) == QUIZ_MSE))
    print(f"  course prints  {QUIZ_MSE}")

    grads = quiz_backward()
    print("\nLinear -> Sigmoid -> MSE, X as above, W=[[2],[3]], b=[-3], y=[1,2]: gradients")
    for k in "XWb":
        for who in ["miniflow", "autograd_lite"]:
            print(f"  d/d{k} {who:14} {numpy_style(grads[who][k])}")
            checks.append((f"{who} d/d{k}", as_printed(grads[who][k], QUIZ_GRADS[k])))
        print(f"  d/d{k} {'course prints':14} {QUIZ_GRADS[k]}")
        diff = np.max(np.abs(grads["miniflow"][k] - grads["autograd_lite"][k]))
        checks.append((f"d/d{k} both ways", bool(diff <= 1e-15)))

    X, y, description = regression_data(args.data, args.seed)
    print(f"\nregression: {description}")
    result = train_regression(X, y, epochs=epochs, seed=args.seed)
    print(f"net {result['architecture']}, batch 11, {result['steps_per_epoch']} steps per epoch, SGD lr 0.01")
    print(f"{'epoch':>5}  {'MiniFlow':>14}  {'autograd_lite':>14}")
    for e, (a, b) in enumerate(zip(result["losses"]["miniflow"], result["losses"]["autograd_lite"]), 1):
        print(f"{e:5d}  {fmt(round(a, 6)):>14}  {fmt(round(b, 6)):>14}")
    gap = max(abs(a - b) / abs(a) for a, b in zip(*result["losses"].values()))

    failed = [name for name, good in checks if not good]
    if gap > 1e-9:
        failed.append("regression losses differ by more than 1e-9 (relative)")
    rows: List[Tuple[str, object]] = [
        ("quiz checks passed", f"{len(checks) - len(failed)} of {len(checks)}"),
        ("regression data", args.data),
        ("regression net", result["architecture"]),
        ("final epoch loss, MiniFlow", result["losses"]["miniflow"][-1]),
        ("final epoch loss, autograd_lite", result["losses"]["autograd_lite"][-1]),
        ("max relative loss difference", gap),
        ("max |weight difference| after training", result["weight_gap"]),
        ("ops in autograd_lite's graph per step", result["graph_nodes"]),
    ]
    if failed:
        rows.append(("FAILED", ", ".join(failed)))
    if not args.no_plot:
        path = out_path(args.out_dir, "miniflow_loss.png")
        plot_losses(result, path, f"MiniFlow regression, {result['architecture']}, {args.data} data")
        rows.append(("loss plot", str(path)))
    summary("miniflow", rows)
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
