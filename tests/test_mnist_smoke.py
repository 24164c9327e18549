"""A short seeded MNIST run: 784-50-10, SGD, trained on the first 8,000 images of the MNIST test
set in ../shared/data/mnist and evaluated on the other 2,000 (the 60,000 training images are not
part of the shared data)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from autograd_lite import Tensor, nn, no_grad
from autograd_lite.datasets import load_mnist_test, train_test_split
from autograd_lite.functional import cross_entropy
from autograd_lite.optim import SGD

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


@pytest.mark.slow
def test_two_layer_net_reaches_90_percent() -> None:
    if not (SHARED_MNIST / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"MNIST test set not found at {SHARED_MNIST} "
                    "(expects t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz)")
    start = time.perf_counter()
    x, t = load_mnist_test(data_dir=SHARED_MNIST, download=False, dtype=np.float64)
    (x_train, t_train), (x_test, t_test) = train_test_split(x, t, n_train=8000)

    model = nn.Sequential(nn.Linear(784, 50, rng=0), nn.ReLU(), nn.Linear(50, 10, rng=1))
    optimizer = SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(400):  # batch 100: five passes over the 8,000 images
        batch = rng.choice(len(x_train), 100, replace=False)
        loss = cross_entropy(model(Tensor(x_train[batch])), t_train[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

    with no_grad():
        predicted = model(Tensor(x_test)).data.argmax(axis=1)
    accuracy = float((predicted == t_test).mean())
    elapsed = time.perf_counter() - start
    assert np.mean(losses[:10]) > 1.5 > 0.5 > np.mean(losses[-50:]), (losses[:10], losses[-50:])
    assert accuracy >= 0.90, f"accuracy on the last 2,000 images: {accuracy:.4f}"
    assert elapsed < 60, f"the smoke test took {elapsed:.1f} s"
