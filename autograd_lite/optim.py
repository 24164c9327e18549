"""Optimisers: turn the gradients in ``param.grad`` into updates of ``param.data``.

Each optimiser follows PyTorch's update rule exactly (the formula is in its docstring) and
has two methods: ``step()`` updates every parameter that has a gradient (``grad is None``
means "not used in the last backward": it is skipped, its state untouched), and
``zero_grad()`` clears the gradients.  Parameters are ``Tensor`` s (updated in place:
``param.data`` keeps its identity, dtype and shape) or scalar ``Value`` s.  Call ``step()``
after ``backward()``: a graph built before the step would see the updated data.

A training step, the book's way::

    optimizer = SGD(model.parameters(), lr=0.1)
    for x, t in batches:
        loss = cross_entropy(model(x), t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

>>> from autograd_lite import Value
>>> w = Value(3.0)
>>> w.grad = 2.0
>>> SGD([w], lr=0.1).step()
>>> w.data
2.8
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Dict, Iterable, List, Tuple

import numpy as np

__all__ = ["Optimizer", "SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"]


def _check_hyper(owner: str, name: str, value: Any, low: float = 0.0, high: float = math.inf,
                 low_open: bool = False, high_open: bool = True) -> float:
    """A finite real number in the stated range, else a ValueError naming the hyperparameter."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__}: {value!r}")
    v = float(value)
    too_low = v <= low if low_open else v < low
    too_high = v >= high if high_open else v > high
    if math.isnan(v) or too_low or too_high:
        lo = f"{'(' if low_open else '['}{low:g}"
        hi = f"{high:g}{')' if high_open else ']'}"
        raise ValueError(f"{owner}: invalid {name} = {value!r}; it must be in {lo}, {hi}")
    return v


