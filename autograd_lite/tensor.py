"""``Tensor``: the same graph engine as ``Value``, vectorised over numpy arrays.

Every op computes its forward result with numpy and records, instead of local
derivatives, a *vector-Jacobian product* (vjp): a plain module-level function
``vjp(node, upstream) -> contributions`` (one entry per parent, ``None`` for a parent
that needs no gradient).  The functions sit next to the ops they belong to, so an op
reads as its math.  Broadcasting is undone in exactly one place, :func:`_send`, which
sums every contribution back to its parent's shape.

>>> from autograd_lite import Tensor
>>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="x")
>>> y = (x * x).sum()          # y = x1**2 + x2**2 + x3**2
>>> y.backward()
>>> x.grad                     # dy/dx = 2x
array([2., 4., 6.])

Rules worth knowing
-------------------
* dtype: lists, ints and bools become float64; a float32 array stays float32; a
  Python number combined with a tensor takes the tensor's dtype.
* ``Tensor(ndarray)`` shares the array (no copy), like ``torch.from_numpy``; an
  optimiser updating ``.data`` in place updates that array.  Pass ``a.copy()`` to avoid it.
* Ops on tensors that need no gradient record nothing: the result has
  ``requires_grad=False`` and no parents.  Inside ``no_grad()`` nothing is recorded.
* ``backward`` semantics are those of ``Value``: leaves accumulate across calls,
  intermediate grads are recomputed on every call and stay readable afterwards.
* Grad memory: the engine never modifies a grad array in place (it always rebinds
  ``grad = grad + contribution``).  A *leaf's* ``.grad`` is always an array of its own,
  so an optimiser may update it in place; an *intermediate's* ``.grad`` may share
  memory with its neighbours' grads (read it, do not write into it).
* Domain errors, as for ``Value``: ``log`` of x <= 0, ``sqrt`` of x < 0, a negative base
  with a non-integer exponent raise :class:`~autograd_lite.DomainError`; division by
  zero and zero to a negative power raise ``ZeroDivisionDomainError``; ``exp``, ``/``
  and ``**`` overflowing to inf raise ``OverflowError``.  The message names the op and
  the first offending values; no node is created.  NaN and inf inputs propagate
  without an error.  Domain checks run before computing, as a cheap "surely fine" test
  (a Python scan of a small array, one vectorised min/max of a large one) and, only if
  that fails, an exact element-by-element check.  Overflow of ``/`` and ``**`` is found
  after computing by one dot product of the result with itself (NaN/inf anywhere make
  it non-finite), so numpy's RuntimeWarning may precede that OverflowError.
* Ties: ``max``/``min``/``maximum``/``minimum`` split the gradient evenly between tied
  elements (as PyTorch does); ``relu`` and ``abs`` have derivative 0 at 0; ``clip``
  passes the gradient where ``lo <= x <= hi``.
* ``== != < <= > >=`` compare elementwise and return plain boolean numpy arrays (no
  graph), handy as masks: ``x[x > 0]``.  Tensors stay hashable by identity (graph nodes
  live in sets and dicts), as in PyTorch.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import checks as _checks
from . import engine as _engine
from .format import fmt
from .value import DomainError, Value, ZeroDivisionDomainError

Shape = Tuple[int, ...]
Axis = Union[None, int, Sequence[int]]
ArrayLike = Any  # numbers, nested lists, numpy arrays

_ndarray = np.ndarray
_object_new = object.__new__
_next_order = _engine.next_order
_float64 = np.dtype(np.float64)


# --------------------------------------------------------------------------- conversion
def _to_array(data: Any, dtype: Any, where: str) -> np.ndarray:
    """``data`` as a float ndarray following the dtype rules (no copy when possible)."""
    if isinstance(data, Tensor):
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
    if kind == "O" and any(isinstance(x, Value) for x in arr.flat):
        raise TypeError(f"{where}: cannot make a Tensor from Values; use Tensor([v.data for v in values])")
    if kind == "O":  # Python ints beyond int64, or other objects: convert exactly or refuse
        try:
            arr = np.asarray(data, dtype=np.float64 if dt is None else dt)
        except (TypeError, ValueError, OverflowError) as e:
            raise TypeError(f"{where}: expected numbers, got {type(data).__name__} that numpy cannot "
                            f"convert to floats ({e})") from None
        kind = "f"
    if kind not in "biuf":
        raise TypeError(f"{where}: expected numbers, got an array of dtype {arr.dtype}")
    if dt is not None:
        return arr.astype(dt, copy=False)
    if kind == "f":
        if arr.dtype not in _checks.FLOAT_DTYPES:
            raise TypeError(f"{where}: dtype {arr.dtype} is not supported (float16, float32 or float64); "
                            "convert it first, e.g. a.astype(np.float64)")
        return arr
    return arr.astype(np.float64)


def _operand(x: Any, like: "Tensor", op: str) -> "Tensor":
    """The other operand of a binary op as a Tensor (a constant leaf, shown in pictures).

    Python numbers take ``like``'s dtype (so float32 stays float32); arrays and lists
    follow the constructor's dtype rules.
    """
    if isinstance(x, Tensor):
        return x
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


def _leaf(data: np.ndarray, label: str = "") -> "Tensor":
    """A constant leaf (no grad wanted), without the constructor's checks."""
    out = _object_new(Tensor)
    out.data = data
    out.grad = None
    out.requires_grad = False
    out._a = out._b = out._rest = out._vjp = out._saved = None
    out.op = ""
    out.label = label
    out._order = _next_order()
    return out


