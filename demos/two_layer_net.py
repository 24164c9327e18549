"""The two-layer network of "Deep Learning from Scratch" 5.7 on MNIST, built two ways.

``TwoLayerNet(784, 50, 10)``: Affine -> ReLU -> Affine -> softmax cross-entropy.

* the book's build: layer objects with hand-written backward (``demos/_book_layers.py``);
* autograd_lite's build: ``nn.Sequential(nn.Linear, nn.ReLU, nn.Linear)`` and
  ``functional.cross_entropy``; the engine derives every gradient.

Both start from the same weights.  First the gradient check the book prints: for each
parameter, the mean |backprop - numerical| on three images (central differences, float64),
for both builds, and how far the two backprops are apart.  Then training with the book's
settings (10,000 iterations, batch 100, SGD lr 0.1, accuracy once per epoch) on the same
mini-batches, with a progress bar and a PNG of train/test accuracy per epoch.

Data: ``--data-dir`` (a folder with the MNIST ``*.gz`` files), else autograd_lite's cache
(``$AUTOGRAD_LITE_DATA`` or ``~/.cache/autograd_lite``), else a download.  When only the
10,000-image test set is there, it is split: the first 8,000 images to train, the last
2,000 to test (and the demo says so).

Run: ``python -m demos.two_layer_net --data-dir ~/mnist`` (picture in ./out/two_layer_net/).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, cast

import numpy as np

from autograd_lite import Tensor, fmt, gradcheck_report, nn, optim
from autograd_lite import functional as F
from autograd_lite.data import DataLoader
from autograd_lite.datasets import DatasetNotFoundError, load_mnist, load_mnist_test, train_test_split

from ._book_layers import TwoLayerNet
from ._common import grad_of, missing_extra, one_blas_thread, out_path, parser, progress, summary
from ._common import plot_accuracy as _plot_accuracy

Arrays = Tuple[np.ndarray, np.ndarray]
PARAMS = ("W1", "b1", "W2", "b2")
GRADCHECK_BOUND = 1e-6
N_TRAIN_OF_TEST_SET = 8_000


# ----------------------------------------------------------------- data
def load_data(data_dir: Optional[Path], download: bool = True) -> Tuple[Arrays, Arrays, str, str]:
    """``(train, test, description, short name)``: full MNIST if present, else the test set split."""
    try:
        train, test = load_mnist(data_dir=data_dir, download=False)
        return train, test, "full MNIST: 60,000 training / 10,000 test images", "MNIST"
    except DatasetNotFoundError:
        pass
    try:
        x, t = load_mnist_test(data_dir=data_dir, download=False)
    except DatasetNotFoundError:
        if not download:
            raise
        train, test = load_mnist(data_dir=data_dir)  # the cache logic: download, verify, keep
        return train, test, "full MNIST (downloaded): 60,000 training / 10,000 test images", "MNIST"
    train, test = train_test_split(x, t, n_train=N_TRAIN_OF_TEST_SET)
    return train, test, (f"only the 10,000-image MNIST test set was found, so it is split: the first "
                         f"{len(train[0]):,} images train, the last {len(test[0]):,} test"), \
        f"MNIST test set split {len(train[0]):,} / {len(test[0]):,}"


# ----------------------------------------------------------------- the autograd_lite build
def nn_twin(book: TwoLayerNet) -> nn.Sequential:
    """``nn.Sequential`` with copies of the book net's current weights (same dtype)."""
    W1, b1, W2, b2 = (book.params[k] for k in PARAMS)
    model = nn.Sequential(nn.Linear(W1.shape[0], W1.shape[1], init=0.0, dtype=W1.dtype), nn.ReLU(),
                          nn.Linear(W2.shape[0], W2.shape[1], init=0.0, dtype=W2.dtype))
    for p, src in zip(model.parameters(), (W1, b1, W2, b2)):
        p.data[...] = src
    return model


def nn_loss(model: nn.Sequential, x: np.ndarray, t: np.ndarray) -> Tensor:
    """Mean softmax cross-entropy of the model's scores, as the book's SoftmaxWithLoss."""
    return F.cross_entropy(model(Tensor(x)), t)


def nn_gradient(model: nn.Sequential, x: np.ndarray, t: np.ndarray) -> Dict[str, np.ndarray]:
    model.zero_grad()
    nn_loss(model, x, t).backward()
    return {k: grad_of(p) for k, p in zip(PARAMS, model.parameters())}


