"""Gradients of gradients: DeZero's double-backprop lessons (its steps 33-36) with Value.

* Newton's method on f(x) = x⁴ − 2x² from x = 2, with f'' from double backprop:
  x ← x − f'(x) / f''(x) goes 2 → 1.4545… → … → 1 (DeZero: 7 iterations).
* Step 36: x = 2, y = x², z = (dy/dx)³ + y; dz/dx = 3(2x)²·2 + 2x = 100.
* tanh's derivatives up to the 4th, each one a graph of its own, drawn with ``viz.draw``
  (``backward(create_graph=True)`` makes ``x.grad`` a node that can be differentiated again);
  each picture carries the grads of its own backward pass, so x's grad on the graph of
  tanh^(k) is tanh^(k+1).
* Forward vs reverse mode: the work each needs for a loss (many inputs, one output).
* The Hessian of a small network's loss (Tensor, double backprop) against PyTorch's when it is
  installed, else against central differences of the gradient.

Run: ``python -m demos.higher_order`` (pictures of the derivative graphs in ./out/higher_order/).
"""

from __future__ import annotations

import math
import sys
from typing import List, Optional, Tuple

import numpy as np

from autograd_lite import Tensor, Value, fmt, grad, gradgradcheck, hessian
from autograd_lite import functional as F
from autograd_lite.engine import topological_order
from autograd_lite.forward import work

from ._common import missing_picture, out_path, parser, summary


def f(x: Value) -> Value:
    """The function DeZero minimises with Newton's method: x⁴ − 2x²."""
    return x ** 4 - 2 * x ** 2


def newton(x0: float = 2.0, iterations: int = 10) -> List[float]:
    """Newton's iterates from ``x0`` until the gradient is 0 (second derivative by double backprop)."""
    df, d2f = grad(f), grad(grad(f))
    xs = [x0]
    for _ in range(iterations):
        x = xs[-1]
        if df(x) == 0.0:
            break
        xs.append(x - df(x) / d2f(x))
    return xs


def step36(x0: float = 2.0) -> float:
    """dz/dx for y = x², z = (dy/dx)³ + y, by double backprop (DeZero step 36: 100 at x = 2)."""
    x = Value(x0, "x")
    y = x ** 2
    y.backward(create_graph=True)
    gx = x.grad  # 2x, as a graph node
    x.grad = 0.0
    z = gx ** 3 + y
    z.backward()
    return float(x.grad)


def tanh_derivatives(x0: float = 1.0, order: int = 4) -> List[Value]:
    """[tanh'(x), tanh''(x), ...] at ``x0``, each a Value whose graph can be drawn."""
    x = Value(x0, "x")
    y = x.tanh()
    y.label = "tanh(x)"
    out: List[Value] = []
    for k in range(1, order + 1):
        x.grad = 0.0
        y.backward(create_graph=True)
        d = x.grad
        assert isinstance(d, Value)  # backward(create_graph=True) makes every grad a node
        d.label = f"tanh^({k})(x)"
        out.append(d)
        y = d
    return out


def backward_alone(d: Value) -> None:
    """Give every node of ``d``'s graph the grad of ``d``'s own backward pass, and nothing older.

    The graphs of tanh', tanh'', ... share nodes, and every ``backward(create_graph=True)`` of
    :func:`tanh_derivatives` left its grads on them: a picture drawn from those would mix passes
    (the graph of tanh' would show x with the 4th derivative as its grad, and tanh(x) with a grad
    that its edges in the picture do not add up to). Leaves accumulate, so they start from 0 here;
    the sweep resets the other nodes itself. Afterwards each grad is d d / d node, and x's is the
    next derivative.
    """
    for node in topological_order(d):
        for p in node.parents:
            if p.is_leaf:
                p.grad = 0.0
    d.backward()


# A 3-input, 4-hidden (tanh), 2-class network on 6 points: small enough to print its Hessian.
_RNG = np.random.default_rng(3)
NET_X, NET_W1, NET_W2 = _RNG.normal(size=(6, 3)), _RNG.normal(size=(3, 4)), _RNG.normal(size=(4, 2))
NET_LABELS = np.array([0, 1, 1, 0, 1, 0])


def network_loss(w1: Tensor, w2: Tensor) -> Tensor:
    """Mean softmax cross-entropy of tanh(X·W1)·W2 on the six labelled points."""
    return F.cross_entropy((Tensor(NET_X) @ w1).tanh() @ w2, NET_LABELS)


