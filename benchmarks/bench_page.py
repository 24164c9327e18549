"""The step-by-step page and frames at the sizes learners study: time to build, bytes written.

Run: ``python -m benchmarks.bench_page`` (needs Graphviz ``dot``).

Graphs (micrograd's demo: ``MLP(2, [16, 16, 1])``, SVM max-margin loss ``relu(1 - y·score)``):
1. the loss of one moons point through a 2-4-4-1 MLP, unfolded (≈ 100 values);
2. the loss of one moons point through the 2-16-16-1 MLP, unfolded (984 values);
3. the same 2-16-16-1 loss folded by layer and by neuron (``fold=``: one step per box, each box's
   inside laid out too, for the click that unfolds it);
Each is timed as ``viz.render_html`` end to end (graph already built, backward run), the
median of ``--repeats`` runs in fresh files, and its page size reported.  ``render_steps``
(one layout, one PNG per step) is timed on the 2-4-4-1 graph's first layer neuron.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

import viz
import viz.fold_page
from autograd_lite import Value
from autograd_lite.datasets import make_moons
from autograd_lite.reading import graph_nodes
from autograd_lite.scalar_nn import MLP


def moons_loss(sizes: Sequence[int]) -> Any:
    """micrograd's loss on the first point of its moons data: relu(1 - y·score), backward run."""
    X, y = make_moons(100, noise=0.1, seed=1)
    model = MLP(2, list(sizes), seed=0)
    x = [Value(float(v), label=f"x{i}") for i, v in enumerate(X[0].tolist(), 1)]
    sign = 2 * int(y[0]) - 1
    loss = (1 + -sign * model(x)).relu()
    loss.label = "loss"
    loss.backward()
    return loss


def timed(fn: Callable[[], Any], repeats: int) -> Tuple[float, Any]:
    times: List[float] = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _folded(loss: Any, fold: str) -> Tuple[Any, Any]:
    from viz.fold import fold_graph
    from viz.timeline import timeline

    t = timeline(loss)
    return t, fold_graph(loss, fold, t.explanation.nodes)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per row (median)")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}")
    print("| graph | values | steps | seconds (median) | bytes |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, sizes in (("2-4-4-1", [4, 4, 1]), ("2-16-16-1", [16, 16, 1])):
            loss = moons_loss(sizes)
            n = len(graph_nodes(loss))
            steps = sum(1 for v in graph_nodes(loss) if not v.is_leaf)
            path = Path(tmp) / f"{name}.html"
            seconds, _ = timed(lambda: viz.render_html(loss, path), args.repeats)  # noqa: B023 (called here)
            print(f"| page, {name} loss on one point, unfolded | {n} | {steps} | {seconds:.2f} | "
                  f"{path.stat().st_size:,} |")
        loss = moons_loss([16, 16, 1])
        for fold in ("layer", "neuron"):
            path = Path(tmp) / f"folded-{fold}.html"
            seconds, _ = timed(lambda: viz.render_html(loss, path, fold=fold), args.repeats)  # noqa: B023
            steps = len(viz.fold_page.folded_pass(*_folded(loss, fold)).units) - 1
            print(f"| page, 2-16-16-1 loss on one point, fold={fold!r} | {len(graph_nodes(loss))} | "
                  f"{steps} | {seconds:.2f} | {path.stat().st_size:,} |")
        seconds, frames = timed(lambda: viz.render_steps(loss, Path(tmp) / "folded", gif=False, fold="layer"),
                                args.repeats)
        print(f"| render_steps PNG frames, 2-16-16-1 loss, fold='layer' | {len(graph_nodes(loss))} | "
              f"{len(frames.frames) - 1} | {seconds:.2f} | "
              f"{sum(p.stat().st_size for p in frames.frames):,} |")
        neuron = MLP(2, [1], seed=0)
        out = neuron([Value(0.5, "x1"), Value(-1.0, "x2")])
        out.backward()
        seconds, frames = timed(lambda: viz.render_steps(out, Path(tmp) / "neuron", gif=False), args.repeats)
        size = sum(p.stat().st_size for p in frames.frames)
        print(f"| render_steps PNG frames, one neuron (2 inputs) | {len(graph_nodes(out))} | "
              f"{len(frames.frames) - 1} | {seconds:.2f} | {size:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
