"""``Module``: the base class of every layer -- parameters, children and buffers found by
attribute assignment, ``train``/``eval``, and saving and loading weights as ``.npz``.

A ``Module`` finds its parts by attribute assignment: a ``Tensor`` with ``requires_grad=True``
becomes a parameter, a ``Module`` a child, an array given to :meth:`Module.register_buffer` a
buffer (state that is saved but not trained, like BatchNorm's running statistics).  Order is
the order of assignment, so ``parameters()`` and ``state_dict()`` are deterministic.
"""

from __future__ import annotations

import itertools
import os
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple, Union

import numpy as np

from .. import checks as _checks
from ..engine import next_order as _next_order
from ..groups import describe, param_span
from ..groups import record as _record
from ..serialize import cast_state, read_state, write_state
from ..tensor import Tensor
from .parameter import Parameter

__all__ = ["Module", "RemovableHandle"]

Seed = Union[None, int, np.random.Generator]
PathLike = Union[str, "os.PathLike[str]"]


def _as_tensor(x: Any) -> Tensor:
    # Arrays and lists are accepted as inputs; they become constants (no grad).
    return x if isinstance(x, Tensor) else Tensor(x)


def _check_size(owner: str, name: str, value: Any) -> int:
    return _checks.count(value, name, owner, minimum=1)


_hook_ids = itertools.count()


class RemovableHandle:
    """What ``register_forward_hook`` returns: ``handle.remove()`` takes the hook off again
    (twice is harmless); ``with module.register_forward_hook(h):`` removes it on leaving."""

    def __init__(self, hooks: Dict[int, Callable[..., Any]], key: int) -> None:
        self._hooks, self.id = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