def _result(data: Any, op: str, vjp: Any, a: "Tensor", b: "Optional[Tensor]" = None,
            saved: Any = None) -> "Tensor":
    """Wrap a forward result; record parents and vjp only if a parent needs a gradient."""
    if type(data) is not _ndarray:  # numpy returns scalars for 0-d results
        data = np.asarray(data)
    out = _object_new(Tensor)
    out.data = data
    out.grad = None
    out.op = op
    out.label = ""
    out._rest = None
    if (a.requires_grad or (b is not None and b.requires_grad)) and not (
        _engine._threads_without_grad and not _engine.is_grad_enabled()
    ):
        out.requires_grad = True
        out._a = a
        out._b = b
        out._vjp = vjp
        out._saved = saved
    else:
        out.requires_grad = False
        out._a = out._b = out._vjp = out._saved = None
    out._order = _next_order()
    return out


def _result_n(data: Any, op: str, vjp: Any, parents: Sequence["Tensor"], saved: Any = None) -> "Tensor":
    """Like :func:`_result` for ops with any number of parents (concatenate, stack)."""
    out = _result(data, op, vjp, parents[0], parents[1] if len(parents) > 1 else None, saved)
    if len(parents) > 2:
        if any(p.requires_grad for p in parents[2:]) and not (
            _engine._threads_without_grad and not _engine.is_grad_enabled()
        ):
            out.requires_grad = True
            out._a, out._b = parents[0], parents[1]
            out._vjp, out._saved = vjp, saved
        if out._a is not None:
            out._rest = tuple(parents[2:])
    return out


# --------------------------------------------------------------------------- the one un-broadcast
def _unbroadcast(g: np.ndarray, shape: Shape) -> np.ndarray:
    """Sum ``g`` over the axes broadcasting added or stretched, so it gets ``shape``.

    Broadcasting copies an input along new leading axes and along its size-1 axes; by
    the chain rule every copy's gradient flows back to the one original, so they add.

    >>> _unbroadcast(np.ones((2, 3)), (3,)).tolist()
    [2.0, 2.0, 2.0]
    >>> _unbroadcast(np.ones((2, 3)), (2, 1)).tolist()
    [[3.0], [3.0]]
    """
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    if g.shape != shape:
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        g = g.sum(axis=axes, keepdims=True)
    return g


def _send(p: "Tensor", c: Any, g: np.ndarray) -> None:
    """Add contribution ``c`` (computed from upstream ``g``) to parent ``p``'s grad.

    The single place where broadcasting is undone, dtypes are matched, and the grad
    memory rule is kept: a leaf's grad never shares memory with another array
    (``c`` may be ``g`` itself, e.g. for ``+``, or a view of it).
    """
    d = p.data
    if c.shape != d.shape:
        c = _unbroadcast(c, d.shape)
    if type(c) is not _ndarray:  # numpy gives scalars for 0-d results
        c = np.asarray(c)
    if c.dtype is not d.dtype:
        c = c.astype(d.dtype)
    pg = p.grad
    if p._a is None:
        if pg is None:
            p.grad = c.copy() if (c is g or c.base is not None) else c
        else:
            s = pg + c
            p.grad = s if type(s) is _ndarray else np.asarray(s)  # 0-d: numpy gives a scalar
    else:
        p.grad = c if pg is None else pg + c


# --------------------------------------------------------------------------- domain checks
# Domain rules are checked *before* computing (exact, so numpy never warns first); a
# cheap "surely fine" test keeps the hot path fast and only its failure pays for the
# exact element-by-element check.  Overflow is detected after computing, by one dot
# product of the result with itself (NaN/inf anywhere make it non-finite).

def _surely_positive(a: np.ndarray) -> bool:
    """True if every element is > 0 (False may also mean: NaN present, look closer)."""
    if a.size <= 16:  # a Python scan beats a numpy reduction's call overhead here
        return a.size == 0 or min(a.reshape(-1).tolist()) > 0.0
    return bool(a.min() > 0.0)


def _surely_nonnegative(a: np.ndarray) -> bool:
    if a.size <= 16:
        return a.size == 0 or min(a.reshape(-1).tolist()) >= 0.0
    return bool(a.min() >= 0.0)


def _surely_below(a: np.ndarray, limit: float) -> bool:
    """True if every element is < limit (False may also mean: NaN present, look closer)."""
    if a.size <= 16:
        return a.size == 0 or max(a.reshape(-1).tolist()) < limit
    return bool(a.max() < limit)


def _exp_limit(dtype: np.dtype) -> float:
    """The largest x with a finite exp(x) in ``dtype`` (about 709.78 for float64)."""
    limit = _exp_limits.get(dtype)
    if limit is None:
        limit = _exp_limits[dtype] = float(np.log(np.finfo(dtype).max))
    return limit


_exp_limits: Dict[np.dtype, float] = {}


def _surely_nonzero(a: np.ndarray) -> bool:
    if a.size <= 16:
        return 0.0 not in a.reshape(-1).tolist()
    return bool(a.all())


def _all_finite(x: np.ndarray) -> bool:
    """Cheap test that ``x`` has no NaN/inf: one dot product (may say False for huge values)."""
    r = x if x.ndim == 1 else x.reshape(-1)
    return math.isfinite(r.dot(r))


def _where_bad(mask: np.ndarray, *arrays: np.ndarray) -> str:
    """Describe up to three offending elements: ``-1 at index (2,)``."""
    idx = np.argwhere(mask)
    parts = []
    for i in idx[:3]:
        i = tuple(int(k) for k in i)
        vals = ", ".join(fmt(np.broadcast_to(a, mask.shape)[i]) for a in arrays)
        parts.append(f"{vals} at index {i}")
    more = f" (and {len(idx) - 3} more)" if len(idx) > 3 else ""
    return "; ".join(parts) + more


def _check_overflow(op: str, out: np.ndarray, *inputs: np.ndarray) -> None:
    """After a non-finite result: raise OverflowError if finite inputs gave an inf."""
    finite = np.ones(out.shape, bool)
    for x in inputs:
        finite &= np.isfinite(x)
    over = finite & np.isinf(out)
    if over.any():
        names = "x" if len(inputs) == 1 else "a, b"
        raise OverflowError(f"{op}: result too large for {out.dtype}: {names} = {_where_bad(over, *inputs)}")


