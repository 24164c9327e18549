"""The evaluation trace: automatic differentiation in its textbook form.

Griewank and Walther, and Baydin et al. (2018, Tables 2-3), write a program as a list of
assignments to variables ``v``: the inputs are ``v₁₋ₙ ... v₀`` (``v₋₁ = x₁``, ``v₀ = x₂``),
every operation makes the next ``vᵢ`` and the output is the last one.  That *forward primal
trace* is what ``Value`` records as a graph.  Forward mode writes beside each line its *tangent*
``v̇ᵢ = Σ ∂vᵢ/∂vⱼ · v̇ⱼ``; reverse mode runs the list backwards, writing each *adjoint*
``v̄ⱼ = v̄ⱼ + v̄ᵢ · ∂vᵢ/∂vⱼ`` (the first contribution starts it: ``v̄ⱼ = v̄ᵢ · ∂vᵢ/∂vⱼ``).

``explain(y).trace()`` writes the primal and adjoint traces of a recorded backward pass (every
adjoint is the number the engine added); :func:`autograd_lite.forward.trace` the primal and
tangent traces of ``f`` at a point along a direction.  Variables are the labelled leaves (or
``f``'s arguments) and every operation; an unlabelled leaf is a constant, written as its number.
The survey's example, written in its order (one assignment per line, as the survey numbers them):

>>> from autograd_lite import Value, explain
>>> x1, x2 = Value(2.0, "x1"), Value(5.0, "x2")
>>> v1 = x1.log(); v2 = x1 * x2; v3 = x2.sin(); v4 = v1 + v2
>>> y = v4 - v3
>>> t = explain(y).trace(decimals=3)
>>> print(t.lines("primal")[4])
v₃ = sin(v₀) = sin(5) = -0.959
>>> print(t.lines("adjoint")[-2])
x̄₁ = v̄₋₁ = 5.5

Text (``str``), LaTeX (``latex()``: an ``aligned`` block, or ``align*`` for a document) and
HTML (a notebook shows it).  Numbers go through :func:`autograd_lite.fmt`; ``decimals=3``
rounds them as the survey prints them.
"""

from __future__ import annotations

import inspect
import math
import numbers
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .format import atom, fmt
from .i18n import language, tr, tr_n
from .trace_text import Trace, TraceLine, k_of
from .words import chain_word, expression, use_number

__all__ = ["Trace", "TraceLine", "adjoint_trace", "tangent_trace", "MAX_TRACE_NODES"]

#: The largest graph written as a trace (read, not scrolled): more nodes are refused up front.
MAX_TRACE_NODES = 2000
#: The most inputs :func:`tangent_trace` takes.
MAX_TRACE_INPUTS = 1000


# ---------------------------------------------------------------------------- building
def _number_format(digits: Any, decimals: Any, where: str) -> Callable[[float], str]:
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"{where}: digits must be an int from 1 to 17, got {digits!r}")
    if decimals is None:
        return lambda x: fmt(x, digits)
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 15:
        raise ValueError(f"{where}: decimals must be None or an int from 0 to 15, got {decimals!r}")

    def rounded(x: float) -> str:
        if not math.isfinite(x):
            return fmt(x)
        r = round(x, decimals)
        return fmt(r if r != 0.0 else 0.0, 17)

    return rounded


class _Program:
    """The variables of a graph: inputs v₁₋ₙ ... v₀, then one vᵢ per operation in creation order."""

    def __init__(self, nodes: List[Any], inputs: List[Any], root: Any, input_names: List[str],
                 root_name: str, number: Callable[[float], str], where: str) -> None:
        from .value import Value

        if len(nodes) + len(inputs) > MAX_TRACE_NODES:
            raise ValueError(f"{where}: the graph has {len(nodes)} nodes; a trace is written for at most "
                             f"{MAX_TRACE_NODES}")
        if not all(isinstance(n, Value) for n in nodes):
            raise TypeError(f"{where}: the evaluation trace is written for Value graphs (one number per "
                            "variable), not Tensor graphs")
        self.index: Dict[Any, int] = {}
        for k, x in enumerate(inputs):
            self.index[x] = k - len(inputs) + 1
        operations = [n for n in nodes if n.parents]
        for k, n in enumerate(operations, 1):
            self.index[n] = k
        if root not in self.index:  # an output that is a constant leaf
            self.index[root] = len(operations) + 1 if root.parents else 1
        self.inputs, self.operations, self.root, self.number = inputs, operations, root, number
        self.names = [*input_names, root_name]
        self.sym: Dict[Any, str] = {}
        self.num: Dict[Any, str] = {}
        for n in nodes:
            if n in self.index:
                self.sym[n] = f"V_{k_of(self.index[n])}"
                self.num[n] = number(n.data)
            else:  # a constant: its number, in both
                self.sym[n] = self.num[n] = fmt(n.data)

    def var(self, n: Any, mark: str = "") -> str:
        return f"V{mark}_{k_of(self.index[n])}"

    def primal(self) -> List[TraceLine]:
        lines = [TraceLine(self.var(x), (f"N_{j}",), x.data, x) for j, x in enumerate(self.inputs)]
        for n in self.operations:
            stages = _distinct([expression(n, self.sym), expression(n, self.num)])
            lines.append(TraceLine(self.var(n), stages, n.data, n, _note(n)))
        out = len(self.names) - 1
        lines.append(TraceLine(f"N_{out}", (self.var(self.root),), self.root.data, self.root))
        return lines


