"""The demos' fast modes, with their numbers checked against hand-derived values.

Oracles: the book's printed results (apple-orange), hand derivations (chain rule),
MiniFlow's published quiz outputs, central differences in float64.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import fmt
from demos import apple_orange, chain_rule
from demos._book_layers import AddLayer, MulLayer
from demos._miniflow_nodes import MSE, Input, Linear, Sigmoid, forward_and_backward, topological_sort

# ----------------------------------------------------------------- apple-orange (DLfS 5.4)
TWO_FRUIT = {"price": 715, "apple": 2.2, "apple_num": 110, "orange": 3.3, "orange_num": 165, "tax": 650}
ONE_FRUIT = {"price": 220, "apple": 2.2, "apple_num": 110, "tax": 200}


@pytest.mark.parametrize("one_fruit, golden", [(False, TWO_FRUIT), (True, ONE_FRUIT)])
def test_apple_orange_golden_values_both_ways(one_fruit: bool, golden: dict) -> None:
    book = apple_orange.with_book_layers(one_fruit)
    auto = apple_orange.with_values(one_fruit)
    assert set(book) == set(auto) == set(golden)
    for key, want in golden.items():
        assert abs(book[key] - want) <= 1e-9, (key, book[key])
        assert auto[key] == book[key], key  # the very same float, not just close


def test_apple_orange_raw_floats_are_the_books_and_print_clean() -> None:
    auto = apple_orange.with_values()
    # The book's own output shows 3.3000000000000003 and int() hides 715.0000000000001.
    assert auto["orange"] == 3.3000000000000003
    assert auto["price"] == 715.0000000000001
    assert [fmt(auto[k]) for k in ["price", "apple", "apple_num", "orange", "orange_num", "tax"]] == \
        ["715", "2.2", "110", "3.3", "165", "650"]


def test_apple_orange_main_prints_formatted_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert apple_orange.main(["--no-plot"]) == 0
    out = capsys.readouterr().out
    two_fruit = out.split("one fruit")[0]
    lines = {line.split()[0]: line.split()[1:] for line in two_fruit.splitlines() if line.strip()}
    for name, want in [("dApple", "2.2"), ("dApple_num", "110"), ("dOrange", "3.3"),
                       ("dOrange_num", "165"), ("dTax", "650")]:
        assert lines[name][:3] == [want, want, "yes"], name
    assert "3.3000000000000003" not in out and "715.0000000000001" not in out
    assert "price                 220          220  yes" in out
    assert "dTax                  200          200  yes" in out


def test_book_mul_and_add_layers_by_hand() -> None:
    mul, add = MulLayer(), AddLayer()
    assert mul.forward(3.0, 4.0) == 12.0
    assert mul.backward(2.0) == (8.0, 6.0)
    assert add.forward(3.0, 4.0) == 7.0 and add.backward(5.0) == (5.0, 5.0)
    with pytest.raises(RuntimeError, match="forward first"):
        MulLayer().backward(1.0)


# ----------------------------------------------------------------- chain rule
@pytest.mark.parametrize("x, y", [(1.5, 2.0), (-3.0, 0.25), (0.0, 0.0), (1e3, -7.5)])
def test_chain_rule_dz_dx_is_two_x_plus_y(x: float, y: float) -> None:
    dx, dy = chain_rule.grads(x, y)
    assert dx == dy == 2 * (x + y)
    # and against central differences, independently of the engine
    h = 1e-6
    numeric = (((x + h) + y) ** 2 - ((x - h) + y) ** 2) / (2 * h)
    assert abs(dx - numeric) <= 1e-6 * max(1.0, abs(dx))


def test_chain_rule_main(capsys: pytest.CaptureFixture[str]) -> None:
    assert chain_rule.main(["--fast", "--no-plot", "--x", "1.5", "--y", "2"]) == 0
    out = capsys.readouterr().out
    assert "∂(t**2)/∂t = 2·t = 7" in out  # the step table
    assert "final grads: x = 7, y = 7" in out
    assert "50 of 50" in out and "chain rule confirmed" in out


# ----------------------------------------------------------------- MiniFlow's own nodes
def _run(feed: dict, graph_only_forward: bool = False) -> list:
    graph = topological_sort(feed)
    if graph_only_forward:
        for n in graph:
            n.forward()
    else:
        forward_and_backward(graph)
    return graph


def test_miniflow_nodes_reproduce_the_quiz() -> None:
    X, W, b = Input(), Input(), Input()
    f = Linear(X, W, b)
    g = Sigmoid(f)
    x_ = np.array([[-1.0, -2.0], [-1.0, -2.0]])
    _run({X: x_, W: np.array([[2.0, -3.0], [2.0, -3.0]]), b: np.array([-3.0, -5.0])}, True)
    assert f.value.tolist() == [[-9.0, 4.0], [-9.0, 4.0]]
    assert np.array2string(g.value[0]) == "[1.23394576e-04 9.82013790e-01]"

    y, a = Input(), Input()
    cost = MSE(y, a)
    _run({y: np.array([1.0, 2.0, 3.0]), a: np.array([4.5, 5.0, 10.0])}, True)
    assert abs(cost.value - 70.25 / 3) <= 1e-15  # (3.5² + 3² + 7²) / 3 by hand
    assert f"{cost.value:.10f}" == "23.4166666667"


def _needs_dot() -> None:
    viz = pytest.importorskip("viz")
    if not viz.dot_available():
        pytest.skip("Graphviz 'dot' is not installed: pictures cannot be rendered")


def test_apple_orange_pictures_through_the_cli(tmp_path) -> None:
    _needs_dot()
    from viz.cli import main as cli

    assert cli(["demo", "apple-orange", "-o", str(tmp_path / "graph.png")]) == 0
    for name in ["graph.png", "graph_one_fruit.png"]:
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, name


def test_chain_rule_frames(tmp_path) -> None:
    _needs_dot()
    assert chain_rule.main(["--fast", "-o", str(tmp_path)]) == 0
    # seed frame + one frame per backward step (z, then t)
    frames = sorted(p.name for p in tmp_path.glob("step_*.png"))
    assert frames == ["step_000.png", "step_001.png", "step_002.png"]
    assert (tmp_path / "chain_rule.png").stat().st_size > 5_000
