"""``draw(check=True)``: gradcheck on every leaf of a Value graph, replayed from its ``op`` strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List

from autograd_lite.explain import explain, graph_nodes

CHECK_ATOL = 1e-5
CHECK_RTOL = 1e-3


@dataclass(frozen=True)
class LeafCheck:
    """``analytic``: the leaf's grad from this graph's own local derivatives (a fresh pass);
    ``numeric``: float64 central differences of the forward computation (gradcheck)."""

    analytic: float
    numeric: float
    ok: bool


def check_records(root: Any, leaves: List[Any]) -> Dict[Any, LeafCheck]:
    """gradcheck on every leaf: the graph is re-run as a function of its leaves.

    gradcheck supplies the numeric gradient; the analytic one is what *this* graph's
    recorded local derivatives give (an explain replay, seed 1, grads untouched), so a
    wrong local derivative on the picture shows up as a red mismatch.  Same tolerance
    rule as gradcheck: ``|analytic - numeric| <= atol + rtol |numeric|``.
    """
    from autograd_lite.gradcheck import gradcheck_report

    nodes = graph_nodes(root)
    f = _as_function(root, nodes, leaves)
    records = gradcheck_report(f, *leaves, atol=CHECK_ATOL, rtol=CHECK_RTOL)
    replay = explain(root, replay=True)
    out = {}
    for leaf, r in zip(leaves, records):
        a = float(replay.grad_of(leaf))
        ok = r.ok and abs(a - r.numeric) <= CHECK_ATOL + CHECK_RTOL * abs(r.numeric)
        out[leaf] = LeafCheck(a, float(r.numeric), ok)
    return out


def _as_function(root: Any, nodes: List[Any], leaves: List[Any]) -> Callable[..., Any]:
    """The graph as a Python function of its leaves, replaying each op by its ``op`` string."""

    def f(*args: Any) -> Any:
        env: Dict[Any, Any] = dict(zip(leaves, args))
        for n in nodes:
            if n in env:
                continue
            ps = [env[p] for p in n.parents]
            env[n] = _apply(n.op, ps)
        return env[root]

    return f


def _apply(op: str, ps: List[Any]) -> Any:
    if len(ps) == 2:
        a, b = ps
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        if op == "**":
            return a**b
    if len(ps) == 1:
        (a,) = ps
        if op == "neg":
            return -a
        if op.startswith("**"):
            return a ** float(op[2:])
        method = getattr(a, op, None)
        if callable(method):
            return method()
    raise ValueError(f"draw(check=True): cannot replay op {op!r} with {len(ps)} inputs for gradcheck")
