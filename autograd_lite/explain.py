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

from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from . import engine as _engine
from .format import atom
from .i18n import language, pad, tr, width
from .reading import (  # noqa: F401  (explain's readers, importable from here as before)
    MAX_TABLE_STEPS,
    SHORT_DIGITS,
    check_max_steps,
    graph_nodes,
    node_names,
    preview,
)
from .words import expression, formula, total

__all__ = ["explain", "Explanation", "Step", "Edge", "node_names", "preview", "graph_nodes", "atom",
           "formula", "expression", "SHORT_DIGITS"]



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


MAX_TABLE_LEAVES = 50


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
                if n.is_leaf and n is not self.root and n in finals]

    def chain(self, leaf: Any, max_paths: int = 8, lang: Optional[str] = None) -> Any:
        """droot/dleaf as the sum over paths of products of local partial derivatives (a ``ChainRule``;
        ``lang``: ``"en"`` or ``"zh"`` for its words, default the environment's)."""
        from dataclasses import replace

        from .chain import chain_rule, find_node

        said = None if lang is None else language(lang, "chain")
        node = find_node(self.nodes, self.names, leaf, "chain")
        return replace(chain_rule(self.root, node, self.names, self.nodes, self.grad_of(node), max_paths),
                       lang=said)

    def code(self) -> str:
        """The adjoint program: straight-line Python (only ``math``) that defines the leaves, runs
        the forward pass and then one ``parent_grad += upstream * local`` line per chain-rule step,
        in the engine's order; ``exec`` it and its grads equal ``backward()``'s bit for bit (from
        zero leaf grads). Tensor graphs in numpy (:mod:`autograd_lite.adjoint_code`)."""
        from .adjoint_code import write

        return write(self).text

    def trace(self, *, digits: int = 12, decimals: Optional[int] = None, lang: Optional[str] = None) -> Any:
        """The forward primal and reverse adjoint traces of this pass, as textbooks write them
        (``v₋₁ = x₁``, ``v̄₋₁ = v̄₁·∂v₁/∂v₋₁``): a :class:`autograd_lite.trace.Trace`
        (``decimals=3`` rounds as the survey does)."""
        from .trace import adjoint_trace

        return adjoint_trace(self, digits=digits, decimals=decimals, lang=lang)

    def __repr__(self) -> str:
        return f"<Explanation of {self.names[self.root]}: {len(self.steps)} steps>"

    def _repr_html_(self) -> str:
        from .display import explanation_html

        return explanation_html(self)

    def __str__(self) -> str:
        return self.table()

    def table(self, max_steps: Optional[int] = MAX_TABLE_STEPS, digits: int = SHORT_DIGITS,
              lang: Optional[str] = None) -> str:
        """The readable table; at most ``max_steps`` steps (``None``: all), then a note.

        ``str(explanation)`` is ``table()``: a table of a huge graph would only scroll by.
        Numbers have ``digits`` significant digits, 6 by default as in the pictures;
        ``table(digits=12)`` shows them to full precision (the exact floats are in ``.steps``).
        ``lang``: ``"en"`` or ``"zh"`` (default: the environment's, :mod:`autograd_lite.i18n`).
        """
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
            raise ValueError(f"explain table: digits must be an int from 1 to 17, got {digits!r}")
        check_max_steps(max_steps, "explain table")
        from .i18n import using

        with using(language(lang, "explain table")):
            return self._table(max_steps, digits)

    def _table(self, max_steps: Optional[int], digits: int) -> str:

        def num(x: Any) -> str:
            return preview(x, digits=digits)

        root_name = self.names[self.root]
        lines = [
            tr("Backward pass from {root} = {value}, seed {seed_name} = {seed}").format(
                root=root_name, value=num(self.root.data), seed_name=total(root_name, root_name),
                seed=num(self.seed))
            + (tr(" (replayed: grads left untouched)") if self.replayed else ""),
            tr("Each step takes a node's complete upstream grad and sends upstream × local to each "
               "parent (parent.grad += sent)."),
            "",
        ]
        if not self.steps:
            lines.append(tr("{root} is a leaf: backward only seeds it.").format(root=root_name))
            return "\n".join(lines)
        header = [tr("step"), tr("node"), tr("upstream"), tr("parent"), tr("local derivative"),
                  tr("sent = upstream × local"), tr("parent.grad before → after")]
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
        widths = [max(width(r[c]) for r in rows + [header]) for c in range(len(header))]
        right = {0, 2}  # numbers right-aligned

        def line(r: List[str]) -> str:
            cells = [pad(r[c], widths[c], c in right) for c in range(len(r))]
            return "  ".join(cells).rstrip()

        lines.append(line(header))
        lines.append(line(["-" * w for w in widths]))
        lines += [line(r) for r in rows]
        if len(shown) < len(self.steps):
            lines.append(tr("… {n} more steps (all of them: .table(max_steps=None), or the data in .steps)")
                         .format(n=len(self.steps) - len(shown)))
        lines.append("")
        finals = self.leaf_grads()
        listed = finals if max_steps is None else finals[:MAX_TABLE_LEAVES]
        more = tr(", … and {n} more").format(n=len(finals) - len(listed)) if len(listed) < len(finals) else ""
        grads = ", ".join(f"{name} = {num(g)}" for name, g in listed) + more
        lines.append(tr("final grads: {grads}").format(grads=grads))
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
    if not _engine.is_node(root):
        raise TypeError(f"explain: expected a Value or Tensor, got {type(root).__name__}: {root!r}")
    if replay is not None and not isinstance(replay, bool):
        raise TypeError(f"explain: replay must be True, False or None, got {replay!r}")
    seed = _seed_of(root, grad)
    nodes = graph_nodes(root)
    leaves = [n for n in nodes if n.is_leaf]
    if replay is None:
        replay = any(_has_grad(n.grad) for n in leaves)
    saved = [(n, _copy(n.grad)) for n in nodes]
    names = node_names(nodes)

    upstream: Dict[Any, Any] = {}
    raw: List[Tuple[Any, int, Any, Any, Any, Any]] = []

    def trace(node: Any, i: int, parent: Any, sent: Any, before: Any, after: Any) -> None:
        if node not in upstream:
            upstream[node] = _copy(node.grad)
        raw.append((node, i, parent, _copy(sent), _copy(before), _copy(after)))

    try:
        if replay:
            for n in leaves:
                n.grad = type(n)._GRAD_ZERO
        order = _engine.backward(root, seed, trace=trace)
        by_node: Dict[Any, List[Edge]] = {n: [] for n in order}
        for node, i, parent, sent, before, after in raw:
            local = getattr(node, "local_grads", None)  # a Tensor has none: it sends a vjp
            number = None if local is None else float(local[i])
            by_node[node].append(Edge(i, parent, number, sent, before, after, node, names))
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
    g = _engine.value_of(g)  # a grad made by backward(create_graph=True) counts by its value
    if isinstance(g, np.ndarray):
        return bool(np.any(g != 0))
    return bool(g != 0)
