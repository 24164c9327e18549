"""How a Tensor op becomes a graph node, and the one place gradients are added up.

* :func:`_result` wraps an op's forward result and records its parents and its rule (only
  when a parent wants a gradient and grad mode is on): the one gate every op goes through.
* :func:`_fit` is the one un-broadcast and dtype cast of a contribution; :func:`_add_to`
  the one place a contribution is added to a parent's grad (with the leaf-memory rule).
  Both run on ndarrays (first order) and on Tensors (``create_graph=True``) alike; the
  first-order :func:`sweep` writes ``_add_to``'s common case out in its loop.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

from .. import checks as _checks
from .. import engine as _engine
from .. import generic as _generic
from ..format import fmt
from ..value import Value

if TYPE_CHECKING:
    from .core import Tensor

Shape = Tuple[int, ...]

_ndarray = np.ndarray
_asarray = np.asarray
_object_new = object.__new__
_next_order = _engine.next_order
_float64 = np.dtype(np.float64)
_add_reduce: Any = np.add.reduce
_generic._numpy()  # the op table's generic functions take arrays from here on (their fast path)


class _Node:
    """The slots every Tensor has (the engine's node protocol; see autograd_lite.engine)."""

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "_a",
        "_b",
        "_rest",
        "_vjp",
        "_saved",
        "op",
        "label",
        "_order",
    )
    data: np.ndarray
    grad: Any  # None, an ndarray, or (after create_graph=True) a Tensor
    requires_grad: bool
    op: str
    label: str
    _a: Any  # parents: first, second, further (a tuple for ops of any arity, else None)
    _b: Any
    _rest: Any
    _vjp: Any  # the op's rule (see autograd_lite.tensor: the rule convention)
    _saved: Any  # what the rule needs beyond parents and result (axes, index, exponent)
    _order: int


_cls: Any = None  # the Tensor class (set by .core once it exists)

# 0-d constants per float dtype: numpy combines them with arrays faster than Python floats
# and they keep float32 arithmetic in float32.
_zeros = {np.dtype(t): np.zeros((), t) for t in (np.float16, np.float32, np.float64)}
_ones = {np.dtype(t): np.ones((), t) for t in (np.float16, np.float32, np.float64)}
for _c in (*_zeros.values(), *_ones.values()):
    _c.flags.writeable = False


def _zero(dtype: np.dtype) -> np.ndarray:
    z = _zeros.get(dtype)
    return np.zeros((), dtype) if z is None else z


def value_of(x: Any) -> Any:
    """The array behind ``x`` (a Tensor's data; anything else as it is): for constants in rules."""
    return x.data if isinstance(x, _Node) else x


# --------------------------------------------------------------------------- conversion
def _to_array(data: Any, dtype: Any, where: str) -> np.ndarray:
    """``data`` as a float ndarray following the dtype rules (no copy when possible)."""
    if isinstance(data, _Node):
        data = data.data
    elif isinstance(data, Value):
        raise TypeError(
            f"{where}: cannot make a Tensor from a Value; use Tensor(v.data) for its number "
            "(Values and Tensors live in separate graphs)"
        )
    dt = None if dtype is None else _checks.float_dtype(dtype, where)
    try:
        arr = np.asarray(data)
    except (TypeError, ValueError, OverflowError) as e:  # ragged nested lists, huge ints
        raise TypeError(f"{where}: cannot convert {type(data).__name__} to an array ({e})") from None
    kind = arr.dtype.kind
    if kind == "O" and any(isinstance(x, (Value, _Node)) for x in arr.flat):
        raise TypeError(
            f"{where}: cannot make a Tensor from Values or Tensors inside a list; use "
            "Tensor([v.data for v in values]) or functional.stack(tensors)"
        )
    if kind == "O":  # Python ints beyond int64, or other objects: convert exactly or refuse
        try:
            arr = np.asarray(data, dtype=np.float64 if dt is None else dt)
        except (TypeError, ValueError, OverflowError) as e:
            raise TypeError(
                f"{where}: expected numbers, got {type(data).__name__} that numpy cannot "
                f"convert to floats ({e})"
            ) from None
        kind = "f"
    if kind not in "biuf":
        raise TypeError(f"{where}: expected numbers, got an array of dtype {arr.dtype}")
    if dt is not None:
        return arr.astype(dt, copy=False)
    if kind == "f":
        if arr.dtype not in _checks.FLOAT_DTYPES:
            raise TypeError(
                f"{where}: dtype {arr.dtype} is not supported (float16, float32 or float64); "
                "convert it first, e.g. a.astype(np.float64)"
            )
        return arr
    return arr.astype(np.float64)


