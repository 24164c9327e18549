"""``python -m autograd_lite``: the same command line as ``autograd-lite`` (see ``viz.cli``).

A launcher only: the package itself never imports ``viz``; the command line lives there
because drawing needs Graphviz.
"""

import importlib
import sys


def _main() -> int:
    cli = importlib.import_module("viz.cli")
    return int(cli.main(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(_main())
