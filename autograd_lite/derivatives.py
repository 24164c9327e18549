"""Derivatives as functions: ``grad``, ``value_and_grad``, ``jacobian``, ``hessian``, ``hvp``,
``jvp`` and ``jacfwd`` (``gradgradcheck`` checks them), for functions of Values, of arrays and of
Tensors alike.

Numbers (or ndarrays) in give numbers (ndarrays) out; graph nodes in -- or a tangent that is a
node -- give graph nodes out, so every call composes with every other, in any nesting:

>>> from autograd_lite import grad
>>> f = lambda x: x ** 4 - 2 * x ** 2
>>> grad(f)(2.0), grad(grad(f))(2.0)          # 4x³ - 4x, 12x² - 4
(24.0, 44.0)
>>> jvp(grad(lambda x: x ** 3), (2.0,), (1.0,))   # forward over reverse: (3x², 6x)
(12.0, 12.0)

How: reverse mode is the engine's chain rule run on a private table of grads
(:func:`autograd_lite.engine.gradients`), as graph where a result must stay differentiable;
``jvp`` transposes it (``J^T u`` is built as a graph, linear in a stand-in ``u`` for the output's
cotangent, then differentiated in ``u`` along the tangents: ``J·v``, what
``torch.autograd.functional.jvp`` does).  Every rule comes from the one op table.

Promises (docs/api.md, "Derivatives as functions"):

* ``f`` is evaluated with grad mode on, even inside ``no_grad()``: a derivative asked for is
  computed, never silently 0 (``torch.func``'s choice);
* no ``.grad`` of any node is read or written: threads may differentiate functions of the same
  captured parameters at once;
* an argument ``f``'s result does not depend on through the graph (a constant function, or a
  graph cut by ``.data``, ``detach()`` or ``no_grad``) gets a zero derivative **and** a
  :class:`DisconnectedInputWarning` naming it; ``float(v)`` and ``math.exp(v)`` refuse a node;
* arguments, tangents and tolerances are validated once, here, for every kind.
"""

from __future__ import annotations

import threading
import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Sequence, Tuple, Union

from . import arguments as _arguments
from . import checks as _checks
from . import engine as _engine
from .value import Value
from .value_derivatives import Scalars

__all__ = ["grad", "grad_and_aux", "value_and_grad", "jacobian", "hessian", "hvp", "jvp", "jacfwd",
           "DisconnectedInputWarning"]

Argnums = Union[int, Sequence[int]]


class DisconnectedInputWarning(UserWarning):
    """``f``'s result does not depend on an argument through the graph: its derivative is 0."""


# --------------------------------------------------------------------------- the two kinds
def _tensor_kind() -> Any:
    from .tensor_derivatives import Arrays  # numpy is loaded only for functions of arrays

    return Arrays()


def _is_array(a: Any) -> bool:
    t = type(a)
    return (t.__name__ == "Tensor" and t.__module__.startswith("autograd_lite.")) or (
        t.__name__ == "ndarray" and t.__module__ == "numpy")


_SCALARS = Scalars()


def _kind(args: Sequence[Any], where: str) -> Any:
    """The kind of the arguments: arrays/Tensors or numbers/Values (never both)."""
    if not any(map(_is_array, args)):
        return _SCALARS
    for i, a in enumerate(args):
        if isinstance(a, Value):
            raise TypeError(f"{where}: argument {i} is a Value, the others are arrays or Tensors; "
                            "use one kind (Values and Tensors live in separate graphs)")
    return _tensor_kind()


def _leaves(kind: Any, args: Sequence[Any], where: str) -> Tuple[List[Any], bool]:
    if not args:
        raise TypeError(f"{where}: f needs at least one argument")
    pairs = [kind.leaf(a, i, where) for i, a in enumerate(args)]
    return [p[0] for p in pairs], any(p[1] for p in pairs)


