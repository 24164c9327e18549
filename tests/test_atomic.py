"""All or nothing: a failure anywhere leaves every grad, datum and optimiser state as it was.

Random graphs (Value and Tensor, with reuse) and random optimiser set-ups get a fault injected
at a random node or parameter -- an ordinary exception, KeyboardInterrupt or MemoryError -- and
afterwards everything the user can see must equal the state before, bit for bit.
"""

from __future__ import annotations

import copy
import os
import signal
import threading
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Tuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Tensor, Value, explain, nn, optim
from autograd_lite.engine import topological_order
from autograd_lite.optim import _interrupts_held

FAULTS = [RuntimeError, KeyboardInterrupt, MemoryError]


def _bits(x: Any) -> Any:
    """A value's exact identity: floats by their bytes (NaN and -0.0 included), arrays by bytes."""
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return (x.shape, x.dtype.str, x.tobytes())
    if isinstance(x, float):
        return ("float", np.float64(x).tobytes())
    if isinstance(x, dict):
        return {k: _bits(v) for k, v in x.items()}
    return (type(x).__name__, repr(x))


def _nodes(root: Any) -> List[Any]:
    seen: Dict[int, Any] = {}
    stack = [root]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen[id(n)] = n
        stack.extend(n.parents)
    return list(seen.values())


def _snapshot(nodes: List[Any]) -> List[Any]:
    return [(_bits(n.grad), _bits(n.data)) for n in nodes]


# ----------------------------------------------------------------------- random programs
@st.composite
def programs(draw: Any) -> Tuple[int, List[Tuple[str, int, int]]]:
    """(number of leaves, ops); each op reads two earlier nodes (reuse is common)."""
    n_leaves = draw(st.integers(1, 4))
    ops = []
    for k in range(draw(st.integers(1, 12))):
        size = n_leaves + k
        ops.append((draw(st.sampled_from(["+", "-", "*", "tanh", "sigmoid", "mul_self", "square"])),
                    draw(st.integers(0, size - 1)), draw(st.integers(0, size - 1))))
    return n_leaves, ops


def _build(leaves: List[Any], ops: List[Tuple[str, int, int]]) -> Any:
    nodes = list(leaves)
    for op, i, j in ops:
        a, b = nodes[i], nodes[j]
        if op == "+":
            out = a + b
        elif op == "-":
            out = a - b
        elif op == "*":
            out = a * b
        elif op == "tanh":
            out = a.tanh()
        elif op == "sigmoid":
            out = a.sigmoid()
        elif op == "mul_self":
            out = a * a
        else:
            out = a ** 2
        nodes.append(out)
    root = nodes[-1]
    if isinstance(root, Tensor) and root.data.size != 1:
        root = root.sum()
    return root


class _Poison(float):
    """A local derivative whose product with the upstream raises: a fault inside the sweep."""

    fault: type = RuntimeError

    def __mul__(self, other: Any) -> float:
        raise _Poison.fault("injected fault")

    __rmul__ = __mul__


@contextmanager
def _faulty(node: Value, fault: type) -> Iterator[None]:
    """While inside, ``node``'s backward step fails: a two-parent node after sending its first
    contribution (its second local derivative is poisoned), a one-parent node at once."""
    slot = "_lb" if node._b is not None else "_la"
    local = getattr(node, slot)
    _Poison.fault = fault
    setattr(node, slot, _Poison(local))
    try:
        yield
    finally:
        setattr(node, slot, local)


@settings(max_examples=80, deadline=None)
@given(programs(), st.data())
def test_value_backward_failure_restores_every_grad(program: Any, data: Any) -> None:
    n_leaves, ops = program
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    leaves = [Value(float(rng.uniform(-1, 1)), f"x{i}") for i in range(n_leaves)]
    root = _build(leaves, ops)
    if root.is_leaf:
        return
    root.backward()  # leaves hold grads; intermediates hold this pass's grads
    for leaf in leaves:
        leaf.grad = float(rng.uniform(-5, 5))
    nodes = _nodes(root)
    before = _snapshot(nodes)
    inner = [n for n in topological_order(root)]
    victim = inner[data.draw(st.integers(0, len(inner) - 1))]
    fault = data.draw(st.sampled_from(FAULTS))
    with _faulty(victim, fault), pytest.raises(fault, match="injected fault"):
        root.backward()
    assert _snapshot(nodes) == before


