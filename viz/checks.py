"""gradcheck on the leaves of a Tensor graph, for ``draw(check=True)``.

The graph is re-run as a function of its leaves that need a gradient (each op replayed
from its ``op`` name and what the op saved), :func:`autograd_lite.gradcheck_report`
supplies the float64 central differences, and the analytic gradient is what *this*
graph's recorded backward rules give (an ``explain`` replay, grads untouched).  So a
wrong backward rule shows as a red leaf, as it does for Value graphs.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import numpy as np

from autograd_lite.explain import explain, graph_nodes

__all__ = ["tensor_checks", "CHECK_ATOL", "CHECK_RTOL", "MAX_CHECK_ELEMENTS"]

CHECK_ATOL = 1e-5  # the same tolerance rule as gradcheck (and draw's Value check)
CHECK_RTOL = 1e-3
MAX_CHECK_ELEMENTS = 5000  # central differences cost two forward passes per element


def tensor_checks(root: Any, leaves: List[Any]) -> Dict[Any, Any]:
    """{leaf: LeafCheck} for every leaf that requires a grad; the worst element of each is shown."""
    from autograd_lite.gradcheck import gradcheck_report

    from .draw import LeafCheck

    if root.data.size != 1:
        raise ValueError(f"draw(check=True): gradcheck needs a scalar root, got shape {root.data.shape}")
    wanted = [leaf for leaf in leaves if getattr(leaf, "requires_grad", False)]
    if not wanted:
        return {}
    size = sum(leaf.data.size for leaf in wanted)
    if size > MAX_CHECK_ELEMENTS:
        raise ValueError(f"draw(check=True): the leaves have {size} elements to check by central "
                         f"differences, "
                         f"more than {MAX_CHECK_ELEMENTS}; check a smaller graph, or call "
                         "autograd_lite.gradcheck on a few inputs")
    f = _as_function(root, graph_nodes(root), wanted)
    records = gradcheck_report(f, *wanted, atol=CHECK_ATOL, rtol=CHECK_RTOL)
    replay = explain(root, replay=True)
    out = {}
    for leaf, r in zip(wanted, records):
        analytic = np.asarray(replay.grad_of(leaf), dtype=np.float64).reshape(leaf.data.shape)
        numeric = np.asarray(r.numeric_grad, dtype=np.float64)
        err = np.abs(analytic - numeric) - (CHECK_ATOL + CHECK_RTOL * np.abs(numeric))
        worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
        ok = bool(r.ok and np.all(err <= 0))
        out[leaf] = LeafCheck(float(analytic[worst]), float(numeric[worst]), ok)
    return out


def _as_function(root: Any, nodes: List[Any], leaves: List[Any]) -> Callable[..., Any]:
    def f(*args: Any) -> Any:
        env: Dict[Any, Any] = dict(zip(leaves, args))
        for n in nodes:
            if n in env:
                continue
            if n._a is None:  # a constant leaf: its data as it is
                env[n] = n
                continue
            env[n] = replay(n, [env[p] for p in n.parents])
        return env[root]

    return f


def replay(n: Any, ps: List[Any]) -> Any:
    """Node ``n``'s op applied again to ``ps`` (Tensors), with the options the op recorded."""
    op, saved, shape = n.op, n._saved, n.data.shape
    binary: Dict[str, Callable[[Any, Any], Any]] = {
        "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
        "/": lambda a, b: a / b, "**": lambda a, b: a**b, "@": lambda a, b: a @ b}
    if op in binary and len(ps) == 2:
        return binary[op](*ps)
    (a,) = ps if len(ps) == 1 else (None,)
    if a is None:
        raise ValueError(f"draw(check=True): cannot replay op {op!r} with {len(ps)} inputs for gradcheck")
    if op.startswith("**"):
        return a ** float(op[2:])
    if op == "neg":
        return -a
    if op in ("abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu"):
        return getattr(a, op)()
    if op in ("sum", "mean", "max", "min"):
        return getattr(a, op)(axis=saved[0]).reshape(shape)
    if op == "var":
        return a.var(axis=saved[0], ddof=saved[3]).reshape(shape)
    if op == "reshape":
        return a.reshape(shape)
    if op == "transpose":
        return a.transpose(tuple(int(k) for k in np.argsort(saved)))
    if op == "getitem":
        return a[saved[0]]
    if op == "clip":
        return a.clip(*saved)
    raise ValueError(f"draw(check=True): cannot replay op {op!r} for gradcheck; "
                     "call autograd_lite.gradcheck(f, *inputs) on the function that builds the graph")
