"""Layers built from ``Tensor`` ops: ``Module``, ``Linear`` (``Affine``), activations, ``Dropout``,
``BatchNorm1d``, ``Sequential``; saving and loading weights as ``.npz``.

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

from __future__ import annotations

import math
import numbers
import os
from collections import OrderedDict
from typing import Any, Dict, Iterator, List, Mapping, Optional, Set, Tuple, Union

import numpy as np
from numpy.typing import DTypeLike

from . import checks as _checks
from . import functional as F
from .serialize import read_state, write_state
from .tensor import Tensor

__all__ = [
    "Module", "Linear", "Affine", "ReLU", "Sigmoid", "Tanh", "Softmax", "Dropout", "BatchNorm1d",
    "Sequential", "MSELoss", "CrossEntropyLoss",
]

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
                converted[name] = value.astype(target.dtype, copy=False)
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


Affine = Linear  # the book's name for the same layer


class ReLU(Module):
    """``max(x, 0)`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).relu()


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).sigmoid()


class Tanh(Module):
    """``tanh(x)`` elementwise."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).tanh()


class Softmax(Module):
    """Softmax along ``axis`` (default: the last one, the classes)."""

    axis: int

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        if not _checks.is_int(axis):
            raise TypeError(f"Softmax: axis must be an int, got {type(axis).__name__}: {axis!r}")
        self.axis = int(axis)

    def forward(self, x: Any) -> Tensor:
        return F.softmax(_as_tensor(x), axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


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


class MSELoss(Module):
    """``loss(pred, target)``: :func:`~autograd_lite.functional.mse_loss` as a module (PyTorch's name).

    >>> MSELoss()(Tensor([1.0, 3.0]), [0.0, 0.0]).item()
    5.0
    """

    def forward(self, pred: Any, target: Any) -> Tensor:  # type: ignore[override]
        return F.mse_loss(_as_tensor(pred), target)


class CrossEntropyLoss(Module):
    """``loss(logits, target)``: :func:`~autograd_lite.functional.cross_entropy` as a module
    (PyTorch's name; the book's ``SoftmaxWithLoss``): class labels or one-hot rows.

    >>> round(CrossEntropyLoss()(Tensor(np.zeros((2, 4))), [1, 3]).item(), 6) == round(math.log(4), 6)
    True
    """

    def forward(self, logits: Any, target: Any) -> Tensor:  # type: ignore[override]
        return F.cross_entropy(_as_tensor(logits), target)
