#!/usr/bin/env bash
# Measures the desktop app beside a bare Tauri v2 app built the same way in the same run:
#   - cold start: process start to the interactive wizard (SIGNET_READY_PROBE: Signet's page
#     reports its first screen drawn with its data, after the next frame; the bare app's page
#     reports the frame after DOMContentLoaded the same way), median of $RUNS launches;
#   - memory: RSS and PSS (from /proc/<pid>/smaps_rollup) of the app and all its WebKit
#     processes (WebKitWebProcess, WebKitNetworkProcess), idle, and for Signet after a dance;
#   - the release binary size.
# Targets: start <= 1.3x the bare app, memory within 1.2x of it, binary < 20 MB.
# The bare app is generated under target/bare-tauri (never committed) and shares target/ and
# Cargo.lock with the workspace, so both link the same dependency versions with the same profile.
#
# With MEASURE_LARGE=DIR (a database the `large_history` example wrote: 500 connectors, 100,000
# runs), Signet is also started on it: start and idle memory beside the empty database's
# (targets: <= 1.1x each). Run as root, both apps are also started cold: the page cache dropped
# (sync; echo 3 > /proc/sys/vm/drop_caches) before every launch.
#
#   scripts/measure-desktop.sh            # builds both (release, LTO) then measures
#   MEASURE_SKIP_BUILD=1 scripts/measure-desktop.sh
#   cargo run --release -p signet-app --example large_history -- /tmp/large
#   MEASURE_LARGE=/tmp/large scripts/measure-desktop.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
# One release profile for both apps (what `tauri build` uses for the .deb too).
export CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_TARGET_DIR="$ROOT/target"

BARE="$ROOT/target/bare-tauri"
make_bare() {
  mkdir -p "$BARE/src" "$BARE/dist" "$BARE/icons"
  cp icons/32x32.png icons/128x128.png icons/icon.png "$BARE/icons/"
  cp Cargo.lock "$BARE/Cargo.lock"
  cat > "$BARE/Cargo.toml" <<'TOML'
[package]
name = "bare-tauri"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[features]
default = ["custom-protocol"]
custom-protocol = ["tauri/custom-protocol"]

[build-dependencies]
tauri-build = "2"

[dependencies]
tauri = "2"
TOML
  echo 'fn main() { tauri_build::build() }' > "$BARE/build.rs"
  cat > "$BARE/src/main.rs" <<'RS'
#[tauri::command]
fn ready() {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    eprintln!("bare: ready {ms}");
}
fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("bare app");
}
RS
  cat > "$BARE/tauri.conf.json" <<'JSON'
{
  "productName": "Bare",
  "version": "0.1.0",
  "identifier": "dev.signet.bare",
  "build": { "frontendDist": "dist" },
  "app": {
    "withGlobalTauri": true,
    "windows": [{ "title": "Bare", "width": 1180, "height": 780 }],
    "security": { "csp": null }
  },
  "bundle": { "icon": ["icons/32x32.png", "icons/128x128.png", "icons/icon.png"] }
}
JSON
  cat > "$BARE/dist/index.html" <<'HTML'
<!doctype html><html><head><meta charset="utf-8"><title>Bare</title></head>
<body><h1>Bare Tauri v2</h1>
<script>
// Ready as Signet counts it: the first frame drawn, then the page takes input.
window.addEventListener("DOMContentLoaded", () =>
  requestAnimationFrame(() => setTimeout(() => window.__TAURI__.core.invoke("ready"), 0)));
</script>
</body></html>
HTML
}

