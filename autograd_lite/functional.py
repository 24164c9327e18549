"""Functions of Tensors that are more than one elementwise op: softmax, losses, joins.

Each is one graph node with its own vjp (fused), which is both faster and numerically
safer than composing it from ``exp``/``sum``/``log``: ``cross_entropy`` never forms
``log(softmax)`` and its gradient is the textbook ``(softmax - onehot) / N``.

They are written in their family modules (``activation``, ``softmax``, ``losses``, ``conv`` ...;
what Tensor itself needs in ``tensor.select`` and ``tensor.joins``); this module gathers them
under PyTorch's ``F.`` habit, and none of them imports it.

>>> import numpy as np
>>> from autograd_lite import Tensor, functional as F
>>> logits = Tensor([[2.0, 0.0, 0.0]], requires_grad=True)
>>> loss = F.cross_entropy(logits, np.array([0]))
>>> loss.backward()
>>> np.round(logits.grad, 4).tolist()      # softmax - onehot
[[-0.213, 0.1065, 0.1065]]
"""

from __future__ import annotations

from .activation import (
    elu,
    erf,
    erfc,
    gelu,
    hardtanh,
    leaky_relu,
    logsumexp,
    mish,
    relu,
    selu,
    sigmoid,
    silu,
    softplus,
    softsign,
    tanh,
)
from .softmax import log_softmax, softmax
from .tensor.contract import dot, einsum, outer, tensordot
from .tensor.joins import concatenate, stack
from .tensor.select import maximum, minimum, where

__all__ = [
    "relu", "sigmoid", "tanh", "softmax", "log_softmax",
    "gelu", "erf", "erfc", "silu", "softplus", "leaky_relu", "elu", "selu", "hardtanh", "softsign", "mish",
    "logsumexp",
    "cross_entropy", "nll_loss", "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "huber_loss", "smooth_l1_loss",
    "concatenate", "stack", "where", "maximum", "minimum",
    "conv2d", "max_pool2d", "avg_pool2d", "im2col", "col2im",
    "conv1d", "conv_transpose2d", "deconv2d", "pad2d",
    "dot", "outer", "tensordot", "einsum",
    "atleast_1d", "atleast_2d", "atleast_3d", "vstack", "hstack", "column_stack", "append",
    "kron", "inner", "cross", "gather", "scatter",
]

# Imported after the modules above, so the op table (and docs/api.md's op list) keeps its order:
# activations, softmax, joins, selection, then convolution, pooling, numpy's joins, the losses.
from .conv import avg_pool2d, col2im, conv2d, im2col, max_pool2d  # noqa: E402  (convolution, pooling)
from .conv_more import conv1d, conv_transpose2d, deconv2d, pad2d  # noqa: E402
from .joins import (  # noqa: E402  (numpy's joins and products, PyTorch's gather)
    append,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    column_stack,
    cross,
    gather,
    hstack,
    inner,
    kron,
    scatter,
    vstack,
)
from .losses import cross_entropy, huber_loss, mse_loss, nll_loss, smooth_l1_loss  # noqa: E402
from .losses_binary import binary_cross_entropy, binary_cross_entropy_with_logits  # noqa: E402
