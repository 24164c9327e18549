"""``Module``: the base class of every layer -- parameters, children and buffers found by
attribute assignment, ``train``/``eval``, and saving and loading weights as ``.npz``.

A ``Module`` finds its parts by attribute assignment: a ``Tensor`` with ``requires_grad=True``
becomes a parameter, a ``Module`` a child, an array given to :meth:`Module.register_buffer` a
buffer (state that is saved but not trained, like BatchNorm's running statistics).  Order is
the order of assignment, so ``parameters()`` and ``state_dict()`` are deterministic.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any, Dict, Iterator, List, Mapping, Optional, Set, Tuple, Union

import numpy as np

from .. import checks as _checks
from ..serialize import cast_state, read_state, write_state
from ..tensor import Tensor

__all__ = ["Module"]

Seed = Union[None, int, np.random.Generator]
PathLike = Union[str, "os.PathLike[str]"]


def _as_tensor(x: Any) -> Tensor:
    # Arrays and lists are accepted as inputs; they become constants (no grad).
    return x if isinstance(x, Tensor) else Tensor(x)


def _check_size(owner: str, name: str, value: Any) -> int:
    return _checks.count(value, name, owner, minimum=1)


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

    def __init__(self) -> None:
        self._init_registry()

    def _init_registry(self) -> None:
        object.__setattr__(self, "_param_names", [])
        object.__setattr__(self, "_module_names", [])
        object.__setattr__(self, "_buffer_names", [])
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
        if isinstance(value, Tensor) and value.requires_grad:
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
        object.__setattr__(self, name, value)

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
        return [m for _, m in self.named_children()]

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

    def named_parameters(self) -> List[Tuple[str, Tensor]]:
        """``(dotted name, parameter)`` pairs in a fixed order; a shared parameter is listed once."""
        out, seen = [], set()
        for prefix, module in self.named_modules():
            for name in module._param_names:
                p = getattr(module, name)
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((f"{prefix}.{name}" if prefix else name, p))
        return out

    def parameters(self) -> List[Tensor]:
        """Every trainable ``Tensor`` of this module and its sub-modules (for an optimiser)."""
        return [p for _, p in self.named_parameters()]

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
        return self.forward(*args, **kwargs)

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
        """
        owner = type(self).__name__
        if not isinstance(state, Mapping):
            raise TypeError(f"{owner}.load_state_dict: expected a mapping of names to arrays, "
                            f"got {type(state).__name__}")
        targets = self._targets()
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
