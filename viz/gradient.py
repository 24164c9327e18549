"""The gradient as a graph, drawn beside the forward graph it was computed from.

After ``backward(create_graph=True)`` a grad is a ``Value`` whose graph reuses nodes of the
forward pass (``tanh'(x) = 1 - tanh(x)²`` needs the node ``tanh(x)``).  :func:`draw_gradient`
puts both pictures side by side, highlights the nodes they share in both, and joins each pair
with a dotted line: the backward pass is a program built from the forward one.

>>> from autograd_lite import Value
>>> x = Value(0.5, "x")
>>> y = x.tanh()
>>> y.backward(create_graph=True)
>>> g = draw_gradient(x.grad, y)
>>> g.source.count("style=dotted")     # x and tanh(x): two nodes in both pictures
2
"""

from __future__ import annotations

from typing import Any, Optional

import graphviz

from autograd_lite.reading import creation_index, graph_nodes, is_node, node_names, total

from .draw import DEFAULT_MAX_NODES, draw
from .labels import FONT, INK, LINE_HOT, esc, font
from .layout import keep
from .svg import Digraph

__all__ = ["draw_gradient"]


def draw_gradient(gradient: Any, forward: Any, *, rankdir: str = "LR",
                  max_nodes: Optional[int] = DEFAULT_MAX_NODES, **options: Any) -> graphviz.Digraph:
    """One picture of two graphs, ``forward`` and ``gradient`` side by side, the shared nodes
    highlighted in both and joined by dotted lines.  Other options go to :func:`viz.draw`.

    ``gradient`` is a graph node made by ``backward(create_graph=True)`` (or ``grad`` on
    nodes); a gradient that shares nothing with ``forward`` is drawn beside it all the same.
    """
    for what, node in (("gradient", gradient), ("forward", forward)):
        if not is_node(node):
            raise TypeError(f"draw_gradient: {what} must be a Value or Tensor, got {type(node).__name__}: "
                            f"{node!r} (a grad is a node after backward(create_graph=True))")
    for bad in ("highlight", "id_prefix", "frame", "root_name"):
        if bad in options:
            raise TypeError(f"draw_gradient: {bad}= is set by draw_gradient itself")
    forward_nodes = graph_nodes(forward)
    shared = set(graph_nodes(gradient)) & set(forward_nodes)
    names = node_names(forward_nodes)
    of = next((n for n in forward_nodes if n.is_leaf and n.grad is gradient), None)
    # the gradient is named as what it is (dy/dx) when it is the grad of a leaf of forward
    name = total(names[forward], names[of]) if of is not None else None
    # Before a backward from the gradient, the grads its nodes hold are the forward pass's
    # (or none): "the gradient, as a graph" shows its values only, not those grads.
    own_pass = _backward_ran(gradient)
    g = Digraph(name="autograd_lite")
    g.attr(rankdir=rankdir, bgcolor="white", pad="0.2", fontname=FONT, newrank="true")
    parts = {}
    heading = f"the gradient {name}, as a graph" if name else "the gradient, as a graph"
    for prefix, root, title in (("g", gradient, heading), ("f", forward, "forward pass")):
        opts = dict(options)
        if prefix == "g":
            opts["show_grad"] = options.get("show_grad", True) and own_pass
            opts["root_name"] = name
        sub = draw(root, rankdir=rankdir, max_nodes=max_nodes, highlight=shared, id_prefix=prefix, **opts)
        sub.name = f"cluster_{prefix}"
        sub.attr(label=f"<{font(esc(title), INK, bold=True, size=16)}>", labelloc="t", style="rounded",
                 color="#C8CED6")
        g.subgraph(sub)
        parts[prefix] = {n: f"n{prefix}{k}" for k, n in enumerate(keep(root, max_nodes)[0])}
    for n in sorted(shared, key=creation_index):
        left, right = parts["f"].get(n), parts["g"].get(n)
        if left and right:  # the same node, drawn in both pictures
            g.edge(left, right, style="dotted", color=LINE_HOT, arrowhead="none", constraint="false")
    return g


def _backward_ran(root: Any) -> bool:
    """A backward pass from ``root`` has run: it holds a seed (a Value's grad 0 means none)."""
    from autograd_lite.reading import value_of

    g = value_of(root.grad)
    return g is not None and (not isinstance(g, (int, float)) or g != 0.0)
