"""``draw(check=True)``: gradcheck on every leaf, the graph replayed as a function of its leaves.

Every node is replayed by its op's row in the table (``row.again(node, parents)``: the op applied
to new parents with the options the node recorded), for Value and Tensor graphs alike.
:func:`autograd_lite.gradcheck_report` supplies the float64 central
differences; the analytic gradient is what *this* graph's recorded local derivatives (or
backward rules) give, through an ``explain`` replay with every grad untouched, so a wrong
rule shows as a red leaf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List

import numpy as np

from autograd_lite.explain import explain
from autograd_lite.reading import graph_nodes, op_row

CHECK_ATOL = 1e-5
CHECK_RTOL = 1e-3


@dataclass(frozen=True)
class LeafCheck:
    """``analytic``: the leaf's grad from this graph's own local derivatives (a fresh pass);
    ``numeric``: float64 central differences of the forward computation (gradcheck)."""

    analytic: float
    numeric: float
    ok: bool


def check_records(root: Any, leaves: List[Any], seed: Any = None, where: str = "draw(check=True)"
                  ) -> Dict[Any, LeafCheck]:
    """gradcheck on every leaf: the graph is re-run as a function of its leaves.

    gradcheck supplies the numeric gradient; the analytic one is what *this* graph's
    recorded local derivatives give (an explain replay, grads untouched), so a
    wrong local derivative on the picture shows up as a red mismatch.  Both are for the
    ``seed`` the picture's pass used (``None``: 1): after ``y.backward(2.0)`` a box shows
    ``2·dy/dx``, and so do its analytic and numeric rows.  Same tolerance rule as
    gradcheck: ``|analytic - numeric| <= atol + rtol |numeric|``.
    """
    from autograd_lite.gradcheck import gradcheck_report

    nodes = graph_nodes(root)
    f = _as_function(root, nodes, leaves, _replayer(where))
    records = gradcheck_report(f, *leaves, atol=CHECK_ATOL, rtol=CHECK_RTOL)
    replay = explain(root, seed, replay=True)
    scale = _scale(replay.seed)
    out = {}
    for leaf, r in zip(leaves, records):
        a = float(replay.grad_of(leaf))
        numeric = scale * float(r.numeric)
        ok = r.ok and abs(a - numeric) <= CHECK_ATOL + CHECK_RTOL * abs(numeric)
        out[leaf] = LeafCheck(a, numeric, ok)
    return out


def _scale(seed: Any) -> float:
    """The seed of a scalar root as one float (central differences are of ``seed · root``)."""
    return float(np.asarray(seed, dtype=np.float64).reshape(-1)[0])


def _as_function(root: Any, nodes: List[Any], leaves: List[Any],
                 apply: Callable[[Any, List[Any]], Any]) -> Callable[..., Any]:
    """The graph as a Python function of ``leaves``: every other node is ``apply(node, inputs)``
    (a leaf not among ``leaves`` is a constant: itself)."""

    def f(*args: Any) -> Any:
        env: Dict[Any, Any] = dict(zip(leaves, args))
        for n in nodes:
            if n not in env:
                env[n] = n if n.is_leaf else apply(n, [env[p] for p in n.parents])
        return env[root]

    return f


# --------------------------------------------------------------------------- Tensor graphs
MAX_CHECK_ELEMENTS = 5000  # central differences cost two forward passes per element


def tensor_checks(root: Any, leaves: List[Any], seed: Any = None, where: str = "draw(check=True)"
                  ) -> Dict[Any, Any]:
    """{leaf: LeafCheck} for every leaf that requires a grad; the worst element of each is shown
    (for the ``seed`` the picture's pass used, as :func:`check_records`)."""
    from autograd_lite.gradcheck import gradcheck_report

    if root.data.size != 1:
        raise ValueError(f"{where}: gradcheck needs a scalar root, got shape {root.data.shape}")
    wanted = [leaf for leaf in leaves if getattr(leaf, "requires_grad", False)]
    if not wanted:
        return {}
    size = sum(leaf.data.size for leaf in wanted)
    if size > MAX_CHECK_ELEMENTS:
        raise ValueError(f"{where}: the leaves have {size} elements to check by central "
                         f"differences, "
                         f"more than {MAX_CHECK_ELEMENTS}; check a smaller graph, or call "
                         "autograd_lite.gradcheck on a few inputs")
    f = _as_function(root, graph_nodes(root), wanted, _replayer(where))
    records = gradcheck_report(f, *wanted, atol=CHECK_ATOL, rtol=CHECK_RTOL)
    replayed = explain(root, seed, replay=True)
    scale = _scale(replayed.seed)
    out = {}
    for leaf, r in zip(wanted, records):
        analytic = np.asarray(replayed.grad_of(leaf), dtype=np.float64).reshape(leaf.data.shape)
        numeric = scale * np.asarray(r.numeric_grad, dtype=np.float64)
        err = np.abs(analytic - numeric) - (CHECK_ATOL + CHECK_RTOL * np.abs(numeric))
        worst = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
        ok = bool(r.ok and np.all(err <= 0))
        out[leaf] = LeafCheck(float(analytic[worst]), float(numeric[worst]), ok)
    return out


def again(n: Any, ps: List[Any], where: str = "draw(check=True)") -> Any:
    """Node ``n``'s op applied again to ``ps`` (Values or Tensors), by its row of the op table."""
    row = op_row(n.op)
    if row is None or row.again is None:
        raise ValueError(f"{where}: cannot replay op {n.op!r} with {len(ps)} inputs for gradcheck "
                         "(the op table has no replay for it); call autograd_lite.gradcheck(f, *inputs) "
                         "on the function that builds the graph")
    return row.again(n, ps)


def _replayer(where: str) -> Callable[[Any, List[Any]], Any]:
    return lambda n, ps: again(n, ps, where)
