"""viz.draw / viz.render: golden DOT text, real renders, missing dot, hostile labels, determinism."""

# ruff: noqa: E501  (the golden DOT text below is compared verbatim, long lines included)

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, List

import graphviz
import pytest

import viz
from autograd_lite import Tensor, Value, ops
from autograd_lite.value import _new
from demos.apple_orange import build as build_apple_orange
from viz.draw import FILL_BAD, FILL_HOT, esc

HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot not installed")


def apple_orange() -> Dict[str, Value]:
    """DLfS 5.4: 2 apples at 100, 3 oranges at 150, tax 1.1 (price 715), as the demo builds it."""
    return build_apple_orange()


def a_plus_a() -> Value:
    a = Value(1.1, "a")
    b = a + a
    b.label = "b"
    b.backward(1.1)  # seed 1.1: each use sends 1.1, so a.grad = 2.2 = 1.1 + 1.1
    return b


# Reviewed by eye: one box per value (name, data, grad), one op node, and TWO uses of a
# (n0 -> e1_0 -> op1 and n0 -> e1_1 -> op1), each running through its label: the local
# derivative ∂b over ∂a = 1 (use 1, use 2) and the 1.1 that flowed; a's grad is the sum of the two.
GOLDEN_A_PLUS_A = """\
digraph autograd_lite {
	bgcolor=white fontname="Helvetica,Arial,sans-serif" nodesep=0.25 ordering=in pad=0.2 rankdir=LR ranksep=0.2
	node [fontcolor="#1F2933" fontname="Helvetica,Arial,sans-serif" fontsize=14]
	edge [arrowsize=0.7 color="#7A8794" fontname="Helvetica,Arial,sans-serif" fontsize=12 penwidth=1.3]
	n0 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#E3EEFA" COLOR="#4A7DB5">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>a</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">1.1</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>2.2 = 1.1 + 1.1</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	n1 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#E2F3E4" COLOR="#3C8D4F">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>b</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">2.2</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>1.1</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	op1 [label=<<FONT COLOR="#1F2933"><B>+</B></FONT>> color="#C9A227" fillcolor="#FFF6D6" fontsize=15 height=0.4 margin=0.04 shape=circle style=filled width=0.4]
	op1 -> n1 [color="#7A8794"]
	e1_0 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂b</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 1</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂a (use 1)</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 1.1</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n0 -> e1_0 [arrowhead=none headport=w]
	e1_0 -> op1 [tailport=e]
	e1_1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂b</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 1</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂a (use 2)</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 1.1</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n0 -> e1_1 [arrowhead=none headport=w]
	e1_1 -> op1 [tailport=e]
}
"""