def nn_numerical_gradient(model: nn.Sequential, x: np.ndarray, t: np.ndarray) -> Dict[str, np.ndarray]:
    """Central differences for every parameter of the nn build, via ``gradcheck_report``."""
    params = model.parameters()

    def loss_of(W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) -> Tensor:
        h = (Tensor(x) @ W1 + b1).relu()
        return F.cross_entropy(h @ W2 + b2, t)

    records = gradcheck_report(loss_of, *params, eps=1e-4)
    return {k: np.asarray(r.numeric_grad) for k, r in zip(PARAMS, records)}


# ----------------------------------------------------------------- gradient check
def gradient_check(book: TwoLayerNet, x: np.ndarray, t: np.ndarray) -> Dict[str, Dict[str, float]]:
    """Per parameter: mean |backprop - numerical| for each build, and max |book - nn| backprop."""
    with one_blas_thread():
        return _gradient_check(book, x, t)


def _gradient_check(book: TwoLayerNet, x: np.ndarray, t: np.ndarray) -> Dict[str, Dict[str, float]]:
    model = nn_twin(book)
    grad_book = book.gradient(x, t)
    num_book = book.numerical_gradient(x, t)
    grad_nn = nn_gradient(model, x, t)
    num_nn = nn_numerical_gradient(model, x, t)
    return {k: {"book": float(np.mean(np.abs(grad_book[k] - num_book[k]))),
                "nn": float(np.mean(np.abs(grad_nn[k] - num_nn[k]))),
                "book vs nn": float(np.max(np.abs(grad_book[k] - grad_nn[k])))} for k in PARAMS}


# ----------------------------------------------------------------- training
def train(train_set: Arrays, test_set: Arrays, iters: int = 10_000, batch_size: int = 100,
          lr: float = 0.1, hidden: int = 50, seed: int = 0, builds: Sequence[str] = ("book", "nn"),
          show_progress: bool = True) -> Dict[str, Any]:
    """The book's loop for each build in ``builds``, on the very same mini-batches.

    Accuracy on the whole training and test sets once per epoch (every
    ``train_size / batch_size`` iterations, as in the book).  Returns the history per
    build, the final accuracies, the seconds spent and the largest weight difference.
    """
    with one_blas_thread():
        return _train(train_set, test_set, iters, batch_size, lr, hidden, seed, builds, show_progress)


