"""The activations as functions (PyTorch's ``F.relu`` habit), and the one rule for numpy's
``axis`` and PyTorch's ``dim``; ``functional`` exports them.

>>> from autograd_lite import Tensor, Value
>>> relu(Tensor([-1.0, 2.0])).data.tolist(), tanh(Value(0.0)).data
([0.0, 2.0], 0.0)
"""

from __future__ import annotations

from typing import Any, TypeVar

from .tensor import Tensor
from .value import Value

__all__ = ["relu", "sigmoid", "tanh", "axis_or_dim", "LAST"]


class _Default(int):
    """An axis default that knows it was not given (it is -1, the last axis, all the same)."""


LAST = _Default(-1)


def axis_or_dim(axis: Any, dim: Any, op: str) -> Any:
    """numpy's ``axis`` or PyTorch's ``dim`` (the same thing), never both: the one spelling rule
    of ``functional``, ``nn`` and ``optim`` (see docs/api.md, "For numpy and PyTorch users").
    ``axis`` defaults to ``LAST``; what comes back is validated by the caller as an axis."""
    if dim is None:
        return int(axis) if axis is LAST else axis
    if axis is not LAST:
        raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; they are the same argument "
                        "(numpy's and PyTorch's name): give one")
    return dim


# --------------------------------------------------------------------------- activations
Node = TypeVar("Node")


def _activation(x: Any, op: str) -> Any:
    if not isinstance(x, (Tensor, Value)):
        raise TypeError(f"{op}: expected a Tensor or a Value, got {type(x).__name__}")
    return getattr(x, op)()


def relu(x: Node) -> Node:
    """``max(x, 0)`` elementwise: ``x.relu()`` as a function (PyTorch's ``F.relu``), for a
    Tensor or a Value.

    >>> relu(Tensor([-1.0, 2.0])).data.tolist()
    [0.0, 2.0]
    """
    return _activation(x, "relu")  # type: ignore[no-any-return]


def sigmoid(x: Node) -> Node:
    """``1 / (1 + exp(-x))`` elementwise: ``x.sigmoid()`` as a function, for a Tensor or a Value."""
    return _activation(x, "sigmoid")  # type: ignore[no-any-return]


def tanh(x: Node) -> Node:
    """``tanh(x)`` elementwise: ``x.tanh()`` as a function, for a Tensor or a Value."""
    return _activation(x, "tanh")  # type: ignore[no-any-return]
