#!/usr/bin/env bash
# Installs the built .deb and checks the OS route for signet:// links: the desktop entry
# registers the scheme handler with `%u`, and `gio open signet://callback?...` reaches the
# running app (which refuses it in plain words, since no run waits: that refusal is the proof
# the link arrived). Removes the package and every handler registration afterwards.
#
#   tests/e2e/deb.sh [path/to/signet.deb]   (default: the newest under target/release/bundle/deb)
# Run it under a session bus and a display, as scripts/e2e.sh does:
#   xvfb-run -a dbus-run-session -- tests/e2e/deb.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DEB=${1:-$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -n 1)}
[ -f "$DEB" ] || { echo "deb: no .deb found; build it with: (cd src-tauri && npx tauri build --bundles deb)" >&2; exit 1; }
PKG=$(dpkg-deb -f "$DEB" Package)

WORK=$(mktemp -d /tmp/signet-deb.XXXXXX)
APP_PID=""
cleanup() {
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null || true
  dpkg -r "$PKG" >/dev/null 2>&1 || true
  update-desktop-database -q /usr/share/applications 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "deb: installing $DEB"
dpkg -i "$DEB" >/dev/null
DESKTOP=$(dpkg -L "$PKG" | grep '\.desktop$' | head -n 1)
echo "deb: desktop entry $DESKTOP"
grep -q '^Exec=signet-desktop %u$' "$DESKTOP" || { echo "deb: Exec lacks %u:"; grep '^Exec' "$DESKTOP"; exit 1; }
grep -q '^MimeType=x-scheme-handler/signet;$' "$DESKTOP" || { echo "deb: no signet scheme handler"; exit 1; }
desktop-file-validate "$DESKTOP"
update-desktop-database -q /usr/share/applications

# A clean user: the handler must come from the package, not from an earlier runtime registration.
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" XDG_CONFIG_HOME="$WORK/home/.config"
export SIGNET_DATA_DIR="$WORK/data" SIGNET_KEYRING=file NO_AT_BRIDGE=1
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
handler=$(gio mime x-scheme-handler/signet 2>/dev/null | head -n 1 || true)
echo "deb: $handler"
case "$handler" in *"$(basename "$DESKTOP")"*) ;; *) echo "deb: the package is not the signet:// handler" >&2; exit 1 ;; esac

/usr/bin/signet-desktop > "$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 100); do [ -S "$SIGNET_DATA_DIR/signet.sock" ] && break; sleep 0.1; done
[ -S "$SIGNET_DATA_DIR/signet.sock" ] || { echo "deb: the app did not start"; cat "$WORK/app.log"; exit 1; }
sleep 1

URL="signet://callback?oauth_token=deb-test-token&oauth_verifier=v1"
echo "deb: gio open $URL"
gio open "$URL"
for _ in $(seq 1 100); do grep -q "refused signet://callback?oauth_token=deb-test-token" "$WORK/app.log" && break; sleep 0.1; done
if grep -q "refused signet://callback?oauth_token=deb-test-token" "$WORK/app.log"; then
  echo "deb: the running app received the link: $(grep -m1 'refused signet://' "$WORK/app.log")"
else
  echo "deb: the link did not reach the running app" >&2; cat "$WORK/app.log" >&2; exit 1
fi
kill -0 "$APP_PID" || { echo "deb: the first instance is gone" >&2; exit 1; }
# The instance gio started hands the link over and exits.
for _ in $(seq 1 50); do [ "$(pgrep -c -f '^/usr/bin/signet-desktop' || true)" = 1 ] && break; sleep 0.1; done
[ "$(pgrep -c -f '^/usr/bin/signet-desktop' || true)" = 1 ] || { echo "deb: a second instance kept running" >&2; pgrep -a -f signet-desktop >&2; exit 1; }
echo "deb: ok"
