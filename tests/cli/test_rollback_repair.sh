#!/usr/bin/env bash
# Repair's last lines say how to undo it ("To undo: sxsfix --root R rollback
# FOLDER"), and that command, run as printed, undoes the repair.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
noreg_under_wine
SEC=(); [ -z "$EMU" ] || SEC=(--security source)
r=$tmp/r; cp -a "$tmp/img/root" "$r"
run --root "$r" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply "${SEC[@]}"
check "repair: exit 0" test "$rc" = 0
undo=$(grep '^To undo: sxsfix ' <<<"$out" | tail -1)
check "repair says how to undo, with --root" has "$undo" "To undo: sxsfix --root $r rollback $r/ProgramData/sxsfix/Backup/"
read -r -a cmd <<<"${undo#To undo: sxsfix }"
run "${CFG[@]}" "${cmd[@]}"
check "the printed undo command exits 0" test "$rc" = 0
check "the printed undo command empties the stack folder again" test -z "$(ls -A "$r/Windows/WinSxS/$STACK")"
# The rollback is in the history: the repair it undid resolves nothing now.
check "the rollback is recorded in the history" grep -q " rolled back " "$r/ProgramData/sxsfix/repairs.log"
run --root "$r" "${CFG[@]}" diagnose
check "diagnose after the undo: not healthy" test "$rc" != 0
check "diagnose after the undo: no 'Resolved history' from the undone repair" bash -c '! grep -q "Resolved history" <<<"$1"' _ "$out"
run "${CFG[@]}" "${cmd[@]}"
check "a second undo changes nothing and exits 0" test "$rc" = 0
check "a second undo (nothing undone) adds no history line" test "$(grep -c ' rolled back ' "$r/ProgramData/sxsfix/repairs.log")" = 1
echo "rollback_repair: $passed passed, $failed failed"
[ "$failed" = 0 ]