def network_hessian() -> Tuple[np.ndarray, str]:
    """∂²loss/∂w∂w over all 20 weights, and how it was checked (PyTorch, or central differences)."""
    blocks = hessian(network_loss)(NET_W1, NET_W2)
    n1, n2 = NET_W1.size, NET_W2.size
    H = np.block([[blocks[0][0].reshape(n1, n1), blocks[0][1].reshape(n1, n2)],
                  [blocks[1][0].reshape(n2, n1), blocks[1][1].reshape(n2, n2)]])
    try:
        import torch
    except ImportError:
        gradgradcheck(network_loss, NET_W1, NET_W2)
        return H, "matches central differences of the gradient (PyTorch not installed)"

    def tloss(w1: "torch.Tensor", w2: "torch.Tensor") -> "torch.Tensor":
        z = torch.tanh(torch.tensor(NET_X) @ w1) @ w2
        return torch.nn.functional.cross_entropy(z, torch.tensor(NET_LABELS))

    t = torch.autograd.functional.hessian(tloss, (torch.tensor(NET_W1), torch.tensor(NET_W2)))
    T = np.block([[t[0][0].reshape(n1, n1).numpy(), t[0][1].reshape(n1, n2).numpy()],
                  [t[1][0].reshape(n2, n1).numpy(), t[1][1].reshape(n2, n2).numpy()]])
    return H, f"largest difference from PyTorch's: {float(np.abs(H - T).max()):.1e}"


def _finite(text: str) -> float:
    """--x: a finite number (argparse says so on stderr, exit 2, otherwise)."""
    import argparse

    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return x


def main(argv: Optional[List[str]] = None) -> int:
    p = parser("higher_order", __doc__, out_help="folder for the derivative graphs")
    p.add_argument("--x", type=_finite, default=1.0, help="where tanh's derivatives are taken (default 1)")
    args = p.parse_args(argv)

    xs = newton()
    summary("Newton's method on x**4 - 2*x**2 (f'' by double backprop)",
            [(f"x{i}", x) for i, x in enumerate(xs)])
    print(f"  converged to {fmt(xs[-1])} in {len(xs) - 1} iterations")

    summary("DeZero step 36: z = (dy/dx)**3 + y, y = x**2, at x = 2", [("dz/dx", step36())])

    ders = tanh_derivatives(args.x)
    t = math.tanh(args.x)
    closed = [1 - t * t, -2 * t * (1 - t * t), -2 * (1 - t * t) * (1 - 3 * t * t),
              8 * t * (1 - t * t) * (2 - 3 * t * t)]
    rows: List[Tuple[str, object]] = []
    for k, (d, c) in enumerate(zip(ders, closed), start=1):
        size = len(topological_order(d))
        rows.append((f"order {k}", f"{fmt(d.data)}  (closed form {fmt(c)}, graph of {size} ops)"))
    summary(f"tanh's derivatives at x = {fmt(args.x)}", rows)

    print("\n== forward vs reverse mode for a loss of 100 weights ==")
    print(work(lambda *w: sum((wi - 1.0) ** 2 for wi in w), *[0.5] * 100))

    H, checked = network_hessian()
    eig = np.linalg.eigvalsh((H + H.T) / 2)
    print("\n== the Hessian of a 3-4-2 network's loss (20 weights, double backprop) ==")
    print(f"  20x20, symmetric to {float(np.abs(H - H.T).max()):.1e}; {checked}")
    print(f"  eigenvalues from {fmt(float(eig[0]), 4)} to {fmt(float(eig[-1]), 4)}: "
          f"{int((eig < -1e-12).sum())} negative (not a minimum yet)")

    ok = (abs(xs[-1] - 1.0) == 0.0 and step36() == 100.0 and float(np.abs(H - H.T).max()) < 1e-12
          and all(math.isclose(d.data, c, rel_tol=1e-12) for d, c in zip(ders, closed)))
    status = 0 if ok else 2
    if not ok:
        print("higher_order: a result disagrees with its closed form or hand value (see above)",
              file=sys.stderr)
    if not args.no_plot and ok:
        try:
            import viz

            for k, d in enumerate(ders, start=1):
                backward_alone(d)  # the picture shows this graph's own backward pass
                # top to bottom: each derivative is a deeper chain; the 4th (43 ops) is drawn
                # nearest its result, to stay readable on a slide
                path = viz.render(d, out_path(args.out_dir, f"tanh_d{k}.png"), rankdir="TB",
                                  max_nodes=None if k < 4 else 16)
                print(f"  the graph of tanh^({k}): {path}")
            x = Value(args.x, "x")
            y = x.tanh()
            y.label = "tanh(x)"
            y.backward(create_graph=True)
            gx = x.grad
            assert isinstance(gx, Value)
            gx.label = "tanh'(x)"
            beside = out_path(args.out_dir, "tanh_gradient_beside_forward.png")
            path = viz.render(viz.draw_gradient(gx, y, rankdir="TB"), beside)
            print(f"  tanh' beside the forward graph, shared nodes marked: {path}")
        except Exception as e:  # Graphviz missing: numbers above are still checked
            missing_picture("higher_order", e)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
