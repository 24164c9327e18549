"""The book's layers as your own ops: ``Function`` s joined with built-in ops, checked, drawn, trained.

"Deep Learning from Scratch" writes every layer as a class with ``forward`` and ``backward``.
Written in PyTorch's shape (``demos/_book_functions.py``), ``MulLayer``, ``AddLayer``, ``Affine``,
``Relu`` and ``SoftmaxWithLoss`` become ops of autograd_lite's graph:

1. the apples-and-oranges graph from ``MulLayer`` / ``AddLayer`` gives the book's gradients,
   bit for bit those of the built-in ``*`` and ``+`` (price 715, dApple 2.2, dTax 650);
2. a two-layer net from ``Affine``, ``Relu`` and ``SoftmaxWithLoss`` with a weight decay of
   built-in ops is one graph: gradcheck passes edge by edge, ``draw(check=True)`` marks every leaf
   right, the gradients equal the built-in network's;
3. trained on MNIST beside the built-in ``nn`` network from the same weights on the same
   batches, it gives the same losses and weights (to ~1e-12: only the summation order differs).

``create_graph=True`` differentiates through ``MulLayer`` (its backward multiplies the inputs) and
refuses ``SoftmaxWithLoss`` with the reason: its backward uses a softmax kept from forward.

Run: ``python -m demos.functions`` (pictures in ./out/functions/).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from autograd_lite import Tensor, Value, fmt, gradcheck, optim
from autograd_lite.datasets import DatasetNotFoundError

from ._book_functions import AddLayer, Affine, MulLayer, Relu, SoftmaxWithLoss
from ._book_layers import TwoLayerNet
from ._common import missing_picture, one_blas_thread, out_path, parser, progress, summary
from .two_layer_net import PARAMS, load_data, nn_loss, nn_twin

DECAY = 1e-3  # the built-in ops' part of the joined graph: 0.5·λ·ΣW1²


def apples(build: str) -> Tuple[Value, Dict[str, Value]]:
    """The two-fruit graph of 5.4 with the book's layers (``"functions"``) or built-in ops."""
    leaves = {k: Value(v, k) for k, v in (("apple", 100.0), ("apple_num", 2.0), ("orange", 150.0),
                                          ("orange_num", 3.0), ("tax", 1.1))}
    a, an, o, on, t = leaves.values()
    if build == "functions":
        price = MulLayer.apply(AddLayer.apply(MulLayer.apply(a, an), MulLayer.apply(o, on)), t)
    else:
        price = (a * an + o * on) * t
    price.label = "price"
    price.backward()
    return price, leaves


def net_loss(x: np.ndarray, t: np.ndarray, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) -> Tensor:
    """The book's two-layer net from Functions, plus a weight-decay term of built-in ops."""
    scores = Affine.apply(Relu.apply(Affine.apply(Tensor(x, label="x"), W1, b1)), W2, b2)
    return SoftmaxWithLoss.apply(scores, t) + 0.5 * DECAY * (W1 * W1).sum()


def builtin_loss(x: np.ndarray, t: np.ndarray, W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) -> Tensor:
    from autograd_lite import functional as F

    scores = (Tensor(x) @ W1 + b1).relu() @ W2 + b2
    return F.cross_entropy(scores, t) + 0.5 * DECAY * (W1 * W1).sum()


def parameters(book: TwoLayerNet) -> List[Tensor]:
    return [Tensor(book.params[k].copy(), requires_grad=True, label=k) for k in PARAMS]


def small_net() -> Tuple[np.ndarray, np.ndarray, TwoLayerNet]:
    """A batch and a net small enough to draw and to check every element by central
    differences: 5 points of 4 features, 3 classes, a 4-3-3 net (seeded)."""
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(5, 4)), rng.integers(0, 3, 5)
    return x, t, TwoLayerNet(4, 3, 3, weight_init_std=0.5, rng=rng)


def joined_graph(x: np.ndarray, t: np.ndarray, book: TwoLayerNet) -> Dict[str, Any]:
    """One small batch through the joined graph: gradcheck, and the gap to the built-in ops."""
    ours, theirs = parameters(book), parameters(book)
    loss = net_loss(x, t, *ours)
    loss.backward()
    builtin_loss(x, t, *theirs).backward()
    gap = max(float(np.max(np.abs(p.grad - q.grad))) for p, q in zip(ours, theirs))
    checked = gradcheck(lambda *ps: net_loss(x, t, *ps), *parameters(book), eps=1e-6, atol=1e-7, rtol=1e-5)
    return {"loss": loss, "gap": gap, "gradcheck": checked}


def second_order() -> Tuple[float, str]:
    """create_graph=True through MulLayer (a Hessian entry), and SoftmaxWithLoss's refusal."""
    from autograd_lite import hessian

    h = hessian(lambda a, b: MulLayer.apply(a, b) * a)(2.0, 3.0)[0][1]  # ∂²(a²b)/∂a∂b = 2a = 4
    scores = Tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    try:
        SoftmaxWithLoss.apply(scores, np.array([1])).backward(create_graph=True)
    except ValueError as e:
        return h, str(e)
    raise RuntimeError("functions: SoftmaxWithLoss under create_graph=True was not refused")


