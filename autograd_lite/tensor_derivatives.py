"""The functional derivatives of :mod:`autograd_lite.derivatives` for functions of Tensors.

``grad``, ``value_and_grad``, ``jacobian``, ``hessian``, ``hvp``, ``jvp``, ``jacfwd`` and
``gradgradcheck`` call these when an argument is a ``Tensor`` or an ndarray.  Arrays in give
arrays out; Tensors in give Tensors connected to their graph, so derivatives compose:

>>> import numpy as np
>>> from autograd_lite import grad, hessian
>>> f = lambda x: (x ** 3).sum()
>>> grad(f)(np.array([1.0, 2.0]))                 # 3x²
array([ 3., 12.])
>>> hessian(f)(np.array([1.0, 2.0]))              # diag(6x)
array([[ 6.,  0.],
       [ 0., 12.]])

Reverse mode runs the engine with ``create_graph=True`` where a result must stay
differentiable.  Forward mode (``jvp``, ``jacfwd``) for Tensors is the *transpose* of
reverse mode, from the same rules: with ``u`` a stand-in for the output's cotangent,
``J^T u`` is built as a graph (linear in ``u``) and differentiated with respect to ``u``
along the tangents, which gives ``J·v`` (the "double vjp" trick; PyTorch's
``autograd.functional.jvp`` computes it the same way).
"""

from __future__ import annotations

from typing import Any, Callable, List, Sequence, Tuple

import numpy as np

from . import engine as _engine
from .format import fmt
from .tensor import Tensor

MAX_CHECK_ELEMENTS = 400  # gradgradcheck: central differences cost 2 gradients per element


def is_tensor_call(args: Sequence[Any]) -> bool:
    """True if the arguments are arrays or Tensors (the Tensor functional path)."""
    return any(isinstance(a, (Tensor, np.ndarray)) for a in args)


def inputs(args: Sequence[Any], where: str) -> Tuple[List[Tensor], bool]:
    """Leaves to differentiate at: Tensors that want gradients as given, anything else a new leaf."""
    if not args:
        raise TypeError(f"{where}: f needs at least one argument")
    nodes = False
    out = []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            nodes = True
            out.append(a if a.requires_grad else Tensor(a.data, requires_grad=True, label=a.label))
            continue
        if type(a).__name__ == "Value":
            raise TypeError(f"{where}: argument {i} is a Value, the others are arrays or Tensors; "
                            "use one kind (Values and Tensors live in separate graphs)")
        try:
            out.append(Tensor(a, requires_grad=True))  # arrays keep their float dtype; numbers: float64
        except TypeError as e:
            raise TypeError(f"{where}: argument {i}: {e}") from None
    return out, nodes


def _outputs(out: Any, where: str) -> Tuple[List[Tensor], bool]:
    many = isinstance(out, (list, tuple))
    outs = list(out) if many else [out]
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"{where}: f must return a Tensor (or a tuple of Tensors), "
                            f"got {type(o).__name__}")
    return outs, many


def _scalar(out: Any, where: str) -> Tensor:
    if not isinstance(out, Tensor):
        raise TypeError(f"{where}: f must return a one-element Tensor, got {type(out).__name__}")
    if out.data.size != 1:
        raise ValueError(f"{where}: f must return one number, got a Tensor of shape {out.data.shape}; "
                         "reduce it first (e.g. with .sum())")
    return out


def gradients(out: Tensor, xs: List[Tensor], seed: Any, create_graph: bool) -> List[Any]:
    """d out / d x for each x (zeros where out does not depend on x), grads left as they were."""
    if not out.requires_grad:
        gs: List[Any] = [None] * len(xs)
    else:
        gs = _engine.gradients(out, xs, np.asarray(seed, out.data.dtype), create_graph=create_graph)
    return [np.zeros(x.data.shape, x.data.dtype) if g is None else g for g, x in zip(gs, xs)]


def _plain(g: Any, as_node: bool) -> Any:
    if as_node:
        return g if isinstance(g, Tensor) else Tensor(g)
    return g.data if isinstance(g, Tensor) else g


