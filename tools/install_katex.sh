#!/usr/bin/env bash
# Installs KaTeX (from the npm registry, into .katex/ of the checkout, not shipped) so the tests can
# compile every LaTeX string the library writes; without node or npm those tests skip and say why.
set -u
cd "$(dirname "$0")/.."
if [ -f .katex/node_modules/katex/package.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the LaTeX compile tests will skip (install Node.js to run them)" >&2
  exit 1
fi
npm install --silent --no-audit --no-fund --prefix .katex katex@0.16 >/dev/null