@settings(max_examples=80, deadline=None)
@given(programs(), st.data())
def test_tensor_backward_failure_restores_every_grad(program: Any, data: Any) -> None:
    n_leaves, ops = program
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    shapes = [(2,), (3, 2), (1, 2), ()]
    leaves = [Tensor(rng.uniform(-1, 1, shapes[data.draw(st.integers(0, 3))]), requires_grad=True,
                     label=f"x{i}") for i in range(n_leaves)]
    try:
        root = _build(leaves, ops)
    except ValueError:  # shapes that do not broadcast: not what this test is about
        return
    if root.is_leaf:
        return
    root.backward()
    for leaf in leaves:
        if data.draw(st.booleans()):
            leaf.grad = rng.uniform(-5, 5, leaf.shape)
    nodes = _nodes(root)
    before = _snapshot(nodes)
    inner = topological_order(root)
    victim = inner[data.draw(st.integers(0, len(inner) - 1))]
    fault = data.draw(st.sampled_from(FAULTS))
    vjp = victim._vjp
    calls = {"n": 0}

    def faulty(*args: Any) -> Any:
        calls["n"] += 1
        raise fault("injected fault")

    victim._vjp = faulty
    try:
        with pytest.raises(fault, match="injected fault"):
            root.backward()
    finally:
        victim._vjp = vjp
    assert calls["n"] == 1
    assert _snapshot(nodes) == before
    root.backward()  # and the graph still works afterwards


def test_the_issue_examples_roll_back() -> None:
    # Tensor: the second vjp raises; a.grad must stay [100, 100] (not [103, 103])
    a = Tensor([1.0, 2.0], requires_grad=True)
    a.grad = np.array([100.0, 100.0])
    y = (a * 3.0 + a).sum()
    mul = y._a._a  # sum <- + <- (a * 3)
    vjp = mul._vjp
    mul._vjp = lambda *args: (_ for _ in ()).throw(KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    mul._vjp = vjp
    assert a.grad.tolist() == [100.0, 100.0]
    # Value: 10 stays 10
    x = Value(2.0, "x")
    x.grad = 10.0
    z = x * x + x
    with _faulty(z._a, MemoryError), pytest.raises(MemoryError):  # the product fails after
        z.backward()                                              # sending one contribution
    assert x.grad == 10.0 and z.grad == 0.0


def test_explain_failure_in_a_trace_restores_too() -> None:
    x = Value(3.0, "x")
    x.grad = 1.5
    y = x * x + x
    y.backward()
    before = _snapshot(_nodes(y))
    with pytest.raises(TypeError):  # a bad seed: refused before anything changes
        explain(y, grad="not a number", replay=False)
    assert _snapshot(_nodes(y)) == before
    with _faulty(y._a, RuntimeError), pytest.raises(RuntimeError, match="injected fault"):
        explain(y, replay=False)  # the trace's own path (contributions) fails half-way
    assert _snapshot(_nodes(y)) == before


# ----------------------------------------------------------------------- leaf grads and seeds
def test_a_leaf_grad_of_the_wrong_shape_is_refused_before_anything_changes() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True, label="a")
    b = Tensor([3.0, 4.0], requires_grad=True, label="b")
    a.grad = np.array([1.0, 1.0])
    b.grad = np.ones((2, 1))  # would silently broadcast to (2, 2)
    y = (a * b).sum()
    with pytest.raises(ValueError,
                       match=r"leaf 'b' of shape \(2,\) has a grad that is an array of shape \(2, 1\)"):
        y.backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.shape == (2, 1)
    b.grad = np.array([1, 1])  # integers: not a float array
    with pytest.raises(ValueError, match="dtype int64"):
        y.backward()
    b.grad = [0.0, 0.0]
    with pytest.raises(ValueError, match="a list"):
        y.backward()
    v = Value(1.0, "v")
    v.grad = "0"  # type: ignore[assignment]
    with pytest.raises(TypeError, match="leaf 'v' .* not a number"):
        (v * 2).backward()
    v.grad = 0  # a plain int is a number: fine
    (v * 2).backward()
    assert v.grad == 2.0


@pytest.mark.parametrize("seed, message", [
    (np.array([1 + 2j, 1.0]), "complex128"),
    (np.array([None, 1.0], dtype=object), "object"),
    (np.array([True, False]), "bool"),
    (np.array(["1", "2"]), "<U1"),
])
def test_a_seed_is_a_real_array_never_converted_silently(seed: Any, message: str) -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    y = t * 2
    with pytest.raises(TypeError, match=f"real numbers, got dtype {message}"):
        y.backward(seed)
    assert t.grad is None
    with pytest.raises(TypeError, match="expected a number"):
        (Value(1.0) * 2).backward(1j)  # type: ignore[arg-type]


# ----------------------------------------------------------------------- optimisers
OPTIMISERS = [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: optim.Momentum(ps),
    lambda ps: optim.AdaGrad(ps, lr_decay=0.1),
    lambda ps: optim.RMSprop(ps, momentum=0.5, centered=True),
    lambda ps: optim.Adam(ps, amsgrad=True, weight_decay=0.1),
    lambda ps: optim.AdamW(ps),
]

