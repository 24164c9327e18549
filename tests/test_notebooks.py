"""The example notebooks of docs/notebooks/ run in a real Jupyter kernel and display what they should.

Each code cell's outputs are checked: their mime types and key content.  A code cell
without an expectation here fails the test, so a new cell needs one.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (the 'test' extra)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (the 'test' extra)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (the 'test' extra)")
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "docs" / "notebooks"

# cell id -> [(kind, [texts that must appear])]: kind is a mime type of a display/result,
# or "stream" for printed text.  HTML is unescaped before the texts are looked for.
Expect = List[Tuple[str, List[str]]]
EXPECTED: Dict[str, Dict[str, Expect]] = {
    "apples_and_oranges": {
        "build": [("text/html", ["<b>price</b>", "data <b>715</b>"])],
        "backward": [("text/html", ["<b>apple</b>", "grad <b>2.2</b>"])],
        "explain": [("text/html", ['class="explain-table"', "∂(apple*apple_num)/∂apple = apple_num = 2",
                                   "final grads: apple = 2.2, apple_num = 110, orange = 3.3, "
                                   "orange_num = 165, "
                                   "tax = 650"])],
        "draw": [("image/svg+xml", ["<svg", ">apple_price<", ">2.2<", ">← 1.1<"])],
        "stepper": [("text/html", ['<iframe class="autograd-lite-stepper"', 'id="slider"', "Step 0 of 4"])],
        "chain": [("text/html", ["dprice/dapple", "= ∂price/∂all_price · ∂all_price/∂apple_price · "
                                 "∂apple_price/∂apple", "= 1.1 · 1 · 2", "= 2.2"]),
                  ("text/latex", [r"\frac{\mathrm{d} \mathrm{price}}{\mathrm{d} \mathrm{apple}}"])],
    },
    "chain_rule": {
        "build": [("stream", ["dz/dx = ∂z/∂t · ∂t/∂x = (2·t) · 1 = 6 · 1 = 6"])],
        "latex": [("stream", [r"\frac{\mathrm{d} z}{\mathrm{d} y} = \frac{\partial z}{\partial t}",
                              r"(2 \cdot t) \cdot 1 = 6 \cdot 1 = 6"])],
        "rich": [("text/html", ["dz/dy", "= 6"]), ("text/latex", ["$$"])],
        "reuse": [("stream", ["dc/da = ∂c/∂b · ∂b/∂a (use 1) + ∂c/∂b · ∂b/∂a (use 2) + ∂c/∂a", "= 7"])],
        "many": [("stream", [f"{3**30} paths; total", "; backward gave"])],
        "quiz": [("text/html", ["Quiz: the backward pass of z", 'class="q"', 'id="check"'])],
    },
    "two_layer_net": {
        "data": [("text/html", ["<b>W1</b>", "shape 3×4, dtype float64, requires_grad", "grad"])],
        "draw": [("image/svg+xml", ["<svg", ">sends g summed<", ">over axis 0<", ">b1<", ">b2<"])],
        "check": [("text/html", ['class="autograd-lite-gradcheck"', "✓ ok", "W1", "b2"])],
        "train": [("stream", ["step 0: loss", "step 20: loss", "final loss"])],
    },
    "find_the_bug": {
        "build": [("text/plain", ["<Exercise on price: one of 8 edges is wrong>"])],
        "picture": [("image/svg+xml", ["<svg", "✗ mismatch", "✓"])],
        "page": [("text/html", ['<iframe class="autograd-lite-stepper"', "Find the bug", 'id="edge"'])],
        "wrong": [("text/html", ["Not ∂price/∂tax"])],
        "solution": [("stream", ["∂orange_price/∂orange_num: it used orange_num = 3 instead of the other "
                                 "operand = 150"])],
    },
}


def outputs_of(cell: Any) -> List[Tuple[str, str]]:
    """(kind, text) for every output of a cell; errors fail with their traceback."""
    out = []
    for o in cell.outputs:
        if o.output_type == "stream":
            out.append(("stream", o.text))
        elif o.output_type == "error":
            pytest.fail(f"cell {cell.id} raised {o.ename}: {o.evalue}")
        else:
            for mime, data in o.data.items():
                out.append((mime, data if isinstance(data, str) else "".join(data)))
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_and_every_cell_shows_what_it_should(name: str, tmp_path: Path) -> None:
    nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored without outputs
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    expected = EXPECTED[name]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert sorted(c.id for c in code) == sorted(expected)  # every code cell has an expectation
    for cell in code:
        got = outputs_of(cell)
        for kind, texts in expected[cell.id]:
            found = [text for k, text in got if k == kind]
            assert found, f"{name}/{cell.id}: no {kind} output; got {[k for k, _ in got]}"
            body = html.unescape("".join(found))
            for text in texts:
                assert text in body, f"{name}/{cell.id}: {text!r} not in its {kind} output"
        if any(k == "text/html" for k, _ in got):
            page = "".join(t for k, t in got if k == "text/html")
            assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html.unescape(page)), \
                f"{name}/{cell.id}: the HTML must not load anything from outside"
