"""The code's layout: no import circles in the core, core types load no teaching module, viz reads
graphs through autograd_lite.reading, no file over ~400 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "autograd_lite"
# What teaches (words, tables, pages, programs); the core computes and never needs it to.
TEACHING = {"autograd_lite.explain", "autograd_lite.chain", "autograd_lite.words", "autograd_lite.display",
            "autograd_lite.reading", "autograd_lite.adjoint_code", "autograd_lite.adjoint_tensor",
            "autograd_lite.adjoint_common"}
# Circles still allowed, each named (none now: nn's layers declare their PyTorch twins to the
# converter, which imports none of them; the adjoint program's writers share adjoint_common).
ALLOWED: List[Set[str]] = []


def modules() -> Dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out[name[: -len(".__init__")] if name.endswith(".__init__") else name] = path
    return out


def _targets(node: ast.AST, package: str, mods: Dict[str, Path]) -> Set[str]:
    """The package modules one import statement names."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in mods}
    assert isinstance(node, ast.ImportFrom)
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1] if node.level else []
    target = ".".join(base + ([node.module] if node.module else []))
    found = {f"{target}.{a.name}" if f"{target}.{a.name}" in mods else target for a in node.names}
    return {t for t in found if t in mods}


def _statements(tree: ast.AST, lazy: bool) -> List[ast.AST]:
    """The import statements of a module (with ``lazy``, those inside functions too), without the
    ones under ``if TYPE_CHECKING``."""
    out: List[ast.AST] = []
    todo = list(ast.iter_child_nodes(tree))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not lazy:
            continue
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out


def imports(lazy: bool) -> Dict[str, Set[str]]:
    """module -> the package modules it imports (at import time; with ``lazy``, in functions too)."""
    mods = modules()
    edges: Dict[str, Set[str]] = {}
    for m, path in mods.items():
        package = m if path.name == "__init__.py" else m.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[m] = {t for node in _statements(tree, lazy) for t in _targets(node, package, mods)} - {m}
    return edges


def circles(edges: Dict[str, Set[str]]) -> List[Set[str]]:
    """The strongly connected components of more than one module (Tarjan, without recursion)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on: Set[str] = set()
    out: List[Set[str]] = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(comp)
    return out


def allowed(comp: Set[str]) -> bool:
    def inside(m: str, prefixes: Set[str]) -> bool:
        return any(m == p or m.startswith(p + ".") for p in prefixes)

    return any(all(inside(m, prefixes) for m in comp) for prefixes in ALLOWED)


def test_no_module_imports_in_a_circle_at_import_time() -> None:
    assert circles(imports(lazy=False)) == []


def test_the_core_imports_in_no_circle_even_inside_functions() -> None:
    found = circles(imports(lazy=True))
    assert [sorted(c) for c in found if not allowed(c)] == []
    # the scalar core is in none at all, the allowed ones included
    core = {"autograd_lite.value", "autograd_lite.value_graph", "autograd_lite.value_protocol",
            "autograd_lite.engine", "autograd_lite.ops", "autograd_lite.generic", "autograd_lite.numeric",
            "autograd_lite.specialise", "autograd_lite.function", "autograd_lite.explain"}
    assert all(not (c & core) for c in found), found


def test_the_core_types_load_no_teaching_module() -> None:
    code = ("import sys\nfrom autograd_lite import Value\nv = (Value(2.0) * 3).tanh(); v.backward()\n"
            "scalar = set(sys.modules)\nfrom autograd_lite import Tensor\n"
            "(Tensor([1.0, 2.0], requires_grad=True) ** 2).sum().backward()\n"
            "print(sorted(scalar)); print(sorted(sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    scalar, tensor = (set(eval(line)) for line in done.stdout.splitlines())  # noqa: S307 (our own print)
    assert "numpy" not in scalar  # a scalar script needs no numpy
    assert not TEACHING & tensor, TEACHING & tensor


def test_viz_reads_graphs_through_the_public_modules() -> None:
    # the walk, names, contributions, previews, rows and words come from autograd_lite.reading;
    # from explain only its public API; never a private name
    public = {"autograd_lite", "autograd_lite.reading", "autograd_lite.format", "autograd_lite.explain",
              "autograd_lite.display", "autograd_lite.gradcheck", "autograd_lite.ops", "autograd_lite.i18n",
              "autograd_lite.groups", "autograd_lite.scalar_nn", "autograd_lite.nn"}
    used: Dict[str, Set[str]] = {}
    for path in (ROOT / "viz").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd_lite"):
                used.setdefault(node.module or "", set()).update(a.name for a in node.names)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("autograd_lite.") for a in node.names), path
    assert set(used) <= public, set(used) - public
    assert used.get("autograd_lite.explain", set()) <= {"Explanation", "explain"}, used
    names = {name for group in used.values() for name in group}
    assert {name for name in names if name.startswith("_")} <= {"__version__"}, names


def test_no_file_over_about_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for folder in ("autograd_lite", "viz", "demos", "tools")
            for p in (ROOT / folder).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420}
    assert long == {}