def _check_power_domain(a: np.ndarray, k: Any, op: str) -> None:
    """a ** k must be real and finite-by-definition: no negative base with a fractional
    exponent, no zero to a negative power (exact check, broadcasting a against k)."""
    k = np.asarray(k)
    shape = np.broadcast_shapes(a.shape, k.shape)
    negative = (a < 0) & ((k != np.floor(k)) | np.isinf(k))  # inf is not an integer
    if negative.any():
        raise DomainError(f"{op}: negative base with a non-integer exponent: a, b = "
                          f"{_where_bad(np.broadcast_to(negative, shape), a, k)}")
    zero = (a == 0) & (k < 0)
    if zero.any():
        raise ZeroDivisionDomainError(f"{op}: zero to a negative power: a, b = "
                                      f"{_where_bad(np.broadcast_to(zero, shape), a, k)}")


# --------------------------------------------------------------------------- vjps
# Each takes (node, upstream).  One-parent ops return the contribution to that parent (of
# its exact shape and dtype); ops with more parents return one per parent (None: the
# parent needs no gradient; the shape may still be broadcast, _send undoes it).
# Parents are node._a, node._b; ``.data`` of the node itself is the forward result.

def _add_vjp(n: "Tensor", g: np.ndarray) -> tuple:
    return (g if n._a.requires_grad else None, g if n._b.requires_grad else None)


def _sub_vjp(n: "Tensor", g: np.ndarray) -> tuple:
    return (g if n._a.requires_grad else None, -g if n._b.requires_grad else None)


def _mul_vjp(n: "Tensor", g: np.ndarray) -> tuple:
    a, b = n._a, n._b
    return (g * b.data if a.requires_grad else None, g * a.data if b.requires_grad else None)


def _div_vjp(n: "Tensor", g: np.ndarray) -> tuple:
    # d(a/b)/da = 1/b;  d(a/b)/db = -a/b**2, as -(a/b)/b: neither b*b nor g/b may overflow
    # or underflow on the way to a representable slope (the same arithmetic as Value)
    b = n._b.data
    return (g / b if n._a.requires_grad else None, g * -(n.data / b) if n._b.requires_grad else None)


def _neg_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    return -g


def _pow_const_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    # d(a**k)/da = k a**(k-1); at a = 0 with k < 1 the slope is infinite (as for Value)
    k = n._saved
    a = n._a.data
    if k == 2.0:
        return g * (a + a)
    if k == 0.0:  # a**0 is the constant 1 (even at a = 0, as for Value)
        return g * _zero(g.dtype)
    if k < 1.0:
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * (k * a ** (k - 1.0))
    return g * (k * a ** (k - 1.0))


def _pow_vjp(n: "Tensor", g: np.ndarray) -> tuple:
    # d(a**b)/da = b a**(b-1);  d(a**b)/db = a**b ln a  (0 where a == 0 and b > 0)
    A, B = n._a, n._b
    a, b = A.data, B.data
    ga = gb = None
    with np.errstate(divide="ignore", invalid="ignore"):
        if A.requires_grad:  # an exponent of 0 has slope 0 even where a**-1 is inf (PyTorch too)
            ga = g * np.where(b == 0, 0.0, b * a ** (b - 1.0))
        if B.requires_grad:
            gb = g * np.where(a > 0, n.data * np.log(np.where(a > 0, a, 1.0)), 0.0)
    return (ga, gb)


def _matmul_vjp(n: "Tensor", g: np.ndarray) -> tuple:
    A, B = n._a, n._b
    a, b = A.data, B.data
    if a.ndim == 2 and b.ndim == 2:  # the common case: dA = G B^T, dB = A^T G
        return (g @ b.T if A.requires_grad else None, a.T @ g if B.requires_grad else None)
    # 1-D operands are promoted the way numpy does (a row, b column), then squeezed back;
    # broadcast batch axes are summed by _send.
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g[..., None] if b.ndim == 1 else g
    if a.ndim == 1:
        g2 = g2[..., None, :]
    ga = gb = None
    if A.requires_grad:
        ga = g2 @ np.swapaxes(b2, -1, -2)
        if a.ndim == 1:
            ga = ga[..., 0, :]
    if B.requires_grad:
        gb = np.swapaxes(a2, -1, -2) @ g2
        if b.ndim == 1:
            gb = gb[..., 0]
    return (ga, gb)


def _exp_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    return g * n.data


def _log_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    return g / n._a.data


def _sqrt_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    # d sqrt(x)/dx = 1 / (2 sqrt x): +inf at 0 (and at -0, whose sqrt is -0), as for Value
    s = n.data
    with np.errstate(divide="ignore", invalid="ignore"):
        return g / np.abs(s + s)


def _abs_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    return g * np.sign(n._a.data)


def _tanh_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    t = n.data
    return g * (_ones[t.dtype] - t * t)


def _sigmoid_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    s = n.data
    return g * (s * (_ones[s.dtype] - s))


def _relu_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    # the slope is 1 where relu(x) > 0, else 0.  For small arrays sign(relu(x)) (also 1
    # or 0) is the cheaper call; for large ones a boolean mask moves less memory.
    # (relu(nan) is nan, but its slope there is 0, as for Value and PyTorch)
    out = n.data
    if out.size > 256:
        return g * (out > _zero(out.dtype))
    return g * np.fmax(np.sign(out), _zero(out.dtype))  # fmax: sign(nan) = nan becomes 0


def _clip_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    lo, hi = n._saved
    a = n._a.data
    mask = np.ones(a.shape, bool)
    if lo is not None:
        mask &= a >= lo
    if hi is not None:
        mask &= a <= hi
    return g * mask


