"""Gradient hooks: ``node.register_hook(fn)`` (PyTorch's ``Tensor.register_hook``, for ``Value`` and
``Tensor``): ``fn(grad)`` is called with the node's gradient as the backward pass reaches it, and may
return a replacement (None keeps it).

* an intermediate node: ``fn`` sees its whole gradient (every use summed) before it is sent on to
  the parents; what it returns is the node's ``.grad`` and what the parents get;
* a leaf: ``fn`` sees this pass's gradient before it is added to ``.grad`` (what it returns is
  added), as in PyTorch;
* several hooks run in the order registered, each on the previous one's result; the
  ``RemovableHandle`` they return takes a hook off again (``handle.remove()``);
* ``backward(create_graph=True)`` hands the hook the gradient as a graph node, and what it returns
  is differentiated along; the functional API (``grad(f)``) calls the hooks of the nodes its pass
  reaches too;
* all or nothing: a hook that raises, or returns something that is not a gradient of the node's
  shape, leaves every grad as it was before the pass.

A node with a hook becomes an instance of a subclass of its class with the same layout (named as
its class), whose ``__del__`` forgets its hooks: nodes without hooks carry nothing, and a backward
pass looks for hooks only while some node that has them is alive.

>>> from autograd_lite import Value
>>> x = Value(2.0)
>>> y = x * x
>>> h = y.register_hook(lambda g: g * 10)    # scale the gradient flowing through y
>>> (y + 1).backward()
>>> y.grad, x.grad                           # dy = 10, dx = 10 * 2x
(10.0, 40.0)
>>> h.remove()
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Dict, List, Sequence

__all__ = ["RemovableHandle", "register_hook"]

#: id(node) -> the node's hooks, for live hooked nodes only (their __del__ removes the entry).
_HOOKS: Dict[int, List[Callable[[Any], Any]]] = {}
#: How many hooked nodes are alive: 0 means a backward pass need not look for hooks at all.
live = 0
_SUBCLASSES: Dict[type, type] = {}


class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook off (again: nothing)."""

    __slots__ = ("_key", "_hooks", "_fn")

    def __init__(self, key: int, hooks: List[Callable[[Any], Any]], fn: Callable[[Any], Any]) -> None:
        self._key, self._hooks, self._fn = key, hooks, fn

    def remove(self) -> None:
        global live
        hooks = self._hooks
        if self._fn in hooks:
            hooks.remove(self._fn)
            if not hooks and _HOOKS.get(self._key) is hooks:  # its last hook: passes stop looking
                del _HOOKS[self._key]
                live -= 1

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _forget(node: Any) -> None:
    global live
    if _HOOKS.pop(id(node), None) is not None:
        live -= 1


def _hooked_class(cls: type) -> type:
    sub = _SUBCLASSES.get(cls)
    if sub is None:
        def __del__(self: Any) -> None:
            try:
                _forget(self)
            except Exception:  # at interpreter exit the module's names may be gone already
                pass

        sub = type(cls.__name__, (cls,), {"__slots__": (), "__del__": __del__,
                                          "__module__": cls.__module__, "__qualname__": cls.__qualname__})
        _SUBCLASSES[cls] = sub
    return sub


def hooked(node: Any) -> bool:
    return id(node) in _HOOKS


def register_hook(node: Any, fn: Any) -> RemovableHandle:
    """Register ``fn(grad) -> grad or None`` on ``node`` (see the module notes)."""
    global live
    if not callable(fn):
        raise TypeError(f"register_hook: the hook must be a function of the gradient, got "
                        f"{type(fn).__name__}: {fn!r}")
    if getattr(node, "requires_grad", True) is False:
        raise RuntimeError("register_hook: this tensor does not require grad, so no gradient will "
                           "reach it (make it with requires_grad=True)")
    key = id(node)
    hooks = _HOOKS.get(key)
    if hooks is None:
        cls = type(node)
        if cls not in _SUBCLASSES.values():
            node.__class__ = _hooked_class(cls)
        hooks = _HOOKS[key] = []
        live += 1
    hooks.append(fn)
    return RemovableHandle(key, hooks, fn)


