"""Gradients of gradients: DeZero's double-backprop lessons (its steps 33-36) with Value.

* Newton's method on f(x) = x⁴ − 2x² from x = 2, with f'' from double backprop:
  x ← x − f'(x) / f''(x) goes 2 → 1.4545… → … → 1 (DeZero: 7 iterations).
* Step 36: x = 2, y = x², z = (dy/dx)³ + y; dz/dx = 3(2x)²·2 + 2x = 100.
* tanh's derivatives up to the 4th, each one a graph of its own, drawn with ``viz.draw``
  (``backward(create_graph=True)`` makes ``x.grad`` a node that can be differentiated again).
* Forward vs reverse mode: the work each needs for a loss (many inputs, one output).

Run: ``python -m demos.higher_order`` (pictures of the derivative graphs in ./out/higher_order/).
"""

from __future__ import annotations

import math
from typing import List, Optional, Tuple

from autograd_lite import Value, fmt, grad
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


def main(argv: Optional[List[str]] = None) -> int:
    p = parser("higher_order", __doc__, out_help="folder for the derivative graphs")
    p.add_argument("--x", type=float, default=1.0, help="where tanh's derivatives are taken (default 1)")
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

    ok = (abs(xs[-1] - 1.0) == 0.0 and step36() == 100.0
          and all(math.isclose(d.data, c, rel_tol=1e-12) for d, c in zip(ders, closed)))
    status = 0 if ok else 2
    if not args.no_plot and ok:
        try:
            import viz

            for k, d in enumerate(ders, start=1):
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
