"""The layers of chapters 5 and 6 built from ``Tensor`` ops: ``Linear`` (``Affine``), activations,
``Dropout``, ``BatchNorm1d``, ``Sequential`` and the losses.

Layers need no backward code: their forward is made of ``Tensor`` ops, and the graph engine
differentiates it.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterator, Optional, Union

import numpy as np
from numpy.typing import DTypeLike

from .. import checks as _checks
from .. import functional as F
from ..activation import LAST, axis_or_dim
from ..losses import _reduction
from ..tensor import Tensor
from .module import Module, Seed, _as_tensor, _check_size
from .torch_bridge import _convert, _copy, twin

__all__ = [
    "Linear", "Affine", "ReLU", "Sigmoid", "Tanh", "Softmax", "Dropout", "BatchNorm1d",
    "Sequential", "MSELoss", "CrossEntropyLoss",
]


@twin(renamed={"W": ("weight", True), "b": ("bias", False)})
class Linear(Module):
    """Fully connected (affine) layer: ``y = x @ W + b`` with ``W`` of shape (in, out), as in the book.

    ``init`` sets the standard deviation of the normally distributed initial weights:
    ``"he"`` -> sqrt(2 / in) (for ReLU), ``"xavier"`` -> sqrt(1 / in) (the book's
    "Xavier", for sigmoid/tanh), or a number such as the book's ``weight_init_std=0.01``.
    Biases start at zero.  ``rng`` (a seed or a ``numpy.random.Generator``) makes the
    initial weights reproducible.

    >>> layer = Linear(3, 2, init=0.01, rng=0)
    >>> layer.W.shape, layer.b.data.tolist()
    ((3, 2), [0.0, 0.0])
    """

    in_features: int
    out_features: int
    init: Union[str, float]
    W: Tensor
    b: Optional[Tensor]

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 init: Union[str, float] = "he", rng: Seed = None, dtype: DTypeLike = np.float64) -> None:
        super().__init__()
        self.in_features = _check_size("Linear", "in_features", in_features)
        self.out_features = _check_size("Linear", "out_features", out_features)
        bias = _checks.flag(bias, "bias", "Linear")
        dtype = _checks.float_dtype(dtype, "Linear")
        stds = {"he": math.sqrt(2.0 / self.in_features), "xavier": math.sqrt(1.0 / self.in_features)}
        if isinstance(init, str) and init in stds:
            std = stds[init]
        elif (isinstance(init, numbers.Real) and not isinstance(init, bool)
              and math.isfinite(init) and init >= 0):
            std = float(init)
        else:
            raise ValueError(f"Linear: init must be 'he', 'xavier' or a standard deviation >= 0, "
                             f"got {init!r}")
        self.init = init
        generator = np.random.default_rng(rng)
        weights = std * generator.standard_normal((self.in_features, self.out_features))
        self.W = Tensor(weights.astype(dtype), requires_grad=True)
        if bias:
            self.b = Tensor(np.zeros(self.out_features, dtype=dtype), requires_grad=True)
        else:
            self.b = None

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear({self.in_features}, {self.out_features}): expected input with last "
                             f"dimension {self.in_features}, got shape {x.shape}")
        out = x @ self.W
        return out + self.b if self.b is not None else out

    @property
    def weight(self) -> Tensor:
        """PyTorch's name for ``W`` (the same Tensor; note the book's (in, out) layout)."""
        return self.W

    @weight.setter
    def weight(self, value: Tensor) -> None:
        self.W = value

    @property
    def bias(self) -> Optional[Tensor]:
        """PyTorch's name for ``b`` (the same Tensor, or None)."""
        return self.b

    @bias.setter
    def bias(self, value: Optional[Tensor]) -> None:
        self.b = value

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.b is not None}, init={self.init!r}"

    def _torch_twin(self, torch: Any, path: str) -> Any:
        t = torch.nn.Linear(self.in_features, self.out_features, bias=self.b is not None,
                            dtype=torch.from_numpy(self.W.data).dtype)
        _copy(torch, t.weight, self.W.data.T)
        if self.b is not None:
            _copy(torch, t.bias, self.b.data)
        return t


