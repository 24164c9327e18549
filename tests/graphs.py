"""Graphs the tests share, built here: tests do not import demos (the house rule)."""

from __future__ import annotations

from typing import Dict, List, Tuple

from autograd_lite import Value


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
    return nodes[: len(leaves)], nodes[-1]
