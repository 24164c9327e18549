"""What a picture holds, decided before Graphviz sees it, so that the layout stays cheap.

* :func:`keep`: at most ``max_nodes`` values, nearest the root first;
* :func:`flows`: what flowed along every drawn edge, and every value's grad as the list of
  contributions the engine added (uses not drawn included, so a cut picture still adds up);
* :func:`far_uses`: the uses that would need an edge across many ranks (``x*x*…*x``: the
  one ``x`` feeds every op of the chain).  They are drawn from a small copy of the value
  next to the op instead.  Long edges are what make Graphviz slow (each crossed rank adds
  a virtual node to order and route); with every edge short, the layout grows about
  linearly with the picture.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from autograd_lite.reading import contributions, graph_nodes, value_of

FAR_RANKS = 3  # a use more than this many values away from its value's box gets a copy


def keep(root: Any, max_nodes: Optional[int]) -> Tuple[List[Any], List[Any]]:
    """(the value nodes to draw, oldest first; every node of the graph).  Nearest the root
    first, breadth-first, at most ``max_nodes`` (``None``: all)."""
    nodes = graph_nodes(root)
    if max_nodes is None or len(nodes) <= max_nodes:
        return nodes, nodes
    kept = {root}
    queue = [root]
    k = 0
    while k < len(queue) and len(kept) < max_nodes:
        node = queue[k]
        k += 1
        for p in node.parents:
            if p not in kept and len(kept) < max_nodes:
                kept.add(p)
                queue.append(p)
    return [n for n in nodes if n in kept], nodes


def flows(nodes: List[Any], every: List[Any]
          ) -> Tuple[Dict[Tuple[Any, int], Any], Dict[Any, List[Tuple[Any, bool]]]]:
    """What each drawn edge ``(node, i)`` sent back, and per drawn value the contributions
    ``(value, drawn)`` in the order the engine adds them (newest consumer first)."""
    kept: Set[Any] = set(nodes)
    sent: Dict[Tuple[Any, int], Any] = {}
    into: Dict[Any, List[Tuple[Any, bool]]] = {}
    for node in reversed(every):  # the engine's order: newest first
        if node.is_leaf:
            continue
        drawn = node in kept
        if not drawn and not any(p in kept for p in node.parents):
            continue
        for j, parent, c in contributions(node):
            c = value_of(c)  # after create_graph=True a contribution is a node: show its value
            if drawn:
                sent[(node, j)] = c
            if parent in kept:
                into.setdefault(parent, []).append((c, drawn))
    return sent, into


def far_uses(nodes: List[Any], root: Any) -> Dict[Tuple[Any, int], Tuple[int, int]]:
    """The uses ``(node, i)`` drawn from a copy of the parent: ``(use number, of how many)``.

    Ranks are counted from the root (longest path, as Graphviz ranks a graph whose edges
    all point one way): a value's box sits just before its farthest-from-the-root
    consumer, and a use by a consumer more than :data:`FAR_RANKS` ranks nearer the root
    gets the copy.  Uses are numbered in the order they are made.
    """
    kept = set(nodes)
    rank: Dict[Any, int] = {root: 0}
    for n in reversed(nodes):  # consumers are always newer than their parents
        r = rank.get(n)
        if r is None or n.is_leaf:
            continue
        for p in n.parents:
            if p in kept and rank.get(p, -1) < r + 1:
                rank[p] = r + 1
    uses: Dict[Any, List[Tuple[Any, int]]] = {}
    for n in nodes:
        if n.is_leaf:
            continue
        for i, p in enumerate(n.parents):
            if p in kept:
                uses.setdefault(p, []).append((n, i))
    far: Dict[Tuple[Any, int], Tuple[int, int]] = {}
    for p, used in uses.items():
        for k, (n, i) in enumerate(used, 1):
            if rank[p] - rank[n] > FAR_RANKS:
                far[(n, i)] = (k, len(used))
    return far
