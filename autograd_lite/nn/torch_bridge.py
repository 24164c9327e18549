"""A way out to PyTorch: ``to_torch(model)`` and PyTorch ``state_dict`` s for ``load_state_dict``.

A network built from these layers continues in PyTorch exactly: ``model.to_torch()`` returns
the same architecture as ``torch.nn`` modules holding copies of the same weights in the same
dtype (float64 stays float64), and ``model.load_state_dict(torch_model.state_dict())`` brings
the weights back.  The names differ in two places, handled here: this library's ``Linear``
keeps the book's ``W`` of shape (in, out) where ``torch.nn.Linear`` has ``weight`` of shape
(out, in) (transposed on the way), and ``BatchNorm1d``'s ``gamma`` / ``beta`` are PyTorch's
``weight`` / ``bias``.  PyTorch is imported only when a conversion runs.

What converts: ``Sequential``, ``Linear``, ``Conv2d``, ``Conv1d``, ``ConvTranspose2d``, ``BatchNorm1d``,
``ReLU``, ``Sigmoid``, ``Tanh``, ``Softmax``, ``Dropout`` (its random masks come from PyTorch's
generator then), ``MaxPool2d``, ``AvgPool2d``, ``Flatten``, ``MSELoss``, ``CrossEntropyLoss``.  A
module with a ``forward`` of its own has no automatic twin: convert its layers one by one.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Tuple

import numpy as np

from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .conv_more import Conv1d, ConvTranspose2d
from .layers import (
    BatchNorm1d,
    CrossEntropyLoss,
    Dropout,
    Linear,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .losses import BCELoss, BCEWithLogitsLoss, HuberLoss, NLLLoss, SmoothL1Loss
from .module import Module

__all__ = ["to_torch", "torch_names", "from_torch_names"]

# our parameter name -> (PyTorch's name, transposed?) for the layers whose names differ
_RENAMED: Dict[type, Dict[str, Tuple[str, bool]]] = {
    Linear: {"W": ("weight", True), "b": ("bias", False)},
    Conv2d: {"W": ("weight", False), "b": ("bias", False)},
    Conv1d: {"W": ("weight", False), "b": ("bias", False)},
    ConvTranspose2d: {"W": ("weight", False), "b": ("bias", False)},
    BatchNorm1d: {"gamma": ("weight", False), "beta": ("bias", False)},
}


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
    counters = {f"{p}.num_batches_tracked" if p else "num_batches_tracked"
                for p, m in module.named_modules() if type(m) is BatchNorm1d}
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


def _linear(m: Linear, torch: Any) -> Any:
    t = torch.nn.Linear(m.in_features, m.out_features, bias=m.b is not None,
                        dtype=torch.from_numpy(m.W.data).dtype)
    _copy(torch, t.weight, m.W.data.T)
    if m.b is not None:
        _copy(torch, t.bias, m.b.data)
    return t


def _conv(m: Any, torch: Any) -> Any:
    dtype = torch.from_numpy(m.W.data).dtype
    if type(m) is ConvTranspose2d:
        t = torch.nn.ConvTranspose2d(m.in_channels, m.out_channels, m.kernel_size, stride=m.stride,
                                     padding=m.pad, output_padding=m.output_padding, groups=m.groups,
                                     bias=m.b is not None, dilation=m.dilation, dtype=dtype)
    else:
        layer = torch.nn.Conv1d if type(m) is Conv1d else torch.nn.Conv2d
        t = layer(m.in_channels, m.out_channels, m.kernel_size, stride=m.stride, padding=m.pad,
                  dilation=m.dilation, groups=m.groups, bias=m.b is not None, padding_mode=m.padding_mode,
                  dtype=dtype)
    _copy(torch, t.weight, m.W.data)
    if m.b is not None:
        _copy(torch, t.bias, m.b.data)
    return t


def _batchnorm(m: BatchNorm1d, torch: Any) -> Any:
    t = torch.nn.BatchNorm1d(m.num_features, eps=m.eps, momentum=m.momentum,
                             dtype=torch.from_numpy(m.gamma.data).dtype)
    for target, array in ((t.weight, m.gamma.data), (t.bias, m.beta.data),
                          (t.running_mean, m.running_mean), (t.running_var, m.running_var)):
        _copy(torch, target, array)
    return t


_SIMPLE: Dict[type, Callable[[Any, Any], Any]] = {
    Linear: _linear,
    Conv2d: _conv,
    Conv1d: _conv,
    ConvTranspose2d: _conv,
    BatchNorm1d: _batchnorm,
    ReLU: lambda m, torch: torch.nn.ReLU(),
    Sigmoid: lambda m, torch: torch.nn.Sigmoid(),
    Tanh: lambda m, torch: torch.nn.Tanh(),
    Softmax: lambda m, torch: torch.nn.Softmax(dim=m.axis),
    Dropout: lambda m, torch: torch.nn.Dropout(m.p),
    MaxPool2d: lambda m, torch: torch.nn.MaxPool2d(m.kernel_size, m.stride, padding=m.pad,
                                                   dilation=m.dilation, ceil_mode=m.ceil_mode),
    AvgPool2d: lambda m, torch: torch.nn.AvgPool2d(m.kernel_size, m.stride, padding=m.pad,
                                                   ceil_mode=m.ceil_mode,
                                                   count_include_pad=m.count_include_pad),
    Flatten: lambda m, torch: torch.nn.Flatten(start_dim=m.start_dim),
    MSELoss: lambda m, torch: torch.nn.MSELoss(reduction=m.reduction),
    CrossEntropyLoss: lambda m, torch: torch.nn.CrossEntropyLoss(reduction=m.reduction,
                                                                 label_smoothing=m.label_smoothing),
    NLLLoss: lambda m, torch: torch.nn.NLLLoss(reduction=m.reduction),
    BCELoss: lambda m, torch: torch.nn.BCELoss(reduction=m.reduction),
    BCEWithLogitsLoss: lambda m, torch: torch.nn.BCEWithLogitsLoss(
        reduction=m.reduction,
        pos_weight=None if m.pos_weight is None else torch.tensor(np.asarray(m.pos_weight, float))),
    HuberLoss: lambda m, torch: torch.nn.HuberLoss(reduction=m.reduction, delta=m.delta),
    SmoothL1Loss: lambda m, torch: torch.nn.SmoothL1Loss(reduction=m.reduction, beta=m.beta),
}


def _convert(m: Module, torch: Any, path: str) -> Any:
    kind = type(m)  # exact types: a subclass may have changed forward
    if kind is Sequential:
        kids = m.named_children()
        t = torch.nn.Sequential(*(_convert(kid, torch, f"{path}.{name}") for name, kid in kids))
    elif kind in _SIMPLE:
        t = _SIMPLE[kind](m, torch)
    else:
        raise TypeError(f"to_torch: {path} is a {kind.__name__}, which has no PyTorch twin here "
                        f"(convertible: Sequential, {', '.join(k.__name__ for k in _SIMPLE)}); a module "
                        "with a forward of its own: convert its layers one by one and write the forward "
                        "in PyTorch")
    t.training = m.training
    return t
