"""Gradient health for :func:`viz.watch`: each layer's gradient norm, and a flag where it
vanishes or explodes, with a cause in words computed from the recorded numbers.

A layer's gradient norm is the 2-norm of all its weights' and biases' grads together
(``math.hypot``: no overflow before the result itself overflows).  At one step, a layer is

- *exploding* when its norm is not finite or above ``explode``;
- *vanishing* when its norm is below ``vanish`` times the largest norm of that step's layers.

The cause of a vanishing gradient is read from the activations the gradient passes through
on its way down (this layer's and every later hidden layer's), on the watched points:
``1 - t²`` for tanh, ``s·(1 - s)`` for sigmoid, and for ReLU the neurons whose ``z ≤ 0`` on
every watched point (their slope is 0).  The text says the numbers; it claims a saturation only
where the mean slope is small (``1 - t² < 0.1``, ``s·(1 - s) < 0.025``, half the ReLUs dead).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from autograd_lite.format import fmt

from .watch_model import Net

__all__ = ["Flag", "layer_norms", "health_flags"]

Pair = Tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Flag:
    """A problem at one recorded step: ``kind`` is ``"loss"``, ``"vanish"`` or ``"explode"``;
    ``layer`` the layer's name (None for the loss); ``text`` says it, with the numbers."""

    layer: Optional[str]
    kind: str
    text: str


def layer_norms(grads: Sequence[Pair]) -> List[float]:
    """The 2-norm of each layer's grads (weights and bias together)."""
    return [math.hypot(*gw.ravel().tolist(), *gb.ravel().tolist()) for gw, gb in grads]


def _slope(activation: str, z: np.ndarray, a: np.ndarray) -> Optional[Tuple[float, str, bool]]:
    """(mean local slope, words, saturated?) of one hidden layer on the watched points."""
    points, units = a.shape
    over = f"mean over {points} points × {units} neurons"
    if activation == "tanh":
        s = float(np.mean(1.0 - a * a))
        return s, f"1 - t² = {fmt(s, 2)} ({over})", s < 0.1
    if activation == "sigmoid":
        s = float(np.mean(a * (1.0 - a)))
        return s, f"s·(1 - s) = {fmt(s, 2)} ({over}; at most 0.25)", s < 0.025
    if activation == "relu":
        s = float(np.mean(z > 0))
        dead = int(np.sum(np.all(~(z > 0), axis=0)))
        return s, f"{dead} of {units} neurons have z ≤ 0 on all {points} watched points", 2 * dead >= units
    return None


_NAMES = {"tanh": "tanh saturated", "sigmoid": "sigmoid saturated", "relu": "ReLU dead"}


def _largest_weight(net: Net, weights: Sequence[Pair], first: int) -> str:
    """'the largest |w| after L1 is 3.2 (in L2)', or '' when no layer follows."""
    best, where = -1.0, ""
    for layer, (w, _) in zip(net.layers[first:], weights[first:]):
        m = float(np.max(np.abs(w))) if w.size else 0.0
        if not m <= best:  # a nan wins: it is the news
            best, where = m, layer.name
    if not where:
        return ""
    return f"the largest |w| after {net.layers[first - 1].name} is {fmt(best, 3)} (in {where})"


def _vanish_cause(net: Net, first: int, weights: Sequence[Pair], forward: Sequence[Pair]) -> str:
    hidden = [(j, _slope(net.layers[j].activation, *forward[j])) for j in range(first, len(net.layers))]
    found = [(j, s) for j, s in hidden if s is not None]
    tail = _largest_weight(net, weights, first + 1)
    if not found:
        words = f"no activation at or after {net.layers[first].name}"
        return f"{words}; {tail}" if tail else words
    j, (mean, words, saturated) = min(found, key=lambda js: js[1][0])
    name = net.layers[j].name
    if saturated:
        return f"{_NAMES[net.layers[j].activation]} in {name}: {words}"
    text = (f"no saturated or dead activation at or after {net.layers[first].name} "
            f"(the smallest mean slope is {fmt(mean, 2)}, in {name})")
    return f"{text}; {tail}" if tail else text


def health_flags(net: Net, loss: Optional[float], weights: Sequence[Pair], forward: Sequence[Pair],
                 norms: Sequence[float], vanish: float, explode: float) -> List[Flag]:
    """The flags of one recorded step (see the module's docstring)."""
    out: List[Flag] = []
    if loss is not None and not math.isfinite(loss):
        out.append(Flag(None, "loss", f"the loss is {fmt(loss)}"))
    finite = [(n, la.name) for n, la in zip(norms, net.layers) if math.isfinite(n)]
    top, top_name = max(finite, default=(0.0, ""))
    for li, (layer, n) in enumerate(zip(net.layers, norms)):
        if not math.isfinite(n) or n > explode:
            head = (f"{layer.name}: gradient norm {fmt(n, 3)}"
                    + (f" > explode={fmt(explode)}" if math.isfinite(n) else ""))
            bad = sum(int(np.sum(~np.isfinite(g))) for g in weights[li])
            causes = [f"the loss is {fmt(loss, 4)}"] if loss is not None else []
            if bad:
                causes.append(f"{bad} of its weights are not finite")
            tail = _largest_weight(net, weights, li + 1)
            if tail:
                causes.append(tail)
            out.append(Flag(layer.name, "explode", f"{head}; {'; '.join(causes)}" if causes else head))
        elif top > 0 and n < vanish * top:
            head = (f"{layer.name}: gradient norm {fmt(n, 3)} is {fmt(n / top, 2)} × {top_name}'s "
                    f"{fmt(top, 3)} (below vanish={fmt(vanish)})")
            out.append(Flag(layer.name, "vanish", f"{head}; {_vanish_cause(net, li, weights, forward)}"))
    return out