def value_and_grad(f: Callable[..., Any], which: Tuple[int, ...], many: bool, args: Tuple[Any, ...]) -> Any:
    xs, nodes = inputs(args, "grad")
    out = _scalar(f(*xs), "grad")
    gs = gradients(out, [xs[i] for i in which], np.ones(out.data.shape), nodes)
    gs = [_plain(g, nodes) for g in gs]
    return (out if nodes else out.data), (tuple(gs) if many else gs[0])


def _stack(rows: List[Any], shape: Tuple[int, ...], as_node: bool) -> Any:
    """Gradient rows (one per output element) as one array/Tensor of ``shape``."""
    if as_node:
        from .functional import stack
        return stack([_plain(r, True) for r in rows]).reshape(shape)
    return np.stack([np.asarray(_plain(r, False)) for r in rows]).reshape(shape)


def _jacobian_of(outs: List[Tensor], xs: List[Tensor], nodes: bool) -> List[List[Any]]:
    """J[o][i] of shape outs[o].shape + xs[i].shape, one reverse sweep per output element."""
    table = []
    for o in outs:
        rows = []
        for k in range(o.data.size):
            seed = np.zeros(o.data.size)
            seed[k] = 1.0
            rows.append(gradients(o, xs, seed.reshape(o.data.shape), nodes))
        table.append([_stack([r[i] for r in rows], o.data.shape + x.data.shape, nodes) if rows
                      else _empty(o, x, nodes) for i, x in enumerate(xs)])
    return table


def _empty(o: Tensor, x: Tensor, nodes: bool) -> Any:
    z = np.zeros(o.data.shape + x.data.shape)
    return Tensor(z) if nodes else z


def _shaped(table: List[List[Any]], many_out: bool, many_in: bool) -> Any:
    rows = [tuple(r) if many_in else r[0] for r in table]
    return tuple(rows) if many_out else rows[0]


def jacobian(f: Callable[..., Any], args: Tuple[Any, ...]) -> Any:
    xs, nodes = inputs(args, "jacobian")
    outs, many = _outputs(f(*xs), "jacobian")
    return _shaped(_jacobian_of(outs, xs, nodes), many, len(xs) > 1)


def hessian(f: Callable[..., Any], args: Tuple[Any, ...]) -> Any:
    xs, nodes = inputs(args, "hessian")
    out = _scalar(f(*xs), "hessian")
    first = [_plain(g, True) for g in gradients(out, xs, np.ones(out.data.shape), True)]
    return _shaped(_jacobian_of(first, xs, nodes), len(xs) > 1, len(xs) > 1)


def _tangents(tangents: Sequence[Any], xs: List[Tensor], where: str) -> List[np.ndarray]:
    if not isinstance(tangents, (list, tuple)) or len(tangents) != len(xs):
        raise ValueError(f"{where}: tangents must be a sequence of {len(xs)} arrays (one per primal)")
    ts = []
    for i, (t, x) in enumerate(zip(tangents, xs)):
        arr = np.asarray(t.data if isinstance(t, Tensor) else t, dtype=x.data.dtype)
        if arr.shape != x.data.shape:
            raise ValueError(f"{where}: tangent {i} has shape {arr.shape}, its primal {x.data.shape}")
        ts.append(arr)
    return ts


def hvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, List[Any]]:
    xs, nodes = inputs(tuple(primals), "hvp")
    vs = _tangents(tangents, xs, "hvp")
    out = _scalar(f(*xs), "hvp")
    first = gradients(out, xs, np.ones(out.data.shape), True)
    dot: Any = None
    for g, v in zip(first, vs):
        if isinstance(g, Tensor) and g.requires_grad:
            term = (g * Tensor(v)).sum()
            dot = term if dot is None else dot + term
    if dot is None:  # f is linear: its Hessian is 0
        hv = [np.zeros(x.data.shape, x.data.dtype) for x in xs]
    else:
        hv = gradients(dot, xs, np.ones(()), nodes)
    return (out if nodes else out.data), [_plain(h, nodes) for h in hv]


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, Any]:
    xs, nodes = inputs(tuple(primals), "jvp")
    vs = _tangents(tangents, xs, "jvp")
    outs, many = _outputs(f(*xs), "jvp")
    us = [Tensor(np.zeros(o.data.shape, o.data.dtype), requires_grad=True) for o in outs]
    pairing: Any = None  # Σ <out, u>: its gradient in x is J^T u, linear in u
    for o, u in zip(outs, us):
        if o.requires_grad:
            term = (o * u).sum()
            pairing = term if pairing is None else pairing + term
    jv: List[Any]
    if pairing is None:
        jv = [np.zeros(o.data.shape, o.data.dtype) for o in outs]
    else:
        vjps = gradients(pairing, xs, np.ones(()), True)
        dot: Any = None
        for g, v in zip(vjps, vs):
            if isinstance(g, Tensor) and g.requires_grad:
                term = (g * Tensor(v)).sum()
                dot = term if dot is None else dot + term
        jv = gradients(dot, us, np.ones(()), nodes) if dot is not None else \
            [np.zeros(o.data.shape, o.data.dtype) for o in outs]
    values = [o if nodes else o.data for o in outs]
    tangent_out = [_plain(t, nodes) for t in jv]
    return (values, tangent_out) if many else (values[0], tangent_out[0])


