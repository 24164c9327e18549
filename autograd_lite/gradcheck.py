"""Check analytic gradients against float64 central differences.

``gradcheck(f, *inputs)`` runs ``f`` on fresh copies of the inputs, calls ``backward()``
on its scalar result, and compares every input's gradient with the central difference

    (f(x + eps) - f(x - eps)) / (2 eps)

computed in float64 (for a ``Tensor``, element by element, on float64 copies).  An
input passes when ``|analytic - numeric| <= atol + rtol |numeric|``
(the same test as ``torch.autograd.gradcheck``).  It returns ``True`` or raises
:class:`GradcheckError`, whose message lists each input's analytic and numeric gradient.

>>> from autograd_lite import Value, gradcheck
>>> gradcheck(lambda x, y: (x + y) ** 2, Value(1.0, "x"), Value(2.0, "y"))
True

:func:`gradcheck_report` returns the same comparison as data (one
:class:`GradcheckRecord` per input), e.g. to write "analytic vs numeric" on a picture.
The caller's inputs are never touched: their ``data`` and ``grad`` stay as they were.

Tensors work the same way; the report names the worst element of each input:

>>> from autograd_lite import Tensor
>>> gradcheck(lambda t: (t * t).sum(), Tensor([[1.0, -2.0], [0.5, 3.0]]))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, List, Optional, Tuple, Union

import numpy as np

from . import checks as _checks
from . import engine as _engine
from .format import fmt
from .tensor import Tensor
from .value import DomainError, Value

Number = Union[int, float]


class GradcheckError(ValueError):
    """Analytic and numeric gradients disagree; the message lists every input."""

    def __init__(self, message: str, records: List[GradcheckRecord]) -> None:
        super().__init__(message)
        self.records = records


@dataclass(frozen=True)
class GradcheckRecord:
    """The comparison for one input of ``f``.

    ``analytic`` and ``numeric`` are the gradients at ``element`` (``None`` for a
    ``Value``; for a ``Tensor`` the index of the worst element), ``abs_error`` is
    ``|analytic - numeric|`` there and ``ok`` says whether the whole input passed.
    ``analytic_grad`` / ``numeric_grad`` hold the full gradients (a float for a
    ``Value``, a float64 array of the input's shape for a ``Tensor``).
    """

    index: int
    label: str
    analytic: float
    numeric: float
    abs_error: float
    ok: bool
    element: Optional[Tuple[int, ...]] = None
    shape: Tuple[int, ...] = ()
    analytic_grad: Any = None
    numeric_grad: Any = None

    def _repr_html_(self) -> str:
        from .display import gradcheck_html

        return gradcheck_html([self])

    def describe(self) -> str:
        """One line: ``input 0 'x': analytic 6, numeric 6, abs error 0 -- ok``."""
        name = f"input {self.index}" + (f" {self.label!r}" if self.label else "")
        if self.element is not None:
            name += f" (worst element {self.element} of shape {self.shape})"
        verdict = "ok" if self.ok else "MISMATCH"
        return (
            f"{name}: analytic {fmt(self.analytic)}, numeric {fmt(self.numeric)}, "
            f"abs error {fmt(self.abs_error)} -- {verdict}"
        )


Input = Union[Value, Tensor]


def _scalar_output(out: Any, where: str) -> Any:
    """The single number ``f`` returned, as a node; anything else is a clear error."""
    if isinstance(out, Value):
        return out
    if type(out) is Tensor:
        if out.data.size != 1:
            raise ValueError(
                f"{where}: f must return a scalar, got a Tensor of shape {out.data.shape}; "
                "reduce it first (e.g. with .sum())"
            )
        return out
    raise TypeError(
        f"{where}: f must return a scalar Value or a one-element Tensor, got {type(out).__name__}; "
        "reduce it to a scalar first (e.g. with a sum)"
    )


def _check_inputs(inputs: Tuple[Any, ...]) -> None:
    if not inputs:
        raise TypeError("gradcheck: give at least one input (a Value or Tensor)")
    for i, x in enumerate(inputs):
        if not isinstance(x, (Value, Tensor)):
            raise TypeError(
                f"gradcheck: input {i} must be a Value or Tensor, got {type(x).__name__}: {x!r}"
            )


def check_tolerances(where: str, eps: Any, atol: Any, rtol: Any) -> None:
    """eps > 0, atol >= 0 and rtol >= 0, finite real numbers (the checkers' one validation)."""
    for name, v, low in (("eps", eps, None), ("atol", atol, 0.0), ("rtol", rtol, 0.0)):
        x = _checks.real_number(v, f"{where}: {name}")
        if not math.isfinite(x) or (x <= 0.0 if low is None else x < low):
            need = "> 0" if low is None else ">= 0"
            raise ValueError(f"{where}: {name} must be a finite number {need}, got {fmt(x)}")


def _copy(x: Input, data: Any = None, grad: bool = True) -> Input:
    """A fresh leaf like ``x`` (Tensors as float64), holding ``data`` if given."""
    if isinstance(x, Value):
        return Value(x.data if data is None else data, x.label)
    arr = np.array(x.data if data is None else data, dtype=np.float64)
    return Tensor(arr, requires_grad=grad, label=x.label)


def _analytic(f: Callable[..., Any], inputs: Tuple[Any, ...]) -> List[Any]:
    """Gradients from one backward pass on fresh leaf copies (caller's grads untouched)."""
    copies = [_copy(x) for x in inputs]
    out = _scalar_output(f(*copies), "gradcheck")
    if out.requires_grad if type(out) is Tensor else True:
        out.backward()
    grads: List[Any] = []
    for c in copies:
        if isinstance(c, Value):
            grads.append(c.grad)
        else:  # an input f did not use has no grad: its gradient is zero
            grads.append(np.zeros(c.data.shape) if c.grad is None else np.asarray(c.grad, np.float64))
    return grads


def _evaluate(f: Callable[..., Any], args: List[Any]) -> float:
    with _engine.no_grad():
        out = _scalar_output(f(*args), "gradcheck")
    return float(out.data) if isinstance(out, Value) else float(out.data.reshape(-1)[0])


def _numeric(f: Callable[..., Any], inputs: Tuple[Any, ...], eps: float) -> List[Any]:
    """Central differences in float64, one input (and one element) at a time."""
    base = [_copy(x, grad=False) for x in inputs]
    grads: List[Any] = []
    for i, x in enumerate(inputs):
        args = list(base)
        try:
            if isinstance(x, Value):
                args[i] = Value(x.data + eps, x.label)
                plus = _evaluate(f, args)
                args[i] = Value(x.data - eps, x.label)
                minus = _evaluate(f, args)
                grads.append((plus - minus) / (2.0 * eps))
                continue
            work = np.array(x.data, dtype=np.float64)
            g = np.zeros(work.shape)
            for j in np.ndindex(*work.shape):
                old = work[j]
                work[j] = old + eps
                args[i] = Tensor(work.copy(), label=x.label)
                plus = _evaluate(f, args)
                work[j] = old - eps
                args[i] = Tensor(work.copy(), label=x.label)
                minus = _evaluate(f, args)
                work[j] = old
                g[j] = (plus - minus) / (2.0 * eps)
            grads.append(g)
        except DomainError as e:
            raise DomainError(
                f"gradcheck: f is undefined within eps={fmt(eps)} of input {i} ({e}); "
                "check a point further from the edge of the domain or use a smaller eps"
            ) from e
    return grads


def _record(i: int, x: Input, a: Any, n: Any, atol: float, rtol: float) -> GradcheckRecord:
    if isinstance(x, Value):
        err = abs(a - n)
        return GradcheckRecord(index=i, label=x.label, analytic=a, numeric=n, abs_error=err,
                               ok=err <= atol + rtol * abs(n), analytic_grad=a, numeric_grad=n)
    errs = np.abs(a - n)
    allowed = atol + rtol * np.abs(n)
    ok = bool(np.all(errs <= allowed))
    if errs.size == 0:
        return GradcheckRecord(index=i, label=x.label, analytic=0.0, numeric=0.0, abs_error=0.0,
                               ok=True, element=(), shape=errs.shape, analytic_grad=a, numeric_grad=n)
    # the worst element: the one furthest beyond (or closest to) its tolerance
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(allowed > 0, errs / allowed, np.where(errs > 0, np.inf, 0.0))
    ratio = np.where(np.isnan(ratio), np.inf, ratio)
    worst = tuple(int(k) for k in np.unravel_index(int(np.argmax(ratio)), errs.shape))
    return GradcheckRecord(
        index=i, label=x.label, analytic=float(a[worst]), numeric=float(n[worst]),
        abs_error=float(errs[worst]), ok=ok, element=worst, shape=errs.shape,
        analytic_grad=a, numeric_grad=n,
    )


class GradcheckReport(List[GradcheckRecord]):
    """The list of records :func:`gradcheck_report` returns; shows as a table in a notebook."""

    def _repr_html_(self) -> str:
        from .display import gradcheck_html

        return gradcheck_html(self)


def gradcheck_report(
    f: Callable[..., Any],
    *inputs: Input,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> GradcheckReport:
    """Compare analytic and numeric gradients of scalar ``f`` at ``inputs``; one record each.

    >>> from autograd_lite import Value
    >>> [r.ok for r in gradcheck_report(lambda a: a.exp(), Value(0.5))]
    [True]
    """
    _check_inputs(inputs)
    check_tolerances("gradcheck", eps, atol, rtol)
    with _engine.enable_grad():  # inside no_grad() too: the analytic gradient needs a graph
        analytic = _analytic(f, inputs)
    numeric = _numeric(f, inputs, eps)
    return GradcheckReport(_record(i, x, a, n, atol, rtol)
                           for i, (x, a, n) in enumerate(zip(inputs, analytic, numeric)))


def gradcheck(
    f: Callable[..., Any],
    *inputs: Input,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True if every input's analytic gradient matches float64 central differences.

    Otherwise raises :class:`GradcheckError` listing each input's analytic and numeric
    gradient.  ``f`` must return a scalar.  The inputs themselves are not modified.

    >>> from autograd_lite import Value
    >>> gradcheck(lambda a, b: a * b + b.sin(), Value(3.0), Value(-1.5))
    True
    """
    records = gradcheck_report(f, *inputs, eps=eps, atol=atol, rtol=rtol)
    bad = [r for r in records if not r.ok]
    if bad:
        lines = [
            f"gradcheck: {len(bad)} of {len(records)} inputs disagree with central differences "
            f"(eps={fmt(eps)}, atol={fmt(atol)}, rtol={fmt(rtol)})"
        ]
        lines += ["  " + r.describe() for r in records]
        raise GradcheckError("\n".join(lines), records)
    return True


# --------------------------------------------------------------------------- second order
MAX_CHECK_ELEMENTS = 400  # gradgradcheck: central differences cost two gradients per element


def gradgradcheck(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3) -> bool:
    """Check second derivatives: the Hessian from double backprop against central differences
    of the (first-order, analytic) gradient, in float64.  ``True``, or a ``GradcheckError``.

    >>> gradgradcheck(lambda x, y: (x * y).tanh(), 0.3, -0.7)
    True
    """
    from .derivatives import _hessian, _kind, _value_and_grad  # the functional API checks itself

    check_tolerances("gradgradcheck", eps, atol, rtol)
    kind = _kind(inputs, "gradgradcheck")
    if not inputs:
        raise TypeError("gradgradcheck: give at least one input")
    x0 = [kind.check_point(x, i) for i, x in enumerate(inputs)]
    total = sum(kind.size(x) for x in x0)
    if total > MAX_CHECK_ELEMENTS:
        raise ValueError(f"gradgradcheck: the inputs have {total} elements, more than {MAX_CHECK_ELEMENTS} "
                         "to differentiate twice by central differences; check smaller inputs")
    plain = [np.array(kind.as_array(x), dtype=np.float64) for x in x0]
    n = len(plain)
    h = _hessian(f, tuple(kind.from_array(p) for p in plain), True)
    table = h if kind.name == "Value" else ([[h]] if n == 1 else [list(r) for r in h])
    everything = tuple(range(n))

    def gradient_at(xs: List[Any]) -> List[Any]:
        gs = _value_and_grad(f, everything, tuple(kind.from_array(x) for x in xs), False)[1]
        return [np.asarray(kind.as_array(g), np.float64) for g in gs]

    problems = []
    for j, xj in enumerate(plain):
        for k in np.ndindex(*xj.shape):
            up, down = [x.copy() for x in plain], [x.copy() for x in plain]
            up[j][k] += eps
            down[j][k] -= eps
            gu, gd = gradient_at(up), gradient_at(down)
            for i in range(n):
                numeric = (gu[i] - gd[i]) / (2 * eps)
                analytic = np.asarray(kind.as_array(table[i][j]), np.float64)[(Ellipsis,) + k]
                bad = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
                if bad.any():
                    m = tuple(int(v) for v in np.argwhere(bad)[0])
                    problems.append(f"∂²f/∂x{i}{_at(m)}∂x{j}{_at(k)}: analytic {fmt(float(analytic[m]))}, "
                                    f"numeric {fmt(float(numeric[m]))}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise GradcheckError("gradgradcheck: second derivatives disagree: " + "; ".join(problems[:5]) + more,
                             [])
    return True


def _at(index: Tuple[int, ...]) -> str:
    return str(list(index)) if index else ""
