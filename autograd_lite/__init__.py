"""autograd_lite: the chain rule you can run, see and check."""

from . import datasets, functional, nn, optim
from .derivatives import grad, gradgradcheck, hessian, hvp, jacfwd, jacobian, jvp, value_and_grad
from .engine import is_grad_enabled, no_grad
from .explain import Explanation, explain
from .format import fmt
from .gradcheck import GradcheckError, gradcheck, gradcheck_report
from .tensor import Tensor
from .value import DomainError, Value

__version__ = "0.1.0"

__all__ = ["Value", "DomainError", "no_grad", "is_grad_enabled", "fmt", "__version__",
           "gradcheck", "gradcheck_report", "GradcheckError", "explain", "Explanation",
           "Tensor", "functional", "nn", "optim", "datasets",
           "grad", "value_and_grad", "jacobian", "hessian", "hvp", "jvp", "jacfwd", "gradgradcheck"]