def _note(n: Any) -> str:
    return str(getattr(n, "label", ""))


def _distinct(stages: List[str]) -> Tuple[str, ...]:
    out: List[str] = []
    for s in stages:
        if not out or s != out[-1]:
            out.append(s)
    return tuple(out)


def _times(factor: str, word: str, ones: bool) -> str:
    """``v̄₄·1``, ``v̇₋₁/v₋₁`` (a local ``1/x``), ``v̇₀·cos(v₀)``: a factor times a local derivative in
    words; ``ones=False`` writes a local 1 as the factor alone and -1 as its negative."""
    if not ones and word == "1":
        return factor
    if not ones and word == "-1":
        return "-" + factor
    if word.startswith("1/") and len(word) > 2:
        return f"{factor}/{atom(word[2:])}"
    return f"{factor}·{atom(word)}"


def _sum(terms: List[str]) -> str:
    if not terms:
        return "0"
    out = terms[0]
    for t in terms[1:]:
        out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
    return out


def adjoint_trace(explanation: Any, *, digits: int = 12, decimals: Optional[int] = None,
                  lang: Optional[str] = None) -> Trace:
    """The primal and adjoint traces of a recorded backward pass (see the module notes); every
    adjoint is the grad the engine left after that step, exactly. ``lang``: ``"en"`` or ``"zh"``."""
    said = None if lang is None else language(lang, "explain(...).trace()")
    number = _number_format(digits, decimals, "explain(...).trace()")
    nodes, names, root = explanation.nodes, explanation.names, explanation.root
    inputs = [n for n in nodes if not n.parents and (_note(n) or n is root)]
    taken = {_note(n) for n in inputs}
    root_name = _note(root) or next(c for c in ("y", "f", "out", "output") if c not in taken)
    input_names = [getattr(n, "label", "") or names[n] for n in inputs]
    p = _Program(nodes, inputs, root, input_names, root_name, number, "explain(...).trace()")
    second = [TraceLine(p.var(root, "b"), (f"Nb_{len(inputs)}",), explanation.seed, root)]
    started = {root}
    for step in explanation.steps:
        node = step.node
        for e in step.edges:
            parent = e.parent
            if parent not in p.index:
                continue  # a constant: not a variable of the trace
            top, bottom = p.var(node, "b"), p.var(parent, "b")
            use = use_number(node, e.index)
            symbol = f"D_{k_of(p.index[node])}_{k_of(p.index[parent])}" + (f"_u{use}" if use else "")
            word = _times(top, chain_word(node, e.index, p.sym), ones=True)
            first = parent not in started and e.before == 0.0
            started.add(parent)
            stages = ((f"{top}·{symbol}", word) if first
                      else (f"{bottom} + {top}·{symbol}", f"{bottom} + {word}"))
            second.append(TraceLine(bottom, stages, float(e.after), parent))
    for j, x in enumerate(inputs):
        second.append(TraceLine(f"Nb_{j}", (p.var(x, "b"),), float(explanation.grad_of(x)), x))
    partials = ", ".join(f"T_{len(inputs)}_{j} = Nb_{j} = {number(float(explanation.grad_of(x)))}"
                         for j, x in enumerate(inputs))

    def summary() -> str:
        if not inputs:
            return tr("No input: the output depends on constants only.")
        return tr("One reverse sweep gave the whole gradient: {partials}.").format(partials=partials)

    return Trace("adjoint", p.primal(), second, p.names, summary, "", number, said)


def _power_of_number(n: Any) -> bool:
    from .ops import op_row

    row = op_row(n.op)
    return row is not None and row.name == "**n"


