"""The losses as modules, PyTorch's names and options: each holds its ``reduction`` ('mean',
'sum' or 'none') and options, and calls its function of :mod:`autograd_lite.functional`.
(``MSELoss`` and ``CrossEntropyLoss`` live in :mod:`autograd_lite.nn.layers`.)

>>> from autograd_lite import Tensor, fmt
>>> fmt(HuberLoss(delta=0.5)(Tensor([2.0]), [0.0]).item())      # 0.5·(2 - 0.25)
'0.875'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional as F
from ..losses import _reduction
from ..tensor import Tensor
from .module import Module, _as_tensor
from .torch_bridge import twin

__all__ = ["NLLLoss", "BCELoss", "BCEWithLogitsLoss", "HuberLoss", "SmoothL1Loss"]


class _Loss(Module):
    reduction: str

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _reduction(reduction, type(self).__name__)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


@twin()
class NLLLoss(_Loss):
    """``loss(log_probs, labels)``: :func:`~autograd_lite.functional.nll_loss` as a module."""

    def forward(self, input: Any, target: Any) -> Tensor:  # type: ignore[override]
        return F.nll_loss(_as_tensor(input), target, reduction=self.reduction)

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.NLLLoss(reduction=self.reduction)


@twin()
class BCELoss(_Loss):
    """``loss(probs, target)``: :func:`~autograd_lite.functional.binary_cross_entropy` as a module."""

    def forward(self, input: Any, target: Any) -> Tensor:  # type: ignore[override]
        return F.binary_cross_entropy(_as_tensor(input), target, reduction=self.reduction)

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.BCELoss(reduction=self.reduction)


@twin()
class BCEWithLogitsLoss(_Loss):
    """``loss(logits, target)``: :func:`~autograd_lite.functional.binary_cross_entropy_with_logits`
    as a module, with its constant ``pos_weight``."""

    def __init__(self, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.pos_weight = pos_weight

    def forward(self, input: Any, target: Any) -> Tensor:  # type: ignore[override]
        return F.binary_cross_entropy_with_logits(_as_tensor(input), target, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)

    def _torch_twin(self, torch: Any, path: str) -> Any:
        pos_weight = None if self.pos_weight is None else torch.tensor(np.asarray(self.pos_weight, float))
        return torch.nn.BCEWithLogitsLoss(reduction=self.reduction, pos_weight=pos_weight)


@twin()
class HuberLoss(_Loss):
    """``loss(input, target)``: :func:`~autograd_lite.functional.huber_loss` as a module."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        F.huber_loss(Tensor([0.0]), [0.0], delta=delta)  # the function's checks, once, now
        self.delta = delta

    def forward(self, input: Any, target: Any) -> Tensor:  # type: ignore[override]
        return F.huber_loss(_as_tensor(input), target, reduction=self.reduction, delta=self.delta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta!r}"

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.HuberLoss(reduction=self.reduction, delta=self.delta)


@twin()
class SmoothL1Loss(_Loss):
    """``loss(input, target)``: :func:`~autograd_lite.functional.smooth_l1_loss` as a module."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        F.smooth_l1_loss(Tensor([0.0]), [0.0], beta=beta)  # the function's checks, once, now
        self.beta = beta

    def forward(self, input: Any, target: Any) -> Tensor:  # type: ignore[override]
        return F.smooth_l1_loss(_as_tensor(input), target, reduction=self.reduction, beta=self.beta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, beta={self.beta!r}"

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.SmoothL1Loss(reduction=self.reduction, beta=self.beta)
