"""The SimpleConvNet of "Deep Learning from Scratch" 7.5 on MNIST, built two ways (and a third).

conv (30 filters 5x5, stride 1, pad 0) -> ReLU -> max pool 2x2 -> Affine 100 -> ReLU ->
Affine 10 -> softmax cross-entropy; weights ``0.01 * randn`` (the book's ``weight_init_std``).

* the book's build: its hand-written ``Convolution`` / ``Pooling`` layers over im2col and
  col2im (``demos/_book_conv_layers.py``, written correctly);
* autograd_lite's build: ``nn.Sequential(nn.Conv2d, nn.ReLU, nn.MaxPool2d, nn.Flatten,
  nn.Linear, ...)``; the engine derives every gradient;
* with ``--torch``: the same network in PyTorch, from the same weights, on the same batches.

First both builds' gradients on one batch, which must agree to 1e-12.  Then training with
the book's settings (Adam, lr 0.001, batch 100, 20 epochs, batches drawn at random) with a
progress bar; accuracy on the whole training and test sets after every epoch; a PNG of the
accuracy per epoch and one of the first layer's 30 filters before and after training.

Data as in ``two_layer_net``: ``--data-dir``, else the cache, else a download; when only the
10,000-image test set is there, the first 8,000 train and the last 2,000 test.

Run: ``python -m demos.conv_net --data-dir ../shared/data/mnist --torch`` (pictures in
./out/conv_net/).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from autograd_lite import Tensor, fmt, nn, optim
from autograd_lite import functional as F
from autograd_lite.data import DataLoader
from autograd_lite.datasets import DatasetNotFoundError

from ._book_conv_layers import PARAMS, SimpleConvNet
from ._common import grad_of, missing_extra, one_blas_thread, out_path, parser, progress, pyplot, summary
from ._common import plot_accuracy as _plot_accuracy
from .two_layer_net import Arrays, load_data

GRADIENT_BOUND = 1e-12
TORCH_BOUND = 0.005  # half a point of test accuracy


# ----------------------------------------------------------------- the builds
def nn_twin(book: SimpleConvNet) -> nn.Sequential:
    """The autograd_lite SimpleConvNet with copies of the book net's weights."""
    W1, W2, W3 = book.params["W1"], book.params["W2"], book.params["W3"]
    model = nn.Sequential(
        nn.Conv2d(W1.shape[1], W1.shape[0], W1.shape[2:], init=0.0, dtype=W1.dtype), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(W2.shape[0], W2.shape[1], init=0.0, dtype=W2.dtype), nn.ReLU(),
        nn.Linear(W3.shape[0], W3.shape[1], init=0.0, dtype=W3.dtype))
    for p, k in zip(model.parameters(), PARAMS):
        p.data[...] = book.params[k]
    return model


def torch_twin(book: SimpleConvNet) -> Any:
    """The same network in PyTorch (float64, the book's dtype), from the same weights."""
    import torch

    W1, W2 = book.params["W1"], book.params["W2"]
    model: Any = torch.nn.Sequential(
        torch.nn.Conv2d(W1.shape[1], W1.shape[0], W1.shape[2:]), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(W2.shape[0], W2.shape[1]), torch.nn.ReLU(),
        torch.nn.Linear(W2.shape[1], book.params["W3"].shape[1])).double()
    with torch.no_grad():
        for layer, (w, b) in zip((model[0], model[4], model[6]), (("W1", "b1"), ("W2", "b2"), ("W3", "b3"))):
            weight = book.params[w] if layer is model[0] else book.params[w].T  # torch's Linear is (out, in)
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
            layer.bias.copy_(torch.from_numpy(book.params[b]))
    return model


def nn_gradient(model: nn.Sequential, x: np.ndarray, t: np.ndarray) -> Dict[str, np.ndarray]:
    model.zero_grad()
    F.cross_entropy(model(Tensor(x)), t).backward()
    return {k: grad_of(p) for k, p in zip(PARAMS, model.parameters())}


def gradient_gap(book: SimpleConvNet, x: np.ndarray, t: np.ndarray) -> Dict[str, float]:
    """Per parameter: max |book backprop - autograd_lite backprop| on one batch (float64)."""
    with one_blas_thread():
        ours = nn_gradient(nn_twin(book), x, t)
        theirs = book.gradient(x, t)
    return {k: float(np.max(np.abs(ours[k] - theirs[k]))) for k in PARAMS}


def _accuracy(predict: Any, x: np.ndarray, t: np.ndarray, batch: int = 500) -> float:
    hits = sum(int(np.sum(np.argmax(predict(xb), axis=1) == tb))
               for xb, tb in DataLoader(x, t, batch_size=batch, progress=False))
    return hits / len(x)