def _argument_names(f: Callable[..., Any], n: int) -> List[str]:
    """``f``'s own parameter names when they are n plain positional ones, else x1 ... xn."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = []
    plain = [q.name for q in params if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD)]
    if len(plain) == n == len(params) and len(set(plain)) == n and "y" not in plain:
        return plain
    return [f"x{i}" for i in range(1, n + 1)]


def tangent_trace(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], *,
                  digits: int = 12, decimals: Optional[int] = None, lang: Optional[str] = None) -> Trace:
    """The primal and tangent traces of ``f`` at ``primals`` along ``tangents`` (see
    :func:`autograd_lite.forward.trace`). ``lang``: ``"en"`` or ``"zh"``."""
    said = None if lang is None else language(lang, "forward.trace")
    from .engine import enable_grad
    from .numeric import _check_number
    from .reading import graph_nodes
    from .value import Value

    where = "forward.trace"
    number = _number_format(digits, decimals, where)
    if not callable(f):
        raise TypeError(f"{where}: f must be a function of numbers, got {type(f).__name__}: {f!r}")
    for what, seq in (("primals", primals), ("tangents", tangents)):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence):
            raise TypeError(f"{where}: {what} must be a list or tuple of numbers, got {type(seq).__name__}")
    if len(primals) != len(tangents):
        raise ValueError(f"{where}: {len(primals)} primals but {len(tangents)} tangents; "
                         "give one tangent per input")
    if not 1 <= len(primals) <= MAX_TRACE_INPUTS:
        raise ValueError(f"{where}: f takes 1 to {MAX_TRACE_INPUTS} inputs here, got {len(primals)}")
    xs_data = [_check_number(x, f"{where} (primals)") for x in primals]
    dots = [_check_number(t, f"{where} (tangents)") for t in tangents]
    labels = _argument_names(f, len(xs_data))
    with enable_grad():
        xs = [Value(v, label) for v, label in zip(xs_data, labels)]
        out = f(*xs)
    if isinstance(out, numbers.Real) and not isinstance(out, bool):
        raise ValueError(f"{where}: f returned the number {fmt(float(out))}, which depends on none of "
                         "its inputs")
    if not isinstance(out, Value):
        raise TypeError(f"{where}: f must return one Value (a function of its arguments), "
                        f"got {type(out).__name__}")
    nodes = graph_nodes(out)
    if len(nodes) > MAX_TRACE_NODES:
        raise ValueError(f"{where}: the graph has {len(nodes)} nodes; a trace is written for at most "
                         f"{MAX_TRACE_NODES}")
    args = {id(x) for x in xs}
    if not out.parents and id(out) not in args:
        raise ValueError(f"{where}: f returned the constant {fmt(out.data)}, which depends on none of "
                         "its inputs")
    foreign = [n for n in nodes if not n.parents and _note(n) and id(n) not in args]
    if foreign:
        raise ValueError(f"{where}: f uses the Value {foreign[0].label!r} that is not one of its arguments; "
                         "pass it as an argument (or use a number)")
    inputs = list(xs)
    p = _Program(nodes, inputs, out, labels, "y", number, where)
    tangent: Dict[Any, float] = {x: t for x, t in zip(xs, dots)}
    second = [TraceLine(p.var(x, "d"), (f"Nd_{j}",), tangent[x], x) for j, x in enumerate(inputs)]
    for n in p.operations:
        value = 0.0
        sym_terms: List[str] = []
        num_terms: List[str] = []
        for i, (parent, local) in enumerate(zip(n.parents, n.local_grads)):
            t = tangent.get(parent, 0.0)
            if t:  # as Dual does: a zero tangent adds nothing (not even 0·inf)
                value += local * t
            if parent not in p.index:
                continue
            sym_terms.append(_times(p.var(parent, "d"), chain_word(n, i, p.sym), ones=False))
            num_terms.append(_times(atom(number(tangent[parent])), chain_word(n, i, p.num), ones=False))
        if _power_of_number(n):  # as Dual's x**n: the product alone (-0.0 stays -0.0)
            t = tangent.get(n.parents[0], 0.0)
            value = n.local_grads[0] * t if t else 0.0
        tangent[n] = value
        stages = _distinct([_sum(sym_terms), _sum(num_terms)])
        second.append(TraceLine(p.var(n, "d"), stages, value, n))
    y = len(inputs)
    second.append(TraceLine(f"Nd_{y}", (p.var(out, "d"),), tangent.get(out, 0.0), out))
    seed_note = ", ".join(f"Nd_{j} = {number(t)}" for j, t in enumerate(dots))
    unit = [j for j, t in enumerate(dots) if t != 0.0]
    result = number(tangent.get(out, 0.0))
    if len(unit) == 1 and dots[unit[0]] == 1.0:
        what = f"Nd_{y} = T_{y}_{unit[0]} = {result}"
    else:
        what = f"Nd_{y} = " + " + ".join(f"T_{y}_{j}·Nd_{j}" for j in range(y)) + f" = {result}"

    def summary() -> str:
        sweeps = tr_n("{n} sweep", "{n} sweeps, one per input", y).format(n=y)
        return tr("One forward sweep gave one derivative along the seed: {what}; the whole gradient takes "
                  "{sweeps} (one reverse sweep gives it all: explain(y).trace()).").format(what=what,
                                                                                        sweeps=sweeps)

    return Trace("tangent", p.primal(), second, p.names, summary, seed_note, number, said)
