#!/usr/bin/env bash
# Runs a frozen Backprop Studio offscreen and checks it works end to end; builds nothing.
#   packaging/smoke_test.sh [APP] [EXAMPLE]
# APP defaults to the one-folder bundle (dist/backprop-studio/backprop-studio); EXAMPLE to the XOR
# example shipped inside it. The app's --smoke-test opens EXAMPLE (copied) in the real window,
# trains a few epochs on a QThread, saves, re-opens and compares; a missing module, Qt plugin or
# resource makes it exit non-zero. Then the headless CLI runs frozen (trace, ONNX export), and
# the log must exist.
# HOME and the XDG folders point into a temporary folder: the user's settings are never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-dist/backprop-studio/backprop-studio}
[ -x "$app" ] || { echo "smoke test: no app at $app (run make package first)" >&2; exit 1; }
app=$(cd "$(dirname "$app")" && pwd)/$(basename "$app")
bundle=$(dirname "$app")
example=${2:-$bundle/_internal/resources/examples/xor.bpnet}
[ -f "$example" ] || { echo "smoke test: no example file $example" >&2; exit 1; }
example=$(cd "$(dirname "$example")" && pwd)/$(basename "$example")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data XDG_STATE_HOME=$tmp/state
export XDG_CACHE_HOME=$tmp/cache XDG_RUNTIME_DIR=$tmp/run BACKPROP_STUDIO_LOG_DIR=$tmp/logs
export BACKPROP_STUDIO_INSTANCE=backprop-smoke-$$ QT_QPA_PLATFORM=offscreen
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
cd "$tmp"  # nothing may be found by accident in the source checkout

started=$(date +%s%N)
timeout 300 "$app" --smoke-test "$example" "$tmp/trained.bpnet"
echo "smoke test: the GUI check took $(( ($(date +%s%N) - started) / 1000000 )) ms"

[ -s "$tmp/trained.bpnet" ] || { echo "smoke test: $tmp/trained.bpnet was not written" >&2; exit 1; }
grep -q "smoke test passed" "$BACKPROP_STUDIO_LOG_DIR/backprop-studio.log" \
  || { echo "smoke test: the log file was not written" >&2; exit 1; }
timeout 60 "$app" trace "$tmp/trained.bpnet" --sample 1 >"$tmp/trace.txt"
grep -q "dE/dw" "$tmp/trace.txt" || { echo "smoke test: the frozen CLI's trace printed no gradients" >&2; exit 1; }
echo "smoke test: frozen CLI trace ok"
timeout 60 "$app" export "$tmp/trained.bpnet" --to onnx -o "$tmp/trained.onnx" >/dev/null
[ -s "$tmp/trained.onnx" ] || { echo "smoke test: the frozen ONNX export wrote nothing" >&2; exit 1; }
echo "smoke test: frozen ONNX export ok"
echo "smoke test passed: $app"
