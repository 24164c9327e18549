"""The backward pass, one chain-rule step at a time: as data and as a table.

``explain(root)`` runs the backward sweep through the engine's own
:func:`autograd_lite.engine.backward` (with its ``trace`` hook), so every number in
the table is the very number the engine added: the table matches the final grads
exactly, to the last bit.

For each node, in reverse topological order, a :class:`Step` records the node's
upstream grad and, for each parent edge (``a + a`` has two), an :class:`Edge` with
the local derivative and its formula in words, the product sent, and the parent's
grad before and after the ``+=``.

>>> from autograd_lite import Value, explain
>>> x, y = Value(1.0, "x"), Value(2.0, "y")
>>> z = (x + y) ** 2
>>> steps = explain(z)
>>> [e.formula for e in steps[0].edges]
['∂(t1**2)/∂t1 = 2·t1 = 6']
>>> x.grad, y.grad
(6.0, 6.0)

Grad semantics.  ``explain`` *is* a backward pass unless told otherwise, so it obeys
the same accumulation rule as ``backward()``.  What a learner usually wants after
``z.backward()`` is to see that pass, not to double the leaf grads, so the default
``replay=None`` decides: if no leaf of the graph holds a gradient yet, ``explain``
runs the backward pass (grads end as after ``backward()``); if some leaf already has
one, it *replays* the pass from zero leaf grads and then restores every grad exactly
as it was.  Pass ``replay=True`` to never touch grads, ``replay=False`` to always
accumulate like another ``backward()`` call.
"""

from __future__ import annotations

import keyword
import numbers
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from . import engine as _engine
from . import ops as _ops
from .chain import unbroadcast_note
from .format import ARRAY_DIGITS, SIGNIFICANT_DIGITS, fmt

__all__ = ["explain", "Explanation", "Step", "Edge", "node_names", "preview", "graph_nodes", "atom",
           "formula", "expression", "SHORT_DIGITS"]

# Tables and pictures are read, not computed with: 6 significant digits by default
# (``table(digits=12)`` for full precision); the exact floats stay on .data / .grad.
SHORT_DIGITS = ARRAY_DIGITS


@dataclass(frozen=True)
class Edge:
    """One use of a parent by a node: ``parent.grad += sent`` with ``sent = upstream x local``.

    ``local`` is the local derivative d node / d parent (a float for ``Value``;
    ``None`` for a ``Tensor``, whose ops send a vector-Jacobian product instead).
    ``formula`` says it in words, e.g. ``∂(a*b)/∂a = b = 3``.
    """

    index: int
    parent: Any
    local: Optional[float]
    sent: Any
    before: Any
    after: Any
    node: Any = field(repr=False, compare=False, default=None)
    names: Dict[Any, str] = field(repr=False, compare=False, default_factory=dict)

    @property
    def formula(self) -> str:
        """The local derivative in words (built when asked: big graphs stay cheap to record)."""
        return formula(self.node, self.index, self.names)


@dataclass(frozen=True)
class Step:
    """One node of the backward sweep: its complete upstream grad and one edge per parent use."""

    node: Any
    upstream: Any
    edges: Tuple[Edge, ...]


MAX_TABLE_STEPS = 200  # str() of an explanation shows this many steps, then says how many more
MAX_TABLE_LEAVES = 50
_NUMBER = re.compile(r"^[0-9][0-9.e+]*$")


def atom(name: str) -> str:
    """Parenthesise a name inside a formula unless it is an identifier, a number or one call.

    >>> atom("x"), atom("2.5"), atom("x + y"), atom("-1"), atom("exp(x + y)"), atom("f(x)*g(y)")
    ('x', '2.5', '(x + y)', '(-1)', 'exp(x + y)', '(f(x)*g(y))')
    """
    if (name.isidentifier() and not keyword.iskeyword(name)) or _NUMBER.match(name) or not _needs_paren(name):
        return name
    return f"({name})"


def graph_nodes(root: Any) -> List[Any]:
    """Every node ``root`` depends on (leaves too, ``root`` included), oldest first.

    Sorting by the creation counter gives a stable, deterministic order: two builds of
    the same expression list their nodes the same way.
    """
    seen = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        for p in node.parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return sorted(seen, key=lambda n: n._order)


