"""A Hessian-vector product of the 784-100-10 MLP loss, against one gradient, ours and PyTorch's.

Run: ``.venv/bin/python -m benchmarks.bench_hvp`` (``--quick`` for a short run).

The loss is the benchmark MLP of :mod:`benchmarks.bench_tensor` (batch 100, float64, ReLU,
softmax cross-entropy).  For each engine the table gives the median time of one gradient
(forward + backward) and of one Hessian-vector product with respect to all four parameters
(``autograd_lite.hvp``; PyTorch's ``torch.autograd.functional.hvp``), and their ratio: what a
second-order step costs in gradients.  The target (issue 9): our ratio at most 1.2 times
PyTorch's.  Rounds are interleaved and shuffled, GC on.
"""

from __future__ import annotations

import argparse
import platform
from typing import Any, Callable, Dict, List, Optional

import numpy as np

import autograd_lite
from autograd_lite import Tensor
from autograd_lite import functional as F

from .bench_tensor import _time, mlp_data

Step = Callable[[], Any]
KEYS = ("W1", "b1", "W2", "b2")


def _tangents(d: Dict[str, np.ndarray]) -> List[np.ndarray]:
    rng = np.random.default_rng(1)
    return [rng.standard_normal(d[k].shape) for k in KEYS]


def ours(d: Dict[str, np.ndarray]) -> Dict[str, Step]:
    x, y = Tensor(d["x"]), d["y"]
    params = [d[k].copy() for k in KEYS]
    vs = _tangents(d)

    def loss(W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) -> Tensor:
        return F.cross_entropy((x @ W1 + b1).relu() @ W2 + b2, y)

    grad_all = autograd_lite.grad(loss, argnums=(0, 1, 2, 3))
    return {"gradient": lambda: grad_all(*params),
            "hvp": lambda: autograd_lite.hvp(loss, params, vs)}


def theirs(d: Dict[str, np.ndarray]) -> Optional[Dict[str, Step]]:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    x, y = torch.from_numpy(d["x"]), torch.from_numpy(d["y"])
    params = tuple(torch.tensor(d[k]) for k in KEYS)
    vs = tuple(torch.from_numpy(v) for v in _tangents(d))

    def loss(W1: Any, b1: Any, W2: Any, b2: Any) -> Any:
        return torch.nn.functional.cross_entropy(torch.relu(x @ W1 + b1) @ W2 + b2, y)

    def gradient() -> Any:
        ps = [p.detach().requires_grad_() for p in params]
        return torch.autograd.grad(loss(*ps), ps)

    return {"gradient": gradient, "hvp": lambda: torch.autograd.functional.hvp(loss, params, vs)}


def check(d: Dict[str, np.ndarray]) -> float:
    """Our hvp against PyTorch's (largest absolute difference), or nan without torch."""
    t = theirs(d)
    if t is None:
        return float("nan")
    _, ours_hv = ours(d)["hvp"]()
    _, their_hv = t["hvp"]()
    return max(float(np.abs(a - b.numpy()).max()) for a, b in zip(ours_hv, their_hv))


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 rounds, short repeats")
    args = parser.parse_args(argv)
    rounds, target = (3, 0.05) if args.quick else (args.rounds, 0.2)
    d = mlp_data(np.float64)
    diff = check(d)
    steps: Dict[str, Step] = {f"autograd_lite {k}": s for k, s in ours(d).items()}
    t = theirs(d)
    if t is not None:
        steps.update({f"PyTorch {k}": s for k, s in t.items()})
    results = _time(steps, rounds, target)
    print(f"# autograd_lite {autograd_lite.__version__}: Hessian-vector product of the 784-100-10 MLP loss")
    print(f"Python {platform.python_version()}, numpy {np.__version__}; batch 100, float64; {rounds} "
          f"interleaved rounds, medians; ours vs PyTorch's hvp: max abs difference {diff:.1e}")
    print()
    print("| engine | gradient | hvp | hvp / gradient |")
    print("|---|---:|---:|---:|")
    ratios = {}
    for engine in ("autograd_lite", "PyTorch"):
        if f"{engine} gradient" not in results:
            continue
        g, h = results[f"{engine} gradient"][0], results[f"{engine} hvp"][0]
        ratios[engine] = h / g
        print(f"| {engine} | {g * 1e3:.2f} ms | {h * 1e3:.2f} ms | {h / g:.2f}x |")
    if len(ratios) == 2:
        print(f"\nOur hvp/gradient ratio is {ratios['autograd_lite'] / ratios['PyTorch']:.2f}x PyTorch's "
              "(target: at most 1.2x)")


if __name__ == "__main__":
    main()