def _train(train_set: Arrays, test_set: Arrays, iters: int, batch_size: int, lr: float, hidden: int,
           seed: int, builds: Sequence[str], show_progress: bool) -> Dict[str, Any]:
    (x_train, t_train), (x_test, t_test) = train_set, test_set
    rng = np.random.default_rng(seed)
    book = TwoLayerNet(x_train.shape[1], hidden, 10, rng=rng)
    model = nn_twin(book)
    opt = optim.SGD(model.parameters(), lr=lr)
    iter_per_epoch = max(len(x_train) // batch_size, 1)
    hist: Dict[str, Dict[str, List[float]]] = {b: {"train": [], "test": [], "loss": []} for b in builds}
    seconds = {b: 0.0 for b in builds}

    def nn_accuracy(x: np.ndarray, t: np.ndarray) -> float:
        scores = model(Tensor(x)).data
        return float(np.mean(np.argmax(scores, axis=1) == t))

    accuracy = {"book": book.accuracy, "nn": nn_accuracy}
    # the book's batches: rows drawn at random with replacement, rng.choice(train_size, batch_size)
    batches = DataLoader(x_train, t_train, batch_size=batch_size, shuffle=True, replacement=True,
                         num_batches=iters, seed=rng, progress=False)
    for i, (x, t) in progress(enumerate(batches), iters, "two-layer net", show_progress):
        if "book" in builds:
            start = time.perf_counter()
            grads = book.gradient(x, t)
            for k in PARAMS:
                book.params[k] -= lr * grads[k]  # in place: the Affine layers hold these arrays
            seconds["book"] += time.perf_counter() - start
            hist["book"]["loss"].append(float(cast(float, book.last_layer.loss)))  # set by gradient()
        if "nn" in builds:
            start = time.perf_counter()
            loss = nn_loss(model, x, t)
            opt.zero_grad()
            loss.backward()
            opt.step()
            seconds["nn"] += time.perf_counter() - start
            hist["nn"]["loss"].append(float(loss.data))
        if i % iter_per_epoch == 0 or i == iters - 1:
            for b in builds:
                hist[b]["train"].append(accuracy[b](x_train, t_train))
                hist[b]["test"].append(accuracy[b](x_test, t_test))
    weight_gap = max(float(np.max(np.abs(book.params[k] - p.data)))
                     for k, p in zip(PARAMS, model.parameters())) if len(builds) == 2 else float("nan")
    return {"history": hist, "seconds": seconds, "iter_per_epoch": iter_per_epoch,
            "final": {b: hist[b]["test"][-1] for b in builds}, "weight_gap": weight_gap}


def plot_accuracy(result: Dict[str, Any], path: Path, title: str) -> None:
    # the two builds coincide: the dashed book lines lie under the solid ones
    styles = {"book": ("book layers", "--"), "nn": ("autograd_lite nn", "-")}
    _plot_accuracy(result["history"], styles, path, title)


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser("two_layer_net", __doc__)
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder with the MNIST *.gz files (default: autograd_lite's cache, else download)")
    p.add_argument("--no-download", action="store_true", help="never download; fail if the files are missing")
    p.add_argument("--iters", type=int, default=10_000, help="training iterations (default 10,000)")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--hidden", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--build", choices=["both", "book", "nn"], default="both",
                   help="which build to train (default both, side by side)")
    p.add_argument("--skip-gradcheck", action="store_true")
    args = p.parse_args(argv)
    if not args.no_plot and missing_extra("two_layer_net", "the accuracy plot"):
        return 1
    iters = min(args.iters, 600) if args.fast else args.iters
    builds = ("book", "nn") if args.build == "both" else (args.build,)

    try:
        train_set, test_set, description, short = load_data(args.data_dir, download=not args.no_download)
    except DatasetNotFoundError as e:  # the library's hints name load_mnist's arguments: say the flags
        text = str(e).replace("(download=False)", "(--no-download)")
        print(f"two_layer_net: {text.replace('pass data_dir=... to load_mnist', 'pass --data-dir DIR')}",
              file=sys.stderr)
        return 1
    print(f"data: {description}")
    rows: List[Tuple[str, object]] = [("data", description)]

    ok = True
    if not args.skip_gradcheck:
        x, t = train_set[0][:3].astype(np.float64), train_set[1][:3]
        book = TwoLayerNet(x.shape[1], args.hidden, 10, rng=np.random.default_rng(args.seed))
        start = time.perf_counter()
        check = gradient_check(book, x, t)
        print(f"\ngradient check on 3 images, float64 ({fmt(round(time.perf_counter() - start, 1))} s): "
              "mean |backprop - numerical|")
        for k, c in check.items():
            print(f"  {k}:  book {fmt(c['book']):>22}   nn {fmt(c['nn']):>22}   "
                  f"max |book - nn backprop| {fmt(c['book vs nn'])}")
        worst = max(max(c["book"], c["nn"]) for c in check.values())
        agree = max(c["book vs nn"] for c in check.values())
        ok = worst < GRADCHECK_BOUND and agree < GRADCHECK_BOUND
        rows += [("gradient check, worst mean |backprop - numerical|", worst),
                 ("gradient check, max |book - nn backprop|", agree)]

    print(f"\ntraining: {iters:,} iterations, batch {args.batch_size}, SGD lr {fmt(args.lr)}, "
          f"builds: {', '.join(builds)}")
    result = train(train_set, test_set, iters, args.batch_size, args.lr, args.hidden, args.seed, builds)
    for b in builds:
        h = result["history"][b]
        marks = sorted({0, len(h["train"]) // 2, len(h["train"]) - 1})
        print(f"  {b:4}: " + ", ".join(f"epoch {e}: train {fmt(round(h['train'][e], 4))} "
                                       f"test {fmt(round(h['test'][e], 4))}" for e in marks))
        rows += [(f"test accuracy, {b} build", f"{fmt(round(100 * result['final'][b], 2))}% "
                  f"(train {fmt(round(100 * h['train'][-1], 2))}%)"),
                 (f"training time, {b} build", f"{fmt(round(result['seconds'][b], 1))} s")]
    if len(builds) == 2:
        rows.append(("max |book - nn weight| after training", result["weight_gap"]))
    if not args.no_plot:
        path = out_path(args.out_dir, "two_layer_net_accuracy.png")
        title = (f"TwoLayerNet(784, {args.hidden}, 10), {iters:,} iterations, batch {args.batch_size}, "
                 f"lr {fmt(args.lr)}\n{short}: final test accuracy "
                 + ", ".join(f"{fmt(round(100 * result['final'][b], 2))}% ({b})" for b in builds))
        plot_accuracy(result, path, title)
        rows.append(("accuracy plot", str(path)))
    summary("two-layer net", rows)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