# Reviewed by eye (docs/images/apple_orange.png): the book's graph, inputs blue, price green;
# every edge runs through its label, the local derivative as a fraction and the gradient that
# flowed (2.2, 110, 3.3, 165, 650 into the inputs): orange_num's label is on orange_num's edge.
GOLDEN_APPLE_ORANGE = """\
digraph autograd_lite {
	bgcolor=white fontname="Helvetica,Arial,sans-serif" nodesep=0.25 ordering=in pad=0.2 rankdir=LR ranksep=0.2
	node [fontcolor="#1F2933" fontname="Helvetica,Arial,sans-serif" fontsize=14]
	edge [arrowsize=0.7 color="#7A8794" fontname="Helvetica,Arial,sans-serif" fontsize=12 penwidth=1.3]
	n0 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#E3EEFA" COLOR="#4A7DB5">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>apple</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">100</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>2.2</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	n1 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#E3EEFA" COLOR="#4A7DB5">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>apple_num</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">2</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>110</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	n2 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#E3EEFA" COLOR="#4A7DB5">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>orange</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">150</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>3.3</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	n3 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#E3EEFA" COLOR="#4A7DB5">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>orange_num</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">3</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>165</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	n4 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#E3EEFA" COLOR="#4A7DB5">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>tax</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">1.1</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>650</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	n5 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#FFFFFF" COLOR="#7A8794">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>apple_price</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">200</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>1.1</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	op5 [label=<<FONT COLOR="#1F2933"><B>×</B></FONT>> color="#C9A227" fillcolor="#FFF6D6" fontsize=15 height=0.4 margin=0.04 shape=circle style=filled width=0.4]
	n6 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#FFFFFF" COLOR="#7A8794">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>orange_price</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">450</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>1.1</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	op6 [label=<<FONT COLOR="#1F2933"><B>×</B></FONT>> color="#C9A227" fillcolor="#FFF6D6" fontsize=15 height=0.4 margin=0.04 shape=circle style=filled width=0.4]
	n7 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#FFFFFF" COLOR="#7A8794">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>all_price</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">650</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>1.1</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	op7 [label=<<FONT COLOR="#1F2933"><B>+</B></FONT>> color="#C9A227" fillcolor="#FFF6D6" fontsize=15 height=0.4 margin=0.04 shape=circle style=filled width=0.4]
	n8 [label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" STYLE="ROUNDED" BGCOLOR="#E2F3E4" COLOR="#3C8D4F">
		<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT COLOR="#1F2933"><B>price</B></FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#6B7785">data</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#1F2933">715</FONT></TD></TR>
		<TR><TD ALIGN="LEFT"><FONT COLOR="#C0392B">grad</FONT></TD><TD ALIGN="RIGHT"><FONT COLOR="#C0392B"><B>1</B></FONT></TD></TR>
	</TABLE>> shape=plain]
	op8 [label=<<FONT COLOR="#1F2933"><B>×</B></FONT>> color="#C9A227" fillcolor="#FFF6D6" fontsize=15 height=0.4 margin=0.04 shape=circle style=filled width=0.4]
	op5 -> n5 [color="#7A8794"]
	e5_0 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂apple_price</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 2</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂apple</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 2.2</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n0 -> e5_0 [arrowhead=none headport=w]
	e5_0 -> op5 [tailport=e]
	e5_1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂apple_price</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 100</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂apple_num</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 110</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n1 -> e5_1 [arrowhead=none headport=w]
	e5_1 -> op5 [tailport=e]
	op6 -> n6 [color="#7A8794"]
	e6_0 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂orange_price</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 3</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂orange</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 3.3</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n2 -> e6_0 [arrowhead=none headport=w]
	e6_0 -> op6 [tailport=e]
	e6_1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂orange_price</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 150</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂orange_num</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 165</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n3 -> e6_1 [arrowhead=none headport=w]
	e6_1 -> op6 [tailport=e]
	op7 -> n7 [color="#7A8794"]
	e7_0 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂all_price</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 1</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂apple_price</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 1.1</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n5 -> e7_0 [arrowhead=none headport=w]
	e7_0 -> op7 [tailport=e]
	e7_1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂all_price</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 1</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂orange_price</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 1.1</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n6 -> e7_1 [arrowhead=none headport=w]
	e7_1 -> op7 [tailport=e]
	op8 -> n8 [color="#7A8794"]
	e8_0 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂price</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 1.1</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂all_price</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 1.1</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n7 -> e8_0 [arrowhead=none headport=w]
	e8_0 -> op8 [tailport=e]
	e8_1 [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"><TR><TD BORDER="1" SIDES="B" COLOR="#6B7785"><FONT COLOR="#6B7785">∂price</FONT></TD><TD ROWSPAN="2" CELLPADDING="3"><FONT COLOR="#6B7785">= 650</FONT></TD></TR><TR><TD><FONT COLOR="#6B7785">∂tax</FONT></TD></TR><TR><TD COLSPAN="2"><FONT COLOR="#C0392B"><B>← 650</B></FONT></TD></TR></TABLE>> fontsize=12 shape=plain]
	n4 -> e8_1 [arrowhead=none headport=w]
	e8_1 -> op8 [tailport=e]
}
"""


def test_golden_a_plus_a() -> None:
    assert viz.draw(a_plus_a()).source == GOLDEN_A_PLUS_A
    src = viz.draw(a_plus_a()).source
    # two uses of a: two edges, each through its own label node into the op
    assert "n0 -> e1_0 " in src and "n0 -> e1_1 " in src and src.count(" -> op1 ") == 2
    assert "<B>2.2 = 1.1 + 1.1</B>" in src and src.count(">∂b<") == 2 and src.count("← 1.1") == 2


