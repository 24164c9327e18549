"""Write the example notebooks of docs/notebooks/ (without outputs; tests/test_notebooks.py runs them).

Each cell has a stable id, so the tests can say what every cell must display.
Run: .venv/bin/python tools/make_notebooks.py
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parent.parent / "docs" / "notebooks"

Cell = Tuple[str, str, str]  # (id, "md" or "code", source)

APPLES: List[Cell] = [
    ("title", "md", "# Apples and oranges: the chain rule on a shopping bill\n\n"
     "The graph of *Deep Learning from Scratch*, ch. 5: 2 apples at 100, 3 oranges at 150, tax 1.1."),
    ("build", "code", "from autograd_lite import Value, explain\nimport viz\n\n"
     "apple, apple_num = Value(100.0, 'apple'), Value(2.0, 'apple_num')\n"
     "orange, orange_num = Value(150.0, 'orange'), Value(3.0, 'orange_num')\n"
     "tax = Value(1.1, 'tax')\n"
     "apple_price = apple * apple_num; apple_price.label = 'apple_price'\n"
     "orange_price = orange * orange_num; orange_price.label = 'orange_price'\n"
     "all_price = apple_price + orange_price; all_price.label = 'all_price'\n"
     "price = all_price * tax; price.label = 'price'\n"
     "price"),
    ("backward", "code", "price.backward()\napple"),
    ("explain-md", "md", "Every step of the backward pass, with the local derivative of each edge:"),
    ("explain", "code", "explain(price)"),
    ("draw", "code", "viz.draw(price)"),
    ("stepper-md", "md", "Step through it: the buttons, the slider or the keys ← → Home End."),
    ("stepper", "code", "viz.stepper(price)"),
    ("chain", "code", "explain(price).chain(apple)"),
]

CHAIN: List[Cell] = [
    ("title", "md", "# The chain rule, written out per input\n\n"
     "dz/dx (the total derivative, what x.grad holds) is the sum, over every path from z down to x, "
     "of the product of the local partial derivatives ∂ along it."),
    ("build", "code", "from autograd_lite import Value, explain\n\n"
     "x, y = Value(1.0, 'x'), Value(2.0, 'y')\nt = x + y; t.label = 't'\nz = t ** 2; z.label = 'z'\n"
     "print(explain(z).chain(x))"),
    ("latex", "code", "print(explain(z).chain(y).latex())"),
    ("rich", "code", "explain(z).chain(y)"),
    ("reuse-md", "md", "A value used twice is reached along two paths, and the two products add up:"),
    ("reuse", "code", "a = Value(3.0, 'a')\nb = a * a; b.label = 'b'\nc = b + a; c.label = 'c'\n"
     "print(explain(c).chain(a))"),
    ("many-md", "md", "Paths can be exponentially many: they are counted, the first few written out."),
    ("many", "code", "v = Value(0.5, 'v')\nw = v\n"
     "for _ in range(30):  # w*w (two edges) + w (one): 3**30 paths\n"
     "    w = (w * w) * 0.25 + w * 0.5\nw.label = 'w'\n"
     "ch = explain(w).chain(v, max_paths=2)\n"
     "print(ch.count, 'paths; total', ch.total, '; backward gave', ch.grad)"),
    ("quiz", "code", "import viz\nviz.stepper(z, quiz=True)"),
]

NET: List[Cell] = [
    ("title", "md", "# A two-layer network, small enough to look at\n\n"
     "The book's `TwoLayerNet` on 6 points with 3 features and 2 classes (no MNIST here): "
     "affine, sigmoid, affine, softmax cross-entropy."),
    ("data", "code", "import numpy as np\nfrom autograd_lite import Tensor, gradcheck_report\n"
     "from autograd_lite import functional as F\nimport viz\n\n"
     "rng = np.random.default_rng(0)\nX = Tensor(rng.normal(size=(6, 3)), label='X')\n"
     "labels = np.array([0, 1, 0, 1, 1, 0])\n"
     "W1 = Tensor(rng.normal(size=(3, 4)) * 0.5, requires_grad=True, label='W1')\n"
     "b1 = Tensor(np.zeros(4), requires_grad=True, label='b1')\n"
     "W2 = Tensor(rng.normal(size=(4, 2)) * 0.5, requires_grad=True, label='W2')\n"
     "b2 = Tensor(np.zeros(2), requires_grad=True, label='b2')\n\n"
     "def loss_of(W1, b1, W2, b2):\n"
     "    h = (X @ W1 + b1).sigmoid()\n"
     "    return F.cross_entropy(h @ W2 + b2, labels)\n\n"
     "loss = loss_of(W1, b1, W2, b2); loss.label = 'loss'\nloss.backward()\nW1"),
    ("draw-md", "md", "The edge into each bias says that its gradient is the upstream gradient summed "
     "over the batch axis (un-broadcast):"),
    ("draw", "code", "viz.draw(loss)"),
    ("check", "code", "gradcheck_report(loss_of, W1, b1, W2, b2)"),
    ("train", "code", "from autograd_lite import optim\nopt = optim.SGD([W1, b1, W2, b2], lr=1.0)\n"
     "for step in range(30):\n    opt.zero_grad()\n    loss = loss_of(W1, b1, W2, b2)\n    loss.backward()\n"
     "    opt.step()\n    if step % 10 == 0:\n        print(f'step {step}: loss {loss.item():.4f}')\n"
     "print(f'final loss {loss_of(W1, b1, W2, b2).item():.4f}')"),
]

BUG: List[Cell] = [
    ("title", "md", "# Find the bug\n\nOne edge of this graph has a wrong local derivative. The forward "
     "numbers are right; gradcheck (central differences) marks the leaves whose gradient is wrong in red. "
     "Which edge is it?"),
    ("build", "code", "from autograd_lite import Value\nimport viz\n\n"
     "apple, apple_num = Value(100.0, 'apple'), Value(2.0, 'apple_num')\n"
     "orange, orange_num = Value(150.0, 'orange'), Value(3.0, 'orange_num')\ntax = Value(1.1, 'tax')\n"
     "apple_price = apple * apple_num; apple_price.label = 'apple_price'\n"
     "orange_price = orange * orange_num; orange_price.label = 'orange_price'\n"
     "all_price = apple_price + orange_price; all_price.label = 'all_price'\n"
     "price = all_price * tax; price.label = 'price'\n"
     "exercise = viz.plant_bug(price, seed=1)  # one edge, drawn at random: the code does not tell\n"
     "exercise"),
    ("picture", "code", "exercise.picture()"),
    ("page", "code", "exercise.page()"),
    ("answer-md", "md", "Your answer: the edge from a node to one of its parents, e.g. "
     "`exercise.answer('price', 'tax')` for ∂price/∂tax. Edit the cell below and run it."),
    ("wrong", "code", "exercise.answer('price', 'tax')"),
    ("teacher-md", "md", "## For the teacher\n\nThe solution, to run after the learners have answered:"),
    ("solution", "code", "print(exercise.solution())"),
]

NOTEBOOKS = {"apples_and_oranges": APPLES, "chain_rule": CHAIN, "two_layer_net": NET, "find_the_bug": BUG}


def notebook(cells: List[Cell]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for cid, kind, source in cells:
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell["id"] = cid
        nb.cells.append(cell)
    return nb


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = notebook(cells)
        nbformat.validate(nb)
        nbformat.write(nb, str(OUT / f"{name}.ipynb"))
        print(OUT / f"{name}.ipynb")


if __name__ == "__main__":
    main()
