"""Whole processes, as a user runs them: start Python, import, build, train; ours and micrograd's.

Run: ``.venv/bin/python -m benchmarks.bench_process`` (``--rounds N``, default 5; ``--parts``: the
chain's build, backward and freeing timed inside the process, with the cyclic GC on and off).

Two programs, each written once with the engine's module names filled in, each run as a fresh
``python -c`` process (interpreter start-up and imports included, cyclic GC on), alternating
engines round by round; the table gives median wall times and the median over rounds of the
ratio micrograd / autograd_lite:

1. **moons**: a 2-16-16-1 MLP (``autograd_lite.scalar_nn.MLP`` / ``micrograd.nn.MLP``) trained for
   20 steps on 100 two-moons points with micrograd's demo loss (SVM max-margin + 1e-4 L2, SGD);
   the points are generated in the script with the standard library, the same for both.
2. **chain**: a 200,000-op chain, 100,000 times ``v = v * c + a`` (c a Python number: one
   constant per multiplication, as user code writes it), built and differentiated; micrograd
   gets its recursion limit raised and a 1 GiB thread stack, which its recursive topological
   sort needs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Optional

MOONS = r'''
import math, random
{imports}
random.seed(1)
X, y = [], []
for i in range(100):
    t = math.pi * (i % 50) / 49
    u, w = (math.cos(t), math.sin(t)) if i < 50 else (1 - math.cos(t), 0.5 - math.sin(t))
    X.append([u + random.gauss(0, 0.1), w + random.gauss(0, 0.1)])
    y.append(1 if i < 50 else -1)
model = MLP(2, [16, 16, 1])
params = model.parameters()
for step in range(20):
    inputs = [[Value(v) for v in row] for row in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)
    model.zero_grad()
    loss.backward()
    for p in params:
        p.data -= 0.1 * p.grad
print(loss.data)
'''

CHAIN = r'''
import sys, threading
{imports}
def run():
    a = Value(0.5)
    v = a
    for _ in range({n} // 2):  # two ops per step
        v = v * 0.999 + a
    v.backward()
    print(a.grad)
sys.setrecursionlimit(10_000_000)
threading.stack_size(1 << 30)
t = threading.Thread(target=run)
t.start()
t.join()
'''

ENGINES = {
    "autograd_lite": "from autograd_lite import Value\nfrom autograd_lite.scalar_nn import MLP",
    "micrograd": "from micrograd.engine import Value\nfrom micrograd.nn import MLP",
}


def _run(source: str) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"benchmark program failed:\n{done.stderr}")
    return elapsed


PARTS = r'''
import gc, sys, threading, time
{imports}
def run():
    if {no_gc}:
        gc.disable()
    t0 = time.perf_counter()
    a = Value(0.5)
    v = a
    for _ in range({n} // 2):
        v = v * 0.999 + a
    t1 = time.perf_counter()
    v.backward()
    t2 = time.perf_counter()
    del v
    t3 = time.perf_counter()
    print(f"{{t1 - t0:.4f}} {{t2 - t1:.4f}} {{t3 - t2:.4f}}")
sys.setrecursionlimit(10_000_000)
threading.stack_size(1 << 30)
t = threading.Thread(target=run)
t.start()
t.join()
'''


def parts(rounds: int, n: int) -> None:
    """The chain's pieces inside one process (build, backward, freeing the graph), GC on and off."""
    print(f"# the chain of {n:,} ops in process: medians of {rounds} processes, seconds")
    print()
    print("| engine | GC | build | backward | free |")
    print("|---|---|---:|---:|---:|")
    for name, imports in ENGINES.items():
        for no_gc in (False, True):
            runs = []
            for _ in range(rounds):
                done = subprocess.run([sys.executable, "-c", PARTS.format(imports=imports, n=n, no_gc=no_gc)],
                                      capture_output=True, text=True, check=True)
                runs.append([float(x) for x in done.stdout.split()])
            build, back, free = (statistics.median(col) for col in zip(*runs))
            print(f"| {name} | {'off' if no_gc else 'on'} | {build:.3f} | {back:.3f} | {free:.3f} |")


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chain", type=int, default=200_000)
    parser.add_argument("--parts", action="store_true",
                        help="instead: the chain's build, backward and freeing timed inside the process")
    args = parser.parse_args(argv)
    if args.parts:
        parts(args.rounds, args.chain)
        return
    try:
        import micrograd  # noqa: F401
    except ImportError:
        raise SystemExit("micrograd is not installed: pip install -e '.[bench]'") from None
    programs = {"moons, 20 training steps": MOONS, f"chain of {args.chain:,} ops": CHAIN}
    print(f"# whole processes (Python {sys.version.split()[0]}), {args.rounds} alternating rounds, medians")
    print()
    print("| program | autograd_lite | micrograd | ratio (median, range) |")
    print("|---|---:|---:|---:|")
    for title, template in programs.items():
        times: Dict[str, List[float]] = {name: [] for name in ENGINES}
        for r in range(args.rounds):
            order = list(ENGINES) if r % 2 == 0 else list(reversed(ENGINES))
            for name in order:
                times[name].append(_run(template.format(imports=ENGINES[name], n=args.chain)))
        ratios = [m / o for o, m in zip(times["autograd_lite"], times["micrograd"])]
        print(f"| {title} | {statistics.median(times['autograd_lite']):.2f} s | "
              f"{statistics.median(times['micrograd']):.2f} s | {statistics.median(ratios):.2f}x "
              f"({min(ratios):.2f}-{max(ratios):.2f}) |")


if __name__ == "__main__":
    main()
