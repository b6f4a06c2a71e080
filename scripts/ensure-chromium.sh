#!/usr/bin/env bash
# Installs Debian's Chromium (browser tests, PDF export) and poppler-utils (pdftoppm/pdftotext: the PDF test
# renders pages to PNG) when missing. Never fails the build: without them the browser and PDF tests skip with
# a message naming this script, and `reformkit run` writes the HTML report and says how to get the PDF.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's ${missing[*]} for the browser tests and PDF export..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
    || echo "${missing[*]} could not be installed; browser and PDF tests will be skipped"
else
  echo "${missing[*]} not installed; run: sudo apt-get install ${missing[*]} (needed for the PDF report and browser tests)"
fi
exit 0
