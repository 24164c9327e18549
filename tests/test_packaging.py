"""The distributions as pip users get them: built with `python -m build`, checked with twine, installed.

Oracles: the real tools (build, twine, pip), the archives' own file lists, and the installed
console script run from a folder where the checkout is not importable. (.ci/run also runs the
whole test suite from the unpacked sdist, and the core tests on Python 3.9 and 3.13.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def run(args: List[str], **kwargs: object) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    pytest.importorskip("build", reason="the 'build' package (test extra) builds the distributions")
    out = tmp_path_factory.mktemp("dist")
    done = run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)])
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist, "log": done.stdout + done.stderr}  # type: ignore[dict-item]


def test_the_build_has_no_package_configuration_warning(dists: Dict[str, Path]) -> None:
    # setuptools warns (and will refuse) when a folder of data files looks like a package the
    # configuration does not list (the Chinese catalog's, the vendored Viz.js's)
    assert "absent from the `packages` configuration" not in str(dists["log"])


def test_wheel_installs_only_distinctive_top_level_names(dists: Dict[str, Path]) -> None:
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = wheel.namelist()
        metadata = next(wheel.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"autograd_lite", "viz", "autograd_lite_demos"}  # no `demos`, no `tests`
    assert "autograd_lite_demos/moons.py" in names and "autograd_lite/py.typed" in names
    # the page lays graphs out in the browser with the vendored Graphviz: shipped with its licence
    assert {"viz/_vendor/viz-global.js", "viz/_vendor/LICENSE", "viz/_vendor/VERSION"} <= set(names)
    assert "autograd_lite/locale/zh/LC_MESSAGES/autograd_lite.mo" in names  # the Chinese words
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    required = [line.split(":", 1)[1].strip() for line in metadata.splitlines()
                if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert sorted(r.split(">")[0].split("=")[0].strip() for r in required) == ["graphviz", "numpy"]
    assert "Requires-Python: >=3.9" in metadata


def test_sdist_ships_what_the_tests_read(dists: Dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    needed = {"LICENSE", "README.md", "CHANGELOG.md", "CONTRIBUTING.md", "Makefile", "setup.cfg",
              "pyproject.toml", "docs/api.md", "docs/tutorial.md", "docs/images/apple_orange.png",
              "docs/images/apple_orange.dot", "tests/test_docs.py", "tests/memlimit.py", "tests/graphs.py",
              "tools/make_doc_images.py", "demos/README.md", "demos/moons.py", ".ci/run",
              "autograd_lite/locale/zh/LC_MESSAGES/autograd_lite.po",
              "autograd_lite/locale/zh/LC_MESSAGES/autograd_lite.mo", "tools/i18n.py",
              "viz/_vendor/viz-global.js", "viz/_vendor/LICENSE", "viz/_vendor/VERSION"}
    assert needed <= names, sorted(needed - names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "Copyright (c) 2026 the autograd_lite developers" in (ROOT / "LICENSE").read_text()


def test_twine_check_passes(dists: Dict[str, Path]) -> None:
    pytest.importorskip("twine", reason="twine (test extra) checks the README renders on PyPI")
    done = run([sys.executable, "-m", "twine", "check", "--strict", str(dists["wheel"]), str(dists["sdist"])])
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_installed_wheel_runs_without_the_checkout(dists: Dict[str, Path], tmp_path: Path) -> None:
    """pip-install the wheel (not editable) into a folder and use it from elsewhere: `import viz`
    as documented, the CLI's demos found under their installed name, no `demos` package."""
    target = tmp_path / "site"
    done = run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                "--target", str(target), str(dists["wheel"])])
    assert done.returncode == 0, done.stderr
    env = dict(os.environ, PYTHONPATH=str(target))
    work = tmp_path / "elsewhere"
    work.mkdir()
    probe = ("import importlib.util, autograd_lite, viz, autograd_lite_demos\n"
             "from autograd_lite import Value\n"
             "x, y = Value(1.0, 'x'), Value(2.0, 'y'); z = (x + y)**2; z.backward()\n"
             "assert '∂t1' in viz.draw(z).source\n"
             "assert 'Viz.js 3.31.0' in viz.page.page_html(z, layout='browser')\n"
             "print(autograd_lite.__file__); print(viz.__file__); print(autograd_lite_demos.__file__)\n"
             "print(importlib.util.find_spec('demos'))\n")
    done = run([sys.executable, "-c", probe], cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    *files, demos_spec = done.stdout.splitlines()
    assert all(f.startswith(str(target)) for f in files), files
    assert demos_spec == "None"
    script = target / "bin" / "autograd-lite"
    done = run([str(script), "demo"], cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("demos: apple-orange, chain-rule, conv-net, feedforward, functions, "
                                   "higher-order, layers, miniflow, moons, two-layer-net")
    done = run([str(script), "demo", "apple-orange", "--no-plot"], cwd=work, env=env)
    assert done.returncode == 0, done.stderr
    assert "715" in done.stdout
    done = run([sys.executable, "-m", "autograd_lite_demos.layers", "--help"], cwd=work, env=env)
    assert done.returncode == 0 and "python -m autograd_lite_demos.layers" in done.stdout, done.stderr
