"""``Value.backward(create_graph=True)``: the chain rule run as graph.

Each node sends its parents (local derivative as a ``Value``) × upstream, where the local
derivative is the op table's rule run on the parents themselves (:mod:`autograd_lite.ops`), so
every ``.grad`` is a node of the graph and can be differentiated again.
"""

from __future__ import annotations

from typing import Any, List

from . import ops as _ops
from .value import Value


def backprop_graph(node: Value) -> None:
    """The chain rule for one node, as graph."""
    g = node.grad
    if type(g) is not Value and g == 0.0:
        return  # nothing flowed here
    row = _ops.op_row(node.op)
    if row is None:
        raise ValueError(f"backward(create_graph=True): no derivative rule for op {node.op!r}")
    a, b = node._a, node._b
    if a is None:  # only called on non-leaves (engine protocol)
        return
    if b is None:
        local = row.rules[0](a, node, node._lb) if row.param else row.rules[0](a, node)
        send(a, local, g)
    else:
        send(a, row.rules[0](a, b, node), g)
        send(b, row.rules[1](a, b, node), g)


def send(p: Value, local: Any, g: Any) -> None:
    """parent.grad += local x upstream, as graph.

    Constants stay floats until they meet a node, and multiplying by a constant 1 or -1
    builds no node, so a gradient's graph holds only what the derivative needs.
    """
    if type(local) is not Value:
        if local == 0.0:
            return
        if type(g) is not Value:
            c = local * g
        else:
            c = g if local == 1.0 else (-g if local == -1.0 else g * local)
    elif type(g) is not Value:
        c = local if g == 1.0 else (-local if g == -1.0 else local * g)
    else:
        c = g * local
    pg = p.grad
    p.grad = c if (type(pg) is not Value and pg == 0.0) else pg + c


def as_graph_grads(nodes: List[Value]) -> None:
    """After backward(create_graph=True): a grad that stayed a constant becomes a leaf Value."""
    for n in nodes:
        if type(n.grad) is not Value:
            n.grad = Value(n.grad)  # type: ignore[assignment]  # grads are Values here
