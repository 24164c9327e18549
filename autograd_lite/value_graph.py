"""A Value's chain rule run as graph (``backward(create_graph=True)``, the functional API).

Each node sends its parents (local derivative as a ``Value``) × upstream, where the local
derivative is the op table's rule run on the parents themselves (:mod:`autograd_lite.ops`) -- for
a user's ``Function``, its backward run on them (its node's own ``_sends``, in
:mod:`autograd_lite.function`) -- so every
``.grad`` is a node of the graph and can be differentiated again.
"""

from __future__ import annotations

from typing import Any, List, Tuple

from . import engine as _engine
from . import ops as _ops

#: The ``Value`` class: :mod:`autograd_lite.value` imports this module and sets it, so that the
#: two do not import each other.
Value: Any = None


def graph_sends(node: Any, g: Any) -> Tuple[Tuple[Any, Any], ...]:
    """``(parent, local x upstream)`` for each parent of ``node``, as graph."""
    if type(g) is not Value and g == 0.0:
        return ()  # nothing flowed here
    a, b = node._a, node._b
    if a is None:
        return ()
    out = []
    with _engine.rules_as_graph():
        locals_ = graph_locals(node)
        for p, local in zip((a,) if b is None else (a, b), locals_):
            c = _times(local, g)
            if c is not None:
                out.append((p, c))
    return tuple(out)


def graph_locals(node: Any) -> Tuple[Any, ...]:
    """The local derivatives of ``node`` as graph: its row's rules run on its parents."""
    row = _ops.op_row(node.op)
    if row is None:
        raise ValueError(f"backward(create_graph=True): no derivative rule for op {node.op!r}")
    a, b = node._a, node._b
    if b is None:
        kept = getattr(node.op, "const", None)
        if kept is not None:  # a number kept in the node (x * 3): the rule with the number, for a
            k = node._lb
            return (row.rules[1](k, a, node),) if kept == 0 else (row.rules[0](a, k, node),)
        if row.param:  # the number the op carries (the exponent of x**n), held by its tag
            return (row.rules[0](a, node, node.op.param),)  # type: ignore[attr-defined]
        return (row.rules[0](a, node),)
    return (row.rules[0](a, b, node), row.rules[1](a, b, node))


def _times(local: Any, g: Any) -> Any:
    """local x upstream, as graph (None for nothing).

    Constants stay floats until they meet a node, and multiplying by a constant 1 or -1
    builds no node, so a gradient's graph holds only what the derivative needs.
    """
    if type(local) is not Value:
        if local == 0.0:
            return None
        if type(g) is not Value:
            return local * g
        return g if local == 1.0 else (-g if local == -1.0 else g * local)
    if type(g) is not Value:
        return local if g == 1.0 else (-local if g == -1.0 else local * g)
    return g * local


def as_graph_grads(nodes: List[Any]) -> None:
    """After backward(create_graph=True): a grad that stayed a constant becomes a leaf Value."""
    for n in nodes:
        if type(n.grad) is not Value:
            n.grad = Value(n.grad)
