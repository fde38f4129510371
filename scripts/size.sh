#!/usr/bin/env bash
# First-load bytes of the release build in dist/ (wasm + JS + CSS), raw and gzipped (-9), checked
# against the budget. Usage: scripts/size.sh [dist-dir]   (build first: scripts/test.sh or
# `trunk build --release --offline`). Budget: SIZE_BUDGET_GZ (bytes, default 250000 = 250 KB).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIST=${1:-$ROOT/dist}
BUDGET=${SIZE_BUDGET_GZ:-250000}

[[ -f "$DIST/index.html" ]] || die size "no build in $DIST" "run \`trunk build --release --offline\` (or scripts/test.sh) first"

shopt -s nullglob
files=("$DIST"/*.wasm "$DIST"/*.js "$DIST"/*.css)
((${#files[@]})) || die size "no .wasm/.js/.css files in $DIST" "rebuild with trunk"

kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1000 }'; }
raw_total=0 gz_total=0
printf '%-44s %12s %12s\n' "first-load file" "raw" "gzip -9"
for f in "${files[@]}"; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  raw_total=$((raw_total + raw)) gz_total=$((gz_total + gz))
  printf '%-44s %12s %12s\n' "$(basename "$f")" "$(kb "$raw")" "$(kb "$gz")"
done
printf '%-44s %12s %12s\n' "TOTAL (wasm + JS + CSS)" "$(kb $raw_total)" "$(kb $gz_total)"
html=$(wc -c <"$DIST/index.html")
printf '%-44s %12s %12s\n' "(index.html, not counted)" "$(kb "$html")" "$(kb "$(gzip -9 -c "$DIST/index.html" | wc -c)")"

if ((gz_total > BUDGET)); then
  printf '%sOVER BUDGET:%s %s gzipped > %s\n' "$RED" "$RESET" "$(kb $gz_total)" "$(kb "$BUDGET")"
  # The budget is a target reported in the issue notes, not a gate on every change; `--strict`
  # (for release checks) makes it fail.
  [[ "${1:-}" == "--strict" ]] && exit 1
  exit 0
fi
printf 'size: %s raw, %s gzipped, within the %s gzipped budget (%d%% used)\n' \
  "$(kb $raw_total)" "$(kb $gz_total)" "$(kb "$BUDGET")" $((gz_total * 100 / BUDGET))
