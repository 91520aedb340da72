#!/usr/bin/env bash
# Builds sxsfix into build/KIND:
#   scripts/build.sh native     Linux, RelWithDebInfo          -> build/native/sxsfix
#   scripts/build.sh sanitize   Linux, ASan + UBSan            -> build/sanitize/sxsfix
#   scripts/build.sh windows    mingw-w64 static .exe          -> build/windows/sxsfix.exe
# Configuration: CMakePresets.json (cmake --preset KIND works by hand too).
# The Windows dependencies are built once by scripts/win-deps.sh and cached
# outside the clone (SXSFIX_WIN_PREFIX=DIR uses an existing prefix instead).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kind=${1:-native}
dir=$ROOT/build/$kind
mkdir -p "$ROOT/build"
jobs=$(nproc)

case $kind in
  native|sanitize) ;;
  windows) export SXSFIX_WIN_PREFIX=${SXSFIX_WIN_PREFIX:-$("$ROOT/scripts/win-deps.sh" | tail -1)} ;;
  *) echo "usage: scripts/build.sh native|sanitize|windows" >&2; exit 3 ;;
esac

# The configure, build and test settings are CMakePresets.json's. The
# Windows prefix is passed each time: a cached one may be an older key's.
extra=()
[ "$kind" != windows ] || extra=(-DSXSFIX_WIN_PREFIX="$SXSFIX_WIN_PREFIX")
(cd "$ROOT" && cmake --preset "$kind" "${extra[@]}") >"$dir.configure.log" 2>&1 || {
  cat "$dir.configure.log" >&2; exit 1; }
grep -E "^CMake Warning|not found" "$dir.configure.log" >&2 || true
cmake --build "$dir" -j "$jobs" >"$dir.build.log" 2>&1 || {
  tail -50 "$dir.build.log" >&2; exit 1; }
if grep -q "warning:" "$dir.build.log"; then
  echo "build ($kind): compiler warnings:" >&2
  grep -A3 "warning:" "$dir.build.log" >&2
fi
echo "build ($kind): ok"
