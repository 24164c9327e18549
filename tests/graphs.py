"""Graphs the tests share, built here: tests do not import demos (the house rule)."""

from __future__ import annotations

from typing import Dict

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
