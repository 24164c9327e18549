"""Every word a student reads is right: the teaching outputs checked as invariants over random programs.

Random Value programs (every Value op of the table, reuse, constants written as numbers and as
unlabelled leaves, labelled leaves, non-unit seeds, sub-graph roots, max_nodes cuts) and random
Tensor programs (broadcasting, reductions, 1-D / 2-D / batched @, indexing, shape ops, softmax,
cross-entropy with labels and with probability rows, mse, einsum, convolution and pooling) go
through explain, chain, the pictures, the frames, the page's lines and quiz, and the command line.
The oracles are independent of the code under test: central differences of each op replayed
alone (the true local partial), the sums of what consumers send computed from the graph, hand
rules for the words.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import viz
from autograd_lite import Tensor, Value, explain, ops
from autograd_lite import functional as F
from autograd_lite.explain import preview
from autograd_lite.format import ARRAY_DIGITS
from viz.check import again
from viz.layout import keep
from viz.page import _answers, step_lines
from viz.steps import frames

SEEDS = st.integers(0, 2**32 - 1)

# ----------------------------------------------------------------------------- Value programs
# Each unary row of the table with the inputs where central differences are safe (away from
# domain edges, kinks and jumps).
UNARY_OK: Dict[str, Callable[[float], bool]] = {
    "exp": lambda x: abs(x) < 4, "log": lambda x: x > 0.1, "tanh": lambda x: True,
    "sigmoid": lambda x: True, "relu": lambda x: abs(x) > 1e-2, "sin": lambda x: True,
    "cos": lambda x: True, "sqrt": lambda x: x > 0.1, "abs": lambda x: abs(x) > 1e-2,
    "tan": lambda x: abs(x) < 1.2, "sinh": lambda x: abs(x) < 4, "cosh": lambda x: abs(x) < 4,
    "arcsin": lambda x: abs(x) < 0.9, "arccos": lambda x: abs(x) < 0.9, "arctan": lambda x: True,
    "log1p": lambda x: x > -0.9, "expm1": lambda x: abs(x) < 4, "log2": lambda x: x > 0.1,
    "log10": lambda x: x > 0.1, "exp2": lambda x: abs(x) < 4, "neg": lambda x: True,
    "sign": lambda x: abs(x) > 1e-2,
    "floor": lambda x: abs(x - round(x)) > 1e-2, "ceil": lambda x: abs(x - round(x)) > 1e-2,
    "round": lambda x: abs(abs(x - math.floor(x)) - 0.5) > 1e-2,
}
UNARY = [name for name, row in ops.OPS.items()
         if "Value" in row.kinds and row.arity == 1 and not row.param and name in UNARY_OK]


def binary_ok(op: str, a: float, b: float) -> bool:
    if op == "/":
        return abs(b) > 0.2
    if op == "**":
        return a > 0.2 and abs(b) < 3
    if op == "%":
        return abs(b) > 0.2 and abs(a / b - round(a / b)) > 1e-2
    return True


def apply_unary(name: str, v: Value) -> Value:
    return -v if name == "neg" else getattr(v, name)()


def apply_binary(op: str, a: Any, b: Any) -> Value:
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
            "**": lambda: a ** b, "%": lambda: a % b}[op]()


def value_program(seed: int) -> Tuple[Value, List[Value], List[Value]]:
    """(root, labelled leaves, every result made), from ``seed``: reuse, constants, every op."""
    rng = np.random.default_rng(seed)
    leaves = [Value(float(rng.uniform(0.3, 1.8) * rng.choice([-1, 1])), name)
              for name in ("x", "y", "w")[: int(rng.integers(1, 4))]]
    pool: List[Value] = list(leaves)
    made: List[Value] = []
    for _ in range(int(rng.integers(2, 9))):
        kind = rng.random()
        if kind < 0.4:
            name = UNARY[int(rng.integers(len(UNARY)))]
            a = pool[int(rng.integers(len(pool)))]
            if not UNARY_OK[name](a.data):
                continue
            out = apply_unary(name, a)
        elif kind < 0.5:
            a = pool[int(rng.integers(len(pool)))]
            n = [2, 3, -1, 0.5][int(rng.integers(4))]
            if (n == -1 and abs(a.data) < 0.2) or (n == 0.5 and a.data < 0.1):
                continue
            out = a ** n
        else:
            op = ["+", "-", "*", "/", "**", "%"][int(rng.integers(6))]
            a = pool[int(rng.integers(len(pool)))]
            r = rng.random()  # the other operand: a node (reuse), a number, or an unlabelled leaf
            b: Any = pool[int(rng.integers(len(pool)))] if r < 0.6 else (
                float(rng.choice([2.0, 3.0, 0.5, -1.5])) if r < 0.8 else Value(float(rng.choice([2.0, 1.5]))))
            bd = b.data if isinstance(b, Value) else b
            if not binary_ok(op, a.data, bd):
                continue
            out = apply_binary(op, a, b) if rng.random() < 0.8 or not isinstance(b, float) \
                else apply_binary(op, b, a) if binary_ok(op, bd, a.data) else apply_binary(op, a, b)
        if not abs(out.data) < 1e4:
            continue
        made.append(out)
        pool.append(out)
    if not made:
        made.append(leaves[0] * leaves[-1] + 1.0)
    root = made[-1]
    root.label = "z"
    return root, leaves, made


def local_by_differences(node: Any, i: int) -> float:
    """The true partial of ``node`` w.r.t. its parent slot ``i`` (the others held): central differences."""
    p = node.parents[i].data
    h = 1e-6 * max(1.0, abs(p))

    def at(v: float) -> float:
        ps = [Value(v if k == i else q.data) for k, q in enumerate(node.parents)]
        return again(node, ps).data

    return (at(p + h) - at(p - h)) / (2 * h)


def box_says(src: str, ids: Dict[Any, str], n: Any) -> str:
    start = src.index(f"\tn{ids[n]} [label=")
    return src[start:src.index("shape=plain", start)]


def check_picture(root: Any, max_nodes: Any = None) -> None:
    """Each box's grad is the sum of what its edges sent (consumers computed here from the graph),
    or the box says why: edges not drawn, or more than the edges drawn send."""
    src = viz.draw(root, max_nodes=max_nodes).source
    nodes, every = keep(root, max_nodes)
    drawn = set(nodes)
    ids = {n: str(k) for k, n in enumerate(nodes)}
    consumers: Dict[Any, List[Tuple[Any, int]]] = {}
    for m in every:
        for i, p in enumerate(m.parents):
            consumers.setdefault(p, []).append((m, i))
    ran = float(root.grad) != 0.0  # a pass from this root has run (it holds its seed)
    larger = False  # an intermediate its uses do not add up to: the pass started outside
    for n in nodes:
        if not ran and n is not root:  # grads from elsewhere say so
            assert ("outside this picture" in box_says(src, ids, n)) == (float(n.grad) != 0.0)
            continue
        if n is root or n not in consumers:
            continue
        uses = consumers[n]
        total = math.fsum(float(m.grad) * float(m.local_grads[i]) for m, i in uses)
        says = box_says(src, ids, n)
        hidden = [m for m, _ in uses if m not in drawn]
        assert ("not drawn" in says) == bool(hidden), (n, says)
        adds_up = abs(total - float(n.grad)) <= 1e-9 * max(abs(total), abs(float(n.grad)))  # tiny grads too
        assert ("edges drawn send" in says) == (not adds_up), (n, n.grad, total, says)
        larger = larger or (not adds_up and not n.is_leaf)
    if ran:
        assert ("a pass from a larger graph" in box_says(src, ids, root)) == larger


@settings(deadline=None, max_examples=300)
@given(SEEDS)
def test_value_programs_every_output_tells_the_truth(seed: int) -> None:
    root, leaves, made = value_program(seed)
    rng = np.random.default_rng(seed + 1)
    ex = explain(root, replay=True)
    names = ex.names
    # each edge: sent = upstream × local, and local is the true partial
    for step in ex.steps:
        for e in step.edges:
            assert e.sent == step.upstream * e.local
            want = local_by_differences(step.node, e.index)
            assert e.local == pytest.approx(want, rel=1e-5, abs=1e-6), (step.node.op, e.formula)
            assert str(e.formula).startswith("∂")
    # chain(leaf)'s total is the leaf's grad; the text starts with the total derivative
    for leaf in leaves:
        if leaf not in ex.nodes:
            continue
        ch = ex.chain(leaf)
        assert ch.total == pytest.approx(float(ex.grad_of(leaf)), rel=1e-9, abs=1e-12)
        assert str(ch).startswith(f"dz/d{leaf.label} = ") and ch.more == ch.count - len(ch.paths)
        assert ch.latex().startswith(r"\frac{\mathrm{d} z}")
    # frames and the page's lines are explain's steps; the quiz asks the right things once
    fs = frames(root)
    assert len(fs) == len(ex.steps) + 1
    for k, step in enumerate(ex.steps, 1):
        assert list(fs[k].hot) == [step.node]
        lines = step_lines(ex, k, quiz=False)
        assert len(lines) == 1 + len(step.edges)
        for line, e in zip(lines[1:], step.edges):
            assert line.startswith("dz/d") and f"= {preview(e.sent, digits=ARRAY_DIGITS)}   (" in line
    last = fs[-1].grads
    for n in ex.nodes:
        if n is not root and n in ex._finals():
            shown = preview(ex.grad_of(n), digits=ARRAY_DIGITS)
            assert last[n] == shown or last[n].startswith(shown + " = "), (last[n], shown)
    answers = _answers(ex)
    asked = [a["name"] + a.get("which", "") for a in answers]
    assert len(asked) == len(set(asked))
    wanted = [n for n in ex.nodes if n is not root and n in ex._finals() and (n.label or not n.is_leaf)]
    assert sorted(a["name"] for a in answers) == sorted(names[n] for n in wanted)
    by_name: Dict[str, List[float]] = {}
    for n in wanted:
        by_name.setdefault(names[n], []).append(float(ex.grad_of(n)))
    for a in answers:
        assert a["values"][0] in by_name[a["name"]]
    # the picture after a pass with a non-unit seed, cut or whole, and a sub-graph of it
    root.backward(float(rng.choice([1.0, 2.0, -0.5])))
    check_picture(root)
    check_picture(root, max_nodes=int(rng.integers(2, 6)))
    sub = made[int(rng.integers(len(made)))]
    check_picture(sub)
    if len(made) > 1 and rng.random() < 0.3:
        root.backward()  # leaves accumulate: the boxes say it
        check_picture(root)


# ----------------------------------------------------------------------------- the command line
CLI_UNARY = ["exp", "tanh", "sin", "cos", "sigmoid", "arctan"]


def cli_program(rng: np.random.Generator, depth: int) -> Tuple[str, Callable[[Dict[str, Value]], Any]]:
    """An expression as text and as a function of Values: the same tree, built two ways."""
    if depth == 0 or rng.random() < 0.25:
        if rng.random() < 0.7:
            name = ["x", "y"][int(rng.integers(2))]
            return name, lambda env: env[name]
        c = float(rng.choice([2.0, 0.5, 3.0]))
        return repr(c), lambda env: c
    if rng.random() < 0.35:
        f = CLI_UNARY[int(rng.integers(len(CLI_UNARY)))]
        text, build = cli_program(rng, depth - 1)
        return f"{f}({text})", lambda env: getattr(_as_value(build(env)), f)()
    op = ["+", "-", "*"][int(rng.integers(3))]
    (lt, lb), (rt, rb) = cli_program(rng, depth - 1), cli_program(rng, depth - 1)
    return f"({lt} {op} {rt})", lambda env: apply_binary(op, lb(env), rb(env))


def _as_value(v: Any) -> Value:
    return v if isinstance(v, Value) else Value(v)


@settings(deadline=None, max_examples=80)
@given(SEEDS)
def test_the_command_line_grads_are_the_librarys(seed: int) -> None:
    from viz.cli import main

    rng = np.random.default_rng(seed)
    text, build = cli_program(rng, 3)
    if not re.search(r"\bx\b", text) or "(" not in text:  # x, and at least one op
        text, build = f"x * {text}", (lambda b: lambda env: env["x"] * b(env))(build)
    env = {"x": Value(float(rng.uniform(-1.5, 1.5)), "x"), "y": Value(float(rng.uniform(-1.5, 1.5)), "y")}
    root = _as_value(build(env))
    root.backward()
    bindings = [f"{k}={v.data!r}" for k, v in env.items() if re.search(rf"\b{k}\b", text)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["explain", text, *bindings]) == 0
    final = out.getvalue().strip().splitlines()[-1]
    assert final.startswith("final grads: ")
    got = dict(re.findall(r"(\w+) = ([^,]+)", final.removeprefix("final grads: ")))
    for name, v in env.items():
        if name in got:
            assert got[name] == preview(v.grad), (text, name)  # the final line: 12 digits


# ----------------------------------------------------------------------------- Tensor programs
def _t(rng: np.random.Generator, shape: Tuple[int, ...], label: str = "", grad: bool = True) -> Tensor:
    return Tensor(rng.uniform(-1.5, 1.5, shape), requires_grad=grad, label=label)


def tensor_program(seed: int) -> Tensor:
    """A random scalar loss of Tensors exercising one of the families the teaching outputs read."""
    rng = np.random.default_rng(seed)
    x = _t(rng, (2, 3), "x")
    kind = int(rng.integers(12))
    if kind == 0:  # broadcasting: a row, a column, a constant
        b, c = _t(rng, (3,), "b"), _t(rng, (2, 1), "c")
        h = (x * b + c - Tensor(rng.uniform(1, 2, (3,)))) / Tensor(rng.uniform(1, 2, (2, 3)))
    elif kind == 1:  # reductions
        h = x.sum(axis=0) * x.mean(axis=1).sum() + x.max(axis=1).sum()
    elif kind == 2:  # matrix @ vector, vector @ matrix, inner
        v = _t(rng, (3,), "v")
        h = (x @ v) * 2.0 + (v @ x.transpose()).sum() + v @ v
    elif kind == 3:  # batched @ with a shared matrix
        A, W = _t(rng, (2, 2, 3), "A"), _t(rng, (3, 2), "W")
        h = (A @ W).tanh()
    elif kind == 4:  # indexing and shape ops
        h = x[0] * x[:, 1].sum() + x.reshape(3, 2)[1:].transpose().sum(axis=1)[0]
    elif kind == 5:  # softmax and cross-entropy with labels
        h = F.cross_entropy(F.softmax(x, axis=1) * 3.0, np.array([2, 0]))
    elif kind == 6:  # cross-entropy with probability rows that need a grad too
        t = Tensor(rng.uniform(0.1, 1.0, (2, 3)), requires_grad=True, label="t")
        h = F.cross_entropy(x, t)
    elif kind == 7:  # mse against a constant target
        h = F.mse_loss(x.tanh(), Tensor(rng.uniform(-1, 1, (2, 3))))
    elif kind == 8:  # einsum
        w = _t(rng, (3, 4), "w")
        h = F.einsum("ij,jk->ik", x, w).sin()
    elif kind == 9:  # maximum / where with a broadcast input
        b = _t(rng, (3,), "b")
        h = F.maximum(x, b) + F.where(x.data > 0, x, b * 2.0)
    elif kind == 10:  # convolution and pooling
        img, k = _t(rng, (1, 1, 4, 4), "img"), _t(rng, (2, 1, 2, 2), "k")
        h = F.max_pool2d(F.conv2d(img, k, pad=1), 2)
    else:  # reuse of one tensor in several uses, and log of positive values
        h = (x * x).exp().log() + x.abs() * x
    loss = h.sum() if h.data.size != 1 else h
    loss.label = "L"
    return loss


def directional(node: Any, i: int, upstream: np.ndarray, d: np.ndarray) -> float:
    """upstream · (∂node/∂parent_i) d by central differences of the op replayed alone."""
    h = 1e-6

    def at(s: float) -> np.ndarray:
        ps = [Tensor(q.data + s * d if k == i else q.data) for k, q in enumerate(node.parents)]
        return np.asarray(again(node, ps).data, dtype=np.float64)

    return float(np.vdot(upstream, (at(h) - at(-h)) / (2 * h)))


ELEMENTWISE = {"+", "-", "*", "/", "maximum", "minimum", "where"}


@settings(deadline=None, max_examples=200)
@given(SEEDS)
def test_tensor_programs_every_output_tells_the_truth(seed: int) -> None:
    loss = tensor_program(seed)
    rng = np.random.default_rng(seed + 2)
    ex = explain(loss, replay=True)
    received: Dict[Any, Any] = {}
    for step in ex.steps:
        up = np.asarray(step.upstream, dtype=np.float64)
        for e in step.edges:
            parent = e.parent
            sent = np.asarray(e.sent, dtype=np.float64)
            assert sent.shape == np.shape(parent.data), e.formula
            received[parent] = received.get(parent, 0.0) + sent
            # what the edge sends is the vjp of the true partial: upstream · J d = sent · d
            d = rng.standard_normal(np.shape(parent.data))
            assert float(np.vdot(sent, d)) == pytest.approx(directional(step.node, e.index, up, d),
                                                            rel=1e-5, abs=1e-6), e.formula
            # a broadcast edge says it sums; no edge says "vjp of" (every row has words)
            out, mine = np.shape(step.node.data), np.shape(parent.data)
            if step.node.op in ELEMENTWISE and mine != out:
                assert "summed over" in e.formula, e.formula
            assert "vjp of" not in e.formula and "onehot" not in e.formula or "labels" in e.formula
    for parent, total in received.items():  # each grad is the sum of what its edges sent
        np.testing.assert_allclose(total, np.asarray(ex.grad_of(parent), dtype=np.float64), rtol=1e-12,
                                   atol=1e-12)
    fs = frames(loss)
    assert len(fs) == len(ex.steps) + 1
    assert "?" not in fs[-1].grads.values()  # constants say they need none
    for k, step in enumerate(ex.steps, 1):
        assert list(fs[k].hot) == [step.node] and len(step_lines(ex, k, False)) == 1 + len(step.edges)
    answers = _answers(ex)
    asked = [a["name"] + a.get("which", "") for a in answers]
    assert len(asked) == len(set(asked))
    for a in answers:
        node = next(n for n in ex.nodes if ex.names[n] == a["name"] and n in ex._finals()
                    and np.array_equal(np.asarray(ex.grad_of(n), dtype=np.float64).reshape(-1), a["values"]))
        assert node.label or not node.is_leaf
    # the picture of the pass: a box with several uses shows its sum, never "edges drawn send"
    loss.backward()
    src = viz.draw(loss).source
    assert "edges drawn send" not in src and "not drawn" not in src


# ----------------------------------------------------------------------------- LaTeX compiles
def _latex_compiler() -> Any:
    """KaTeX through node: from NODE_PATH, or from .katex/ of the checkout (tools/install_katex.sh)."""
    node = shutil.which("node")
    if node is not None:
        env = dict(os.environ)
        local = Path(__file__).resolve().parent.parent / ".katex" / "node_modules"
        env["NODE_PATH"] = os.pathsep.join(p for p in (env.get("NODE_PATH", ""), str(local)) if p)
        probe = subprocess.run([node, "-e", "require('katex')"], capture_output=True, timeout=30, env=env)
        if probe.returncode == 0:
            return lambda tex: subprocess.run(
                [node, "-e", "require('katex').renderToString(process.argv[1], {throwOnError: true})", tex],
                capture_output=True, timeout=30, env=env)
    return None


@settings(deadline=None, max_examples=25)
@given(SEEDS)
def test_every_latex_string_compiles(seed: int) -> None:
    compile_ = _latex_compiler()
    if compile_ is None:
        pytest.skip("KaTeX is not installed for node (bash tools/install_katex.sh, or npm install katex on "
                    "NODE_PATH): not compiled here")
    root, leaves, _ = value_program(seed)
    leaves[0].label = "x\\^~{}<b>_%$#&"  # user text with every special character
    ex = explain(root, replay=True)
    for leaf in leaves:
        if leaf in ex.nodes:
            result = compile_(ex.chain(leaf).latex())
            assert result.returncode == 0, result.stderr.decode()
