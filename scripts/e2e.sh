#!/usr/bin/env bash
# End-to-end tests of the real desktop app (tests/e2e): installs what is missing, builds the UI,
# the `signet` CLI and the app, then drives the app with tauri-driver + WebKitWebDriver under
# Xvfb and a D-Bus session bus (as a desktop session has), and the browser preview (the UI built
# with VITE_SIGNET_PREVIEW=1, in target/preview-dist) in headless Chromium through chromedriver.
# Screenshots and accessibility reports land in target/e2e/.
#
#   scripts/e2e.sh            # everything
#   E2E_SKIP_BUILD=1 scripts/e2e.sh   # reuse the built binaries and ui/dist
#   scripts/e2e.sh recovery.test.mjs  # some files of tests/e2e only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

APT_PACKAGES="libwebkit2gtk-4.1-dev build-essential file libxdo-dev librsvg2-dev pkg-config \
  xvfb xauth dbus dbus-x11 xdg-utils desktop-file-utils webkit2gtk-driver xdotool imagemagick \
  fonts-dejavu-core chromium chromium-driver xclip"

# Installed, not just known to dpkg (a package removed with its configuration kept is not).
missing=$(for p in $APT_PACKAGES; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"
done)
if [ -n "$missing" ]; then
  echo "e2e: installing Debian packages: $missing"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
export PATH="$HOME/.cargo/bin:$PATH"

if [ -z "${E2E_SKIP_BUILD:-}" ]; then
  (cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build &&
    VITE_SIGNET_PREVIEW=1 npx vite build --outDir ../target/preview-dist --emptyOutDir --logLevel warn)
  cargo build -p signet-cli -p signet-desktop
  # The large database scale.test.mjs opens (`cargo test` has usually built it already).
  cargo build -p signet-app --example large_history
fi
(cd tests/e2e && { [ -d node_modules/webdriverio ] || npm ci --no-audit --no-fund --ignore-scripts; })

# A fresh world for every run: data, keys, XDG dirs.
WORK=$(mktemp -d /tmp/signet-e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/data" "$WORK/xdg-data" "$WORK/xdg-config" "$WORK/e2e" target/e2e
rm -f target/e2e/*.png target/e2e/*.txt target/e2e/*-axe-*.json

export SIGNET_APP="$ROOT/target/debug/signet-desktop"
export SIGNET_CLI="$ROOT/target/debug/signet"
export SIGNET_FIXTURE="$ROOT/target/debug/examples/large_history"
export SIGNET_BROWSER="$ROOT/tests/e2e/browser.sh"
export SIGNET_DATA_DIR="$WORK/data"
export SIGNET_KEYRING=file
export XDG_DATA_HOME="$WORK/xdg-data"
export XDG_CONFIG_HOME="$WORK/xdg-config"
export E2E_DIR="$WORK/e2e"
export E2E_SHOTS="$ROOT/target/e2e"
export NO_AT_BRIDGE=1

started=$(date +%s)
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  bash -c 'cd tests/e2e && if [ $# -gt 0 ]; then node --test --test-concurrency=1 --test-reporter=spec "$@"; else npm test; fi' e2e "$@"
echo "e2e: done in $(( $(date +%s) - started )) s; screenshots in target/e2e/"
