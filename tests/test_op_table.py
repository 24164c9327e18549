"""One op table: explain, the pictures, draw(check=True), the command line and the docs read it.

Each test states what a part derives from the rows (``autograd_lite.ops.OPS``), so a row that is
added or changed shows up everywhere, and a part that keeps its own list fails here.
"""

from __future__ import annotations

import math
import re
import string
from pathlib import Path
from typing import List, Set

import numpy as np
import pytest
from graphs import BINARY, TENSOR_OPS, build_program, build_tensor_program, inside

import viz
from autograd_lite import Tensor, Value, explain, ops
from autograd_lite.engine import contributions, creation_index, is_node
from autograd_lite.reading import graph_nodes, node_names
from autograd_lite.words import formula, local_formula, markdown_table, render
from viz import check, expr, labels

ops.load_all()  # every module that registers rows, before the parametrizations below read them

ROOT = Path(__file__).resolve().parent.parent


def fields(template: str) -> Set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


@pytest.mark.parametrize("name", sorted(ops.OPS))
def test_every_row_is_consistent_with_its_arity(name: str) -> None:
    row = ops.OPS[name]
    parents = {"a", "b"} if row.arity == 2 else {"a"}
    allowed = parents | {"args"} | ({"n"} if row.param else set())  # {args}: every parent
    assert fields(row.expr) <= allowed and fields(row.expr) & {"a", "args"}, (name, row.expr)
    assert row.kinds and set(row.kinds) <= {"Value", "Tensor"}, row.kinds
    if "Value" in row.kinds:
        assert len(row.local) == len(row.rules) == row.arity, name
    for template in row.local:
        assert fields(template) <= allowed, (name, template)
    if "Tensor" in row.kinds:  # arity -1: any number of parents, the same words for each
        assert len(row.sends) == (row.arity if row.arity >= 1 else 1), name
    for template in row.sends:
        assert fields(template) <= allowed | {"local"}, (name, template)
    if row.param:  # named by its prefix and n: '**n' is the row of '**2', '**-1.5' ...
        tag = ops.param_tag(name, 2.0, name[:-1] + "2")  # a node's op holds its row: no parsing
        assert name.endswith("n") and "n" in fields(row.expr) and tag == name[:-1] + "2"
        assert ops.op_row(tag) is row and tag.param == 2.0 and ops.op_row(name[:-1] + "2") is None
    rendered = [render(t, ["x", "y"][:row.arity], "2") for t in (row.expr, *row.local, *row.sends)]
    assert not any("{" in t or "}" in t or "?" in t for t in rendered), rendered


def test_every_op_string_the_program_builders_make_has_its_row() -> None:
    unary = [n for n, r in ops.OPS.items() if r.cli and "Value" in r.kinds] + ["neg", "square"]
    leaves = [0.7, 0.3, 1.5]  # each op reads leaves inside its row's domain (arcsin: [-1, 1], arccosh: >= 1)

    def inside(op: str, k: int) -> int:
        row = ops.OPS.get(op)
        return k if row is None or row.domain is None or not row.domain[1](leaves[k]) else 2

    program = [(op, inside(op, k % 2), (k + 1) % 2) for k, op in enumerate(BINARY + unary)]
    _, root = build_program(leaves, program)
    _, troot = build_tensor_program((2, 3), [(op, k % 2, (k + 1) % 2) for k, op in enumerate(TENSOR_OPS)])
    for r in (root, troot):
        made = [n for n in graph_nodes(r) if not n.is_leaf]
        missing = sorted({n.op for n in made if ops.op_row(n.op) is None})
        assert not missing, f"ops without a row in autograd_lite.ops: {missing}"
        for n in made:
            row = ops.op_row(n.op)
            assert row is not None and row.arity == len(n.parents) and type(n).__name__ in row.kinds, n.op


def test_every_value_method_makes_a_node_whose_row_is_its_own() -> None:
    """Value's own methods, found by looking at Value: each op it builds is a Value row."""
    for name in [n for n in dir(Value) if not n.startswith("_") and callable(getattr(Value, n))]:
        try:
            out = getattr(Value(inside(name, 0.7)), name)()
        except TypeError:
            continue  # takes arguments: not an op
        if isinstance(out, Value) and out.parents:
            row = ops.op_row(out.op)
            assert row is not None and row.name == name and "Value" in row.kinds and row.cli, name


def test_the_command_line_offers_the_cli_rows_value_has() -> None:
    assert expr.FUNCTIONS == tuple(n for n, r in ops.OPS.items() if r.cli and "Value" in r.kinds)
    assert len(expr.FUNCTIONS) >= 9 and all(callable(getattr(Value, f)) for f in expr.FUNCTIONS)
    for f in expr.FUNCTIONS:
        assert f"{f}()" in expr.ALLOWED
        assert math.isfinite(expr.evaluate(f"{f}(x)", {"x": inside(f, 0.5)}).data)
    with pytest.raises(expr.ExpressionError, match="allowed functions: " + ", ".join(expr.FUNCTIONS)):
        expr.evaluate("tan_h(x)", {"x": 0.5})


def test_picture_symbols_are_the_rows_symbols() -> None:
    assert dict(labels.OP_SYMBOLS) == {n: r.shown for n, r in ops.OPS.items()}
    assert [labels.op_text(op) for op in ("*", "neg", "exp", "**2", "**", "my_op")] == \
        ["×", "−x", "exp", "**2", "**", "my_op"]


