#!/usr/bin/env bash
# Idempotent set-up for building and testing Swarmscope on a machine that reaches only crates.io,
# npm, PyPI and Debian's package archive. Every step first checks what is installed and skips when
# the pinned version is already there, so a second run takes seconds.
#
# Pins (one place each): wasm-bindgen -> Cargo.toml "=x.y.z" (read from Cargo.lock);
# trunk -> Trunk.toml `trunk-version`; wasm-opt -> Trunk.toml [tools] wasm_opt + package.json
# binaryen; playwright-core -> package.json / package-lock.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

T0=$(now)
SUMMARY=()
record() { SUMMARY+=("$(printf '  %-18s %s' "$1" "$2")"); }

CARGO_LOCKED=()
[[ "${CI:-}" == "true" ]] && CARGO_LOCKED=(--locked)

# Run a command as root (directly, or through sudo without a password prompt).
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 126
  fi
}

# --- preflight: everything we cannot install ourselves, checked before installing anything -------
step=preflight
command -v cargo >/dev/null && command -v rustup >/dev/null ||
  die $step "cargo/rustup not found on PATH" "install Rust with rustup (https://rustup.rs), then re-run"
need_rust=$(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml)
have_rust=$(rustc --version | awk '{print $2}')
if [[ -n "$need_rust" ]] && [[ "$(printf '%s\n%s\n' "$need_rust" "$have_rust" | sort -V | head -n1)" != "$need_rust" ]]; then
  die $step "rustc $have_rust is older than the crate's rust-version $need_rust" \
    "rustup update stable (or install toolchain $need_rust)"
fi
command -v node >/dev/null && command -v npm >/dev/null ||
  die $step "node/npm not found" "install Node.js >= 20 with npm (Debian 13: apt-get install nodejs npm), then re-run"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) ||
  die $step "node $(node --version) is too old: playwright-core needs node >= 20" \
    "install Node.js >= 20 (Debian 12's nodejs is 18), then re-run"
WB_VERSION=$(wasm_bindgen_version)
TRUNK_VERSION=$(trunk_version)
WASM_OPT_VERSION=$(wasm_opt_version)
[[ -n "$WB_VERSION" ]] || die $step "no wasm-bindgen package in Cargo.lock" \
  "run \`cargo generate-lockfile\` (Cargo.toml must pin wasm-bindgen = \"=x.y.z\") and commit Cargo.lock"
[[ -n "$TRUNK_VERSION" ]] || die $step "Trunk.toml has no trunk-version = \"=x.y.z\"" "restore the pin in Trunk.toml"
[[ -n "$WASM_OPT_VERSION" ]] || die $step "Trunk.toml has no [tools] wasm_opt = \"version_N\"" "restore the pin in Trunk.toml"
record preflight "ok (rustc $have_rust, node $(node --version), cargo lock pins wasm-bindgen $WB_VERSION)"

# --- 1. wasm32 target ---------------------------------------------------------------------------
step="wasm32 target"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  record "$step" "skipped (installed)"
else
  say "installing the wasm32-unknown-unknown target"
  t=$(now)
  rustup target add wasm32-unknown-unknown ||
    die "$step" "rustup could not add the target (no network to static.rust-lang.org?)" \
      "run \`rustup target add wasm32-unknown-unknown\` where rustup's server is reachable, or install the rust-std-wasm32 component from your distribution"
  record "$step" "installed ($(since "$t") s)"
fi

# --- 2. trunk -----------------------------------------------------------------------------------
step=trunk
have=$(trunk --version 2>/dev/null | awk '{print $2}' || true)
if [[ "$have" == "$TRUNK_VERSION" ]]; then
  record "$step" "skipped (trunk $have)"
else
  say "installing trunk $TRUNK_VERSION (found: ${have:-none}); this compiles for ~7 minutes on 2 cores"
  t=$(now)
  cargo install trunk --version "$TRUNK_VERSION" --locked ||
    die "$step" "cargo install trunk $TRUNK_VERSION failed (see the output above)" \
      "check that crates.io is reachable and that Trunk.toml's trunk-version names a published trunk (keep 0.21.x: trunk 0.22 needs rustc 1.96), then re-run"
  record "$step" "installed trunk $TRUNK_VERSION ($(since "$t") s)"
fi

# --- 3. wasm-bindgen-cli (wasm-bindgen and wasm-bindgen-test-runner) ------------------------------
step=wasm-bindgen-cli
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
have_runner=$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)
if [[ "$have" == "$WB_VERSION" && "$have_runner" == "$WB_VERSION" ]]; then
  record "$step" "skipped (wasm-bindgen $have)"
else
  say "installing wasm-bindgen-cli $WB_VERSION (found: ${have:-none}); ~2 minutes"
  t=$(now)
  # Not --locked: the CLI's own lockfile names a webpki-roots version crates.io no longer has.
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force ||
    die "$step" "cargo install wasm-bindgen-cli $WB_VERSION failed (see the output above)" \
      "check that crates.io is reachable; the CLI version must equal the wasm-bindgen crate pinned in Cargo.toml"
  record "$step" "installed wasm-bindgen-cli $WB_VERSION ($(since "$t") s)"
