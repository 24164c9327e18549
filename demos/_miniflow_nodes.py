"""MiniFlow, the node graph of Udacity's deep-learning course, as its authors wrote it.

``Input``, ``Linear``, ``Sigmoid`` and ``MSE`` nodes hold a ``value`` and, after
``backward``, a ``gradients`` dict ``{inbound node: d cost / d that node}``;
:func:`topological_sort` orders a graph from a feed dict (Kahn's algorithm),
:func:`forward_and_backward` runs it, :func:`sgd_update` steps the trainables.

It is the reference :mod:`demos.miniflow` checks autograd_lite against.  Three things the
circulating copies get wrong are fixed: the base class's ``forward``/``backward`` take
``self`` (so calling them raises ``NotImplementedError`` rather than a ``TypeError``), the
constructor has no mutable default list of inbound nodes, and ``MSE`` hands back gradients
in the shape of its inputs (a 1-D target ``y`` otherwise gets an (m, m) "gradient").

>>> import numpy as np
>>> x, w, b = Input(), Input(), Input()
>>> f = Linear(x, w, b)
>>> graph = topological_sort({x: np.array([[-1., -2.]]), w: np.array([[2.], [3.]]), b: np.array([-3.])})
>>> for node in graph:
...     node.forward()
>>> f.value
array([[-11.]])
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np


class Node:
    """A graph node: its inbound (input) nodes, outbound nodes, value and gradients."""

    def __init__(self, inbound_nodes: Sequence["Node"] = ()) -> None:
        self.inbound_nodes: List[Node] = list(inbound_nodes)
        self.outbound_nodes: List[Node] = []
        self.value: Optional[np.ndarray] = None
        # {inbound node: partial of the cost with respect to that node}, set by backward
        self.gradients: Dict[Node, np.ndarray] = {}
        for n in self.inbound_nodes:
            n.outbound_nodes.append(self)

    def forward(self) -> None:
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self) -> None:
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def _value(self) -> np.ndarray:
        if self.value is None:
            raise RuntimeError(f"{type(self).__name__}: no value yet; run forward first")
        return self.value


class Input(Node):
    """A leaf: inputs, targets and trainable parameters; its value is set from the feed dict."""

    def forward(self) -> None:
        pass  # the value was set by topological_sort from the feed dict

    def backward(self) -> None:
        # An input's gradient is the sum of what its outbound nodes send back.
        self.gradients = {self: np.zeros_like(self._value())}
        for n in self.outbound_nodes:
            self.gradients[self] = self.gradients[self] + n.gradients[self]


class Linear(Node):
    """``X @ W + b``."""

    def __init__(self, X: Node, W: Node, b: Node) -> None:
        super().__init__([X, W, b])

    def forward(self) -> None:
        X, W, b = (n._value() for n in self.inbound_nodes)
        self.value = np.dot(X, W) + b

    def backward(self) -> None:
        X, W, b = self.inbound_nodes
        self.gradients = {n: np.zeros_like(n._value()) for n in self.inbound_nodes}
        for n in self.outbound_nodes:
            grad = n.gradients[self]
            self.gradients[X] = self.gradients[X] + np.dot(grad, W._value().T)
            self.gradients[W] = self.gradients[W] + np.dot(X._value().T, grad)
            self.gradients[b] = self.gradients[b] + np.sum(grad, axis=0, keepdims=False)


class Sigmoid(Node):
    """``1 / (1 + exp(-x))``; backward: ``s (1 - s) * upstream``."""

    def __init__(self, node: Node) -> None:
        super().__init__([node])

    def forward(self) -> None:
        self.value = 1.0 / (1.0 + np.exp(-self.inbound_nodes[0]._value()))

    def backward(self) -> None:
        self.gradients = {n: np.zeros_like(n._value()) for n in self.inbound_nodes}
        s = self._value()
        for n in self.outbound_nodes:
            self.gradients[self.inbound_nodes[0]] += s * (1.0 - s) * n.gradients[self]


class MSE(Node):
    """Mean squared error of target ``y`` and prediction ``a`` (both taken as columns)."""

    def __init__(self, y: Node, a: Node) -> None:
        super().__init__([y, a])
        self.m = 0
        self.diff: Optional[np.ndarray] = None

    def forward(self) -> None:
        y = self.inbound_nodes[0]._value().reshape(-1, 1)
        a = self.inbound_nodes[1]._value().reshape(-1, 1)
        if y.shape != a.shape:
            raise ValueError(f"MSE: y and a hold different numbers of values: {y.shape} vs {a.shape}")
        self.m = y.shape[0]
        self.diff = y - a
        self.value = np.mean(self.diff ** 2)

    def backward(self) -> None:
        if self.diff is None:
            raise RuntimeError("MSE.backward: run forward first")
        y, a = self.inbound_nodes
        # Back to each input's own shape: a (m, 1) column added to a 1-D y's zeros in
        # Input.backward would broadcast into an (m, m) matrix.
        self.gradients[y] = ((2 / self.m) * self.diff).reshape(y._value().shape)
        self.gradients[a] = ((-2 / self.m) * self.diff).reshape(a._value().shape)


def topological_sort(feed_dict: Dict[Node, np.ndarray]) -> List[Node]:
    """Kahn's algorithm from the ``Input`` nodes in ``feed_dict``; sets their values."""
    input_nodes = list(feed_dict)
    G: Dict[Node, Dict[str, set]] = {}
    nodes = list(input_nodes)
    while nodes:
        n = nodes.pop(0)
        G.setdefault(n, {"in": set(), "out": set()})
        for m in n.outbound_nodes:
            G.setdefault(m, {"in": set(), "out": set()})
            G[n]["out"].add(m)
            G[m]["in"].add(n)
            nodes.append(m)
    order: List[Node] = []
    ready = list(input_nodes)  # a list, not a set: the same order on every run
    while ready:
        n = ready.pop(0)
        if isinstance(n, Input):
            n.value = feed_dict[n]
        order.append(n)
        for m in n.outbound_nodes:
            G[n]["out"].remove(m)
            G[m]["in"].remove(n)
            if not G[m]["in"]:
                ready.append(m)
    return order


def forward_and_backward(graph: List[Node]) -> None:
    """Forward in topological order, then backward in reverse."""
    for n in graph:
        n.forward()
    for n in graph[::-1]:
        n.backward()


def sgd_update(trainables: Sequence[Node], learning_rate: float = 1e-2) -> None:
    """``t -= learning_rate * d cost / d t`` for every trainable (in place)."""
    for t in trainables:
        t.value = t._value() - learning_rate * t.gradients[t]
