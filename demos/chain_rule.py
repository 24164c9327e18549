"""The chain rule on the smallest composite function: z = (x + y)**2.

Split it in two, ``t = x + y`` and ``z = t**2``.  Then

    dz/dx = dz/dt · dt/dx = 2t · 1 = 2(x + y)

and the same for y.  The demo builds the two steps with ``Value``, prints the backward
pass step by step (``explain``), draws one frame per step (``viz.render_steps``), and
checks the gradient against the hand formula 2(x + y) and against central differences.

Run: ``python -m demos.chain_rule --x 1.5 --y 2`` (frames in ./out/chain_rule/).
"""

from __future__ import annotations

import importlib.util
import random
from typing import List, Optional, Tuple

from autograd_lite import Value, explain, fmt, gradcheck_report

from ._common import missing_picture, out_path, parser, summary


def build(x: float, y: float) -> Tuple[Value, Value, Value, Value]:
    """``(x, y, t, z)`` with ``t = x + y`` and ``z = t**2``, every node labelled."""
    xv, yv = Value(x, "x"), Value(y, "y")
    t = xv + yv
    t.label = "t"
    z = t ** 2
    z.label = "z"
    return xv, yv, t, z


def grads(x: float, y: float) -> Tuple[float, float]:
    """``(dz/dx, dz/dy)`` from ``backward()``."""
    xv, yv, _, z = build(x, y)
    z.backward()
    return xv.grad, yv.grad


def hand_formula(x: float, y: float) -> float:
    """dz/dx = dz/dy = 2(x + y), derived by hand above."""
    return 2 * (x + y)


def random_points(n: int, seed: int = 0) -> List[Tuple[float, float]]:
    """``n`` seeded points (x, y) in [-10, 10]²."""
    rng = random.Random(seed)
    return [(rng.uniform(-10, 10), rng.uniform(-10, 10)) for _ in range(n)]


def main(argv: Optional[List[str]] = None) -> int:
    p = parser("chain_rule", __doc__, out_help="folder for the step-by-step frames")
    p.add_argument("--x", type=float, default=1.5, help="the value of x (default 1.5)")
    p.add_argument("--y", type=float, default=2.0, help="the value of y (default 2)")
    p.add_argument("--points", type=int, default=1000,
                   help="random points on which backward is compared with 2(x + y) (default 1000)")
    args = p.parse_args(argv)
    n_points = min(args.points, 50) if args.fast else args.points

    xv, yv, t, z = build(args.x, args.y)
    print(f"x = {fmt(args.x)}, y = {fmt(args.y)}:  t = x + y = {fmt(t.data)},  z = t**2 = {fmt(z.data)}")
    print("chain rule: dz/dx = dz/dt · dt/dx = 2t · 1 = 2(x + y)\n")
    z.backward()
    print(explain(z))

    formula = hand_formula(args.x, args.y)
    checks = gradcheck_report(lambda a, b: (a + b) ** 2, Value(args.x, "x"), Value(args.y, "y"))
    exact = sum(1 for px, py in random_points(n_points) if grads(px, py) == (hand_formula(px, py),) * 2)

    pictures: List[Tuple[str, object]] = []
    pictures_ok = True
    if not args.no_plot:
        from viz import GraphvizNotFoundError, render, render_steps

        # the animation needs Pillow (the 'demos' extra); the PNG frames do not
        gif = not args.fast and importlib.util.find_spec("PIL") is not None
        try:
            graph = render(z, out_path(args.out_dir, "chain_rule.png"))
            written = render_steps(z, args.out_dir, gif=gif)
        except GraphvizNotFoundError as e:
            pictures.append(missing_picture("chain_rule", e))
            pictures_ok = False
        else:
            first, last = written.frames[0], written.frames[-1]
            pictures = [("graph", str(graph)), ("frames", f"{len(written.frames)} ({first} ... {last.name})")]
            if written.gif is not None:
                pictures.append(("animation", str(written.gif)))

    ok = xv.grad == formula and yv.grad == formula and all(r.ok for r in checks) and exact == n_points
    rows: List[Tuple[str, object]] = [
        ("dz/dx from backward", xv.grad),
        ("dz/dy from backward", yv.grad),
        ("2(x + y) by hand", formula),
        ("dz/dx by central differences", checks[0].numeric),
        ("dz/dy by central differences", checks[1].numeric),
        (f"backward == 2(x + y) exactly on {n_points} random points", f"{exact} of {n_points}"),
    ]
    rows += pictures
    rows.append(("verdict", "chain rule confirmed" if ok else "MISMATCH"))
    summary("chain rule", rows)
    return 0 if ok and pictures_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
