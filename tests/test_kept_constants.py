"""A number in an op (``x * 3``, ``2 - x``) is kept in its node, not made a leaf at once: the
same numbers, grads, words and pictures as a leaf made with the op, one object fewer per op.

Every test compares a program written with plain numbers against the same program with each
number written as ``Value(c)`` at the same place (the leaf the op used to make)."""

from __future__ import annotations

import copy
import math
import operator
import pickle
import threading
from typing import Any, List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Function, Value, explain, grad, no_grad
from autograd_lite.engine import creation_index

viz = pytest.importorskip("viz")

OPS = ["+", "-", "*", "/"]
FNS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def run(program: List[Tuple[str, bool, int, float]], x: List[Value], leaf: bool) -> Value:
    """Each step: ``node op c`` (or ``c op node`` when ``first``); ``leaf``: c as ``Value(c)``."""
    nodes = list(x)
    for op, first, i, c in program:
        a = nodes[i % len(nodes)]
        k: Any = Value(c) if leaf else c
        fn = FNS["*" if op == "/" and first and a.data == 0.0 else op]
        out = fn(k, a) if first else fn(a, k)
        nodes.append(out.tanh() if abs(out.data) > 1e6 else out)
    return nodes[-1] * nodes[-1] if len(nodes) == len(x) else nodes[-1] + nodes[0] * nodes[-2]


numbers = st.floats(-4.0, 4.0, allow_nan=False).filter(lambda c: abs(c) > 0.25)
programs = st.lists(st.tuples(st.sampled_from(OPS), st.booleans(), st.integers(0, 50), numbers),
                    min_size=1, max_size=12)
inputs = st.floats(-2.0, 2.0).filter(lambda v: v == 0.0 or abs(v) > 1e-3)


def same(u: Any, v: Any) -> bool:
    return (math.isnan(u) and math.isnan(v)) or (u == v and math.copysign(1.0, u) == math.copysign(1.0, v))


@settings(deadline=None, max_examples=60)
@given(programs, st.lists(inputs, min_size=1, max_size=3))
def test_kept_numbers_give_the_same_numbers_grads_and_pictures_as_leaves(program: Any,
                                                                       xs: List[float]) -> None:
    x1 = [Value(v, f"x{i}") for i, v in enumerate(xs)]
    kept = run(program, x1, False)
    x2 = [Value(v, f"x{i}") for i, v in enumerate(xs)]
    leaves = run(program, x2, True)
    assert same(kept.data, leaves.data)
    kept.backward()
    leaves.backward()
    assert all(same(a.grad, b.grad) for a, b in zip(x1, x2))
    # the pictures (which read every parent: the kept numbers become leaves, numbered as made)
    assert viz.draw(kept).source == viz.draw(leaves).source
    order_kept = sorted(creation_index(n) - creation_index(x1[0]) for n in _every(kept))
    order_leaves = sorted(creation_index(n) - creation_index(x2[0]) for n in _every(leaves))
    assert order_kept == order_leaves
    assert str(explain(kept)) == str(explain(leaves))


def _every(root: Value) -> List[Value]:
    seen, stack = {id(root): root}, [root]
    while stack:
        for p in stack.pop().parents:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return list(seen.values())


@settings(deadline=None, max_examples=40)
@given(programs, inputs)
def test_second_derivatives_through_kept_numbers(program: Any, x0: float) -> None:
    def f(leaf: bool) -> Any:
        return grad(grad(lambda x: run(program, [x], leaf)))(x0)
    g1, g2 = f(False), f(True)
    assert same(g1, g2)


def test_a_kept_number_becomes_a_leaf_once_with_what_the_pass_sent_it() -> None:
    x = Value(2.0, "x")
    y = 3.0 * x
    z = y - 1
    z.backward()
    assert x.grad == 3.0
    three, _ = y.parents
    assert three.is_leaf and three.data == 3.0 and three.grad == 2.0  # dz/d3 = x
    assert y.parents[0] is three  # the same leaf every time
    assert y.local_grads == (2.0, 3.0)
    assert z.parents[1].data == 1.0 and z.parents[1].grad == -1.0
    assert z.local_grads == (1.0, -1.0)
    assert creation_index(three) == creation_index(y) - 1 > creation_index(x)
    # from then on it is an ordinary leaf: the next pass adds to it
    z.backward()
    assert three.grad == 4.0 and x.grad == 6.0


def test_a_kept_number_before_any_pass_has_grad_zero() -> None:
    x = Value(-1.5)
    y = x / 4
    assert [p.grad for p in y.parents] == [0.0, 0.0]
    assert y.parents[1].data == 4.0 and y.local_grads == (0.25, 1.5 / 16)


def test_kept_numbers_pickle_and_copy() -> None:
    x = Value(2.0, "x")
    y = 5 - x * 3
    for clone in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        assert clone.op == "-" and clone.data == -1.0
        clone.backward()
        a, b = clone.parents
        assert a.data == 5.0 and b.op == "*" and b.parents[1].data == 3.0
        assert b.parents[0].grad == -3.0


def test_no_grad_keeps_nothing() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * 3
        z = 1 / x
    assert y.parents == () and z.parents == () and y.local_grads == () and y.is_leaf
    assert (y.data, z.data) == (6.0, 0.5)


def test_numbers_of_every_kind_and_bad_operands() -> None:
    import numpy as np
    x = Value(2.0)
    for c in (3, 3.0, np.float64(3.0), np.int32(3)):
        y = x * c
        assert y.data == 6.0 and type(y.parents[1].data) is float
        y = c - x
        assert y.data == 1.0 and type(y.parents[0].data) is float
    for bad in (True, "3", None, [1.0]):
        with pytest.raises(TypeError, match=r"\*"):
            x * bad  # noqa: B018
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        x / 0
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        1.0 / Value(0.0)
    with pytest.raises(OverflowError, match="too large"):
        1e308 / Value(1e-308)


class Twice(Function):
    @staticmethod
    def forward(ctx: Any, a: float) -> float:
        return 2.0 * a

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return 2.0 * g


def test_a_function_node_on_the_right_of_a_number_and_of_a_value() -> None:
    x = Value(3.0)
    t = Twice.apply(x)
    for y, want in ((1.0 - t, -5.0), (Value(1.0) - t, -5.0), (10.0 / t, 10.0 / 6.0)):
        assert y.data == want
        x.grad = 0.0
        y.backward()
        assert len(y.parents) == 2
    y = Value(1.0) - t
    x.grad = 0.0
    y.backward()
    assert x.grad == -2.0


def test_threads_reading_a_graph_see_one_leaf() -> None:
    x = Value(2.0)
    y = x * 3
    seen: List[Any] = []
    threads = [threading.Thread(target=lambda: seen.append(y.parents[1].data)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [3.0] * 8 and y.parents[1] is y.parents[1]


def test_threads_making_the_leaves_at_once_agree() -> None:
    import sys
    x = Value(1.5, "x")
    nodes = [2.0 - x if i % 2 else x / 4.0 for i in range(3000)]
    barrier = threading.Barrier(8)

    def read() -> None:
        barrier.wait()
        for n in nodes:
            n.parents  # noqa: B018

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    for i, n in enumerate(nodes):
        first, second = n.parents
        if i % 2:
            assert (first.data, second) == (2.0, x) and n.local_grads == (1.0, -1.0)
        else:
            assert (first, second.data) == (x, 4.0) and n.local_grads == (0.25, -1.5 / 16)
