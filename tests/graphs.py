"""Graphs the tests share, built here: tests do not import demos (the house rule)."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

from autograd_lite import Value, ops

# The elementwise rows written only in the op table (Value, Dual and Tensor make their methods
# from the row): one entry each -- a domain interval (low, high) for the draws and PyTorch's
# function -- read by the Value tests (test_higher_order) and the Tensor tests (test_tensor_ops).
ROW_ONLY: Dict[str, Tuple[float, float, str]] = {
    "arcsinh": (-3.0, 3.0, "asinh"),
    "arctanh": (-0.9, 0.9, "atanh"),
    "deg2rad": (-400.0, 400.0, "deg2rad"),
    "rad2deg": (-7.0, 7.0, "rad2deg"),
    "reciprocal": (0.2, 3.0, "reciprocal"),
    "fabs": (-3.0, 3.0, "abs"),
    "arccosh": (1.1, 4.0, "acosh"),
    "sinc": (-2.5, 2.5, "sinc"),
}


def inside(name: str, x: float) -> float:
    """``x``, or a point inside the row's domain when ``x`` is outside it (arccosh at 0.7)."""
    row = ops.OPS.get(name)
    return x if row is None or row.domain is None or not row.domain[1](x) else row_only_point(name)


def row_only_point(name: str) -> float:
    """A point well inside the row's interval (not at 0, where some second derivatives vanish)."""
    low, high, _ = ROW_ONLY[name]
    return low + 0.7 * (high - low)


def apple_orange() -> Dict[str, Value]:
    """The shopping graph of "Deep Learning from Scratch" ch. 5, every node labelled by its key."""
    g = {k: Value(v, k) for k, v in
         [("apple", 100.0), ("apple_num", 2.0), ("orange", 150.0), ("orange_num", 3.0), ("tax", 1.1)]}
    g["apple_price"] = g["apple"] * g["apple_num"]
    g["orange_price"] = g["orange"] * g["orange_num"]
    g["all_price"] = g["apple_price"] + g["orange_price"]
    g["price"] = g["all_price"] * g["tax"]
    for k, v in g.items():
        v.label = k
    return g


BINARY = ["+", "-", "*"]


def build_program(leaves: List[float], ops: List[Tuple[str, int, int]]) -> Tuple[List[Value], Value]:
    """(the leaf Values x0, x1, ..., the last node) of a random program: each op reads earlier
    nodes by index (so any node may be reused); unary ops are Value methods, 'neg' or 'square'."""
    nodes = [Value(v, f"x{i}") for i, v in enumerate(leaves)]
    return nodes, run_program(nodes, ops)


def run_program(inputs: List[Any], ops: Sequence[Tuple[str, int, int]]) -> Any:
    """The last node of the program of :func:`build_program` run on ``inputs`` (Values, Duals ...)."""
    nodes = list(inputs)
    for op, i, j in ops:
        a, b = nodes[i], nodes[j]
        if op in BINARY:
            out = {"+": a + b, "-": a - b, "*": a * b}[op]
        elif op == "neg":
            out = -a
        elif op == "square":
            out = a**2
        else:
            out = getattr(a, op)()
        nodes.append(out)
    return nodes[-1]


# Every op the Tensor program builder can make, by the name a test asks for.
TENSOR_OPS = ["+", "-", "*", "/", "**", "square", "neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu",
              "abs", "sum", "mean", "max", "min", "var", "reshape", "transpose", "getitem", "clip", "@"]


def build_tensor_program(shape: Tuple[int, int], ops: List[Tuple[str, int, int]], seed: int = 0
                         ) -> Tuple[List[Any], Any]:
    """(the two leaf Tensors x0, x1 of ``shape``, the last node) of a program like
    :func:`build_program`'s: every op keeps the shape (a reduction is broadcast back by ``+``),
    and ``log``, ``sqrt``, ``/`` and ``**`` read a positive stand-in of their input (``x*x + 1``)."""
    from autograd_lite import Tensor

    rng = np.random.default_rng(seed)
    nodes = [Tensor(rng.uniform(-1.0, 1.0, shape), requires_grad=True, label=f"x{i}") for i in range(2)]
    rows, cols = shape
    for op, i, j in ops:
        a, b = nodes[i], nodes[j]
        pos = a * a + 1.0
        if op in ("+", "-", "*"):
            out = {"+": a + b, "-": a - b, "*": a * b}[op]
        elif op == "/":
            out = b / pos
        elif op == "**":
            out = pos ** b
        elif op == "square":
            out = a**2
        elif op == "neg":
            out = -a
        elif op in ("log", "sqrt"):
            out = getattr(pos, op)()
        elif op in ("sum", "mean", "max", "min", "var"):
            out = b + getattr(a, op)(axis=0)
        elif op == "reshape":
            out = a.reshape(cols, rows).reshape(rows, cols)
        elif op == "transpose":
            out = a.T.T
        elif op == "getitem":
            out = b + a[0]
        elif op == "clip":
            out = a.clip(-0.5, 0.5)
        elif op == "@":
            out = a @ b.T @ a
        else:
            out = getattr(a, op)()
        nodes.append(out)
    return nodes[:2], nodes[-1]


def numeric_grads(f: Callable[..., Any], arrays: Sequence[np.ndarray], w: np.ndarray,
                  eps: float = 1e-6) -> List[np.ndarray]:
    """Central differences of sum(f(arrays) * w) with respect to every array, in float64
    (every call gets fresh copies: an op may not write into its inputs)."""
    from autograd_lite import Tensor

    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros(a.shape)
        for idx in np.ndindex(*a.shape):
            vals = []
            for step in (eps, -eps):
                moved = a.copy()
                moved[idx] += step
                args = [Tensor(moved) if j == i else Tensor(b.copy()) for j, b in enumerate(arrays)]
                vals.append(float(np.sum(f(*args).data * w)))
            g[idx] = (vals[0] - vals[1]) / (2 * eps)
        grads.append(g)
    return grads
