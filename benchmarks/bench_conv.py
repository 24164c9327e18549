"""The book's SimpleConvNet training step: autograd_lite against the book's own numpy layers and PyTorch.

Run: ``.venv/bin/python -m benchmarks.bench_conv`` (``--quick`` for a short run, ``--rounds N``).

One step = forward, backward and an Adam update of conv (30 filters 5x5) -> ReLU -> max pool
2x2 -> Affine 100 -> ReLU -> Affine 10 -> softmax cross-entropy, on a batch of 100 MNIST-sized
images (1 x 28 x 28, random numbers: the time does not depend on the pixels).

* ``book numpy``: the book's hand-written ``Convolution`` / ``Pooling`` / ``Affine`` layers over
  im2col + matmul and its Adam (``demos/_book_conv_layers.py``: the very code the demo checks
  autograd_lite's gradients against, so this benchmark imports it rather than keep a copy);
* ``autograd_lite``: ``nn.Sequential(nn.Conv2d, ...)``, ``functional.cross_entropy``,
  ``optim.Adam``;
* ``torch``: the same network in PyTorch on the CPU (skipped with a note when not importable).

Every round runs every engine once (a block of repeats), in a shuffled order; the table shows
the median per step and its ratio to the book's.  numpy's BLAS and PyTorch run on one thread
(threadpoolctl / ``torch.set_num_threads``), as the demos do: the machine is shared.

The *whole process* rows start a fresh Python per engine that imports it, builds the network
and runs ``--process-steps`` steps: what a user waits for, start-up included.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Optional

import numpy as np

from autograd_lite import Tensor, nn, optim
from autograd_lite import functional as F

Step = Callable[[], Any]
BATCH = 100
ENGINES = ("book numpy", "autograd_lite", "torch")


def data(dtype: Any) -> Dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {"x": rng.random((BATCH, 1, 28, 28)).astype(dtype), "t": rng.integers(0, 10, BATCH)}


def book_step(d: Dict[str, np.ndarray]) -> Step:
    from demos._book_conv_layers import Adam, SimpleConvNet

    net = SimpleConvNet(rng=np.random.default_rng(1), dtype=d["x"].dtype.type)
    opt = Adam(lr=0.001)
    x, t = d["x"], d["t"]

    def step() -> None:
        opt.update(net.params, net.gradient(x, t))

    return step


def ours_step(d: Dict[str, np.ndarray]) -> Step:
    dt = d["x"].dtype
    model = nn.Sequential(nn.Conv2d(1, 30, 5, init=0.01, rng=1, dtype=dt), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(30 * 12 * 12, 100, init=0.01, rng=2, dtype=dt), nn.ReLU(),
                          nn.Linear(100, 10, init=0.01, rng=3, dtype=dt))
    opt = optim.Adam(model.parameters(), lr=0.001)
    x, t = Tensor(d["x"]), d["t"]

    def step() -> None:
        loss = F.cross_entropy(model(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def torch_step(d: Dict[str, np.ndarray]) -> Step:
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 30, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(30 * 12 * 12, 100), torch.nn.ReLU(),
                                torch.nn.Linear(100, 10)).to(torch.float64 if d["x"].dtype == np.float64
                                                             else torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    x, t = torch.from_numpy(d["x"]), torch.from_numpy(d["t"])

    def step() -> None:
        loss = torch.nn.functional.cross_entropy(model(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


MAKERS = {"book numpy": book_step, "autograd_lite": ours_step, "torch": torch_step}


def one_blas_thread() -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=1, user_api="blas")


def measure(dtype: Any, rounds: int, repeats: int, notes: List[str]) -> Dict[str, List[float]]:
    d = data(dtype)
    steps: Dict[str, Step] = {}
    for name in ENGINES:
        try:
            steps[name] = MAKERS[name](d)
        except ImportError as e:
            notes.append(f"{name}: skipped ({e})")
    for s in steps.values():  # warm-up: first calls allocate and fill caches
        s()
    times: Dict[str, List[float]] = {name: [] for name in steps}
    order = list(steps)
    for _ in range(rounds):
        random.shuffle(order)
        for name in order:
            s = steps[name]
            for _ in range(repeats):
                start = time.perf_counter()
                s()
                times[name].append(time.perf_counter() - start)
    return times


def whole_process(engine: str, steps: int) -> Optional[float]:
    """Seconds from starting a Python that runs ``steps`` steps of ``engine`` to its exit."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_conv", "--process", engine,
                           "--process-steps", str(steps)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds if done.returncode == 0 else None


def _run_process(engine: str, steps: int) -> int:
    limit = one_blas_thread()
    step = MAKERS[engine](data(np.float64))
    for _ in range(steps):
        step()
    del limit
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=9, help="interleaved rounds (default 9)")
    p.add_argument("--repeats", type=int, default=3, help="steps per engine per round (default 3)")
    p.add_argument("--quick", action="store_true", help="3 rounds of 2 steps, 5 steps per process")
    p.add_argument("--process-steps", type=int, default=50, help="steps per whole-process run (default 50)")
    p.add_argument("--process", choices=ENGINES, help=argparse.SUPPRESS)  # one whole-process run
    args = p.parse_args(argv)
    if args.process:
        return _run_process(args.process, args.process_steps)
    rounds, repeats = (3, 2) if args.quick else (args.rounds, args.repeats)
    process_steps = 5 if args.quick else args.process_steps
    notes: List[str] = []
    versions = [f"numpy {np.__version__}"]
    try:
        import torch

        versions.append(f"torch {torch.__version__}")
    except ImportError:
        pass
    limit = one_blas_thread()
    print(f"SimpleConvNet training step, batch {BATCH} (Python {sys.version.split()[0]}, "
          f"{', '.join(versions)}; "
          f"BLAS threads: {'1 (threadpoolctl)' if limit is not None else 'numpy default'}, torch threads: 1)")
    print(f"{rounds} rounds x {repeats} steps per engine, shuffled order; median per step\n")
    print(f"{'dtype':8} {'engine':14} {'median ms':>10} {'vs book':>8}")
    for dtype in (np.float64, np.float32):
        times = measure(dtype, rounds, repeats, notes)
        base = statistics.median(times["book numpy"])
        for name, ts in times.items():
            med = statistics.median(ts)
            print(f"{np.dtype(dtype).name:8} {name:14} {med * 1e3:10.1f} {med / base:7.2f}x")
    del limit
    print(f"\nwhole process: start Python, import, build, {process_steps} float64 steps")
    print(f"{'engine':14} {'seconds':>8} {'vs book':>8}")
    walls = {name: whole_process(name, process_steps) for name in ENGINES}
    base_wall = walls["book numpy"]
    for name, wall in walls.items():
        if wall is None:
            print(f"{name:14} {'failed':>8}")
        else:
            ratio = f"{wall / base_wall:7.2f}x" if base_wall else ""
            print(f"{name:14} {wall:8.2f} {ratio:>8}")
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