def _argnums(argnums: Argnums, n: int, where: str) -> Tuple[Tuple[int, ...], bool]:
    many = not _checks.is_int(argnums)
    if many and (not isinstance(argnums, (tuple, list)) or not argnums):
        raise TypeError(f"{where}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    which = []
    given: Sequence[Any] = argnums if many else (argnums,)  # type: ignore[assignment]
    for k in given:
        if not _checks.is_int(k):
            raise TypeError(f"{where}: argnums must be ints, got {type(k).__name__}: {k!r}")
        if not -n <= k < n:
            raise ValueError(f"{where}: argnums {k} is out of range: f was given {n} argument"
                             f"{'' if n == 1 else 's'} (allowed: {-n} to {n - 1})")
        which.append(int(k) % n)
    return tuple(which), many


def _primals(primals: Any, where: str) -> Tuple[Any, ...]:
    if not isinstance(primals, (list, tuple)):  # PyTorch takes a bare tensor; we ask for (x,)
        raise TypeError(f"{where}: primals must be a tuple with one entry per argument of f, e.g. "
                        f"{where}(f, (x,), (v,)); got {type(primals).__name__}")
    return tuple(primals)


def _tangents(kind: Any, tangents: Any, xs: List[Any], where: str) -> List[Any]:
    if not isinstance(tangents, (list, tuple)) or len(tangents) != len(xs):
        what = "numbers" if kind is _SCALARS else "arrays"
        raise ValueError(f"{where}: tangents must be a sequence of {len(xs)} {what} (one per primal), "
                         f"got {tangents!r}")
    return [kind.tangent(t, x, i, where) for i, (t, x) in enumerate(zip(tangents, xs))]


def _outputs(kind: Any, out: Any, where: str) -> Tuple[List[Any], bool]:
    many = isinstance(out, (list, tuple))
    outs = [kind.output(o, where) for o in (out if many else [out])]
    return outs, many


_local = threading.local()


@contextmanager
def _evaluating() -> Iterator[None]:
    """Grad mode on for ``f`` and what follows, and a record of the arguments whose derivatives
    calls nested in ``f`` found constant (their result then rightly does not reach them)."""
    stack = _local.__dict__.setdefault("constant", [])
    stack.append(set())
    try:
        with _engine.enable_grad():
            yield
    finally:
        stack.pop()


def _constant_for(*nodes: Any) -> None:
    """A derivative with respect to ``nodes`` came out constant: the enclosing calls' ``f`` is
    then truly flat in them (not cut), so they do not warn."""
    for seen in getattr(_local, "constant", ()):
        seen.update(map(id, nodes))


def _warn_unused(outs: List[Any], xs: List[Any], which: Sequence[int], where: str) -> None:
    """Warn for each differentiated argument no output reaches through the graph."""
    stack = getattr(_local, "constant", [])
    reached: set = set(stack[-1]) if stack else set()
    for o in outs:
        reached |= _reached(o)
    for i in which:
        if id(xs[i]) not in reached:
            warnings.warn(
                f"{where}: f's result does not depend on argument {i} through the graph, so its "
                "derivative is 0; if that is unexpected, the graph was cut (.data, detach(), no_grad, "
                "a numpy call) -- use the node's own operations", DisconnectedInputWarning,
                stacklevel=4)  # the line that called grad(f)(...)


def _note_flat(results: List[Any], wrt: List[Any]) -> None:
    """Derivatives that reach none of ``wrt`` are flat in them (see :func:`_constant_for`)."""
    reached: set = set()
    for r in results:
        if _engine.is_node(r):
            reached |= _reached(r)
    _constant_for(*(w for w in wrt if id(w) not in reached))


def _reached(node: Any) -> set:
    """The ids of every node ``node`` depends on, itself included."""
    order, leaves = _engine._walk(node)
    return {id(node), *map(id, order), *map(id, leaves)}


def _gradients(kind: Any, out: Any, xs: List[Any], as_node: bool, k: int = 0) -> List[Any]:
    gs = _engine.gradients(out, xs, kind.seed(out, k), create_graph=as_node)
    if as_node:
        _note_flat(gs, xs)
    return kind.own([kind.result(g, x, as_node) for g, x in zip(gs, xs)])


# --------------------------------------------------------------------------- reverse mode
def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Tuple[Any, Any]]:
    """``(f(*args), ∂f/∂args[argnums])``; a tuple of gradients when ``argnums`` is a tuple.

    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (12.0, (4.0, 3.0))

    Keywords go to ``f`` unchanged (not differentiated); an argument that is a tuple or list
    gets a gradient of the same structure (:mod:`autograd_lite.arguments`).
    """
    return lambda *args, **kwargs: _structured(f, argnums, args, kwargs)


