#!/usr/bin/env bash
# Set up (idempotent), then run every check and test layer. Exits non-zero if any layer fails;
# prints one line per layer and the test totals at the end. Logs: artifacts/logs/, screenshots:
# artifacts/e2e/.
#
#   lint      cargo fmt --check; clippy -D warnings natively (default features, and +web) and for
#             wasm32 (web only)
#   native    cargo test, web feature off and on
#   wasm      wasm-bindgen tests (tests/web.rs) in headless Chromium
#   build     trunk build --release (cargo profile `web`), size report against the budget
#   e2e       Playwright (tests/e2e/*.test.mjs) against dist/ served on 127.0.0.1
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

T0=$(now)
"$ROOT/scripts/setup.sh" || { printf '%stest: setup failed, nothing was tested%s\n' "$RED" "$RESET" >&2; exit 1; }

LOGS="$ROOT/artifacts/logs"
rm -rf "$LOGS" "$ROOT/artifacts/e2e"
mkdir -p "$LOGS"

LOCKED=()
[[ "${CI:-}" == "true" ]] && LOCKED=(--locked)
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-$([[ -t 1 ]] && echo always || echo never)}
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
WASM=(--target wasm32-unknown-unknown --no-default-features --features web)

RESULTS=()
FAILED=0 PASSED_TESTS=0 FAILED_TESTS=0 N=0
declare -A OK

# layer KEY "description" command...: run, log, time, record.
layer() {
  local key=$1 desc=$2
  shift 2
  N=$((N + 1))
  local log
  log="$LOGS/$(printf '%02d' $N)-$key.log"
  say "[$key] $desc"
  printf '    $ %s\n' "$*"
  local t
  t=$(now)
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local secs
  secs=$(since "$t")
  # Test totals: cargo/libtest and wasm-bindgen-test-runner ("test result: ok. 3 passed; 0 failed")
  # and node's test runner ("ℹ pass 2" / "ℹ fail 0" with the spec reporter).
  local counts
  counts=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
    /test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
    /^(ℹ|#) pass [0-9]+$/ { p += $NF }
    /^(ℹ|#) fail [0-9]+$/ { f += $NF }
    END { if (p + f > 0) printf "%d %d", p, f }')
  local note=""
  if [[ -n "$counts" ]]; then
    read -r p f <<<"$counts"
    PASSED_TESTS=$((PASSED_TESTS + p)) FAILED_TESTS=$((FAILED_TESTS + f))
    note="  ($p passed, $f failed)"
  fi
  if ((rc == 0)); then
    OK[$key]=1
    RESULTS+=("$(printf '  %sPASS%s  %-22s %7ss%s' "$GREEN" "$RESET" "$key" "$secs" "$note")")
  else
    FAILED=$((FAILED + 1))
    RESULTS+=("$(printf '  %sFAIL%s  %-22s %7ss%s  -> %s' "$RED" "$RESET" "$key" "$secs" "$note" "${log#"$ROOT"/}")")
  fi
}

skip() {
  FAILED=$((FAILED + 1))
  RESULTS+=("$(printf '  %sSKIP%s  %-22s          (%s)' "$YELLOW" "$RESET" "$1" "$2")")
}

# --- lint ---------------------------------------------------------------------------------------
layer fmt "rustfmt" cargo fmt --all -- --check
layer clippy-native "clippy, native, default features" \
  cargo clippy "${LOCKED[@]}" --all-targets -- -D warnings
layer clippy-native-web "clippy, native, + web" \
  cargo clippy "${LOCKED[@]}" --all-targets --features web -- -D warnings
# Not --all-targets: the core's unit tests and benches use native-only dev-dependencies
# (proptest, criterion); the wasm32 targets are the library, the web binary and tests/web.rs.
layer clippy-wasm32 "clippy, wasm32, web only" \
  cargo clippy "${LOCKED[@]}" "${WASM[@]}" --lib --bins --test web --test web_core --test web_bench -- -D warnings

# --- tests --------------------------------------------------------------------------------------
layer test-native "cargo test, web feature off" cargo test "${LOCKED[@]}"
layer test-native-web "cargo test, web feature on" cargo test "${LOCKED[@]}" --features web
layer test-wasm "wasm-bindgen tests in headless Chromium" \
  cargo test "${LOCKED[@]}" "${WASM[@]}" --test web --test web_core

# --- release build and size ---------------------------------------------------------------------
layer trunk-build "trunk build --release (profile web)" trunk build --release --offline
if [[ -n "${OK[trunk-build]:-}" ]]; then
  layer size "first-load size vs budget (over it fails)" "$ROOT/scripts/size.sh" --strict
else
  skip size "trunk build failed"
fi

# --- end-to-end ---------------------------------------------------------------------------------
SERVER_PID=
stop_server() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=; }
trap stop_server EXIT

e2e() {
  local url_file="$LOGS/server.url"
  : >"$url_file"
  node tests/e2e/support/server.mjs dist 0 >"$url_file" 2>"$LOGS/server.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    [[ -s "$url_file" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  local url
  url=$(head -n1 "$url_file")
  if [[ -z "$url" ]]; then
    echo "static server did not start:"
    cat "$LOGS/server.err"
    return 1
  fi
  echo "serving dist/ at $url"
  BASE_URL=$url node --test --test-reporter=spec tests/e2e/*.test.mjs
  local rc=$?
  stop_server
  return $rc
}
if [[ -n "${OK[trunk-build]:-}" ]]; then
  layer e2e "Playwright end-to-end against dist/" e2e
else
  skip e2e "trunk build failed"
fi

# --- summary ------------------------------------------------------------------------------------
printf '\n%sSummary%s (logs in artifacts/logs/, screenshots in artifacts/e2e/)\n' "$BOLD" "$RESET"
printf '%s\n' "${RESULTS[@]}"
printf '%d passed, %d failed\n' "$PASSED_TESTS" "$FAILED_TESTS"
if ((FAILED > 0)); then
  printf '%s%d layer(s) failed%s after %s s\n' "$RED" "$FAILED" "$RESET" "$(since "$T0")"
  exit 1
fi
printf '%sall layers passed%s in %s s\n' "$GREEN" "$RESET" "$(since "$T0")"
