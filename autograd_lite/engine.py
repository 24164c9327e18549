"""The graph engine shared by ``Value`` and ``Tensor``.

Three mechanisms live here and nowhere else:

* grad mode: :func:`no_grad` / :func:`is_grad_enabled` (thread-safe);
* the topological order of a graph (iterative: a million-node chain is fine);
* the backward sweep: reset intermediate grads, seed the root, then let every node
  send ``upstream x local`` to its parents, in reverse topological order.

The node protocol (what ``Value`` and ``Tensor`` provide):

* ``parents`` -- the ordered tuple of inputs; stored as slots ``_a`` (first parent,
  ``None`` for a leaf), ``_b`` (second parent or ``None``) and ``_rest`` (a tuple of
  further parents or ``None``).  Slots instead of a tuple mean one container object
  per op, which keeps Python's cyclic GC nearly idle on big scalar graphs;
* ``_order`` -- a creation counter: a node is always created after its parents, so
  sorting by it gives a topological order without a recursive walk;
* ``_GRAD_ZERO`` (what an intermediate grad is reset to), ``_check_leaf_grads(leaves, grads)``
  (refuse leaf grads that cannot be added to), ``_seed(grad)``,
  ``_sends(upstream, graph)`` -- **the one place a node's rule is called**: ``(parent,
  contribution)`` for every parent that gets one, each ``upstream x local`` already summed to
  the parent's shape, as numbers/arrays or (``graph=True``) as graph nodes -- and
  ``parent._plus(grad, contribution)`` (the parent's grad with a contribution added).
  The first-order sweep ``_sweep(order)`` is the same chain rule specialised per node class for
  speed (Value inline; Tensor through its one adding place); the ``create_graph`` sweep,
  :func:`gradients` and the readers that trace a pass go through ``_sends``.

Code that only *reads* graphs (``explain``, the pictures, the notebook display) uses the public
side of that protocol instead: the ``parents`` and ``is_leaf`` properties and the functions
:func:`is_node`, :func:`value_of`, :func:`creation_index` and :func:`contributions` below.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager
from operator import attrgetter
from typing import Any, Callable, Iterator, List, Optional, Tuple

from . import hooks as _hooks

# Creation counter: ``next(_counter)`` is one C call, cheaper than any bookkeeping.
_counter = itertools.count()
next_order = _counter.__next__

# Grad mode.  ``_threads_without_grad`` counts threads currently inside ``no_grad``;
# while it is 0 (the usual case) ops need no thread-local lookup at all.
_lock = threading.Lock()
_local = threading.local()
_threads_without_grad = 0


def is_grad_enabled() -> bool:
    """True unless the calling thread is inside :func:`no_grad`."""
    return not (_threads_without_grad and getattr(_local, "depth", 0))


@contextmanager
def no_grad() -> Iterator[None]:
    """Context manager: operations inside build no graph (results are leaves).

    Thread-safe: it only affects the thread that entered it.

    >>> from autograd_lite import Value, no_grad
    >>> a = Value(2.0)
    >>> with no_grad():
    ...     b = a * 3
    >>> b.parents
    ()
    """
    global _threads_without_grad
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + 1
    if depth == 0:
        with _lock:
            _threads_without_grad += 1
    try:
        yield
    finally:
        _local.depth = depth
        if depth == 0:
            with _lock:
                _threads_without_grad -= 1


@contextmanager
def enable_grad() -> Iterator[None]:
    """Context manager: graphs are built again inside, even within :func:`no_grad` (PyTorch's
    ``enable_grad``).  The functional API (``grad``, ``jvp`` ...) evaluates ``f`` inside it, so a
    derivative asked for inside ``no_grad()`` is computed, never silently 0.

    >>> from autograd_lite import Value, no_grad
    >>> a = Value(2.0)
    >>> with no_grad():
    ...     with enable_grad():
    ...         b = a * 3
    >>> len(b.parents)
    2
    """
    global _threads_without_grad
    depth = getattr(_local, "depth", 0)
    if depth == 0:
        yield
        return
    _local.depth = 0
    with _lock:
        _threads_without_grad -= 1
    try:
        yield
    finally:
        with _lock:
            _threads_without_grad += 1
        _local.depth = depth


def in_rule() -> bool:
    """True while the calling thread computes local derivatives as graph (``create_graph=True``,
    the functional API): a derivative may be infinite there, as a plain local derivative may
    (``sqrt`` at 0), so ops make ±inf nodes instead of refusing division by zero or overflow."""
    return getattr(_local, "rules", 0) > 0


@contextmanager
def rules_as_graph() -> Iterator[None]:
    """Context manager for running derivative rules on nodes (see :func:`in_rule`)."""
    depth = getattr(_local, "rules", 0)
    _local.rules = depth + 1
    try:
        yield
    finally:
        _local.rules = depth


_by_creation = attrgetter("_order")
_grad_of = attrgetter("grad")


def is_node(x: Any) -> bool:
    """True for a graph node (a ``Value`` or a ``Tensor``): what graph readers accept."""
    return hasattr(x, "_order") and hasattr(x, "parents")


def value_of(x: Any) -> Any:
    """The number or array behind ``x``: a node's data, anything else as it is.

    After ``backward(create_graph=True)`` every grad (and every contribution) is itself a node;
    graph readers show and compare it by its value.

    >>> from autograd_lite import Value
    >>> value_of(Value(2.5)), value_of(1.5)
    (2.5, 1.5)
    """
    return x.data if is_node(x) else x


def creation_index(node: Any) -> int:
    """When ``node`` was made: every node's index is larger than its parents' (a topological key).

    >>> from autograd_lite import Value
    >>> x = Value(1.0)
    >>> y = x * 2
    >>> creation_index(y) > creation_index(x)
    True
    """
    return node._order


def contributions(node: Any) -> List[Tuple[int, Any, Any]]:
    """``(parent index, parent, contribution)`` for each use of a parent that ``node`` sends its
    grad to, as the engine adds them (``upstream x local``; a Tensor's already summed back to the
    parent's shape).  A Tensor sends nothing to a parent that wants no gradient, so such uses are
    missing; the index is the parent's own position in ``node.parents``.

    >>> from autograd_lite import Value
    >>> a = Value(3.0)
    >>> b = a * a
    >>> b.grad = 1.0
    >>> [(i, c) for i, _, c in contributions(b)]
    [(0, 3.0), (1, 3.0)]
    """
    parents = node.parents
    out = []
    j = -1
    for parent, c in node._sends(node.grad, False):  # in parent order: find each one's position
        j += 1
        while j < len(parents) - 1 and parents[j] is not parent:
            j += 1
        out.append((j, parent, c))
    return out


def topological_order(root: Any) -> List[Any]:
    """Every non-leaf node that ``root`` depends on, ``root`` first, parents after children.

    Iterative: gathers the reachable nodes with an explicit stack, then sorts them by
    creation order (newest first), which is a valid reverse topological order because
    a node is always created after its parents.  Leaves (nodes without parents) are
    not listed: they only receive gradients.
    """
    return _walk(root)[0]


def _walk(root: Any) -> Tuple[List[Any], List[Any]]:
    """``(order, leaves)``: the order of :func:`topological_order` and, gathered in the same
    walk, the leaves that receive gradients (once per edge into them, so repeats occur)."""
    if root._a is None:
        return [], [root]
    seen = {root}
    order = [root]  # in the order found: runs the sort below finds already descending
    stack = [root]
    leaves: List[Any] = []
    pop, push, mark, found, leaf = stack.pop, stack.append, seen.add, order.append, leaves.append
    while stack:
        node = pop()
        p = node._a
        if p._a is None:
            leaf(p)
        elif p not in seen:
            mark(p)
            push(p)
            found(p)
        p = node._b
        if p is not None:
            if p._a is None:
                leaf(p)
            elif p not in seen:
                mark(p)
                push(p)
                found(p)
        if node._rest is not None:
            for p in node._rest:
                if p._a is None:
                    leaf(p)
                elif p not in seen:
                    mark(p)
                    push(p)
                    found(p)
    order.sort(key=_by_creation, reverse=True)
    return order, leaves


TraceFn = Callable[[Any, int, Any, Any, Any, Any], None]


def backward(root: Any, seed: Any, trace: Optional[TraceFn] = None,
             create_graph: bool = False) -> List[Any]:
    """Run the backward sweep from ``root`` with gradient ``seed``; return the order used.

    Leaves accumulate across calls; intermediate grads are recomputed from scratch on
    every call (reset first), so calling it twice doubles the leaf grads exactly.
    ``trace(node, i, parent, contribution, before, after)`` is called for every edge
    when given (used by :func:`autograd_lite.explain`), ``i`` the parent's position in
    ``node.parents``; it sees the very same sums.
    ``create_graph=True`` asks every node for its contributions as graph
    (``node._sends(upstream, True)``: the op table's rules applied to the parents themselves),
    so every grad is a graph node (a derivative that is a constant becomes a leaf holding it).

    All or nothing: the grad of every node in the graph is remembered first (a reference
    to the float or array, which the sweep never changes in place), and if anything
    raises during the sweep -- a vjp, a trace callback, ``KeyboardInterrupt``,
    ``MemoryError`` -- every grad is put back exactly as it was before the exception
    propagates.  ``root._check_leaf_grads(leaves, grads)`` refuses leaf grads the sweep could
    not add to correctly (e.g. a Tensor grad of the wrong shape) before anything changes.
    """
    order, leaves = _walk(root)
    if trace is not None:  # the reader sees every parent: numbers kept in nodes become leaves first
        for node in order:
            node.parents  # noqa: B018
        order, leaves = _walk(root)
    saved_leaves = list(map(_grad_of, leaves))  # the undo log, in C-level passes
    root._check_leaf_grads(leaves, saved_leaves)
    saved = list(map(_grad_of, order))
    try:
        zero = root._GRAD_ZERO
        for node in order:
            node.grad = zero
        root._seed(seed)
        if create_graph:
            if trace is not None:
                raise ValueError("backward: trace and create_graph cannot be combined")
            if _hooks.live:  # some node has a hook (autograd_lite.hooks)
                _hooks.sweep(root, order, leaves, True)
            else:
                for node in order:
                    for parent, c in node._sends(node.grad, True):
                        parent.grad = parent._plus(parent.grad, c)
            root._as_graph_grads(order + leaves)
        elif trace is None:
            if _hooks.live:
                _hooks.sweep(root, order, leaves, False)
            else:
                root._sweep(order)
        else:
            for node in order:
                for i, parent, contribution in contributions(node):
                    before = parent.grad
                    parent._accumulate(contribution)
                    trace(node, i, parent, contribution, before, parent.grad)
    except BaseException:
        # Leaves first, in reverse, so a leaf listed twice ends with its first-saved grad.
        for leaf, g in zip(reversed(leaves), reversed(saved_leaves)):
            leaf.grad = g
        for node, g in zip(order, saved):
            node.grad = g
        raise
    return order


def gradients(root: Any, inputs: List[Any], seed: Any, create_graph: bool = False) -> List[Any]:
    """d root / d input for each input (``None`` where ``root`` does not depend on it).

    The functional form of :func:`backward` (``autograd_lite.grad`` and friends use it): the
    chain rule runs on a private table of grads, so no ``.grad`` of any node is read or written
    (two threads may differentiate functions of the same captured parameters at once).
    ``create_graph=True``: the results are graph nodes (or plain constants), differentiable again.
    """
    order, _ = _walk(root)
    zero = root._GRAD_ZERO
    grads = {root: seed}
    get = grads.get
    hooked = _hooks.live  # some node has a hook: it sees (and may change) its gradient here too
    for node in order:
        g = get(node, zero)
        if g is zero:
            continue  # nothing reached this node
        if hooked:
            g = _hooks.through(node, g, create_graph)
        for parent, c in node._sends(g, create_graph):
            grads[parent] = parent._plus(get(parent, zero), c)
    if hooked:
        return [_hooks.through(x, get(x), create_graph) for x in inputs]
    return [get(x) for x in inputs]
