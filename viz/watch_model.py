"""What :func:`viz.watch` reads from a model: its layers, their weights and grads, and the
forward pass of each watched data point, without changing anything.

Two kinds of model are read, layer by layer:

- ``autograd_lite.scalar_nn``: an ``MLP``, a ``Layer`` or a ``Neuron`` (micrograd's Values);
- ``autograd_lite.nn``: a ``Sequential`` of ``Linear`` layers, each followed by at most one of
  ``ReLU``, ``Tanh``, ``Sigmoid`` (or one ``Linear`` alone).

Weights are read as ``W`` of shape (inputs, outputs) and ``b`` of shape (outputs,), the book's
layout (``nn.Linear``'s own; a scalar neuron j's weights are column j).  A data point's forward
pass is recomputed from the weights with no graph (``no_grad``): a scalar net's sums are made in
the order ``weighted_sum`` makes them and its activations by ``Value``'s own methods, a Tensor
net's by its layers' ``forward`` (not ``__call__``: the user's hooks do not run), so the numbers
are the model's to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import numpy as np

from autograd_lite import Value, no_grad
from autograd_lite.reading import is_node

__all__ = ["NetLayer", "Net", "read_model", "MAX_WIDTH", "MAX_EDGES"]

MAX_WIDTH = 64  # neurons drawn in one column
MAX_EDGES = 4096  # weights drawn as edges in the whole picture


def _num(g: Any) -> float:
    """A grad as a float (a Value grad from ``create_graph=True`` reads its ``data``)."""
    return float(g.data) if is_node(g) else float(g)


@dataclass(frozen=True)
class NetLayer:
    """One fully connected layer: ``a = act(x @ W + b)``."""

    name: str  # "L1" (scalar nets) or "0" (the Sequential child's name)
    n_in: int
    n_out: int
    activation: str  # relu, tanh, sigmoid or linear
    unit_names: Tuple[str, ...]  # one per output: "L1.n3" or "0[2]"
    weight_names: Tuple[str, ...]  # row-major over (input, output): "L1.n3.w2" or "0.W[1,2]"
    bias_names: Tuple[str, ...]  # empty when the layer has no bias


class Net:
    """A model as layers; :meth:`weights`, :meth:`grads` and :meth:`forward` read it."""

    def __init__(self, kind: str, layers: List[NetLayer], parts: List[Any]) -> None:
        self.kind = kind  # "scalar" or "tensor"
        self.layers = layers
        self._parts = parts  # per layer: a list of Neurons, or (Linear, activation or None, name)

    @property
    def n_params(self) -> int:
        return sum(len(la.weight_names) + len(la.bias_names) for la in self.layers)

    @property
    def n_units(self) -> int:
        return sum(la.n_out for la in self.layers)

    def weights(self) -> List[Tuple[np.ndarray, np.ndarray]]:
        """(W, b) per layer, float64 copies (b is empty when the layer has none)."""
        return [self._read(part, grads=False) for part in self._parts]

    def grads(self) -> List[Tuple[np.ndarray, np.ndarray]]:
        """(dW, db) per layer, float64 copies of the parameters' grads."""
        return [self._read(part, grads=True) for part in self._parts]

    def _read(self, part: Any, grads: bool) -> Tuple[np.ndarray, np.ndarray]:
        if self.kind == "scalar":
            def get(p: Value) -> float:
                return _num(p.grad) if grads else float(p.data)
            W = np.array([[get(w) for w in n.w] for n in part], dtype=np.float64).T
            b = np.array([get(n.b) for n in part], dtype=np.float64)
            return W, b
        linear = part[0]
        out: List[np.ndarray] = []
        for p in (linear.W, linear.b):
            if p is None:
                out.append(np.zeros(0))
                continue
            if grads:
                g = p.grad
                if g is None:
                    name = "W" if p is linear.W else "b"
                    raise ValueError(f"watch.record: the parameter '{part[2]}.{name}' of {linear!r} has no "
                                     "grad yet; call loss.backward() before record()")
                out.append(np.array(getattr(g, "data", g), dtype=np.float64))
            else:
                out.append(np.array(p.data, dtype=np.float64))
        return out[0], out[1]

    def forward(self, points: np.ndarray) -> List[Tuple[np.ndarray, np.ndarray]]:
        """(z, a) per layer for every point, each of shape (points, outputs), with no graph."""
        out = []
        with no_grad():
            if self.kind == "scalar":
                x = points
                for part, layer in zip(self._parts, self.layers):
                    W, b = self._read(part, grads=False)
                    z = np.broadcast_to(b, (len(x), layer.n_out)).copy()
                    for i in range(layer.n_in):  # b + w1·x1 + w2·x2 ..., left to right as weighted_sum
                        z = z + W[i] * x[:, i:i + 1]
                    a = np.empty_like(z)
                    for j, n in enumerate(part):
                        if n.activation == "linear":
                            a[:, j] = z[:, j]
                        else:
                            a[:, j] = [getattr(Value(float(v)), n.activation)().data for v in z[:, j]]
                    out.append((z, a))
                    x = a
                return out
            from autograd_lite import Tensor

            t = Tensor(points)
            for linear, act, _ in self._parts:
                z = linear.forward(t)
                t = act.forward(z) if act is not None else z
                out.append((np.array(z.data, dtype=np.float64), np.array(t.data, dtype=np.float64)))
        return out