class Optimizer:
    """Base class: holds the parameter list and per-parameter state; subclasses give ``_delta``.

    ``_delta(i, g)`` returns the amount to subtract from parameter ``i`` given its gradient
    ``g`` (already a float64-or-parameter-dtype ndarray); state lives in ``self.state[i]``.
    """

    def __init__(self, params: Iterable[Any], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, (np.ndarray, str)) or hasattr(params, "grad"):
            raise TypeError(f"{name}: params must be an iterable of parameters (e.g. model.parameters()), "
                            f"got a single {type(params).__name__}")
        self.params: List[Any] = list(params)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        seen = set()
        for i, p in enumerate(self.params):
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, expected a Tensor or Value")
            if id(p) in seen:
                raise ValueError(f"{name}: parameter {i} appears more than once in the list")
            seen.add(id(p))
        self.lr = _check_hyper(name, "lr", lr)
        self.state: Dict[int, Dict[str, Any]] = {}

    def zero_grad(self) -> None:
        """Clear every parameter's gradient (``None`` for a Tensor, ``0.0`` for a Value)."""
        for p in self.params:
            p.grad = getattr(type(p), "_GRAD_ZERO", None)

    def step(self) -> None:
        """Update every parameter whose ``grad`` is not None (in place for arrays)."""
        name = type(self).__name__
        # Validate everything first, so a bad gradient leaves every parameter and state untouched.
        work: List[Tuple[int, Any, np.ndarray]] = []
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            data = p.data
            if isinstance(data, np.ndarray):
                g = np.asarray(p.grad)
                if g.shape != data.shape:
                    raise ValueError(f"{name}.step: parameter {i} has data of shape {data.shape} "
                                     f"but grad of shape {g.shape}")
                if not data.flags.writeable:
                    raise ValueError(f"{name}.step: parameter {i}'s data is a read-only array; "
                                     "give the Tensor its own copy (Tensor(array.copy()))")
            else:
                g = np.asarray(float(p.grad))
            work.append((i, p, g))
        for i, p, g in work:
            delta = self._delta(i, p, g)
            if isinstance(p.data, np.ndarray):
                p.data -= delta  # in place: same array object, same dtype
            else:
                p.data = float(p.data - delta)

    def _delta(self, i: int, p: Any, g: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement _delta")

    def _weight_decayed(self, p: Any, g: np.ndarray, weight_decay: float) -> np.ndarray:
        # L2 penalty folded into the gradient (PyTorch's rule); p.grad itself is not changed.
        return g + weight_decay * p.data if weight_decay else g

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in ("params", "state"))
        return f"{type(self).__name__}({len(self.params)} parameters, {hyper})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay.

    PyTorch's rule, per parameter ``p`` with gradient ``g`` (``b`` starts as the first ``g``)::

        g = g + weight_decay * p
        b = momentum * b + g                         (when momentum > 0)
        g = g + momentum * b  if nesterov  else  b   (when momentum > 0)
        p = p - lr * g

    With ``momentum`` this equals the book's ``Momentum`` (``v = momentum * v - lr * g``,
    ``p = p + v``) for a constant learning rate: ``v = -lr * b``.

    >>> import numpy as np
    >>> from autograd_lite import Value
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = 1.0
    ...     opt.step()
    >>> round(w.data, 12)  # 1 - 0.1 * 1 - 0.1 * (0.9 + 1)
    0.71
    """

    def __init__(self, params: Iterable[Any], lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _check_hyper("SGD", "momentum", momentum)
        self.weight_decay = _check_hyper("SGD", "weight_decay", weight_decay)
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        if nesterov and self.momentum == 0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0 (got momentum = 0)")
        self.nesterov = nesterov

    def _delta(self, i: int, p: Any, g: np.ndarray) -> np.ndarray:
        g = self._weight_decayed(p, g, self.weight_decay)
        if self.momentum:
            state = self.state.setdefault(i, {})
            b = state.get("momentum_buffer")
            b = np.array(g, copy=True) if b is None else self.momentum * b + g
            state["momentum_buffer"] = b
            g = g + self.momentum * b if self.nesterov else b
        return self.lr * g


class Momentum(SGD):
    """The book's ``Momentum`` optimiser: ``SGD`` with ``momentum=0.9`` by default.

    ``v = momentum * v - lr * g``, ``p = p + v`` -- the same updates as
    ``SGD(params, lr, momentum)`` (see :class:`SGD`).
    """

    def __init__(self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.9,
                 nesterov: bool = False, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)


class AdaGrad(Optimizer):
    """AdaGrad: per-element step sizes that shrink with the sum of squared gradients.

    PyTorch's rule (``s`` starts at ``initial_accumulator_value``, ``t`` counts steps from 1)::

        g = g + weight_decay * p
        s = s + g * g
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

    The book's ``AdaGrad`` is the same with ``eps=1e-7``.
    """

    def __init__(self, params: Iterable[Any], lr: float = 0.01, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10) -> None:
        super().__init__(params, lr)
        self.lr_decay = _check_hyper("AdaGrad", "lr_decay", lr_decay)
        self.weight_decay = _check_hyper("AdaGrad", "weight_decay", weight_decay)
        self.initial_accumulator_value = _check_hyper("AdaGrad", "initial_accumulator_value",
                                                      initial_accumulator_value)
        self.eps = _check_hyper("AdaGrad", "eps", eps)

    def _delta(self, i: int, p: Any, g: np.ndarray) -> np.ndarray:
        g = self._weight_decayed(p, g, self.weight_decay)
        state = self.state.get(i)
        if state is None:
            state = self.state[i] = {"step": 0, "sum": np.full_like(g, self.initial_accumulator_value)}
        state["step"] += 1
        state["sum"] = state["sum"] + g * g
        clr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        return clr * g / (np.sqrt(state["sum"]) + self.eps)


class RMSprop(Optimizer):
    """RMSprop: divide by a running root-mean-square of the gradients.

    PyTorch's rule (``v``, ``a`` and ``b`` start at 0)::

        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        a = alpha * a + (1 - alpha) * g;  d = sqrt(v - a * a) + eps   (centered=True)
                                          d = sqrt(v) + eps           (centered=False)
        b = momentum * b + g / d;  p = p - lr * b                     (momentum > 0)
        p = p - lr * g / d                                            (momentum = 0)

    The book's ``RMSprop`` is the same with ``alpha=0.99`` (its ``decay_rate``) and ``eps=1e-7``.
    """

    def __init__(self, params: Iterable[Any], lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(params, lr)
        self.alpha = _check_hyper("RMSprop", "alpha", alpha, high=1.0, high_open=False)
        self.eps = _check_hyper("RMSprop", "eps", eps)
        self.weight_decay = _check_hyper("RMSprop", "weight_decay", weight_decay)
        self.momentum = _check_hyper("RMSprop", "momentum", momentum)
        if not isinstance(centered, bool):
            raise TypeError(f"RMSprop: centered must be True or False, got {centered!r}")
        self.centered = centered

    def _delta(self, i: int, p: Any, g: np.ndarray) -> np.ndarray:
        g = self._weight_decayed(p, g, self.weight_decay)
        state = self.state.get(i)
        if state is None:
            state = self.state[i] = {"square_avg": np.zeros_like(g), "grad_avg": np.zeros_like(g),
                                     "momentum_buffer": np.zeros_like(g)}
        a = self.alpha
        state["square_avg"] = v = a * state["square_avg"] + (1 - a) * g * g
        if self.centered:
            state["grad_avg"] = m = a * state["grad_avg"] + (1 - a) * g
            d = np.sqrt(v - m * m) + self.eps
        else:
            d = np.sqrt(v) + self.eps
        if self.momentum:
            b = state["momentum_buffer"]
            state["momentum_buffer"] = b = self.momentum * b + g / d
            return self.lr * b
        return self.lr * g / d


class Adam(Optimizer):
    """Adam: momentum on the gradient and on its square, with bias correction.

    PyTorch's rule (``m`` and ``v`` start at 0, ``t`` counts steps from 1)::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)  and use it for v                    (amsgrad=True)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    The book's ``Adam`` folds the bias correction into the learning rate and puts ``eps``
    (1e-7) inside the correction; its updates differ from these in the last digits.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_check_hyper("Adam", "betas[0]", betas[0], high=1.0),
                      _check_hyper("Adam", "betas[1]", betas[1], high=1.0))
        self.eps = _check_hyper("Adam", "eps", eps)
        self.weight_decay = _check_hyper("Adam", "weight_decay", weight_decay)
        if not isinstance(amsgrad, bool):
            raise TypeError(f"Adam: amsgrad must be True or False, got {amsgrad!r}")
        self.amsgrad = amsgrad

    def _delta(self, i: int, p: Any, g: np.ndarray) -> np.ndarray:
        g = self._weight_decayed(p, g, self.weight_decay)
        beta1, beta2 = self.betas
        state = self.state.get(i)
        if state is None:
            state = self.state[i] = {"step": 0, "exp_avg": np.zeros_like(g), "exp_avg_sq": np.zeros_like(g)}
        state["step"] += 1
        t = state["step"]
        state["exp_avg"] = m = beta1 * state["exp_avg"] + (1 - beta1) * g
        state["exp_avg_sq"] = v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
        if self.amsgrad:
            state["max_exp_avg_sq"] = v = np.maximum(state.get("max_exp_avg_sq", v), v)
        denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + self.eps
        return (self.lr / (1 - beta1 ** t)) * m / denom
