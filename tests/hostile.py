"""Helpers for the hostile-argument tests: a call measured (time, and peak memory by tracemalloc),
the state it must leave untouched, and a tally per class of what was tried.

The times are recorded and printed (``pytest -s``), never asserted; the peak memory of a refused
call is asserted to stay small (a refusal allocates nothing worth the name).
"""

from __future__ import annotations

import time
import tracemalloc
from collections import Counter
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Type

import numpy as np

#: cases tried, per class of the issue (numpy-tuple, numpy-array, numpy-write, numpy-keyword, size, ...)
TRIED: Counter = Counter()
REFUSED: Counter = Counter()
#: the slowest and the most memory-hungry refusal seen: (value, description)
WORST: Dict[str, Tuple[float, str]] = {"seconds": (0.0, ""), "peak bytes": (0.0, "")}

REFUSAL_PEAK = 1 << 20  # bytes a refusal may allocate on the way (it should need almost none)


def measured(call: Callable[[], Any]) -> Tuple[Any, Optional[BaseException], float, int]:
    """(result, exception, seconds, peak bytes traced) of ``call()``."""
    tracemalloc.start()
    start = time.perf_counter()
    result: Any = None
    error: Optional[BaseException] = None
    try:
        result = call()
    except Exception as e:  # noqa: BLE001  (the caller checks which)
        error = e
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, error, seconds, peak


def attempt(
    kind: str,
    what: str,
    call: Callable[[], Any],
    names: Iterable[str],
    kinds: Tuple[Type[BaseException], ...] = (TypeError, ValueError),
) -> Tuple[Any, bool]:
    """Run ``call``; a refusal must be one of ``kinds``, name every one of ``names`` and stay
    within REFUSAL_PEAK bytes.  Returns (result, refused)."""
    TRIED[kind] += 1
    result, error, seconds, peak = measured(call)
    if error is None:
        return result, False
    if not isinstance(error, kinds):
        raise AssertionError(f"{what}: raised {type(error).__name__}: {error}") from error
    message = str(error)
    for name in names:
        assert name in message, f"{what}: the message does not name {name!r}: {message}"
    assert peak <= REFUSAL_PEAK, f"{what}: the refusal allocated {peak} bytes"
    REFUSED[kind] += 1
    if seconds > WORST["seconds"][0]:
        WORST["seconds"] = (seconds, what)
    if peak > WORST["peak bytes"][0]:
        WORST["peak bytes"] = (float(peak), what)
    return None, True


class State:
    """Every datum and grad of some tensors and arrays, to check that a failure changed nothing."""

    def __init__(self, tensors: Iterable[Any] = (), arrays: Iterable[np.ndarray] = ()) -> None:
        self.tensors = list(tensors)
        self.arrays = list(arrays)
        self.saved: List[Any] = [
            (t.data, t.data.copy(), None if t.grad is None else _array(t.grad).copy(), t.requires_grad)
            for t in self.tensors
        ]
        self.copies = [a.copy() for a in self.arrays]

    def unchanged(self) -> None:
        for t, (data, copy, grad, flag) in zip(self.tensors, self.saved):
            assert t.data is data and t.requires_grad == flag
            assert t.data.dtype == copy.dtype and np.array_equal(t.data, copy, equal_nan=True)
            if grad is None:
                assert t.grad is None
            else:
                assert np.array_equal(_array(t.grad), grad, equal_nan=True)
        for a, copy in zip(self.arrays, self.copies):
            assert np.array_equal(a, copy, equal_nan=True)


def _array(g: Any) -> np.ndarray:
    return g if isinstance(g, np.ndarray) else g.data  # a grad that is a Tensor (create_graph=True)


def summary() -> str:
    lines = [f"{k}: {TRIED[k]} tried, {REFUSED[k]} refused" for k in sorted(TRIED)]
    lines += [f"worst refusal {k}: {v:.6g} ({what})" for k, (v, what) in WORST.items()]
    return "\n".join(lines)
