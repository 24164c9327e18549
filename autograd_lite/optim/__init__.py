"""Optimisers: turn the gradients in ``param.grad`` into updates of ``param.data``.

Each optimiser follows PyTorch's update rule exactly (the formula is in its docstring) and
has two methods: ``step()`` updates every parameter that has a gradient (``grad is None``
means "not used in the last backward": it is skipped, its state untouched), and
``zero_grad()`` clears the gradients.  Parameters are ``Tensor`` s (updated in place:
``param.data`` keeps its identity, dtype and shape) or scalar ``Value`` s.  Call ``step()``
after ``backward()``: a graph built before the step would see the updated data.

As in PyTorch, the settings live in ``param_groups`` (several groups may have different
learning rates), ``state_dict()`` / ``load_state_dict()`` save and restore settings and
state, and :mod:`autograd_lite.optim.lr_scheduler` changes the learning rate as training goes.

A training step, the book's way::

    optimizer = SGD(model.parameters(), lr=0.1)
    for x, t in batches:
        loss = cross_entropy(model(x), t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

>>> from autograd_lite import Value
>>> w = Value(3.0)
>>> w.grad = 2.0
>>> SGD([w], lr=0.1).step()
>>> w.data
2.8
"""

from . import lr_scheduler
from .base import Optimizer, _interrupts_held
from .rules import SGD, AdaGrad, Adam, AdamW, Momentum, RMSprop

__all__ = ["Optimizer", "SGD", "Momentum", "AdaGrad", "RMSprop", "Adam", "AdamW", "lr_scheduler"]

_ = _interrupts_held  # kept importable here: tests hold Ctrl-C with it
