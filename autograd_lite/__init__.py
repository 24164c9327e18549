"""autograd_lite: the chain rule you can run, see and check."""

from . import datasets, functional, nn, optim
from .engine import is_grad_enabled, no_grad
from .explain import Explanation, explain
from .format import fmt
from .gradcheck import GradcheckError, gradcheck, gradcheck_report
from .tensor import Tensor
from .value import DomainError, Value

__version__ = "0.1.0"

__all__ = ["Value", "DomainError", "no_grad", "is_grad_enabled", "fmt", "__version__",
           "gradcheck", "gradcheck_report", "GradcheckError", "explain", "Explanation",
           "Tensor", "functional", "nn", "optim", "datasets"]
