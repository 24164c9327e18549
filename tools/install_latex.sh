#!/usr/bin/env bash
# Installs pdflatex and lualatex with TikZ (Debian's texlive-latex-base and texlive-pictures, about
# 30 MB to download and a minute to install) so the tests compile the TikZ pictures (viz.render to
# .tex / .tikz); without them those tests skip and say why.
set -u
if command -v pdflatex >/dev/null 2>&1 && kpsewhich tikz.sty >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing LaTeX (texlive-latex-base, texlive-pictures) with apt-get ..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
     texlive-latex-base texlive-pictures >/dev/null) && exit 0
fi
cat >&2 <<'MSG'
pdflatex with TikZ is needed to compile the TikZ pictures in the tests. Install one of:
  Debian/Ubuntu:  sudo apt-get install texlive-latex-base texlive-pictures
  Fedora:         sudo dnf install texlive-scheme-basic texlive-pgf
  macOS:          brew install --cask mactex-no-gui
  any system:     TeX Live (https://tug.org/texlive/) or MiKTeX
MSG
exit 1
