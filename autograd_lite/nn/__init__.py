"""Layers built from ``Tensor`` ops: ``Module``, ``Linear`` (``Affine``), activations, ``Dropout``,
``BatchNorm1d``, ``Sequential``; convolution and pooling
(``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``Flatten``); saving and loading weights as ``.npz``.

A ``Module`` finds its parts by attribute assignment: a ``Tensor`` with ``requires_grad=True``
becomes a parameter, a ``Module`` a child, an array given to :meth:`Module.register_buffer` a
buffer (state that is saved but not trained, like BatchNorm's running statistics).  Order is
the order of assignment, so ``parameters()`` and ``state_dict()`` are deterministic.

Layers need no backward code: their forward is made of ``Tensor`` ops, and the graph engine
differentiates it.

>>> import numpy as np
>>> from autograd_lite import nn
>>> model = nn.Sequential(nn.Linear(784, 50, rng=0), nn.ReLU(), nn.Linear(50, 10, rng=1))
>>> [(name, p.shape) for name, p in model.named_parameters()]
[('0.W', (784, 50)), ('0.b', (50,)), ('2.W', (50, 10)), ('2.b', (10,))]
>>> model(np.zeros((3, 784))).shape
(3, 10)
"""

from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .conv_more import Conv1d, ConvTranspose2d
from .layers import (
    Affine,
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
from .module import Module, RemovableHandle
from .parameter import Parameter

__all__ = [
    "Module", "Parameter", "RemovableHandle",
    "Linear", "Affine", "ReLU", "Sigmoid", "Tanh", "Softmax", "Dropout", "BatchNorm1d",
    "Sequential", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "HuberLoss",
    "SmoothL1Loss", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Conv1d", "ConvTranspose2d",
]
