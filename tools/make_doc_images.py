"""Regenerate the pictures of the docs in docs/images/ with the project's own rendering.

Run: ``make docs-images`` (or ``.venv/bin/python tools/make_doc_images.py``).

* ``apple_orange.png`` (the README's picture) and ``apple_orange_one_fruit.png`` come from the
  apples-and-oranges demo itself, run as ``python -m demos.apple_orange -o ...`` -- the same
  rendering ``make demo`` does -- so the README shows exactly what the demo draws.
* The tutorial's other pictures are built here from ``Value`` graphs and drawn with ``viz``.

Every picture is written twice: the PNG that the docs show and its DOT source (``.dot``).
The DOT text is deterministic (byte-identical on every run); ``tests/test_docs.py`` rebuilds
it and compares, so a picture in the docs cannot silently drift from the code. PNG bytes
depend on the installed Graphviz version, so only the DOT is compared.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import viz
from autograd_lite import Tensor, Value
from viz.steps import frames

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

# The pictures the demo renders (the demo names the second file after the first).
DEMO_PICTURES = ("apple_orange", "apple_orange_one_fruit")


def _named(v: Value, label: str) -> Value:
    v.label = label
    return v


def chain_rule() -> Tuple[Value, Dict[str, Any]]:
    """Tutorial section 3: ``t = x + y``, ``z = t**2`` at (1, 2), after backward."""
    x, y = Value(1.0, "x"), Value(2.0, "y")
    t = _named(x + y, "t")
    z = _named(t**2, "z")
    z.backward()
    return z, {}


def chain_rule_step() -> Tuple[Value, Dict[str, Any]]:
    """Tutorial section 6: frame 1 of ``viz.render_steps`` for the chain-rule graph (grads still ``?``)."""
    z, _ = chain_rule()
    return z, {"frame": frames(z)[1], "max_nodes": None}


def reuse() -> Tuple[Value, Dict[str, Any]]:
    """Tutorial section 4: ``b = a * a``, ``c = b + b`` at a = 3: every use is its own edge."""
    a = Value(3.0, "a")
    b = _named(a * a, "b")
    c = _named(b + b, "c")
    c.backward()
    return c, {}


def neuron_check() -> Tuple[Value, Dict[str, Any]]:
    """Tutorial section 7: a ReLU neuron with gradcheck's verdict written on every leaf."""
    w, x, b = Value(-3.0, "w"), Value(2.0, "x"), Value(7.0, "b")
    out = _named((w * x + b).relu(), "out")
    out.backward()
    return out, {"check": True}


def affine() -> Tuple[Tensor, Dict[str, Any]]:
    """Tutorial section 9: ``L = (X @ W + b).sum()``; every upstream grad is 1, numbers stay short."""
    x = Tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True, label="X")
    w = Tensor([[0.5, -1.0, 0.25], [1.0, 0.5, -0.5]], requires_grad=True, label="W")
    b = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="b")
    y = x @ w + b
    y.label = "Y"
    loss = y.sum()
    loss.label = "L"
    loss.backward()
    return loss, {}


def conv_small() -> Tuple[Tensor, Dict[str, Any]]:
    """Tutorial section 13: ``L = conv2d(x, W).sum()``, one channel, a 3x3 image, a 2x2 kernel."""
    from autograd_lite import functional as F

    x = Tensor([[[[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 1.0, 1.0]]]], requires_grad=True, label="x")
    w = Tensor([[[[1.0, -1.0], [2.0, 0.5]]]], requires_grad=True, label="W")
    y = F.conv2d(x, w)
    y.label = "y"
    loss = y.sum()
    loss.label = "L"
    loss.backward()
    return loss, {"rankdir": "TB"}  # top to bottom: the chain of reshapes stays narrow


def functions_net() -> Tuple[Tensor, Dict[str, Any]]:
    """Tutorial section 14: the book's layers as Functions joined with built-in ops, checked."""
    from autograd_lite_demos import functions  # the demos as installed (this script runs from tools/)

    return functions.joined_graph(*functions.small_net())["loss"], {"check": True, "rankdir": "TB"}


def moons_mlp_folded() -> Tuple[Value, Dict[str, Any]]:
    """docs/api.md, folding: micrograd's moons MLP(2, [16, 16, 1]) and its loss on one point,
    folded by layer (a slide)."""
    from autograd_lite.datasets import make_moons
    from autograd_lite.scalar_nn import MLP

    X, y = make_moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], seed=0)
    x = [Value(float(v), label=f"x{i}") for i, v in enumerate(X[0].tolist(), 1)]
    loss = _named((1 + -(2 * int(y[0]) - 1) * model(x)).relu(), "loss")
    loss.backward()
    return loss, {"fold": "layer"}


# name -> builder returning (root, options for viz.draw)
PICTURES: Dict[str, Callable[[], Tuple[Any, Dict[str, Any]]]] = {
    "chain_rule": chain_rule,
    "chain_rule_step": chain_rule_step,
    "reuse": reuse,
    "neuron_check": neuron_check,
    "affine": affine,
    "conv_small": conv_small,
    "functions_net": functions_net,
    "moons_mlp_folded": moons_mlp_folded,
}


def sources() -> Dict[str, str]:
    """The DOT source of every picture built here, by name (what the ``.dot`` files hold)."""
    out = {}
    for name, build in PICTURES.items():
        root, options = build()
        out[name] = viz.draw(root, **options).source
    return out


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="tools/make_doc_images.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=IMAGES, help=f"folder for the pictures (default: {IMAGES})")
    args = p.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    # The demo, run (not imported) exactly as `make demo` runs it: once for PNG, once for DOT.
    for suffix in (".png", ".dot"):
        subprocess.run([sys.executable, "-m", "demos.apple_orange", "-o", str(out / f"apple_orange{suffix}")],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    for name, build in PICTURES.items():
        root, options = build()
        viz.render(root, out / f"{name}.png", **options)
        viz.render(root, out / f"{name}.dot", **options)
    for name in (*DEMO_PICTURES, *PICTURES):
        print(out / f"{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
