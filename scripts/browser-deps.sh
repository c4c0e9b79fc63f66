#!/usr/bin/env bash
# Install what tests/test_browser_e2e.py needs on Debian (12, bookworm), idempotently:
#   - Debian's `chromium` package (apt-get update runs only when chromium is missing);
#   - `playwright` from PyPI into a virtual environment. Playwright drives the system
#     Chromium (executable_path=/usr/bin/chromium): there is no `playwright install`, which
#     would download a browser of its own.
#
#   scripts/browser-deps.sh [VENV]        VENV defaults to .venv (relative to the repo root)
#
# Needs root for apt-get (or sudo). Measured on a 2-core Debian 12 machine: apt-get install
# -y chromium 26 s (chromium 156: 115 new and 15 upgraded packages), apt-get update 1.5 s
# (lists already fetched once), pip install playwright 6-8 s (1.65.2 and greenlet), a run
# with everything present 1 s.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
VENV=${1:-.venv}
[[ $VENV == /* ]] || VENV="$REPO_ROOT/$VENV"

# The versions the e2e test was written against: 1.41 brought unroute_all(behavior=...);
# checked with 1.65.2.
PLAYWRIGHT_SPEC='playwright>=1.41,<2'

info() { echo "browser-deps.sh: $*"; }
die() {
  echo "browser-deps.sh: error: $*" >&2
  exit 1
}

# --- Chromium -------------------------------------------------------------------

if command -v chromium >/dev/null 2>&1; then
  info "chromium present: $(command -v chromium)"
else
  command -v apt-get >/dev/null 2>&1 || die "chromium is missing and there is no apt-get; install Chromium and set CHROMIUM=/path/to/chromium"
  SUDO=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "installing chromium needs root (or sudo)"
    SUDO=(sudo)
  fi
  start=$SECONDS
  info "apt-get update"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  info "apt-get install -y chromium"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  command -v chromium >/dev/null 2>&1 || die "chromium still missing after apt-get install"
  info "chromium installed in $((SECONDS - start)) s"
fi

# --- Playwright -----------------------------------------------------------------

[[ -x $VENV/bin/python ]] || die "no virtual environment at $VENV (run make install first, or pass its path)"
start=$SECONDS
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PLAYWRIGHT_SPEC"
info "$("$VENV/bin/python" -m pip show playwright 2>/dev/null | awk '/^Version:/ {print "playwright " $2}') in $VENV ($((SECONDS - start)) s)"
