"""What watching costs a training step: ``viz.watch``'s ``record()`` in a real Jupyter kernel with
the live widget displayed, and in plain Python.

Run: ``.venv/bin/python -m benchmarks.bench_watch`` (``--steps N``, default 100; needs the test and
notebook extras: nbclient, ipykernel, anywidget).

The workload is micrograd's moons demo: the 2-16-16-1 scalar MLP, 100 points, its max-margin
loss + 1e-4 L2, full-batch SGD; the watch follows 20 of the points (every 5th) at every step.
Inside one kernel the loop times each step's training (forward, backward, update) and, apart,
each ``record()`` call: with the widget displayed, ``record()`` includes building the step's
JSON and sending it to the front end over the kernel's comm.  The same loop then runs in this
process with no widget (what the HTML page costs while recording).  Medians over the steps.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent

LOOP = r'''
import json, time
import viz
from autograd_lite import Value, optim
from autograd_lite.datasets import make_moons
from autograd_lite.scalar_nn import MLP
x, t = make_moons(100, noise=0.1, seed=0)
y = t * 2 - 1.0
model = MLP(2, [16, 16, 1], seed=0)
opt = optim.SGD(model.parameters(), lr=1.0)
w = viz.watch(model, x[::5], labels=y[::5], max_steps={steps})
{show}
train, record = [], []
for k in range({steps}):
    start = time.perf_counter()
    scores = [model([Value(a), Value(b)]) for a, b in x]
    data_loss = sum(((1 + -yi * s).relu() for yi, s in zip(y, scores)), Value(0.0)) * (1 / len(y))
    loss = data_loss + 1e-4 * sum((p * p for p in model.parameters()), Value(0.0))
    opt.zero_grad()
    loss.backward()
    middle = time.perf_counter()
    w.record(loss)
    end = time.perf_counter()
    opt.lr = 1.0 - 0.9 * k / {steps}
    opt.step()
    train.append(time.perf_counter() - end + middle - start)
    record.append(end - middle)
w.finish()
print(json.dumps({{"train": train, "record": record, "bytes": len(json.dumps(w._encoded[-1]))}}))
'''


def in_kernel(steps: int) -> Dict[str, List[float]]:
    import nbclient
    import nbformat

    cell = nbformat.v4.new_code_cell(LOOP.format(steps=steps, show="display(w)"))
    nb = nbformat.v4.new_notebook(cells=[cell])
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), old) if p)
    with tempfile.TemporaryDirectory() as tmp:
        nbclient.NotebookClient(nb, timeout=1200, kernel_name="python3",
                                resources={"metadata": {"path": tmp}}).execute()
    text = "".join(o.text for o in nb.cells[0].outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1])  # type: ignore[no-any-return]


def in_process(steps: int) -> Dict[str, List[float]]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(LOOP.format(steps=steps, show=""), {})
    return json.loads(out.getvalue().strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=100)
    args = p.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}")
    runs = (("Jupyter kernel, widget displayed", in_kernel), ("plain Python, no widget", in_process))
    for name, run in runs:
        r = run(args.steps)
        train, record = statistics.median(r["train"]) * 1e3, statistics.median(r["record"]) * 1e3
        print(f"{name}: training step {train:.1f} ms (median), record() {record:.2f} ms (median, max "
              f"{max(r['record']) * 1e3:.2f} ms) = {100 * record / train:.1f}% of a step; "
              f"one step's data {r['bytes'] / 1e3:.1f} kB")


if __name__ == "__main__":
    main()
