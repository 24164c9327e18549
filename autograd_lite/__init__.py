"""autograd_lite: the chain rule you can run, see and check.

``from autograd_lite import Value`` loads only the scalar engine (no numpy), so a script of
Values starts as fast as Python does; ``Tensor``, ``nn``, ``functional`` and the rest load on
first use (PEP 562), and everything listed in ``__all__`` is importable as usual.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any, List

from .engine import enable_grad, is_grad_enabled, no_grad
from .format import fmt
from .value import DomainError, Value

__version__ = "0.1.0"

# name -> the module that defines it (a module name of its own: the submodule itself)
_LAZY = {
    "Tensor": "tensor", "functional": "functional", "nn": "nn", "optim": "optim", "datasets": "datasets",
    "ops": "ops", "grad": "derivatives", "value_and_grad": "derivatives", "jacobian": "derivatives",
    "hessian": "derivatives", "hvp": "derivatives", "jvp": "derivatives", "jacfwd": "derivatives",
    "gradgradcheck": "gradcheck", "explain": "explain", "Explanation": "explain",
    "DisconnectedInputWarning": "derivatives", "Function": "function", "Context": "function",
    "gradcheck": "gradcheck", "gradcheck_report": "gradcheck",
    "GradcheckError": "gradcheck", "grad_and_aux": "derivatives",
}

_MODULES = {"functional", "nn", "optim", "datasets", "ops"}  # names whose value is the module itself

__all__ = ["Value", "DomainError", "no_grad", "enable_grad", "is_grad_enabled", "fmt", "__version__",
           "gradcheck", "gradcheck_report", "GradcheckError", "explain", "Explanation",
           "Tensor", "functional", "nn", "optim", "datasets",
           "grad", "value_and_grad", "jacobian", "hessian", "hvp", "jvp", "jacfwd", "gradgradcheck",
           "DisconnectedInputWarning", "Function", "Context", "grad_and_aux"]


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'autograd_lite' has no attribute {name!r}")
    module = importlib.import_module(f".{where}", __name__)
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """The package module: loading the submodule ``autograd_lite.explain`` (or ``gradcheck``)
    must not replace the function of that name, which is what ``autograd_lite.explain`` means
    (the module stays reachable in ``sys.modules`` and by ``from autograd_lite.explain import``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _LAZY and name not in _MODULES:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # the same names, for type checkers and editors
    from . import datasets, functional, nn, ops, optim  # noqa: F401 (ops: a module users reach for)
    from .derivatives import (
        DisconnectedInputWarning,
        grad,
        grad_and_aux,
        hessian,
        hvp,
        jacfwd,
        jacobian,
        jvp,
        value_and_grad,
    )
    from .explain import Explanation, explain
    from .function import Context, Function
    from .gradcheck import GradcheckError, gradcheck, gradcheck_report, gradgradcheck
    from .tensor import Tensor
