"""viz.watch's widget in a real Jupyter kernel (nbclient + ipykernel + anywidget): the committed
notebook docs/notebooks/training_watched.ipynb runs again and prints what it was committed with,
each recorded step reaches the widget while the loop runs, and the widget's saved state holds the
model's own numbers.  Skips, with the reason, without nbclient, ipykernel or anywidget.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (the 'test' extra)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (the 'test' extra)")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (the 'test' extra)")
pytest.importorskip("anywidget", reason="anywidget is not installed (the 'notebook' extra)")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebooks" / "training_watched.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class Client(nbclient.NotebookClient):  # type: ignore[misc]
    """A notebook client that also notes every step a widget received as ``latest`` (cell, index)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live: List[Tuple[int, int]] = []

    def handle_comm_msg(self, outs: Any, msg: Dict[str, Any], cell_index: int) -> None:
        latest = msg["content"]["data"].get("state", {}).get("latest")
        if latest:
            self.live.append((cell_index, latest["index"]))
        super().handle_comm_msg(outs, msg, cell_index)


def texts(nb: Any) -> Dict[str, List[Tuple[str, str]]]:
    out: Dict[str, List[Tuple[str, str]]] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        got = []
        for o in cell.outputs:
            if o.output_type == "error":
                pytest.fail(f"cell {cell.id} raised {o.ename}: {o.evalue}")
            if o.output_type == "stream":
                got.append(("stream", o.text))
            else:
                got += [(mime, "widget" if mime == WIDGET_VIEW else "") for mime in sorted(o.data)
                        if mime != "text/plain"]
        out[cell.id] = got
    return out


def widget_states(nb: Any) -> List[Dict[str, Any]]:
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return [s["state"] for s in state.values() if "records" in s["state"]]


@pytest.fixture(scope="module")
def run(tmp_path_factory: Any) -> Tuple[Any, Any, Client]:
    committed = nbformat.read(str(NOTEBOOK), as_version=4)
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    # the check the test adds: the model's grads, as the widget must show them
    probe = nbformat.v4.new_code_cell(
        "import json\n"
        "print(json.dumps([[fmt(p.grad, 6) for p in layer.parameters()] for layer in model.layers]))")
    probe["id"] = "probe"
    nb.cells.append(probe)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), old) if p)  # this checkout's code
    try:
        client = Client(nb, timeout=600, kernel_name="python3",
                        resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}})
        client.execute()
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    return committed, nb, client


def test_the_committed_notebook_has_its_outputs_and_a_rerun_prints_the_same(run: Any) -> None:
    committed, nb, _ = run
    before, after = texts(committed), texts(nb)
    assert all(before[c] for c in ("setup", "watch", "train", "health", "saturate", "saturate-view", "save"))
    after.pop("probe")
    assert after == before
    assert ("stream", "step 99: loss 0.0112854; 34 steps recorded\n") in after["train"]
    assert "tanh saturated in L1: 1 - t² = " in "".join(t for _, t in after["saturate"])
    assert widget_states(committed)  # the saved widget state is committed too


def test_the_widget_gets_each_step_while_the_loop_runs(run: Any) -> None:
    _, nb, client = run
    train = [i for i, c in enumerate(nb.cells) if c.get("id") == "train"][0]
    assert [k for cell, k in client.live if cell == train] == list(range(34))


def test_the_widgets_saved_state_is_the_models_numbers(run: Any) -> None:
    _, nb, _ = run
    grads = json.loads([c for c in nb.cells if c.get("id") == "probe"][0].outputs[0].text)
    states = widget_states(nb)
    moons = [s for s in states if len(s["records"]) == 34][0]
    assert moons["latest"] == {}  # finished: every step is in records
    last = moons["records"][-1]
    assert last["step"] == 99  # every=3: steps 0, 3, ..., 99
    # the last recorded step's grads are the model's (the optimiser's step does not touch grads)
    for li, layer in enumerate(last["layers"]):
        n_out = len(layer["gb"])
        shown = []
        for j in range(n_out):  # a scalar neuron lists its weights, then its bias
            shown += [layer["gw"][i * n_out + j] for i in range(len(layer["gw"]) // n_out)] + [layer["gb"][j]]
        assert shown == grads[li]
    assert moons["static"]["layers"][0]["wnames"][:2] == ["L1.n1.w1", "L1.n2.w1"]
