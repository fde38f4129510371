# Shared helpers for scripts/*.sh (sourced, not run).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  BOLD=$'\e[1m' RED=$'\e[31m' GREEN=$'\e[32m' YELLOW=$'\e[33m' RESET=$'\e[0m'
else
  BOLD='' RED='' GREEN='' YELLOW='' RESET=''
fi

say() { printf '%s==>%s %s\n' "$BOLD" "$RESET" "$*"; }
warn() { printf '%swarning:%s %s\n' "$YELLOW" "$RESET" "$*" >&2; }

# die STEP WHY FIX: stop with a message naming the step, the cause and the remedy.
die() {
  printf '\n%sFAILED at step "%s"%s\n  why: %s\n  fix: %s\n' "$RED" "$1" "$RESET" "$2" "$3" >&2
  exit 1
}

# The wasm-bindgen version: Cargo.toml pins the crate exactly ("=x.y.z"); Cargo.lock records it.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { found = 1; next } found && /^version = / { gsub(/"/, "", $3); print $3; exit }' \
    "$ROOT/Cargo.lock"
}

# trunk's version: Trunk.toml `trunk-version = "=x.y.z"`.
trunk_version() {
  sed -n 's/^trunk-version *= *"=\{0,1\}\([0-9.]*\)".*/\1/p' "$ROOT/Trunk.toml" | head -n1
}

# wasm-opt's version as trunk wants it: Trunk.toml [tools] `wasm_opt = "version_N"`.
wasm_opt_version() {
  sed -n 's/^wasm_opt *= *"\(version_[0-9]*\)".*/\1/p' "$ROOT/Trunk.toml" | head -n1
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
