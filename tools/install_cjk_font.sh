#!/usr/bin/env bash
# Installs a small CJK font (WenQuanYi Micro Hei, ~4 MB) so that Graphviz draws Chinese pictures
# (lang="zh") with Chinese characters instead of empty boxes; or says how.
set -u
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing a CJK font (fonts-wqy-microhei) with apt-get ..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null) \
    && exit 0
fi
cat >&2 <<'MSG'
Chinese pictures (lang="zh") need a CJK font. Install one with:
  Debian/Ubuntu:  sudo apt-get install fonts-wqy-microhei
  Fedora:         sudo dnf install wqy-microhei-fonts
  macOS, Windows: a CJK font comes with the system (PingFang SC, Microsoft YaHei)
MSG
exit 1
