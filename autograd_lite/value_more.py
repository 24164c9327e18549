"""The two-parent rows of :mod:`autograd_lite.ops_more` as forward mode's ``Dual`` methods (their
``Value`` methods are generated in :mod:`autograd_lite.value`, as every row's): ``y.arctan2(x)``,
``a.hypot(b)``, ``a.logaddexp(b)`` ...

>>> from autograd_lite import Value
>>> a, b = Value(3.0), Value(4.0)
>>> c = a.hypot(b)
>>> c.backward()
>>> c.data, a.grad, b.grad
(5.0, 0.6, 0.8)
"""

from __future__ import annotations

from typing import Any, Callable

from .ops_more import BINARY

__all__ = ["add_dual_methods"]


def add_dual_methods(cls: Any, dual: Callable[[Any, str], Any]) -> None:
    """Forward mode's Dual gets every two-parent row too (its tangent from the row's rules)."""
    for name in BINARY:
        setattr(cls, name, lambda self, other, _n=name: self._apply(_n, dual(other, _n)))
