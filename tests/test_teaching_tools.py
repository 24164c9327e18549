"""Issue 22's smaller defects (9) and issue 20's teaching-tool arguments and CLI: one test each.

Oracles: hand values and the exact messages a learner reads.
"""

from __future__ import annotations

import numpy as np
import pytest

import viz
from autograd_lite import Tensor, Value, explain


def _edges(root: Tensor) -> dict:
    ex = explain(root, replay=True)
    return {(ex.names[s.node], e.index): (e, s.upstream) for s in ex.steps for e in s.edges}


def src_block(src: str, node_id: str) -> str:
    start = src.index(f"\t{node_id} [label=")
    return src[start:src.index("shape=plain", start)]


# ------------------------------------------------------------------ 9 and issue 20 §3: smaller things
def test_chain_from_a_leaf_to_itself_has_no_more_paths() -> None:
    z = Value(2.0, "z")
    ch = explain(z).chain(z)
    assert ch.more == 0 and str(ch) == "dz/dz = 1"


@pytest.mark.parametrize("call, error, words", [
    (lambda t: explain(t.sum(), replay="no"), TypeError, r"^explain: replay must be True, False or None"),
    (lambda t: viz.stepper(t.sum(), quiz="no"), TypeError, r"^stepper: quiz must be True or False"),
    (lambda t: viz.stepper(t.sum(), title=5), TypeError, r"^stepper: title must be a str or None"),
    (lambda t: viz.render_html(t.sum(), "x.html", quiz=1), TypeError,
     r"^render_html: quiz must be True or False"),
    (lambda t: explain(t.sum(), replay=True).table(max_steps=1.5), TypeError, r"^explain table: max_steps"),
    (lambda t: explain(t.sum(), replay=True).table(max_steps=-1), ValueError, r"^explain table: max_steps"),
    (lambda t: viz.render_steps(t * 2.0, "frames"), ValueError, r"^render_steps: the root has shape \(3,\), "
                                                                r"not a single number; .* sum it"),
    (lambda t: viz.stepper(t * 2.0), ValueError, r"^stepper: the root has shape \(3,\)"),
    (lambda t: viz.render_steps(t.sum(), "frames", gif="yes"), TypeError, r"^render_steps: gif must be"),
    (lambda t: viz.render_steps(t.sum(), "frames", seconds_per_frame=float("nan")), ValueError,
     r"^render_steps: seconds_per_frame"),
])
def test_teaching_tools_validate_their_arguments(call: object, error: type, words: str, tmp_path: object,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    t = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(error, match=words):
        call(t)  # type: ignore[operator]
    assert t.grad is None and not list(tmp_path.iterdir())  # type: ignore[attr-defined]


def test_an_empty_array_of_three_dimensions_displays() -> None:
    html = Tensor(np.zeros((0, 2, 2)))._repr_html_()
    assert "empty array of shape 0×2×2" in html


def test_diff_words_say_what_it_sends() -> None:
    x = Tensor(np.array([1.0, 4.0, 9.0]), requires_grad=True, label="x")
    d = x.diff()
    d.label = "d"
    y = (d * Tensor(np.array([2.0, 3.0]))).sum()
    e, g = _edges(y)[("d", 0)]
    assert e.formula == ("∂diff(x)/∂x: sends g[i-1] - g[i] for each element i (0 past the ends), "
                         "once per order n")
    padded = np.concatenate([[0.0], g, [0.0]])
    np.testing.assert_array_equal(e.sent, padded[:-1] - padded[1:])  # g[i-1] - g[i]


def run_cli(argv: list) -> tuple:
    import contextlib
    import io

    from viz.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv, hint", [
    (["explain", "2x+1", "x=1"], "a product needs *: write 2*x"),
    (["explain", "3(x+1)", "x=1"], "a product needs *: write 3*(…)"),
    (["explain", "ln(x)", "x=1"], "the natural logarithm is log(x)"),
    (["explain", "max(x, 0)", "x=1"], "max(x, 0) is relu(x)"),
    (["explain", "X*2", "x=1"], "names are case-sensitive: did you mean x?"),
    (["explain", "x*y", "x=1,y=2"], "one binding per argument, separated by spaces: write x=1 y=2"),
    (["explain", "-y", "y=1"], "write the expression in parentheses, '(-y)'"),
    (["explain", "x*2", "x=1", "--steps", ""], "--steps needs a directory"),
])
def test_cli_hints(argv: list, hint: str) -> None:
    code, out, err = run_cli(argv)
    assert code == 2 and hint in err and out == ""


def test_cli_demo_refuses_a_nan_with_a_reason() -> None:
    code, out, err = run_cli(["demo", "higher-order", "--x", "nan", "--no-plot"])
    assert code == 2 and "argument --x: expected a finite number, got 'nan'" in err


def test_one_image_of_one_channel_shows_as_its_grid() -> None:
    x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3), requires_grad=True, label="x")
    src = viz.draw((x * 2.0).sum()).source
    box = src_block(src, "n0")
    assert "‖·‖" not in box and box.count('<TD ALIGN="RIGHT">') >= 9


def test_a_sub_graph_root_says_its_grad_came_from_a_larger_pass() -> None:
    x = Value(3.0, "x")
    a = x * x
    a.label = "a"
    b = a.tanh()
    b.label = "b"
    z = b * a + x  # a is used outside b's picture: its grad there does not add up
    z.backward()
    box = src_block(viz.draw(b).source, "n2")
    assert "<B>9 (sent by a pass from a larger graph)</B>" in box
    b.backward()  # b's own pass: every intermediate adds up, the root holds its seed
    assert "larger graph" not in viz.draw(b).source


def test_a_picture_in_a_notebook_shows_no_graphviz_ids_on_hover() -> None:
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    x = Value(2.0, "x")
    svg = viz.draw(x * x)._repr_mimebundle_()["image/svg+xml"]
    assert "<title>" not in svg and 'data-id="n0"' in svg


def test_only_a_backward_pass_changes_a_grad(tmp_path: "object") -> None:
    """docs/api.md, "Which tools change a grad: one rule": showing never changes a grad."""
    from pathlib import Path

    from viz.steps import frames

    def fresh() -> tuple:
        x, y = Value(1.5, "x"), Value(-0.5, "y")
        z = (x * y + x).tanh()
        return z, [x, y, z, *z.parents]

    z, nodes = fresh()
    before = [n.grad for n in nodes]
    viz.draw(z)
    viz.draw(z, check=True)
    viz.render_html(z, Path(str(tmp_path)) / "z.html", quiz=True)
    frames(z)
    explain(z, replay=True)
    viz.plant_bug(z, seed=0).restore()
    assert [n.grad for n in nodes] == before == [0.0] * len(nodes)
    explain(z)  # on a fresh graph, explain *is* the first backward pass
    z2, nodes2 = fresh()
    z2.backward()
    assert [n.grad for n in nodes] == [n.grad for n in nodes2]
