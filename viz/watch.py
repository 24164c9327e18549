"""Training, watched: :func:`watch` follows a training loop and shows, on one fixed picture of the
network, how the data, the grads and the weights change, step by step and point by point.

>>> import numpy as np
>>> import viz
>>> from autograd_lite import Value, optim
>>> from autograd_lite.scalar_nn import MLP
>>> model = MLP(2, [4, 1], seed=0)
>>> x = np.array([[0.5, -1.0], [1.5, 0.25]]); y = [1.0, -1.0]
>>> opt = optim.SGD(model.parameters(), lr=0.1)
>>> w = viz.watch(model, x, labels=y)
>>> for step in range(3):
...     scores = [model([Value(a), Value(b)]) for a, b in x]
...     loss = sum(((s - t) ** 2 for s, t in zip(scores, y)), Value(0.0))
...     opt.zero_grad(); loss.backward()
...     _ = w.record(loss)          # after backward, before the update: the grads the step uses
...     opt.step()
>>> len(w.records), w.records[2].grads[0][0].shape     # 3 steps; layer L1's dW is (inputs, outputs)
(3, (2, 4))
>>> float(w.records[2].grads[1][1][0]) == model.layers[1].neurons[0].b.grad
True

``w.save("watch.html")`` writes the view as one offline HTML file; in Jupyter, displaying ``w``
shows it as a live widget (with the ``notebook`` extra: anywidget) that follows the loop.
"""

from __future__ import annotations

import html
import math
import numbers
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from autograd_lite.format import fmt
from autograd_lite.reading import is_node

from .watch_health import Flag, health_flags, layer_norms
from .watch_model import Net, read_model
from .watch_page import encode_record, page_html, static_data

__all__ = ["watch", "Watch", "Record", "MAX_STEPS", "MAX_POINTS", "MAX_NUMBERS"]

MAX_STEPS = 10_000
MAX_POINTS = 1_000
MAX_NUMBERS = 5_000_000  # numbers kept over all recorded steps (40 MB of float64)

Pair = Tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Record:
    """One recorded training step, as float64 copies.

    ``weights`` and ``grads``: ``(W, b)`` per layer, ``W`` of shape (inputs, outputs);
    ``forward``: ``(z, a)`` per layer, of shape (watched points, outputs), the pre-activation and
    the activation with the step's weights; ``norms``: each layer's gradient norm; ``flags``:
    vanishing or exploding gradients (see :mod:`viz.watch_health`).
    """

    step: int
    loss: Optional[float]
    weights: Tuple[Pair, ...]
    grads: Tuple[Pair, ...]
    forward: Tuple[Pair, ...]
    norms: Tuple[float, ...]
    flags: Tuple[Flag, ...]


