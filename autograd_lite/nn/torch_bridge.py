"""A way out to PyTorch: ``to_torch(model)`` and PyTorch ``state_dict`` s for ``load_state_dict``.

A network built from these layers continues in PyTorch exactly: ``model.to_torch()`` returns
the same architecture as ``torch.nn`` modules holding copies of the same weights in the same
dtype (float64 stays float64), and ``model.load_state_dict(torch_model.state_dict())`` brings
the weights back.  The names differ in two places (each declared by its layer): this library's ``Linear``
keeps the book's ``W`` of shape (in, out) where ``torch.nn.Linear`` has ``weight`` of shape
(out, in) (transposed on the way), and ``BatchNorm1d``'s ``gamma`` / ``beta`` are PyTorch's
``weight`` / ``bias``.  PyTorch is imported only when a conversion runs.  Each layer declares
its twin in its own module (:func:`twin`, its ``_torch_twin``); this module walks and dispatches.

What converts: ``Sequential``, ``Linear``, ``Conv2d``, ``Conv1d``, ``ConvTranspose2d``, ``BatchNorm1d``,
``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``, ``Dropout`` (its random masks come from PyTorch's
generator then), ``MaxPool2d``, ``AvgPool2d``, ``Flatten``, ``MSELoss``, ``CrossEntropyLoss``, ``NLLLoss``,
``BCELoss``, ``BCEWithLogitsLoss``, ``HuberLoss``, ``SmoothL1Loss``.  A module with a ``forward``
of its own has no automatic twin: convert its layers one by one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, Tuple, TypeVar

import numpy as np

if TYPE_CHECKING:
    from .module import Module

__all__ = ["to_torch", "torch_names", "from_torch_names"]

# This module imports none of the layers (they import it): a layer class that converts says so
# with @twin in its own module and makes its twin in its own ``_torch_twin(torch, path)``.  Read
# for the exact class only: a subclass may have changed forward.  In the order they were defined.
_TWINS: Dict[type, Callable[[Any, Any, str], Any]] = {}
# our parameter name -> (PyTorch's name, transposed?) for the layers whose names differ
_RENAMED: Dict[type, Dict[str, Tuple[str, bool]]] = {}
# the entries of a layer's PyTorch state_dict that have nothing here (accepted and not used)
_TORCH_ONLY: Dict[type, Tuple[str, ...]] = {}

_Layer = TypeVar("_Layer", bound=type)


def twin(renamed: Optional[Dict[str, Tuple[str, bool]]] = None,
         torch_only: Tuple[str, ...] = ()) -> Callable[[_Layer], _Layer]:
    """Class decorator: the layer converts to PyTorch with its own ``_torch_twin(torch, path)``
    (``torch`` the imported package, ``path`` the layer's place for messages); ``renamed`` maps
    its parameter names to PyTorch's (and whether the array is transposed on the way);
    ``torch_only`` names PyTorch's state entries it has no counterpart for."""

    def register(cls: _Layer) -> _Layer:
        make = vars(cls).get("_torch_twin")
        if make is None:
            raise TypeError(f"twin: {cls.__name__} defines no _torch_twin(torch, path) of its own")
        _TWINS[cls] = make
        if renamed:
            _RENAMED[cls] = dict(renamed)
        if torch_only:
            _TORCH_ONLY[cls] = tuple(torch_only)
        return cls

    return register


def _import_torch(what: str) -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(f"{what} needs PyTorch (the 'torch' package), which is not installed: "
                          "pip install torch") from None
    return torch


def torch_names(module: Module) -> Dict[str, Tuple[str, bool]]:
    """PyTorch's ``state_dict`` name of every entry of ``module.state_dict()``:
    ``{torch name: (our name, transposed?)}``, in the same order.

    >>> from autograd_lite import nn
    >>> torch_names(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)))
    {'0.weight': ('0.W', True), '0.bias': ('0.b', False), '2.weight': ('2.W', True), '2.bias': ('2.b', False)}
    """
    owner: Dict[str, Module] = {}
    for prefix, m in module.named_modules():
        for name in m._param_names + m._buffer_names:
            owner.setdefault(f"{prefix}.{name}" if prefix else name, m)
    names: Dict[str, Tuple[str, bool]] = {}
    for ours in module._targets():
        head, _, leaf = ours.rpartition(".")
        theirs, transposed = _RENAMED.get(type(owner[ours]), {}).get(leaf, (leaf, False))
        names[f"{head}.{theirs}" if head else theirs] = (ours, transposed)
    return names


def _array(value: Any) -> Any:
    # a torch.Tensor (found by its type's module, so torch is never imported here) -> ndarray
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return value


def from_torch_names(module: Module, state: Mapping[str, Any]) -> Dict[str, Any]:
    """``state`` with tensors as arrays and, when its names are exactly PyTorch's for this
    architecture (``BatchNorm1d``'s ``num_batches_tracked`` allowed), under our names with
    ``Linear`` weights transposed.  Anything else comes back unrenamed, for
    ``load_state_dict`` to check and report."""
    state = {k: _array(v) for k, v in state.items()}
    if set(state) == set(module._targets()):
        return state
    names = torch_names(module)
    counters = {f"{p}.{name}" if p else name
                for p, m in module.named_modules() for name in _TORCH_ONLY.get(type(m), ())}
    if set(state) - counters != set(names):
        return state
    out: Dict[str, Any] = {}
    for theirs, (ours, transposed) in names.items():
        value = state[theirs]
        out[ours] = np.asarray(value).T if transposed and np.ndim(value) == 2 else value
    return out


def to_torch(module: Module) -> Any:
    """``module`` as ``torch.nn`` modules with copies of its weights, buffers and train/eval mode.

    Raises ImportError naming PyTorch when it is not installed, TypeError for a module that
    has no PyTorch twin (naming it and its path).
    """
    torch = _import_torch("to_torch")
    return _convert(module, torch, type(module).__name__)


def _copy(torch: Any, target: Any, array: np.ndarray) -> None:
    with torch.no_grad():
        target.copy_(torch.from_numpy(np.ascontiguousarray(array).copy()))


def _convert(m: Module, torch: Any, path: str) -> Any:
    kind = type(m)  # exact types: a subclass may have changed forward
    if kind not in _TWINS:
        raise TypeError(f"to_torch: {path} is a {kind.__name__}, which has no PyTorch twin here "
                        f"(convertible: {', '.join(k.__name__ for k in _TWINS)}); a module "
                        "with a forward of its own: convert its layers one by one and write the forward "
                        "in PyTorch")
    t = _TWINS[kind](m, torch, path)
    t.training = m.training
    return t
