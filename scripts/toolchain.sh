# Installs what building and testing need, skipping whatever is already there.
# Sourced by the scripts that build or test; every step is idempotent.

# cargo-leptos 0.3.11 needs a newer rustc than stable here; keep this pin.
CARGO_LEPTOS_VERSION=0.3.10

step() { printf '\n== %s\n' "$*"; }

# The release site as ./scripts/run serves it and the tests, bench and
# reliability suite measure it (README.md, "Compression and caching" and
# "Lazily loaded pages"): optimised, .br/.gz copies of the site's files, and a
# WASM chunk per lazily loaded page. Used with LEPTOS_HASH_FILES=true, which
# names the files by their hashes.
RELEASE_SITE=(--release --precompress --split)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || { step "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
}

ensure_cargo_leptos() {
  cargo leptos --version 2>/dev/null | grep -qx "cargo-leptos $CARGO_LEPTOS_VERSION" \
    || { step "installing cargo-leptos $CARGO_LEPTOS_VERSION (once, ~16 min)"; cargo install cargo-leptos@"$CARGO_LEPTOS_VERSION" --locked; }
}

# The wasm-bindgen CLI must equal the wasm-bindgen crate version in Cargo.lock.
ensure_wasm_bindgen() {
  local version
  version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $version" \
    || { step "installing wasm-bindgen-cli $version (once, ~3 min)"; cargo install wasm-bindgen-cli --version "$version"; }
}

# Playwright and binaryen's wasm-opt (npm's build: Debian's produces broken wasm).
ensure_npm_deps() {
  local stamp=end2end/node_modules/.installed-lock
  if [ -f "$stamp" ] && cmp -s end2end/package-lock.json "$stamp"; then return; fi
  step "npm ci (end2end)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  cp end2end/package-lock.json "$stamp"
}

# Installs Debian packages, quietly.
apt_install() {
  step "apt-get install $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_chromium() {
  command -v chromium >/dev/null || apt_install chromium
}

use_npm_tools() {
  export PATH="$PWD/end2end/node_modules/.bin:$PATH"
}

# Python 3 itself (scripts/sqlx-prepare applies the migrations with its sqlite3 module).
ensure_python3() {
  command -v python3 >/dev/null || apt_install python3
}

# Python tools (Schemathesis) in a virtual environment of their own, pinned by
# scripts/fuzz/requirements.txt; sets FUZZ_PY and FUZZ_BIN.
ensure_fuzz_venv() {
  local venv="${UC_VENV:-$HOME/.cache/user-center/venv}"
  local stamp="$venv/.installed-requirements"
  FUZZ_BIN="$venv/bin"
  FUZZ_PY="$venv/bin/python"
  if [ -f "$stamp" ] && cmp -s scripts/fuzz/requirements.txt "$stamp"; then return; fi
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3 python3-venv
  step "python venv with Schemathesis ($venv)"
  [ -x "$FUZZ_PY" ] || python3 -m venv "$venv"
  "$FUZZ_PY" -m pip install -q --disable-pip-version-check -r scripts/fuzz/requirements.txt
  cp scripts/fuzz/requirements.txt "$stamp"
}

# Debian's PostgreSQL server programs (initdb, pg_ctl); sets PG_BIN.
ensure_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    apt_install postgresql
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
}

# Starts a throwaway PostgreSQL cluster for tests: a new temporary directory,
# run by an unprivileged user (the package's `postgres` user when this runs as
# root), listening on 127.0.0.1 only, on a free port. Sets UC_PG_DIR and
# PG_DATABASE_URL (a database `uc` owned by role `uc`); pg_cluster_stop
# removes it all. Durability settings stay at their defaults (fsync on), so
# the crash tests crash a real configuration.
pg_cluster_start() {
  ensure_postgres
  ensure_python3
  local run=()
  if [ "$(id -u)" -eq 0 ]; then run=(runuser -u postgres --); fi
  UC_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/uc-pg.XXXXXX")
  chmod 700 "$UC_PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$UC_PG_DIR"
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${run[@]}" "$PG_BIN/initdb" -D "$UC_PG_DIR/data" -U uc --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${run[@]}" "$PG_BIN/pg_ctl" -D "$UC_PG_DIR/data" -l "$UC_PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $UC_PG_DIR -c max_connections=300" start >/dev/null
  "${run[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U uc uc
  PG_DATABASE_URL="postgres://uc@127.0.0.1:$port/uc"
  PG_RUN=("${run[@]}")
  export UC_PG_DIR PG_DATABASE_URL
}

pg_cluster_stop() {
  [ -n "${UC_PG_DIR:-}" ] && [ -d "$UC_PG_DIR" ] || return 0
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$UC_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$UC_PG_DIR"
  unset UC_PG_DIR
}