if [ -z "${MEASURE_SKIP_BUILD:-}" ] && [ "${1:-}" != --in-session ]; then
  make_bare
  (cd ui && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
  cargo build --release -p signet-desktop -p signet-cli
  (cd "$BARE" && cargo build --release)
fi
SIGNET_BIN="$ROOT/target/release/signet-desktop"
BARE_BIN="$ROOT/target/release/bare-tauri"

if [ "${1:-}" != --in-session ]; then
  WORK=$(mktemp -d /tmp/signet-measure.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi

# Sums Rss and Pss (kB) over a pid and all its descendants.
mem_of_tree() {
  local pids=("$1") all=() p kids
  while [ ${#pids[@]} -gt 0 ]; do
    p=${pids[0]}; pids=("${pids[@]:1}"); all+=("$p")
    kids=$(cat /proc/"$p"/task/*/children 2>/dev/null || true)
    for k in $kids; do pids+=("$k"); done
  done
  local rss=0 pss=0 names=""
  for p in "${all[@]}"; do
    [ -r /proc/"$p"/smaps_rollup ] || continue
    rss=$((rss + $(awk '/^Rss:/ {print $2}' /proc/"$p"/smaps_rollup)))
    pss=$((pss + $(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup)))
    names="$names $(cat /proc/"$p"/comm)"
  done
  echo "$rss $pss$names"
}

# Launches $1 with the probe, waits for "<tag>: ready <ms>", prints start-to-ready ms; leaves
# the process running in $LAST_PID.
launch() {
  local bin=$1 tag=$2
  local log="$WORK/$tag.log" t0
  t0=$(date +%s%3N)
  SIGNET_READY_PROBE=1 "$bin" > "$log" 2>&1 &
  LAST_PID=$!
  for _ in $(seq 1 300); do grep -q "$tag: ready" "$log" && break; sleep 0.02; done
  local ready; ready=$(grep -m1 "$tag: ready" "$log" | awk '{print $3}')
  [ -n "$ready" ] || { echo "measure: $bin never became ready" >&2; cat "$log" >&2; exit 1; }
  echo $((ready - t0))
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure_in_session() {
  # The scheme is registered as from a build tree (into $WORK/xdg), as a user's first run does.
  export SIGNET_DATA_DIR="$WORK/data" SIGNET_KEYRING=file XDG_DATA_HOME="$WORK/xdg" \
    NO_AT_BRIDGE=1
  # A first launch of each warms the page cache, so both are measured warm alike.
  for bin_tag in "$SIGNET_BIN signet" "$BARE_BIN bare"; do
    set -- $bin_tag; launch "$1" "$2" >/dev/null; stop "$LAST_PID"; sleep 0.5
  done
  for tag in signet bare; do
    bin=$SIGNET_BIN; [ $tag = bare ] && bin=$BARE_BIN
    for _ in $(seq 1 "$RUNS"); do launch "$bin" $tag >> "$WORK/$tag.start"; stop "$LAST_PID"; sleep 0.3; done
    launch "$bin" $tag > /dev/null; sleep 3
    mem_of_tree "$LAST_PID" > "$WORK/$tag.idle"
    stop "$LAST_PID"; sleep 0.5
  done
  # Cold: nothing of either app (or its database) in the page cache, every launch.
  if [ -w /proc/sys/vm/drop_caches ]; then
    for _ in $(seq 1 "$RUNS"); do
      for tag in signet bare; do
        bin=$SIGNET_BIN; [ $tag = bare ] && bin=$BARE_BIN
        sync; echo 3 > /proc/sys/vm/drop_caches
        launch "$bin" $tag >> "$WORK/$tag.cold"; stop "$LAST_PID"; sleep 0.3
      done
    done
  fi
  # A team's database: the same launches on it, warm, then its memory.
  if [ -n "${MEASURE_LARGE:-}" ]; then
    SIGNET_DATA_DIR="$MEASURE_LARGE" launch "$SIGNET_BIN" signet > /dev/null; stop "$LAST_PID"; sleep 0.5
    for _ in $(seq 1 "$RUNS"); do
      SIGNET_DATA_DIR="$MEASURE_LARGE" launch "$SIGNET_BIN" signet >> "$WORK/large.start"
      stop "$LAST_PID"; sleep 0.3
    done
    SIGNET_DATA_DIR="$MEASURE_LARGE" launch "$SIGNET_BIN" signet > /dev/null; sleep 3
    mem_of_tree "$LAST_PID" > "$WORK/large.idle"
    stop "$LAST_PID"; sleep 0.5
  fi
  # One more launch with the start-up trace (SIGNET_TRACE_STARTUP): where the time goes.
  SIGNET_TRACE_STARTUP=1 launch "$SIGNET_BIN" signet > /dev/null; sleep 1
  grep "signet: startup" "$WORK/signet.log" > "$WORK/signet.trace" || true
  stop "$LAST_PID"; sleep 0.5
  # Signet turns WebKitGTK's accelerated compositing off; for a like-for-like view, the bare
  # app once more with the same setting (through the environment: same effect, no code).
  WEBKIT_DISABLE_COMPOSITING_MODE=1 launch "$BARE_BIN" bare > /dev/null; sleep 3
  mem_of_tree "$LAST_PID" > "$WORK/bare-nocomp.idle"
  stop "$LAST_PID"; sleep 0.5
  # After a dance: the ten steps driven through the UI by WebDriver, then memory again.
  if command -v tauri-driver >/dev/null && [ -d tests/e2e/node_modules/webdriverio ]; then
    SIGNET_APP="$SIGNET_BIN" SIGNET_CLI="$ROOT/target/release/signet" \
      SIGNET_BROWSER="$ROOT/tests/e2e/browser.sh" E2E_DIR="$WORK/e2e" MEASURE_OUT="$WORK/signet.dance" \
      node tests/e2e/measure-dance.mjs > "$WORK/dance.log" 2>&1 || { cat "$WORK/dance.log" >&2; true; }
  fi
}
if [ "${1:-}" = --in-session ]; then
  measure_in_session
  exit 0
fi
export WORK
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" --in-session 2>&1 \
  | grep -v -e "^dbus-daemon" || true

s_start=$(median < "$WORK/signet.start"); b_start=$(median < "$WORK/bare.start")
read -r s_rss s_pss s_names < "$WORK/signet.idle"; read -r b_rss b_pss b_names < "$WORK/bare.idle"
s_size=$(stat -c %s "$SIGNET_BIN"); b_size=$(stat -c %s "$BARE_BIN")
mb() { awk -v k="$1" 'BEGIN {printf "%.1f MB", k/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a/b}'; }

printf '\n%-34s %16s %16s %8s  %s\n' "" "Signet" "bare Tauri v2" "ratio" "target"
printf '%-34s %13s ms %13s ms %8s  %s\n' "warm start to interactive (median)" "$s_start" "$b_start" "$(ratio "$s_start" "$b_start")" "<= 1.3x"
if [ -s "$WORK/signet.cold" ]; then
  s_cold=$(median < "$WORK/signet.cold"); b_cold=$(median < "$WORK/bare.cold")
  printf '%-34s %13s ms %13s ms %8s  %s\n' "cold start (page cache dropped)" "$s_cold" "$b_cold" "$(ratio "$s_cold" "$b_cold")" "<= 1.3x"
fi
printf '%-34s %16s %16s %8s  %s\n' "RSS idle (app + WebKit)" "$(mb "$s_rss")" "$(mb "$b_rss")" "$(ratio "$s_rss" "$b_rss")" "<= 1.2x"
printf '%-34s %16s %16s %8s  %s\n' "PSS idle (app + WebKit)" "$(mb "$s_pss")" "$(mb "$b_pss")" "$(ratio "$s_pss" "$b_pss")" "<= 1.2x"
if [ -s "$WORK/signet.dance" ]; then
  read -r d_rss d_pss d_names < "$WORK/signet.dance"
  printf '%-34s %16s %16s %8s  %s\n' "RSS after a dance" "$(mb "$d_rss")" "(idle) $(mb "$b_rss")" "$(ratio "$d_rss" "$b_rss")" "<= 1.2x"
  printf '%-34s %16s %16s %8s  %s\n' "PSS after a dance" "$(mb "$d_pss")" "(idle) $(mb "$b_pss")" "$(ratio "$d_pss" "$b_pss")" "<= 1.2x"
fi
read -r n_rss n_pss n_names < "$WORK/bare-nocomp.idle"
printf '%-34s %16s %16s %8s  %s\n' "  same, bare app also without" "$(mb "$s_rss")" "$(mb "$n_rss")" "$(ratio "$s_rss" "$n_rss")" "(RSS, for reference)"
printf '%-34s %16s %16s %8s  %s\n' "  compositing" "$(mb "$s_pss")" "$(mb "$n_pss")" "$(ratio "$s_pss" "$n_pss")" "(PSS)"
if [ -s "$WORK/signet.dance" ]; then
  printf '%-34s %16s %16s %8s  %s\n' "  after a dance, same comparison" "$(mb "$d_rss")" "$(mb "$n_rss")" "$(ratio "$d_rss" "$n_rss")" "(RSS)"
  printf '%-34s %16s %16s %8s  %s\n' "" "$(mb "$d_pss")" "$(mb "$n_pss")" "$(ratio "$d_pss" "$n_pss")" "(PSS)"
fi
printf '%-34s %16s %16s %8s  %s\n' "release binary" "$(awk -v b="$s_size" 'BEGIN {printf "%.1f MB", b/1048576}')" "$(awk -v b="$b_size" 'BEGIN {printf "%.1f MB", b/1048576}')" "$(ratio "$s_size" "$b_size")" "< 20 MB"
echo "processes measured: signet:$s_names; bare:$b_names"
if [ -s "$WORK/large.start" ]; then
  l_start=$(median < "$WORK/large.start")
  read -r l_rss l_pss l_names < "$WORK/large.idle"
  printf '\n%-34s %16s %16s %8s  %s\n' "Signet on $(basename "$MEASURE_LARGE")" "large database" "empty database" "ratio" "target"
  printf '%-34s %13s ms %13s ms %8s  %s\n' "warm start to interactive (median)" "$l_start" "$s_start" "$(ratio "$l_start" "$s_start")" "<= 1.1x"
  printf '%-34s %16s %16s %8s  %s\n' "RSS idle (app + WebKit)" "$(mb "$l_rss")" "$(mb "$s_rss")" "$(ratio "$l_rss" "$s_rss")" "<= 1.1x"
  printf '%-34s %16s %16s %8s  %s\n' "PSS idle (app + WebKit)" "$(mb "$l_pss")" "$(mb "$s_pss")" "$(ratio "$l_pss" "$s_pss")" "<= 1.1x"
fi
if [ -s "$WORK/signet.trace" ]; then
  echo "start-up trace of one more launch (SIGNET_TRACE_STARTUP=1):"
  sed 's/^signet: startup /  /' "$WORK/signet.trace"
fi
echo "start samples (ms): signet $(tr '\n' ' ' < "$WORK/signet.start"); bare $(tr '\n' ' ' < "$WORK/bare.start")"
