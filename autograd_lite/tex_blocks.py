"""LaTeX for slides and documents: a chain of equal expressions as an ``aligned`` block.

>>> print(aligned(["y", "a + b", "3"], "aligned"))
\\begin{aligned}
y &= a + b \\\\
&= 3
\\end{aligned}
"""

from __future__ import annotations

from typing import Optional, Sequence

__all__ = ["aligned", "ENVIRONMENTS"]

#: ``aligned`` goes inside display math (``$$ $$``, ``\\[ \\]``, a notebook, KaTeX);
#: ``align*`` is a document's own environment (amsmath).
ENVIRONMENTS = ("aligned", "align*")


def aligned(parts: Sequence[str], environment: Optional[str], where: str = "latex") -> str:
    """``a = b = c`` on one line (``environment=None``), or one ``= stage`` per line, aligned."""
    if environment is None:
        return " = ".join(parts)
    if environment not in ENVIRONMENTS:
        raise ValueError(f"{where}: environment must be None, 'aligned' or 'align*', got {environment!r}")
    rows = [f"{parts[0]} &= {parts[1]}" if len(parts) > 1 else parts[0]]
    rows += [f"&= {p}" for p in parts[2:]]
    body = " \\\\\n".join(rows)
    return f"\\begin{{{environment}}}\n{body}\n\\end{{{environment}}}"