def train(train_set: Tuple[np.ndarray, np.ndarray], iters: int, batch_size: int = 100, lr: float = 0.1,
          hidden: int = 50, seed: int = 0, show_progress: bool = True) -> Dict[str, Any]:
    """The Function build and the built-in ``nn`` build, same weights, same batches, SGD."""
    x_train, t_train = train_set
    rng = np.random.default_rng(seed)
    book = TwoLayerNet(x_train.shape[1], hidden, 10, rng=rng)
    ours = parameters(book)
    model = nn_twin(book)
    opts = optim.SGD(ours, lr=lr), optim.SGD(model.parameters(), lr=lr)
    losses: Dict[str, List[float]] = {"functions": [], "nn": []}
    with one_blas_thread():
        for _ in progress(range(iters), iters, "functions vs nn", show_progress):
            batch = rng.choice(len(x_train), batch_size)
            x, t = x_train[batch].astype(np.float64), t_train[batch]
            for name, loss, opt in (("functions", SoftmaxWithLoss.apply(
                    Affine.apply(Relu.apply(Affine.apply(Tensor(x), *ours[:2])), *ours[2:]), t), opts[0]),
                                    ("nn", nn_loss(model, x, t), opts[1])):
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses[name].append(loss.item())
    gap = max(float(np.max(np.abs(p.data - q.data))) for p, q in zip(ours, model.parameters()))
    loss_gap = max(abs(a - b) for a, b in zip(losses["functions"], losses["nn"]))
    return {"losses": losses, "weight_gap": gap, "loss_gap": loss_gap, "params": ours, "model": model}


def accuracy(params: List[Tensor], x: np.ndarray, t: np.ndarray) -> float:
    W1, b1, W2, b2 = (p.data for p in params)
    scores = np.maximum(x @ W1 + b1, 0.0) @ W2 + b2
    return float(np.mean(np.argmax(scores, axis=1) == t))


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser("functions", __doc__)
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder with the MNIST *.gz files (default: autograd_lite's cache, else download)")
    p.add_argument("--no-download", action="store_true", help="never download; fail if the files are missing")
    p.add_argument("--iters", type=int, default=2_000, help="training iterations (default 2,000)")
    args = p.parse_args(argv)
    rows: List[Tuple[str, object]] = []

    ours, leaves = apples("functions")
    theirs, their_leaves = apples("builtin")
    print("apples and oranges, with MulLayer and AddLayer as Functions:")
    for k, v in leaves.items():
        print(f"  d{k:<11} {fmt(v.grad):>6}   built-in ops: {fmt(their_leaves[k].grad)}")
    same = ours.data == theirs.data and all(v.grad == their_leaves[k].grad for k, v in leaves.items())
    rows += [("price", ours.data), ("every gradient bit for bit the built-in one", "yes" if same else "NO")]

    try:
        train_set, test_set, description, _ = load_data(args.data_dir, download=not args.no_download)
    except DatasetNotFoundError as e:
        print(f"functions: {str(e).replace('(download=False)', '(--no-download)')}", file=sys.stderr)
        return 1
    joined = joined_graph(*small_net())
    print(f"\nAffine -> Relu -> Affine -> SoftmaxWithLoss (Functions) + 0.5·λ·ΣW1² (built-in), a 4-3-3 net "
          f"on 5 points: loss {fmt(joined['loss'].item())}")
    print(f"  gradcheck: {'passed' if joined['gradcheck'] else 'FAILED'}; "
          f"max |gradient - built-in network's| {fmt(joined['gap'])}")
    h, refusal = second_order()
    print(f"  create_graph through MulLayer: ∂²(a²b)/∂a∂b at (2, 3) = {fmt(h)}")
    reason = refusal.split(":", 1)[1].split(";")[0].strip()
    print(f"  create_graph through SoftmaxWithLoss is refused: {reason}")
    rows += [("joined graph: gradcheck", "passed" if joined["gradcheck"] else "FAILED"),
             ("joined graph: max |grad - built-in|", joined["gap"])]

    iters = min(args.iters, 200) if args.fast else args.iters
    print(f"\ntraining on {description}: {iters:,} iterations, batch 100, SGD lr 0.1")
    result = train(train_set, iters)
    acc = accuracy(result["params"], test_set[0], test_set[1])
    rows += [("training: max |loss(functions) - loss(nn)|", result["loss_gap"]),
             ("training: max |weight(functions) - weight(nn)|", result["weight_gap"]),
             ("test accuracy, Function build", f"{fmt(round(100 * acc, 2))}%")]
    ok = same and joined["gradcheck"] and joined["gap"] < 1e-12 and result["weight_gap"] < 1e-9

    if not args.no_plot:
        import viz

        try:
            for name, root in (("functions_apple_orange.png", ours), ("functions_net.png", joined["loss"])):
                path = out_path(args.out_dir, name)
                net = name.endswith("net.png")  # top to bottom: the net's picture fits a slide
                viz.render(root, path, check=net, rankdir="TB" if net else "LR")
                rows.append(("picture", str(path)))
        except (viz.GraphvizNotFoundError, OSError) as e:  # no Graphviz: the numbers above still stand
            rows.append(missing_picture("functions", e))
            ok = False
    summary("the book's layers as Functions", rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
