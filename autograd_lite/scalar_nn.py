"""A micrograd-style neural network of scalar ``Value`` s: Neuron, Layer, MLP.

Every weight is a ``Value``, so a forward pass builds a graph of thousands of scalar
nodes that ``backward()`` differentiates one chain-rule step at a time.

>>> from autograd_lite.scalar_nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)
>>> len(model.parameters())
337

Each weight is labelled by where it sits, counting from 1 as the formulas do: ``L1.n3.w2`` is
the weight of input 2 in neuron 3 of layer 1 (``model.layers[0].neurons[2].w[1]``), ``L1.n3.b``
that neuron's bias.  Pictures and tables show these names.

>>> [p.label for p in model.layers[0].neurons[2].parameters()]
['L1.n3.w1', 'L1.n3.w2', 'L1.n3.b']
"""

from __future__ import annotations

import random
from typing import Any, List, Optional, Sequence, Union

from .engine import next_order as _next_order
from .groups import describe, param_span
from .groups import record as _record
from .value import Value

Scalar = Union[Value, float]


def weighted_sum(w: Sequence[Value], x: Sequence[Scalar], b: Value) -> Value:
    """``b + w[0]*x[0] + w[1]*x[1] + ...``, left to right: a neuron before its activation.

    The very graph ``sum((wi * xi for wi, xi in zip(w, x)), b)`` makes -- the same nodes, ops,
    local derivatives and creation order (tests check it) -- without a generator per neuron.

    >>> w, x = [Value(2.0), Value(-1.0)], [3.0, Value(1.0)]
    >>> weighted_sum(w, x, Value(0.5)).data
    5.5
    """
    if len(w) != len(x):
        raise ValueError(f"weighted_sum: {len(w)} weights but {len(x)} inputs")
    acc = b
    for wi, xi in zip(w, x):
        acc = acc + wi * xi
    return acc


class ScalarModule:
    """Base class: ``parameters()`` lists the trainable Values, ``zero_grad()`` clears them."""

    def parameters(self) -> List[Value]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


class Neuron(ScalarModule):
    """``act(sum(w_i x_i) + b)`` with ``act`` one of ``"relu"``, ``"tanh"``, ``"linear"``.

    The weights are labelled ``w1``, ``w2`` ... and the bias ``b``, after ``name`` (a prefix
    such as ``"L1.n3."``, which ``Layer`` and ``MLP`` give).
    """

    ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")

    def __init__(self, n_inputs: int, activation: str = "relu", rng: Optional[random.Random] = None,
                 name: str = "") -> None:
        if activation not in self.ACTIVATIONS:
            raise ValueError(f"Neuron: activation must be one of {self.ACTIVATIONS}, got {activation!r}")
        if not isinstance(n_inputs, int) or n_inputs < 1:
            raise ValueError(f"Neuron: n_inputs must be a positive int, got {n_inputs!r}")
        if not isinstance(name, str):
            raise TypeError(f"Neuron: name must be a str, got {type(name).__name__}")
        rng = rng or random.Random()
        self.w = [Value(rng.uniform(-1, 1), label=f"{name}w{i}") for i in range(1, n_inputs + 1)]
        self.b = Value(0.0, label=f"{name}b")
        self.activation = activation
        self.name = name.rstrip(".") or "neuron"  # what a folded picture calls it (L1.n3)
        self._params = param_span(self.parameters())  # its weights, drawn inside its folded box
        self._block = describe(self.name, "neuron", self._params)

    def __call__(self, x: Sequence[Scalar]) -> Value:
        start = _next_order()  # the nodes made from here on are this neuron's (a folded picture)
        act = self._forward(x)
        _record(self._block, start)
        return act

    def _forward(self, x: Sequence[Scalar]) -> Value:
        """The neuron's output, unrecorded (its layer records its neurons in one go)."""
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        # b + w_i * x_i, the Value on the left: a plain-number x is kept in its node (a leaf when read)
        act = weighted_sum(self.w, x, self.b)
        if self.activation == "linear":
            return act
        return getattr(act, self.activation)()  # type: ignore[no-any-return]

    def parameters(self) -> List[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, {self.activation})"


class Layer(ScalarModule):
    """``n_outputs`` neurons that all see the same inputs; neuron j's weights are labelled
    ``{name}n{j}.w1`` ... (counting from 1)."""

    def __init__(self, n_inputs: int, n_outputs: int, activation: str = "relu",
                 rng: Optional[random.Random] = None, name: str = "") -> None:
        if not isinstance(name, str):
            raise TypeError(f"Layer: name must be a str, got {type(name).__name__}")
        self.neurons = [Neuron(n_inputs, activation, rng, name=f"{name}n{j}.")
                        for j in range(1, n_outputs + 1)]
        self.name = name.rstrip(".") or "layer"
        # its neurons are recorded with it: one record per layer call
        self._block = describe(self.name, "layer", param_span(self.parameters()),
                               ("neuron", tuple(n.name for n in self.neurons),
                                tuple(n._params for n in self.neurons)))

    def __call__(self, x: Sequence[Scalar]) -> Union[Value, List[Value]]:
        start = _next_order()
        out = []
        ends = []
        for n in self.neurons:  # each neuron's nodes end where the next one's begin
            out.append(n._forward(x))
            ends.append(_next_order())
        _record(self._block, start, tuple(ends))
        return out[0] if len(out) == 1 else out

    def parameters(self) -> List[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer([{', '.join(str(n) for n in self.neurons)}])"


class MLP(ScalarModule):
    """Fully connected layers; ``activation`` on hidden layers, the last one linear.

    ``seed`` makes the initial weights reproducible.  Layer i's parameters are labelled
    ``L{i}.n{j}.w{k}`` and ``L{i}.n{j}.b`` (counting from 1).
    """

    def __init__(self, n_inputs: int, sizes: Sequence[int], activation: str = "relu",
                 seed: Optional[int] = None) -> None:
        rng = random.Random(seed)
        dims = [n_inputs, *sizes]
        self.layers = [
            Layer(dims[i], dims[i + 1], activation if i < len(sizes) - 1 else "linear", rng,
                  name=f"L{i + 1}.")
            for i in range(len(sizes))
        ]
        self._block = describe("MLP", "module", param_span(self.parameters()))

    def __call__(self, x: Sequence[Scalar]) -> Union[Value, List[Value]]:
        start = _next_order()
        out: Any = x
        for layer in self.layers:
            out = layer(out if isinstance(out, (list, tuple)) else [out])
        _record(self._block, start)
        return out  # type: ignore[no-any-return]

    def parameters(self) -> List[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP([{', '.join(str(layer) for layer in self.layers)}])"