# ----------------------------------------------------------------- training
def train(train_set: Arrays, test_set: Arrays, epochs: int = 20, batch_size: int = 100, lr: float = 0.001,
          seed: int = 0, with_torch: bool = False, iters: Optional[int] = None,
          show_progress: bool = True) -> Dict[str, Any]:
    """autograd_lite's build (and PyTorch's) with Adam on the very same random batches.

    Accuracy on the whole training and test sets before training and after every epoch
    (``train_size / batch_size`` iterations); ``iters`` caps the iterations (quick runs).
    """
    with one_blas_thread():
        return _train(train_set, test_set, epochs, batch_size, lr, seed, with_torch, iters, show_progress)


def _train(train_set: Arrays, test_set: Arrays, epochs: int, batch_size: int, lr: float, seed: int,
           with_torch: bool, iters: Optional[int], show_progress: bool) -> Dict[str, Any]:
    (x_train, t_train), (x_test, t_test) = train_set, test_set
    # float64, the book's arithmetic (float32 images times float64 weights)
    x_train, x_test = x_train.astype(np.float64, copy=False), x_test.astype(np.float64, copy=False)
    rng = np.random.default_rng(seed)
    book = SimpleConvNet(input_dim=x_train.shape[1:], rng=rng)
    filters_before = book.params["W1"].copy()
    model = nn_twin(book)
    opt = optim.Adam(model.parameters(), lr=lr)
    builds: Dict[str, Dict[str, Any]] = {"nn": {"step": None, "predict": lambda x: model(Tensor(x)).data}}
    if with_torch:
        import torch

        torch.set_num_threads(1)  # like numpy's one BLAS thread (see one_blas_thread)
        tmodel = torch_twin(book)
        topt = torch.optim.Adam(tmodel.parameters(), lr=lr)

        def torch_predict(x: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                return tmodel(torch.from_numpy(x)).numpy()

        builds["torch"] = {"predict": torch_predict}
    per_epoch = max(len(x_train) // batch_size, 1)
    total = epochs * per_epoch if iters is None else iters
    hist: Dict[str, Dict[str, List[float]]] = {b: {"train": [], "test": [], "loss": []} for b in builds}
    seconds = {b: 0.0 for b in builds}

    def evaluate() -> None:
        for b, build in builds.items():
            hist[b]["train"].append(_accuracy(build["predict"], x_train, t_train))
            hist[b]["test"].append(_accuracy(build["predict"], x_test, t_test))

    evaluate()
    # the book's batches: rows drawn at random with replacement, rng.choice(train_size, batch_size)
    batches = DataLoader(x_train, t_train, batch_size=batch_size, shuffle=True, replacement=True,
                         num_batches=total, seed=rng, progress=False)
    for i, (x, t) in progress(enumerate(batches), total, "SimpleConvNet", show_progress):
        start = time.perf_counter()
        loss = F.cross_entropy(model(Tensor(x)), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        seconds["nn"] += time.perf_counter() - start
        hist["nn"]["loss"].append(float(loss.data))
        if with_torch:
            start = time.perf_counter()
            tloss = torch.nn.functional.cross_entropy(tmodel(torch.from_numpy(x)), torch.from_numpy(t))
            topt.zero_grad()
            tloss.backward()
            topt.step()
            seconds["torch"] += time.perf_counter() - start
            hist["torch"]["loss"].append(tloss.item())
        if (i + 1) % per_epoch == 0 or i == total - 1:
            evaluate()
    return {"history": hist, "seconds": seconds, "iters": total, "per_epoch": per_epoch,
            "final": {b: hist[b]["test"][-1] for b in builds},
            "filters": {"before": filters_before, "after": model.parameters()[0].data.copy()}}


# ----------------------------------------------------------------- pictures
def plot_accuracy(result: Dict[str, Any], path: Path, title: str) -> None:
    _plot_accuracy(result["history"], {"nn": ("autograd_lite", "-"), "torch": ("PyTorch", "--")}, path, title)


def plot_filters(before: np.ndarray, after: np.ndarray, path: Path) -> None:
    """The first layer's filters as grey squares (the book's ``visualize_filter``), two grids."""
    plt = pyplot()
    count = before.shape[0]
    cols = 10
    rows = -(-count // cols)
    fig, axes = plt.subplots(2 * rows, cols, figsize=(cols * 0.75, 2 * rows * 0.75 + 0.6))
    for part, filters in enumerate((before, after)):
        for k in range(rows * cols):
            ax = axes[part * rows + k // cols, k % cols]
            ax.set_xticks([])
            ax.set_yticks([])
            if k < count:
                ax.imshow(filters[k, 0], cmap="gray_r", interpolation="nearest")
            else:
                ax.axis("off")
        axes[part * rows, 0].set_title("before training" if part == 0 else "after training", loc="left",
                                       fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# ----------------------------------------------------------------- main
def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser("conv_net", __doc__)
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder with the MNIST *.gz files (default: autograd_lite's cache, else download)")
    p.add_argument("--no-download", action="store_true", help="never download; fail if the files are missing")
    p.add_argument("--epochs", type=int, default=20, help="training epochs (default 20, as the book)")
    p.add_argument("--iters", type=int, default=None, help="stop after this many iterations")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--torch", action="store_true",
                   help="train the same network in PyTorch beside it and compare the accuracies")
    args = p.parse_args(argv)
    if not args.no_plot and missing_extra("conv_net", "the pictures"):
        return 1
    if args.torch and missing_extra("conv_net", "the comparison (--torch)", "torch"):
        return 1
    started = time.perf_counter()
    try:
        (x_train, t_train), (x_test, t_test), description, short = load_data(args.data_dir,
                                                                               download=not args.no_download)
    except DatasetNotFoundError as e:
        text = str(e).replace("(download=False)", "(--no-download)")
        print(f"conv_net: {text.replace('pass data_dir=... to load_mnist', 'pass --data-dir DIR')}",
              file=sys.stderr)
        return 1
    shape = (-1, 1, 28, 28)  # load_data gives flat rows: the images as (N, 1, 28, 28)
    train_set, test_set = (x_train.reshape(shape), t_train), (x_test.reshape(shape), t_test)
    if args.fast:
        train_set = (train_set[0][:200], train_set[1][:200])
        test_set = (test_set[0][:100], test_set[1][:100])
    print(f"data: {description}")
    rows: List[Tuple[str, object]] = [("data", description)]

    x, t = train_set[0][:20].astype(np.float64), train_set[1][:20]
    gaps = gradient_gap(SimpleConvNet(rng=np.random.default_rng(args.seed)), x, t)
    print("\ngradients on 20 images, float64: max |book layers - autograd_lite| per parameter")
    print("  " + "   ".join(f"{k} {fmt(v)}" for k, v in gaps.items()))
    worst = max(gaps.values())
    ok = worst <= GRADIENT_BOUND
    rows.append(("max |book - autograd_lite gradient|", worst))

    iters = 4 if args.fast and args.iters is None else args.iters
    print(f"\ntraining: {args.epochs} epochs, batch {args.batch_size}, Adam lr {fmt(args.lr)}"
          + (f", stopping after {iters} iterations" if iters is not None else "")
          + (", PyTorch beside it" if args.torch else ""))
    result = train(train_set, test_set, args.epochs, args.batch_size, args.lr, args.seed, args.torch, iters)
    for b, h in result["history"].items():
        name = "autograd_lite" if b == "nn" else "PyTorch"
        print(f"  {name} test accuracy per epoch: " + ", ".join(fmt(round(a, 4)) for a in h["test"]))
        rows += [(f"test accuracy, {name}", f"{fmt(round(100 * result['final'][b], 2))}% "
                  f"(train {fmt(round(100 * h['train'][-1], 2))}%)"),
                 (f"training steps, {name}", f"{fmt(round(result['seconds'][b], 1))} s")]
    if args.torch:
        gap = abs(result["final"]["nn"] - result["final"]["torch"])
        rows.append(("|autograd_lite - PyTorch| test accuracy", f"{fmt(round(100 * gap, 2))} points"))
        ok = ok and gap <= TORCH_BOUND
    if not args.no_plot:
        path = out_path(args.out_dir, "conv_net_accuracy.png")
        title = (f"SimpleConvNet, {result['iters']:,} iterations, batch {args.batch_size}, Adam lr "
                 f"{fmt(args.lr)}, {short}\nfinal test accuracy "
                 + ", ".join(f"{fmt(round(100 * v, 2))}% ({'autograd_lite' if b == 'nn' else 'PyTorch'})"
                             for b, v in result["final"].items()))
        plot_accuracy(result, path, title)
        filters = out_path(args.out_dir, "conv_net_filters.png")
        plot_filters(result["filters"]["before"], result["filters"]["after"], filters)
        rows += [("accuracy plot", str(path)), ("filters", str(filters))]
    rows.append(("whole run", f"{fmt(round(time.perf_counter() - started, 1))} s"))
    summary("SimpleConvNet", rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