def node_names(nodes: Sequence[Any]) -> Dict[Any, str]:
    """A display name for every node: its label; a constant's value; else ``t1``, ``t2`` ...

    Unlabelled intermediate results are numbered in creation order (deterministic),
    skipping numbers a user label already uses.
    """
    taken = {n.label for n in nodes if getattr(n, "label", "")}
    names: Dict[Any, str] = {}
    k = 0
    for n in sorted(nodes, key=lambda n: n._order):
        label = getattr(n, "label", "")
        if label:
            names[n] = label
        elif n._a is None and _is_scalar(n.data):
            names[n] = fmt(n.data)  # a number written into the expression, e.g. the 2 in x*2
        else:
            k += 1
            while f"t{k}" in taken:
                k += 1
            names[n] = f"t{k}"
    return names


def _is_scalar(x: Any) -> bool:
    return isinstance(x, numbers.Real) or (isinstance(x, np.ndarray) and x.ndim == 0)


def preview(x: Any, max_items: int = 6, digits: Optional[int] = None) -> str:
    """A short exact-enough text for a number or an array (numbers via ``fmt``).

    ``digits``: significant digits of every number shown (default: 12 for a number,
    ``ARRAY_DIGITS`` for the elements and norm of an array).

    >>> preview(2.5), preview(np.array([1.0, 2.0])), preview(np.zeros((20, 30))), preview(1/3, digits=6)
    ('2.5', '[1, 2]', '20×30 ‖·‖=0', '0.333333')
    """
    if x is None:
        return "None"
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return fmt(x.item(), digits or SIGNIFICANT_DIGITS)
        element_digits = digits or ARRAY_DIGITS
        if x.size <= max_items:
            return _nested(x.tolist(), element_digits)
        return f"{'×'.join(str(s) for s in x.shape)} ‖·‖={fmt(float(np.linalg.norm(x)), element_digits)}"
    return fmt(x, digits or SIGNIFICANT_DIGITS)


def _nested(v: Any, digits: int) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_nested(e, digits) for e in v) + "]"
    return fmt(v, digits)


def _local_formula(op: str, names: List[str], me: int, local: Optional[float]) -> Tuple[str, str]:
    """(expression of the node in its parents' names, d expression / d parent ``me`` in words)."""
    a = atom(names[0])
    b = atom(names[1]) if len(names) > 1 else ""
    binary = {"+": ("1", "1"), "-": ("1", "-1"), "*": (b, a),
              "/": (f"1/{b}", f"-{a}/{b}²"),
              "**": (f"{b}·{a}**({b}-1)", f"{a}**{b}·ln({a})"),
              "@": ("", "")}  # matrix product (Tensor only; its words are in _VJP_WORDS)
    if op in binary and len(names) == 2:
        return f"{a}{op}{b}", binary[op][me]
    if op.startswith("**") and len(names) == 1:
        n = op[2:]
        try:
            m = float(n) - 1.0
        except ValueError:
            return f"{a}{op}", ""
        if float(n) == 0.0:
            word = "0"
        elif m == 0.0:
            word = "1"
        elif m == 1.0:
            word = f"{n}·{a}"
        else:
            word = f"{n}·{a}**{atom(fmt(m))}"
        return f"{a}**{atom(n)}", word
    unary = {"neg": ("-" + a, "-1"), "exp": (f"exp({names[0]})", f"exp({names[0]})"),
             "log": (f"log({names[0]})", f"1/{a}"),
             "sqrt": (f"sqrt({names[0]})", f"1/(2·sqrt({names[0]}))"),
             "tanh": (f"tanh({names[0]})", f"1 - tanh({names[0]})²"),
             "sigmoid": (f"sigmoid({names[0]})", f"sigmoid({names[0]})·(1 - sigmoid({names[0]}))"),
             "sin": (f"sin({names[0]})", f"cos({names[0]})"),
             "cos": (f"cos({names[0]})", f"-sin({names[0]})"),
             "abs": (f"abs({names[0]})", f"sign({names[0]})")}
    if op in unary and len(names) == 1:
        return unary[op]
    if op == "relu" and len(names) == 1:
        cond = f"({names[0]} > 0)" if local else f"({names[0]} ≤ 0)"
        return f"relu({names[0]})", f"{fmt(local)} {cond}"
    return f"{op}({', '.join(names)})", ""


