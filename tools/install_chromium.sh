#!/usr/bin/env bash
# Installs Debian's Chromium and chromedriver (system packages) for the browser tests of the
# interactive page, or says how.  Without them those tests skip and say why.
set -u
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium and chromium-driver with apt-get ..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) && exit 0
fi
cat >&2 <<'MSG'
The browser tests of the step-by-step page need Chromium and chromedriver. Install them with:
  Debian/Ubuntu:  sudo apt-get install chromium chromium-driver
The tests skip without them.
MSG
exit 1
