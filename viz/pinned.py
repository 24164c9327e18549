"""One Graphviz layout, reused: positions read once from ``dot``, then pinned in every frame.

:func:`layout_of` runs ``dot`` once (``-Tjson``) and keeps where every node and edge went;
a frame drawn with those positions (``Frame(pins=...)``) is rendered by ``neato -n2``, which
lays nothing out and only draws, so *n* frames cost one layout and *n* cheap renders, and no
box moves between frames.  Every frame must have the same nodes and node sizes as the one laid
out (the step frames do: their text cells have fixed widths).  ``viz.draw.pipe(..., pinned=True)``
renders such a frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Dict, Tuple

import graphviz

__all__ = ["Layout", "layout_of", "parse_layout"]

_GRAPH_KEYS = ("bb", "lp", "lwidth", "lheight")


@dataclass
class Layout:
    """Where ``dot`` put the graph's label, every node and every edge (Graphviz's units)."""

    graph: Dict[str, str] = field(default_factory=dict)
    nodes: Dict[str, Dict[str, str]] = field(default_factory=dict)
    edges: Dict[Tuple[str, str], str] = field(default_factory=dict)

    def node(self, name: str) -> Dict[str, str]:
        """The attributes that pin node ``name``: ``pos`` (with ``!``), ``width``, ``height``."""
        return self.nodes.get(name, {})

    def edge(self, tail: str, head: str) -> Dict[str, str]:
        """The attribute that pins the spline of the edge ``tail -> head`` (empty if unknown)."""
        pos = self.edges.get((tail, head))
        return {"pos": pos} if pos is not None else {}


def layout_of(g: graphviz.Digraph) -> Layout:
    """Lay ``g`` out once with ``dot`` (raises ``graphviz.ExecutableNotFound`` without it)."""
    return parse_layout(g.pipe(format="json"))


def parse_layout(text: bytes) -> Layout:
    """The positions in ``dot -Tjson``'s output."""
    data = json.loads(text.decode("utf-8"))
    out = Layout()
    out.graph = {k: str(data[k]) for k in _GRAPH_KEYS if k in data}
    names: Dict[int, str] = {}
    for obj in data.get("objects", []):
        names[obj["_gvid"]] = obj["name"]
        if "pos" in obj:
            out.nodes[obj["name"]] = {"pos": obj["pos"] + "!", "width": str(obj["width"]),
                                      "height": str(obj["height"])}
    for e in data.get("edges", []):
        if "pos" in e:
            out.edges[(names[e["tail"]], names[e["head"]])] = e["pos"]
    return out
