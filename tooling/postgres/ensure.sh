#!/usr/bin/env bash
# tooling/postgres/ensure.sh: make PostgreSQL's server binaries (initdb, pg_ctl, postgres) available for the test
# suites and benchmarks, which start their own throwaway cluster (ADR-0015). Nothing is started here and no system
# service is used.
#
#   tooling/postgres/ensure.sh          print the binary directory; install Debian's `postgresql` first when missing
#   tooling/postgres/ensure.sh --check  print the binary directory, or fail (exit 1) without installing
#
# Idempotent: when the binaries are present it only looks, which takes milliseconds. Installing needs root
# (apt-get); without root a missing PostgreSQL is a clear failure, never a silent skip.
set -euo pipefail

die() { printf 'postgres: %s\n' "$*" >&2; exit 1; }

# Where Debian puts the versioned server binaries; overridable for this script's own tests.
LIB="${SPEC_KITTY_POSTGRES_LIB:-/usr/lib/postgresql}"

bin_dir() { # the newest /usr/lib/postgresql/<major>/bin holding the three server binaries
  local dir best=""
  for dir in $(ls -d "$LIB"/*/bin 2>/dev/null | sort -V); do
    [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]] && best="$dir"
  done
  [[ -n "$best" ]] && printf '%s\n' "$best"
}

if dir="$(bin_dir)"; then
  printf '%s\n' "$dir"
  exit 0
fi

hint="install Debian's postgresql package (apt-get install -y postgresql) or run this script as root: tooling/postgres/ensure.sh"
[[ "${1:-}" == "--check" ]] && die "PostgreSQL server binaries not found under $LIB/*/bin; $hint"
[[ "$(id -u)" -eq 0 ]] || die "PostgreSQL server binaries not found under $LIB/*/bin and this is not root, so they cannot be installed here; $hint"
command -v apt-get >/dev/null 2>&1 || die "PostgreSQL server binaries not found and apt-get is missing: install PostgreSQL 13 or newer so that /usr/lib/postgresql/<major>/bin exists"

printf 'postgres: installing Debian'"'"'s postgresql package (apt-get)\n' >&2
log="$(mktemp -t spec-kitty-postgres-install.XXXXXX.log)"
export DEBIAN_FRONTEND=noninteractive
if ! timeout 300 apt-get update >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  die "apt-get update failed or took longer than 300 s (log: $log)"
fi
if ! timeout 600 apt-get install -y --no-install-recommends postgresql >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  die "apt-get install -y postgresql failed or took longer than 600 s (log: $log)"
fi
dir="$(bin_dir)" || die "apt-get installed postgresql but no $LIB/*/bin holds initdb, pg_ctl and postgres (log: $log)"
id -u postgres >/dev/null 2>&1 || die "the postgresql package created no 'postgres' user; root cannot run initdb without one"
rm -f "$log"
printf '%s\n' "$dir"
