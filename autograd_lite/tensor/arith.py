"""Arithmetic: ``+ - * / ** @`` and negation, each op's forward beside its rule.

Rules follow the convention of :mod:`autograd_lite.tensor`: ``rule(g, a, b, out, saved, wa,
wb)`` for two parents, ``rule(g, a, out, saved)`` for one; they run on arrays (first order)
and on Tensors (``create_graph=True``).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Dict

import numpy as np

from .. import checks as _checks
from .. import engine as _engine
from .. import ops as _ops
from ..format import fmt
from ..specialise import tensor_binary_rule, tensor_rule
from ..value import Value, ZeroDivisionDomainError
from . import _domain as D
from ._node import NODE, _ndarray, _Node, _operand, _result, _shape_error, generated, value_of

if TYPE_CHECKING:
    from .core import Tensor


def _matmul_rule(g: Any, a: Any, b: Any, out: Any, saved: Any, wa: bool, wb: bool) -> tuple:
    if a.ndim == 2 and b.ndim == 2:  # the common case: dA = G B^T, dB = A^T G
        return (g @ b.T if wa else None, a.T @ g if wb else None)
    # 1-D operands are promoted the way numpy does (a row, b column), then squeezed back;
    # broadcast batch axes are summed by the one accumulation place.
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g[..., None] if b.ndim == 1 else g
    if a.ndim == 1:
        g2 = g2[..., None, :]
    ga = gb = None
    if wa:
        ga = g2 @ np.swapaxes(b2, -1, -2)
        if a.ndim == 1:
            ga = ga[..., 0, :]
    if wb:
        gb = np.swapaxes(a2, -1, -2) @ g2
        if b.ndim == 1:
            gb = gb[..., 0]
    return (ga, gb)


def _register() -> None:
    # + - * / and neg: generated from the rows' text (g * b, g / b, -g: autograd_lite.specialise)
    for name in ("+", "-", "*", "/"):
        _ops.bind(name, tensor_binary_rule(_ops.OPS[name], value_of))
    _ops.bind("neg", tensor_rule(_ops.OPS["neg"], value_of))
    # ** and **n too; a slope of a power may be infinite (0 ** -0.5): IEEE's numbers, quietly
    _ops.bind("**", tensor_binary_rule(_ops.OPS["**"], value_of, quiet=True))
    _ops.bind("**n", tensor_rule(_ops.OPS["**n"], value_of, quiet=True))
    _ops.register(
        _ops.Op(
            "@",
            2,
            "{a}@{b}",
            ("", ""),
            (),
            doc="matrix product (numpy's matmul rules for 1-D and batches)",
            symbol="@",
            sends=("g @ {b}ᵀ", "{a}ᵀ @ g"),
            kinds=("Tensor",),
            vjp=_matmul_rule,
            again=lambda n, ps: ps[0] @ ps[1],
        )
    )


_register()
_pow_op_names: Dict[float, Any] = {}


class ArithmeticOps:
    """``+ - * / ** @`` and unary minus for Tensor."""

    __slots__ = ()
    data: np.ndarray
    requires_grad: bool

    # + - * and negation are generated from the op table's rows below the class
    # (_generated_method): the row's forward on the arrays and the lines that
    # make a node, written out in the method.
    if TYPE_CHECKING:
        def __add__(self, other: Any) -> "Tensor": ...
        def __sub__(self, other: Any) -> "Tensor": ...
        def __mul__(self, other: Any) -> "Tensor": ...
        def __neg__(self) -> "Tensor": ...

    def __radd__(self, other: Any) -> "Tensor":
        return _operand(other, self, "+").__add__(self)

    def __rsub__(self, other: Any) -> "Tensor":
        return _operand(other, self, "-").__sub__(self)

    def __rmul__(self, other: Any) -> "Tensor":
        return _operand(other, self, "*").__mul__(self)

    def __truediv__(self, other: Any) -> "Tensor":
        if not isinstance(other, _Node):
            other = _operand(other, self, "/")
        a, b = self.data, other.data
        if not D.surely_nonzero(b):
            zero = b == 0
            if zero.any() and not _engine.in_rule():  # a derivative as graph may be infinite
                try:
                    shape = np.broadcast_shapes(a.shape, b.shape)
                except ValueError:
                    raise _shape_error("/", self, other) from None
                if 0 in shape:  # an empty result: no element is divided by anything
                    return _result(np.empty(shape, np.result_type(a, b)), "/", _div_rule, self, other)
                raise ZeroDivisionDomainError(
                    f"/: division by zero: a, b = {D.where_bad(np.broadcast_to(zero, shape), a, b)}"
                )
        try:
            with np.errstate(divide="ignore", invalid="ignore"):  # refused above, unless in a rule
                data = a / b
        except ValueError:
            raise _shape_error("/", self, other) from None
        if type(data) is not _ndarray:
            data = np.asarray(data)
        if not D.all_finite(data):
            D.check_overflow("/", data, a, b)
        return _result(data, "/", _div_rule, self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _operand(other, self, "/").__truediv__(self)

    def __pow__(self, other: Any) -> "Tensor":
        a = self.data
        t = type(other)
        if t is int or t is float:
            k = float(other)
        elif isinstance(other, (_Node, np.ndarray, list, tuple, Value)):
            return _pow_tensor(self, _operand(other, self, "**"))
        elif isinstance(other, (np.integer, np.floating)):
            k = float(other)
        else:
            raise TypeError(
                f"**: expected a number or Tensor exponent, got {type(other).__name__}: {other!r}"
            )
        op = _pow_op_names.get(k)
        if op is None:  # the exponent is part of the op's name, as for Value; the tag holds it
            op = _ops.param_tag("**n", k, "**" + fmt(k))
            if len(_pow_op_names) < 256:
                _pow_op_names[k] = op
        if k == 2.0:  # the square, the most used: no domain to check
            data = a * a
        else:
            if k.is_integer():
                if k < 0 and not D.surely_nonzero(a):
                    D.check_power_domain(a, k, op)
            elif not (D.surely_positive(a) if k < 0 else D.surely_nonnegative(a)):
                D.check_power_domain(a, k, op)
            data = a ** np.asarray(k, dtype=a.dtype)
        if type(data) is not _ndarray:
            data = np.asarray(data)
        if not D.all_finite(data):  # NaN/inf somewhere (or huge values): look closer
            if math.isfinite(k):  # an infinite exponent is not a finite input that overflowed
                D.check_overflow(op, data, a)
        return _result(data, op, _pow_n_rule, self, None, k)

    def __rpow__(self, other: Any) -> "Tensor":
        return _pow_tensor(_operand(other, self, "**"), self)

    def __matmul__(self, other: Any) -> "Tensor":
        if not isinstance(other, _Node):
            other = _operand(other, self, "@")
        return _matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _matmul(_operand(other, self, "@"), self)

    def __pos__(self) -> "Tensor":
        return self  # type: ignore[return-value]  # self is a Tensor


def _pow_tensor(base: Any, exponent: Any) -> "Tensor":
    a, b = base.data, exponent.data
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise _shape_error("**", base, exponent) from None
    D.check_power_domain(a, b, "**")
    with np.errstate(divide="ignore", over="ignore"):  # checked (outside derivative rules)
        data = a**b
    if type(data) is not _ndarray:
        data = np.asarray(data)
    if not D.all_finite(data):
        D.check_overflow("**", data, a, b)
    return _result(data, "**", _pow_rule, base, exponent)


def _matmul(x: Any, y: Any) -> "Tensor":
    a, b = x.data, y.data
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"@: needs operands with at least 1 dimension, got shapes {a.shape} and {b.shape}")
    k = a.shape[-1]
    if k and a.size * b.size // (k * k) * a.itemsize > _checks.MAX_BYTES:  # a bound: exact check below
        _check_matmul_size(a, b)
    try:
        data = a @ b
    except ValueError:
        inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        raise ValueError(
            f"@: shapes {a.shape} and {b.shape} do not match (inner sizes {a.shape[-1]} and {inner_b}"
            + ("" if a.shape[-1] != inner_b else ", batch axes do not broadcast")
            + ")"
        ) from None
    return _result(data, "@", _matmul_rule, x, y)


def _check_matmul_size(a: np.ndarray, b: np.ndarray) -> None:
    """Refuse, before any allocation, a product whose result would be too large (an outer
    product ``(n, 1) @ (1, m)`` of long vectors)."""
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        return  # numpy's own shape error follows
    shape = batch + a.shape[-2:-1] + b.shape[-1:] if b.ndim > 1 else batch + a.shape[-2:-1]
    _checks.fits(math.prod(shape), np.result_type(a, b).itemsize, f"the output of shape {shape}", "@")

def _generated_method(row: _ops.Op, name: str) -> Any:
    """``Tensor.<name>`` for a row whose ``inline`` forward numpy computes on arrays as Python
    does on floats (``a + b``, ``-a``): for two parents the other operand made a Tensor (a
    number or array: a constant leaf) and numpy's shape error named, then the forward on the
    arrays and the lines that make the node (:data:`autograd_lite.tensor._node.NODE`)
    written out, so the method calls nothing but numpy (compiled by :func:`._node.generated`)."""
    if not row.inline or row.arity not in (1, 2) or row.vjp is None:
        raise ValueError(f"op table: the row {row.name!r} has no inline forward and Tensor rule")
    forward = re.sub(r"\b[ab]\b", lambda m: "self.data" if m.group(0) == "a" else "other.data", row.inline)
    if row.arity == 1:
        source = (f"def {name}(self):\n"
                  f"    data = {forward}\n"
                  + NODE.format(op="tag", rule="rule", a="self", b="None", saved="None",
                                wants="self.requires_grad"))
    else:
        source = (f"def {name}(self, other):\n"
                  "    if type(other) is not _cls:  # a number, an array (or a Tensor's subclass)\n"
                  f"        other = _operand(other, self, {row.name!r})\n"
                  "    try:\n"
                  f"        data = {forward}\n"
                  "    except ValueError:\n"
                  f"        raise _shape_error({row.name!r}, self, other) from None\n"
                  + NODE.format(op="tag", rule="rule", a="self", b="other", saved="None",
                                wants="self.requires_grad or other.requires_grad"))
    method = generated(source, name, {"tag": row.tag, "rule": row.vjp})
    method.__doc__ = f"{row.doc}: {row.expr.format(a='self', b='other')} (generated from its row)"
    return method


for _name, _op in (("__add__", "+"), ("__sub__", "-"), ("__mul__", "*"), ("__neg__", "neg")):
    setattr(ArithmeticOps, _name, _generated_method(_ops.OPS[_op], _name))
_div_rule, _pow_rule, _pow_n_rule = (_ops.OPS[name].vjp for name in ("/", "**", "**n"))