# What a Tensor op sends to each parent, in words (g is the upstream grad; every
# contribution is then summed back to the parent's shape, undoing broadcasting).
_VJP_WORDS = {
    "+": ("g", "g"), "-": ("g", "-g"), "*": ("g·{b}", "g·{a}"), "/": ("g/{b}", "-g·{a}/{b}²"),
    "@": ("g @ {b}ᵀ", "{a}ᵀ @ g"), "**": ("g·{b}·{a}**({b}-1)", "g·{a}**{b}·ln({a})"),
    "neg": ("-g",), "exp": ("g·exp({a})",), "log": ("g/{a}",), "sqrt": ("g/(2·sqrt({a}))",),
    "tanh": ("g·(1 - tanh({a})²)",), "sigmoid": ("g·sigmoid({a})·(1 - sigmoid({a}))",),
    "relu": ("g·({a} > 0)",), "abs": ("g·sign({a})",), "sum": ("g copied to every element",),
    "mean": ("g / n copied to every averaged element",), "reshape": ("g reshaped back",),
    "transpose": ("g transposed back",), "getitem": ("g placed at the selected elements, 0 elsewhere",),
    "max": ("g to the largest elements (ties share it)",),
    "min": ("g to the smallest elements (ties share it)",),
    "var": ("g·2({a} - mean)/(n - ddof)",), "clip": ("g where lo ≤ {a} ≤ hi, else 0",),
}


def _tensor_words(node: Any, index: int, pnames: List[str]) -> str:
    op = node.op
    words = _VJP_WORDS.get(op)
    if words is None:  # an op registered in the op table (functional, conv) carries its words
        row = _ops.OPS.get(op)
        words = row.sends if row is not None and row.sends else None
    if words is None and op.startswith("**"):
        n = op[2:]
        return f"g·{n}·{atom(pnames[0])}**{atom(fmt(float(n) - 1.0))}"
    if words is None or index >= len(words):
        return f"vjp of {op}"
    a = atom(pnames[0])
    b = atom(pnames[1]) if len(pnames) > 1 else ""
    return words[index].format(a=a, b=b)


def expression(node: Any, names: Dict[Any, str]) -> str:
    """``node`` written in its parents' names exactly as :func:`formula` spells it.

    >>> from autograd_lite import Value
    >>> w, x = Value(2.0, "w"), Value(3.0, "x")
    >>> wx = w * x
    >>> y = wx + 1
    >>> expression(y, {wx: "w*x", y.parents[1]: "1"})
    '(w*x)+1'
    """
    if not node.parents:
        return names.get(node, "?")
    return _local_formula(node.op, [names.get(p, "?") for p in node.parents], 0, _local_of(node, 0))[0]


def formula(node: Any, index: int, names: Dict[Any, str], digits: int = SIGNIFICANT_DIGITS) -> str:
    """The local derivative of ``node`` w.r.t. its parent number ``index``, in words.

    ``∂(a*b)/∂a = b = 3``: the derivative of the node's expression, its symbolic form,
    then its value (the number the engine uses, with ``digits`` significant digits).
    """
    parents = node.parents
    pnames = [names.get(p, "?") for p in parents]
    expr, word = _local_formula(node.op, pnames, index, _local_of(node, index))
    head = f"∂{atom(expr)}/∂{atom(pnames[index])}"
    local = _local_of(node, index)
    if local is None:  # a Tensor op: it sends a vector-Jacobian product, not one number
        return f"{head}: sends {_tensor_words(node, index, pnames)}" + unbroadcast_note(node, index)
    value = fmt(local, digits)
    if node.op == "relu" or not word or word == value:
        return f"{head} = {word}" if node.op == "relu" else f"{head} = {value}"
    return f"{head} = {word} = {value}"


def _needs_paren(expr: str) -> bool:
    """``exp(t)`` reads fine after ∂; ``a*b`` needs parentheses."""
    m = re.match(r"^[A-Za-z_][A-Za-z_0-9]*\((.*)\)$", expr)
    if m is None:
        return True
    depth = 0  # the call's own parentheses must span the whole text: f(a)*g(b) is not one call
    for ch in m.group(1):
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return True
    return False


def _local_of(node: Any, index: int) -> Optional[float]:
    locals_ = getattr(node, "local_grads", None)
    if locals_ is None:
        return None
    return float(locals_[index])


