#!/usr/bin/env bash
# Set up quizgen in ./.venv on Debian/Ubuntu: system libraries and fonts, then pip.
#   bash scripts/setup.sh          what `quizgen make` needs
#   bash scripts/setup.sh --test   plus what the tests need (poppler-utils, chromium, test extras)
set -euo pipefail
cd "$(dirname "$0")/.."

test_deps=false
[ "${1:-}" = "--test" ] && test_deps=true

# WeasyPrint needs Pango/HarfBuzz (harfbuzz-subset for fast font subsetting); STIX and
# Liberation are fallbacks for the HTML pages (PDFs embed the STIX Two files in quizgen/fonts).
# Graphviz's dot draws the backprop kind's expression graphs.
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig
          fonts-stix fonts-liberation2 fonts-dejavu-core graphviz)
if $test_deps; then
  # pdftoppm/pdftotext for looking at PDFs; Debian's Chromium for the browser tests.
  packages+=(poppler-utils chromium)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  missing+=(python3-venv)
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "quizgen needs Python 3.11 or newer")'
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if $test_deps; then
  .venv/bin/python -m pip install -q ".[test]"
else
  .venv/bin/python -m pip install -q .
fi
echo "quizgen is installed in .venv (run .venv/bin/quizgen --help)"
