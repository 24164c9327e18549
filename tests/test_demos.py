"""The demos' fast modes, with their numbers checked against hand-derived values.

Oracles: the book's printed results (apple-orange), hand derivations (chain rule),
MiniFlow's published quiz outputs, central differences in float64.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Dict

import numpy as np
import pytest

from autograd_lite import fmt
from demos import apple_orange, chain_rule, miniflow
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
    # the chain rule step by step, ending on the same grads
    assert "∂(all_price*tax)/∂tax = all_price = 650" in out
    assert "1.1 × 150 = 165" in out
    assert "final grads: apple = 2.2, apple_num = 110, orange = 3.3, orange_num = 165, tax = 650" in out


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


# ----------------------------------------------------------------- MiniFlow through autograd_lite
def _sig9(a: np.ndarray) -> list:
    """Every number rounded to 9 significant digits, as numpy printed MiniFlow's quizzes."""
    return [float(f"{v:.8e}") for v in np.asarray(a, dtype=np.float64).ravel()]


def test_miniflow_quiz_numbers_both_ways() -> None:
    ls = miniflow.quiz_linear_sigmoid()
    for who in ["miniflow", "autograd_lite"]:
        assert ls[f"{who} linear"].tolist() == [[-9.0, 4.0], [-9.0, 4.0]]
        for row in ls[f"{who} sigmoid"]:
            assert _sig9(row) == [1.23394576e-04, 9.82013790e-01]
    # sigmoid(-9), sigmoid(4) by hand, independently of either implementation
    assert abs(ls["autograd_lite sigmoid"][0, 0] - 1 / (1 + np.exp(9.0))) <= 1e-18
    assert abs(ls["autograd_lite sigmoid"][0, 1] - 1 / (1 + np.exp(-4.0))) <= 1e-15

    mse = miniflow.quiz_mse()
    for v in mse.values():
        assert abs(v - 70.25 / 3) <= 1e-14 and fmt(v) == "23.4166666667"

    grads = miniflow.quiz_backward()
    want = {"X": [-3.34017280e-05, -5.01025919e-05, -6.68040138e-05, -1.00206021e-04],
            "W": [5.01028709e-05, 1.00205742e-04], "b": [-5.01028709e-05]}
    for who in ["miniflow", "autograd_lite"]:
        for k, v in want.items():
            assert _sig9(grads[who][k]) == v, (who, k)
    # and against central differences of the cost written out in plain numpy
    X_, W_, b_, y_ = (np.array([[-1.0, -2.0], [-1.0, -2.0]]), np.array([[2.0], [3.0]]),
                      np.array([-3.0]), np.array([[1.0], [2.0]]))

    def cost(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean((y_ - 1 / (1 + np.exp(-(X @ W + b)))) ** 2))

    args = [X_, W_, b_]
    for i, k in enumerate("XWb"):
        num = np.zeros_like(args[i])
        for j in np.ndindex(args[i].shape):
            up = [a.copy() for a in args]
            down = [a.copy() for a in args]
            up[i][j] += 1e-6
            down[i][j] -= 1e-6
            num[j] = (cost(*up) - cost(*down)) / 2e-6
        assert np.max(np.abs(num - grads["autograd_lite"][k])) <= 5e-10, k  # roundoff ~ 1e-16 / h


@pytest.mark.parametrize("data, n_features", [("diabetes", 10), ("synthetic", 13)])
def test_miniflow_regression_runs_identically(data: str, n_features: int) -> None:
    if data == "diabetes":
        pytest.importorskip("sklearn")
    X, y, _ = miniflow.regression_data(data)
    assert X.shape[1] == n_features
    assert np.allclose(X.mean(axis=0), 0.0) and np.allclose(X.std(axis=0), 1.0)
    result = miniflow.train_regression(X, y, epochs=3)
    ours, theirs = result["losses"]["autograd_lite"], result["losses"]["miniflow"]
    assert len(ours) == 3 and ours[-1] < ours[0]  # it learns
    assert max(abs(a - b) / abs(b) for a, b in zip(ours, theirs)) <= 1e-12
    assert result["architecture"] == f"{n_features} -> 10 sigmoid -> 1"


