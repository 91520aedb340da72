#!/usr/bin/env bash
# --registry: diagnose and repair keep their result under
# HKLM\SOFTWARE\sxsfix\Results (Command, Verdict, Status, Summary, Time as
# REG_SZ, ExitCode as REG_DWORD), where inventory tools read it. Natively
# (POSIX) it is refused with one line before anything runs; under Wine the
# values are read back with Wine's own reg.exe, not with sxsfix; and a
# registry link planted on the path (tests/win/reglink.c) is refused.
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

# A registry link planted at HKLM\SOFTWARE\sxsfix or at its \Results
# (reglink.exe: REG_OPTION_CREATE_LINK and a REG_LINK SymbolicLinkValue)
# would redirect the write to a key of the attacker's choosing. The write
# is refused with one line naming the link; the target stays as it was.
TARGET='HKLM\SOFTWARE\sxsfixLinkTarget' NT_TARGET='\Registry\Machine\SOFTWARE\sxsfixLinkTarget'
# Wine's programs now and then print nothing on a loaded machine: an empty
# answer is asked again, three times at most.
ask() { local v="" i; for i in 1 2 3; do v=$("$@" 2>/dev/null | tr -d '\r'); [ -z "$v" ] || break; done; printf '%s' "$v"; }
tree() { ask "$EMU" reg query "$TARGET" /s | grep -v '^$'; }
link_case() {  # link_case LINK (below HKLM) WHAT
  local link=$1 what=$2
  "$EMU" reg delete 'HKLM\SOFTWARE\sxsfix' /f >/dev/null 2>&1
  "$EMU" reg delete "$TARGET" /f >/dev/null 2>&1
  "$EMU" reg add "$TARGET" /v Sentinel /t REG_SZ /d theirs /f >/dev/null 2>&1
  [ "$link" = 'SOFTWARE\sxsfix' ] || "$EMU" reg add 'HKLM\SOFTWARE\sxsfix' /f >/dev/null 2>&1
  rm -f "$tmp/ready" "$tmp/stop"
  "$EMU" "$SX_REGLINK" link "$link" "$NT_TARGET" "$tmp/ready" "$tmp/stop" </dev/null >"$tmp/rl.out" 2>&1 &
  local holder=$! i
  for i in $(seq 600); do [ -e "$tmp/ready" ] || ! kill -0 "$holder" 2>/dev/null && break; sleep 0.1; done
  if [ ! -e "$tmp/ready" ]; then
    touch "$tmp/stop"; wait "$holder"
    skip "$what: Wine cannot create a registry link ($(tr -d '\r' <"$tmp/rl.out"))"; return
  fi
  # Wine keeps it: read back from the link itself, and followed by reg.exe.
  local back seen before
  back=$(ask "$EMU" "$SX_REGLINK" show "$link")
  seen=$(ask "$EMU" reg query "HKLM\\$link")
  if [ "$back" != "$NT_TARGET" ] || ! has "$seen" theirs; then
    skip "$what: Wine does not keep the registry link (read back '$back'; following it shows no Sentinel)"
    touch "$tmp/stop"; wait "$holder"; return
  fi
  before=$(tree)
  run --registry "${CFG[@]}" --json "$tmp/l.json" diagnose
  local want
  want=$(jq -r .exit_code "$tmp/l.json" 2>/dev/null)
  case $want in 0|1|3010) want=3 ;; esac
  check "$what: the write is refused (exit $want, as a failed output)" test "$rc" = "$want"
  check "$what: one line naming the link" \
    test "$err" = "sxsfix: --registry: HKLM\\$link: a registry link (SymbolicLinkValue): not followed; the result is kept only under real keys"
  check "$what: the link's target is untouched" test "$(tree)" = "$before"
  check "$what: the link is still the link" test "$(ask "$EMU" "$SX_REGLINK" show "$link")" = "$NT_TARGET"
  touch "$tmp/stop"
  check "$what: the link is removed again" wait "$holder"
}
if [ -z "${SX_REGLINK:-}" ]; then
  skip "registry links: reglink.exe was not built (SX_REGLINK unset)"
else
  noreg_under_wine   # a diagnosis that exits 0 here: the refusal must make it 3
  for l in 'SOFTWARE\sxsfix\Results' 'SOFTWARE\sxsfix'; do "$EMU" "$SX_REGLINK" unlink "$l" >/dev/null 2>&1; done
  link_case 'SOFTWARE\sxsfix' "link at HKLM\\SOFTWARE\\sxsfix"
  link_case 'SOFTWARE\sxsfix\Results' "link at HKLM\\SOFTWARE\\sxsfix\\Results"
  "$EMU" reg delete 'HKLM\SOFTWARE\sxsfix' /f >/dev/null 2>&1
  "$EMU" reg delete "$TARGET" /f >/dev/null 2>&1
fi

echo "registry: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