Affine = Linear  # the book's name for the same layer


@twin()
class ReLU(Module):
    """``max(x, 0)`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).relu()

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.ReLU()


@twin()
class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).sigmoid()

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.Sigmoid()


@twin()
class Tanh(Module):
    """``tanh(x)`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).tanh()

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.Tanh()


@twin()
class Softmax(Module):
    """Softmax along ``axis`` (or ``dim``, PyTorch's name; default: the last one, the classes)."""

    axis: int

    def __init__(self, axis: int = LAST, *, dim: Optional[int] = None) -> None:
        super().__init__()
        axis = axis_or_dim(axis, dim, "Softmax")
        if not _checks.is_int(axis):
            raise TypeError(f"Softmax: axis must be an int, got {type(axis).__name__}: {axis!r}")
        self.axis = int(axis)

    def forward(self, x: Any) -> Tensor:
        return F.softmax(_as_tensor(x), axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.Softmax(dim=self.axis)


@twin()
class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability ``p`` and scale the
    survivors by ``1 / (1 - p)``; in evaluation mode, the identity.

    The scaling keeps the expected activation the same in both modes (PyTorch's convention;
    the book's ``Dropout`` instead multiplies by ``1 - p`` at evaluation time).  The mask
    of the last training call is kept as ``last_mask`` for teaching.

    >>> d = Dropout(0.5, rng=0)
    >>> d(Tensor(np.ones(6))).data.tolist()
    [2.0, 0.0, 0.0, 0.0, 2.0, 2.0]
    >>> d.eval()(Tensor(np.ones(3))).data.tolist()
    [1.0, 1.0, 1.0]
    """

    p: float
    rng: np.random.Generator
    last_mask: Optional[np.ndarray]

    def __init__(self, p: float = 0.5, rng: Seed = None) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)
        self.rng = np.random.default_rng(rng)
        self.last_mask: Optional[np.ndarray] = None

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x)
        if not self.training or self.p == 0.0:
            return x
        keep = self.rng.random(x.shape) >= self.p
        self.last_mask = keep
        scale = 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        return x * Tensor(keep * np.asarray(scale, dtype=x.dtype))

    def extra_repr(self) -> str:
        return f"p={self.p}"

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.Dropout(self.p)


@twin(renamed={"gamma": ("weight", False), "beta": ("bias", False)}, torch_only=("num_batches_tracked",))
class BatchNorm1d(Module):
    """Batch normalisation over the batch axis of (N, C) inputs.

    Training: normalise with the batch mean and (biased) variance, then scale and shift:
    ``y = gamma * (x - mean) / sqrt(var + eps) + beta``, and update the running statistics
    ``running = (1 - momentum) * running + momentum * batch`` (the running variance uses the
    unbiased batch variance, as PyTorch does).  Evaluation: normalise with the running
    statistics.  ``gamma`` and ``beta`` are parameters (the book's names),
    ``running_mean`` and ``running_var`` buffers.

    >>> bn = BatchNorm1d(2)
    >>> y = bn(Tensor(np.array([[1.0, 10.0], [3.0, 30.0]])))
    >>> y.data.round(4).tolist(), bn.running_mean.tolist()
    ([[-1.0, -1.0], [1.0, 1.0]], [0.2, 2.0])
    """

    num_features: int
    eps: float
    momentum: float
    gamma: Tensor
    beta: Tensor
    running_mean: np.ndarray
    running_var: np.ndarray

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 dtype: DTypeLike = np.float64) -> None:
        super().__init__()
        self.num_features = _check_size("BatchNorm1d", "num_features", num_features)
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps > 0:
            raise ValueError(f"BatchNorm1d: eps must be > 0, got {eps!r}")
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or not 0 <= momentum <= 1:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1], got {momentum!r}")
        self.eps = float(eps)
        self.momentum = float(momentum)
        dtype = _checks.float_dtype(dtype, "BatchNorm1d")
        self.gamma = Tensor(np.ones(self.num_features, dtype=dtype), requires_grad=True)
        self.beta = Tensor(np.zeros(self.num_features, dtype=dtype), requires_grad=True)
        self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(self.num_features, dtype=dtype))

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d({self.num_features}): expected input of shape "
                             f"(N, {self.num_features}), got {x.shape}")
        if not self.training:
            scale = 1.0 / np.sqrt(self.running_var + self.eps)
            return (x - Tensor(self.running_mean)) * Tensor(scale) * self.gamma + self.beta
        n = x.shape[0]
        if n < 2:
            raise ValueError(f"BatchNorm1d: training needs more than 1 sample per batch to estimate a "
                             f"variance, got input of shape {x.shape}")
        centered = x - x.mean(axis=0)
        var = (centered * centered).mean(axis=0)
        y = centered / (var + self.eps).sqrt() * self.gamma + self.beta
        m = self.momentum
        # Running statistics are plain numpy: they are state, not part of the graph.
        self.running_mean *= 1.0 - m
        self.running_mean += m * x.data.mean(axis=0)
        self.running_var *= 1.0 - m
        self.running_var += m * var.data * (n / (n - 1))
        return y

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"

    def _torch_twin(self, torch: Any, path: str) -> Any:
        t = torch.nn.BatchNorm1d(self.num_features, eps=self.eps, momentum=self.momentum,
                                 dtype=torch.from_numpy(self.gamma.data).dtype)
        for target, array in ((t.weight, self.gamma.data), (t.bias, self.beta.data),
                              (t.running_mean, self.running_mean), (t.running_var, self.running_var)):
            _copy(torch, target, array)
        return t


@twin()
class Sequential(Module):
    """Modules applied one after another; the i-th is the child named ``str(i)``.

    >>> net = Sequential(Linear(2, 3, rng=0), ReLU())
    >>> len(net), type(net[1]).__name__
    (2, 'ReLU')
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(module).__name__}, expected a Module")
            setattr(self, str(i), module)

    def forward(self, x: Any) -> Any:
        for module in self:
            x = module(x)
        return x

    def __getitem__(self, i: int) -> Module:
        kids = self.children()
        return kids[i]

    def __len__(self) -> int:
        return len(self._module_names)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.children())

    def _torch_twin(self, torch: Any, path: str) -> Any:
        kids = self.named_children()
        return torch.nn.Sequential(*(_convert(kid, torch, f"{path}.{name}") for name, kid in kids))


@twin()
class MSELoss(Module):
    """``loss(pred, target)``: :func:`~autograd_lite.functional.mse_loss` as a module (PyTorch's name).

    >>> MSELoss()(Tensor([1.0, 3.0]), [0.0, 0.0]).item()
    5.0
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _reduction(reduction, "MSELoss")

    def forward(self, pred: Any, target: Any) -> Tensor:  # type: ignore[override]
        return F.mse_loss(_as_tensor(pred), target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.MSELoss(reduction=self.reduction)


@twin()
class CrossEntropyLoss(Module):
    """``loss(logits, target)``: :func:`~autograd_lite.functional.cross_entropy` as a module
    (PyTorch's name; the book's ``SoftmaxWithLoss``): class labels or one-hot rows, with
    ``reduction`` and ``label_smoothing``.

    >>> round(CrossEntropyLoss()(Tensor(np.zeros((2, 4))), [1, 3]).item(), 6) == round(math.log(4), 6)
    True
    """

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__()
        self.reduction = _reduction(reduction, "CrossEntropyLoss")
        F.cross_entropy(Tensor([0.0]), 0, label_smoothing=label_smoothing)  # its checks, now
        self.label_smoothing = label_smoothing

    def forward(self, logits: Any, target: Any) -> Tensor:  # type: ignore[override]
        return F.cross_entropy(_as_tensor(logits), target, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, label_smoothing={self.label_smoothing!r}"

    def _torch_twin(self, torch: Any, path: str) -> Any:
        return torch.nn.CrossEntropyLoss(reduction=self.reduction, label_smoothing=self.label_smoothing)
