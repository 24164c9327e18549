"""Scalar engine benchmarks: autograd_lite.Value side by side with micrograd, in one run.

Run: ``python -m benchmarks.bench_scalar`` (``make bench``).  micrograd is an optional peer
(``pip install -e .[bench]``); without it only our numbers are printed.

Workloads (issue: the scalar engine):
1. one training step (zero grads, forward, backward, SGD update) of a 2-16-16-1 MLP on 100
   points with micrograd's SVM max-margin loss + L2, interleaved, medians, GC left on;
2. build + backward of a 100,000-op chain ``v = v + a`` (micrograd with its recursion limit
   raised, on a thread with a large stack); and a 1,000,000-op chain for us;
3. memory per node of a ``v = v + a`` chain, measured with tracemalloc.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import threading
import time
import tracemalloc
from typing import Any, Callable, Dict, List, Optional, Tuple

from autograd_lite import Value
from autograd_lite.datasets import make_moons
from autograd_lite.scalar_nn import MLP

try:  # optional peer
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:  # pragma: no cover - depends on the environment
    mg_engine = mg_nn = None


def make_step(model: Any, value_cls: Any, X: List[List[float]], y: List[int]) -> Callable[[], float]:
    """micrograd's demo loss: SVM max-margin + 1e-4 L2, then SGD with lr 0.1."""
    params = model.parameters()

    def step() -> float:
        inputs = [[value_cls(v) for v in row] for row in X]
        scores = [model(x) for x in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg = 1e-4 * sum(p * p for p in params)
        loss = data_loss + reg
        model.zero_grad()
        loss.backward()
        for p in params:
            p.data -= 0.1 * p.grad
        return float(loss.data)

    return step


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def chain(value_cls: Any, n: int) -> Callable[[], None]:
    def run() -> None:
        a = value_cls(1.0)
        v = a
        for _ in range(n):
            v = v + a
        v.backward()

    return run


def in_big_stack(fn: Callable[[], None]) -> Callable[[], None]:
    """Run ``fn`` on a thread with a 1 GiB stack and a high recursion limit (micrograd recurses)."""

    def run() -> None:
        old_limit = sys.getrecursionlimit()
        old_size = threading.stack_size(1 << 30)
        sys.setrecursionlimit(10_000_000)
        errors: List[BaseException] = []

        def target() -> None:
            try:
                fn()
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        try:
            t = threading.Thread(target=target)
            t.start()
            t.join()
        finally:
            threading.stack_size(old_size)
            sys.setrecursionlimit(old_limit)
        if errors:
            raise errors[0]

    return run


def interleaved(fns: Dict[str, Callable[[], Any]], repeats: int, block: int = 3) -> Dict[str, List[float]]:
    """Rounds of blocks, one block per engine per round, so machine noise hits every engine alike.

    Each block runs as a user's training loop runs: the engine's steps back to back, paying for
    its own garbage.  Between blocks the heap is collected (untimed), so no engine pays for the
    cyclic garbage another left behind, and the block's first step (a warm-up) is not timed.
    Returns each engine's per-round median.
    """
    times: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()
            fn()
            times[name].append(statistics.median(timed(fn) for _ in range(block)))
    return times


def bytes_per_node(value_cls: Any, n: int = 100_000) -> float:
    a = value_cls(1.0)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    v = a
    keep = []
    for _ in range(n):
        v = v + a
        keep.append(v)
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    list_bytes = sys.getsizeof(keep)
    return (used - list_bytes) / n


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7,
                        help="rounds; each times a block of 3 steps per engine")
    parser.add_argument("--chain", type=int, default=100_000, help="ops in the chain benchmark")
    args = parser.parse_args(argv)

    X_arr, y_arr = make_moons(100, noise=0.1, seed=1)
    X, y = X_arr.tolist(), [int(2 * t - 1) for t in y_arr.tolist()]
    engines: Dict[str, Callable[[], float]] = {
        "autograd_lite": make_step(MLP(2, [16, 16, 1], seed=0), Value, X, y)
    }
    if mg_nn is not None:
        engines["micrograd"] = make_step(mg_nn.MLP(2, [16, 16, 1]), mg_engine.Value, X, y)
    print(f"python {sys.version.split()[0]}, gc enabled: {gc.isenabled()}")
    for fn in engines.values():  # warm-up
        fn()
    rows: List[Tuple[str, float, str]] = []

    def add_rows(title: str, times: Dict[str, List[float]]) -> None:
        """Median time per engine, and the median (min-max) of its per-round ratio to ours."""
        ours = times["autograd_lite"]
        for name, ts in times.items():
            ratios = [t / o for t, o in zip(ts, ours)]
            spread = "" if name == "autograd_lite" else (
                f"{statistics.median(ratios):.2f}x ({min(ratios):.1f}-{max(ratios):.1f})")
            rows.append((f"{title}: {name}", statistics.median(ts) * 1e3, spread))

    add_rows("MLP step 2-16-16-1, 100 points, GC on", interleaved(engines, args.repeats))
    gc.disable()  # reference rows only: how much of each step is the cyclic GC
    try:
        add_rows("MLP step, GC off (reference)", interleaved(engines, args.repeats))
    finally:
        gc.enable()

    chains = {"autograd_lite": chain(Value, args.chain)}
    if mg_engine is not None:
        chains["micrograd"] = in_big_stack(chain(mg_engine.Value, args.chain))
    add_rows(f"chain of {args.chain:,} ops, build+backward", interleaved(chains, 3, block=1))
    million = timed(chain(Value, 1_000_000))
    rows.append(("chain of 1,000,000 ops, build+backward: autograd_lite", million * 1e3, ""))

    print("| workload | median ms | time / autograd_lite's, same round: median (min-max) |")
    print("|---|---:|---:|")
    for name, ms, ratio in rows:
        print(f"| {name} | {ms:.1f} | {ratio} |")
    print()
    print("| memory per node, `v = v + a` chain (tracemalloc) | bytes |")
    print("|---|---:|")
    print(f"| autograd_lite | {bytes_per_node(Value):.0f} |")
    if mg_engine is not None:
        print(f"| micrograd | {bytes_per_node(mg_engine.Value):.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