def _operand(x: Any, like: Any, op: str) -> "Tensor":
    """The other operand of a binary op as a Tensor (a constant leaf, shown in pictures).

    Python numbers take ``like``'s dtype (so float32 stays float32); arrays and lists
    follow the constructor's dtype rules.
    """
    if isinstance(x, _Node):
        return x  # type: ignore[return-value]  # a Tensor: the only _Node
    t = type(x)
    if t is float or t is int or (isinstance(x, (np.floating, np.integer)) and not isinstance(x, np.bool_)):
        dt = like.data.dtype
        try:
            if dt is _float64:
                c = np.asarray(x, dtype=dt)
            else:
                with np.errstate(over="ignore"):  # checked just below, with a better message
                    c = np.asarray(x, dtype=dt)
        except OverflowError:  # a Python int beyond any float
            _checks.real_number(x, op)
            raise
        if dt is not _float64 and x and not (0 < abs(c) < math.inf):  # float32/16 cannot hold it
            c64 = float(x)
            if not math.isfinite(c64):
                return _leaf(c)  # inf / nan constants are what they are
            raise (OverflowError if abs(c64) > 1 else ValueError)(
                f"{op}: the number {fmt(c64)} is {'too large' if abs(c64) > 1 else 'too small'} for a {dt} "
                f"tensor (it would become {fmt(float(c))}); use a float64 tensor, e.g. t.astype(np.float64)"
            )
        return _leaf(c)
    if isinstance(x, Value):
        raise TypeError(
            f"{op}: cannot combine a Tensor with a Value; use Tensor(v.data) to make the number "
            "a tensor, or t.item() to get a tensor's number"
        )
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (np.ndarray, list, tuple)):
        raise TypeError(f"{op}: expected a Tensor, number or array, got {type(x).__name__}: {x!r}")
    return _leaf(_to_array(x, None, op))


def _tensors(xs: Sequence[Any], op: str) -> List["Tensor"]:
    """Check a list argument holds Tensors (numbers/arrays become constant leaves)."""
    if isinstance(xs, _Node) or not isinstance(xs, (list, tuple)) or not xs:
        raise TypeError(f"{op}: expected a non-empty list or tuple of Tensors")
    first = next((x for x in xs if isinstance(x, _Node)), None)
    if first is None:
        raise TypeError(f"{op}: expected at least one Tensor in the list")
    return [_operand(x, first, op) for x in xs]


def _shape_error(op: str, a: Any, b: Any) -> ValueError:
    return ValueError(f"{op}: shapes {a.data.shape} and {b.data.shape} cannot be broadcast together")


# --------------------------------------------------------------------------- the one gate
def _leaf(data: np.ndarray, label: str = "") -> "Tensor":
    """A constant leaf (no grad wanted), without the constructor's checks."""
    out = _object_new(_cls)
    out.data = data
    out.grad = None
    out.requires_grad = False
    out._a = out._b = out._rest = out._vjp = out._saved = None
    out.op = ""
    out.label = label
    out._order = _next_order()
    return out


