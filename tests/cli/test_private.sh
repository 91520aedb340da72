#!/usr/bin/env bash
# The folders and files sxsfix keeps for itself (work, backup, logs, repair
# history) are private to root / the administrators: created 0700 (a
# protected DACL on Windows), and a pre-existing one that someone else owns
# or may write is refused with how to remove it. A repair history that is
# not private, or dated in the future, is not believed.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4
if [ -n "$EMU" ]; then
  # Owners and modes are POSIX here; the Windows DACLs are unit-tested
  # (torture_platform), and Wine keeps no descriptors to refuse.
  echo "SKIP: POSIX owners and modes; the Windows side is in unit.platform"
  exit 77
fi
[ "$(id -u)" = 0 ] || { echo "SKIP: giving files to another user needs root"; exit 77; }

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
SSU=$tmp/img/ssu/amd64-10.0.26100.5074
MSU=$SSU/windows10.0-kb5043080-x64.msu
fresh() { rm -rf "$tmp/$1"; cp -a "$tmp/img/root" "$tmp/$1"; echo "$tmp/$1"; }
empty() { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }
owner_mode() { stat -c '%U %a' "$1"; }

# --- what a repair creates is root-owned 0700 -------------------------------------
r=$(fresh made)
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply --security source
check "repair: exit 0" test "$rc" = 0
for d in ProgramData/sxsfix ProgramData/sxsfix/Logs ProgramData/sxsfix/Backup; do
  check "repair made $d root-owned 0700" test "$(owner_mode "$r/$d")" = "root 700"
done
r2=$(fresh madework)
run --root "$r2" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --keep-work
check "repair made sxsfix-work root-owned 0700 (kept with --keep-work)" test "$(owner_mode "$r2/sxsfix-work")" = "root 700"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply --security source
check "a second run accepts its own folders (exit 0)" test "$rc" = 0

# --- pre-existing folders that are not private: refused, nothing changed ---------
refused() {  # refused WHAT ROOT PATH
  check "$1: repair refuses (exit 3)" test "$rc" = 3
  check "$1: names the path" has "$err" "$3"
  check "$1: says how to remove it" has "$err" "rm -rf '$2/$3'"
  check "$1: the stack folder is untouched" empty "$2/Windows/WinSxS/$STACK"
}
r=$(fresh worknobody)
mkdir "$r/sxsfix-work" && chown nobody "$r/sxsfix-work" && chmod 700 "$r/sxsfix-work"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply --security source
refused "work folder owned by nobody" "$r" sxsfix-work
check "work folder owned by nobody: says whose it is" has "$err" "owned by user $(id -u nobody)"
r=$(fresh workwide)
mkdir -m 777 "$r/sxsfix-work"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply --security source
refused "work folder writable by everyone" "$r" sxsfix-work
check "work folder writable by everyone: says so" has "$err" "writable by everyone"
r=$(fresh pdnobody)
mkdir -p "$r/ProgramData/sxsfix" && chown nobody "$r/ProgramData/sxsfix"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply --security source
refused "ProgramData\\sxsfix owned by nobody" "$r" ProgramData/sxsfix
check "ProgramData\\sxsfix owned by nobody: no backup made in it" test ! -e "$r/ProgramData/sxsfix/Backup"
r=$(fresh logsgroup)
mkdir -p -m 700 "$r/ProgramData/sxsfix" && mkdir -m 770 "$r/ProgramData/sxsfix/Logs"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply --security source
refused "Logs writable by its group" "$r" ProgramData/sxsfix/Logs
r=$(fresh histnobody)
mkdir -p -m 700 "$r/ProgramData/sxsfix"
echo "2024-01-01 00:00:00 repaired something" >"$r/ProgramData/sxsfix/repairs.log"
chown nobody "$r/ProgramData/sxsfix/repairs.log"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply --security source
refused "repairs.log owned by nobody" "$r" ProgramData/sxsfix/repairs.log

# --- the history: a planted line must not turn evidence into "resolved" ----------
# An intact stack with the failure's lines in the logs is "suspected"; a
# history line dated after those lines makes them resolved history.
hist() {  # hist ROOT LINE OWNER MODE
  mkdir -p -m 700 "$1/ProgramData/sxsfix"
  echo "$2 repaired $STACK" >"$1/ProgramData/sxsfix/repairs.log"
  chown "$3" "$1/ProgramData/sxsfix/repairs.log"; chmod "$4" "$1/ProgramData/sxsfix/repairs.log"
}
r=$(fresh intact)
cp -a "$SSU/payload/$STACK/." "$r/Windows/WinSxS/$STACK/"
run --root "$r" diagnose
check "intact stack, failure in the logs: suspected (exit 1)" test "$rc" = 1
hist "$r" "2025-01-01 00:00:00" root 644
run --root "$r" diagnose
check "a private history after the failure: healthy (exit 0)" test "$rc" = 0
check "a private history after the failure: the lines are resolved history" has "$out" "Resolved history"
hist "$r" "2099-01-01 00:00:00" root 644
run --root "$r" diagnose
check "a history line dated in the future is ignored: still suspected (exit 1)" test "$rc" = 1
hist "$r" "2025-01-01 00:00:00" nobody 644
run --root "$r" diagnose
check "a history owned by nobody is ignored: still suspected (exit 1)" test "$rc" = 1
check "a history owned by nobody: the report says it is ignored" has "$out" "repair history is ignored"
hist "$r" "2025-01-01 00:00:00" root 666
run --root "$r" diagnose
check "a history writable by everyone is ignored: still suspected (exit 1)" test "$rc" = 1

echo "private: $passed passed, $failed failed"
[ "$failed" = 0 ]
