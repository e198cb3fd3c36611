#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests (apps/dashboard/test/*.e2e.test.ts), once.
# Idempotent: does nothing when /usr/bin/chromium (or $SPEC_KITTY_CHROMIUM) already runs.
# The tests never skip when the browser is missing: they fail and name this script.
set -euo pipefail
browser="${SPEC_KITTY_CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$browser" ]] && "$browser" --version >/dev/null 2>&1; then
  echo "chromium: $("$browser" --version)"
  exit 0
fi
if [[ "$(id -u)" != "0" ]]; then
  echo "chromium: $browser is missing and installing it needs root (apt-get install -y chromium)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq
timeout 900 apt-get install -y -qq --no-install-recommends chromium >/dev/null
if ! "$browser" --version; then
  echo "chromium: installed, but $browser does not run" >&2
  exit 1
fi
