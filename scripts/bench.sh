#!/usr/bin/env bash
# Benchmarks (not tests): native engine and quorum Monte Carlo (criterion), the engine loop in
# wasm in headless Chromium, the Monte Carlo in the release Web Worker (needs a trunk build in dist/),
# and the CLI's raft-election sweep. Prints the figures; asserts none.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}

echo "== native engine (criterion)"
cargo bench --bench engine 2>&1 | grep -E "^engine/|thrpt|trace memory"
echo "== quorum Monte Carlo (criterion)"
cargo bench --bench quorum 2>&1 | grep -E "^quorum|thrpt" || true
echo "== engine in wasm (headless Chromium, release)"
cargo test --release --target wasm32-unknown-unknown --no-default-features --features web \
  --test web_bench -- --nocapture 2>&1 | grep -E "wasm engine" || true
echo "== PBS Monte Carlo in the Web Worker (release wasm, headless Chromium)"
if [[ -f "$ROOT/dist/index.html" ]] && compgen -G "$ROOT/dist/swarmscope-worker_bg.wasm" >/dev/null; then
  node tests/e2e/bench-worker.mjs 2>&1 | tail -n 4 || true
else
  echo "(no worker build in dist/: run \`trunk build --release --offline\` first)"
fi
echo "== raft-election sweep, 10,000 trials"
cargo build --release --bin swarmscope -q
/usr/bin/time -f "%e s wall" ./target/release/swarmscope sweep raft-election --trials 10000 \
  --set nodes=5 --set failed=0 --set latency=30ms..40ms --set election_timeout=300ms..600ms \
  --set heartbeat=150ms --json | grep -A3 '"time_without_leader_ms"' || true
echo "== load time on loopback (release build, headless Chromium, cold cache)"
trunk build --release --offline >/dev/null 2>&1
node tests/e2e/bench-load.mjs
