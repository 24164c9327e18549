"""numpy's two-parent math on Tensors: arctan2, hypot, logaddexp, logaddexp2, fmax, fmin.

Every one is a row the op table shares with ``Value`` (:mod:`autograd_lite.ops_more`); its method
here is made from the row: numpy's function of the row's name, the Tensor rule the row's two
scalar rules run on arrays or Tensors (``g * local``; broadcasting is undone in one place), and the
numeric policy (a finite pair whose hypot overflows is an OverflowError).  ``np.arctan2(t, u)``
and the other ufuncs run these methods.

>>> from autograd_lite import Tensor
>>> y = Tensor([1.0, -1.0], requires_grad=True)
>>> y.arctan2(Tensor([1.0, 1.0])).sum().backward()     # d atan2(y, x)/dy = x/(x² + y²)
>>> y.grad.tolist()
[0.5, 0.5]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .. import ops as _ops
from ..ops_more import BINARY, OVERFLOWS
from . import _domain as D
from ._node import _Node, _operand, _result, _shape_error
from .numpy_api import FUNCTIONS, UFUNCS

if TYPE_CHECKING:
    from .core import Tensor


def _rule_of(name: str) -> Callable[..., Any]:
    local_a, local_b = _ops.OPS[name].rules

    def rule(g: Any, a: Any, b: Any, out: Any, saved: Any, wa: bool, wb: bool) -> tuple:
        return (g * local_a(a, b, out) if wa else None, g * local_b(a, b, out) if wb else None)

    rule.__name__ = f"{name}_rule"
    return rule


def _method(name: str) -> Callable[..., "Tensor"]:
    forward = getattr(np, name)
    rule = _ops.bind(name, _rule_of(name)).vjp
    overflows = name in OVERFLOWS
    row = _ops.OPS[name]

    def method(self: "Tensor", other: Any) -> "Tensor":
        if not isinstance(other, _Node):
            other = _operand(other, self, name)
        a, b = self.data, other.data
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise _shape_error(name, self, other) from None
        with np.errstate(over="ignore", invalid="ignore"):
            data = np.asarray(forward(a, b))
        if overflows and data.size:
            with np.errstate(over="ignore"):  # (the cheap test's dot product may overflow itself)
                finite = D.all_finite(data)
            if not finite:
                D.check_overflow(name, data, a, b)
        return _result(data, name, rule, self, other)

    method.__name__ = name
    method.__qualname__ = f"Tensor.{name}"
    method.__doc__ = f"{row.doc}, elementwise (numpy's {name}); d/da = {row.local[0].format(a='a', b='b')}."
    return method


def _numpy_call(name: str) -> Callable[..., Any]:
    def f(x: Any, y: Any) -> Any:
        if isinstance(x, _Node):
            return getattr(x, name)(y)
        return getattr(_operand(x, y, name), name)(y)  # an array or number on the left

    return f


class BinaryMathOps:
    """arctan2, hypot, logaddexp, logaddexp2, fmax, fmin of a Tensor and another (numpy's)."""

    __slots__ = ()
    if TYPE_CHECKING:
        def arctan2(self, other: Any) -> "Tensor": ...
        def hypot(self, other: Any) -> "Tensor": ...
        def logaddexp(self, other: Any) -> "Tensor": ...
        def logaddexp2(self, other: Any) -> "Tensor": ...
        def fmax(self, other: Any) -> "Tensor": ...
        def fmin(self, other: Any) -> "Tensor": ...


for _name in BINARY:
    setattr(BinaryMathOps, _name, _method(_name))
    UFUNCS[getattr(np, _name)] = _numpy_call(_name)
FUNCTIONS[np.sinc] = lambda x: x.sinc()  # sinc is a numpy function, not a ufunc
