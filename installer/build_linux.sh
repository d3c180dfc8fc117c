#!/usr/bin/env bash
# Build the Linux onedir app with PyInstaller, then smoke-test the frozen build offscreen.
# Prints the folder size and the smoke-test start-up time, and writes them to dist/build-report.json.
#   installer/build_linux.sh            (uses .venv/bin/python, or $PYTHON)
# Environment: SMOKE_COMMAND (default "run --smoke-test"), the arguments that boot the desktop app,
# touch the event loop and the keyring, and exit 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
SMOKE_COMMAND="${SMOKE_COMMAND:-run --smoke-test}"
DIST="$ROOT/dist"
APP="$DIST/linkus-companion"
EXE="$APP/linkus-companion"
cd "$ROOT"

"$PYTHON" installer/make_icons.py build/icons >/dev/null
build_start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath build/pyinstaller installer/linkus-companion.spec
build_seconds=$(( $(date +%s) - build_start ))

# Run as a fresh user: empty home, no admin policy, a keyring that stores nothing (never the real one).
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export QT_QPA_PLATFORM=offscreen
export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
export LINKUS_COMPANION_HOME="$scratch/home"
export XDG_RUNTIME_DIR="$scratch/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"

"$EXE" --version
"$EXE" admin templates --out "$scratch/policy" >/dev/null

# shellcheck disable=SC2086 # SMOKE_COMMAND is a list of arguments
smoke_start=$EPOCHREALTIME
if ! "$EXE" $SMOKE_COMMAND >"$scratch/smoke.out" 2>"$scratch/smoke.err"; then
    echo "smoke test FAILED: $EXE $SMOKE_COMMAND" >&2
    cat "$scratch/smoke.out" "$scratch/smoke.err" >&2
    exit 1
fi
smoke_seconds=$(awk -v a="$smoke_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
# Qt's offscreen plugin says a few harmless things; anything else on stderr fails the build.
unexpected=$(grep -v -E "^(qt\.qpa\.|This plugin does not support|QStandardPaths:|propagateSizeHints)" "$scratch/smoke.err" || true)
if [ -n "$unexpected" ]; then
    echo "smoke test wrote unexpected errors:" >&2
    echo "$unexpected" >&2
    exit 1
fi
cat "$scratch/smoke.out"

size_bytes=$(du -sb "$APP" | cut -f1)
size_mb=$(( size_bytes / 1024 / 1024 ))
cat >"$DIST/build-report.json" <<JSON
{"platform": "linux-$(uname -m)", "folder": "dist/linkus-companion", "size_bytes": $size_bytes,
 "size_mb": $size_mb, "build_seconds": $build_seconds, "smoke_test_seconds": $smoke_seconds,
 "smoke_command": "$SMOKE_COMMAND"}
JSON
echo "built $APP: ${size_mb} MB in ${build_seconds} s; smoke test passed in ${smoke_seconds} s"
