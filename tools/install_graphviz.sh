#!/usr/bin/env bash
# Installs the Graphviz `dot` program (a system package, not a pip package) or says how.
set -u
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Graphviz with apt-get ..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) && exit 0
fi
cat >&2 <<'MSG'
The Graphviz 'dot' program is needed to render pictures. Install it with one of:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz
  conda:          conda install -c conda-forge graphviz
  Windows:        winget install graphviz
MSG
exit 1
