"""demos/conv_net.py and the book's hand-written conv layers in its fast mode.

Oracles: float64 central differences (independent of Tensor) for the book's layers, PyTorch
for the same network on the same batches, and the real MNIST test set in ../shared/data/mnist
(skipped with a reason when absent).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograd_lite import functional as F
from demos import conv_net
from demos._book_conv_layers import Convolution, Pooling, SimpleConvNet, col2im, im2col
from demos._book_layers import numerical_gradient
from viz import cli

MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def _needs_mnist() -> None:
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"the real MNIST test set is not at {MNIST_DIR} (shared data folder absent)")


@pytest.mark.parametrize("shape,k,s,p", [((2, 3, 6, 6), 3, 1, 1), ((1, 2, 7, 5), 2, 2, 0),
                                         ((2, 1, 5, 5), 3, 2, 2)])
def test_book_im2col_col2im_equal_the_library_ops(shape: tuple, k: int, s: int, p: int) -> None:
    x = np.random.default_rng(0).standard_normal(shape)
    col = im2col(x, k, k, s, p)
    np.testing.assert_array_equal(col, F.im2col(x, k, s, p).data)
    c = np.random.default_rng(1).standard_normal(col.shape)
    np.testing.assert_allclose(col2im(c, shape, k, k, s, p), F.col2im(c, shape, k, s, p).data, rtol=1e-14)


def test_book_layers_backward_matches_central_differences() -> None:
    rng = np.random.default_rng(2)
    x, W, b = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    conv = Convolution(W, b, stride=2, pad=1)
    out = conv.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = conv.backward(dout)
    for got, param in [(dx, x), (conv.dW, W), (conv.db, b)]:
        num = numerical_gradient(lambda: float(np.sum(dout * Convolution(W, b, 2, 1).forward(x))), param,
                                 1e-6)
        assert np.max(np.abs(got - num)) <= 1e-8
    # pooling with padding over negative values: the book's size formula leaves out the pad
    # and its zero padding would win over every negative number
    y = -np.abs(rng.standard_normal((2, 2, 5, 5))) - 0.1
    pool = Pooling(2, 2, stride=2, pad=1)
    pooled = pool.forward(y)
    assert pooled.shape == (2, 2, 3, 3) and pooled.max() < 0
    np.testing.assert_array_equal(pooled, F.max_pool2d(y, 2, 2, 1).data)
    dp = rng.standard_normal(pooled.shape)
    num = numerical_gradient(lambda: float(np.sum(dp * Pooling(2, 2, 2, 1).forward(y))), y, 1e-6)
    assert np.max(np.abs(pool.backward(dp) - num)) <= 1e-8


def test_book_and_autograd_lite_gradients_agree_to_1e_12() -> None:
    rng = np.random.default_rng(3)
    book = SimpleConvNet(input_dim=(1, 12, 12), filter_num=4, hidden_size=7, weight_init_std=0.3, rng=rng)
    x, t = rng.standard_normal((6, 1, 12, 12)), rng.integers(0, 10, 6)
    gaps = conv_net.gradient_gap(book, x, t)
    assert set(gaps) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(gaps.values()) <= 1e-12
    grads = book.gradient(x, t)
    assert min(float(np.abs(g).max()) for g in grads.values()) > 1e-6  # the comparison is not of zeros


def test_training_matches_pytorch_on_the_same_batches() -> None:
    pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = rng.random((60, 1, 12, 12))
    t = (x[:, 0, :6].sum(axis=(1, 2)) > x[:, 0, 6:].sum(axis=(1, 2))).astype(np.int64)  # learnable labels
    result = conv_net.train((x[:40], t[:40]), (x[40:], t[40:]), epochs=3, batch_size=10, lr=0.01,
                            with_torch=True, show_progress=False)
    ours, torch_ = result["history"]["nn"], result["history"]["torch"]
    assert result["iters"] == 12 and len(ours["test"]) == 4  # before training and after each epoch
    assert max(abs(a - b) for a, b in zip(ours["loss"], torch_["loss"])) < 1e-9
    assert ours["test"] == torch_["test"] and ours["train"] == torch_["train"]
    assert result["filters"]["before"].shape == (30, 1, 5, 5)
    assert not np.array_equal(result["filters"]["before"], result["filters"]["after"])


def test_conv_net_main_fast_on_real_mnist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _needs_mnist()
    pytest.importorskip("matplotlib")
    assert conv_net.main(["--fast", "--data-dir", str(MNIST_DIR), "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "max |book - autograd_lite gradient|" in out and "test accuracy, autograd_lite" in out
    for name in ("conv_net_accuracy.png", "conv_net_filters.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_conv_net_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "DEMO_PACKAGES", ("demos",))  # this checkout's demos, not an installed copy
    assert cli.main(["demo"]) == 0
    assert "conv-net" in capsys.readouterr().out
    code = cli.main(["demo", "conv-net", "--no-download", "--no-plot", "--data-dir", str(tmp_path / "none")])
    assert code == 1 and "--no-download" in capsys.readouterr().err
