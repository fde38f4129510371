#!/usr/bin/env bash
# First-load bytes of the release build in dist/, raw and gzipped (-9), checked against the budget.
#
# A release build has one build of the app per page (scripts/pages.mjs): the gallery's and one per
# scenario. A page's first load is its build (wasm + JS glue) and the CSS; the figure checked is the
# largest page's. The Web Worker (swarmscope-worker*: the Monte Carlo, the checkers, the election
# study) loads only when a panel needs it, so it is listed separately and not counted; so is
# index.html (its loader script included). A build without page builds (SWARMSCOPE_PAGES=0, debug)
# is measured as one app, as before.
#
# Usage: scripts/size.sh [dist-dir] [--strict]   (build first: scripts/test.sh or
# `trunk build --release --offline`). Budget: SIZE_BUDGET_GZ (bytes, default 250000 = 250 KB).
# --strict makes an over-budget build fail.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIST=$ROOT/dist STRICT=0
for a in "$@"; do
  case "$a" in
    --strict) STRICT=1 ;;
    *) DIST=$a ;;
  esac
done
BUDGET=${SIZE_BUDGET_GZ:-250000}

[[ -f "$DIST/index.html" ]] || die size "no build in $DIST" "run \`trunk build --release --offline\` (or scripts/test.sh) first"

shopt -s nullglob
css=("$DIST"/*.css) worker=("$DIST"/swarmscope-worker*) pages=("$DIST"/page-*_bg.wasm)
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1000 }'; }
gz() { gzip -9 -c "$1" | wc -c; }
raw() { wc -c <"$1"; }
row() { printf '%-44s %12s %12s\n' "$1" "$2" "$3"; }

css_raw=0 css_gz=0
for f in "${css[@]}"; do css_raw=$((css_raw + $(raw "$f"))) css_gz=$((css_gz + $(gz "$f"))); done

worst_raw=0 worst_gz=0 worst=""
if ((${#pages[@]})); then
  row "page: first load = its wasm + JS + CSS" "raw" "gzip -9"
  for w in "${pages[@]}"; do
    j=${w%_bg.wasm}.js
    [[ -f "$j" ]] || die size "$(basename "$w") has no JS glue next to it" "rebuild with trunk"
    r=$(($(raw "$w") + $(raw "$j") + css_raw)) g=$(($(gz "$w") + $(gz "$j") + css_gz))
    name=$(basename "$w" _bg.wasm)
    row "  ${name%-*}" "$(kb $r)" "$(kb $g)"
    if ((g > worst_gz)); then worst_raw=$r worst_gz=$g worst=${name%-*}; fi
  done
  row "  (of which CSS, every page)" "$(kb $css_raw)" "$(kb $css_gz)"
else
  files=("$DIST"/swarmscope-web*.wasm "$DIST"/swarmscope-web*.js)
  ((${#files[@]})) || die size "no page-*.wasm or swarmscope-web*.wasm in $DIST" "rebuild with trunk"
  row "first-load file (one app for every page)" "raw" "gzip -9"
  worst_raw=$css_raw worst_gz=$css_gz worst="the app"
  for f in "${files[@]}" "${css[@]}"; do
    row "$(basename "$f")" "$(kb "$(raw "$f")")" "$(kb "$(gz "$f")")"
    worst_raw=$((worst_raw + $(raw "$f"))) worst_gz=$((worst_gz + $(gz "$f")))
  done
fi
row "(index.html with the loader, not counted)" "$(kb "$(raw "$DIST/index.html")")" "$(kb "$(gz "$DIST/index.html")")"
if ((${#worker[@]})); then
  row "worker, loaded on first need (not counted)" "" ""
  wr=0 wg=0
  for f in "${worker[@]}"; do
    row "  $(basename "$f")" "$(kb "$(raw "$f")")" "$(kb "$(gz "$f")")"
    wr=$((wr + $(raw "$f"))) wg=$((wg + $(gz "$f")))
  done
  row "  worker total" "$(kb $wr)" "$(kb $wg)"
fi

if ((worst_gz > BUDGET)); then
  printf '%sOVER BUDGET:%s largest first load (%s) %s gzipped > %s\n' "$RED" "$RESET" "$worst" "$(kb $worst_gz)" "$(kb "$BUDGET")"
  # The budget is a target reported in the issue notes, not a gate on every change; --strict
  # (for release checks) makes it fail.
  ((STRICT)) && exit 1
  exit 0
fi
printf 'size: largest first load (%s) %s raw, %s gzipped, within the %s gzipped budget (%d%% used)\n' \
  "$worst" "$(kb $worst_raw)" "$(kb $worst_gz)" "$(kb "$BUDGET")" $((worst_gz * 100 / BUDGET))
