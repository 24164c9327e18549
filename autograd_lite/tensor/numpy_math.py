"""numpy's elementwise math beyond the basics: tan ... exp2, sign/floor/ceil/round, and ``%``.

Every one is a row the op table shares with ``Value`` (:mod:`autograd_lite.ops`): the Tensor
rule is the row's scalar rule run on arrays (``g * local(a, out)``, :func:`from_table`), and
the numeric policy is the one of ``Value``: outside a domain (``ops.DOMAINS``) a DomainError
naming the op and the values, a finite x whose result overflows an OverflowError.

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
from .elementwise import from_table
from .numpy_api import FUNCTIONS, UFUNCS, _binary

if TYPE_CHECKING:
    from .core import Tensor

_OVERFLOWS = ("sinh", "cosh", "expm1", "exp2")  # finite x, infinite result: an OverflowError


def _method(name: str, forward: Callable[[np.ndarray], Any]) -> Callable[["Tensor"], "Tensor"]:
    """The Tensor method of a shared one-parent row: numpy's ``forward``, the row's rule."""
    row = _ops.OPS[name]
    rule = _ops.bind(name, from_table(name)).vjp
    words, bad = _ops.DOMAINS.get(name, ("", None))
    overflows = name in _OVERFLOWS

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

    tan = _method("tan", np.tan)
    sinh = _method("sinh", np.sinh)
    cosh = _method("cosh", np.cosh)
    arcsin = _method("arcsin", np.arcsin)
    arccos = _method("arccos", np.arccos)
    arctan = _method("arctan", np.arctan)
    log1p = _method("log1p", np.log1p)
    expm1 = _method("expm1", np.expm1)
    log2 = _method("log2", np.log2)
    log10 = _method("log10", np.log10)
    exp2 = _method("exp2", np.exp2)
    sign = _method("sign", np.sign)
    floor = _method("floor", np.floor)
    ceil = _method("ceil", np.ceil)
    round = _method("round", np.round)  # halves to even, as numpy and PyTorch

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


UFUNCS.update({getattr(np, name): (lambda x, _n=name: getattr(x, _n)())
               for name in ("tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "log1p", "expm1", "log2",
                            "log10", "exp2", "sign", "floor", "ceil")})
UFUNCS.update({np.rint: lambda x: x.round(), np.remainder: _binary("__mod__", "%")})
FUNCTIONS.update({np.round: _round, np.around: _round})
