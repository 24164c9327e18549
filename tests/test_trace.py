"""The evaluation trace: Baydin et al. 2018's Tables 2-3 exactly, and on random programs the
traces' values are the graph's (data, grads bit for bit; tangents as forward mode's Duals)."""

from __future__ import annotations

import math
import os
import shutil
import struct
import subprocess
import unicodedata
import warnings
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np
import pytest
from graphs import BINARY, run_program
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, explain, forward, jvp
from autograd_lite.forward import Dual
from autograd_lite.numeric import DomainError
from autograd_lite.trace import MAX_TRACE_NODES

UNARY = ["neg", "square", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt", "abs", "arctan"]
OPERATORS = BINARY + UNARY

# Baydin, Pearlmutter, Radul, Siskind (2018), "Automatic differentiation in machine learning: a
# survey", Table 2 (forward primal and tangent traces) and Table 3 (reverse adjoint trace) of
# f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5), with the survey's numbers to its three decimals.
# The survey leaves some lines' values to the next line (v1 = ln 2; v̇2 = 1×5 + 0×2); here every
# line ends with its value, and its adjoint trace is listed in the order it runs (the survey
# prints it bottom to top).
PRIMAL = ["v₋₁ = x₁ = 2",
          "v₀ = x₂ = 5",
          "v₁ = log(v₋₁) = log(2) = 0.693",
          "v₂ = v₋₁*v₀ = 2*5 = 10",
          "v₃ = sin(v₀) = sin(5) = -0.959",
          "v₄ = v₁+v₂ = 0.693+10 = 10.693",
          "v₅ = v₄-v₃ = 10.693-(-0.959) = 11.652",
          "y = v₅ = 11.652"]
TANGENT = ["v̇₋₁ = ẋ₁ = 1",
           "v̇₀ = ẋ₂ = 0",
           "v̇₁ = v̇₋₁/v₋₁ = 1/2 = 0.5",
           "v̇₂ = v̇₋₁·v₀ + v̇₀·v₋₁ = 1·5 + 0·2 = 5",
           "v̇₃ = v̇₀·cos(v₀) = 0·cos(5) = 0",
           "v̇₄ = v̇₁ + v̇₂ = 0.5 + 5 = 5.5",
           "v̇₅ = v̇₄ - v̇₃ = 5.5 - 0 = 5.5",
           "ẏ = v̇₅ = 5.5"]
ADJOINT = ["v̄₅ = ȳ = 1",
           "v̄₄ = v̄₅·∂v₅/∂v₄ = v̄₅·1 = 1",
           "v̄₃ = v̄₅·∂v₅/∂v₃ = v̄₅·(-1) = -1",
           "v̄₁ = v̄₄·∂v₄/∂v₁ = v̄₄·1 = 1",
           "v̄₂ = v̄₄·∂v₄/∂v₂ = v̄₄·1 = 1",
           "v̄₀ = v̄₃·∂v₃/∂v₀ = v̄₃·cos(v₀) = -0.284",
           "v̄₋₁ = v̄₂·∂v₂/∂v₋₁ = v̄₂·v₀ = 5",
           "v̄₀ = v̄₀ + v̄₂·∂v₂/∂v₀ = v̄₀ + v̄₂·v₋₁ = 1.716",
           "v̄₋₁ = v̄₋₁ + v̄₁·∂v₁/∂v₋₁ = v̄₋₁ + v̄₁/v₋₁ = 5.5",
           "x̄₁ = v̄₋₁ = 5.5",
           "x̄₂ = v̄₀ = 1.716"]


PRIMAL, TANGENT, ADJOINT = ([unicodedata.normalize("NFC", s) for s in lines]
                            for lines in (PRIMAL, TANGENT, ADJOINT))


def survey(x1: Any, x2: Any) -> Any:
    """The survey's program, one assignment per line in its order."""
    v1 = x1.log()
    v2 = x1 * x2
    v3 = x2.sin()
    v4 = v1 + v2
    return v4 - v3


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or bits(x) == bits(y)


# ----------------------------------------------------------------------------- the survey's tables
def test_survey_reverse_mode_table_3() -> None:
    x1, x2 = Value(2.0, "x1"), Value(5.0, "x2")
    y = survey(x1, x2)
    t = explain(y).trace(decimals=3)
    assert t.lines("primal") == PRIMAL
    assert t.lines("adjoint") == ADJOINT
    assert t.summary and "dy/dx₁ = x̄₁ = 5.5, dy/dx₂ = x̄₂ = 1.716" in str(t)
    # one sweep: both partials, as the hand derivation gives them (1/x1 + x2 and x1 - cos x2)
    assert x1.grad == 1 / 2 + 5 and x2.grad == 2 - math.cos(5.0)


def test_survey_forward_mode_table_2_one_sweep_per_input() -> None:
    t = forward.trace(survey, (2.0, 5.0), (1.0, 0.0), decimals=3)
    assert t.lines("primal") == PRIMAL
    assert t.lines("tangent") == TANGENT
    assert "ẏ = dy/dx₁ = 5.5" in str(t) and "2 sweeps, one per input" in str(t)
    # the other partial needs a second forward sweep, seeded ẋ = (0, 1)
    second = forward.trace(survey, (2.0, 5.0), (0.0, 1.0), decimals=3)
    assert second.lines("tangent")[-1] == "ẏ = v̇₅ = 1.716"
    assert second.second[-1].value == 2 - math.cos(5.0)


def test_the_one_expression_is_numbered_in_pythons_order() -> None:
    # ln x1 + x1*x2 - sin x2 as one expression: Python adds before it takes the sine
    x1, x2 = Value(2.0, "x1"), Value(5.0, "x2")
    lines = explain(x1.log() + x1 * x2 - x2.sin()).trace(decimals=3).lines("primal")
    assert lines[4:7] == ["v₃ = v₁+v₂ = 0.693+10 = 10.693", "v₄ = sin(v₀) = sin(5) = -0.959",
                          "v₅ = v₃-v₄ = 10.693-(-0.959) = 11.652"]


def test_full_digits_by_default_and_labels_constants_uses() -> None:
    x = Value(3.0, "x")
    h = x * x
    h.label = "h"
    y = h * 2 + x.sin()
    t = explain(y).trace()
    assert t.lines("primal")[:3] == ["v₀ = x = 3", "v₁ = v₀*v₀ = 3*3 = 9   (h)", "v₂ = v₁*2 = 9*2 = 18"]
    assert t.lines("primal")[3] == "v₃ = sin(v₀) = sin(3) = 0.14112000806"
    adj = t.lines("adjoint")
    # a parent used twice: one line per use, the second adds to the first
    assert adj[3:7] == ["v̄₀ = v̄₃·∂v₃/∂v₀ = v̄₃·cos(v₀) = -0.9899924966",
                        "v̄₁ = v̄₂·∂v₂/∂v₁ = v̄₂·2 = 2",
                        "v̄₀ = v̄₀ + v̄₁·∂v₁/∂v₀ (use 1) = v̄₀ + v̄₁·v₀ = 5.0100075034",
                        "v̄₀ = v̄₀ + v̄₁·∂v₁/∂v₀ (use 2) = v̄₀ + v̄₁·v₀ = 11.0100075034"]
    assert adj[-1] == "x̄ = v̄₀ = 11.0100075034"
    assert x.grad == 4 * 3.0 + math.cos(3.0)
    assert not any("2 =" in line.split(" = ")[0] for line in adj)  # the constant 2 has no adjoint


def test_long_labels_and_latex_names() -> None:
    price, tax = Value(200.0, "price"), Value(1.1, "tax")
    t = explain(price * tax).trace()
    assert t.lines("adjoint")[-2:] == ["bar(price) = v̄₋₁ = 1.1", "bar(tax) = v̄₀ = 200"]
    tex = t.latex()
    assert r"\overline{\mathrm{price}} &= \bar{v}_{-1} = 1.1" in tex
    assert t.latex("align*").startswith("\\begin{align*}\n") and t.latex("align*").endswith("\\end{align*}")


def test_trace_leaves_grads_as_they_were() -> None:
    x1, x2 = Value(2.0, "x1"), Value(5.0, "x2")
    y = survey(x1, x2)
    y.backward()
    before = (x1.grad, x2.grad)
    explain(y).trace()
    assert (x1.grad, x2.grad) == before


# ----------------------------------------------------------------------------- random programs
def apply(nodes: List[Any], program: Sequence[Tuple[str, int, int]]) -> Any:
    """The program of tests/graphs.py's build_program on the given inputs (Values or Duals)."""
    return run_program(nodes, program)


programs = st.tuples(
    st.lists(st.floats(-3.0, 3.0), min_size=1, max_size=3),
    st.lists(st.tuples(st.sampled_from(OPERATORS), st.integers(0, 40), st.integers(0, 40)),
             min_size=1, max_size=12))


def wrap(leaves: List[float], raw: List[Tuple[str, int, int]]) -> List[Tuple[str, int, int]]:
    return [(op, i % (len(leaves) + k), j % (len(leaves) + k)) for k, (op, i, j) in enumerate(raw)]


@settings(deadline=None, max_examples=150)
@given(programs)
def test_adjoint_trace_values_are_the_graphs(case: Tuple[List[float], List[Tuple[str, int, int]]]) -> None:
    leaves, raw = case
    program = wrap(leaves, raw)
    xs = [Value(v, f"x{i}") for i, v in enumerate(leaves)]
    try:
        y = apply(xs, program)
    except (DomainError, ValueError, OverflowError, ZeroDivisionError):
        assume(False)
        return
    t = explain(y, replay=True).trace()
    y.backward()
    variables = {id(line.node) for line in t.primal}
    for line in t.primal:
        assert same(line.value, line.node.data)
    last = {}
    for line in t.second:
        last[id(line.node)] = line
    for key, line in last.items():
        assert key in variables
        want = 1.0 if line.node is y else line.node.grad
        assert same(line.value, want), (t.lines("adjoint"), line)
    # the lines read back: every value in the text is the formatted value
    for text, line in zip(t.lines("adjoint"), t.second):
        assert text.endswith(" = " + t._number(line.value))


@settings(deadline=None, max_examples=150)
@given(programs, st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_tangent_trace_values_are_forward_modes(case: Tuple[List[float], List[Tuple[str, int, int]]],
                                                dots: List[float]) -> None:
    leaves, raw = case
    program = wrap(leaves, raw)
    dots = dots[:len(leaves)]

    def f(*xs: Any) -> Any:
        return apply(list(xs), program)

    try:
        dual = f(*[Dual(v, d) for v, d in zip(leaves, dots)])
        t = forward.trace(f, leaves, dots)
    except (DomainError, ValueError, OverflowError, ZeroDivisionError):
        assume(False)
        return
    out = t.primal[-1]
    assert same(out.value, dual.primal)
    assert same(t.second[-1].value, dual.tangent)  # bit for bit: the same rules in the same order
    for line in t.primal:
        assert same(line.value, line.node.data)
    # and the directional derivative of reverse mode (transposed), to rounding, where every local
    # derivative is finite (at sqrt(0), forward mode's zero tangent skips the infinite slope)
    slopes = [float(g) for line in t.primal for g in getattr(line.node, "local_grads", ())]
    if all(math.isfinite(v) for v in [dual.tangent, dual.primal, *slopes]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an argument the program never reads: its part is 0
            _, jv = jvp(f, leaves, dots)
        assert math.isclose(t.second[-1].value, jv, rel_tol=1e-9, abs_tol=1e-9)


# ----------------------------------------------------------------------------- the three forms
class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: List[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "td":
            self._in = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.cells[-1] += data


def test_html_holds_the_lines_escaped() -> None:
    a = Value(1.5, "a<b>&")
    t = explain((a * a).exp()).trace()
    page = t._repr_html_()
    assert "<b>&" not in page
    parser = _Cells()
    parser.feed(page)
    assert parser.cells == t.lines("primal") + t.lines("adjoint")


def _katex() -> Optional[Callable[[str, bool], Any]]:
    node = shutil.which("node")
    if node is None:
        return None
    env = dict(os.environ)
    local = Path(__file__).resolve().parent.parent / ".katex" / "node_modules"
    env["NODE_PATH"] = os.pathsep.join(p for p in (env.get("NODE_PATH", ""), str(local)) if p)
    if subprocess.run([node, "-e", "require('katex')"], capture_output=True, timeout=30, env=env).returncode:
        return None
    script = ("require('katex').renderToString(process.argv[1], "
              "{throwOnError: true, displayMode: process.argv[2] === '1'})")
    return lambda tex, display: subprocess.run([node, "-e", script, tex, "1" if display else "0"],
                                               capture_output=True, timeout=30, env=env)


def test_latex_compiles_in_katex() -> None:
    katex = _katex()
    if katex is None:
        pytest.skip("KaTeX is not installed for node (bash tools/install_katex.sh): not compiled here")
    strange = Value(0.5, "x\\^~{}<b>_%$#&")
    price = Value(2.0, "price")
    y = (strange * price).tanh() ** 3 - price / strange + 1e-7 * price
    traces = [explain(y).trace(), explain(y).trace(decimals=2), forward.trace(survey, (2.0, 5.0), (1.0, 0.0)),
              forward.trace(lambda a, b: (a * b).sigmoid() / b.relu(), (0.3, 4.0), (0.25, -1.0))]
    for t in traces:
        for env, display in (("aligned", False), ("align*", True)):
            result = katex(t.latex(env), display)
            assert result.returncode == 0, (t.latex(env), result.stderr.decode())


# ----------------------------------------------------------------------------- refusals
def test_refusals_name_the_problem() -> None:
    x = Value(2.0, "x")
    with pytest.raises(TypeError, match="Value graphs"):
        explain(Tensor(np.ones(2), requires_grad=True).sum()).trace()
    with pytest.raises(ValueError, match="digits"):
        explain(x * x, replay=True).trace(digits=0)
    with pytest.raises(ValueError, match="decimals"):
        explain(x * x, replay=True).trace(decimals=-1)
    with pytest.raises(ValueError, match="'primal' or 'adjoint'"):
        explain(x * x, replay=True).trace().lines("tangent")
    with pytest.raises(ValueError, match="align"):
        explain(x * x, replay=True).trace().latex("equation")
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        forward.trace(survey, (2.0, 5.0), (1.0,))
    with pytest.raises(TypeError, match="function"):
        forward.trace(3, (2.0,), (1.0,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="list or tuple"):
        forward.trace(survey, 2.0, 1.0)
    with pytest.raises(TypeError, match="tangents"):
        forward.trace(survey, (2.0, 5.0), (1.0, "a"))
    with pytest.raises(ValueError, match="depends on none"):
        forward.trace(lambda a: 3.0, (2.0,), (1.0,))
    with pytest.raises(ValueError, match="'x' that is not one of its arguments"):
        forward.trace(lambda a: a * x, (2.0,), (1.0,))
    with pytest.raises(TypeError, match="one Value"):
        forward.trace(lambda a: (a, a), (2.0,), (1.0,))
    deep = Value(1.0, "d")
    for _ in range(MAX_TRACE_NODES):
        deep = deep + 1.0
    with pytest.raises(ValueError, match=f"at most {MAX_TRACE_NODES}"):
        explain(deep, replay=True).trace()
    assert x.grad == 0.0


def test_module_doctests() -> None:
    import doctest
    import importlib

    for name in ("autograd_lite.trace", "autograd_lite.forward"):
        result = doctest.testmod(importlib.import_module(name))
        assert result.attempted > 0 and result.failed == 0, name