#: How a Tensor op makes its node from its forward result ``data``: the lines of :func:`_result`
#: and of the op methods generated from the op table's rows (``+ - *`` and negation:
#: ``_generated_method`` in :mod:`autograd_lite.tensor.arith`), so a node is made one way, written
#: once, and those methods make theirs without a call. Parents and rule are recorded only if a
#: parent wants a gradient (``{wants}``) and grad mode is on.
NODE = """\
    if type(data) is not _ndarray:  # numpy returns scalars for 0-d results
        data = _asarray(data)
    out = _object_new(_cls)
    out.data = data
    out.grad = None
    out.op = {op}
    out.label = ''
    out._rest = None
    if ({wants}) and not (_engine._threads_without_grad and not _engine.is_grad_enabled()):
        out.requires_grad = True
        out._a = {a}
        out._b = {b}
        out._vjp = {rule}
        out._saved = {saved}
    else:
        out.requires_grad = False
        out._a = out._b = out._vjp = out._saved = None
    out._order = _next_order()
    return out
"""


def generated(source: str, name: str, bound: Dict[str, Any]) -> Callable[..., Any]:
    """The function ``name`` that ``source`` defines, compiled in this module's namespace (it
    sees ``_cls`` once the Tensor class exists), ``bound``'s names its constants; it keeps
    its text as ``.source``."""
    factory = f"def _make({', '.join(bound)}):\n" + textwrap.indent(source, "    ") + f"    return {name}\n"
    namespace: Dict[str, Any] = {}
    exec(compile(factory, f"<autograd_lite.tensor {name}>", "exec"), globals(), namespace)  # noqa: S102
    function = namespace["_make"](**bound)
    function.source = source
    return function  # type: ignore[no-any-return]


_result: Callable[..., "Tensor"] = generated(
    "def _result(data, op, rule, a, b=None, saved=None):\n"
    + NODE.format(op="op", rule="rule", a="a", b="b", saved="saved",
                  wants="a.requires_grad or (b is not None and b.requires_grad)"),
    "_result", {})
_result.__doc__ = "Wrap a forward result; record parents and rule only if a parent needs a gradient."


def _result_n(data: Any, op: str, rule: Any, parents: Sequence["Tensor"], saved: Any = None) -> "Tensor":
    """Like :func:`_result` for ops of any arity (concatenate, stack, einsum).

    Their rule is called as ``rule(g, parents, out, saved, wants)``; ``_rest`` is a tuple
    (possibly empty) for them, which is how the engine tells the calling conventions apart.
    """
    if type(data) is not _ndarray:
        data = np.asarray(data)
    out = _leaf(data)
    out.op = op
    if any(p.requires_grad for p in parents) and _engine.is_grad_enabled():
        out.requires_grad = True
        out._a = parents[0]
        out._b = parents[1] if len(parents) > 1 else None
        out._rest = tuple(parents[2:])
        out._vjp, out._saved = rule, saved
    return out


# --------------------------------------------------------------------------- the one sum
def _unbroadcast(g: np.ndarray, shape: Shape) -> np.ndarray:
    """Sum ``g`` over the axes broadcasting added or stretched, so it gets ``shape``.

    Broadcasting copies an input along new leading axes and along its size-1 axes; by
    the chain rule every copy's gradient flows back to the one original, so they add.

    >>> _unbroadcast(np.ones((2, 3)), (3,)).tolist()
    [2.0, 2.0, 2.0]
    >>> _unbroadcast(np.ones((2, 3)), (2, 1)).tolist()
    [[3.0], [3.0]]
    """
    # np.add.reduce, not g.sum: the method adds a Python-level wrapper to every call
    extra = g.ndim - len(shape)
    if extra > 0:
        g = _add_reduce(g, 0 if extra == 1 else tuple(range(extra)))
    if g.shape != shape:
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        g = _add_reduce(g, axes, keepdims=True)
    return g


