"""Write docs/notebooks/training_watched.ipynb and run it in a real kernel, so it is committed with
its outputs and its widget's state (a repository page shows them; tests/test_watch_notebook.py
runs it again and compares).

Run: .venv/bin/python tools/make_watch_notebook.py   (needs the test and notebook extras)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import List, Tuple

import nbclient
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "notebooks" / "training_watched.ipynb"

CELLS: List[Tuple[str, str, str]] = [
    ("title", "md", "# Training, watched: micrograd's moons MLP, step by step and point by point\n\n"
     "`viz.watch` follows a training loop. Call `w.record(loss)` after `backward()` and before the "
     "optimiser's step; the view below (a live widget; `pip install 'autograd_lite[notebook]'`) adds each "
     "step as it is recorded. Scrub the steps and the data points: the boxes show each neuron's `z` and "
     "`a` for the chosen point, the edges grow wider and darker with `|grad|`, and the strip at the bottom "
     "is every layer's gradient norm over the steps.\n\n"
     "![the view after 100 steps](../images/watch/moons.png)"),
    ("setup", "code", "import numpy as np\nimport viz\nfrom autograd_lite import Value, fmt, optim\n"
     "from autograd_lite.datasets import make_moons\nfrom autograd_lite.scalar_nn import MLP\n\n"
     "x, t = make_moons(100, noise=0.1, seed=0)\ny = t * 2 - 1.0  # labels -1 / +1\n"
     "model = MLP(2, [16, 16, 1], seed=0)\nopt = optim.SGD(model.parameters(), lr=1.0)\n\n"
     "def loss_of(model, alpha=1e-4):  # micrograd's max-margin loss, with L2 weight alpha\n"
     "    scores = [model([Value(a), Value(b)]) for a, b in x]\n"
     "    data_loss = sum(((1 + -yi * s).relu() for yi, s in zip(y, scores)), Value(0.0)) * (1 / len(y))\n"
     "    return data_loss + alpha * sum((p * p for p in model.parameters()), Value(0.0))\n\n"
     "print(len(model.parameters()), 'parameters')"),
    ("watch-md", "md", "Watch 10 of the 100 points, recording every 3rd of the 100 steps:"),
    ("watch", "code", "w = viz.watch(model, x[::10], labels=y[::10], every=3, max_steps=34)\nw"),
    ("train", "code", "with w:  # at the end (or on an error) the widget keeps every recorded step\n"
     "    for k in range(100):\n"
     "        loss = loss_of(model)\n"
     "        opt.zero_grad()\n"
     "        loss.backward()\n"
     "        w.record(loss)\n"
     "        opt.lr = 1.0 - 0.9 * k / 100\n"
     "        opt.step()\n"
     "print(f'step 99: loss {fmt(loss.data, 6)}; {len(w.records)} steps recorded')"),
    ("health-md", "md", "The recorded numbers are the model's own (copies, taken before each update):"),
    ("health", "code", "last = w.records[-1]\n"
     "print('gradient norms of the last recorded step:', [fmt(n, 4) for n in last.norms])\n"
     "print('dL/d(L1.n1.w1) there:', fmt(last.grads[0][0][0, 0], 6))"),
    ("saturate-md", "md", "## A flag: gradients vanish through saturated tanh\n\n"
     "A deeper tanh net whose hidden biases all start at 4: the tanh outputs sit near 1, where their "
     "slope 1 - t² is nearly 0, and almost no gradient reaches the first layer (no L2 term here: "
     "its own gradient, 2·alpha·w, would reach every weight whatever the tanh do)."),
    ("saturate", "code", "hot = MLP(2, [16, 16, 16, 1], activation='tanh', seed=0)\n"
     "for layer in hot.layers[:-1]:\n    for n in layer.neurons:\n        n.b.data = 4.0\n"
     "w2 = viz.watch(hot, x[::10], labels=y[::10], max_steps=5)\n"
     "opt2 = optim.SGD(hot.parameters(), lr=0.1)\n"
     "with w2:\n    for k in range(5):\n        loss = loss_of(hot, alpha=0.0)\n        opt2.zero_grad()\n"
     "        loss.backward()\n        w2.record(loss)\n        opt2.step()\n"
     "for f in w2.records[0].flags:\n    print(f.text)"),
    ("saturate-view", "code", "w2"),
    ("save-md", "md", "Outside Jupyter the same view is one offline HTML file:"),
    ("save", "code", "print(w.save('training_watched.html').name)"),
]


def build() -> nbformat.NotebookNode:
    cells = []
    for cid, kind, source in CELLS:
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell["id"] = cid
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(nb: nbformat.NotebookNode, workdir: Path) -> nbformat.NotebookNode:
    """Run ``nb`` in a kernel that imports this checkout's autograd_lite and viz."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), old) if p)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(workdir)}})
    client.execute()
    return nb


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        nb = execute(build(), Path(tmp))
    for cell in nb.cells:  # the run's times and counters would change every run
        cell.get("metadata", {}).pop("execution", None)
    nbformat.validate(nb)
    # compact JSON: the widget's saved state is thousands of short strings, one a line otherwise
    OUT.write_text(json.dumps(nb, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
