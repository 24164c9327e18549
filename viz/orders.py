"""Why a topological order: the naive recursive backward beside the engine's, on one graph.

The naive backward is micrograd's first one: a node sends ``upstream x local`` to a parent and
at once calls that parent's backward, which sends the parent's grad *as it is then* on up.  A
node used twice is then called twice: its first call passes on a grad that holds only the uses
that have reported so far, its second passes on the whole grad again.  The topological order
calls every node once, after all its uses have reported.  :func:`compare_orders` runs both on
private grads (the graph's own ``.grad`` are never read or written), keeps a ledger of every
``+=`` of each, and says which node sent too early and what that did to each grad.

>>> from autograd_lite import Value
>>> a = Value(1.0, "a")
>>> b = a + a
>>> b.label = "b"
>>> c = b + b
>>> report = compare_orders(c)
>>> report.naive[a], report.topological[a], a.grad
(6.0, 4.0, 0.0)
>>> report.reasons()[0].split(": ")[0]
'b sent 2 times, with 1, then 2'
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Tuple

import graphviz
import numpy as np

from autograd_lite.reading import graph_nodes, is_node, node_names, preview, topological_order, value_of

from .labels import BACK, FONT, INK, MUTED, OK_GREEN, esc

__all__ = ["compare_orders", "OrderComparison", "Add", "MAX_NAIVE_ADDS"]

#: The naive backward repeats work (a chain of nodes each used twice doubles it per node): it is
#: run only when its number of ``+=`` is at most this, counted before it starts.
MAX_NAIVE_ADDS = 5000
MAX_NODES = 2000


@dataclass(frozen=True)
class Add:
    """One ``parent.grad += sent`` of a pass: ``number`` (1, 2 ... in the pass's order), the
    sending ``node`` and its ``upstream`` grad at that moment, the edge ``index``, the ``parent``,
    what was ``sent`` and the parent's grad ``before`` and ``after``."""

    number: int
    node: Any
    index: int
    parent: Any
    upstream: Any
    sent: Any
    before: Any
    after: Any


def _sends(node: Any, g: Any) -> Iterator[Tuple[int, Any, Any]]:
    """(parent index, parent, upstream x local) for each use, as the engine computes them."""
    parents = node.parents
    j = -1
    for parent, c in node._sends(g, False):
        j += 1
        while j < len(parents) - 1 and parents[j] is not parent:
            j += 1
        yield j, parent, c


class OrderComparison:
    """Both passes on one graph: grads (``naive``, ``topological``: node -> grad), ledgers
    (``naive_adds``, ``topological_adds``: lists of :class:`Add`), and the words that explain
    the difference (``reasons()``, ``str()``); ``draw()`` is the picture."""

    def __init__(self, root: Any, seed: Any) -> None:
        self.root = root
        self.nodes = graph_nodes(root)
        self.names = node_names(self.nodes)
        self.uses: Dict[Any, int] = {n: 0 for n in self.nodes}
        for n in self.nodes:
            for p in n.parents:
                self.uses[p] += 1
        self.calls: Dict[Any, List[Tuple[Any, int]]] = {}  # naive: (grad, uses reported) per call
        self.topological, self.topological_adds = self._topological(seed)
        self.naive, self.naive_adds = self._naive(seed)

    def _topological(self, seed: Any) -> Tuple[Dict[Any, Any], List[Add]]:
        zero = self.root._GRAD_ZERO
        grads = {n: zero for n in self.nodes}
        grads[self.root] = self.root._plus(zero, seed)
        adds: List[Add] = []
        for node in topological_order(self.root):
            g = grads[node]
            for i, parent, c in _sends(node, g):
                before = grads[parent]
                grads[parent] = parent._plus(before, c)
                adds.append(Add(len(adds) + 1, node, i, parent, g, c, before, grads[parent]))
        return grads, adds

    def _naive(self, seed: Any) -> Tuple[Dict[Any, Any], List[Add]]:
        zero = self.root._GRAD_ZERO
        grads = {n: zero for n in self.nodes}
        grads[self.root] = self.root._plus(zero, seed)
        reported = {n: 0 for n in self.nodes}  # how many uses have sent to each node so far
        adds: List[Add] = []

        def call(node: Any) -> Iterator[Tuple[Any, int, Any, Any, Any]]:
            g = grads[node]
            self.calls.setdefault(node, []).append((g, reported[node]))
            return ((node, i, parent, c, g) for i, parent, c in list(_sends(node, g)))

        stack = [call(self.root)] if not self.root.is_leaf else []
        while stack:  # the recursion, with an explicit stack (a deep graph needs no deep stack)
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                continue
            node, i, parent, c, g = step
            before = grads[parent]
            grads[parent] = parent._plus(before, c)
            reported[parent] += 1
            adds.append(Add(len(adds) + 1, node, i, parent, g, c, before, grads[parent]))
            if not parent.is_leaf:
                stack.append(call(parent))  # at once: before the parent's other uses report
        return grads, adds

    # ------------------------------------------------------------------ reading
    def wrong(self) -> List[Any]:
        """The nodes whose naive grad differs from the topological one, oldest first."""
        return [n for n in self.nodes if not _equal(self.naive[n], self.topological[n])]

    @property
    def agree(self) -> bool:
        """True when both passes give every node the same grad."""
        return not self.wrong()

    def early(self) -> List[Any]:
        """The nodes the naive pass called before all their uses had reported (or more than once)."""
        return [n for n in self.nodes if len(self.calls.get(n, ())) > 1
                or any(k < self.uses[n] for _, k in self.calls.get(n, ()))]

    def reasons(self) -> List[str]:
        """One sentence per node that sent too early: its grads when it sent, against its complete grad."""
        out = []
        for n in self.early():
            calls = self.calls[n]
            g0, k0 = calls[0]
            times = f"{len(calls)} times" if len(calls) > 1 else "once"
            sent = ", then ".join(_num(g) for g, _ in calls)
            why = (f"first after {k0} of its {self.uses[n]} uses had reported" if k0 < self.uses[n] else
                   "each send it received (from a node called more than once) called it again")
            out.append(f"{self.names[n]} sent {times}, with {sent}: {why} (its complete grad is "
                       f"{_num(self.topological[n])}, to be sent once)")
        return out

    def verdict(self) -> str:
        """Why the two passes differ, or why they agree on this graph."""
        if not self.early() and self.wrong():
            which = ", ".join(self.names[n] for n in self.wrong())
            return ("Every node sends once, with its complete grad, in both orders; the same terms reach "
                    f"every grad, added in another order, so the grads of {which} differ by rounding only.")
        if not self.early():
            return ("Both orders agree: every node that sends is used once, so the naive pass calls it "
                    "once, after its one use has reported: it sends its complete grad, as the "
                    "topological order does.")
        head = ("The naive pass is wrong: a node sends as soon as one use has reported, and is called "
                "again by each later use, passing on its whole grad again. ")
        head += "; ".join(self.reasons()) + "."
        bad = self.wrong()
        if not bad:
            return head + " Here the repeated sends happen to leave every grad the same."
        return head + " Wrong grads: " + ", ".join(
            f"{self.names[n]} naive {_num(self.naive[n])}, topological "
            f"{_num(self.topological[n])}" for n in bad) + "."

    def _ledger(self, adds: List[Add], early: bool) -> List[str]:
        lines = []
        count: Dict[Tuple[Any, int], int] = {}
        for a in adds:
            mark = ""
            k = count[(a.node, a.index)] = count.get((a.node, a.index), 0) + 1
            if early and not _equal(a.upstream, self.topological[a.node]):
                mark = "  ← early"
            elif early and k > 1:
                mark = "  ← again"
            lines.append(f"{a.number}. {self.names[a.parent]}.grad += {_num(a.sent)} "
                         f"(from {self.names[a.node]}) → {_num(a.after)}{mark}")
        return lines

    def __str__(self) -> str:
        left = ["naive recursive backward", *self._ledger(self.naive_adds, True)]
        right = ["topological order (backward())", *self._ledger(self.topological_adds, False)]
        width = max(len(s) for s in left) + 4
        rows = [f"{(left[k] if k < len(left) else ''):<{width}}{right[k] if k < len(right) else ''}".rstrip()
                for k in range(max(len(left), len(right)))]
        table = [("grad", "naive", "topological", "")]
        for n in self.nodes:
            if n is not self.root:
                nv, tv = (_num(g[n]) for g in (self.naive, self.topological))
                same = _equal(self.naive[n], self.topological[n])
                table.append((self.names[n], nv, tv, "" if same else "✗"))
        w = [max(len(r[c]) for r in table) for c in range(3)]
        finals = [""] + [f"{r[0]:<{w[0]}}  {r[1]:>{w[1]}}  {r[2]:>{w[2]}}  {r[3]}".rstrip() for r in table]
        return "\n".join(rows + finals + ["", textwrap.fill(self.verdict(), 100)])

    def __repr__(self) -> str:
        return f"<OrderComparison of {self.names[self.root]}: {'agree' if self.agree else 'naive is wrong'}>"

    def draw(self) -> graphviz.Digraph:
        """The graph with each edge's sends in both orders (naive | topological); an early naive
        send, and a grad the naive pass gets wrong, in red."""
        g = graphviz.Digraph(graph_attr={"rankdir": "LR", "fontname": FONT},
                             node_attr={"shape": "box", "style": "rounded", "fontname": FONT},
                             edge_attr={"fontname": FONT, "fontsize": "10"})
        ids = {n: f"n{k}" for k, n in enumerate(self.nodes)}
        for n in self.nodes:
            nv, tv = (_num(x[n]) for x in (self.naive, self.topological))
            color = INK if nv == tv else BACK
            g.node(ids[n], f"<<b>{esc(self.names[n])}</b><br/>naive grad {esc(nv)}<br/>"
                   f"topological grad {esc(tv)}>", color=color, fontcolor=color)
        for n in self.nodes:
            for i, p in enumerate(n.parents):
                naive = [a for a in self.naive_adds if a.node is n and a.index == i]
                topo = [a for a in self.topological_adds if a.node is n and a.index == i]
                early = any(not _equal(a.upstream, self.topological[n]) for a in naive)
                text = ("naive " + ", ".join(f"#{a.number}: {_num(a.sent)}" for a in naive)
                        + "<br/>topological " + ", ".join(f"#{a.number}: {_num(a.sent)}"
                                                          for a in topo))
                g.edge(ids[p], ids[n], label=f"<{text}>", color=BACK if early else MUTED,
                       fontcolor=BACK if early else OK_GREEN)
        return g


def _num(x: Any) -> str:
    """A grad as people read it (numbers through ``fmt``, arrays in short)."""
    return preview(value_of(x))


def _equal(x: Any, y: Any) -> bool:
    """Bit for bit equal grads (NaN equals NaN), numbers or arrays."""
    return bool(np.array_equal(value_of(x), value_of(y), equal_nan=True))


def compare_orders(root: Any, grad: Optional[Any] = None) -> OrderComparison:
    """Run the naive recursive backward and the topological one from ``root`` on private grads
    (no ``.grad`` of the graph changes) and compare them; ``print`` it for both ledgers side by
    side and the reason they differ. ``grad`` is the seed, as for ``backward``."""
    if not is_node(root):
        raise TypeError(f"compare_orders: expected a Value or Tensor, got {type(root).__name__}: {root!r}")
    seed = root._seed_for(grad, "compare_orders (seed grad)")
    nodes = graph_nodes(root)
    if len(nodes) > MAX_NODES:
        raise ValueError(f"compare_orders: the graph has {len(nodes)} nodes; at most {MAX_NODES} "
                         "are compared")
    calls = {n: 0 for n in nodes}
    calls[root] = 1
    adds = 0
    for node in topological_order(root):  # children first: a node's calls are all counted
        adds += calls[node] * len(node.parents)
        for p in node.parents:
            if not p.is_leaf:
                calls[p] += calls[node]
    if adds > MAX_NAIVE_ADDS:
        raise ValueError(f"compare_orders: the naive backward would make {adds} additions on this graph "
                         f"(its repeated calls multiply); at most {MAX_NAIVE_ADDS} are run")
    return OrderComparison(root, seed)
