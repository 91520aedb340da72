#!/usr/bin/env bash
# --registry: diagnose and repair keep their result under
# HKLM\SOFTWARE\sxsfix\Results (Command, Verdict, Status, Summary, Time as
# REG_SZ, ExitCode as REG_DWORD), where inventory tools read it. Natively
# (POSIX) it is refused with one line before anything runs; under Wine the
# values are read back with Wine's own reg.exe, not with sxsfix.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
KEY='HKLM\SOFTWARE\sxsfix\Results'

run --registry version
check "--registry with a command that has no result: exit 3, one line" \
  test "$rc,$err" = "3,sxsfix: --registry: only diagnose and repair have a result to keep"

mkdir -p "$tmp/root/Windows/System32/config"
run --registry --root "$tmp/root" diagnose
if [ -z "$EMU" ]; then
  check "posix: --registry --root: exit 3, the one line" \
    test "$rc,$err" = "3,sxsfix: --registry: not available without a live Windows registry"
  run --registry --summary diagnose
  check "posix: --registry diagnose: exit 3, one line, nothing on stdout" \
    test "$rc,$err,$out" = "3,sxsfix: --registry: not available without a live Windows registry,"
  run eval 'print(require("sxsfix.reg").set([[HKLM\SOFTWARE\sxsfix\Results]], "Verdict", "x"))'
  check "posix: reg.set: nil and the message" has "$out" "nil	HKLM\\SOFTWARE\\sxsfix\\Results: not available without a live Windows registry"
  echo "registry: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" = 0 ]; exit
fi

check "wine: --registry --root: exit 3, this machine's result only" \
  test "$rc,$err" = "3,sxsfix: --registry: it keeps this machine's result, not that of the installation under --root"

# reg.exe query KEY: "name=type=data" lines
query() { "$EMU" reg query "$KEY" 2>/dev/null | tr -d '\r' | sed -n 's/^    \([A-Za-z]*\)    \(REG_[A-Z]*\)    \(.*\)$/\1=\2=\3/p'; }
"$EMU" reg delete "$KEY" /f >/dev/null 2>&1
"$EMU" reg add "$KEY" /v Verdict /t REG_SZ /d stale /f >/dev/null 2>&1
run --registry --summary --json "$tmp/d.json" diagnose
q=$(query)
verdict=$(jq -r .verdict "$tmp/d.json") time=$(jq -r .time "$tmp/d.json")
check "wine: diagnose ran (exit $rc: 0, 1 or 5) and wrote its JSON" test "$rc" -le 1 -o "$rc" = 5 -a -s "$tmp/d.json"
check "wine: reg query: Command diagnose" has "$q" "Command=REG_SZ=diagnose"
check "wine: reg query: Verdict is the JSON's ($verdict), the stale value replaced" has "$q" "Verdict=REG_SZ=$verdict"
check "wine: reg query: Summary is the --summary line" has "$q" "Summary=REG_SZ=$out"
check "wine: reg query: Time is the JSON's" has "$q" "Time=REG_SZ=$time"
check "wine: reg query: ExitCode is a REG_DWORD of the exit code" has "$q" "ExitCode=REG_DWORD=$(printf '0x%x' "$rc")"
check "wine: reg query: Status empty for a diagnosis" grep -qx "Status=REG_SZ=" <<<"$q"
"$EMU" reg delete "$KEY" /f >/dev/null 2>&1

echo "registry: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
