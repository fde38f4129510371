#!/usr/bin/env bash
# First-load bytes of the release build in dist/ (wasm + JS + CSS), raw and gzipped (-9), checked
# against the budget. The Web Worker (swarmscope-worker*: the Monte Carlo, the checkers, the election
# study) loads only when a panel needs it, so it is listed separately and not counted. Usage: scripts/size.sh [dist-dir]   (build first: scripts/test.sh or
# `trunk build --release --offline`). Budget: SIZE_BUDGET_GZ (bytes, default 250000 = 250 KB).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIST=${1:-$ROOT/dist}
BUDGET=${SIZE_BUDGET_GZ:-250000}

[[ -f "$DIST/index.html" ]] || die size "no build in $DIST" "run \`trunk build --release --offline\` (or scripts/test.sh) first"

shopt -s nullglob
files=() worker=()
for f in "$DIST"/*.wasm "$DIST"/*.js "$DIST"/*.css; do
  case "$(basename "$f")" in
    swarmscope-worker*) worker+=("$f") ;;
    *) files+=("$f") ;;
  esac
done
((${#files[@]})) || die size "no .wasm/.js/.css files in $DIST" "rebuild with trunk"

kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1000 }'; }
# Prints one row per file (name indented by $1) and sets raw_total / gz_total.
list() {
  local indent=$1 width=$((44 - ${#1})) f raw gz
  shift
  raw_total=0 gz_total=0
  for f in "$@"; do
    raw=$(wc -c <"$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    raw_total=$((raw_total + raw)) gz_total=$((gz_total + gz))
    printf '%s%-*s %12s %12s\n' "$indent" "$width" "$(basename "$f")" "$(kb "$raw")" "$(kb "$gz")"
  done
}
printf '%-44s %12s %12s\n' "first-load file" "raw" "gzip -9"
list "" "${files[@]}"
printf '%-44s %12s %12s\n' "TOTAL (wasm + JS + CSS)" "$(kb $raw_total)" "$(kb $gz_total)"
html=$(wc -c <"$DIST/index.html")
printf '%-44s %12s %12s\n' "(index.html, not counted)" "$(kb "$html")" "$(kb "$(gzip -9 -c "$DIST/index.html" | wc -c)")"
if ((${#worker[@]})); then
  first_raw=$raw_total first_gz=$gz_total
  printf '%-44s %12s %12s\n' "worker, loaded on first need (not counted)" "" ""
  list "  " "${worker[@]}"
  printf '  %-42s %12s %12s\n' "worker total" "$(kb $raw_total)" "$(kb $gz_total)"
  raw_total=$first_raw gz_total=$first_gz
fi

if ((gz_total > BUDGET)); then
  printf '%sOVER BUDGET:%s %s gzipped > %s\n' "$RED" "$RESET" "$(kb $gz_total)" "$(kb "$BUDGET")"
  # The budget is a target reported in the issue notes, not a gate on every change; `--strict`
  # (for release checks) makes it fail.
  [[ "${1:-}" == "--strict" ]] && exit 1
  exit 0
fi
printf 'size: %s raw, %s gzipped, within the %s gzipped budget (%d%% used)\n' \
  "$(kb $raw_total)" "$(kb $gz_total)" "$(kb "$BUDGET")" $((gz_total * 100 / BUDGET))
