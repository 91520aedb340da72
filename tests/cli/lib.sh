# lib.sh: the helpers every command-line test sources.
#   SXSFIX            the binary under test (required)
#   SXSFIX_EMULATOR   how to run it (wine64 for the .exe; empty natively)
#   SXSFIX_TIMEOUT    seconds after which one sxsfix run is killed (default: none)
# Provides: EMU, tmp (a temporary folder removed on exit), the counters
# passed/failed/skipped, and:
#   sx ARGS...            run sxsfix
#   run ARGS...           run sxsfix; sets rc, out, err (CRs removed: the .exe writes CRLF)
#   check WHAT CMD...     count CMD's success as a pass, print ok / not ok (with rc, out, err)
#   skip WHY              count a skip and print why
#   has TEXT NEEDLE       TEXT contains NEEDLE
#   jqv FILTER            jq -r FILTER over $out
#   noreg_under_wine      sets CFG: under Wine, a --config that leaves the registry step out
: "${SXSFIX:?set SXSFIX to the sxsfix binary}"
EMU=${SXSFIX_EMULATOR:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0 rc=0 out="" err=""

sx() {
  local pre=()
  [ -z "${SXSFIX_TIMEOUT:-}" ] || pre=(timeout "$SXSFIX_TIMEOUT")
  if [ -n "$EMU" ]; then "${pre[@]}" "$EMU" "$SXSFIX" "$@"; else "${pre[@]}" "$SXSFIX" "$@"; fi
}
run() {
  sx "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  out=$(tr -d '\r' <"$tmp/out")
  err=$(tr -d '\r' <"$tmp/err")
}
check() {
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $what"
  else
    failed=$((failed + 1)); echo "not ok - $what"
    echo "  rc=$rc"; echo "  out: ${out:0:600}"; echo "  err: ${err:0:600}"
  fi
}
skip() { skipped=$((skipped + 1)); echo "skip - $1"; }
has() { grep -qF -- "$2" <<<"$1"; }
jqv() { jq -r "$1" <<<"$out"; }

# Wine cannot load an offline hive (RegLoadAppKeyW is a stub): with --root
# the CBS\Version key is unreadable there, which makes every undamaged
# installation "unknown" (exit 5; test_diagnose_states.sh checks that).
# Runs given "${CFG[@]}" leave the registry step out under Wine instead.
noreg_under_wine() {
  CFG=()
  [ -n "$EMU" ] || return 0
  printf 'disable = { "registry-stacks" }\n' >"$tmp/wine-noreg.lua"
  CFG=(--config "$tmp/wine-noreg.lua")
  echo "SKIP: the registry step under Wine (offline hives cannot be read there): left out by --config"
}

# need TOOL...: skip the test (exit 77) when a tool is not installed.
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
  done
}

# sample_image DIR: the generated installation and updates (scripts/sample-image.sh).
sample_image() {
  bash "$SXSFIX_SOURCE/scripts/sample-image.sh" "$1" >/dev/null || { echo "sample image failed"; exit 1; }
}
