"""Derivatives as functions: ``grad``, ``value_and_grad``, ``jacobian``, ``hessian``, ``hvp``,
``jvp``, ``jacfwd`` and ``gradgradcheck``, for functions of scalars (``Value``).

Numbers in, numbers out; graph nodes in, a graph node out -- so derivatives compose:

>>> from autograd_lite import grad
>>> f = lambda x: x ** 4 - 2 * x ** 2
>>> grad(f)(2.0), grad(grad(f))(2.0)          # 4x³ - 4x, 12x² - 4
(24.0, 44.0)

Reverse mode (``grad``, ``jacobian``, ``hessian``, ``hvp``) runs the engine's backward sweep
with ``create_graph=True`` where a result must stay differentiable; forward mode (``jvp``,
``jacfwd``) pushes dual numbers (:mod:`autograd_lite.forward`) through ``f``.  Both take
their local derivatives from the one op table (:mod:`autograd_lite.ops`).  No ``.grad`` of
the caller's nodes is changed.  Functions of Tensors (or ndarrays) take the same calls, with
arrays or Tensors in and out (:mod:`autograd_lite.tensor_derivatives`).
"""

from __future__ import annotations

from typing import Any, Callable, List, Sequence, Tuple, Union

from . import checks as _checks
from . import engine as _engine
from . import tensor_derivatives as _td
from .format import fmt
from .forward import Dual
from .gradcheck import GradcheckError
from .value import Value, _check_number

__all__ = ["grad", "value_and_grad", "jacobian", "hessian", "hvp", "jvp", "jacfwd", "gradgradcheck"]

Argnums = Union[int, Sequence[int]]


def _inputs(args: Tuple[Any, ...], where: str) -> Tuple[List[Value], bool]:
    """The arguments as Values (numbers become fresh leaves) and whether any was a node."""
    if not args:
        raise TypeError(f"{where}: f needs at least one argument")
    nodes = False
    out = []
    for a in args:
        if isinstance(a, Value):
            nodes = True
            out.append(a)
        else:
            out.append(Value(_check_number(a, where)))
    return out, nodes


def _argnums(argnums: Argnums, n: int, where: str) -> Tuple[Tuple[int, ...], bool]:
    if _checks.is_int(argnums):
        return (_checks.axis(argnums, n, where, "argnums"),), False
    if not isinstance(argnums, (tuple, list)) or not argnums:
        raise TypeError(f"{where}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    return tuple(_checks.axis(k, n, where, "argnums") for k in argnums), True


def _scalar(out: Any, where: str) -> Value:
    if isinstance(out, Value):
        return out
    if isinstance(out, (int, float)) and not isinstance(out, bool):
        return Value(float(out))  # a constant function: its derivatives are 0
    raise TypeError(f"{where}: f must return a Value (one number), got {type(out).__name__}")


def _plain(g: Any, as_node: bool) -> Any:
    """A gradient as the caller expects it: a Value for node inputs, else a float."""
    if as_node:
        return g if isinstance(g, Value) else Value(float(g))
    return float(g.data) if isinstance(g, Value) else float(g)


def _gradients(out: Value, wrt: List[Value], as_node: bool) -> List[Any]:
    gs = _engine.gradients(out, wrt, 1.0, create_graph=as_node)
    return [_plain(g, as_node) for g in gs]


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Tuple[Any, Any]]:
    """``(f(*args), ∂f/∂args[argnums])``; a tuple of gradients when ``argnums`` is a tuple.

    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (12.0, (4.0, 3.0))
    """
    def wrapped(*args: Any) -> Tuple[Any, Any]:
        if _td.is_tensor_call(args):
            which, many = _argnums(argnums, len(args), "grad")
            return _td.value_and_grad(f, which, many, args)
        xs, nodes = _inputs(args, "grad")
        which, many = _argnums(argnums, len(xs), "grad")
        out = _scalar(f(*xs), "grad")
        gs = _gradients(out, [xs[i] for i in which], nodes)
        value = out if nodes else out.data
        return value, (tuple(gs) if many else gs[0])

    return wrapped


def grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function: ``grad(f)(x) = f'(x)``.

    Numbers in give numbers; ``Value`` s in give a ``Value`` connected to their graph, so
    ``grad(grad(f))`` is the second derivative (double backprop).
    """
    vg = value_and_grad(f, argnums)
    return lambda *args: vg(*args)[1]


def jacobian(f: Callable[..., Any]) -> Callable[..., Any]:
    """``J[i][j] = ∂f_i/∂x_j`` by reverse mode (one sweep per output); f returns a Value or a
    sequence of Values.

    >>> jacobian(lambda x, y: (x * y, x + y))(2.0, 3.0)
    [[3.0, 2.0], [1.0, 1.0]]
    """
    def wrapped(*args: Any) -> Any:
        if _td.is_tensor_call(args):
            return _td.jacobian(f, args)
        xs, nodes = _inputs(args, "jacobian")
        out = f(*xs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        return [_gradients(_scalar(o, "jacobian"), xs, nodes) for o in outs]

    return wrapped


def hessian(f: Callable[..., Any]) -> Callable[..., Any]:
    """``H[i][j] = ∂²f/∂x_i∂x_j`` by double backprop: the gradient is built as a graph, then
    each of its entries is differentiated again.

    >>> hessian(lambda x, y: x * x * y)(2.0, 3.0)
    [[6.0, 4.0], [4.0, 0.0]]
    """
    def wrapped(*args: Any) -> Any:
        if _td.is_tensor_call(args):
            return _td.hessian(f, args)
        xs, nodes = _inputs(args, "hessian")
        out = _scalar(f(*xs), "hessian")
        first = _engine.gradients(out, xs, 1.0, create_graph=True)
        return [_gradients(_scalar(g, "hessian"), xs, nodes) for g in first]

    return wrapped


def hvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, List[Any]]:
    """``(f(primals), H·tangents)`` without forming H (PyTorch's ``autograd.functional.hvp``):
    the gradient as a graph, dotted with the tangents, differentiated once more.

    >>> hvp(lambda x, y: x * x * y, (2.0, 3.0), (1.0, 0.0))
    (12.0, [6.0, 4.0])
    """
    if not isinstance(primals, (list, tuple)):  # PyTorch takes a bare tensor; we ask for (x,)
        raise TypeError(f"hvp: primals must be a tuple with one entry per argument of f, e.g. "
                        f"hvp(f, (x,), (v,)); got {type(primals).__name__}")
    if _td.is_tensor_call(primals):
        return _td.hvp(f, primals, tangents)
    xs, nodes = _inputs(tuple(primals), "hvp")
    ts = _tangents(tangents, len(xs), "hvp")
    out = _scalar(f(*xs), "hvp")
    first = _engine.gradients(out, xs, 1.0, create_graph=True)
    dot: Any = 0.0
    for g, t in zip(first, ts):
        if t:
            dot = dot + g * t
    value = out if nodes else out.data
    return value, _gradients(_scalar(dot, "hvp"), xs, nodes)


def _tangents(tangents: Sequence[Any], n: int, where: str) -> List[float]:
    if not isinstance(tangents, (list, tuple)) or len(tangents) != n:
        raise ValueError(f"{where}: tangents must be a sequence of {n} numbers (one per primal), "
                         f"got {tangents!r}")
    return [_check_number(t, where) for t in tangents]


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, Any]:
    """``(f(primals), J·tangents)`` in one forward pass of dual numbers (forward mode).

    >>> jvp(lambda x, y: x * y + x.sin(), (0.0, 2.0), (1.0, 0.0))   # ∂/∂x at (0, 2): y + cos x
    (0.0, 3.0)
    """
    if not isinstance(primals, (list, tuple)):
        raise TypeError(f"jvp: primals must be a tuple with one entry per argument of f, e.g. "
                        f"jvp(f, (x,), (v,)); got {type(primals).__name__}")
    if _td.is_tensor_call(primals):
        return _td.jvp(f, primals, tangents)
    ps = [_check_number(p, "jvp") for p in primals]
    ts = _tangents(tangents, len(ps), "jvp")
    out = f(*[Dual(p, t) for p, t in zip(ps, ts)])
    if isinstance(out, (list, tuple)):
        return [_primal(o) for o in out], [_tangent(o) for o in out]
    return _primal(out), _tangent(out)


def _primal(o: Any) -> float:
    return o.primal if isinstance(o, Dual) else _check_number(o, "jvp")


def _tangent(o: Any) -> float:
    return o.tangent if isinstance(o, Dual) else 0.0


def jacfwd(f: Callable[..., Any]) -> Callable[..., Any]:
    """The Jacobian by forward mode: one dual-number pass per input (column by column).

    >>> jacfwd(lambda x, y: (x * y, x + y))(2.0, 3.0)
    [[3.0, 2.0], [1.0, 1.0]]
    """
    def wrapped(*args: Any) -> Any:
        if _td.is_tensor_call(args):
            return _td.jacfwd(f, args)
        n = len(args)
        columns = [jvp(f, args, [1.0 if i == j else 0.0 for i in range(n)])[1] for j in range(n)]
        if isinstance(columns[0], list):
            return [[columns[j][i] for j in range(n)] for i in range(len(columns[0]))]
        return [[c for c in columns]]

    return wrapped


def gradgradcheck(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3) -> bool:
    """Check second derivatives: the Hessian from double backprop against central differences
    of the (first-order, analytic) gradient, in float64.  ``True``, or a ``GradcheckError``.

    >>> gradgradcheck(lambda x, y: (x * y).tanh(), 0.3, -0.7)
    True
    """
    if _td.is_tensor_call(inputs):
        return _td.gradgradcheck(f, inputs, eps, atol, rtol)
    x0 = [_check_number(x.data if isinstance(x, Value) else x, "gradgradcheck") for x in inputs]
    n = len(x0)
    analytic = hessian(f)(*x0)
    g = grad(f, argnums=tuple(range(n)))
    problems = []
    for j in range(n):
        up = list(x0)
        down = list(x0)
        up[j] += eps
        down[j] -= eps
        gu, gd = g(*up), g(*down)
        for i in range(n):
            numeric = (gu[i] - gd[i]) / (2 * eps)
            a = analytic[i][j]
            if not abs(a - numeric) <= atol + rtol * abs(numeric):
                problems.append(f"∂²f/∂x{i}∂x{j}: analytic {fmt(a)}, numeric {fmt(numeric)}")
    if problems:
        raise GradcheckError("gradgradcheck: second derivatives disagree: " + "; ".join(problems), [])
    return True
