#!/usr/bin/env bash
# Sets up everything this checkout needs on a fresh machine: a Python 3.12+ virtualenv from the
# lock file, the front-end packages from the npm lock file and, with --test, the system programs
# the test suite drives (Chromium, Redis, PostgreSQL). Safe to run again: each step is skipped
# when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

find_python() {
  local c
  for c in "${PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  for c in /root/.pyenv/versions/3.1[2-9]*/bin/python3 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9]; do
    if [ -x "$c" ] && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}

apt_install() {
  # Installs Debian packages when we may (root); otherwise says exactly what is missing.
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    log "installing system packages: $*"
    if [ ! -f /tmp/.clinicore-apt-updated ]; then apt-get update -qq && touch /tmp/.clinicore-apt-updated; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "Missing system packages: $*. Install them with: sudo apt-get install -y $*" >&2
    exit 1
  fi
}

stamp=.venv/.lock-sha
lock_sha=$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sha" ]; then
  py=$(find_python) || { echo "Python 3.12 or newer is needed (python3.12 not found)." >&2; exit 1; }
  log "creating .venv with $py"
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --require-hashes -r requirements.lock
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  echo "$lock_sha" > "$stamp"
fi

if [ -f package-lock.json ]; then
  npm_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -d node_modules ] || [ "$(cat node_modules/.lock-sha 2>/dev/null)" != "$npm_sha" ]; then
    command -v npm >/dev/null || apt_install nodejs npm
    log "installing front-end packages (npm ci)"
    npm ci --silent --no-audit --no-fund >/dev/null
    echo "$npm_sha" > node_modules/.lock-sha
  fi
fi

if [ "$want_test" = 1 ]; then
  missing=()
  command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v redis-server >/dev/null || missing+=(redis-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib)
  command -v msgfmt >/dev/null || missing+=(gettext)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
fi
