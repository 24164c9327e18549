"""Pictures for slides: viz.render to .tex / .tikz keeps the colours, data, grads and edge words,
and compiles with pdflatex and lualatex (where installed: tools/install_latex.sh); chain(leaf) and
the traces as LaTeX align blocks compile in KaTeX."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import graphviz
import pytest
from graphs import apple_orange
from test_trace import _katex, survey

import viz
from autograd_lite import Value, explain, fmt, forward
from viz.tikz import _color, _text, tikz, tikz_document

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")


def apples() -> Dict[str, Value]:
    g = apple_orange()
    g["price"].backward()
    return g


def painted_texts(g: graphviz.Digraph) -> List[str]:
    """Every piece of text Graphviz paints for the picture (its xdot 'T' operations)."""
    layout = json.loads(g.pipe(format="json"))
    items = [layout, *layout.get("objects", []), *layout.get("edges", [])]
    return [op["text"] for item in items for key, ops in item.items() if key.endswith("draw_")
            for op in ops if op["op"] == "T" and op["text"].strip()]


def test_the_apples_picture_keeps_every_number_word_and_colour() -> None:
    g = apples()
    picture = viz.draw(g["price"])
    text = tikz(g["price"])
    assert text.startswith("\\begin{tikzpicture}[x=1bp, y=1bp]\n") and text.endswith("\\end{tikzpicture}\n")
    assert text.isascii()  # pdflatex reads it as it is
    # the book's numbers: data and grads of every box (the sum 715 and dApple 2.2 ... dTax 650)
    for key, v in g.items():
        assert f"{{{_text(key)}}}" in text, key
        assert f"{{{fmt(v.data)}}}" in text and f"{{{fmt(v.grad)}}}" in text, key
    # each edge's words: the fraction ∂apple_price/∂apple and the grad that flowed back, ← 2.2
    assert "{$\\partial$apple\\_price}" in text and "{$\\partial$apple}" in text
    assert "{$\\leftarrow$ 2.2}" in text and "{$\\leftarrow$ 650}" in text
    # every text Graphviz paints, in its order
    nodes = re.findall(r"\\node\[[^\]]*\] at \([^)]*\) \{(.*)\};", text)
    assert nodes == [_text(s) for s in painted_texts(picture)]
    # every colour of the picture, as xcolor's rgb
    for hexa in set(re.findall(r"#([0-9A-Fa-f]{6})", picture.source)):
        r, gg, b = (int(hexa[i:i + 2], 16) for i in (0, 2, 4))
        assert f"{{rgb,255:red,{r};green,{gg};blue,{b}}}" in text, hexa
    # an edge's spline is drawn, never filled; each box's background is filled
    edges = [line for line in text.splitlines() if ".. controls" in line and "cycle" not in line]
    assert edges and all("fill=" not in line for line in edges)
    assert "\\path[fill={rgb,255:red,227;green,238;blue,250}" in text  # a leaf's blue box


def test_text_is_escaped_for_latex() -> None:
    assert _text("a_b%$#&{}~^\\<>|") == ("a\\_b\\%\\$\\#\\&\\{\\}\\~{}\\^{}\\textbackslash{}$<$$>$$|$")
    assert _text("∂t1 ← 2·x² ₁") == "$\\partial$t1 $\\leftarrow$ 2$\\cdot$x\\textsuperscript{2} $_{1}$"
    assert _text("中") == "[U+4E2D]"  # shown as its code point, never dropped


def test_render_writes_a_document_and_a_picture(tmp_path: Path) -> None:
    g = apples()
    doc = viz.render(g["price"], tmp_path / "apples.tex")
    alone = viz.render(g["price"], tmp_path / "sub" / "apples.tikz")
    assert doc == tmp_path / "apples.tex" and alone.is_file()
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("% A picture") and "\\documentclass{article}" in text
    assert tikz(g["price"]) in text and alone.read_text(encoding="utf-8") == tikz(g["price"])
    # the page is the picture's size: Graphviz's background box and a 2bp margin
    w, h = (float(x) for x in re.search(r"papersize=\{([0-9.]+)bp,([0-9.]+)bp\}", text).groups())  # type: ignore[union-attr]
    bb = [float(v) for v in json.loads(viz.draw(g["price"]).pipe(format="json"))["bb"].split(",")]
    assert bb[2] + 2 * 14.4 < w < bb[2] + 2 * 14.4 + 6 and bb[3] + 2 * 14.4 < h < bb[3] + 2 * 14.4 + 6


def test_any_picture_and_the_refusals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = Value(2.0, "a")
    c = (a + a) + (a + a)
    report = viz.compare_orders(c)
    text = tikz(report.draw())  # a finished Digraph of viz: the orders' picture
    assert text.count("\\node[") == len(painted_texts(report.draw()))
    with pytest.raises(TypeError, match="finished picture"):
        tikz(report.draw(), rankdir="TB")
    named = graphviz.Digraph()
    named.node("x", color="chartreuse", fontcolor="red")  # Graphviz paints a name as its hex
    drawn = tikz(named)
    assert "{rgb,255:red,127;green,255;blue,0}" in drawn and "{rgb,255:red,255;green,0;blue,0}" in drawn
    with pytest.raises(ValueError, match="'chartreuse' of the layout"):
        _color("chartreuse")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(viz.GraphvizNotFoundError, match="DOT source"):
        viz.render(c, tmp_path / "c.tex")
    assert (tmp_path / "c.dot").is_file() and not (tmp_path / "c.tex").exists()


# ----------------------------------------------------------------------------- compiled for real
def _compile(engine: str, tex: Path) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tex.parent,
                          capture_output=True, timeout=180)


@pytest.mark.parametrize("engine", ["pdflatex", "lualatex"])
def test_the_pictures_compile(engine: str, tmp_path: Path) -> None:
    if shutil.which(engine) is None:
        pytest.skip(f"{engine} is not installed (bash tools/install_latex.sh): the TikZ is not compiled here")
    g = apples()
    odd = Value(2.0, "a<\\x>_%$#&{}^~中")
    y = (odd * odd).tanh() + odd
    y.backward()
    cases: List[Any] = [g["price"], y, viz.compare_orders((Value(1.0, "a") + 0).sin()).draw()]
    for k, root in enumerate(cases):
        tex = viz.render(root, tmp_path / f"p{k}.tex")
        result = _compile(engine, tex)
        assert result.returncode == 0, result.stdout.decode(errors="replace")[-3000:]
        assert tex.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
        log = tex.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
        assert re.search(r"Output written on \S+\.pdf \(1 page,", log), log[-2000:]  # the page fits it
    # the picture alone, \input into a document of one's own (a slide)
    viz.render(g["price"], tmp_path / "apples.tikz")
    host = tmp_path / "slides.tex"
    host.write_text("\\documentclass{article}\n\\usepackage{tikz}\n\\begin{document}\n"
                    "\\resizebox{\\textwidth}{!}{\\input{apples.tikz}}\n\\end{document}\n", encoding="utf-8")
    result = _compile(engine, host)
    assert result.returncode == 0, result.stdout.decode(errors="replace")[-3000:]


def test_latex_compile_test_can_fail(tmp_path: Path) -> None:
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed (bash tools/install_latex.sh)")
    tex = tmp_path / "bad.tex"
    tex.write_text(tikz_document(Value(1.0, "x")).replace("\\end{tikzpicture}", "\\node at (0,0) {$};\n"
                                                             "\\end{tikzpicture}"), encoding="utf-8")
    assert _compile("pdflatex", tex).returncode != 0


# ----------------------------------------------------------------------------- align blocks
def test_chain_and_traces_as_align_blocks_compile_in_katex() -> None:
    x, y = Value(1.0, "x"), Value(2.0, "y")
    t = x + y
    t.label = "t"
    z = t * t * x
    z.label = "z"
    rule = explain(z).chain(x)
    block = rule.latex("aligned")
    assert block.startswith("\\begin{aligned}\n\\frac{\\mathrm{d} z}{\\mathrm{d} x} &= ")
    assert block.count("\\\\\n&= ") == len(rule.latex().split(" = ")) - 2  # one stage per line
    assert rule.latex("align*").replace("align*", "aligned") == block
    assert rule.latex() == rule.latex(None)  # the one-line equation is unchanged
    with pytest.raises(ValueError, match="environment"):
        rule.latex("equation")
    leaf = explain(x).chain(x).latex("aligned")
    assert leaf == "\\begin{aligned}\n\\frac{\\mathrm{d} x}{\\mathrm{d} x} &= 1\n\\end{aligned}"
    katex = _katex()
    if katex is None:
        pytest.skip("KaTeX is not installed for node (bash tools/install_katex.sh): not compiled here")
    blocks = [(block, False), (rule.latex("align*"), True), (leaf, False),
              (explain(survey(Value(2.0, "x1"), Value(5.0, "x2"))).trace().latex(), False),
              (forward.trace(survey, (2.0, 5.0), (1.0, 0.0)).latex("align*"), True)]
    for tex, display in blocks:
        result = katex(tex, display)
        assert result.returncode == 0, (tex, result.stderr.decode())


def test_module_doctests() -> None:
    import doctest

    import autograd_lite.tex_blocks
    import viz.tikz

    for module in (viz.tikz, autograd_lite.tex_blocks):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
