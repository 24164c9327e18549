"""The backward pass as code: ``explain(root).code()`` writes the adjoint program.

The program is straight-line Python that needs nothing but ``math``: the leaves' values, the
forward pass (one line per node, from the op's rule), then the backward pass, one line per
chain-rule step in the engine's own order (``x_grad += t1_grad * y  # ∂(x*y)/∂x = y = 2``).
Each local derivative is written as the engine computes it (the op table's rule on floats), and
the lines run in the order the engine adds, so running the program gives every grad of
``backward()`` bit for bit.

Every line is checked as it is written: the expression is evaluated on the graph's own numbers
and must give the engine's number exactly; where it does not (an op without a formula here, such
as a user's ``Function``, or an edge case like a slope at a pole) the line holds the engine's
number itself and says so.  A program never computes a wrong number.

>>> from autograd_lite import Value, explain
>>> x, y = Value(2.0, "x"), Value(3.0, "y")
>>> z = x * y + x
>>> program = explain(z).code()
>>> print(program.splitlines()[-4])
x_grad += t1_grad * y  # ∂(x*y)/∂x = y = 3
>>> space = {}
>>> exec(program, space)
>>> space["grads"]
{'x': 4.0, 'y': 2.0}
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, List, Optional, Tuple

from . import ops
from .adjoint_common import _HELPERS, AdjointProgram, _identifiers, _literal
from .format import fmt
from .specialise import _local
from .words import expression, formula

__all__ = ["AdjointProgram", "write", "code_rows", "MAX_CODE_NODES"]

#: The largest graph written as code (a program is read, not scrolled): more nodes are refused.
MAX_CODE_NODES = 2000

# The forwards that are neither math's function of the row's name nor the row's ``inline`` text.
_FORWARD: Dict[str, str] = {
    "+": "{a} + {b}", "-": "{a} - {b}", "*": "{a} * {b}", "/": "{a} / {b}", "%": "{a} % {b}",
    "sigmoid": "sigmoid({a})", "abs": "abs({a})", "exp2": "2.0 ** {a}", "sign": "sign({a})",
    "floor": "math.copysign(math.floor({a}), {a})", "ceil": "math.copysign(math.ceil({a}), {a})",
    "round": "math.copysign(round({a}), {a})", "reciprocal": "1.0 / {a}",
}
# The rows whose rules are functions (a limit at a point, masks), not text: their code by hand,
# held to the engine's numbers line by line like every other.
_LN2 = repr(math.log(2.0))
_BY_HAND: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    # the rows of autograd_lite.ops_more written as functions
    "sinc": ("sinc({a})", ("sinc_slope({a}, {out})",)),
    "arctan2": ("math.atan2({a}, {b})", ("{b} * (1.0 / ({a} * {a} + {b} * {b}))",
                                         "-{a} * (1.0 / ({a} * {a} + {b} * {b}))")),
    "hypot": ("math.hypot({a}, {b})", ("{a} / {out}", "{b} / {out}")),
    "logaddexp": ("logaddexp({a}, {b})", ("sigmoid({a} - {b})", "sigmoid({b} - {a})")),
    "logaddexp2": ("logaddexp2({a}, {b})", (f"sigmoid(({{a}} - {{b}}) * {_LN2})",
                                            f"sigmoid(({{b}} - {{a}}) * {_LN2})")),
    "fmax": ("fmax({a}, {b})", ("(1.0 if {a} >= {b} or {b} != {b} else 0.0)",
                                "1.0 - (1.0 if {a} >= {b} or {b} != {b} else 0.0)")),
    "fmin": ("fmin({a}, {b})", ("(1.0 if {a} <= {b} or {b} != {b} else 0.0)",
                                "1.0 - (1.0 if {a} <= {b} or {b} != {b} else 0.0)")),
}
# b·a**(b-1) and a**b·ln a as a student writes them: the row's text spells out the edge cases
# (where(is_zero(b), ...)); every line is checked against the engine's number as it is written,
# and an edge case where the short formula differs shows the engine's number instead.
_POWER = ("{a} ** {b}", ("{b} * {a} ** ({b} - 1.0)", "{out} * math.log({a})"))

_MATH = ("cos", "sin", "exp", "log", "sqrt", "cosh", "sinh")
_CONSTANTS = {name: repr(ops.VOCABULARY[name]) for name in ("LN2", "LN10", "RAD", "DEG")}


def _from_row(row: ops.Op) -> Optional[Tuple[str, Tuple[str, ...]]]:
    """(forward, local derivatives) of a row, written from its own text (the rules' vocabulary as
    math's functions and the helpers above)."""
    if not row.rules or not all(hasattr(r, "code") for r in row.rules):
        return None
    forward = _FORWARD.get(row.name)
    if forward is None and row.inline and row.arity == 1:
        forward = "(" + re.sub(r"\ba\b", "{a}", row.inline) + ")"
    name = getattr(row.scalar, "__name__", "")
    if forward is None and name and getattr(math, name, None) is row.scalar:
        forward = f"math.{name}({{a}})"
    if forward is None:
        return None
    fields = {"a": "{a}", "b": "{b}", "out": "{out}", **_CONSTANTS, **{f: f"math.{f}" for f in _MATH}}
    return forward, tuple(_local(rule, fields, {}) for rule in row.rules)


def code_rows() -> Dict[str, Tuple[str, Tuple[str, ...]]]:
    """The forward and local-derivative code of every Value op written out, from the op table's
    rows (``**n`` is made per node)."""
    ops.load_all()
    rows: Dict[str, Tuple[str, Tuple[str, ...]]] = {"**": _POWER, **_BY_HAND}
    for row in ops.OPS.values():
        if "Value" in row.kinds and not row.user:
            made = _from_row(row)
            if made is not None:
                rows[row.name] = made
    return rows


def _power_code(n: float) -> Tuple[str, Tuple[str, ...]]:
    """x**n and its slope as the rule computes it: 0, 1, 2·x (exact, as x + x) or n·x**(n-1)."""
    if n == 0.0:
        slope = "0.0"
    elif n == 1.0:
        slope = "1.0"
    elif n == 2.0:
        slope = "2.0 * {a}"
    else:
        slope = f"{_literal(n)} * {{a}} ** {_literal(n - 1.0)}"
    return f"{{a}} ** {_literal(n)}", (slope,)


def _same(x: Any, y: Any) -> bool:
    """Bit for bit (both NaN counts as the same: a NaN has no value to differ in)."""
    if not isinstance(x, float) or not isinstance(y, float):
        return False
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


class _Writer:
    """Writes lines whose expressions are checked against the engine's numbers as they go."""

    def __init__(self) -> None:
        self.env: Dict[str, Any] = {"math": math}
        for helper in _HELPERS.values():
            exec(helper, self.env)  # noqa: S102  (the helpers' own text, fixed above)
        self.helpers: List[str] = []

    def exact(self, expr: str, want: float) -> bool:
        """True when ``expr`` gives ``want`` bit for bit on the numbers defined so far."""
        try:
            got = eval(expr, self.env)  # noqa: S307  (an expression written above, on floats)
        except (ArithmeticError, ValueError, TypeError):
            return False
        if isinstance(got, bool) or not isinstance(got, (int, float)) or not _same(float(got), float(want)):
            return False
        for name in _HELPERS:
            if f"{name}(" in expr and name not in self.helpers:
                self.helpers.append(name)
        return True


def _rows_of(node: Any) -> Optional[Tuple[str, Tuple[str, ...]]]:
    row = ops.op_row(node.op)
    if row is None or row.user or len(node.parents) != row.arity:
        return None
    if row.name == "**n":
        return _power_code(float(ops.param_text(node.op)))
    return _rows().get(row.name)


def _rows() -> Dict[str, Tuple[str, Tuple[str, ...]]]:
    global _ROWS
    if _ROWS is None or len(_ROWS) < len(ops.OPS):  # rows registered since (a user's, a Tensor's)
        _ROWS = code_rows()
    return _ROWS


_ROWS: Optional[Dict[str, Tuple[str, Tuple[str, ...]]]] = None


def write(explanation: Any) -> AdjointProgram:
    """The adjoint program of a recorded backward pass (see the module notes; Tensor graphs:
    :mod:`autograd_lite.adjoint_tensor`)."""
    nodes = explanation.nodes
    from .value import Value

    if len(nodes) > MAX_CODE_NODES:
        raise ValueError(f"explain(...).code(): the graph has {len(nodes)} nodes; a program is written "
                         f"for at most {MAX_CODE_NODES}")
    if not all(isinstance(n, Value) for n in nodes):
        from .adjoint_tensor import write_tensor

        return write_tensor(explanation)
    shown = explanation.names
    ids = _identifiers(nodes, shown)
    w = _Writer()
    forward = ["# the inputs"]
    for n in nodes:
        if n.is_leaf:
            w.env[ids[n]] = n.data
            what = f"the constant {shown[n]}" if not getattr(n, "label", "") else "an input"
            forward.append(f"{ids[n]} = {_literal(n.data)}  # {what}")
    forward.append("")
    forward.append("# the forward pass")
    rows: Dict[Any, Optional[Tuple[str, Tuple[str, ...]]]] = {}
    for n in nodes:
        if n.is_leaf:
            continue
        rows[n] = _rows_of(n)
        fields = _fields(n, ids)
        expr = rows[n][0].format(**fields) if rows[n] is not None else ""  # type: ignore[index]
        words = f"{expression(n, shown)} = {fmt(n.data)}"
        if expr and w.exact(expr, n.data):
            forward.append(f"{ids[n]} = {expr}  # {words}")
        else:
            forward.append(f"{ids[n]} = {_literal(n.data)}  # {words}: the engine's value (no formula "
                           "for this op here)")
        w.env[ids[n]] = n.data
    backward = ["", "# the backward pass: every grad starts at 0; the output's is the seed",
                *(f"{ids[n]}_grad = 0.0" for n in nodes if n is not explanation.root),
                f"{ids[explanation.root]}_grad = {_literal(0.0 + explanation.seed)}"]
    for step in explanation.steps:
        node = step.node
        up = f"{ids[node]}_grad"
        for e in step.edges:
            backward.append(_edge_line(w, rows.get(node), e, node, up, ids, shown))
    leaves = [n for n in nodes if n.is_leaf and getattr(n, "label", "")]
    backward += ["", "grads = {" + ", ".join(f"{ids[n]!r}: {ids[n]}_grad" for n in leaves) + "}"]
    head = ["# The adjoint program of " + shown[explanation.root] + ": straight-line Python "
            "(autograd_lite's explain(...).code())", "import math", ""]
    head += [_HELPERS[h] for h in w.helpers]
    return AdjointProgram("\n".join(head + forward + backward) + "\n", ids)


def _fields(node: Any, ids: Dict[Any, str]) -> Dict[str, str]:
    ps = node.parents
    return {"a": ids[ps[0]], "b": ids[ps[1]] if len(ps) > 1 else "", "out": ids[node]}


def _edge_line(w: _Writer, row: Optional[Tuple[str, Tuple[str, ...]]], e: Any, node: Any, up: str,
               ids: Dict[Any, str], shown: Dict[Any, str]) -> str:
    """``parent_grad += upstream * local  # the edge in words``, the local as the rule computes it."""
    target = f"{ids[e.parent]}_grad"
    words = formula(node, e.index, shown)
    local = row[1][e.index].format(**_fields(node, ids)) if row is not None and e.index < len(row[1]) else ""
    if local and w.exact(local, e.local):
        if local == "1.0":
            return f"{target} += {up}  # {words}"
        if local == "-1.0":
            return f"{target} += -{up}  # {words}"
        factor = local if local.isidentifier() or _is_plain(local) else f"({local})"
        return f"{target} += {up} * {factor}  # {words}"
    return f"{target} += {up} * {_literal(e.local)}  # {words}: the engine's number (no formula here)"


def _is_plain(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return not text.startswith("-")

