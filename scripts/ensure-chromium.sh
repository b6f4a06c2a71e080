#!/usr/bin/env bash
# Installs Debian's Chromium when it is missing (browser test, PDF export). Never fails the build:
# without it the browser tests skip with a message naming this script.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests and PDF export..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed; browser tests will be skipped"
else
  echo "chromium is not installed; install it (apt-get install chromium) to run browser tests and export PDF"
fi
exit 0
