"""Tensor benchmarks: autograd_lite against a hand-written numpy floor and optional peers.

Run: ``.venv/bin/python -m benchmarks.bench_tensor`` (``--quick`` for a short run,
``--rounds N`` to change the number of interleaved rounds).

Workloads (issue 3):

1. one SGD training step of a 784-100-10 ReLU MLP with softmax cross-entropy on a batch
   of 100, in float64 and float32;
2. a chain of 50 elementwise ops on a (10,) array, then sum and backward (per-op overhead);
3. (1000 x 1000) @ (1000 x 1000), forward and backward.

The *floor* is the same computation written by hand in numpy: the same numpy calls, no
graph (for workload 2 it is generated as straight-line code, the fastest way to write
it).  Peers -- PyTorch (2 threads), HIPS ``autograd``, MyGrad -- are skipped with a note
when not importable.  Every round runs every engine once (a block of repeats), in a
shuffled order; the table shows the median per step, its ratio to the floor's median,
and the median (with min and max) of the per-round ratios, each round's time over the
floor's in the same round, as bench_scalar shows it: drift of a shared machine between
rounds cancels there.  Python's cyclic GC stays on, as users run it.

On a shared machine, multi-threaded BLAS degrades badly when other processes hold the
cores (idle worker threads spin); ``OPENBLAS_NUM_THREADS=1`` in front of the command
gives numpy a single BLAS thread, which keeps the BLAS-bound rows stable.  The header
line prints the setting used.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import random
import statistics
import time
from typing import Any, Callable, Dict, List, Optional

import numpy as np

import autograd_lite
from autograd_lite import Tensor
from autograd_lite import functional as F

Step = Callable[[], Any]

# --------------------------------------------------------------------------- workload 1: MLP
N_IN, N_HIDDEN, N_OUT, BATCH, LR = 784, 100, 10, 100, 0.1


def mlp_data(dtype: Any) -> Dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "x": rng.standard_normal((BATCH, N_IN)).astype(dtype),
        "y": rng.integers(0, N_OUT, BATCH),
        "W1": (rng.standard_normal((N_IN, N_HIDDEN)) * np.sqrt(2.0 / N_IN)).astype(dtype),
        "b1": np.zeros(N_HIDDEN, dtype),
        "W2": (rng.standard_normal((N_HIDDEN, N_OUT)) * np.sqrt(2.0 / N_HIDDEN)).astype(dtype),
        "b2": np.zeros(N_OUT, dtype),
    }


def mlp_floor(d: Dict[str, np.ndarray]) -> Step:
    x, y = d["x"], d["y"]
    params = [d[k].copy() for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params
    rows = np.arange(BATCH)
    lr = np.asarray(LR, x.dtype)

    def step() -> float:
        h_pre = x @ W1 + b1
        h = np.maximum(h_pre, 0)
        z = h @ W2 + b2
        s = z - z.max(axis=1, keepdims=True)
        e = np.exp(s)
        se = e.sum(axis=1, keepdims=True)
        p = e / se
        loss = -(s[rows, y] - np.log(se[:, 0])).sum() / BATCH
        dz = p / BATCH
        dz[rows, y] -= 1.0 / BATCH
        dW2 = h.T @ dz
        db2 = dz.sum(axis=0)
        dh = (dz @ W2.T) * (h_pre > 0)
        dW1 = x.T @ dh
        db1 = dh.sum(axis=0)
        for p_, g_ in zip(params, (dW1, db1, dW2, db2)):
            p_ -= lr * g_
        return float(loss)

    return step


def mlp_autograd_lite(d: Dict[str, np.ndarray]) -> Step:
    x, y = Tensor(d["x"]), d["y"]
    params = [Tensor(d[k].copy(), requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params
    lr = np.asarray(LR, d["x"].dtype)

    def step() -> float:
        for p in params:
            p.grad = None
        loss = F.cross_entropy((x @ W1 + b1).relu() @ W2 + b2, y)
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return loss.item()

    return step


def mlp_torch(d: Dict[str, np.ndarray]) -> Optional[Step]:
    import torch

    x, y = torch.from_numpy(d["x"]), torch.from_numpy(d["y"])
    params = [torch.tensor(d[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def step() -> float:
        for p in params:
            p.grad = None
        loss = torch.nn.functional.cross_entropy(torch.relu(x @ W1 + b1) @ W2 + b2, y)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss.item()

    return step


def mlp_hips(d: Dict[str, np.ndarray]) -> Optional[Step]:
    import autograd
    import autograd.numpy as anp

    x, y = d["x"], d["y"]
    params = [d[k].copy() for k in ("W1", "b1", "W2", "b2")]
    rows = np.arange(BATCH)

    def loss_fn(ps: List[Any]) -> Any:
        W1, b1, W2, b2 = ps
        z = anp.maximum(anp.dot(x, W1) + b1, 0.0) @ W2 + b2
        s = z - anp.max(z, axis=1, keepdims=True)
        return -anp.sum(s[rows, y] - anp.log(anp.sum(anp.exp(s), axis=1))) / BATCH

    grad_fn = autograd.value_and_grad(loss_fn)

    def step() -> float:
        loss, grads = grad_fn(params)
        for p, g in zip(params, grads):
            p -= LR * g
        return float(loss)

    return step


def mlp_mygrad(d: Dict[str, np.ndarray]) -> Optional[Step]:
    import mygrad as mg
    from mygrad.nnet.activations import relu
    from mygrad.nnet.losses import softmax_crossentropy

    x, y = d["x"], d["y"]
    params = [mg.tensor(d[k].copy()) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def step() -> float:
        loss = softmax_crossentropy(mg.matmul(relu(mg.matmul(x, W1) + b1), W2) + b2, y)
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
        return float(loss.item())

    return step


# --------------------------------------------------------------------------- workload 2: small ops
# One block of ten elementwise ops, repeated five times: 50 ops on (10,) arrays, bounded
# values (tanh and sigmoid keep the exp small).  Written once as text so that the floor is
# straight-line numpy and every engine runs literally the same sequence.
BLOCK = ["mul y", "add z", "tanh", "sub y", "mul z", "sigmoid", "add x", "neg", "square", "exp"]
CHAIN = BLOCK * 5


def small_data() -> Dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {k: rng.uniform(-1.0, 1.0, 10) for k in ("x", "y", "z")}


def _floor_source() -> str:
    """Straight-line numpy: forward keeping every intermediate, backward in reverse,
    gradients of x, y and z accumulated exactly as an engine must."""
    fwd, bwd = ["h0 = x"], []
    seen = set()

    def acc(name: str, expr: str, sign: str = "+") -> str:
        first = name not in seen
        seen.add(name)
        if first:
            return f"d{name} = {'-' if sign == '-' else ''}{expr}"
        return f"d{name} = d{name} {sign} {expr}"

    for i in reversed(range(len(CHAIN))):
        name, _, arg = CHAIN[i].partition(" ")
        a, h, g, ga = f"h{i}", f"h{i + 1}", f"g{i + 1}", f"g{i}"
        if name == "mul":
            bwd += [acc(arg, f"{g} * {a}"), f"{ga} = {g} * {arg}"]
        elif name in ("add", "sub"):
            bwd += [acc(arg, g, "+" if name == "add" else "-"), f"{ga} = {g}"]
        else:
            bwd.append(f"{ga} = " + {
                "tanh": f"{g} * (1.0 - {h} * {h})", "sigmoid": f"{g} * ({h} * (1.0 - {h}))",
                "neg": f"-{g}", "square": f"{g} * ({a} + {a})", "exp": f"{g} * {h}",
            }[name])
    for i, op in enumerate(CHAIN):
        name, _, arg = op.partition(" ")
        a, h = f"h{i}", f"h{i + 1}"
        fwd.append(f"{h} = " + {
            "mul": f"{a} * {arg}", "add": f"{a} + {arg}", "sub": f"{a} - {arg}",
            "tanh": f"np.tanh({a})", "sigmoid": f"np.exp(-np.logaddexp(0.0, -{a}))",
            "neg": f"-{a}", "square": f"{a} * {a}", "exp": f"np.exp({a})",
        }[name])
    n = len(CHAIN)
    lines = ["def step():"] + ["    " + s for s in fwd]
    lines += [f"    out = h{n}.sum()", f"    g{n} = np.ones_like(h{n})"]
    lines += ["    " + s for s in bwd]
    lines.append("    return g0 + dx, dy, dz")
    return "\n".join(lines) + "\n"


def small_floor(d: Dict[str, np.ndarray]) -> Step:
    namespace: Dict[str, Any] = {"np": np, **d}
    exec(_floor_source(), namespace)  # noqa: S102 -- our own generated straight-line code
    return namespace["step"]  # type: ignore[no-any-return]


def _chain_fn(x: Any, y: Any, z: Any, tanh: Any, sigmoid: Any, exp: Any) -> Callable[[Any], Any]:
    """The chain as straight-line Python (no interpretation loop inside the timing)."""
    src = ["def chain(h):"]
    for op in CHAIN:
        name, _, arg = op.partition(" ")
        src.append("    h = " + {
            "mul": f"h * {arg}", "add": f"h + {arg}", "sub": f"h - {arg}", "tanh": "tanh(h)",
            "sigmoid": "sigmoid(h)", "neg": "-h", "square": "h ** 2", "exp": "exp(h)",
        }[name])
    src.append("    return h")
    ns: Dict[str, Any] = {"x": x, "y": y, "z": z, "tanh": tanh, "sigmoid": sigmoid, "exp": exp}
    exec("\n".join(src), ns)  # noqa: S102
    return ns["chain"]  # type: ignore[no-any-return]


def small_autograd_lite(d: Dict[str, np.ndarray]) -> Step:
    x = Tensor(d["x"], requires_grad=True)
    y, z = Tensor(d["y"], requires_grad=True), Tensor(d["z"], requires_grad=True)
    chain = _chain_fn(x, y, z, Tensor.tanh, Tensor.sigmoid, Tensor.exp)

    def step() -> Any:
        x.grad = y.grad = z.grad = None
        out = chain(x).sum()
        out.backward()
        return x.grad, y.grad, z.grad

    return step


def small_torch(d: Dict[str, np.ndarray]) -> Optional[Step]:
    import torch

    x, y, z = (torch.tensor(d[k], requires_grad=True) for k in ("x", "y", "z"))
    chain = _chain_fn(x, y, z, torch.tanh, torch.sigmoid, torch.exp)

    def step() -> Any:
        x.grad = y.grad = z.grad = None
        out = chain(x).sum()
        out.backward()
        return x.grad

    return step


def small_hips(d: Dict[str, np.ndarray]) -> Optional[Step]:
    import autograd
    import autograd.numpy as anp

    def sigmoid(a: Any) -> Any:
        return anp.exp(-anp.logaddexp(0.0, -a))

    def f(x: Any, y: Any, z: Any) -> Any:
        return anp.sum(_chain_fn(x, y, z, anp.tanh, sigmoid, anp.exp)(x))

    grad_fn = autograd.grad(f, argnum=[0, 1, 2])
    x, y, z = d["x"], d["y"], d["z"]
    return lambda: grad_fn(x, y, z)


def small_mygrad(d: Dict[str, np.ndarray]) -> Optional[Step]:
    import mygrad as mg
    from mygrad.nnet.activations import sigmoid

    x, y, z = (mg.tensor(d[k]) for k in ("x", "y", "z"))
    chain = _chain_fn(x, y, z, mg.tanh, sigmoid, mg.exp)

    def step() -> Any:
        out = chain(x).sum()
        out.backward()
        return x.grad

    return step


# --------------------------------------------------------------------------- workload 3: matmul
def matmul_data() -> Dict[str, np.ndarray]:
    rng = np.random.default_rng(2)
    return {k: rng.standard_normal((1000, 1000)) for k in ("A", "B", "G")}


def matmul_floor(d: Dict[str, np.ndarray]) -> Step:
    A, B, G = d["A"], d["B"], d["G"]

    def step() -> Any:
        C = A @ B
        return C, G @ B.T, A.T @ G

    return step


def matmul_autograd_lite(d: Dict[str, np.ndarray]) -> Step:
    A, B = Tensor(d["A"], requires_grad=True), Tensor(d["B"], requires_grad=True)
    G = d["G"]

    def step() -> Any:
        A.grad = B.grad = None
        C = A @ B
        C.backward(G)
        return C.data, A.grad, B.grad

    return step


def matmul_torch(d: Dict[str, np.ndarray]) -> Optional[Step]:
    import torch

    A, B = (torch.tensor(d[k], requires_grad=True) for k in ("A", "B"))
    G = torch.from_numpy(d["G"])

    def step() -> Any:
        A.grad = B.grad = None
        C = A @ B
        C.backward(G)
        return C, A.grad, B.grad

    return step


def matmul_hips(d: Dict[str, np.ndarray]) -> Optional[Step]:
    import autograd

    G = d["G"]
    vjp_maker = autograd.make_vjp(lambda A, B: A @ B, argnum=(0, 1))  # type: ignore[attr-defined]

    def step() -> Any:
        vjp, C = vjp_maker(d["A"], d["B"])
        return C, vjp(G)

    return step


def matmul_mygrad(d: Dict[str, np.ndarray]) -> Optional[Step]:
    import mygrad as mg

    A, B = mg.tensor(d["A"]), mg.tensor(d["B"])
    G = d["G"]

    def step() -> Any:
        C = mg.matmul(A, B)
        C.backward(G)
        return C, A.grad, B.grad

    return step


# --------------------------------------------------------------------------- runner
ENGINES = ["numpy floor", "autograd_lite", "PyTorch", "HIPS autograd", "MyGrad"]


def _make(factories: List[Callable[[Dict[str, np.ndarray]], Optional[Step]]],
          data: Dict[str, np.ndarray], notes: List[str]) -> Dict[str, Step]:
    steps: Dict[str, Step] = {}
    for name, factory in zip(ENGINES, factories):
        try:
            step = factory(data)
        except ImportError as e:
            msg = f"{name} skipped: not importable ({e.name or e})"
            if msg not in notes:
                notes.append(msg)
            continue
        if step is not None:
            steps[name] = step
    return steps


def _time(steps: Dict[str, Step], rounds: int, target_s: float) -> Dict[str, List[float]]:
    """Seconds per step for every engine, one sample per round, interleaved round by round."""
    reps: Dict[str, int] = {}
    for name, step in steps.items():  # warm up, then pick a repeat count per engine
        step()
        t0 = time.perf_counter()
        step()
        one = max(time.perf_counter() - t0, 1e-7)
        reps[name] = max(1, int(target_s / one))
    samples: Dict[str, List[float]] = {name: [] for name in steps}
    names = list(steps)
    shuffle = random.Random(0).shuffle  # a fresh order each round: nobody always runs after torch
    for _ in range(rounds):
        order = names[:]
        shuffle(order)
        for name in order:
            step, n = steps[name], reps[name]
            t0 = time.perf_counter()
            for _ in range(n):
                step()
            samples[name].append((time.perf_counter() - t0) / n)
    return samples


def _min_steps(steps: Dict[str, Step], n: int, blocks: int = 10) -> Dict[str, float]:
    """The fastest of ``n`` single steps per engine, timed in ``blocks`` rounds of consecutive
    steps (each engine's caches warm, as in a loop): the least disturbed step, which a shared
    machine's load changes least."""
    best = {name: float("inf") for name in steps}
    per_block = max(1, n // blocks)
    for _ in range(blocks):
        for name, step in steps.items():
            for _ in range(per_block):
                t0 = time.perf_counter()
                step()
                best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    parser.add_argument("--quick", action="store_true", help="3 rounds, short repeats")
    parser.add_argument("--only", default="mlp,small,matmul",
                        help="comma-separated workloads to run: mlp, small, matmul (default: all)")
    parser.add_argument("--min-steps", type=int, default=0, metavar="N",
                        help="also time N single steps per engine, in turn, and show the fastest")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    target = 0.02 if args.quick else 0.1

    notes: List[str] = []
    try:
        import torch

        torch.set_num_threads(2)
        versions = [f"torch {torch.__version__}"]
    except ImportError:
        versions = []
    for dist in ("autograd", "mygrad"):
        try:
            versions.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            pass

    only = set(args.only.split(","))
    workloads = []
    for dtype in (np.float64, np.float32) if "mlp" in only else ():
        data = mlp_data(dtype)
        workloads.append((
            f"MLP 784-100-10 step, batch 100, {np.dtype(dtype).name}",
            _make([mlp_floor, mlp_autograd_lite, mlp_torch, mlp_hips, mlp_mygrad], data, notes),
        ))
    if "small" in only:
        workloads.append((
            "50 elementwise ops on (10,) + sum + backward",
            _make([small_floor, small_autograd_lite, small_torch, small_hips, small_mygrad],
                  small_data(), notes),
        ))
    if "matmul" in only:
        workloads.append((
            "(1000x1000) @ (1000x1000) forward + backward",
            _make([matmul_floor, matmul_autograd_lite, matmul_torch, matmul_hips, matmul_mygrad],
                  matmul_data(), notes),
        ))

    # Same numbers as the floor? (Separate copies: a step updates its own parameters.)
    for dtype in (np.float64, np.float32):
        a, b = mlp_floor(mlp_data(dtype))(), mlp_autograd_lite(mlp_data(dtype))()
        if abs(a - b) > 1e-4 * max(1.0, abs(a)):
            raise SystemExit(f"MLP {np.dtype(dtype).name}: loss {a} (floor) != {b} (autograd_lite)")
    d = small_data()
    for a, b in zip(small_floor(d)(), small_autograd_lite(d)()):
        if not np.allclose(a, b, rtol=1e-12, atol=0):
            raise SystemExit("small-op chain: gradients of the floor and autograd_lite differ")
    mm = matmul_data()
    for a, b in zip(matmul_floor(mm)(), matmul_autograd_lite(mm)()):
        if not np.array_equal(a, b):
            raise SystemExit("matmul: the floor and autograd_lite differ")

    print(f"# autograd_lite {autograd_lite.__version__} tensor benchmarks")
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"Python {platform.python_version()}, numpy {np.__version__}, " + ", ".join(versions)
          + f"; OPENBLAS_NUM_THREADS={blas}, torch threads 2; {rounds} interleaved rounds, medians; GC on")
    print()
    print("| workload | engine | median per step | ratio to numpy floor "
          "| same-round ratio: median (min-max) |")
    print("|---|---|---:|---:|---:|")
    for title, steps in workloads:
        samples = _time(steps, rounds, target)
        floor_s = samples["numpy floor"]
        floor_t = statistics.median(floor_s)
        for name in ENGINES:
            if name in samples:
                t = statistics.median(samples[name])
                # each round's time over the floor's in the same round: drift of the machine
                # between rounds cancels, and the range shows how noisy the run was
                paired = [a / f for a, f in zip(samples[name], floor_s)]
                print(f"| {title} | {name} | {_fmt_time(t)} | {t / floor_t:.2f}x "
                      f"| {statistics.median(paired):.2f}x ({min(paired):.2f}-{max(paired):.2f}) |")
    if args.min_steps:
        print(f"\n| workload | engine | fastest of {args.min_steps} single steps | ratio to numpy floor |")
        print("|---|---|---:|---:|")
        for title, steps in workloads:
            best = _min_steps(steps, args.min_steps)
            for name in ENGINES:
                if name in best:
                    print(f"| {title} | {name} | {_fmt_time(best[name])} "
                          f"| {best[name] / best['numpy floor']:.2f}x |")
    for note in notes:
        print(f"\nNote: {note}")


def _fmt_time(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


if __name__ == "__main__":
    main()
