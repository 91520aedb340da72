#!/usr/bin/env bash
# The README's rescue walk-through (diagnose, plan, apply, undo) on an
# offline installation, for what it showed:
# - the work folder the repair made itself (%SystemDrive%\sxsfix-work)
#   goes when it is empty at the end (kept with --keep-work, and when it
#   was there before);
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

# --- the work folder the run made goes when empty ---------------------------------
r=$(fresh madework)
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU" --apply "${SEC[@]}"
check "apply: exit 0" test "$rc" = 0
check "apply: the work folder it made (sxsfix-work) is gone" test ! -e "$r/sxsfix-work"
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU"
check "plan on the repaired installation: nothing to do (exit 0), no work folder left" \
  test "$rc" = 0 -a ! -e "$r/sxsfix-work"
r=$(fresh keepwork)
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU" --keep-work
check "--keep-work: the work folder stays, with the staging" test -d "$r/sxsfix-work/ssu-windows11.0-kb5043080-x64.msu.verified"
r=$(fresh ownwork)
mkdir -m 700 "$r/sxsfix-work"
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU"
check "a work folder that was there before: kept (empty)" test -d "$r/sxsfix-work" -a -z "$(ls -A "$r/sxsfix-work")"

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