def _expand(g: np.ndarray, saved: tuple, shape: Shape, dtype: Any) -> np.ndarray:
    """Upstream of a reduction, copied back over the reduced axes (a fresh array)."""
    kshape = saved[1]
    out = np.empty(shape, dtype)
    out[...] = g.reshape(kshape)
    return out


def _sum_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    a = n._a.data
    return _expand(g, n._saved, a.shape, g.dtype)


def _mean_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    a = n._a.data
    count = n._saved[2]
    return _expand(g / count, n._saved, a.shape, g.dtype)


def _extreme_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    # ties share the gradient evenly: mask / (number of tied maxima)
    axis, kshape = n._saved[0], n._saved[1]
    a = n._a.data
    mask = a == n.data.reshape(kshape)
    count = mask.sum(axis=axis, keepdims=True, dtype=g.dtype)
    return mask * (g.reshape(kshape) / count)


def _var_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    # d var / dx_i = 2 (x_i - mean) / (N - ddof)
    axis, kshape, count, ddof = n._saved
    a = n._a.data
    centred = a - a.mean(axis=axis, keepdims=True)
    return centred * (g.reshape(kshape) * (2.0 / (count - ddof)))


def _astype_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    return g.astype(n._a.data.dtype)


def _reshape_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    return g.reshape(n._a.data.shape)


def _transpose_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    return g.transpose(n._saved)


def _getitem_vjp(n: "Tensor", g: np.ndarray) -> np.ndarray:
    index, accumulate = n._saved
    out = np.zeros(n._a.data.shape, g.dtype)
    if accumulate:  # integer arrays may repeat an element: every copy adds its gradient
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


# --------------------------------------------------------------------------- helpers for ops
def _norm_axis(axis: Axis, ndim: int, op: str) -> Optional[Tuple[int, ...]]:
    """``axis`` as a sorted tuple of non-negative ints (None: all axes)."""
    return _checks.axes(axis, ndim, op)


def _reduction_saved(a: np.ndarray, axis: Optional[Tuple[int, ...]]) -> tuple:
    """(axis, keepdims shape, number of elements reduced) for a reduction's vjp."""
    if axis is None:
        return None, (1,) * a.ndim, a.size
    kshape = tuple(1 if i in axis else n for i, n in enumerate(a.shape))
    return axis, kshape, int(np.prod([a.shape[i] for i in axis]))


def _shape_error(op: str, a: "Tensor", b: "Tensor") -> ValueError:
    return ValueError(f"{op}: shapes {a.data.shape} and {b.data.shape} cannot be broadcast together")