def test_a_registered_row_shows_in_explain_pictures_and_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's own op: unknown, it reads as a call; once it has a row, every part speaks it."""
    x = Value(0.5, "x")
    y = x.exp()
    y.op = "twice_exp"  # a node of an op the table does not know
    assert explain(y)[0].edges[0].formula == f"∂twice_exp(x)/∂x = {math.exp(0.5):.12g}"
    assert local_formula("twice_exp", ["x"], 0, 1.0) == ("twice_exp(x)", "")
    with pytest.raises(ValueError, match="cannot replay op 'twice_exp'"):
        viz.draw(y, check=True)
    row = ops.Op("twice_exp", 1, "E({a})", ("E({a})",), (lambda a, out: out,), doc="e**x", symbol="E",
                 again=lambda n, ps: ps[0].exp())
    monkeypatch.setitem(ops.OPS, "twice_exp", row)
    assert explain(y, replay=True)[0].edges[0].formula == f"∂E(x)/∂x = E(x) = {math.exp(0.5):.12g}"
    assert labels.OP_SYMBOLS["twice_exp"] == "E" and ">E<" in viz.draw(y).source
    assert "mismatch" not in viz.draw(y, check=True).source
    assert "`twice_exp` | `E(a)` | `E(a)`" in markdown_table()


def test_tensor_words_come_from_sends_and_name_the_parents() -> None:
    a = Tensor(np.ones((2, 3)), requires_grad=True, label="a")
    b = Tensor(np.ones(3), requires_grad=True, label="b")
    y = ((a * b).tanh() ** 3).sum()
    ex = explain(y)
    words = {s.node.op: [e.formula for e in s.edges] for s in ex}
    assert words["*"] == ["∂(a*b)/∂a: sends g·b", "∂(a*b)/∂b: sends g·a summed over axis 0"]
    assert words["tanh"] == ["∂tanh(t1)/∂t1: sends g·(1 - tanh(t1)²)"]
    assert words["**3"] == ["∂(t2**3)/∂t2: sends g·3·t2**2"]


@pytest.mark.parametrize("op", sorted(n for n, r in ops.OPS.items() if "Value" in r.kinds and r.again))
def test_again_replays_every_value_row_exactly(op: str) -> None:
    x, y = Value(inside(op, 0.7), "x"), Value(0.6, "y")  # inside the row's domain (arcsin: [-1, 1])
    out = {"**n": lambda: x ** 2.5, "neg": lambda: -x}.get(op, lambda: None)()
    if out is None:
        out = getattr(x, op)() if ops.OPS[op].arity == 1 else {"+": x + y, "-": x - y, "*": x * y,
                                                               "/": x / y, "**": x ** y, "%": x % y}.get(op)
    if out is None:  # a two-parent method (arctan2, hypot ...)
        out = getattr(x, op)(y)
    again = check.again(out, [Value(p.data) for p in out.parents])
    assert again.op == out.op and again.data == out.data


def test_check_replays_tensor_graphs_by_their_rows() -> None:
    leaves, root = build_tensor_program((2, 2), [(op, k % 2, (k + 1) % 2) for k, op in enumerate(TENSOR_OPS)])
    root = root.sum()
    root.backward()
    records = check.tensor_checks(root, leaves)
    assert set(records) == set(leaves) and all(r.ok for r in records.values())
    f = check._as_function(root, graph_nodes(root), leaves, check.again)
    assert float(f(*leaves).data) == float(root.data)  # the replay is the same computation


# Names of the engine's private node protocol; graph readers use engine.contributions & co.
PRIVATE = re.compile(r"\._(a|b|rest|order|contributions|saved|vjp)\b")


def test_graph_readers_use_the_public_protocol_only() -> None:
    readers = sorted((ROOT / "viz").glob("*.py")) + [ROOT / "autograd_lite" / f for f in
                                                      ("explain.py", "chain.py", "display.py", "words.py")]
    found: List[str] = []
    for path in readers:
        for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in PRIVATE.finditer(line):
                # plant_bug swaps a Tensor node's backward rule: the one write a reader may make
                if not (path.name == "exercise.py" and m.group(1) == "vjp"):
                    found.append(f"{path.relative_to(ROOT)}:{k}: {line.strip()}")
    assert not found, "use autograd_lite.engine's public functions instead:\n" + "\n".join(found)


def test_the_public_protocol() -> None:
    a = Value(3.0, "a")
    b = a * a + 1
    assert is_node(b) and not is_node(3.0) and creation_index(b) > creation_index(a)
    b.backward()
    product = b.parents[0]
    assert [(i, p is a, c) for i, p, c in contributions(product)] == [(0, True, 3.0), (1, True, 3.0)]
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (Tensor([3.0, 4.0]) * x).sum()  # the constant wants no grad: only parent 1 gets one
    y.backward()
    (i, p, c), = contributions(y.parents[0])
    assert i == 1 and p is x and c.tolist() == [3.0, 4.0]
    assert [node_names(graph_nodes(y))[n] for n in (x, y)] == ["t1", "t4"]  # in creation order


def test_formula_of_a_power_says_the_exponent_worked_out() -> None:
    x = Value(2.0, "x")
    got = [formula(x ** n, 0, {x: "x"}) for n in (0.0, 1.0, 2.0, 0.5)]
    assert got == ["∂(x**0)/∂x = 0", "∂(x**1)/∂x = 1", "∂(x**2)/∂x = 2·x = 4",
                   f"∂(x**0.5)/∂x = 0.5·x**(-0.5) = {0.5 / math.sqrt(2.0):.12g}"]


def test_the_markdown_op_list_has_one_line_per_row_and_balanced_code() -> None:
    lines = markdown_table().splitlines()
    assert len(lines) == 2 + len(ops.OPS)
    for line, name in zip(lines[2:], ops.OPS):
        assert line.startswith(f"| `{name}` |") and line.count("`") % 2 == 0, line
        assert len(re.findall(r"(?<!\\)\|", line)) == 8, line  # 7 cells: a | in a text is escaped
