"""The update rules: ``SGD`` (``Momentum``), ``AdaGrad``, ``RMSprop``, ``Adam``, ``AdamW``.

Each follows PyTorch's rule exactly (the formula is in its docstring); its settings live in
``param_groups`` (one group unless given several), read per parameter with ``_hyper(p)``.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, Optional, Set, Tuple

import numpy as np

from .base import Optimizer, _check_flag, _check_hyper, _float_of

__all__ = ["SGD", "Momentum", "AdaGrad", "RMSprop", "Adam", "AdamW"]

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
        super().__init__(params, {"lr": lr, "momentum": momentum, "nesterov": nesterov,
                                  "weight_decay": weight_decay})

    def _check_group(self, group: Dict[str, Any], where: str) -> Dict[str, Any]:
        group = super()._check_group(group, where)
        group["momentum"] = _check_hyper(where, "momentum", group["momentum"])
        group["weight_decay"] = _check_hyper(where, "weight_decay", group["weight_decay"])
        if _check_flag(where, "nesterov", group["nesterov"]) and group["momentum"] == 0:
            raise ValueError(f"{where}: nesterov=True needs a momentum > 0 (got momentum = 0)")
        return group

    def _state_keys(self, group: Dict[str, Any]) -> Set[str]:
        return {"momentum_buffer"} if group["momentum"] else set()

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        h = self._hyper(p)
        lr, momentum = h["lr"], h["momentum"]
        g = self._weight_decayed(p, g, h["weight_decay"])
        if not momentum:
            return lr * g, None
        b = None if state is None else state.get("momentum_buffer")
        b = np.array(g, copy=True) if b is None else momentum * b + g
        g = g + momentum * b if h["nesterov"] else b
        return lr * g, {"momentum_buffer": b}


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
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value, "eps": eps})

    def _check_group(self, group: Dict[str, Any], where: str) -> Dict[str, Any]:
        group = super()._check_group(group, where)
        for key in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            group[key] = _check_hyper(where, key, group[key])
        return group

    def _state_keys(self, group: Dict[str, Any]) -> Set[str]:
        return {"step", "sum"}

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        h = self._hyper(p)
        g = self._weight_decayed(p, g, h["weight_decay"])
        if state is None:
            state = {"step": 0, "sum": np.full_like(g, h["initial_accumulator_value"], dtype=_float_of(g))}
        step = state["step"] + 1
        total = state["sum"] + g * g
        clr = h["lr"] / (1 + (step - 1) * h["lr_decay"])
        return clr * g / (np.sqrt(total) + h["eps"]), {"step": step, "sum": total}


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
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                                  "momentum": momentum, "centered": centered})

    def _check_group(self, group: Dict[str, Any], where: str) -> Dict[str, Any]:
        group = super()._check_group(group, where)
        group["alpha"] = _check_hyper(where, "alpha", group["alpha"], high=1.0, high_open=False)
        for key in ("eps", "weight_decay", "momentum"):
            group[key] = _check_hyper(where, key, group[key])
        _check_flag(where, "centered", group["centered"])
        return group

    def _state_keys(self, group: Dict[str, Any]) -> Set[str]:  # PyTorch's entries
        return ({"step", "square_avg"} | ({"momentum_buffer"} if group["momentum"] else set())
                | ({"grad_avg"} if group["centered"] else set()))

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        h = self._hyper(p)
        lr, eps, momentum = h["lr"], h["eps"], h["momentum"]
        g = self._weight_decayed(p, g, h["weight_decay"])
        zero = np.zeros_like(g, dtype=_float_of(g))
        state = state or {}
        new: Dict[str, Any] = {"step": state.get("step", 0) + 1}
        a = h["alpha"]
        new["square_avg"] = v = a * state.get("square_avg", zero) + (1 - a) * g * g
        if h["centered"]:
            new["grad_avg"] = m = a * state.get("grad_avg", zero) + (1 - a) * g
            d = np.sqrt(v - m * m) + eps
        else:
            d = np.sqrt(v) + eps
        if momentum:
            new["momentum_buffer"] = b = momentum * state.get("momentum_buffer", zero) + g / d
            return lr * b, new
        return lr * g / d, new


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
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                                  "amsgrad": amsgrad})

    def _check_group(self, group: Dict[str, Any], where: str) -> Dict[str, Any]:
        group = super()._check_group(group, where)
        betas = group["betas"]
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = (_check_hyper(where, "betas[0]", betas[0], high=1.0),
                          _check_hyper(where, "betas[1]", betas[1], high=1.0))
        group["eps"] = _check_hyper(where, "eps", group["eps"])
        group["weight_decay"] = _check_hyper(where, "weight_decay", group["weight_decay"])
        _check_flag(where, "amsgrad", group["amsgrad"])
        return group

    def _state_keys(self, group: Dict[str, Any]) -> Set[str]:
        return {"step", "exp_avg", "exp_avg_sq"} | ({"max_exp_avg_sq"} if group["amsgrad"] else set())

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        h = self._hyper(p)
        g = self._weight_decayed(p, g, h["weight_decay"])
        return self._adam(h, g, state)

    def _adam(self, h: Dict[str, Any], g: np.ndarray, state: Optional[Dict[str, Any]]
              ) -> Tuple[np.ndarray, Dict[str, Any]]:
        beta1, beta2 = h["betas"]
        if state is None:
            zero = np.zeros_like(g, dtype=_float_of(g))
            state = {"step": 0, "exp_avg": zero, "exp_avg_sq": zero}
        t = state["step"] + 1
        new = {"step": t}
        new["exp_avg"] = m = beta1 * state["exp_avg"] + (1 - beta1) * g
        new["exp_avg_sq"] = v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
        if h["amsgrad"]:
            new["max_exp_avg_sq"] = v = np.maximum(state.get("max_exp_avg_sq", v), v)
        denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + h["eps"]
        return (h["lr"] / (1 - beta1 ** t)) * m / denom, new


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch's ``AdamW``).

    The decay shrinks the parameter directly instead of entering the gradient, so it is not
    rescaled by Adam's per-element step sizes (PyTorch's rule; the Adam part as in :class:`Adam`)::

        p = p - lr * weight_decay * p
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    The default ``weight_decay`` is 0.01, as in PyTorch.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        h = self._hyper(p)
        delta, new = self._adam(h, g, state)
        if h["weight_decay"]:
            delta = delta + (h["lr"] * h["weight_decay"]) * np.asarray(p.data)
        return delta, new

    def _decoupled(self) -> bool:
        return True