def _fit(p: "Tensor", c: Any) -> Any:
    """Contribution ``c`` summed back to parent ``p``'s shape and cast to its dtype.

    The one place broadcasting is undone: on an ndarray by :func:`_unbroadcast`, on a
    Tensor (``create_graph=True``) by the differentiable ``sum_to``.
    """
    d = p.data
    if type(c) is _ndarray:
        if c.shape != d.shape:
            c = _unbroadcast(c, d.shape)
            if type(c) is not _ndarray:  # numpy gives scalars for 0-d results
                c = np.asarray(c)
        if c.dtype is not d.dtype:
            c = c.astype(d.dtype)
        return c
    if not isinstance(c, _Node):  # a number or numpy scalar from a rule
        return np.asarray(np.broadcast_to(np.asarray(c, d.dtype), d.shape))
    if c.data.shape != d.shape:
        c = c.sum_to(d.shape)  # type: ignore[attr-defined]  # a Tensor
    if c.data.dtype != d.dtype:
        c = c.astype(d.dtype)
    return c


def _add_to(p: "Tensor", c: Any, g: Any) -> None:
    """``p.grad += c``: the one place a contribution is added (``c`` from upstream ``g``).

    The engine never writes into a grad array (it rebinds ``grad = grad + c``); a leaf's
    grad is always an array of its own, so ``c`` is copied when it may share memory with
    ``g`` or another array (``+`` sends ``g`` itself, ``reshape`` a view of it).
    """
    d = p.data
    if type(c) is not _ndarray or c.dtype is not d.dtype or c.shape != d.shape:
        c = _fit(p, c)  # (most contributions fit already: no call for them)
    pg = p.grad
    if pg is None:
        if p._a is None and type(c) is _ndarray and (c is g or g is None or c.base is not None):
            c = c.copy()
        p.grad = c
    else:
        p.grad = _sum(pg, c)


def sweep(order: List["Tensor"]) -> None:
    """The chain rule on arrays, node by node (children before parents): each parent gets
    rule(upstream). A contribution that fits its parent already (an ndarray of its shape and
    dtype: nearly all) is added here, by :func:`_add_to`'s rule written out (a leaf's grad an
    array of its own); any other goes through :func:`_add_to`, which sums it to the parent's shape.
    ``Tensor._sweep``: the engine's first-order sweep (see :mod:`autograd_lite.engine`)."""
    add, ndarray = _add_to, _ndarray  # locals: read once per contribution
    for node in order:
        g = node.grad
        if g is None:  # nothing reached this node (e.g. only through no-grad parents)
            continue
        a, b = node._a, node._b
        if node._rest is not None:  # an op of any arity: rule(g, parents, out, saved, wants)
            ps = node.parents
            cs = node._vjp(g, [p.data for p in ps], node.data, node._saved, [p.requires_grad for p in ps])
            for p, c in zip(ps, cs):
                if c is not None:
                    add(p, c, g)
            continue
        d = a.data
        if b is None:
            c = node._vjp(g, d, node.data, node._saved)
            cb = None
        else:
            c, cb = node._vjp(g, d, b.data, node.data, node._saved, a.requires_grad, b.requires_grad)
        if c is not None:
            if type(c) is ndarray and c.dtype is d.dtype and c.shape == d.shape:
                pg = a.grad
                if pg is None:
                    a.grad = c.copy() if a._a is None and (c is g or c.base is not None) else c
                else:
                    s = pg + c
                    a.grad = s if type(s) is ndarray else _grad_sum(s)
            else:
                add(a, c, g)
        if cb is not None:
            d = b.data
            if type(cb) is ndarray and cb.dtype is d.dtype and cb.shape == d.shape:
                pg = b.grad
                if pg is None:
                    b.grad = cb.copy() if b._a is None and (cb is g or cb.base is not None) else cb
                else:
                    s = pg + cb
                    b.grad = s if type(s) is ndarray else _grad_sum(s)
            else:
                add(b, cb, g)


def _sum(grad: Any, c: Any) -> Any:
    """``grad + c`` as an array or a Tensor (numpy gives a scalar for 0-d arrays)."""
    s = grad + c
    return s if type(s) is _ndarray else _grad_sum(s)


def _grad_sum(s: Any) -> Any:
    """A sum of grads as a grad: a Tensor stays one (a leaf's grad the user set to a Tensor),
    a numpy scalar (the sum of 0-d arrays) becomes a 0-d array."""
    return s if isinstance(s, _Node) else np.asarray(s)
