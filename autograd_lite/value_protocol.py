"""What makes a ``Value`` behave as a Python object: its text, its truth, its comparisons.

Kept apart from the graph and the chain rule (:mod:`autograd_lite.value`); ``Value`` inherits it.

>>> from autograd_lite import Value
>>> Value(2.0, "x") > 1
True
"""

from __future__ import annotations

from typing import Any

from .format import fmt
from .numeric import _check_number


class ValueProtocol:
    """Display, truth and ordering for ``Value`` (a mixin: no state of its own)."""

    __slots__ = ()
    data: float
    grad: float
    op: str
    label: str

    def __repr__(self) -> str:
        parts = [f"data={fmt(self.data)}", f"grad={fmt(self.grad)}"]
        if self.op:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Value({', '.join(parts)})"

    def _repr_html_(self) -> str:  # notebooks: see autograd_lite.display
        from .display import value_html

        return value_html(self)

    def __float__(self) -> float:
        # float(v) and math.exp(v) would see a plain number: the graph is cut there and every
        # derivative through it would silently be 0, so both are refused (as micrograd does).
        raise TypeError(
            "float(Value) would cut the graph (math.exp(v), math.sin(v) ... call it too), and the "
            "derivative through the number would silently be lost; use the Value's own methods "
            "(v.exp(), v.sin(), v ** 0.5 ...) to stay in the graph, or v.data for the plain number"
        )

    # Values are graph nodes: identity, not value, decides equality and hashing.
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError(
            "Value: truth value is ambiguous in a graph; compare .data instead (e.g. v.data > 0)"
        )

    def __lt__(self, other: Any) -> bool:
        return self.data < _data_of(other, "<")

    def __le__(self, other: Any) -> bool:
        return self.data <= _data_of(other, "<=")

    def __gt__(self, other: Any) -> bool:
        return self.data > _data_of(other, ">")

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data_of(other, ">=")


def _data_of(x: Any, op: str) -> float:
    return x.data if isinstance(x, ValueProtocol) else _check_number(x, op)
