#!/usr/bin/env bash
# The README's rescue walk-through (diagnose, plan, apply, undo) on an
# offline installation, for what it showed:
# - the rollback's line in the repair history spells its paths as the
#   repair's line does (%ProgramData%\..., not the rescue system's mount).
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
REF=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.4652_none_77d853660bacf544
SSU=$tmp/img/ssu/amd64-10.0.26100.5074
MSU=$SSU/windows11.0-kb5043080-x64.msu
PAYLOAD=$SSU/payload/$STACK
SXT=(--trust "$tmp/img/ca/ca.pem")
noreg_under_wine
SEC=()
[ -z "$EMU" ] || SEC=(--security source)   # Wine keeps no descriptors (see test_repair.sh)
fresh() { rm -rf "$tmp/$1"; cp -a "$tmp/img/root" "$tmp/$1"; echo "$tmp/$1"; }

# --- the rollback's history line: the repair line's spelling ------------------------
r=$(fresh history)
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU" --apply "${SEC[@]}"
check "history: the repair applied (exit 0)" test "$rc" = 0
run --root "$r" "${CFG[@]}" rollback --last
check "history: rollback --last exits 0" test "$rc" = 0
H=$r/ProgramData/sxsfix/repairs.log
last=$(tail -1 "$H" | tr -d '\r')
echo "# $last"
check "history: the rollback line names the backup as %ProgramData%\\sxsfix\\Backup\\..." \
  grep -Eq '^[0-9TZ:-]+ rolled back %ProgramData%\\sxsfix\\Backup\\[0-9]{8}-[0-9]{6} \| journal %ProgramData%\\sxsfix\\Backup\\[0-9]{8}-[0-9]{6}\\1\\journal\.txt sha256:[0-9a-f]{64}$' <<<"$last"
check "history: no rescue-system path in it" bash -c '! grep -qF "$1" "$2"' _ "$r" "$H"
run --root "$r" "${CFG[@]}" diagnose
check "history: the rollback still undoes the repair line (diagnose: damaged, exit 1)" test "$rc" = 1
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU" --apply "${SEC[@]}"
run --root "$r" "${CFG[@]}" rollback --last
check "history: a second repair and rollback work after it (exit 0)" test "$rc" = 0
check "history: and the folder is damaged again" test -z "$(ls -A "$r/Windows/WinSxS/$STACK")"

echo "walkfix: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