def _copy(x: Any) -> Any:
    # Tensor grads are arrays that later steps may update in place: keep a snapshot.
    return x.copy() if isinstance(x, np.ndarray) else x


class Explanation(Sequence[Step]):
    """The recorded steps of one backward pass (a sequence of :class:`Step`), printable as a table.

    ``names`` maps every node to its display name; ``replayed`` is True when the grads
    of the graph were left untouched (see :func:`explain`).
    """

    def __init__(self, root: Any, seed: Any, steps: List[Step], names: Dict[Any, str],
                 nodes: List[Any], replayed: bool) -> None:
        self.root = root
        self.seed = seed
        self.steps = tuple(steps)
        self.names = names
        self.nodes = nodes
        self.replayed = replayed
        self._final: Optional[Dict[Any, Any]] = None

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i: Any) -> Any:
        return self.steps[i]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def _finals(self) -> Dict[Any, Any]:
        # every parent's grad after its last contribution: one pass, then cached
        if self._final is None:
            self._final = {e.parent: e.after for s in self.steps for e in s.edges}
        return self._final

    def grad_of(self, node: Any) -> Any:
        """The grad ``node`` holds at the end of the recorded pass."""
        if node is self.root:
            return self.seed
        finals = self._finals()
        if node not in finals:
            raise ValueError(f"explain: {self.names.get(node, repr(node))} is not part of this graph")
        return finals[node]

    def leaf_grads(self) -> List[Tuple[str, Any]]:
        """``(name, grad)`` for every leaf, in creation order, as the pass left them."""
        finals = self._finals()
        return [(self.names[n], finals[n]) for n in self.nodes
                if n._a is None and n is not self.root and n in finals]

    def chain(self, leaf: Any, max_paths: int = 8) -> Any:
        """∂root/∂leaf as the sum over paths of products of local derivatives (a ``ChainRule``)."""
        from .chain import chain_rule, find_node

        node = find_node(self.nodes, self.names, leaf, "chain")
        return chain_rule(self.root, node, self.names, self.nodes, self.grad_of(node), max_paths)

    def __repr__(self) -> str:
        return f"<Explanation of {self.names[self.root]}: {len(self.steps)} steps>"

    def _repr_html_(self) -> str:
        from .display import explanation_html

        return explanation_html(self)

    def __str__(self) -> str:
        return self.table()

    def table(self, max_steps: Optional[int] = MAX_TABLE_STEPS, digits: int = SHORT_DIGITS) -> str:
        """The readable table; at most ``max_steps`` steps (``None``: all), then a note.

        ``str(explanation)`` is ``table()``: a table of a huge graph would only scroll by.
        Numbers have ``digits`` significant digits, 6 by default as in the pictures;
        ``table(digits=12)`` shows them to full precision (the exact floats are in ``.steps``).
        """
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
            raise ValueError(f"explain table: digits must be an int from 1 to 17, got {digits!r}")

        def num(x: Any) -> str:
            return preview(x, digits=digits)

        root_name = self.names[self.root]
        lines = [
            f"Backward pass from {root_name} = {num(self.root.data)}, seed "
            f"∂{atom(root_name)}/∂{atom(root_name)} = {num(self.seed)}"
            + (" (replayed: grads left untouched)" if self.replayed else ""),
            "Each step takes a node's complete upstream grad and sends upstream × local to each "
            "parent (parent.grad += sent).",
            "",
        ]
        if not self.steps:
            lines.append(f"{root_name} is a leaf: backward only seeds it.")
            return "\n".join(lines)
        header = ["step", "node", "upstream", "parent", "local derivative", "sent = upstream × local",
                  "parent.grad before → after"]
        rows: List[List[str]] = []
        shown = self.steps if max_steps is None else self.steps[:max_steps]
        for k, step in enumerate(shown, 1):
            up = num(step.upstream)
            for j, e in enumerate(step.edges):
                local = num(e.local) if e.local is not None else "vjp"
                rows.append([
                    str(k) if j == 0 else "",
                    f"{self.names[step.node]} ({step.node.op})" if j == 0 else "",
                    up if j == 0 else "",
                    self.names[e.parent],
                    formula(e.node, e.index, self.names, digits),
                    f"{up} × {local} = {num(e.sent)}" if e.local is not None else num(e.sent),
                    f"{num(e.before)} → {num(e.after)}",
                ])
        widths = [max(len(r[c]) for r in rows + [header]) for c in range(len(header))]
        right = {0, 2}  # numbers right-aligned

        def line(r: List[str]) -> str:
            cells = [r[c].rjust(widths[c]) if c in right else r[c].ljust(widths[c]) for c in range(len(r))]
            return "  ".join(cells).rstrip()

        lines.append(line(header))
        lines.append(line(["-" * w for w in widths]))
        lines += [line(r) for r in rows]
        if len(shown) < len(self.steps):
            lines.append(f"… {len(self.steps) - len(shown)} more steps (all of them: .table(max_steps=None), "
                         "or the data in .steps)")
        lines.append("")
        finals = self.leaf_grads()
        listed = finals if max_steps is None else finals[:MAX_TABLE_LEAVES]
        more = f", … and {len(finals) - len(listed)} more" if len(listed) < len(finals) else ""
        lines.append("final grads: " + ", ".join(f"{name} = {num(g)}" for name, g in listed) + more)
        return "\n".join(lines)