def _int(where: str, name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {type(value).__name__}: {value!r}")
    number = int(value)
    if not lo <= number <= hi:
        raise ValueError(f"{where}: {name} must be from {lo} to {hi}, got {number}")
    return number


def _real(where: str, name: str, value: Any, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"{where}: {name} must be a finite number, got {value!r}")
    number = float(value)
    if not lo < number < hi:
        raise ValueError(f"{where}: {name} must be between {fmt(lo)} and {fmt(hi)}, got {fmt(number)}")
    return number


def _array(where: str, name: str, value: Any) -> np.ndarray:
    data = getattr(value, "data", value) if not isinstance(value, (list, tuple)) else value
    try:
        arr = np.array(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{where}: {name} must be an array of numbers, got {type(value).__name__}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{where}: {name} holds values that are not finite")
    return arr


def _loss_value(loss: Any) -> Optional[float]:
    if loss is None:
        return None
    if isinstance(loss, bool):
        raise TypeError("watch.record: loss must be a number, a Value or a one-element Tensor, got a bool")
    if isinstance(loss, numbers.Real):
        return float(loss)
    if is_node(loss):
        data = np.asarray(loss.data, dtype=np.float64)
        if data.size != 1:
            raise ValueError(f"watch.record: loss must be one number, got a Tensor of shape {data.shape}")
        return float(data.reshape(-1)[0])
    raise TypeError(f"watch.record: loss must be a number, a Value or a one-element Tensor, got "
                    f"{type(loss).__name__}")


class Watch:
    """A training loop's view: call :meth:`record` once per step, after ``backward()`` and before
    the optimiser's step.  Made by :func:`watch`, which documents the options."""

    def __init__(self, model: Any, points: Any, *, labels: Any = None, max_steps: int = 200,
                 max_points: int = 32, every: int = 1, vanish: float = 1e-3, explode: float = 1e3,
                 title: Optional[str] = None) -> None:
        where = "watch"
        self.net: Net = read_model(model, where)
        self.max_steps = _int(where, "max_steps", max_steps, 1, MAX_STEPS)
        self.max_points = _int(where, "max_points", max_points, 1, MAX_POINTS)
        self.every = _int(where, "every", every, 1, 10**9)
        self.vanish = _real(where, "vanish", vanish, 0.0, 1.0)
        self.explode = _real(where, "explode", explode, 0.0, math.inf)
        if title is not None and not isinstance(title, str):
            raise TypeError(f"{where}: title must be a str or None, got {type(title).__name__}")
        x = _array(where, "points", points)
        n_in = self.net.layers[0].n_in
        if x.ndim != 2 or x.shape[1] != n_in or len(x) == 0:
            raise ValueError(f"{where}: points must have shape (points, {n_in}) for a model of {n_in} "
                             f"inputs, got shape {x.shape}")
        if len(x) > self.max_points:
            raise ValueError(f"{where}: {len(x)} points given but max_points={self.max_points}; watch fewer "
                             f"(points[:{self.max_points}]) or raise max_points (at most {MAX_POINTS})")
        y = None
        if labels is not None:
            y = _array(where, "labels", labels).reshape(-1)
            if len(y) != len(x):
                raise ValueError(f"{where}: {len(y)} labels for {len(x)} points")
        per_step = 2 * self.net.n_params + 2 * len(x) * self.net.n_units
        if self.max_steps * per_step > MAX_NUMBERS:
            raise ValueError(
                f"{where}: {self.max_steps} steps × {per_step} numbers a step ({self.net.n_params} weights "
                f"and their grads, {len(x)} points × {self.net.n_units} neurons' z and a) = "
                f"{self.max_steps * per_step} numbers, more than {MAX_NUMBERS}; lower max_steps (record "
                "every k-th step with every=k) or watch fewer points")
        self.points, self.labels = x, y
        sizes = "-".join(str(n) for n in [n_in] + [la.n_out for la in self.net.layers])
        self.title = title if title is not None else f"Training, watched: a {sizes} network"
        self._static = static_data(self.net, x, y, self.title, {
            "every": self.every, "max_steps": self.max_steps, "vanish": self.vanish, "explode": self.explode})
        self._records: List[Record] = []
        self._encoded: List[Dict[str, Any]] = []
        self._calls = 0
        self._widget: Any = None

    @property
    def records(self) -> Tuple[Record, ...]:
        """The recorded steps, oldest first."""
        return tuple(self._records)

    def record(self, loss: Any = None) -> Optional[Record]:
        """Record this training step: the weights, their grads and the watched points' forward pass
        (and ``loss``, a number, a Value or a one-element Tensor, if given).  Returns the record, or
        None on a step that ``every`` skips.  Reads only: the model, its grads and the training are
        untouched, and a failure records nothing."""
        value = _loss_value(loss)
        if self._calls % self.every:
            self._calls += 1
            return None
        if len(self._records) >= self.max_steps:
            raise ValueError(f"watch.record: {len(self._records)} steps recorded, "
                             f"max_steps={self.max_steps}; make the watch with a larger max_steps (at most "
                             f"{MAX_STEPS}) or every=k")
        weights = self.net.weights()
        grads = self.net.grads()
        forward = self.net.forward(self.points)
        norms = layer_norms(grads)
        flags = health_flags(self.net, value, weights, forward, norms, self.vanish, self.explode)
        rec = Record(self._calls, value, tuple(weights), tuple(grads), tuple(forward), tuple(norms),
                     tuple(flags))
        encoded = encode_record(rec)
        if self._widget is not None:
            self._widget.push(encoded, len(self._encoded))
        self._records.append(rec)
        self._encoded.append(encoded)
        self._calls += 1
        return rec

    def finish(self) -> None:
        """Store every recorded step in the widget's state (a saved notebook keeps them)."""
        if self._widget is not None:
            self._widget.records = list(self._encoded)
            self._widget.latest = {}  # every step is in records now: no copy of the last one

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.finish()  # an exception in the loop goes on; the steps recorded before it stay

    def html(self) -> str:
        """The view as one self-contained HTML page (no network, no Graphviz)."""
        return page_html(self._static, self._encoded)

    def save(self, path: Union[str, "os.PathLike[str]"]) -> Path:
        """Write :meth:`html` to ``path``; returns the path."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(self.html(), encoding="utf-8")
        return out

    def widget(self) -> Any:
        """The live Jupyter widget (anywidget), made once; later steps update it as they are recorded."""
        if self._widget is None:
            try:
                from .watch_widget import WatchWidget
            except ImportError as e:
                raise ImportError(f"watch.widget: the live view needs anywidget ({e}); "
                                  "pip install 'autograd_lite[notebook]', or save the view with "
                                  "w.save(path)") from None
            self._widget = WatchWidget(self._static, list(self._encoded), lambda: list(self._encoded))
        return self._widget

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Dict[str, Any]:
        try:
            widget = self.widget()
        except ImportError as e:
            page = html.escape(self.html(), quote=True)
            note = html.escape(str(e))
            return {"text/plain": repr(self),
                    "text/html": (f'<div style="color:#52606D;font-size:12px">A still view: {note}</div>'
                                  f'<iframe class="autograd-lite-watch" sandbox="allow-scripts" '
                                  f'style="width:100%;height:900px;border:1px solid #E1E5EA" srcdoc="{page}">'
                                  "</iframe>")}
        widget.records = list(self._encoded)  # a view opened now starts from every step so far
        return widget._repr_mimebundle_(include=include, exclude=exclude)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        sizes = "-".join(str(n) for n in [self.net.layers[0].n_in] + [la.n_out for la in self.net.layers])
        return (f"<Watch of a {sizes} network: {len(self._records)} of at most {self.max_steps} steps "
                f"recorded, {len(self.points)} points>")


def watch(model: Any, points: Any, *, labels: Any = None, max_steps: int = 200, max_points: int = 32,
          every: int = 1, vanish: float = 1e-3, explode: float = 1e3, title: Optional[str] = None) -> Watch:
    """Watch ``model`` train: call ``.record(loss)`` after each ``backward()``, before the optimiser step.

    ``model``: a ``scalar_nn`` MLP, Layer or Neuron, or an ``nn.Sequential`` of ``Linear`` layers,
    each followed by at most one ``ReLU`` / ``Tanh`` / ``Sigmoid``.  ``points`` (at most
    ``max_points`` rows of the model's inputs; ``labels`` optional): the data points whose forward
    pass the view shows, recomputed at every recorded step.  ``every=k`` records every k-th call;
    at most ``max_steps`` are kept (a further call raises, saying so).  A layer's gradient is
    flagged as vanishing below ``vanish`` × the step's largest layer norm, exploding above
    ``explode`` (or not finite), with the cause in numbers.

    The view: the network drawn once (neurons as boxes, weights as edges wider and darker by
    ``|grad|``), sliders for steps and points, the loss, the flags, and the gradient-health strip
    (every layer's gradient norm over the steps).  ``.save(path)`` writes it as one offline HTML
    file; in Jupyter, displaying the watch shows the live widget.  Sizes are refused up front:
    ``max_steps`` × the numbers of a step must stay under ``MAX_NUMBERS``.
    """
    return Watch(model, points, labels=labels, max_steps=max_steps, max_points=max_points, every=every,
                 vanish=vanish, explode=explode, title=title)