fi

# --- 4. npm tools: wasm-opt (binaryen), playwright-core, terser (minifies the JS glue) ------------
step="npm ci"
stamp=node_modules/.swarmscope-lock.sha256
want_sha=$(sha256sum package-lock.json | awk '{print $1}')
have_opt=$(wasm-opt --version 2>/dev/null | sed -n 's/.*(\(version_[0-9]*\)).*/\1/p' || true)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want_sha" && "$have_opt" == "$WASM_OPT_VERSION" ]] &&
  [[ -f node_modules/playwright-core/package.json ]]; then
  record "$step" "skipped (node_modules matches package-lock.json; wasm-opt $have_opt)"
else
  say "installing npm tools from package-lock.json (binaryen, playwright-core, terser)"
  t=$(now)
  npm ci --no-audit --no-fund --loglevel=error ||
    die "$step" "npm ci failed (see the output above)" \
      "check that registry.npmjs.org is reachable and package-lock.json matches package.json (npm install, then commit the lock)"
  have_opt=$(wasm-opt --version 2>/dev/null | sed -n 's/.*(\(version_[0-9]*\)).*/\1/p' || true)
  [[ "$have_opt" == "$WASM_OPT_VERSION" ]] ||
    die "$step" "node_modules/.bin/wasm-opt is '${have_opt:-missing}', Trunk.toml wants $WASM_OPT_VERSION" \
      "make package.json's binaryen version and Trunk.toml's [tools] wasm_opt agree"
  echo "$want_sha" >"$stamp"
  record "$step" "installed (wasm-opt $have_opt, playwright-core $(node -p 'require("./node_modules/playwright-core/package.json").version')) ($(since "$t") s)"
fi

# --- 5. Chromium and its driver from Debian -----------------------------------------------------
step="chromium"
major() { "$1" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9.]+' | head -n1 | cut -d. -f1; }
chromium_major=$(major /usr/bin/chromium || true)
driver_major=$(major /usr/bin/chromedriver || true)
if [[ -n "$chromium_major" && "$chromium_major" == "$driver_major" ]]; then
  record "$step" "skipped (chromium + chromedriver $chromium_major)"
else
  say "installing Debian chromium + chromium-driver (found: chromium ${chromium_major:-none}, driver ${driver_major:-none})"
  t=$(now)
  command -v apt-get >/dev/null ||
    die "$step" "apt-get not found (not Debian/Ubuntu) and no matching /usr/bin/chromium + /usr/bin/chromedriver" \
      "install Chromium and a ChromeDriver of the same major version at /usr/bin/chromium and /usr/bin/chromedriver"
  as_root true ||
    die "$step" "installing packages needs root, and sudo is missing or asks for a password" \
      "run \`sudo apt-get install -y chromium chromium-driver\` once, then re-run"
  export DEBIAN_FRONTEND=noninteractive
  updated=no
  # apt-get update only if the package lists do not know chromium yet.
  if ! apt-cache show chromium-driver >/dev/null 2>&1; then
    as_root apt-get update -q || die "$step" "apt-get update failed" "check access to the Debian mirrors in /etc/apt/sources.list*"
    updated=yes
  fi
  if ! as_root apt-get install -y -q chromium chromium-driver; then
    [[ $updated == yes ]] && die "$step" "apt-get install chromium chromium-driver failed" "check access to the Debian mirrors and free disk space"
    as_root apt-get update -q || die "$step" "apt-get update failed" "check access to the Debian mirrors in /etc/apt/sources.list*"
    as_root apt-get install -y -q chromium chromium-driver ||
      die "$step" "apt-get install chromium chromium-driver failed" "check access to the Debian mirrors and free disk space"
  fi
  chromium_major=$(major /usr/bin/chromium || true)
  driver_major=$(major /usr/bin/chromedriver || true)
  [[ -n "$chromium_major" && "$chromium_major" == "$driver_major" ]] ||
    die "$step" "after installing, chromium is '${chromium_major:-missing}' and chromedriver '${driver_major:-missing}'" \
      "apt-get install --only-upgrade chromium chromium-driver so both have the same version"
  record "$step" "installed chromium + chromedriver $chromium_major ($(since "$t") s)"
fi

# --- 6. crates for offline builds ---------------------------------------------------------------
step="cargo fetch"
t=$(now)
cargo fetch --quiet "${CARGO_LOCKED[@]}" ||
  die "$step" "cargo could not download the locked dependencies" \
    "check that crates.io is reachable; in CI Cargo.lock must be committed and up to date (cargo --locked)"
record "$step" "ok ($(since "$t") s)"

say "setup done in $(since "$T0") s"
printf '%s\n' "${SUMMARY[@]}"
