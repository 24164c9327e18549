"""Folding: a graph's recorded blocks (neurons, layers, modules, a learner's ``viz.group``) as boxes.

:func:`fold_graph` is the one reader every folded picture uses (``viz.draw(fold=...)``, the
training view): for each block of the asked kind it says which nodes it holds, which values
enter it (with the grad it sent back to each), which leave it (with their data and grads), and
which parameters live only inside it.

>>> from autograd_lite import Value
>>> from autograd_lite.scalar_nn import Neuron
>>> n = Neuron(2, "tanh", name="n1.")
>>> x = [Value(1.0, "x1"), Value(-2.0, "x2")]
>>> y = n(x)
>>> y.backward()
>>> box = fold_graph(y, "neuron").groups[0]
>>> box.name, [v.label for v, _ in box.inputs], [p.label for p in box.params]
('n1', ['x1', 'x2'], ['n1.w1', 'n1.w2', 'n1.b'])
>>> box.inputs[0][1] == x[0].grad   # what the neuron sent back to x1 is all of x1's grad
True
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from autograd_lite.groups import Block, blocks_of
from autograd_lite.groups import group as _group
from autograd_lite.reading import contributions, creation_index, graph_nodes, is_node, value_of

__all__ = ["FoldedGroup", "Folding", "fold_graph", "group", "FOLDS", "check_fold"]

FOLDS = (None, "neuron", "layer", "module", "group")


@dataclass
class FoldedGroup:
    """One folded block.

    ``members``: the nodes it made (creation order); ``params``: leaves used only inside it (a
    neuron's weights and bias), drawn inside its box; ``inputs``: ``(value, sent)`` for every
    value from outside that it uses (oldest first), ``sent`` the sum of what its edges sent
    back to that value (``None`` before a backward pass); ``outputs``: its members used outside
    it (or the root), whose ``data`` and ``grad`` leave the box.
    """

    name: str
    kind: str
    block: Block
    members: List[Any] = field(default_factory=list)
    params: List[Any] = field(default_factory=list)
    inputs: List[Tuple[Any, Any]] = field(default_factory=list)
    outputs: List[Any] = field(default_factory=list)


@dataclass
class Folding:
    """The folded blocks of a graph and, for every node they hold (members and params), its block;
    ``made_by``: the unlabelled output of a neuron, named by the neuron (``L1.n3``)."""

    groups: List[FoldedGroup]
    owner: Dict[Any, FoldedGroup]
    made_by: Dict[Any, str] = field(default_factory=dict)


def check_fold(fold: Any, where: str) -> None:
    if fold not in FOLDS:
        raise ValueError(f"{where}: fold must be one of {FOLDS}, got {fold!r}")


def group(name: str) -> _group:
    """``with viz.group("attention"): ...``: name a block of your own; ``fold="group"`` folds it
    into one box (blocks may nest: the outermost folds)."""
    return _group(name, "group")


def fold_graph(root: Any, fold: Optional[str], nodes: Optional[List[Any]] = None) -> Folding:
    """Fold ``root``'s graph by ``fold`` (``"neuron"``, ``"layer"``, ``"module"``, ``"group"`` or
    ``None``: nothing folds).  Blocks of that kind fold; one inside another of the same kind
    folds into the outer one.  ``nodes``: the graph's nodes, if the caller has them already."""
    check_fold(fold, "fold_graph")
    if not is_node(root):
        raise TypeError(f"fold_graph: expected a Value or Tensor, got {type(root).__name__}: {root!r}")
    if fold is None:
        return Folding([], {})
    every = nodes if nodes is not None else graph_nodes(root)
    chosen: List[Block] = []
    made_by: Dict[Any, str] = {}
    by_order = {creation_index(n): n for n in every}
    for b in blocks_of(every):  # outermost first
        if b.kind == fold and not any(b.within(c) for c in chosen):
            chosen.append(b)
        if b.kind == "neuron":  # its output is the last node it made
            last = max((k for k in range(b.start + 1, b.end) if k in by_order), default=None) \
                if b.end - b.start < 100_000 else None
            if last is not None and not by_order[last].label:
                made_by[by_order[last]] = b.name
    groups = [FoldedGroup(b.name, b.kind, b) for b in chosen]
    starts = sorted((g.block.start, k) for k, g in enumerate(groups))
    owner: Dict[Any, FoldedGroup] = {}
    keys = [s for s, _ in starts]
    for n in every:
        k = bisect.bisect_left(keys, creation_index(n)) - 1
        if k >= 0:
            g = groups[starts[k][1]]
            if g.block.holds(n):
                owner[n] = g
                g.members.append(n)
    groups = [g for g in groups if g.members]
    live = {id(g) for g in groups}
    owner = {n: g for n, g in owner.items() if id(g) in live}
    users: Dict[Any, List[Any]] = {}
    for n in every:
        for p in n.parents:
            users.setdefault(p, []).append(n)
    for n in every:  # a block's own weight, used only inside it, is drawn inside its box
        if n.is_leaf and n not in owner and n is not root:
            homes = {id(owner.get(u)) for u in users.get(n, [])}
            first = owner.get(users[n][0]) if users.get(n) else None
            if first is not None and homes == {id(first)} and first.block.owns_param(n):
                owner[n] = first
                first.params.append(n)
    backward_ran = root.grad is not None and (not isinstance(root.grad, float) or root.grad != 0.0)
    sent: Dict[Tuple[int, Any], Any] = {}
    order: Dict[int, List[Any]] = {id(g): [] for g in groups}
    for n in reversed(every):  # the engine's order: newest consumer first
        home = owner.get(n)
        if home is None or n.is_leaf:
            continue
        g = home
        for p in n.parents:
            if owner.get(p) is g:
                continue
            key = (id(g), p)
            if key not in sent:
                sent[key] = None
                order[id(g)].append(p)
        if backward_ran:
            for _, p, c in contributions(n):
                if owner.get(p) is not g:
                    key = (id(g), p)
                    c = value_of(c)
                    sent[key] = c if sent[key] is None else sent[key] + c
    for g in groups:
        firsts = sorted(order[id(g)], key=creation_index)
        g.inputs = [(p, sent[(id(g), p)]) for p in firsts]
        outside = {m for m in g.members if any(owner.get(u) is not g for u in users.get(m, []))}
        g.outputs = [m for m in g.members if m in outside or m is root]
    return Folding(groups, owner, made_by)
