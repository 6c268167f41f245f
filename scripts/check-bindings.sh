#!/usr/bin/env bash
# Regenerates the UI's TypeScript bindings from the Rust IPC types (crates/app, and the
# signet-oauth1 types behind its `ts` feature) and fails when they differ from the committed
# ones. Run it in CI, and locally after changing a type that crosses to the UI (then commit
# ui/src/ipc/bindings). It never touches the git index.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=ui/src/ipc/bindings
cargo test --quiet -p signet-app --test bindings

status=0
if ! git diff --exit-code --stat -- "$dir"; then
  status=1
fi
untracked=$(git ls-files --others --exclude-standard -- "$dir")
if [ -n "$untracked" ]; then
  echo "new, uncommitted binding files:"
  echo "$untracked"
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo >&2 "error: $dir drifted from the Rust types (crates/app, crates/oauth1 with --features ts)."
  echo >&2 "       This script rewrote them: review and commit $dir."
  exit 1
fi
echo "bindings up to date"
