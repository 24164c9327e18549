"""``Value.register_hook`` (:mod:`autograd_lite.hooks`), and the two-parent rows of
:mod:`autograd_lite.ops_more` as ``Value`` methods (``y.arctan2(x)``,
``a.hypot(b)``, ``a.logaddexp(b)`` ...) and as forward mode's ``Dual`` methods: the float forward
of the row, the numeric policy's checks, the local derivatives by the row's rules.

>>> from autograd_lite import Value
>>> a, b = Value(3.0), Value(4.0)
>>> c = a.hypot(b)
>>> c.backward()
>>> c.data, a.grad, b.grad
(5.0, 0.6, 0.8)
"""

from __future__ import annotations

from typing import Any, Callable

from . import engine as _engine
from . import hooks as _hooks
from .format import fmt
from .ops import OPS
from .ops_more import BINARY, OVERFLOWS
from .value import Value, _const, _new

__all__ = ["add_dual_methods"]


def _method(name: str) -> Callable[[Value, Any], Value]:
    row = OPS[name]
    forward = BINARY[name]
    rule_a, rule_b = row.rules
    overflows = name in OVERFLOWS

    def method(self: Value, other: Any) -> Value:
        if type(other) is not Value:
            other = _const(other, name)
        a, b = self.data, other.data
        out = forward(a, b)
        if overflows and out - out != 0.0 and a - a == 0.0 and b - b == 0.0 and not _engine.in_rule():
            raise OverflowError(f"{name}: result too large for a float ({name}({fmt(a)}, {fmt(b)}))")
        return _new(out, name, self, rule_a(a, b, out), other, rule_b(a, b, out))

    method.__name__ = name
    method.__qualname__ = f"Value.{name}"
    method.__doc__ = (f"{row.doc}; d/da = {row.local[0].format(a='a', b='b')}, "
                      f"d/db = {row.local[1].format(a='a', b='b')}.")
    return method


for _name in BINARY:
    setattr(Value, _name, _method(_name))


def register_hook(self: Value, hook: Callable[[Any], Any]) -> _hooks.RemovableHandle:
    """``hook(grad)`` runs as the backward pass reaches this node and may return a replacement
    gradient (PyTorch's ``register_hook``; :mod:`autograd_lite.hooks`)."""
    return _hooks.register_hook(self, hook)


Value.register_hook = register_hook  # type: ignore[attr-defined]


def add_dual_methods(cls: Any, dual: Callable[[Any, str], Any]) -> None:
    """Forward mode's Dual gets every two-parent row too (its tangent from the row's rules)."""
    for name in BINARY:
        setattr(cls, name, lambda self, other, _n=name: self._apply(_n, dual(other, _n)))