class Module:
    """Base class of every layer and model.

    Subclasses assign parameters (``Tensor(..., requires_grad=True)``) and sub-modules as
    attributes in ``__init__`` and define ``forward``; calling the module calls ``forward``.

    >>> class Scale(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = Tensor(np.array([2.0]), requires_grad=True)
    ...     def forward(self, x):
    ...         return x * self.w
    >>> m = Scale()
    >>> m(Tensor(np.array([3.0]))).data, [name for name, _ in m.named_parameters()]
    (array([6.]), ['w'])
    """

    training: bool
    _param_names: List[str]
    _module_names: List[str]
    _buffer_names: List[str]
    _labels: Dict[str, Tensor]
    _forward_hooks: Dict[int, Callable[..., Any]]
    _forward_pre_hooks: Dict[int, Callable[..., Any]]

    def __init__(self) -> None:
        self._init_registry()

    def _init_registry(self) -> None:
        object.__setattr__(self, "_param_names", [])
        object.__setattr__(self, "_module_names", [])
        object.__setattr__(self, "_buffer_names", [])
        object.__setattr__(self, "_labels", {})  # dotted path -> a parameter labelled by it here
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "_forward_pre_hooks", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_param_names" not in self.__dict__:
            self._init_registry()  # a subclass that forgot super().__init__() still works
        if isinstance(getattr(type(self), name, None), property):  # an alias such as Linear.weight
            object.__setattr__(self, name, value)
            return
        if name in self._buffer_names and not isinstance(value, np.ndarray):
            raise TypeError(f"{type(self).__name__}: buffer {name!r} must stay a numpy array, "
                            f"got {type(value).__name__}")
        if isinstance(value, Parameter) or (isinstance(value, Tensor) and value.requires_grad):
            kind: Optional[List[str]] = self._param_names
        elif isinstance(value, Module):
            kind = self._module_names
        else:
            kind = None
        for names in (self._param_names, self._module_names):
            if name in names and names is not kind:
                names.remove(name)
        if kind is not None and name not in kind:
            kind.append(name)  # a replaced parameter or child keeps its place in the order
        if kind is self._param_names:
            self._label(name, value)
        elif kind is self._module_names:
            for path, p in list(value.__dict__.get("_labels", {}).items()):
                self._label(f"{name}.{path}", p, was=path)
        object.__setattr__(self, name, value)

    def _label(self, path: str, p: Tensor, was: str = "") -> None:
        # A parameter without a label is named by its path (``0.W``); a label given by hand,
        # or changed since, is kept.  Labels only name boxes in pictures and tables.
        if p.label == was:
            p.label = path
            self._labels[path] = p

    def __delattr__(self, name: str) -> None:
        for names in (self._param_names, self._module_names, self._buffer_names):
            if name in names:
                names.remove(name)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, array: np.ndarray) -> None:
        """Keep ``array`` as saved, untrained state (in ``state_dict()``, not in ``parameters()``)."""
        if not isinstance(array, np.ndarray):
            raise TypeError(f"{type(self).__name__}.register_buffer: {name!r} must be a numpy array, "
                            f"got {type(array).__name__}")
        self.__setattr__(name, array)
        if name not in self._buffer_names:
            self._buffer_names.append(name)

    # ------------------------------------------------------------------ the tree
    def named_children(self) -> List[Tuple[str, "Module"]]:
        """Direct sub-modules, in assignment order."""
        return [(name, getattr(self, name)) for name in self._module_names]

    def children(self) -> List["Module"]:
        """Direct sub-modules, in assignment order."""
        return [m for _, m in self.named_children()]

    def modules(self) -> Iterator["Module"]:
        """This module and every descendant, depth first, each once (as :meth:`named_modules`)."""
        return (m for _, m in self.named_modules())

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn(module)`` on every sub-module (children first, depth first) and then on
        ``self``, as PyTorch does (a module shared by two parents is visited under each);
        returns ``self``.  Typical use: re-initialise weights.

        >>> seen = []
        >>> _ = Module().apply(lambda m: seen.append(type(m).__name__))
        >>> seen
        ['Module']
        """
        if not callable(fn):
            raise TypeError(f"{type(self).__name__}.apply: fn must be callable, got {type(fn).__name__}")
        order: List[Module] = []
        stack: List[Tuple[Module, bool]] = [(self, False)]
        while stack:  # post-order without recursion: deep nests do not hit the recursion limit
            module, expanded = stack.pop()
            if expanded:
                order.append(module)
                continue
            stack.append((module, True))
            stack.extend((kid, False) for kid in reversed(module.children()))
        for module in order:
            fn(module)
        return self

    def named_modules(self, prefix: str = "") -> Iterator[Tuple[str, "Module"]]:
        """This module and every descendant, depth first, each once."""
        seen: Set[int] = set()
        stack: List[Tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            kids = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(kids))

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> List[Tuple[str, Tensor]]:
        """``(dotted name, parameter)`` pairs in a fixed order; a shared parameter is listed once.
        ``prefix`` goes before every name; ``recurse=False`` lists this module's own only."""
        if not isinstance(prefix, str):
            raise TypeError(f"{type(self).__name__}.named_parameters: prefix must be a str, got {prefix!r}")
        deep = _checks.flag(recurse, "recurse", f"{type(self).__name__}.named_parameters")
        out, seen = [], set()
        for path, module in self.named_modules(prefix) if deep else [(prefix, self)]:
            for name in module._param_names:
                p = getattr(module, name)
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((f"{path}.{name}" if path else name, p))
        return out

    def parameters(self, recurse: bool = True) -> List[Tensor]:
        """Every trainable ``Tensor`` of this module and its sub-modules (for an optimiser)."""
        return [p for _, p in self.named_parameters(recurse=recurse)]

    def named_buffers(self) -> List[Tuple[str, np.ndarray]]:
        out = []
        for prefix, module in self.named_modules():
            for name in module._buffer_names:
                out.append((f"{prefix}.{name}" if prefix else name, getattr(module, name)))
        return out

    def zero_grad(self) -> None:
        """Clear the gradient of every parameter (set it to ``None``)."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> "Module":
        """Switch this module and all sub-modules to training mode (``Dropout`` drops, ``BatchNorm``
        uses batch statistics); returns ``self``."""
        if not isinstance(mode, bool):
            raise TypeError(f"{type(self).__name__}.train: mode must be True or False, got {mode!r}")
        for _, module in self.named_modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        """Switch to evaluation mode (same as ``train(False)``); returns ``self``."""
        return self.train(False)

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = _next_order()  # the nodes made from here on are this call's (a folded picture)
        out = self._call(*args, **kwargs)
        span = self.__dict__.get("_param_span")
        if span is None:  # its weights' creation indices, once: drawn inside its folded box
            span = param_span(self.parameters())
            object.__setattr__(self, "_param_span", span)
        # a module of modules (Sequential) folds with fold="module", one of ops (Linear) with "layer"
        kind = "module" if self.__dict__.get("_module_names") else "layer"
        _record(describe(self._block_name(), kind, span), start)
        return out

    def _block_name(self) -> str:
        """``0 (Linear)``: the path its parameters are labelled by, and its class."""
        kind = type(self).__name__
        for name in self.__dict__.get("_param_names", ()):
            path, dot, _ = (getattr(getattr(self, name, None), "label", "") or "").rpartition(".")
            if dot:
                return f"{path} ({kind})"
        return kind

    def _call(self, *args: Any, **kwargs: Any) -> Any:
        pre, post = self.__dict__.get("_forward_pre_hooks"), self.__dict__.get("_forward_hooks")
        if not pre and not post:
            return self.forward(*args, **kwargs)
        for hook in list(pre.values()) if pre else ():
            changed = hook(self, args)
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        out = self.forward(*args, **kwargs)
        for hook in list(post.values()) if post else ():
            changed = hook(self, args, out)
            if changed is not None:
                out = changed
        return out

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Run ``hook(module, args)`` before each ``forward``; a result that is not None replaces
        the positional arguments (a tuple, or one value).  Returns a handle with ``remove()``."""
        return self._hook("_forward_pre_hooks", hook, "register_forward_pre_hook")

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Run ``hook(module, args, output)`` after each ``forward``; a result that is not None
        replaces the output.  Returns a handle with ``remove()``.

        >>> from autograd_lite import nn
        >>> relu = nn.ReLU()
        >>> outs = []
        >>> handle = relu.register_forward_hook(lambda m, args, out: outs.append(out.data.tolist()))
        >>> _ = relu(np.array([-1.0, 2.0])); handle.remove(); _ = relu(np.array([3.0]))
        >>> outs
        [[0.0, 2.0]]
        """
        return self._hook("_forward_hooks", hook, "register_forward_hook")

    def _hook(self, where: str, hook: Callable[..., Any], name: str) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"{type(self).__name__}.{name}: hook must be callable, got {type(hook).__name__}")
        if "_param_names" not in self.__dict__:
            self._init_registry()
        hooks = getattr(self, where)
        key = next(_hook_ids)
        hooks[key] = hook
        return RemovableHandle(hooks, key)

    # ------------------------------------------------------------------ saving and loading
    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Copies of every parameter's data and every buffer, by dotted name."""
        state: "OrderedDict[str, np.ndarray]" = OrderedDict()
        for name, p in self.named_parameters():
            state[name] = p.data.copy()
        for name, b in self.named_buffers():
            state[name] = b.copy()
        return state

    def _targets(self) -> "OrderedDict[str, np.ndarray]":
        # The live arrays that load_state_dict writes into, by the same names as state_dict().
        targets: "OrderedDict[str, np.ndarray]" = OrderedDict()
        for name, p in self.named_parameters():
            targets[name] = p.data
        for name, b in self.named_buffers():
            targets[name] = b
        return targets

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy ``state`` (as from :meth:`state_dict`) into this module's parameters and buffers.

        Everything is checked first -- the exact set of names, each shape, a numeric dtype that
        converts to the parameter's -- and nothing is changed unless all of it matches.  Data is
        copied into the existing arrays, so optimisers keep pointing at the right ones.

        A PyTorch ``state_dict`` of the same architecture (as from :meth:`to_torch`'s twin) is
        accepted too: its tensors are converted to arrays and its names (``0.weight``) mapped to
        these (``0.W``, transposed for ``Linear``, whose ``W`` is (in, out)).
        """
        owner = type(self).__name__
        if not isinstance(state, Mapping):
            raise TypeError(f"{owner}.load_state_dict: expected a mapping of names to arrays, "
                            f"got {type(state).__name__}")
        from .torch_bridge import from_torch_names

        targets = self._targets()
        state = from_torch_names(self, state)  # PyTorch's names and tensors, when that is what it is
        problems = []
        missing = [k for k in targets if k not in state]
        unexpected = [k for k in state if k not in targets]
        if missing:
            problems.append(f"missing keys {missing}")
        if unexpected:
            problems.append(f"unexpected keys {unexpected}")
        converted: Dict[str, np.ndarray] = {}
        for name, target in targets.items():
            if name not in state:
                continue
            value = np.asarray(state[name])
            if value.dtype.kind not in "biuf":
                problems.append(f"{name!r} has dtype {value.dtype}, expected a real number array")
            elif value.shape != target.shape:
                problems.append(f"{name!r} has shape {value.shape}, the model expects {target.shape}")
            else:
                converted[name], problem = cast_state(name, value, target.dtype)
                if problem:
                    problems.append(problem)
        if problems:
            raise ValueError(f"{owner}.load_state_dict: the state does not fit this model: "
                             + "; ".join(problems) + ". Nothing was loaded.")
        for name, target in targets.items():
            if not target.flags.writeable:
                raise ValueError(f"{owner}.load_state_dict: {name!r} is a read-only array. "
                                 "Nothing was loaded.")
        for name, target in targets.items():
            np.copyto(target, converted[name])

    def save(self, path: PathLike) -> None:
        """Write :meth:`state_dict` to ``path`` as an uncompressed ``.npz`` archive (no pickles).

        The file is written exactly at ``path`` (no suffix is added).
        """
        write_state(path, self.state_dict())

    def load(self, path: PathLike) -> "Module":
        """Read a file written by :meth:`save` and load it; returns ``self``.

        The file is read with the model's sizes (see :mod:`autograd_lite.serialize`): names,
        shapes, dtypes and sizes are checked before any data is read, pickles are refused, and
        a file that does not fit raises ``ValueError`` naming the file and the entry, leaving
        the model unchanged.
        """
        self.load_state_dict(read_state(path, self._targets(), type(self).__name__))
        return self

    def to_torch(self) -> Any:
        """The same network as ``torch.nn`` modules with copies of the same weights and dtype
        (needs PyTorch); see :mod:`autograd_lite.nn.torch_bridge`."""
        from .torch_bridge import to_torch

        return to_torch(self)

    # ------------------------------------------------------------------ display
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        kids = self.named_children()
        if not kids:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, module in kids:
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)