def test_golden_apple_orange() -> None:
    g = apple_orange()
    g["price"].backward()
    assert viz.draw(g["price"]).source == GOLDEN_APPLE_ORANGE


def edges_with_labels(src: str) -> List[str]:
    """``n0 -> op5: ∂apple_price | ∂apple | = 2 | ← 2.2`` for each use drawn in a DOT source.

    A use is an edge from the value (or its copy) to a label node ``eK_I`` and one from the
    label node to the op; the label's texts are read in order (the fraction: top, bottom)."""
    labels = {m.group(1): re.findall(r">([^<>]+)<", m.group(2))
              for m in re.finditer(r"^\t(e\w+) \[label=<(.*)> fontsize=12 shape=plain\]$", src, re.M)}
    out = []
    for m in re.finditer(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?$", src, re.M):
        tail, head = m.group(1), m.group(2)
        if head in labels:
            continue  # the first half of a use: reported with the second
        texts = labels.get(tail)
        if texts is not None:
            tail = next(t for t in re.findall(rf"^\t(\w+) -> {tail} ", src, re.M))
        out.append(f"{tail} -> {head}: " + " | ".join(texts or []))
    return out


def test_apple_orange_edges_and_labels_hand_values() -> None:
    # The same facts as the golden text, written independently: the book's gradients.
    g = apple_orange()
    g["price"].backward()
    edges = edges_with_labels(viz.draw(g["price"]).source)
    assert edges == [
        "op5 -> n5: ", "n0 -> op5: ∂apple_price | = 2 | ∂apple | ← 2.2",
        "n1 -> op5: ∂apple_price | = 100 | ∂apple_num | ← 110",
        "op6 -> n6: ", "n2 -> op6: ∂orange_price | = 3 | ∂orange | ← 3.3",
        "n3 -> op6: ∂orange_price | = 150 | ∂orange_num | ← 165",
        "op7 -> n7: ", "n5 -> op7: ∂all_price | = 1 | ∂apple_price | ← 1.1",
        "n6 -> op7: ∂all_price | = 1 | ∂orange_price | ← 1.1",
        "op8 -> n8: ", "n7 -> op8: ∂price | = 1.1 | ∂all_price | ← 1.1",
        "n4 -> op8: ∂price | = 650 | ∂tax | ← 650",
    ]


def test_before_backward_no_flows_and_options() -> None:
    x = Value(2.0, "x")
    y = (x * x).exp()
    src = viz.draw(y).source
    assert "←" not in src and ">∂t1<" in src and ">= 2<" in src  # local derivatives exist before backward
    y.backward()
    assert "←" in viz.draw(y).source
    plain = viz.draw(y, show_grad=False, show_local=False).source
    assert ">grad<" not in plain and "∂" not in plain and "←" not in plain
    assert "rankdir=TB" in viz.draw(y, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(y, rankdir="sideways")
    with pytest.raises(TypeError, match="Value or Tensor"):
        viz.draw(3.0)


def node_block(src: str, node_id: str) -> str:
    """The DOT statement of one node (HTML labels span several lines)."""
    m = re.search(rf"^\t{node_id} \[.*?\]$", src, re.M | re.S)
    assert m is not None, node_id
    return m.group(0)


def test_highlight_marks_the_node_and_its_op() -> None:
    x = Value(2.0, "x")
    y = x * 3
    src = viz.draw(y, highlight=y).source
    assert FILL_HOT in node_block(src, "n2") and FILL_HOT in node_block(src, "op2")
    assert FILL_HOT not in node_block(src, "n0") and FILL_HOT not in node_block(src, "n1")


def test_determinism_across_builds_and_processes() -> None:
    first = viz.draw(a_plus_a()).source
    for _ in range(50):
        Value(0.0)  # shift the global creation counter: ids must not depend on it
    assert viz.draw(a_plus_a()).source == first
    code = ("import viz, tests.test_viz as t; g = t.apple_orange(); g['price'].backward(); "
            "import sys; sys.stdout.write(viz.draw(g['price']).source)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent, encoding="utf-8")
    assert out.stdout == GOLDEN_APPLE_ORANGE


def test_max_nodes_cut_is_visible() -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(300):
        y = y.tanh()
    src = viz.draw(y, max_nodes=10).source
    assert "… 291 more nodes (max_nodes=10)" in src  # 301 values, 10 drawn
    assert len(re.findall(r"^\tn\d+ \[", src, re.M)) == 10
    assert "more -> op" in src
    # 301 values are more than MAX_DRAWN: refused up front, saying what to pass instead
    with pytest.raises(ValueError, match=r"301 values, more than 300 .* pass max_nodes=150"):
        viz.draw(y, max_nodes=None)
    with pytest.raises(ValueError, match="more than 300"):
        viz.draw(y, max_nodes=1000)
    z = x
    for _ in range(40):
        z = z.tanh()
    assert "more nodes" not in viz.draw(z, max_nodes=None).source
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw(y, max_nodes=0)
    with pytest.raises(ValueError, match="max_nodes"):
        viz.draw(y, max_nodes=10, check=True)


def test_check_writes_analytic_vs_numeric() -> None:
    g = apple_orange()
    g["price"].backward()
    src = viz.draw(g["price"], check=True).source
    assert src.count("vs numeric") == 5 and src.count("✓") == 5 and "mismatch" not in src
    # A node whose recorded local derivative is wrong (999 instead of 2x = 6): shown red.
    x = Value(3.0, "x")
    bad = _new(9.0, ops.param_tag("**n", 2.0, "**2"), x, 999.0)
    y = bad * Value(2.0, "w")
    y.backward()
    src = viz.draw(y, check=True).source
    x_box = node_block(src, "n0")
    assert "✗ mismatch" in x_box and FILL_BAD in x_box and ">1998<" in x_box
    assert "mismatch" not in node_block(src, "n2")  # w's gradient (9) is right
    assert x.grad == 1998.0  # checking never touches grads


@needs_dot
@pytest.mark.parametrize("suffix, header", [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml"),
                                            (".pdf", b"%PDF")])
def test_render_real_files(tmp_path: Path, suffix: str, header: bytes) -> None:
    g = apple_orange()
    g["price"].backward()
    path = viz.render(g["price"], tmp_path / f"graph{suffix}")
    data = path.read_bytes()
    assert path == tmp_path / f"graph{suffix}" and len(data) > 1000 and data.startswith(header)
    if suffix == ".svg":
        assert b"<svg" in data and "apple_num" in data.decode("utf-8")


def test_render_dot_and_format_errors(tmp_path: Path) -> None:
    b = a_plus_a()
    path = viz.render(b, tmp_path / "sub" / "g.dot")
    assert path.read_text(encoding="utf-8") == GOLDEN_A_PLUS_A
    assert viz.render(viz.draw(b), tmp_path / "g.gv").read_text(encoding="utf-8") == GOLDEN_A_PLUS_A
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf or \.dot"):
        viz.render(b, tmp_path / "g.jpeg")


def test_missing_dot_gives_install_hint_and_dot_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    b = a_plus_a()
    with pytest.raises(viz.GraphvizNotFoundError) as info:
        viz.render(b, tmp_path / "z.png")
    err = info.value
    assert isinstance(err, RuntimeError)
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install", "winget install graphviz"):
        assert hint in str(err)
    assert err.dot_path == tmp_path / "z.dot" and str(err.dot_path) in str(err)
    assert (tmp_path / "z.dot").read_text(encoding="utf-8") == GOLDEN_A_PLUS_A
    assert not (tmp_path / "z.png").exists()


HOSTILE = [
    'say "hi"', "a<b>c", "{x|y}", "back\\slash\\", "amp & co", '"];\n n99 [label="pwned', "<<B>bold</B>>",
    "tab\there", "ctrl\x01char", "]] } { |", "line1\nline2", "it's", "lone\ud800surrogate",
]


def hostile_graph() -> Value:
    nodes = [Value(float(i), label) for i, label in enumerate(HOSTILE)]
    out = nodes[0]
    for n in nodes[1:]:
        out = out + n
    out.label = 'root "quoted" <tag>'
    out.backward()
    return out


def test_escaping_in_source() -> None:
    src = viz.draw(hostile_graph()).source
    assert "n99" not in src.replace("n99 [label=&quot;pwned", "")  # only inside an escaped label
    assert esc('say "hi"') == "say &quot;hi&quot;" and esc("a<b>") == "a&lt;b&gt;"
    assert esc("line1\nline2") == "line1<BR/>line2" and esc("ctrl\x01") == "ctrl\\x01"
    assert esc("amp & co") == "amp &amp; co" and esc("{x|y}\\") == "{x|y}\\"


@needs_dot
def test_hostile_labels_parse_back_with_dot(tmp_path: Path) -> None:
    root = hostile_graph()
    g = viz.draw(root)
    canon = subprocess.run(["dot", "-Tcanon"], input=g.source, capture_output=True, text=True,
                           encoding="utf-8", timeout=60)
    assert canon.returncode == 0, canon.stderr
    ids = set(re.findall(r"^\t(\w+)\s+\[", canon.stdout, re.M)) - {"node", "edge", "graph"}
    n_values = len(HOSTILE) + len(HOSTILE) - 1  # leaves and one + per extra leaf
    ops = range(len(HOSTILE), n_values)
    assert ids == ({f"n{k}" for k in range(n_values)} | {f"op{k}" for k in ops}
                   | {f"e{k}_{i}" for k in ops for i in (0, 1)})
    # per op: two inputs, each through its label (two edges), and one output
    assert canon.stdout.count(" -> ") == 5 * (len(HOSTILE) - 1)
    # Rendered to SVG, every hostile label is plain text in the picture.
    svg = subprocess.run(["dot", "-Tsvg"], input=g.source.encode("utf-8"), capture_output=True, timeout=60)
    assert svg.returncode == 0, svg.stderr
    texts = [t.text for t in ET.fromstring(svg.stdout).iter("{http://www.w3.org/2000/svg}text")]
    for label in ['say "hi"', "a<b>c", "{x|y}", "back\\slash\\", "amp & co", "<<B>bold</B>>", "]] } { |",
                  "line1", "line2", "ctrl\\x01char", 'root "quoted" <tag>', '"];', "it's",
                  "lone\\ud800surrogate"]:
        assert label in texts, label
    assert ' n99 [label="pwned' in texts


@needs_dot
def test_render_png_viewable(tmp_path: Path) -> None:
    # A generous size check that the picture is meant for slides (144 dpi).
    g = apple_orange()
    g["price"].backward()
    data = viz.render(g["price"], tmp_path / "ao.png").read_bytes()
    width = int.from_bytes(data[16:20], "big")
    assert width > 1500


def test_graphviz_digraph_is_returned() -> None:
    assert isinstance(viz.draw(a_plus_a()), graphviz.Digraph)
    assert os.path.basename(__file__) == "test_viz.py"


def test_tensor_boxes_show_shape_dtype_preview_and_norm() -> None:
    import numpy as np

    from autograd_lite import Tensor

    x = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="x")
    W = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True, label="W")
    big = Tensor(np.full((20, 30), 0.5), requires_grad=True, label="big")
    y = ((x @ W).sum() + (big * 2).mean())
    y.backward()
    src = viz.draw(y).source
    x_box, w_box, big_box = node_block(src, "n0"), node_block(src, "n1"), node_block(src, "n2")
    assert ">3 float64<" in x_box and ">3×2 float64<" in w_box and ">20×30 float64<" in big_box
    # x's data [1, 2, 3] and grad W @ 1 = [1, 5, 9] as a column; W's grad 3x2 grid of x's entries
    assert all(f">{v}<" in x_box for v in ("1", "2", "3", "5", "9"))
    assert w_box.count("<TR><TD ALIGN=\"RIGHT\">") >= 6
    # 600 elements: the norm instead (data: 0.5 * sqrt(600); grad: 2/600 * sqrt(600))
    # array numbers are shown with 6 significant digits (ARRAY_DIGITS)
    assert f"‖·‖={np.sqrt(600) * 0.5:.6g}" in big_box and f"‖·‖={np.sqrt(600) / 300:.6g}" in big_box
    small32 = Tensor(np.array([1.5], dtype=np.float32), requires_grad=True, label="s")
    assert ">1 float32<" in viz.draw(small32 * 2).source
    assert ">∂(x@W)/∂x:<" in src and ">sends g @ Wᵀ<" in src
    checked = viz.draw(y, check=True).source  # gradcheck on Tensor graphs too (viz/check.py)
    assert checked.count("vs numeric") == 3 and "mismatch" not in checked


def test_tensor_before_backward_grads_are_none() -> None:
    from autograd_lite import Tensor

    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    src = viz.draw((x * x).sum()).source
    assert ">None<" in node_block(src, "n0") and "←" not in src


def test_long_sums_are_stacked_and_accumulated_grads_not_misreported() -> None:
    a = Value(1.0, "a")
    z = a * Value(0.123456789) + a * Value(0.987654321) + a * Value(-0.5)
    z.backward()
    box = node_block(viz.draw(z).source, "n0")
    # the engine adds the newest use first: -0.5, then 0.987654321, then 0.123456789
    assert ">0.611111<" in box  # 6 significant digits in pictures
    assert '= -0.5<BR ALIGN="RIGHT"/>+ 0.987654<BR ALIGN="RIGHT"/>+ 0.123457<BR ALIGN="RIGHT"/>' in box
    b = Value(3.0, "b")
    c = b + b
    c.backward()
    c.backward()  # leaves accumulate: b.grad = 4, but this graph's edges send 1 + 1
    assert "4 (edges drawn send: 1 + 1)" in viz.draw(c).source


def test_an_intermediate_grad_from_a_larger_pass_is_not_called_this_pass() -> None:
    # tanh'(x) = 1 - tanh(x)·tanh(x) as a graph; a backward from tanh''(x), which contains it
    # and uses tanh(x) more often, leaves tanh(x) a grad the edges of tanh''s graph do not make
    x = Value(1.0, "x")
    y = x.tanh()
    y.label = "tanh(x)"
    y.backward(create_graph=True)
    d1 = x.grad
    x.grad = 0.0
    d1.backward(create_graph=True)
    d2 = x.grad
    x.grad = 0.0
    d2.backward()
    src = viz.draw(d1, rankdir="TB").source
    assert "edges drawn send: -0.761594" in src and "this pass" not in src
    x.grad = 0.0
    d1.backward()  # its own pass: every intermediate grad adds up within the picture
    src = viz.draw(d1, rankdir="TB").source
    assert "= -0.761594" in src
    # the constant 1 is a leaf that was not zeroed: it holds two passes, one drawn edge
    assert src.count("edges drawn send") == 1 and "2 (edges drawn send: 1)" in src


def test_one_edge_is_enough_to_say_which_pass_a_grad_is_from() -> None:
    x, w = Value(2.0, "x"), Value(3.0, "w")
    y = x * w
    y.backward()
    assert "this pass" not in viz.draw(y).source  # one pass: the edge says it all
    y.backward()  # leaves accumulate: 6, of which the edge drawn sends 3
    assert "6 (edges drawn send: 3)" in viz.draw(y).source


def test_pictures_after_create_graph_show_numbers_as_a_plain_backward_does() -> None:
    def graph(create_graph: bool) -> str:
        x = Value(0.5, "x")
        t = x.tanh()
        t.label = "t"
        y = t * t + t
        y.backward(create_graph=create_graph)
        return viz.draw(y).source

    assert graph(True) == graph(False)  # not "edges drawn send" because a grad is a Value
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = (x ** 3).sum()
    y.backward(create_graph=True)
    src = viz.draw(y).source
    assert "Tensor(" not in src and ">3<" in src and ">12<" in src


def test_tensor_flow_goes_on_the_right_edge_when_a_constant_gets_none() -> None:
    from autograd_lite import Tensor

    x = Tensor([1.0, -2.0], requires_grad=True, label="x")
    y = Tensor(3.0) * x  # the constant 3 is parent 0 and receives no gradient
    y.backward([1.0, 1.0])
    edges = edges_with_labels(viz.draw(y).source)
    assert edges == ["op2 -> n2: ",
                     "n1 -> op2: ∂(3*x)/∂3: | sends g·x summed | over axis 0",  # the constant: no flow
                     "n0 -> op2: ∂(3*x)/∂x: | sends g·3 | ← [3, 3]"]


def image_width(path: Path) -> int:
    """Width in pixels from the file header: PNG (IHDR, big-endian) or GIF (little-endian)."""
    data = path.read_bytes()[:32]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return int.from_bytes(data[16:20], "big")
    assert data[:6] in (b"GIF87a", b"GIF89a"), path
    return int.from_bytes(data[6:8], "little")


SLIDE_WIDTH = 2000  # px: a 16:9 slide at full HD, with a little to spare
# Every demo that writes a picture, with the options the tests use for it.
PICTURE_DEMOS = [["apple_orange"], ["chain_rule", "--fast"], ["feedforward", "--fast"],
                 ["miniflow", "--fast", "--data", "synthetic"], ["moons", "--fast"], ["higher_order", "--fast"],
                 ["two_layer_net", "--fast"], ["conv_net", "--fast"]]


@needs_dot
def test_every_shipped_picture_fits_a_slide(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    # the tool runs from tools/: PYTHONPATH makes it draw with this tree's viz, not an installed one
    env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    runs = {"docs": subprocess.Popen([sys.executable, "tools/make_doc_images.py", "--out", str(tmp_path / "docs")],
                                     cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)}
    for demo in PICTURE_DEMOS:
        runs[demo[0]] = subprocess.Popen([sys.executable, "-m", f"demos.{demo[0]}", *demo[1:],
                                          "-o", str(tmp_path / demo[0])], cwd=root,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    skipped = []
    for name, run in runs.items():
        _, err = run.communicate(timeout=600)
        if name in ("two_layer_net", "conv_net") and run.returncode == 1 and b"MNIST" in err:
            skipped.append(name)  # the MNIST files are not on this machine: nothing drawn
            continue
        assert run.returncode == 0, (name, err.decode("utf-8", "replace"))
    pictures = sorted(p for p in tmp_path.rglob("*") if p.suffix in (".png", ".gif"))
    drawn = {p.relative_to(tmp_path).parts[0] for p in pictures}
    assert drawn == set(runs) - set(skipped)  # every run wrote at least one picture
    committed = {p.name for p in (root / "docs" / "images").glob("*.png")}
    assert committed <= {p.name for p in pictures if p.parent.name == "docs"} | {
        "moons_decision_boundary.png", "two_layer_net_accuracy.png", "conv_net_accuracy.png",
        "conv_net_filters.png"}  # (those come from demos)
    too_wide = {str(p.relative_to(tmp_path)): image_width(p) for p in pictures if image_width(p) > SLIDE_WIDTH}
    assert too_wide == {}


def power_chain(factors: int, x0: float = 2.0) -> Value:
    """``x*x*…*x`` with ``factors`` factors, as the CLI parses it: ((x*x)*x)*…"""
    x = Value(x0, "x")
    y = x
    for _ in range(factors - 1):
        y = y * x
    return y


def test_a_cut_graph_still_adds_up_and_labels_stay_on_their_edge() -> None:
    y = power_chain(4)  # x = 2: y = x⁴ = 16, dy/dx = 4x³ = 32
    y.backward()
    src = viz.draw(y, max_nodes=3).source
    x_box = node_block(src, "n0")
    # x's grad 32: 8 from t3's use, 8 from t2's use, 16 from the two uses inside the cut x*x
    assert ">32<" in x_box and "+ 16 (from 2 uses not drawn)" in x_box and "this pass" not in x_box
    assert "… 1 more node (max_nodes=3)" in src
    assert "more -> op1 " in src  # the cut input goes straight to its op: no label on it
    # every label node sits on one use: drawn value -> label -> op of that use
    for m in re.finditer(r"^\t(e(\d+)_(\d+)) \[", src, re.M):
        assert re.search(rf"^\tn0 -> {m.group(1)} |^\tn\d+ -> {m.group(1)} ", src, re.M)
        assert f"\t{m.group(1)} -> op{m.group(2)} " in src
    assert len(re.findall(r" -> e\d+_\d+ ", src)) == 3  # x into t2, t2 into t3, x into t3


def test_far_uses_come_from_copies_and_long_sums_are_summarised() -> None:
    y = power_chain(59, 1.01)
    y.backward()
    src = viz.draw(y).source
    copies = re.findall(r"use (\d+) of 59<", src)  # x*x uses x twice, then 57 more ops once each
    assert [int(k) for k in copies] == list(range(5, 60))  # the first uses are near x's box
    assert src.count("\tn0 -> ") == 4
    x_box = node_block(src, "n0")
    assert "… 52 more terms" in x_box and x_box.count("<BR ALIGN") == 8  # 7 terms, then the count


WORST_SHAPES = {
    "x*x*…*x, 59 factors": lambda: power_chain(59, 1.01),
    "x*x*…*x, 150 factors (cut at 150 values)": lambda: power_chain(150, 1.001),
    "many reused nodes": lambda: reused_graph(150),
    "wide fan-out: 128 uses of x, summed as a tree": lambda: fan_out(128),
    "x*k summed in a chain, 100 terms": lambda: sum_chain(100),
}


def reused_graph(n: int) -> Value:
    vals = [Value(0.5, "a"), Value(0.25, "b")]
    for k in range(n):
        vals.append(vals[-1] * vals[k // 2] + vals[-2])
    return vals[-1]


def fan_out(n: int) -> Value:
    x = Value(0.3, "x")
    terms = [x * Value(float(k)) for k in range(n)]
    while len(terms) > 1:
        terms = [terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


def sum_chain(n: int) -> Value:
    x = Value(0.3, "x")
    s = x
    for k in range(n):
        s = s + x * Value(float(k))
    return s


@needs_dot
@pytest.mark.parametrize("shape", list(WORST_SHAPES))
def test_worst_shapes_render_in_seconds(shape: str, tmp_path: Path) -> None:
    import time

    root = WORST_SHAPES[shape]()
    root.backward()
    start = time.perf_counter()
    path = viz.render(root, tmp_path / "g.png")
    took = time.perf_counter() - start
    assert path.read_bytes().startswith(b"\x89PNG") and image_width(path) <= 40 * 144
    assert took < 20, f"{shape}: {took:.1f} s"  # about 1-4 s here; generous for a busy machine


@needs_dot
def test_the_largest_accepted_graph_renders_in_seconds_and_larger_is_refused(tmp_path: Path) -> None:
    import time

    root = reused_graph(viz.MAX_DRAWN)  # far more values than MAX_DRAWN
    root.backward()
    start = time.perf_counter()
    viz.render(root, tmp_path / "g.png", max_nodes=viz.MAX_DRAWN)
    assert time.perf_counter() - start < 20
    with pytest.raises(ValueError, match=f"more than {viz.MAX_DRAWN} can be laid out in seconds; pass max_nodes"):
        viz.draw(root, max_nodes=None)


def test_tables_use_the_short_digits_of_pictures_unless_asked() -> None:
    from autograd_lite import explain

    x = Value(1.0 / 3.0, "x")
    y = (x * x).exp()
    y.backward()
    short = str(explain(y))
    assert "0.333333" in short and "0.333333333333" not in short
    assert short == explain(y).table(digits=6)
    full = explain(y).table(digits=12)
    assert "∂(x*x)/∂x (use 1) = x = 0.333333333333" in full and "∂(x*x)/∂x (use 2) = x = 0.333333 " in short
    src = viz.draw(y).source
    assert ">0.333333<" in src and "0.3333333" not in src  # the same 6 digits as the table
    with pytest.raises(ValueError, match="digits must be an int from 1 to 17, got 0"):
        explain(y).table(digits=0)