def read_model(model: Any, where: str = "watch") -> Net:
    """The layers of ``model``; anything else is refused with a TypeError that names it."""
    from autograd_lite import scalar_nn

    if isinstance(model, (scalar_nn.MLP, scalar_nn.Layer, scalar_nn.Neuron)):
        return _read_scalar(model, where)
    from autograd_lite import nn

    if isinstance(model, (nn.Sequential, nn.Linear)):
        return _read_tensor(model, where)
    raise TypeError(f"{where}: model must be a scalar_nn.MLP, Layer or Neuron, or an nn.Sequential of "
                    f"Linear layers and activations (or one nn.Linear); got {type(model).__name__}")


def _read_scalar(model: Any, where: str) -> Net:
    from autograd_lite import scalar_nn

    if isinstance(model, scalar_nn.MLP):
        groups = [list(la.neurons) for la in model.layers]
    elif isinstance(model, scalar_nn.Layer):
        groups = [list(model.neurons)]
    else:
        groups = [[model]]
    layers: List[NetLayer] = []
    for li, neurons in enumerate(groups, start=1):
        if not neurons:
            raise ValueError(f"{where}: layer {li} has no neurons")
        n_in = len(neurons[0].w)
        acts = {n.activation for n in neurons}
        if len(acts) != 1 or any(len(n.w) != n_in for n in neurons):
            raise ValueError(f"{where}: the neurons of layer {li} differ (activations {sorted(acts)}, "
                             f"inputs {sorted({len(n.w) for n in neurons})}); watch draws layers of alike "
                             "neurons")
        if layers and n_in != layers[-1].n_out:
            raise ValueError(f"{where}: layer {li} takes {n_in} inputs but layer {li - 1} gives "
                             f"{layers[-1].n_out}")
        units = tuple(f"L{li}.n{j}" for j in range(1, len(neurons) + 1))
        wnames = tuple(neurons[j].w[i].label or f"{units[j]}.w{i + 1}"
                       for i in range(n_in) for j in range(len(neurons)))
        bnames = tuple(n.b.label or f"{units[j]}.b" for j, n in enumerate(neurons))
        layers.append(NetLayer(f"L{li}", n_in, len(neurons), acts.pop(), units, wnames, bnames))
    return _bounded(Net("scalar", layers, groups), where)


def _read_tensor(model: Any, where: str) -> Net:
    from autograd_lite import nn

    acts = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}
    kids = model.named_children() if isinstance(model, nn.Sequential) else [("", model)]
    parts: List[Any] = []
    layers: List[NetLayer] = []
    pending: Optional[Any] = None
    for name, kid in kids:
        shown = name or type(kid).__name__
        if type(kid) is nn.Linear:
            pending = [kid, None, name or "Linear"]
            parts.append(pending)
        elif type(kid) in acts and pending is not None and pending[1] is None:
            pending[1] = kid
        else:
            why = ("follows no Linear" if type(kid) in acts
                   else "is not a Linear layer or one of ReLU, Tanh, Sigmoid")
            raise TypeError(f"{where}: the module {shown!r} ({type(kid).__name__}) {why}; watch reads a "
                            "Sequential of Linear layers, each followed by at most one activation")
    if not parts:
        raise ValueError(f"{where}: the Sequential has no Linear layer")
    for linear, act, name in parts:
        n_in, n_out = linear.in_features, linear.out_features
        if layers and n_in != layers[-1].n_out:
            raise ValueError(f"{where}: layer {name!r} takes {n_in} inputs but the layer before gives "
                             f"{layers[-1].n_out}")
        units = tuple(f"{name}[{j}]" for j in range(n_out))
        wnames = tuple(f"{name}.W[{i},{j}]" for i in range(n_in) for j in range(n_out))
        bnames = tuple(f"{name}.b[{j}]" for j in range(n_out)) if linear.b is not None else ()
        layers.append(NetLayer(name, n_in, n_out, "linear" if act is None else acts[type(act)],
                               units, wnames, bnames))
    return _bounded(Net("tensor", layers, [tuple(p) for p in parts]), where)


def _bounded(net: Net, where: str) -> Net:
    """Refuse, up front, a network too big to draw as one picture of neurons and weights."""
    widths = [net.layers[0].n_in] + [la.n_out for la in net.layers]
    wide = max(widths)
    edges = sum(la.n_in * la.n_out for la in net.layers)
    if wide > MAX_WIDTH or edges > MAX_EDGES:
        raise ValueError(f"{where}: the network has a column of {wide} neurons and {edges} weights; the "
                         f"picture draws at most {MAX_WIDTH} neurons a column and {MAX_EDGES} weights; "
                         "watch a smaller network")
    return net