def jacfwd(f: Callable[..., Any], args: Tuple[Any, ...]) -> Any:
    """The Jacobian column by column: one jvp per input element."""
    xs, _ = inputs(args, "jacfwd")
    base = [x.data for x in xs]
    columns: List[List[List[Any]]] = []  # [input][element] -> outputs' tangents
    many = False
    for i, x in enumerate(xs):
        per_element = []
        for k in range(x.data.size):
            vs = [np.zeros(b.shape, b.dtype) for b in base]
            vs[i].reshape(-1)[k] = 1.0
            _, t = jvp(f, list(base), vs)
            many = isinstance(t, list)
            per_element.append(t if many else [t])
        columns.append(per_element)
    n_out = len(columns[0][0]) if columns and columns[0] else 1
    table = []
    for o in range(n_out):
        row = []
        for i, x in enumerate(xs):
            cols: List[np.ndarray] = [np.asarray(c[o]) for c in columns[i]]
            o_shape: Tuple[int, ...] = tuple(cols[0].shape) if cols else ()
            j = np.stack(cols, axis=-1) if cols else np.zeros(o_shape + (0,))
            row.append(j.reshape(o_shape + x.data.shape))
        table.append(row)
    return _shaped(table, many, len(xs) > 1)


def gradgradcheck(f: Callable[..., Any], args: Tuple[Any, ...], eps: float, atol: float, rtol: float) -> bool:
    """The Hessian by double backprop against central differences of the analytic gradient."""
    from .gradcheck import GradcheckError

    x0 = [np.array(a.data if isinstance(a, Tensor) else a, dtype=np.float64) for a in args]
    total = sum(x.size for x in x0)
    if total > MAX_CHECK_ELEMENTS:
        raise ValueError(f"gradgradcheck: the inputs have {total} elements, more than {MAX_CHECK_ELEMENTS} "
                         "to differentiate twice by central differences; check smaller inputs")
    n = len(x0)
    h = hessian(f, tuple(x0))
    table = [[h]] if n == 1 else [list(r) for r in h]

    def first(xs: List[np.ndarray]) -> List[np.ndarray]:
        ts, _ = inputs(tuple(xs), "gradgradcheck")
        out = _scalar(f(*ts), "gradgradcheck")
        return [np.asarray(g, np.float64) for g in gradients(out, ts, np.ones(out.data.shape), False)]

    problems = []
    for j, xj in enumerate(x0):
        for k in np.ndindex(*xj.shape):
            up, down = [x.copy() for x in x0], [x.copy() for x in x0]
            up[j][k] += eps
            down[j][k] -= eps
            gu, gd = first(up), first(down)
            for i in range(n):
                numeric = (gu[i] - gd[i]) / (2 * eps)
                analytic = np.asarray(table[i][j])[(Ellipsis,) + k]
                bad = np.abs(analytic - numeric) > atol + rtol * np.abs(numeric)
                if bad.any():
                    m = tuple(int(v) for v in np.argwhere(bad)[0])
                    problems.append(f"∂²f/∂x{i}{list(m)}∂x{j}{list(k)}: analytic {fmt(float(analytic[m]))}, "
                                    f"numeric {fmt(float(numeric[m]))}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise GradcheckError("gradgradcheck: second derivatives disagree: " + "; ".join(problems[:5]) + more,
                             [])
    return True
