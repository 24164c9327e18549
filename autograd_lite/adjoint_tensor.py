"""The adjoint program of a Tensor graph: :mod:`autograd_lite.adjoint_code` with numpy.

The same shape as for Values: the inputs (exact float literals), the forward pass, then one line
per chain-rule step in the engine's order.  A Tensor op sends a vector-Jacobian product, written
as the op's rule computes it on arrays (``t1_grad * x1``, ``g @ Wᵀ``), and where broadcasting
stretched a parent the line sums it back with ``unbroadcast``, the engine's one un-broadcast,
written out at the top of the program.  A grad is never added to in place (``x_grad = x_grad +
...``): a grad may be the very array another node sent, as the engine keeps it.  Every line is
checked against the engine's own array as it is written; where no formula here gives it bit for
bit (an op without one, such as ``getitem``) the line holds the engine's array and says so.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import ops
from .adjoint_common import AdjointProgram, _identifiers, _literal
from .specialise import vjp_text
from .words import expression, formula

#: At most this many numbers are written into a program (inputs and any engine arrays).
MAX_CODE_NUMBERS = 20000

_UNBROADCAST = (
    "def unbroadcast(g, shape):\n"
    "    # sum g over the axes broadcasting added or stretched (the engine's one un-broadcast)\n"
    "    extra = g.ndim - len(shape)\n"
    "    if extra > 0:\n"
    "        g = np.add.reduce(g, 0 if extra == 1 else tuple(range(extra)))\n"
    "    if g.shape != shape:\n"
    "        axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)\n"
    "        g = np.add.reduce(g, axes, keepdims=True)\n"
    "    return np.asarray(g)\n"
)

# op -> its forward in numpy, in {a}, {b}.  What it sends each parent is the op's rule as the
# engine runs it: generated from the row's text (autograd_lite.specialise.vjp_text), with the
# rules' vocabulary in numpy; the ops whose Tensor rule is its own code are written out below.
_FORWARD: Dict[str, str] = {
    "+": "{a} + {b}", "-": "{a} - {b}", "*": "{a} * {b}", "/": "{a} / {b}", "neg": "-{a}",
    "sigmoid": "np.exp(-np.logaddexp(0.0, -{a}))", "relu": "np.maximum({a}, 0.0)",
}
_NUMPY_FORMS = {"step": "({x} > 0.0)"}
_NUMPY_NAMES = {"recip": "np.reciprocal", "cos": "np.cos", "sin": "np.sin", "exp": "np.exp", "log": "np.log",
                "sign": "np.sign", "sqrt": "np.sqrt", "cosh": "np.cosh", "sinh": "np.sinh",
                "floordiv": "np.floor_divide"}
_OWN_CODE: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    # b·a**(b-1), 0 where b = 0; a**b·ln a, 0 where a = 0 and NaN where a < 0 (the row's rule,
    # with numpy's where for its where(is_zero(b), ...): what a student writes with numpy)
    "**": ("{a} ** {b}", ("{g} * np.where({b} == 0, 0.0, {b} * {a} ** ({b} - 1.0))",
                          "{g} * np.where({a} > 0, {out} * np.log(np.where({a} > 0, {a}, 1.0)), "
                          "np.where({a} == 0, 0.0, np.nan))")),
    "@": ("{a} @ {b}", ("{g} @ {b}.T", "{a}.T @ {g}")),
}


def _from_row(op: str) -> Optional[Tuple[str, Tuple[str, ...]]]:
    """(forward, sends) of an op whose Tensor rule is generated from its row's text."""
    row = ops.op_row(op)
    if row is None or not hasattr(row.vjp, "source"):
        return None
    forward = _FORWARD.get(row.name) or (f"np.{row.array}({{a}})" if row.arity == 1 and row.array else None)
    if forward is None:
        return None
    sends = []
    for i in range(len(row.rules)):
        text = vjp_text(row, i, _NUMPY_FORMS)
        text = re.sub(r"\b(g|a|b|out)\b", lambda m: "{" + m.group(1) + "}", text)
        text = re.sub(r"\b(\w+)\(", lambda m: _NUMPY_NAMES.get(m.group(1), m.group(1)) + "(", text)
        sends.append(text)
    return forward, tuple(sends)


def _row(node: Any) -> Optional[Tuple[str, Tuple[str, ...]]]:
    op, saved = node.op, node._saved
    if op.startswith("**") and len(node.parents) == 1:
        k = float(saved)
        slope = {2.0: "{g} * ({a} + {a})", 0.0: "{g} * 0.0", 1.0: "{g}"}.get(
            k, f"{{g}} * ({k!r} * {{a}} ** {k - 1.0!r})")
        return f"{{a}} ** {k!r}", (slope,)
    if op in ("sum", "mean") and isinstance(saved, tuple) and len(saved) >= 3:
        axis, kshape, count = saved[0], saved[1], saved[2]
        keep = np.ndim(node.data) == np.ndim(node.parents[0].data) and np.ndim(node.data) > 0
        forward = f"{{a}}.{op}(axis={axis!r}, keepdims={keep})"
        spread = f"{{g}}.reshape({tuple(kshape)!r})" + (f" / {count!r}" if op == "mean" else "")
        return forward, (f"np.broadcast_to({spread}, {{a}}.shape)",)
    if op == "transpose" and isinstance(saved, tuple):  # saved: the inverse permutation
        perm = tuple(int(k) for k in np.argsort(saved))
        return f"{{a}}.transpose({perm!r})", (f"{{g}}.transpose({tuple(saved)!r})",)
    if op == "reshape":
        return f"{{a}}.reshape({np.shape(node.data)!r})", ("{g}.reshape({a}.shape)",)
    if op == "@" and any(np.ndim(p.data) != 2 for p in node.parents):
        return None  # the rule promotes 1-D operands: written only for matrices
    return _OWN_CODE.get(op) or _from_row(op)