# --------------------------------------------------------------------------- Tensor
class Tensor:
    """An n-dimensional array node in a computation graph.

    ``Tensor(data, requires_grad=False, dtype=None, label="")``.  Attributes: ``data``
    (ndarray), ``grad`` (ndarray of the same shape, or None), ``requires_grad``,
    ``op`` (how it was made), ``label``, ``parents`` (ordered, repeats kept).

    >>> t = Tensor([[1, 2], [3, 4]], requires_grad=True)
    >>> t.shape, t.dtype
    ((2, 2), dtype('float64'))
    >>> (t @ t).sum().backward()
    >>> t.grad.tolist()
    [[7.0, 11.0], [9.0, 13.0]]
    """

    __slots__ = ("data", "grad", "requires_grad", "_a", "_b", "_rest", "_vjp", "_saved", "op",
                 "label", "_order")
    _GRAD_ZERO = None
    # numpy must hand ``ndarray + Tensor`` to Tensor.__radd__ instead of looping over it
    __array_ufunc__ = None

    data: np.ndarray
    grad: Optional[np.ndarray]
    requires_grad: bool
    op: str
    label: str
    _a: Any  # parents (engine node protocol): first, second, further (or None)
    _b: Any
    _rest: Any
    _vjp: Any  # vjp(node, upstream) -> one contribution per parent
    _saved: Any  # what the vjp needs beyond the parents' data (axes, index, exponent)
    _order: int

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: Any = None,
                 label: str = "") -> None:
        self.data = _to_array(data, dtype, "Tensor")
        if not isinstance(label, str):
            raise TypeError(f"Tensor: label must be a str, got {type(label).__name__}")
        self.grad = None
        self.requires_grad = _checks.flag(requires_grad, "requires_grad", "Tensor")
        self._a = self._b = self._rest = self._vjp = self._saved = None
        self.op = ""
        self.label = label
        self._order = _next_order()

    # ----------------------------------------------------------------- attributes
    @property
    def shape(self) -> Shape:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def T(self) -> "Tensor":
        """The transpose (axes reversed)."""
        return self.transpose()

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return len(self.data)

    def item(self) -> float:
        """The single number of a size-1 tensor, as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item: needs a tensor with one element, got shape {self.data.shape}")
        return float(self.data.reshape(-1)[0])

    def numpy(self) -> np.ndarray:
        """The data array itself (shared, not copied)."""
        return self.data

    def __float__(self) -> float:
        return self.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists of floats, like ``ndarray.tolist``."""
        return self.data.tolist()

    def argmax(self, axis: Optional[int] = None) -> Any:
        """Index of the largest element (along ``axis``), as numpy gives it: no graph, no grad."""
        return self.data.argmax(axis=None if axis is None else _checks.axis(axis, self.data.ndim, "argmax"))

    def argmin(self, axis: Optional[int] = None) -> Any:
        """Index of the smallest element (along ``axis``), as numpy gives it: no graph, no grad."""
        return self.data.argmin(axis=None if axis is None else _checks.axis(axis, self.data.ndim, "argmin"))

    def astype(self, dtype: Any) -> "Tensor":
        """The same numbers in another float dtype; the gradient is cast back (differentiable)."""
        dt = _checks.float_dtype(dtype, "astype")
        return _result(self.data.astype(dt), "astype", _astype_vjp, self)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Make this leaf a parameter (or not), in place; returns the tensor (PyTorch's method)."""
        flag = _checks.flag(requires_grad, "requires_grad", "requires_grad_")
        if self._a is not None:
            raise RuntimeError("requires_grad_: only a leaf's flag can change (this tensor was made by "
                               f"{self.op!r}); use .detach() to get a leaf")
        self.requires_grad = flag
        return self

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    @property
    def is_leaf(self) -> bool:
        """True for inputs, parameters and constants: tensors no recorded op made."""
        return self._a is None

    @property
    def parents(self) -> Tuple["Tensor", ...]:
        """The inputs of the op that made this tensor, in order, repeats kept."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        if b is None:
            return (a,)
        return (a, b) if self._rest is None else (a, b, *self._rest)

    def detach(self) -> "Tensor":
        """A new leaf sharing this data (no grad wanted): the graph is cut here."""
        return _leaf(self.data, self.label)

    # ----------------------------------------------------------------- binary ops
    def __add__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            other = _operand(other, self, "+")
        try:
            data = self.data + other.data
        except ValueError:
            raise _shape_error("+", self, other) from None
        return _result(data, "+", _add_vjp, self, other)

    def __radd__(self, other: Any) -> "Tensor":
        return _operand(other, self, "+").__add__(self)

    def __sub__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            other = _operand(other, self, "-")
        try:
            data = self.data - other.data
        except ValueError:
            raise _shape_error("-", self, other) from None
        return _result(data, "-", _sub_vjp, self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        return _operand(other, self, "-").__sub__(self)

    def __mul__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            other = _operand(other, self, "*")
        try:
            data = self.data * other.data
        except ValueError:
            raise _shape_error("*", self, other) from None
        return _result(data, "*", _mul_vjp, self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        return _operand(other, self, "*").__mul__(self)

    def __truediv__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            other = _operand(other, self, "/")
        a, b = self.data, other.data
        if not _surely_nonzero(b):
            zero = b == 0
            if zero.any():
                try:
                    shape = np.broadcast_shapes(a.shape, b.shape)
                except ValueError:
                    raise _shape_error("/", self, other) from None
                if 0 in shape:  # an empty result: no element is divided by anything
                    return _result(np.empty(shape, np.result_type(a, b)), "/", _div_vjp, self, other)
                raise ZeroDivisionDomainError(
                    f"/: division by zero: a, b = {_where_bad(np.broadcast_to(zero, shape), a, b)}"
                )
        try:
            data = a / b
        except ValueError:
            raise _shape_error("/", self, other) from None
        if type(data) is not _ndarray:
            data = np.asarray(data)
        if not _all_finite(data):
            _check_overflow("/", data, a, b)
        return _result(data, "/", _div_vjp, self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _operand(other, self, "/").__truediv__(self)

    def __pow__(self, other: Any) -> "Tensor":
        a = self.data
        t = type(other)
        if t is int or t is float:
            k = float(other)
        elif isinstance(other, (Tensor, np.ndarray, list, tuple, Value)):
            return _pow_tensor(self, _operand(other, self, "**"))
        elif isinstance(other, (np.integer, np.floating)):
            k = float(other)
        else:
            raise TypeError(
                f"**: expected a number or Tensor exponent, got {type(other).__name__}: {other!r}"
            )
        op = _pow_op_names.get(k)
        if op is None:
            op = "**" + fmt(k)  # the exponent is part of the op's name, as for Value
            if len(_pow_op_names) < 256:
                _pow_op_names[k] = op
        if k.is_integer():
            if k < 0 and not _surely_nonzero(a):
                _check_power_domain(a, k, op)
        elif not (_surely_positive(a) if k < 0 else _surely_nonnegative(a)):
            _check_power_domain(a, k, op)
        data = a * a if k == 2.0 else a ** _scalar(k, a.dtype)
        if type(data) is not _ndarray:
            data = np.asarray(data)
        r = data if data.ndim == 1 else data.reshape(-1)
        if not math.isfinite(r.dot(r)):  # NaN/inf somewhere (or huge values): look closer
            if math.isfinite(k):  # an infinite exponent is not a finite input that overflowed
                _check_overflow(op, data, a)
        return _result(data, op, _pow_const_vjp, self, None, k)

    def __rpow__(self, other: Any) -> "Tensor":
        return _pow_tensor(_operand(other, self, "**"), self)

    def __matmul__(self, other: Any) -> "Tensor":
        if type(other) is not Tensor:
            other = _operand(other, self, "@")
        return _matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _matmul(_operand(other, self, "@"), self)

    # ----------------------------------------------------------------- unary ops
    def __neg__(self) -> "Tensor":
        return _result(-self.data, "neg", _neg_vjp, self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return self.abs()

    def abs(self) -> "Tensor":
        """|x|; derivative sign(x) (0 at 0)."""
        return _result(np.abs(self.data), "abs", _abs_vjp, self)

    def exp(self) -> "Tensor":
        """e**x; derivative e**x.  Overflow to inf is an OverflowError."""
        a = self.data
        limit = _exp_limits.get(a.dtype) or _exp_limit(a.dtype)
        if (max(a.tolist()) < limit if 0 < a.size <= 16 and a.ndim == 1 else _surely_below(a, limit)):
            data = np.exp(a)
        else:
            with np.errstate(over="ignore"):
                data = np.asarray(np.exp(a))
            _check_overflow("exp", data, a)
        return _result(data, "exp", _exp_vjp, self)

    def log(self) -> "Tensor":
        """Natural log; derivative 1/x; every x must be > 0 (else DomainError)."""
        a = self.data
        if not _surely_positive(a):
            bad = a <= 0  # NaN is not bad: it propagates
            if bad.any():
                raise DomainError(f"log: needs x > 0, got x = {_where_bad(bad, a)}")
        return _result(np.log(a), "log", _log_vjp, self)

    def sqrt(self) -> "Tensor":
        """Square root; derivative 1/(2 sqrt x) (inf at 0); every x must be >= 0."""
        a = self.data
        if not _surely_nonnegative(a):
            bad = a < 0
            if bad.any():
                raise DomainError(f"sqrt: needs x >= 0, got x = {_where_bad(bad, a)}")
        return _result(np.sqrt(a), "sqrt", _sqrt_vjp, self)

    def tanh(self) -> "Tensor":
        """tanh x; derivative 1 - tanh(x)**2."""
        return _result(np.tanh(self.data), "tanh", _tanh_vjp, self)

    def sigmoid(self) -> "Tensor":
        """1 / (1 + e**-x), computed as exp(-log(1 + e**-x)): no overflow for any x."""
        a = self.data
        s = np.logaddexp(_zero(a.dtype), -a)
        if type(s) is _ndarray:  # reuse the buffer: two fewer allocations
            np.negative(s, out=s)
            np.exp(s, out=s)
        else:
            s = np.exp(-s)
        return _result(s, "sigmoid", _sigmoid_vjp, self)

    def relu(self) -> "Tensor":
        """max(0, x); derivative 1 where x > 0, else 0."""
        a = self.data
        return _result(np.maximum(a, _zero(a.dtype)), "relu", _relu_vjp, self)

    def clip(self, lo: Optional[float] = None, hi: Optional[float] = None) -> "Tensor":
        """Values limited to [lo, hi]; the gradient passes where lo <= x <= hi."""
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both")
        for bound in (lo, hi):
            if bound is not None and (isinstance(bound, bool)
                                      or not isinstance(bound, (int, float, np.number))):
                raise TypeError(f"clip: bounds must be numbers or None, got {type(bound).__name__}")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip: lo must be <= hi, got lo={fmt(lo)}, hi={fmt(hi)}")
        return _result(np.clip(self.data, lo, hi), "clip", _clip_vjp, self, None, (lo, hi))

    # ----------------------------------------------------------------- reductions
    def sum(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Sum over ``axis`` (int or tuple; None: all).  Gradient: upstream copied back."""
        a = self.data
        ax = _norm_axis(axis, a.ndim, "sum")
        return _result(a.sum(axis=ax, keepdims=keepdims), "sum", _sum_vjp, self, None,
                       _reduction_saved(a, ax))

    def mean(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Mean over ``axis``.  Gradient: upstream / N copied back."""
        a = self.data
        ax = _norm_axis(axis, a.ndim, "mean")
        saved = _reduction_saved(a, ax)
        if saved[2] == 0:
            raise ValueError(f"mean: no elements to average over axis {axis!r} of shape {a.shape}")
        return _result(a.mean(axis=ax, keepdims=keepdims), "mean", _mean_vjp, self, None, saved)

    def max(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Largest element over ``axis``; tied maxima share the gradient evenly."""
        return _extreme(self, axis, keepdims, "max")

    def min(self, axis: Axis = None, keepdims: bool = False) -> "Tensor":
        """Smallest element over ``axis``; tied minima share the gradient evenly."""
        return _extreme(self, axis, keepdims, "min")

    def var(self, axis: Axis = None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        """Variance over ``axis`` (divides by N - ddof; ddof=0 as numpy, BatchNorm)."""
        a = self.data
        ax = _norm_axis(axis, a.ndim, "var")
        saved = _reduction_saved(a, ax)
        if saved[2] - ddof <= 0:
            raise ValueError(
                f"var: needs more than ddof={ddof} elements along axis {axis!r} of shape {a.shape}"
            )
        return _result(a.var(axis=ax, keepdims=keepdims, ddof=ddof), "var", _var_vjp, self, None,
                       saved + (ddof,))

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> "Tensor":
        """Same elements, new shape (``-1`` infers one size); ``t.reshape(2, 3)`` or ``((2, 3))``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            data = self.data.reshape(shape)
        except (ValueError, TypeError) as e:
            raise ValueError(f"reshape: cannot reshape shape {self.data.shape} into {shape} ({e})") from None
        return _result(data, "reshape", _reshape_vjp, self)

    def view(self, *shape: Any) -> "Tensor":
        """PyTorch's name for :meth:`reshape` (the data is never copied when it need not be)."""
        return self.reshape(*shape)

    def unsqueeze(self, dim: int) -> "Tensor":
        """A new axis of size 1 at position ``dim`` (``numpy.expand_dims``); -1 appends it."""
        shape = self.data.shape
        k = _checks.axis(dim, len(shape) + 1, "unsqueeze", "dim")
        return self.reshape(shape[:k] + (1,) + shape[k:])

    def flatten(self, start_dim: int = 0) -> "Tensor":
        """Axes from ``start_dim`` on merged into one (``flatten(1)``: (N, C, H, W) -> (N, C*H*W))."""
        shape = self.data.shape
        start = _checks.axis(start_dim, max(len(shape), 1), "flatten", "start_dim")
        return self.reshape(shape[:start] + (-1,))

    def transpose(self, *axes: Any) -> "Tensor":
        """Axes permuted (none given: reversed).  Gradient: the inverse permutation."""
        a = self.data
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            perm = tuple(range(a.ndim - 1, -1, -1))
        else:
            perm = _checks.permutation(axes, a.ndim, "transpose")
        inverse = tuple(int(k) for k in np.argsort(perm))
        return _result(a.transpose(perm), "transpose", _transpose_vjp, self, None, inverse)

    def __iter__(self) -> Iterator["Tensor"]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d Tensor (it has no rows); use t.item() for its number")
        return (self[i] for i in range(len(self.data)))

    def __getitem__(self, index: Any) -> "Tensor":
        idx, accumulate = _normalize_index(index)
        try:
            data = self.data[idx]
        except (IndexError, ValueError, TypeError) as e:
            raise IndexError(
                f"getitem: index {index!r} is invalid for shape {self.data.shape} ({e})"
            ) from None
        return _result(data, "getitem", _getitem_vjp, self, None, (idx, accumulate))

    # ----------------------------------------------------------------- graph
    def backward(self, grad: Optional[ArrayLike] = None) -> None:
        """Chain rule from this tensor: every tensor it depends on gets d self / d tensor.

        A scalar (one element) seeds 1; any other shape needs ``grad`` of exactly its
        shape.  Leaves accumulate across calls; intermediates are recomputed each call.
        """
        _engine.backward(self, self._seed_for(grad, "backward"))

    def _seed_for(self, grad: Optional[ArrayLike], where: str) -> np.ndarray:
        """The seed array for a backward pass from here (shared by backward and explain)."""
        if not self.requires_grad:
            raise RuntimeError(
                f"{where}: this tensor does not require grad (no input had requires_grad=True, "
                "or it was made inside no_grad())"
            )
        d = self.data
        if grad is None:
            if d.size != 1:
                raise ValueError(
                    f"{where}: the output has shape {d.shape}, not a single number; pass a gradient "
                    f"of exactly that shape, e.g. t.backward(np.ones({d.shape}))"
                )
            # a shared read-only 1 for 0-d outputs (a leaf copies it; nothing writes into it)
            seed = _ones.get(d.dtype) if d.ndim == 0 else None
            if seed is None:
                seed = np.ones(d.shape, d.dtype)
        else:
            if isinstance(grad, Tensor):
                grad = grad.data
            elif isinstance(grad, Value):
                raise TypeError(f"{where}: the gradient must be an array, not a Value; use grad.data")
            try:
                raw = np.asarray(grad)
            except (TypeError, ValueError):
                raise TypeError(
                    f"{where}: the gradient must be real numbers, got {type(grad).__name__}"
                ) from None
            if raw.dtype.kind not in "iuf":  # complex, bool, object, strings: never converted silently
                raise TypeError(
                    f"{where}: the gradient must be an array of real numbers, got dtype {raw.dtype}"
                )
            seed = raw.astype(d.dtype, copy=False)
            if seed.shape != d.shape:
                raise ValueError(
                    f"{where}: gradient shape {seed.shape} does not match the output shape {d.shape}"
                )
        return seed

    @staticmethod
    def _check_leaf_grads(leaves: List["Tensor"], grads: List[Any]) -> None:
        # A grad the sweep adds to must be a float array of the leaf's own shape: numpy
        # would otherwise broadcast a (2, 1) grad of a (2,) leaf into a (2, 2) one.
        for leaf, g in zip(leaves, grads):
            if g is None or not leaf.requires_grad:
                continue
            if type(g) is _ndarray and g.shape == leaf.data.shape and g.dtype.kind == "f":
                continue
            name = f" {leaf.label!r}" if leaf.label else ""
            if not isinstance(g, np.ndarray):
                what = f"a {type(g).__name__}"
            elif g.dtype.kind != "f":
                what = f"an array of dtype {g.dtype}"
            else:
                what = f"an array of shape {g.shape}"
            raise ValueError(
                f"backward: leaf{name} of shape {leaf.data.shape} has a grad that is {what}; "
                f"a leaf's grad must be None or a float array of shape {leaf.data.shape}"
            )

    def _seed(self, grad: np.ndarray) -> None:
        self._accumulate(grad)

    def _accumulate(self, contribution: np.ndarray) -> None:
        # a leaf's grad is always its own array (see the module notes)
        g = self.grad
        if g is None:
            self.grad = contribution.copy() if self._a is None else contribution
        else:
            s = g + contribution
            self.grad = s if type(s) is _ndarray else np.asarray(s)  # 0-d: numpy gives a scalar

    def _backprop(self) -> None:
        # The chain rule for one node: each parent gets vjp(upstream), summed to its shape.
        g = self.grad
        if g is None:
            return
        b = self._b
        if b is None:
            # One parent: the contribution already has its shape and dtype (vjp contract).
            c = self._vjp(self, g)
            p = self._a
            pg = p.grad
            if pg is not None:
                s = pg + c
                p.grad = s if type(s) is _ndarray else np.asarray(s)  # 0-d: numpy gives a scalar
            elif p._a is not None:
                p.grad = c
            else:  # a leaf keeps an array of its own (see the module notes)
                p.grad = np.array(c) if (c is g or type(c) is not _ndarray or c.base is not None) else c
            return
        cs = self._vjp(self, g)
        c = cs[0]
        if c is not None:
            _send(self._a, c, g)
        c = cs[1]
        if c is not None:
            _send(b, c, g)
        if self._rest is not None:
            for p, c in zip(self._rest, cs[2:]):
                if c is not None:
                    _send(p, c, g)

    def _contributions(self) -> Iterator[Tuple["Tensor", np.ndarray]]:
        """(parent, contribution) for every parent that wants a gradient (for tracing)."""
        g = self.grad
        if g is None or self._a is None:
            return
        cs = self._vjp(self, g)
        if self._b is None:
            cs = (cs,)
        for p, c in zip(self.parents, cs):
            if c is None:
                continue
            if c.shape != p.data.shape:
                c = _unbroadcast(c, p.data.shape)
            c = np.asarray(c)
            if c.dtype is not p.data.dtype:
                c = c.astype(p.data.dtype)
            yield p, c

    # ----------------------------------------------------------------- display, comparison
    def __repr__(self) -> str:
        data = _array_text(self.data, "Tensor(data=")
        grad = "None" if self.grad is None else _array_text(self.grad, "       grad=")
        # multi-line arrays: grad starts its own line, aligned under data
        sep = ",\n       " if "\n" in data or "\n" in grad else ", "
        parts = [f"data={data}{sep}grad={grad}"]
        if self.op:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        if self.requires_grad and self._a is None:
            parts.append("requires_grad=True")
        if self.data.dtype != _float64:
            parts.append(f"dtype={self.data.dtype}")
        return f"Tensor({', '.join(parts)})"

    def _repr_html_(self) -> str:  # notebooks: see autograd_lite.display
        from .display import tensor_html

        return tensor_html(self)

    # Tensors are graph nodes: identity decides hashing (sets and dicts of tensors work);
    # ``==`` compares elementwise like numpy and PyTorch.
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError("Tensor: truth value is ambiguous in a graph; compare .data instead")

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self.data == _plain(other, "==")

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        return self.data != _plain(other, "!=")

    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < _plain(other, "<")

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= _plain(other, "<=")

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > _plain(other, ">")

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= _plain(other, ">=")


# --------------------------------------------------------------------------- op helpers
# 0-d constants per float dtype: numpy combines them with arrays faster than Python
# floats and they keep float32 arithmetic in float32.
_zeros = {np.dtype(t): np.zeros((), t) for t in (np.float16, np.float32, np.float64)}
_ones = {np.dtype(t): np.ones((), t) for t in (np.float16, np.float32, np.float64)}
for _c in (*_zeros.values(), *_ones.values()):
    _c.flags.writeable = False


_pow_op_names = {2.0: "**2"}


def _zero(dtype: np.dtype) -> np.ndarray:
    z = _zeros.get(dtype)
    return np.zeros((), dtype) if z is None else z


def _scalar(k: float, dtype: np.dtype) -> Any:
    return np.asarray(k, dtype=dtype)


def _plain(x: Any, op: str) -> Any:
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, Value):
        raise TypeError(f"{op}: cannot compare a Tensor with a Value; use t.data {op} v.data")
    return x


def _array_text(a: np.ndarray, prefix: str) -> str:
    # short and exact enough to learn from: big arrays are summarised with "..."
    return np.array2string(a, separator=", ", formatter={"float_kind": fmt}, prefix=prefix,
                           threshold=64, edgeitems=3)


def _pow_tensor(base: Tensor, exponent: Tensor) -> Tensor:
    a, b = base.data, exponent.data
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise _shape_error("**", base, exponent) from None
    _check_power_domain(a, b, "**")
    data = a ** b
    if type(data) is not _ndarray:
        data = np.asarray(data)
    if not _all_finite(data):
        _check_overflow("**", data, a, b)
    if exponent.requires_grad and not (_engine._threads_without_grad and not _engine.is_grad_enabled()):
        # d(a**b)/db = a**b ln a needs a > 0 (or a == 0 with b > 0), as for Value
        with np.errstate(invalid="ignore"):
            bad = ~((a > 0) | ((a == 0) & (b > 0)))
        if bad.any():
            raise DomainError(
                "**: the exponent's derivative a**b ln(a) needs a > 0: a, b = "
                f"{_where_bad(np.broadcast_to(bad, data.shape), a, b)}; "
                "use a constant exponent for a negative base"
            )
    return _result(data, "**", _pow_vjp, base, exponent)


def _matmul(x: Tensor, y: Tensor) -> Tensor:
    a, b = x.data, y.data
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"@: needs operands with at least 1 dimension, got shapes {a.shape} and {b.shape}")
    try:
        data = a @ b
    except ValueError:
        inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        raise ValueError(
            f"@: shapes {a.shape} and {b.shape} do not match (inner sizes {a.shape[-1]} and {inner_b}"
            + ("" if a.shape[-1] != inner_b else ", batch axes do not broadcast") + ")"
        ) from None
    return _result(data, "@", _matmul_vjp, x, y)


def _extreme(x: Tensor, axis: Axis, keepdims: bool, op: str) -> Tensor:
    a = x.data
    ax = _norm_axis(axis, a.ndim, op)
    saved = _reduction_saved(a, ax)
    if saved[2] == 0:
        raise ValueError(f"{op}: no elements to reduce over axis {axis!r} of shape {a.shape}")
    data = a.max(axis=ax, keepdims=keepdims) if op == "max" else a.min(axis=ax, keepdims=keepdims)
    return _result(data, op, _extreme_vjp, x, None, saved)


def _normalize_index(index: Any) -> Tuple[Any, bool]:
    """The index with lists/Tensors turned into arrays; True if it may repeat elements."""
    items = index if isinstance(index, tuple) else (index,)
    out: List[Any] = []
    accumulate = False
    for k in items:
        if isinstance(k, Tensor):
            raise TypeError(
                "getitem: a Tensor cannot be an index (its data is float); "
                "use an integer or boolean numpy array, e.g. t.data.astype(int) or t > 0"
            )
        if isinstance(k, Value):
            raise TypeError("getitem: a Value cannot be an index; use int(v.data)")
        if isinstance(k, list):
            k = np.asarray(k)
            if k.size == 0:
                k = k.astype(np.intp)
        if isinstance(k, np.ndarray) and k.dtype.kind != "b":
            accumulate = True
        out.append(k)
    idx = tuple(out) if isinstance(index, tuple) else out[0]
    return idx, accumulate


def _tensors(xs: Sequence[Any], op: str) -> List[Tensor]:
    """Check a list argument holds Tensors (numbers/arrays become constant leaves)."""
    if isinstance(xs, Tensor) or not isinstance(xs, (list, tuple)) or not xs:
        raise TypeError(f"{op}: expected a non-empty list or tuple of Tensors")
    first = next((x for x in xs if isinstance(x, Tensor)), None)
    if first is None:
        raise TypeError(f"{op}: expected at least one Tensor in the list")
    return [x if isinstance(x, Tensor) else _operand(x, first, op) for x in xs]


__all__ = ["Tensor"]