def test_miniflow_main(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    pytest.importorskip("matplotlib")
    assert miniflow.main(["--fast", "--data", "synthetic", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "quiz checks passed                      15 of 15" in out
    assert ("d/dX autograd_lite  [[-3.34017280e-05, -5.01025919e-05], "
            "[-6.68040138e-05, -1.00206021e-04]]") in out
    assert (tmp_path / "miniflow_loss.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_lists_exactly_the_demos(capsys: pytest.CaptureFixture[str]) -> None:
    from viz.cli import main as cli

    assert cli(["demo"]) == 0
    assert capsys.readouterr().out.strip() == (
        "demos: apple-orange, chain-rule, conv-net, feedforward, functions, higher-order, layers, miniflow, "
        "moons, "
        "two-layer-net")
    assert cli(["demo", "layers", "--fast"]) == 0
    assert "identical outputs and gradients" in capsys.readouterr().out


def test_shared_modules_doctests() -> None:
    import doctest

    from demos import _book_layers, _miniflow_nodes

    for module in (_book_layers, _miniflow_nodes):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_missing_dot_still_prints_numbers_and_exits_1(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))  # no Graphviz 'dot' reachable
    assert apple_orange.main(["-o", str(tmp_path / "g.png")]) == 1
    captured = capsys.readouterr()
    assert ["dApple_num", "110", "110", "yes"] in [line.split() for line in captured.out.splitlines()]
    assert "Graphviz 'dot' program was not found" in captured.err
    assert (tmp_path / "g.dot").exists() and not (tmp_path / "g.png").exists()
    assert chain_rule.main(["--fast", "-o", str(tmp_path / "cr")]) == 1


def test_higher_order_demo_reproduces_dezeros_lessons(capsys: pytest.CaptureFixture[str]) -> None:
    from demos import higher_order

    xs = higher_order.newton()
    assert xs[:2] == [2.0, 1.4545454545454546] and xs[-1] == 1.0 and len(xs) - 1 <= 7
    assert higher_order.step36() == 100.0
    ders = higher_order.tanh_derivatives(1.0)
    assert [round(d.data, 12) for d in ders] == [0.419974341614, -0.639700008449, 0.621626680771,
                                                  0.665091044751]
    assert higher_order.main(["--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "converged to 1 in 7 iterations" in out and "dz/dx  100" in out and "cheaper: reverse mode" in out


def test_higher_order_pictures_show_each_graphs_own_backward_pass() -> None:
    # The derivative graphs share nodes; each picture must show grads that add up within it.
    from autograd_lite.engine import contributions, topological_order
    from demos import higher_order

    ders = higher_order.tanh_derivatives(1.0)
    for k, d in enumerate(ders):
        higher_order.backward_alone(d)
        nodes = topological_order(d)
        (x,) = {id(p): p for n in nodes for p in n.parents if p.label == "x"}.values()
        if k + 1 < len(ders):  # x's grad on the graph of tanh^(k) is tanh^(k+1)
            assert math.isclose(x.grad, ders[k + 1].data, rel_tol=1e-12)
        received: Dict[int, float] = {}
        for node in nodes:
            for _, parent, c in contributions(node):
                received[id(parent)] = received.get(id(parent), 0.0) + c
        members = nodes + [p for n in nodes for p in n.parents if p.is_leaf]
        assert d.grad == 1.0
        for node in members:
            if node is not d:  # every grad is exactly what this graph's edges sent it
                assert math.isclose(node.grad, received[id(node)], rel_tol=1e-12, abs_tol=1e-15), node


def test_higher_order_demo_draws_each_picture_after_its_own_pass(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import viz
    from autograd_lite import Value
    from autograd_lite.engine import topological_order
    from demos import higher_order

    drawn = []

    def record(obj: object, path: object, **kwargs: object) -> object:  # what each picture shows
        if isinstance(obj, Value):
            (x,) = {id(p): p for n in topological_order(obj) for p in n.parents if p.label == "x"}.values()
            drawn.append((obj.label, x.grad))
        return path

    monkeypatch.setattr(viz, "render", record)
    assert higher_order.main(["--out-dir", str(tmp_path)]) == 0
    ders = [d.data for d in higher_order.tanh_derivatives(1.0)]
    assert [label for label, _ in drawn] == [f"tanh^({k})(x)" for k in (1, 2, 3, 4)]
    for (_, gx), nxt in zip(drawn, ders[1:]):  # on tanh^(k)'s graph x shows tanh^(k+1)
        assert math.isclose(gx, nxt, rel_tol=1e-12)


def test_higher_order_demo_network_hessian_is_checked() -> None:
    import numpy as np

    from demos import higher_order

    H, checked = higher_order.network_hessian()
    assert H.shape == (20, 20) and np.allclose(H, H.T, rtol=0, atol=1e-14)
    assert "PyTorch" in checked
    if "largest difference" in checked:  # torch installed: the demo states the largest difference
        assert float(checked.rsplit(" ", 1)[1]) < 1e-12
