#!/usr/bin/env bash
# Set up (idempotent), then build the release app and serve it on http://127.0.0.1:${PORT:-8080}/
# with trunk, rebuilding on every change. Ctrl-C stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"

PORT=${PORT:-8080}
say "building and serving the release build (cargo profile \`web\`, one build per page: scripts/pages.mjs); the first build takes ~5 minutes"
say "(SWARMSCOPE_PAGES=0 ./scripts/serve.sh skips the page builds: every page then loads the full app, ~1 minute)"
say "Swarmscope will be at: http://127.0.0.1:$PORT/"
exec trunk serve --release --offline --address 127.0.0.1 --port "$PORT"
