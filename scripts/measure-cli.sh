#!/usr/bin/env bash
# Measures how light the `signet` command starts: `signet sign` (signs one request and prints
# the trace, the request and a curl command) and `signet --help`, each as a whole process,
# beside a hello-world Rust binary built with the same release profile, in one hyperfine run.
# Target: `signet sign` <= 3x the hello-world binary. Installs hyperfine (Debian) when missing.
#
#   scripts/measure-cli.sh                # builds, then measures
#   MEASURE_SKIP_BUILD=1 scripts/measure-cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  CARGO_PROFILE_RELEASE_STRIP=true CARGO_PROFILE_RELEASE_PANIC=abort
export CARGO_TARGET_DIR="$ROOT/target"

if ! command -v hyperfine >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq hyperfine
fi

HELLO="$ROOT/target/hello-world"
if [ -z "${MEASURE_SKIP_BUILD:-}" ]; then
  cargo build --release -p signet-cli
  mkdir -p "$HELLO"
  echo 'fn main() { println!("hello, world"); }' > "$HELLO/main.rs"
  rustc --edition 2024 -C opt-level=3 -C lto -C codegen-units=1 -C panic=abort -C strip=symbols \
    -o "$HELLO/hello" "$HELLO/main.rs"
fi
SIGNET="$ROOT/target/release/signet"

# A data directory that does not exist: a command that opened the database would create it.
DATA=$(mktemp -d /tmp/signet-measure-cli.XXXXXX)
trap 'rm -rf "$DATA"' EXIT
export SIGNET_DATA_DIR="$DATA/never-made" SIGNET_CONSUMER_SECRET=kd94hf93k423kf44 SIGNET_KEYRING=file

sign="$SIGNET sign --consumer-key dpf43f3p2l4k3l03 -X POST --url 'https://api.example.com/x?a=1' --body 'b=2'"
hyperfine -N --warmup 20 --runs 300 \
  --export-json "$DATA/cli.json" \
  -n "hello world" "$HELLO/hello" \
  -n "signet sign" "$sign" \
  -n "signet --help" "$SIGNET --help"

if [ -e "$DATA/never-made" ]; then
  echo "measure-cli: a command created the data directory: it opened the database" >&2
  exit 1
fi
python3 - "$DATA/cli.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
base = r["hello world"]["median"]
print(f"\n{'':16} {'median':>10} {'ratio':>7}  target")
for name, target in (("hello world", ""), ("signet sign", "<= 3x"), ("signet --help", "")):
    m = r[name]["median"]
    print(f"{name:16} {m * 1000:8.2f} ms {m / base:6.2f}x  {target}")
PY
