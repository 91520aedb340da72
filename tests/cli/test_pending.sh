#!/usr/bin/env bash
# Servicing already under way: a repair --apply on an installation with a
# pending servicing operation (WinSxS\pending.xml; CBS's RebootPending or
# SessionsPending key in its SOFTWARE hive; others' PendingFileRenameOperations
# in its SYSTEM hive) refuses, exit 3, one line saying to restart first, and
# changes nothing; --force repairs anyway. Real hives, written by hivexsh.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq iconv

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
noreg_under_wine
SEC=(); [ -z "$EMU" ] || SEC=(--security source)
fresh() { r=$tmp/r; rm -rf "$r"; cp -a "$tmp/img/root" "$r"; }
repair() { run --root "$r" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply "${SEC[@]}" "$@"; }
untouched() { [ -z "$(ls -A "$r/Windows/WinSxS/$STACK")" ] && [ ! -e "$r/ProgramData/sxsfix/Backup" ]; }
refused() {  # refused WHAT NEEDLE
  repair
  check "$1: exit 3" test "$rc" = 3
  check "$1: one line says to restart first and names it" \
    bash -c '[ "$(grep -c "^sxsfix repair: .*restart Windows first" <<<"$1")" = 1 ] && grep -q -- "$2" <<<"$1"' _ "$err" "$2"
  check "$1: nothing changed" untouched
}
# multisz STRING...: a REG_MULTI_SZ as hivexsh's hex:7: bytes (UTF-16LE)
multisz() {
  { for s in "$@"; do printf '%s\0' "$s"; done; printf '\0'; } | iconv -f utf-8 -t utf-16le |
    od -An -tx1 -v | tr -s ' \n' ',' | sed 's/^,//;s/,$//'
}
SOFT=Windows/System32/config/SOFTWARE SYS=Windows/System32/config/SYSTEM
CBS='Microsoft\Windows\CurrentVersion\Component Based Servicing'

fresh
repair
check "nothing pending: the repair exits 0" test "$rc" = 0

fresh
printf '<?xml version="1.0"?><PendingTransaction/>\n' >"$r/Windows/WinSxS/pending.xml"
refused "WinSxS\\pending.xml" "pending.xml"
repair --force --json "$tmp/forced.json"
check "pending.xml with --force: the repair exits 0" test "$rc" = 0
check "pending.xml with --force: a warning says so" has "$err" "a servicing operation is pending"
check "pending.xml with --force: the JSON records it" \
  test "$(jq -r '[.repair.forced, .repair.servicing_pending[0].what] | join(" ")' "$tmp/forced.json")" = "true pending.xml"

fresh
: >"$r/Windows/WinSxS/pending.xml"
run --root "$r" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU"
check "pending.xml, plan only: exit 1 (planned), with a warning" bash -c '[ "$1" = 1 ] && grep -q "servicing operation is pending" <<<"$2"' _ "$rc" "$err"

if [ -n "$EMU" ]; then
  skip "RebootPending, SessionsPending, PendingFileRenameOperations: offline hives cannot be read under Wine (RegLoadAppKeyW is a stub)"
else
  fresh
  hivexsh -w "$r/$SOFT" >/dev/null <<EOF
cd $CBS
add RebootPending
commit
EOF
  refused "CBS RebootPending" "RebootPending"

  fresh
  hivexsh -w "$r/$SOFT" >/dev/null <<EOF
cd $CBS
add SessionsPending
cd SessionsPending
setval 2
Exclusive
dword:0x00000001
TotalSessionPhases
dword:0x00000001
commit
EOF
  refused "CBS SessionsPending (Exclusive 1)" "SessionsPending"

  fresh
  hivexsh -w "$r/$SOFT" >/dev/null <<EOF
cd $CBS
add SessionsPending
cd SessionsPending
setval 2
Exclusive
dword:0x00000000
TotalSessionPhases
dword:0x00000000
commit
EOF
  repair
  check "SessionsPending with zero values: not pending, exit 0" test "$rc" = 0

  # others' replacement at the next boot, in the control set Select\Current names (2)
  fresh
  hivexsh -w "$r/$SYS" >/dev/null <<EOF
cd ControlSet002\\Control
add Session Manager
cd Session Manager
setval 1
PendingFileRenameOperations
hex:7:$(multisz '\??\C:\Windows\System32\drivers\new.sys' '!\??\C:\Windows\System32\drivers\old.sys')
commit
EOF
  refused "others' PendingFileRenameOperations" "PendingFileRenameOperations"

  # only an earlier repair's own replacement: not another operation
  fresh
  hivexsh -w "$r/$SYS" >/dev/null <<EOF
cd ControlSet002\\Control
add Session Manager
cd Session Manager
setval 1
PendingFileRenameOperations
hex:7:$(multisz "\\??\\C:\\Windows\\WinSxS\\$STACK\\wcp.dll.sxsfix-pending1" "!\\??\\C:\\Windows\\WinSxS\\$STACK\\wcp.dll")
commit
EOF
  repair
  check "only sxsfix's own PendingFileRenameOperations: not refused, exit 0" test "$rc" = 0
fi

echo "pending: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