def _structured(f: Callable[..., Any], argnums: Argnums, args: Tuple[Any, ...], kwargs: Any) -> Any:
    if kwargs or any(isinstance(a, (tuple, list)) for a in args):
        return _arguments.call(f, argnums, args, kwargs, False, "grad", _value_and_grad, _argnums)
    return _value_and_grad(f, argnums, args, True)


def grad_and_aux(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Tuple[Any, Any]]:
    """For ``f`` returning ``(value, aux)``: ``(∂value/∂args[argnums], aux)`` (aux passed through
    as ``f`` returned it; HIPS autograd's grad_and_aux, JAX's ``has_aux``)."""
    def wrapped(*args: Any, **kwargs: Any) -> Tuple[Any, Any]:
        _, g, extra = _arguments.call(f, argnums, args, kwargs, True, "grad_and_aux", _value_and_grad,
                                      _argnums)
        return g, extra

    return wrapped


def _value_and_grad(f: Callable[..., Any], argnums: Argnums, args: Tuple[Any, ...], warn: bool) -> Any:
    kind = _kind(args, "grad")
    xs, nodes = _leaves(kind, args, "grad")
    which, many = _argnums(argnums, len(xs), "grad")
    with _evaluating():
        out = kind.scalar(f(*xs), "grad")
        if warn:
            _warn_unused([out], xs, which, "grad")
        gs = _gradients(kind, out, [xs[i] for i in which], nodes)
    return kind.value(out, nodes), (tuple(gs) if many else gs[0])


def grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function: ``grad(f)(x) = f'(x)``.

    Numbers in give numbers; ``Value`` s in give a ``Value`` connected to their graph, so
    ``grad(grad(f))`` is the second derivative (double backprop).  Keywords and tuple
    arguments as for :func:`value_and_grad`.
    """
    return lambda *args, **kwargs: _structured(f, argnums, args, kwargs)[1]


def _jacobian_of(kind: Any, outs: List[Any], xs: List[Any], nodes: bool) -> List[List[Any]]:
    """J[o][i] (of shape outs[o].shape + xs[i].shape): one reverse sweep per output element."""
    table = []
    for o in outs:
        rows = [_gradients(kind, o, xs, nodes, k) for k in range(kind.size(o))]
        table.append([kind.block([r[i] for r in rows], o, x, nodes) for i, x in enumerate(xs)])
    return table


def jacobian(f: Callable[..., Any]) -> Callable[..., Any]:
    """``J[i][j] = ∂f_i/∂x_j`` by reverse mode (one sweep per output element).

    >>> jacobian(lambda x, y: (x * y, x + y))(2.0, 3.0)
    [[3.0, 2.0], [1.0, 1.0]]
    """
    def wrapped(*args: Any) -> Any:
        kind = _kind(args, "jacobian")
        xs, nodes = _leaves(kind, args, "jacobian")
        with _evaluating():
            outs, many = _outputs(kind, f(*xs), "jacobian")
            _warn_unused(outs, xs, range(len(xs)), "jacobian")
            return kind.table(_jacobian_of(kind, outs, xs, nodes), many, len(xs) > 1)

    return wrapped


def hessian(f: Callable[..., Any]) -> Callable[..., Any]:
    """``H[i][j] = ∂²f/∂x_i∂x_j`` by double backprop: the gradient is built as a graph, then
    each of its entries is differentiated again.

    >>> hessian(lambda x, y: x * x * y)(2.0, 3.0)
    [[6.0, 4.0], [4.0, 0.0]]
    """
    return lambda *args: _hessian(f, args, True)


def _hessian(f: Callable[..., Any], args: Tuple[Any, ...], warn: bool) -> Any:
    kind = _kind(args, "hessian")
    xs, nodes = _leaves(kind, args, "hessian")
    with _evaluating():
        out = kind.scalar(f(*xs), "hessian")
        if warn:
            _warn_unused([out], xs, range(len(xs)), "hessian")
        first = _gradients(kind, out, xs, True)
        return kind.table(_jacobian_of(kind, first, xs, nodes), len(xs) > 1, len(xs) > 1)


def hvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, List[Any]]:
    """``(f(primals), H·tangents)`` without forming H (PyTorch's ``autograd.functional.hvp``):
    the gradient as a graph, dotted with the tangents, differentiated once more.

    >>> hvp(lambda x, y: x * x * y, (2.0, 3.0), (1.0, 0.0))
    (12.0, [6.0, 4.0])
    """
    args = _primals(primals, "hvp")
    kind = _kind(args, "hvp")
    xs, nodes = _leaves(kind, args, "hvp")
    vs = _tangents(kind, tangents, xs, "hvp")
    nodes = nodes or any(_engine.is_node(v) for v in vs)
    with _evaluating():
        out = kind.scalar(f(*xs), "hvp")
        _warn_unused([out], xs, range(len(xs)), "hvp")
        dot = _pairing(kind, _engine.gradients(out, xs, kind.seed(out), create_graph=True), vs)
        if dot is None:  # f is linear: its Hessian is 0
            _constant_for(*xs)
            hv = [kind.zero(x, nodes) for x in xs]
        else:
            hv = _gradients(kind, dot, xs, nodes)
    return kind.value(out, nodes), hv


def _pairing(kind: Any, gs: List[Any], vs: List[Any]) -> Any:
    """Σ <g, v> over the gradients that are graph nodes (None if there are none)."""
    total = None
    for g, v in zip(gs, vs):
        if _engine.is_node(g):
            term = kind.dot(g, v)
            total = term if total is None else total + term
    return total


# --------------------------------------------------------------------------- forward mode
def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, Any]:
    """``(f(primals), J·tangents)``, by transposing reverse mode (see the module notes); a
    tangent that is a node stays in the graph (``V.grad`` after ``t.sum().backward()``).

    >>> jvp(lambda x, y: x * y + x.sin(), (0.0, 2.0), (1.0, 0.0))   # ∂/∂x at (0, 2): y + cos x
    (0.0, 3.0)
    """
    return _jvp(f, _primals(primals, "jvp"), tangents, True)


def _jvp(f: Callable[..., Any], args: Tuple[Any, ...], tangents: Sequence[Any],
         warn: bool) -> Tuple[Any, Any]:
    kind = _kind(args, "jvp")
    xs, nodes = _leaves(kind, args, "jvp")
    vs = _tangents(kind, tangents, xs, "jvp")
    nodes = nodes or any(_engine.is_node(v) for v in vs)
    with _evaluating():
        outs, many = _outputs(kind, f(*xs), "jvp")
        if warn:
            _warn_unused(outs, xs, range(len(xs)), "jvp")
        us = [kind.stand_in(o) for o in outs]
        pairing = None  # Σ <out, u>: its gradient in x is J^T u, linear in u
        for o, u in zip(outs, us):
            term = kind.dot(o, u)
            pairing = term if pairing is None else pairing + term
        dot = _pairing(kind, _engine.gradients(pairing, xs, kind.seed(pairing), create_graph=True), vs)
        if dot is None:  # no output depends on the arguments: J·v is 0, flat in them
            _constant_for(*xs, *vs)
            jv = [kind.zero(u, nodes) for u in us]
        else:
            jv = _gradients(kind, dot, us, nodes)
            if nodes:
                _note_flat(jv, xs + [v for v in vs if _engine.is_node(v)])
    values = [kind.value(o, nodes) for o in outs]
    return (values, jv) if many else (values[0], jv[0])


def jacfwd(f: Callable[..., Any]) -> Callable[..., Any]:
    """The Jacobian by forward mode: one jvp per input element (column by column).

    >>> jacfwd(lambda x, y: (x * y, x + y))(2.0, 3.0)
    [[3.0, 2.0], [1.0, 1.0]]
    """
    def wrapped(*args: Any) -> Any:
        kind = _kind(args, "jacfwd")
        xs, nodes = _leaves(kind, args, "jacfwd")
        with _evaluating():
            outs, many = _outputs(kind, f(*xs), "jacfwd")  # their shapes, even for an empty input
            _warn_unused(outs, xs, range(len(xs)), "jacfwd")
        columns = [[_jvp(f, args, [e if j == i else kind.zero(y, False) for j, y in enumerate(xs)], False)[1]
                    for e in kind.basis(x)] for i, x in enumerate(xs)]  # [input][element] -> tangents
        table = [[kind.column([c[k] if many else c for c in columns[i]], o, x, nodes)
                  for i, x in enumerate(xs)] for k, o in enumerate(outs)]
        return kind.table(table, many, len(xs) > 1)

    return wrapped