# --------------------------------------------------------------------------- in a backward pass
def _readonly(g: Any) -> Any:
    if type(g).__name__ == "ndarray":
        v = g.view()
        v.flags.writeable = False
        return v
    return g


def _checked(node: Any, r: Any, graph: bool) -> Any:
    """A hook's result as a gradient of ``node`` (a number for a Value, an array of the node's shape
    and dtype for a Tensor; a node of the graph stays one where the gradient is a graph)."""
    if not graph and hasattr(r, "_order"):
        r = r.data  # a first-order pass: the node's numbers (as PyTorch uses a hook's tensor)
    if hasattr(node, "requires_grad"):  # a Tensor
        import numpy as np

        if hasattr(r, "_order"):  # a node: a Tensor of the node's shape (create_graph=True)
            if not hasattr(r, "requires_grad") or r.data.shape != node.data.shape:
                raise ValueError(f"register_hook: a hook returned a {type(r).__name__} of shape "
                                 f"{np.shape(r.data)} for a tensor of shape {node.data.shape}")
            return r
        a = np.asarray(r)
        if a.dtype.kind not in "iuf" or a.shape != node.data.shape:
            raise ValueError(f"register_hook: a hook must return None or a real array of the tensor's "
                             f"shape {node.data.shape}, got {type(r).__name__} of shape {a.shape}, "
                             f"dtype {a.dtype}")
        return a.astype(node.data.dtype)  # a copy: nothing the hook keeps is ever written to
    if hasattr(r, "_order") and not hasattr(r, "requires_grad"):
        return r  # a Value: create_graph=True
    if isinstance(r, bool) or not isinstance(r, numbers.Real):
        raise TypeError(f"register_hook: a hook of a Value must return None or a number, got "
                        f"{type(r).__name__}: {r!r}")
    return float(r)


def apply(node: Any, g: Any, graph: bool) -> Any:
    """``g`` through ``node``'s hooks, in order (``graph``: a create_graph pass, where what a hook
    returns stays a node of the graph)."""
    for fn in list(_HOOKS[id(node)]):
        r = fn(_readonly(g))
        if r is not None:
            g = _checked(node, r, graph)
    return g


def sweep(root: Any, order: List[Any], leaves: Sequence[Any], graph: bool) -> None:
    """The backward sweep with hooks (the engine runs it while some hooked node is alive): runs of
    nodes without hooks go through the class's own sweep; a hooked node's grad goes through its
    hooks first; a hooked leaf collects this pass's gradient apart, then adds what its hooks return."""
    zero = root._GRAD_ZERO
    mine = list({id(x): x for x in leaves if id(x) in _HOOKS}.values())
    before = [x.grad for x in mine]
    for x in mine:
        x.grad = zero
    if graph:
        for node in order:
            if id(node) in _HOOKS and node.grad is not None:
                node.grad = apply(node, node.grad, True)
            for parent, c in node._sends(node.grad, True):
                parent.grad = parent._plus(parent.grad, c)
    else:
        start = 0
        for i, node in enumerate(order):
            if id(node) in _HOOKS:
                root._sweep(order[start:i])
                if node.grad is not None:
                    node.grad = apply(node, node.grad, False)
                start = i
        root._sweep(order[start:])
    for x, old in zip(mine, before):
        g = x.grad
        if g is None:  # nothing reached it
            x.grad = old
            continue
        g = apply(x, g, graph)
        x.grad = x._plus(old, g) if old is not None else _own(g)


def _own(g: Any) -> Any:
    return g.copy() if type(g).__name__ == "ndarray" else g


def through(node: Any, g: Any, graph: bool) -> Any:
    """For the functional API: ``g`` through ``node``'s hooks, if it has any."""
    return apply(node, g, graph) if id(node) in _HOOKS and g is not None else g
