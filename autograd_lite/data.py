"""Mini-batches: ``DataLoader``, PyTorch's habit for arrays that share their first axis.

``DataLoader(x, t, batch_size=100, shuffle=True, seed=0)`` yields ``(x_batch, t_batch)``
tuples, one pass over the data per ``for`` loop (a new order each pass when shuffling, drawn
from one seeded generator, so runs repeat exactly).  ``replacement=True`` draws each batch at
random with replacement instead -- the book's ``np.random.choice(train_size, batch_size)`` --
``num_batches`` times per pass.  Long loops show a progress bar when tqdm is installed.

>>> import numpy as np
>>> x, t = np.arange(10.0).reshape(5, 2), np.arange(5)
>>> [tb.tolist() for _, tb in DataLoader(x, t, batch_size=2)]
[[0, 1], [2, 3], [4]]
>>> [tb.tolist() for _, tb in DataLoader(x, t, batch_size=2, drop_last=True)]
[[0, 1], [2, 3]]
>>> [tb.tolist() for _, tb in DataLoader(x, t, batch_size=2, shuffle=True, seed=0)]
[[2, 4], [3, 0], [1]]
>>> len(DataLoader(x, t, batch_size=2, shuffle=True, replacement=True, num_batches=7))
7
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Iterator, Optional, Tuple, Union

import numpy as np

from . import checks as _checks

__all__ = ["DataLoader"]

Seed = Union[None, int, np.random.Generator]
LONG = 100  # batches from which a pass counts as a long loop (progress=None shows a bar)


def _tqdm() -> Any:
    """The tqdm module, or None when it is not installed (an optional extra, never required)."""
    try:
        return importlib.import_module("tqdm")
    except ImportError:
        return None


class DataLoader:
    """Batches of ``arrays`` (numpy arrays or lists of equal length along the first axis).

    - ``batch_size``: rows per batch; the last batch of a pass may be shorter unless
      ``drop_last=True`` (then the rest is left out, as in PyTorch).
    - ``shuffle``: a new order every pass, ``rng.permutation(n)``; ``seed`` is an int, a
      ``numpy.random.Generator`` (its stream is used and advanced) or None.
    - ``replacement`` (with ``shuffle=True``): each batch ``rng.choice(n, batch_size)``, rows
      drawn with replacement, ``num_batches`` per pass (default ``max(n // batch_size, 1)``).
    - ``progress``: True shows a tqdm bar (an ImportError naming tqdm when it is missing),
      False never, None (default) when tqdm is installed, stderr is a terminal and a pass has
      at least ``LONG`` batches.  ``desc`` labels the bar.

    One array gives batches that are arrays; several give tuples.  In order, batches are
    views of the arrays (no copy); shuffled, copies.
    """

    def __init__(self, *arrays: Any, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 replacement: bool = False, num_batches: Optional[int] = None, seed: Seed = None,
                 progress: Optional[bool] = None, desc: str = "batches") -> None:
        owner = "DataLoader"
        if not arrays:
            raise TypeError(f"{owner}: give at least one array")
        data = []
        for i, a in enumerate(arrays):
            if not isinstance(a, (np.ndarray, list, tuple)):
                raise TypeError(f"{owner}: array {i} is a {type(a).__name__}, expected a numpy array or a "
                                "list (for a Tensor, pass its .data)")
            a = np.asarray(a)
            if a.ndim == 0:
                raise ValueError(f"{owner}: array {i} is 0-d; batches need a first axis")
            data.append(a)
        n = len(data[0])
        lengths = [len(a) for a in data]
        if any(m != n for m in lengths):
            raise ValueError(f"{owner}: the arrays must have the same length along the first axis, "
                             f"got {lengths}")
        if n == 0:
            raise ValueError(f"{owner}: the arrays are empty")
        self.batch_size = _checks.count(batch_size, "batch_size", owner, minimum=1)
        self.shuffle = _checks.flag(shuffle, "shuffle", owner)
        self.drop_last = _checks.flag(drop_last, "drop_last", owner)
        self.replacement = _checks.flag(replacement, "replacement", owner)
        if self.replacement and not self.shuffle:
            raise ValueError(f"{owner}: replacement=True draws batches at random: it needs shuffle=True")
        if self.replacement and self.batch_size > n:
            raise ValueError(f"{owner}: batch_size {self.batch_size} is more than the {n} rows to draw from")
        if num_batches is not None and not self.replacement:
            raise ValueError(f"{owner}: num_batches is for replacement=True; a pass in order or shuffled "
                             "has len(data) / batch_size batches")
        self.num_batches = (max(n // self.batch_size, 1) if num_batches is None
                            else _checks.count(num_batches, "num_batches", owner, minimum=1))
        if progress is not None and not isinstance(progress, bool):
            raise TypeError(f"{owner}: progress must be True, False or None, got {progress!r}")
        if progress and _tqdm() is None:
            raise ImportError(f"{owner}: progress=True needs tqdm, which is not installed: pip install tqdm "
                              "(or progress=None: a bar only when tqdm is there)")
        if not isinstance(desc, str):
            raise TypeError(f"{owner}: desc must be a str, got {type(desc).__name__}")
        if seed is not None and not isinstance(seed, np.random.Generator) and not _checks.is_int(seed):
            raise TypeError(f"{owner}: seed must be an int, a numpy Generator or None, got {seed!r}")
        self.arrays: Tuple[np.ndarray, ...] = tuple(data)
        self.rng = np.random.default_rng(seed)
        self.progress, self.desc = progress, desc

    def __len__(self) -> int:
        """Batches per pass."""
        n = len(self.arrays[0])
        if self.replacement:
            return self.num_batches
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _batches(self) -> Iterator[Any]:
        n, size = len(self.arrays[0]), self.batch_size
        one = len(self.arrays) == 1
        if self.replacement:
            for _ in range(self.num_batches):
                drawn = self.rng.choice(n, size)
                yield self.arrays[0][drawn] if one else tuple(a[drawn] for a in self.arrays)
            return
        order = self.rng.permutation(n) if self.shuffle else None
        for start in range(0, len(self) * size, size):
            rows: Any = slice(start, start + size) if order is None else order[start:start + size]
            yield self.arrays[0][rows] if one else tuple(a[rows] for a in self.arrays)

    def __iter__(self) -> Iterator[Any]:
        show = self.progress
        if show is None:
            show = len(self) >= LONG and sys.stderr is not None and sys.stderr.isatty()
        tqdm = _tqdm() if show else None
        if tqdm is None:
            return self._batches()
        return iter(tqdm.tqdm(self._batches(), total=len(self), desc=self.desc, leave=False, file=sys.stderr,
                              mininterval=0.5))

    def __repr__(self) -> str:
        how = ("random with replacement" if self.replacement else "shuffled" if self.shuffle else "in order")
        return (f"DataLoader({len(self.arrays)} arrays of {len(self.arrays[0])} rows, batch_size="
                f"{self.batch_size}, {how}, {len(self)} batches per pass)")