def _seed_of(root: Any, grad: Any) -> Any:
    """The seed exactly as ``backward`` would use it (one rule, kept on the node types)."""
    return root._seed_for(grad, "explain (seed grad)")


def explain(root: Any, grad: Any = None, *, replay: Optional[bool] = None) -> Explanation:
    """Run (or replay) backward from ``root`` and return its steps; ``print`` it for a table.

    ``grad`` is the seed (default 1 for a scalar output; a Tensor output of another
    shape needs a gradient of exactly its shape, as for ``backward``).  ``replay``: ``None`` (default) replays
    without touching any grad when a leaf already holds a gradient (e.g. after
    ``backward()``), and otherwise runs the pass; ``True`` always replays; ``False``
    always runs it, accumulating into the leaves exactly like ``backward()``.
    If anything fails, every grad is restored as it was.

    >>> from autograd_lite import Value
    >>> a = Value(3.0, "a")
    >>> b = a + a
    >>> b.backward()
    >>> print(explain(b).leaf_grads(), a.grad)  # replayed: a.grad is not doubled
    [('a', 2.0)] 2.0
    """
    if not hasattr(root, "_contributions") or not hasattr(root, "_order"):
        raise TypeError(f"explain: expected a Value or Tensor, got {type(root).__name__}: {root!r}")
    seed = _seed_of(root, grad)
    nodes = graph_nodes(root)
    leaves = [n for n in nodes if n._a is None]
    if replay is None:
        replay = any(_has_grad(n.grad) for n in leaves)
    saved = [(n, _copy(n.grad)) for n in nodes]
    names = node_names(nodes)

    upstream: Dict[Any, Any] = {}
    cursor: Dict[Any, int] = {}
    raw: List[Tuple[Any, int, Any, Any, Any, Any]] = []

    def trace(node: Any, i: int, parent: Any, sent: Any, before: Any, after: Any) -> None:
        if node not in upstream:
            upstream[node] = _copy(node.grad)
        # ``i`` counts the contributions yielded; a Tensor yields none for a parent that
        # needs no grad, so find the parent's own position (parents are yielded in order).
        parents = node.parents
        j = cursor.get(node, -1) + 1
        while j < len(parents) - 1 and parents[j] is not parent:
            j += 1
        cursor[node] = j
        raw.append((node, j, parent, _copy(sent), _copy(before), _copy(after)))

    try:
        if replay:
            for n in leaves:
                n.grad = type(n)._GRAD_ZERO
        order = _engine.backward(root, seed, trace=trace)
        by_node: Dict[Any, List[Edge]] = {n: [] for n in order}
        for node, i, parent, sent, before, after in raw:
            by_node[node].append(Edge(i, parent, _local_of(node, i), sent, before, after, node, names))
        # A Tensor node that received no gradient (nothing below it needs one) sends nothing.
        steps = [Step(n, upstream[n], tuple(by_node[n])) for n in order if n in upstream]
    except BaseException:
        for n, g in saved:
            n.grad = g
        raise
    if replay:
        for n, g in saved:
            n.grad = g
    return Explanation(root, seed, steps, names, nodes, bool(replay))


def _has_grad(g: Any) -> bool:
    if g is None:
        return False
    if isinstance(g, np.ndarray):
        return bool(np.any(g != 0))
    return bool(g != 0)
