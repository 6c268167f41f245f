#!/bin/sh
# The test's stand-in browser (SIGNET_BROWSER): the app opens the consent page with it.
# It approves or denies as alice with `signet approve` (which prints `redirect <url>`) and then
# delivers the provider's redirect the way the OS does: by launching the app binary a second
# time with the signet:// URL. $E2E_DIR/mode says what to do: allow (default), deny, or hold
# (wait for $E2E_DIR/go, so the test can look at the waiting screen first; the file holds the
# decision, allow or deny).
set -u
url="$1"
dir="${E2E_DIR:?}"
echo "$url" > "$dir/authorize-url"
mode=$(cat "$dir/mode" 2>/dev/null || echo allow)
if [ "$mode" = hold ]; then
  i=0
  while [ ! -f "$dir/go" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
  mode=$(cat "$dir/go" 2>/dev/null || echo allow)
  rm -f "$dir/go"
fi
flag=""
[ "$mode" = deny ] && flag="--deny"
out=$("${SIGNET_CLI:?}" approve $flag "$url" 2>&1)
echo "$out" > "$dir/approve.out"
redirect=$(printf '%s\n' "$out" | sed -n 's/^redirect //p' | head -n 1)
[ -n "$redirect" ] || { echo "no redirect from signet approve: $out" >&2; exit 1; }
echo "$redirect" > "$dir/redirect"
# The second launch, as the desktop would do it for a signet:// link.
"${SIGNET_APP:?}" "$redirect" >> "$dir/second-launch.log" 2>&1
echo "exit $?" >> "$dir/second-launch.log"