def _array(x: Any) -> str:
    """numpy that makes exactly ``x`` (its dtype named unless float64)."""
    a = np.asarray(x)

    def nested(v: Any) -> str:
        return "[" + ", ".join(nested(e) for e in v) + "]" if isinstance(v, list) else _literal(v)

    dtype = "" if a.dtype == np.float64 else f", dtype=np.{a.dtype.name}"
    return f"np.array({nested(a.tolist())}{dtype})"


def _same(x: Any, y: Any) -> bool:
    x, y = np.asarray(x), np.asarray(y)
    return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()


class _Writer:
    def __init__(self) -> None:
        self.env: Dict[str, Any] = {"np": np}
        exec(_UNBROADCAST, self.env)  # noqa: S102  (the helper's own text, fixed above)
        self.unbroadcast = False

    def value(self, expr: str) -> Any:
        try:
            with np.errstate(all="ignore"):
                return eval(expr, self.env)  # noqa: S307  (an expression written here, on arrays)
        except (ArithmeticError, ValueError, TypeError):
            return None


def write_tensor(explanation: Any) -> AdjointProgram:
    """The adjoint program of a Tensor graph (see the module notes)."""
    nodes = explanation.nodes
    numbers = sum(int(np.size(n.data)) for n in nodes)
    if numbers > MAX_CODE_NUMBERS:
        raise ValueError(f"explain(...).code(): the graph holds {numbers} numbers; a program is written for "
                         f"at most {MAX_CODE_NUMBERS}")
    shown = explanation.names
    ids = _identifiers(nodes, shown)
    w = _Writer()
    forward = ["# the inputs"]
    for n in (n for n in nodes if n.is_leaf):
        w.env[ids[n]] = n.data
        what = "an input" if getattr(n, "label", "") else f"the constant {shown[n]}"
        forward.append(f"{ids[n]} = {_array(n.data)}  # {what}")
    forward += ["", "# the forward pass"]
    rows: Dict[Any, Any] = {}
    for n in (n for n in nodes if not n.is_leaf):
        rows[n] = _row(n)
        words = f"{expression(n, shown)}, shape {np.shape(n.data)}"
        expr = rows[n][0].format(**_fields(n, ids, "")) if rows[n] is not None else ""
        if expr and _same(w.value(expr), n.data):
            forward.append(f"{ids[n]} = {expr}  # {words}")
        else:
            forward.append(f"{ids[n]} = {_array(n.data)}  # {words}: the engine's array (no formula here)")
        w.env[ids[n]] = n.data
    root = ids[explanation.root]
    backward = ["", "# the backward pass, in the engine's order: a grad starts at its first contribution",
                "# and is never added to in place (it may be the very array another node sent)",
                f"{root}_grad = {_array(explanation.seed)}  # the seed"]
    w.env[root + "_grad"] = np.asarray(explanation.seed)
    started = {explanation.root}
    for step in explanation.steps:
        for e in step.edges:
            backward.append(_edge_line(w, rows.get(step.node), e, step.node, ids, shown, e.parent in started))
            started.add(e.parent)
            w.env[ids[e.parent] + "_grad"] = e.after
    leaves = [n for n in nodes if n.is_leaf and getattr(n, "label", "") and n in started]
    backward += ["", "grads = {" + ", ".join(f"{ids[n]!r}: {ids[n]}_grad" for n in leaves) + "}"]
    head = ["# The adjoint program of " + shown[explanation.root] + ": straight-line numpy "
            "(autograd_lite's explain(...).code())", "import numpy as np", ""]
    if w.unbroadcast:
        head.append(_UNBROADCAST)
    return AdjointProgram("\n".join(head + forward + backward) + "\n", ids)


def _fields(node: Any, ids: Dict[Any, str], g: str) -> Dict[str, str]:
    ps = node.parents
    return {"a": ids[ps[0]], "b": ids[ps[1]] if len(ps) > 1 else "", "out": ids[node], "g": g}


def _edge_line(w: _Writer, row: Any, e: Any, node: Any, ids: Dict[Any, str], shown: Dict[Any, str],
               started: bool) -> str:
    target = f"{ids[e.parent]}_grad"
    words = formula(node, e.index, shown)
    sent = np.asarray(e.sent)
    expr = ""
    if row is not None and e.index < len(row[1]):
        expr = row[1][e.index].format(**_fields(node, ids, f"{ids[node]}_grad"))
        got = w.value(expr)
        if got is not None and np.shape(got) != sent.shape:
            expr = f"unbroadcast({expr}, {sent.shape!r})"
            got = w.value(expr)
        if got is not None and np.asarray(got).dtype != sent.dtype:
            expr = f"({expr}).astype(np.{sent.dtype.name})"
            got = w.value(expr)
        if got is None or not _same(got, sent):
            expr = ""
        elif expr.startswith("unbroadcast("):
            w.unbroadcast = True
    note = ""
    if not expr:
        expr, note = _array(sent), ": the engine's array (no formula here)"
    if started:
        return f"{target} = {target} + {expr}  # {words}{note}"
    return f"{target} = {expr}  # {words}{note}"

