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
import signal
import threading
from contextlib import contextmanager
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import numpy as np

__all__ = ["Optimizer", "SGD", "Momentum", "AdaGrad", "RMSprop", "Adam", "AdamW"]


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

    ``_delta(p, g, state)`` returns ``(delta, new_state)``: the amount to subtract from
    parameter ``p`` given its gradient ``g`` (a real ndarray of ``p``'s shape) and the
    parameter's state after this step.  It must not change ``state`` (the previous dict, or
    ``None`` on the first step) nor ``p``: :meth:`step` computes every update first and
    only then writes them all, so a failure anywhere changes nothing.
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
        """Update every parameter whose ``grad`` is not None (in place for arrays).

        All or nothing: every gradient is validated and every update and new state computed
        before any parameter or state changes; the writes that follow cannot fail (a Ctrl-C
        arriving during them is held back until they are done, in the main thread).
        """
        name = type(self).__name__
        work: List[Tuple[int, Any, Any, Optional[Dict[str, Any]]]] = []
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = _checked_grad(name, i, p)
            delta, new_state = self._delta(p, g, self.state.get(i))
            update: Any
            if isinstance(p.data, np.ndarray):
                update = np.asarray(delta)
                if update.shape != p.data.shape or update.dtype.kind != "f":
                    raise ValueError(f"{name}.step: parameter {i}: the update has shape {update.shape} "
                                     f"and dtype {update.dtype}, expected {p.data.shape} float")
            else:
                update = float(p.data - delta)  # the new value itself, for a Value
            work.append((i, p, update, new_state))
        with _interrupts_held():
            for i, p, delta, new_state in work:
                if isinstance(p.data, np.ndarray):
                    np.subtract(p.data, delta, out=p.data)  # in place: same array object and dtype
                else:
                    p.data = delta
                if new_state is not None:
                    self.state[i] = new_state

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        raise NotImplementedError(f"{type(self).__name__} must implement _delta")

    def _weight_decayed(self, p: Any, g: np.ndarray, weight_decay: float) -> np.ndarray:
        # L2 penalty folded into the gradient (PyTorch's rule); p.grad itself is not changed.
        return g + weight_decay * p.data if weight_decay else g

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in ("params", "state"))
        return f"{type(self).__name__}({len(self.params)} parameters, {hyper})"


def _checked_grad(name: str, i: int, p: Any) -> np.ndarray:
    """Parameter ``i``'s grad as a real ndarray of its data's shape, else a clear error."""
    data, grad = p.data, p.grad
    if isinstance(data, np.ndarray):
        if not isinstance(grad, np.ndarray):
            raise TypeError(f"{name}.step: parameter {i}'s grad is a {type(grad).__name__}, "
                            "expected None or a float array")
        if grad.dtype.kind not in "iuf":
            raise TypeError(f"{name}.step: parameter {i}'s grad has dtype {grad.dtype}, "
                            "expected real numbers")
        if grad.shape != data.shape:
            raise ValueError(f"{name}.step: parameter {i} has data of shape {data.shape} "
                             f"but grad of shape {grad.shape}")
        if not data.flags.writeable:
            raise ValueError(f"{name}.step: parameter {i}'s data is a read-only array; "
                             "give the Tensor its own copy (Tensor(array.copy()))")
        return grad
    if isinstance(grad, bool) or not isinstance(grad, numbers.Real):
        raise TypeError(f"{name}.step: parameter {i}'s grad is a {type(grad).__name__}: {grad!r}, "
                        "expected a number")
    return np.asarray(float(grad))


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold back SIGINT (Ctrl-C) while the block runs, then deliver it (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: List[Any] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda sig, frame: caught.append(frame))
    except ValueError:  # not allowed here (e.g. an embedded interpreter): run unprotected
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(signal.SIGINT, caught[0])


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

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        g = self._weight_decayed(p, g, self.weight_decay)
        if not self.momentum:
            return self.lr * g, None
        b = None if state is None else state.get("momentum_buffer")
        b = np.array(g, copy=True) if b is None else self.momentum * b + g
        g = g + self.momentum * b if self.nesterov else b
        return self.lr * g, {"momentum_buffer": b}


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

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        g = self._weight_decayed(p, g, self.weight_decay)
        if state is None:
            state = {"step": 0, "sum": np.full_like(g, self.initial_accumulator_value, dtype=_float_of(g))}
        step = state["step"] + 1
        total = state["sum"] + g * g
        clr = self.lr / (1 + (step - 1) * self.lr_decay)
        return clr * g / (np.sqrt(total) + self.eps), {"step": step, "sum": total}


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

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        g = self._weight_decayed(p, g, self.weight_decay)
        if state is None:
            zero = np.zeros_like(g, dtype=_float_of(g))
            state = {"square_avg": zero, "grad_avg": zero, "momentum_buffer": zero}
        new = dict(state)
        a = self.alpha
        new["square_avg"] = v = a * state["square_avg"] + (1 - a) * g * g
        if self.centered:
            new["grad_avg"] = m = a * state["grad_avg"] + (1 - a) * g
            d = np.sqrt(v - m * m) + self.eps
        else:
            d = np.sqrt(v) + self.eps
        if self.momentum:
            new["momentum_buffer"] = b = self.momentum * state["momentum_buffer"] + g / d
            return self.lr * b, new
        return self.lr * g / d, new


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

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        g = self._weight_decayed(p, g, self.weight_decay)
        return self._adam(g, state)

    def _adam(self, g: np.ndarray, state: Optional[Dict[str, Any]]
              ) -> Tuple[np.ndarray, Dict[str, Any]]:
        beta1, beta2 = self.betas
        if state is None:
            zero = np.zeros_like(g, dtype=_float_of(g))
            state = {"step": 0, "exp_avg": zero, "exp_avg_sq": zero}
        t = state["step"] + 1
        new = {"step": t}
        new["exp_avg"] = m = beta1 * state["exp_avg"] + (1 - beta1) * g
        new["exp_avg_sq"] = v = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
        if self.amsgrad:
            new["max_exp_avg_sq"] = v = np.maximum(state.get("max_exp_avg_sq", v), v)
        denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + self.eps
        return (self.lr / (1 - beta1 ** t)) * m / denom, new


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
        delta, new = self._adam(g, state)
        if self.weight_decay:
            delta = delta + (self.lr * self.weight_decay) * np.asarray(p.data)
        return delta, new


def _float_of(g: np.ndarray) -> Any:
    """The dtype optimiser state is kept in: the gradient's float type (ints become float64)."""
    return g.dtype if g.dtype.kind == "f" else np.float64
