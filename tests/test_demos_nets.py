"""The Tensor-based demos' fast modes: layers, two-layer net on MNIST, feedforward, moons.

Oracles: float64 central differences, hand formulas written out in numpy here, and the
real MNIST test set in ../shared/data/mnist (skipped with a reason when absent).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograd_lite.datasets import DatasetNotFoundError
from demos import feedforward, layers, moons, two_layer_net
from demos._book_layers import Affine, Relu, SoftmaxWithLoss, TwoLayerNet, numerical_gradient

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def _needs_mnist() -> None:
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"the real MNIST test set is not at {MNIST_DIR} (shared data folder absent)")


# ----------------------------------------------------------------- layers (DLfS 5.5-5.6)
def test_layers_hand_written_equal_tensor_ops() -> None:
    worst = layers.run(trials=15, seed=3)
    assert set(worst) == {"Relu", "Sigmoid", "Affine", "SoftmaxWithLoss"}
    for name, diffs in worst.items():
        assert diffs.pop("dout untouched") == 1.0, name
        assert diffs and all(v <= 1e-12 for v in diffs.values()), (name, diffs)


def test_book_layers_backward_matches_central_differences() -> None:
    """Independent of Tensor: each hand-written backward is the gradient of its forward."""
    rng = np.random.default_rng(7)
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((4, 5))
    layer = Affine(W, b)
    layer.forward(x)
    dx = layer.backward(dout)

    def affine_loss() -> float:  # <dout, x W + b>: its gradient is the VJP with dout
        return float(np.sum(dout * (x @ W + b)))

    for got, p in [(dx, x), (layer.dW, W), (layer.db, b)]:
        assert np.max(np.abs(got - numerical_gradient(affine_loss, p, 1e-6))) <= 1e-8

    t = rng.integers(0, 5, 4)
    swl = SoftmaxWithLoss()
    swl.forward(x @ W, t)
    scores = x @ W
    num = numerical_gradient(lambda: SoftmaxWithLoss().forward(scores, t), scores, 1e-6)
    # a summed loss with a (y - t) / N backward would be off by a factor N = 4 here
    assert np.max(np.abs(swl.backward() - num)) <= 1e-9


def test_relu_backward_leaves_callers_dout_alone() -> None:
    relu = Relu()
    relu.forward(np.array([[-1.0, 2.0], [0.0, 3.0]]))
    dout = np.array([[5.0, 6.0], [7.0, 8.0]])
    assert relu.backward(dout).tolist() == [[0.0, 6.0], [0.0, 8.0]]
    assert dout.tolist() == [[5.0, 6.0], [7.0, 8.0]]


def test_softmax_with_loss_one_hot_and_labels_agree() -> None:
    x = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    a, b = SoftmaxWithLoss(), SoftmaxWithLoss()
    la, lb = a.forward(x, np.array([2, 0])), b.forward(x, np.eye(3)[[2, 0]])
    # by hand: mean of -log softmax at the true class
    hand = -(3.0 - math.log(math.exp(1) + math.exp(2) + math.exp(3))
             + 0.5 - math.log(math.exp(0.5) + math.exp(-1.0) + math.exp(0.0))) / 2
    assert abs(la - hand) <= 1e-15 and la == lb
    assert np.array_equal(a.backward(), b.backward())
    with pytest.raises(ValueError, match="SoftmaxWithLoss"):
        SoftmaxWithLoss().forward(np.zeros(3), np.array([0]))


def test_layers_main(capsys: pytest.CaptureFixture[str]) -> None:
    assert layers.main(["--fast"]) == 0
    out = capsys.readouterr().out
    assert "identical outputs and gradients" in out and out.count("caller's dout untouched") == 4


# ----------------------------------------------------------------- two-layer net (DLfS 5.7)
def test_two_layer_net_gradient_check_both_builds() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((3, 784))  # image-like values in [0, 1); float64
    t = np.array([3, 1, 7])
    book = TwoLayerNet(784, 50, 10, rng=np.random.default_rng(1))
    check = two_layer_net.gradient_check(book, x, t)
    assert list(check) == ["W1", "b1", "W2", "b2"]
    for k, c in check.items():
        assert c["book"] < 1e-6 and c["nn"] < 1e-6, (k, c)  # the book's bound, float64
        assert c["book vs nn"] < 1e-12, (k, c)  # the two backprops agree


def test_two_layer_net_data_split_and_missing_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _needs_mnist()
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(tmp_path / "cache"))  # an empty cache
    (x_tr, t_tr), (x_te, t_te), description, short = two_layer_net.load_data(MNIST_DIR, download=False)
    assert x_tr.shape == (8000, 784) and x_te.shape == (2000, 784)
    assert t_tr.shape == (8000,) and t_te.shape == (2000,)
    assert "8,000" in description and "2,000" in description and "split" in short
    with pytest.raises(DatasetNotFoundError):
        two_layer_net.load_data(tmp_path / "empty", download=False)


def test_two_layer_net_short_training_on_real_mnist() -> None:
    _needs_mnist()
    train_set, test_set, _, _ = two_layer_net.load_data(MNIST_DIR, download=False)
    result = two_layer_net.train(train_set, test_set, iters=300, seed=0, show_progress=False)
    book, nn = result["history"]["book"], result["history"]["nn"]
    assert len(book["test"]) == 300 // 80 + 2  # epoch marks at 0, 80, 160, 240 and the last step
    assert result["final"]["book"] >= 0.85 and result["final"]["nn"] >= 0.85  # measured 0.9 with seed 0
    assert book["test"] == nn["test"] and book["train"] == nn["train"]
    assert result["weight_gap"] < 1e-12
    assert max(abs(a - b) for a, b in zip(book["loss"], nn["loss"])) < 1e-12


def test_two_layer_net_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _needs_mnist()
    pytest.importorskip("matplotlib")
    argv = ["--fast", "--skip-gradcheck", "--iters", "100", "--data-dir", str(MNIST_DIR), "-o", str(tmp_path)]
    assert two_layer_net.main(argv) == 0
    out = capsys.readouterr().out
    assert "only the 10,000-image MNIST test set was found, so it is split" in out
    assert "test accuracy, nn build" in out
    assert (tmp_path / "two_layer_net_accuracy.png").read_bytes()[:4] == b"\x89PNG"


# ----------------------------------------------------------------- feedforward derivation
def test_feedforward_softmax_cross_entropy_gradient_by_hand() -> None:
    c, label = [2.0, 1.0, 0.1], 0
    cs, loss = feedforward.softmax_cross_entropy_values(c, label)
    loss.backward()
    total = sum(math.exp(v) for v in c)
    assert abs(loss.data - (math.log(total) - c[label])) <= 1e-15
    for k, ck in enumerate(cs):
        assert abs(ck.grad - (math.exp(c[k]) / total - (k == label))) <= 1e-15


def test_feedforward_claims_hold() -> None:
    rng = np.random.default_rng(11)
    for _ in range(5):
        k = int(rng.integers(2, 8))
        single = feedforward.check_single(2 * rng.standard_normal(k), int(rng.integers(0, k)))
        assert single["Value backward"] <= 1e-15 and single["central differences"] <= 1e-8
        assert feedforward.check_batch(rng, 6, k) <= 1e-15
        diffs = feedforward.small_net(rng)
        assert len(diffs) == 9 and max(diffs.values()) <= 1e-12, diffs


def test_feedforward_main(capsys: pytest.CaptureFixture[str]) -> None:
    assert feedforward.main(["--fast", "--no-plot"]) == 0
    out = capsys.readouterr().out
    verdict = [line for line in out.splitlines() if "∂L/∂C = S(C) - Y" in line]
    assert len(verdict) == 1 and verdict[0].split()[-1] == "confirmed"
    assert "  1    0.659001138886    1   -0.340998861114       -0.340998861114" in out


# ----------------------------------------------------------------- moons (micrograd)
def test_moons_scalar_and_tensor_reach_100_percent(tmp_path: Path) -> None:
    result = moons.train(n_samples=40, steps=40, seed=0, show_progress=False)
    assert result["scalar_accuracy"] == 1.0 and result["tensor_accuracy"] == 1.0
    hist = result["history"]
    assert hist["scalar_loss"][-1] < 0.1 < hist["scalar_loss"][0]
    assert max(abs(a - b) for a, b in zip(hist["scalar_loss"], hist["tensor_loss"])) < 1e-12
    pytest.importorskip("matplotlib")
    path = tmp_path / "boundary.png"
    moons.plot_boundaries(result, path, grid=20)
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_moons_tensor_twin_copies_the_weights_exactly() -> None:
    from autograd_lite import Value
    from autograd_lite.scalar_nn import MLP

    model = MLP(2, [16, 16, 1], seed=5)
    net = moons.tensor_twin(model)
    pts = np.array([[0.3, -0.7], [1.5, 0.25]])
    want = [model([Value(a), Value(b)]).data for a, b in pts]
    assert np.max(np.abs(moons.tensor_scores(net, pts) - want)) < 1e-13


def test_two_layer_net_gradients_match_pytorch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, t = rng.random((5, 784)), rng.integers(0, 10, 5)
    book = TwoLayerNet(784, 50, 10, weight_init_std=0.1, rng=rng)
    book.params["b1"][:] = rng.standard_normal(50) * 0.1  # nonzero biases exercise db too
    grads = book.gradient(x, t)
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in book.params.items()}
    h = torch.relu(torch.tensor(x) @ p["W1"] + p["b1"])
    loss = torch.nn.functional.cross_entropy(h @ p["W2"] + p["b2"], torch.tensor(t))
    loss.backward()
    assert abs(book.last_layer.loss - loss.item()) <= 1e-14
    for k, g in grads.items():
        assert np.max(np.abs(g - p[k].grad.numpy())) <= 1e-14, k


def test_progress_without_tqdm(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from demos._common import progress

    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `from tqdm import tqdm` fail
    assert list(progress(range(20), 20, "work")) == list(range(20))
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 10
    assert lines[0].startswith("work: 2/20 (10%") and lines[-1].startswith("work: 20/20 (100%")


# ----------------------------------------------------------------- without the 'demos' extra
@pytest.mark.parametrize("demo, what", [("moons", "decision-boundary plot"), ("miniflow", "loss plot"),
                                        ("two-layer-net", "accuracy plot")])
def test_demo_without_matplotlib_says_how_before_any_work(
        demo: str, what: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from viz.cli import main as cli

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(tmp_path / "empty-cache"))  # no MNIST either
    assert cli(["demo", demo, "--fast", "-o", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before training: nothing printed, nothing written
    assert captured.err.splitlines() == [
        f"{demo.replace('-', '_')}: the {what} needs matplotlib, which is not installed: "
        "pip install 'autograd_lite[demos]', or run with --no-plot"]
    assert not (tmp_path / "out").exists()


def test_moons_without_matplotlib_runs_with_no_plot(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert moons.main(["--fast", "--no-plot"]) == 0
    assert "both builds separate the moons perfectly" in capsys.readouterr().out


def test_demo_without_the_extra_in_a_fresh_interpreter(tmp_path: Path) -> None:
    """A real process whose import system cannot find matplotlib: one line, no traceback."""
    import subprocess
    import sys

    blocker = ("import sys\n"
               "class NoExtra:\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name.split('.')[0] in {'matplotlib', 'sklearn', 'tqdm', 'PIL', 'threadpoolctl'}:\n"
               "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
               "sys.meta_path.insert(0, NoExtra())\n"
               "from viz.cli import main\n"
               "raise SystemExit(main(sys.argv[1:]))\n")
    done = subprocess.run([sys.executable, "-c", blocker, "demo", "miniflow", "--fast", "-o", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1])
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert "pip install 'autograd_lite[demos]'" in done.stderr


def test_accuracy_plot_titles_fit_the_figure(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from demos import _common

    title = ("SimpleConvNet, 1,600 iterations, batch 100, Adam lr 0.001, MNIST test set split 8,000 / 2,000"
             "\nfinal test accuracy 97.45% (autograd_lite), 97.45% (PyTorch)")
    assert all(len(line) <= 75 for line in _common.wrap_title(title).splitlines())
    assert _common.wrap_title(title).replace("\n", " ").split() == title.split()
    plt = _common.pyplot()
    shown = []
    real = plt.Axes.set_title

    def spy(self: Any, text: str, *args: Any, **kwargs: Any) -> Any:
        shown.append(text)
        return real(self, text, *args, **kwargs)

    plt.Axes.set_title = spy
    try:
        _common.plot_accuracy({"a": {"train": [0.5, 0.9], "test": [0.4, 0.8]}}, {"a": ("a", "-")},
                              tmp_path / "p.png", title)
    finally:
        plt.Axes.set_title = real
    assert shown == [_common.wrap_title(title)] and (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
