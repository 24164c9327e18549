"""numpy's elementwise math beyond the basics (tan ... exp2, sign/floor/ceil/round, arcsinh ...,
deg2rad, rad2deg) and ``%``.

Every one is a row the op table shares with ``Value`` (:mod:`autograd_lite.ops`), and its method
here is made from the row: numpy's function of the row's ``array`` name, the Tensor rule the row's
scalar rule run on arrays (``g * local(a, out)``, :func:`from_table`), and the numeric policy of
``Value``: outside the row's domain a DomainError naming the op and the values, a finite x whose
result overflows an OverflowError.

>>> from autograd_lite import Tensor
>>> t = Tensor([0.25, 0.5], requires_grad=True)
>>> t.arcsin().sum().backward()          # d arcsin / dx = 1/sqrt(1 - x²)
>>> t.grad.round(6).tolist()
[1.032796, 1.154701]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .. import ops as _ops
from ..value import ZeroDivisionDomainError
from . import _domain as D
from ._node import _Node, _operand, _result, _shape_error
from .elementwise import ElementwiseOps, from_table
from .numpy_api import FUNCTIONS, UFUNCS, _binary

if TYPE_CHECKING:
    from .core import Tensor

def _method(name: str) -> Callable[["Tensor"], "Tensor"]:
    """The Tensor method of a shared one-parent row: numpy's function, the row's rule, domain and
    overflow (all read from the row)."""
    row = _ops.OPS[name]
    forward = getattr(np, row.array)
    rule = _ops.bind(name, from_table(name)).vjp
    words, bad = row.domain or ("", None)
    overflows = row.overflows

    def method(self: "Tensor") -> "Tensor":
        a = self.data
        if bad is not None:
            D.check_domain(name, a, bad(a), words)  # before computing: numpy never warns first
        with np.errstate(over="ignore", invalid="ignore"):  # tan(inf) is NaN, as for Value
            data = np.asarray(forward(a))
        if overflows and data.size and not D.all_finite(data):
            D.check_overflow(name, data, a)
        return _result(data, name, rule, self)

    method.__name__ = name
    method.__qualname__ = f"Tensor.{name}"
    method.__doc__ = f"{row.doc}, elementwise; d/dx = {row.local[0].format(a='x')}."
    return method


def _mod_rule(g: Any, a: Any, b: Any, out: Any, saved: Any, wa: bool, wb: bool) -> tuple:
    # d(a % b)/da = 1, d(a % b)/db = -floor(a/b): a constant (the row's rules, on arrays)
    return (g if wa else None, g * -_ops.floordiv(a, b) if wb else None)


_ops.bind("%", _mod_rule)


def _round(a: Any, decimals: int = 0) -> Any:
    if not (type(decimals) is int and decimals == 0):
        raise TypeError(f"numpy.round of a Tensor: only decimals=0 (to whole numbers), got {decimals!r}")
    return a.round()


class NumpyMathOps:
    """tan ... round and ``%`` for Tensor (numpy's names and semantics)."""

    __slots__ = ()
    data: np.ndarray

    # tan, sinh ... round, arcsinh, deg2rad: every one-parent row with a float forward that
    # ElementwiseOps does not write by hand gets its method from the row (below the class).

    def __mod__(self, other: Any) -> "Tensor":
        """numpy's ``%``: the remainder has the sign of the divisor; a zero divisor is refused."""
        if not isinstance(other, _Node):
            other = _operand(other, self, "%")  # type: ignore[arg-type]
        a, b = self.data, other.data
        try:
            shape = np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise _shape_error("%", self, other) from None  # type: ignore[arg-type]
        if not D.surely_nonzero(b):
            zero = np.broadcast_to(b == 0, shape)
            if zero.any():
                raise ZeroDivisionDomainError(f"%: division by zero: a, b = {D.where_bad(zero, a, b)}")
        with np.errstate(invalid="ignore"):  # inf % b is NaN, as for Value
            data = np.remainder(a, b)
        return _result(data, "%", _mod_rule, self, other)  # type: ignore[arg-type]

    def __rmod__(self, other: Any) -> "Tensor":
        return _operand(other, self, "%").__mod__(self)  # type: ignore[arg-type]


for _row in list(_ops.OPS.values()):
    if _row.scalar is not None and _row.name not in vars(ElementwiseOps):
        setattr(NumpyMathOps, _row.name, _method(_row.name))
        UFUNCS[getattr(np, _row.array)] = lambda x, _n=_row.name: getattr(x, _n)()  # np.tan(t) ...
UFUNCS[np.remainder] = _binary("__mod__", "%")
UFUNCS.update({np.radians: UFUNCS[np.deg2rad], np.degrees: UFUNCS[np.rad2deg]})  # numpy's other names
FUNCTIONS.update({np.round: _round, np.around: _round})