BAD_GRADS = [
    lambda p: np.array(["a"] * p.data.size).reshape(p.data.shape),
    lambda p: np.zeros(p.data.shape + (1,)),
    lambda p: np.full(p.data.shape, 1 + 1j),
    lambda p: np.array([None] * p.data.size, dtype=object).reshape(p.data.shape),
    lambda p: "0.1",
]


def _opt_snapshot(params: List[Any], opt: Any) -> Any:
    return ([(_bits(p.data), _bits(p.grad)) for p in params],
            {i: _bits(s) for i, s in opt.state.items()})


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(OPTIMISERS) - 1), st.integers(1, 4), st.integers(0, 3), st.data())
def test_a_failing_step_changes_no_parameter_and_no_state(which: int, n: int, warm: int, data: Any) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    params: List[Any] = []
    for _ in range(n):
        if data.draw(st.booleans()):
            params.append(Tensor(rng.standard_normal((2, 3)), requires_grad=True))
        else:
            params.append(Value(float(rng.standard_normal())))
    opt = OPTIMISERS[which](params)
    def fresh_grad(p: Any) -> Any:
        return rng.standard_normal(p.data.shape) if isinstance(p, Tensor) else float(rng.standard_normal())

    for _ in range(warm):  # some state to protect
        for p in params:
            p.grad = fresh_grad(p)
        opt.step()
    for p in params:
        p.grad = fresh_grad(p)
    victim = data.draw(st.integers(0, n - 1))
    how = data.draw(st.sampled_from(["bad grad", "fault in the update"]))
    if how == "bad grad":
        p = params[victim]
        p.grad = (data.draw(st.sampled_from(BAD_GRADS))(p) if isinstance(p, Tensor)
                  else data.draw(st.sampled_from(["x", None, 1j, [1.0]])))
        if p.grad is None:  # None means "no gradient": skipped, not an error
            p.grad = "x"
    before = _opt_snapshot(params, opt)
    if how == "bad grad":
        with pytest.raises((TypeError, ValueError), match=rf"step: parameter {victim}"):
            opt.step()
    else:
        fault = data.draw(st.sampled_from(FAULTS))
        real = opt._delta
        seen = {"n": 0}

        def failing(p: Any, g: Any, state: Any) -> Any:
            seen["n"] += 1
            if p is params[victim]:
                raise fault("injected fault")
            return real(p, g, state)

        opt._delta = failing
        with pytest.raises(fault):
            opt.step()
        del opt._delta
    assert _opt_snapshot(params, opt) == before


def test_state_dicts_are_replaced_not_mutated() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    opt = optim.Adam([w])
    w.grad = np.ones(3)
    opt.step()
    first = opt.state[0]
    kept = copy.deepcopy(first)
    w.grad = np.ones(3)
    opt.step()
    assert _bits(first) == _bits(kept) and opt.state[0]["step"] == 2


def test_adamw_matches_its_formula() -> None:
    p0, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    w = Tensor(p0.copy(), requires_grad=True)
    opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    w.grad = g
    opt.step()
    m, v = 0.1 * g, 0.001 * g * g
    expected = p0 - 0.1 * 0.5 * p0 - (0.1 / 0.1) * m / (np.sqrt(v) / np.sqrt(0.001) + 1e-8)
    np.testing.assert_allclose(w.data, expected, rtol=1e-15)


def test_adamw_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((3, 4))
    ours = Tensor(p0.copy(), requires_grad=True)
    theirs = torch.tensor(p0.copy(), requires_grad=True)
    o1 = optim.AdamW([ours], lr=0.05, weight_decay=0.3, betas=(0.8, 0.9))
    o2 = torch.optim.AdamW([theirs], lr=0.05, weight_decay=0.3, betas=(0.8, 0.9))
    for _ in range(5):
        g = rng.standard_normal((3, 4))
        ours.grad = g.copy()
        theirs.grad = torch.tensor(g.copy())
        o1.step()
        o2.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="needs the main thread")
def test_ctrl_c_during_the_writes_is_delivered_after_them() -> None:
    # A process started in the background by a non-interactive shell ignores SIGINT; Python then
    # never installs its handler.  The test needs the handler a terminal user has.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        done = []
        with pytest.raises(KeyboardInterrupt):
            with _interrupts_held():
                os.kill(os.getpid(), signal.SIGINT)
                done.append("all writes")
        assert done == ["all writes"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)


def test_module_parameters_survive_a_failing_step() -> None:
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    loss = (model(np.ones((5, 3))) ** 2).mean()
    loss.backward()
    opt = optim.Adam(model.parameters())
    model[2].b.grad = np.array(["bad", "grad"])
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(TypeError, match="parameter 3's grad has dtype <U4"):
        opt.step()
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
    assert opt.state == {}
