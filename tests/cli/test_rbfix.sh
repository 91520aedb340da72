#!/usr/bin/env bash
# Rollback's hostile inputs under --root: a backup folder or journal that
# is a link (not followed), a FIFO, a file, missing, empty, or too long is
# refused with one line naming it (exit 3, no traceback, no hang); a
# repair history it cannot read (too long, a FIFO) is left as it is, and
# the rollback says in one line that it was not recorded.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 sha256sum

B=$tmp/e/ProgramData/sxsfix/Backup
mkdir -p "$B" "$tmp/outside"
echo keep >"$tmp/outside/journal.txt"
refused() {  # what, path: exit 3, one line naming path and what
  run --root "$tmp/e" rollback "$2"
  check "$1: exit 3" test "$rc" = 3
  check "$1: one line naming it and why" \
    bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -qF "$2" <<<"$1" && grep -q "$3" <<<"$1" && ! grep -q traceback <<<"$1"' \
    _ "$err" "${2##*/}" "$3"
}
if [ -z "$EMU" ]; then
  ln -s "$tmp/outside" "$B/20990101-000001"
  refused "a backup folder that is a link out of the root" "$B/20990101-000001" "link"
  ln -s 20990101-000003 "$B/20990101-000002"; mkdir -p "$B/20990101-000003/1"
  refused "a backup folder that is a link inside the root" "$B/20990101-000002" "a link, not followed"
  mkfifo "$B/20990101-000004"
  refused "a backup folder that is a FIFO" "$B/20990101-000004" "not a regular file"
else
  skip "backup folders that are links or FIFOs: Wine shows Unix links as their targets and has no FIFOs"
fi
refused "a backup folder that is missing" "$B/20990101-000005" "No such file\|not found"
mkdir -p "$B/20990101-000006"
refused "a backup folder without a journal" "$B/20990101-000006" "no journal in this folder"
if [ -z "$EMU" ]; then
  mkdir -p "$B/20990101-000007/1"; ln -s "$tmp/outside/journal.txt" "$B/20990101-000007/1/journal.txt"
  refused "a journal that is a link" "$B/20990101-000007" "link"
  mkdir -p "$B/20990101-000008/1"; mkfifo "$B/20990101-000008/1/journal.txt"
  refused "a journal that is a FIFO" "$B/20990101-000008" "not a regular file"
else
  skip "journals that are links or FIFOs: Wine shows Unix links as their targets and has no FIFOs"
fi
mkdir -p "$B/20990101-000009/1"; truncate -s 3G "$B/20990101-000009/1/journal.txt"
refused "a journal that is too long" "$B/20990101-000009" "longer than"
[ -n "$EMU" ] || check "the link's target is left as it is" test "$(cat "$tmp/outside/journal.txt")" = keep

# A repaired image whose history then cannot be read.
sample_image "$tmp/img"
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
noreg_under_wine
SEC=(); [ -z "$EMU" ] || SEC=(--security source)
r=$tmp/r; H=$r/ProgramData/sxsfix/repairs.log
kinds="long fifo"; [ -z "$EMU" ] || kinds=long  # (Wine has no FIFOs)
for kind in $kinds; do
  rm -rf "$r"; cp -a "$tmp/img/root" "$r"
  run --root "$r" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply "${SEC[@]}"
  check "$kind: repair: exit 0" test "$rc" = 0
  if [ "$kind" = long ]; then head -c 1100000 /dev/zero | tr '\0' '#' >>"$H"; else rm -f "$H"; mkfifo -m 600 "$H"; fi
  before=$(ls -l "$H"; [ -p "$H" ] || sha256sum <"$H")
  SXSFIX_TIMEOUT=60 run --root "$r" "${CFG[@]}" rollback --trust-journal --last
  check "$kind history: the rollback runs (exit 0)" test "$rc" = 0
  check "$kind history: one line says the rollback was not recorded" \
    bash -c '[ "$(grep -c . <<<"$1")" = 1 ] && grep -q "not recorded" <<<"$1"' _ "$err"
  check "$kind history: left as it is" test "$before" = "$(ls -l "$H"; [ -p "$H" ] || sha256sum <"$H")"
done

# A repair in the same second as an earlier one (a script's rerun): the
# backup folders of this second and the next few exist already, each with
# its journal; the repair takes a free name ("-2") and --last finds it.
rm -rf "$r"; cp -a "$tmp/img/root" "$r"
now=$(date -u +%s)
for s in 0 1 2 3 4 5; do mkdir -p "$r/ProgramData/sxsfix/Backup/$(date -u -d "@$((now + s))" +%Y%m%d-%H%M%S)/1"; done
for d in "$r"/ProgramData/sxsfix/Backup/*/1; do echo planted >"$d/journal.txt"; done
run --root "$r" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply "${SEC[@]}"
check "same second: the repair runs (exit 0)" test "$rc" = 0
check "same second: it takes the name with -2" has "$out" "-2"
check "same second: the earlier folders' journals are left as they were" \
  test "$(cat "$r"/ProgramData/sxsfix/Backup/*/1/journal.txt | grep -c '^planted$')" = 6
mine=$(grep -o '[0-9]\{8\}-[0-9]\{6\}-2' <<<"$out" | head -1)
for d in "$r"/ProgramData/sxsfix/Backup/*; do [[ "${d##*/}" > "$mine" ]] && rm -rf "$d"; done  # the later seconds'
run --root "$r" "${CFG[@]}" rollback --last
check "same second: rollback --last undoes it (exit 0)" test "$rc" = 0

# A repair killed midway (the POSIX fault point): its "repairing" line,
# written before any change, vouches for its journal, so the rollback needs
# no --trust-journal; a journal no line names is still refused, and so is
# one so named whose destination lies outside the root.
if [ -z "$EMU" ]; then
  rm -rf "$r"; cp -a "$tmp/img/root" "$r"
  { SXSFIX_FAULT_KILL_AT=20 "$SXSFIX" --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply >/dev/null 2>&1; } 2>/dev/null
  check "killed: the repair was killed" test $? = 137
  check "killed: the history says it began" grep -q ' repairing .* | journal ' "$H"
  cp -a "$r" "$tmp/r2"
  run --root "$r" rollback --last
  check "killed: rollback --last needs no --trust-journal (exit 0)" test "$rc" = 0
  j2=$(ls "$tmp"/r2/ProgramData/sxsfix/Backup/*/1/journal.txt)
  sed -i 's/ repairing / repaired-not /' "$tmp/r2/ProgramData/sxsfix/repairs.log"
  run --root "$tmp/r2" rollback "$j2"
  check "killed, its line gone: the journal is refused (exit 3)" test "$rc" = 3
  sed -i 's/ repaired-not / repairing /' "$tmp/r2/ProgramData/sxsfix/repairs.log"
  mkdir -p "$tmp/victim"; echo keep >"$tmp/victim/keep.txt"
  sed -i "s#^dst .*#dst $tmp/victim#" "$j2"
  run --root "$tmp/r2" rollback "$j2"
  check "killed, named, but its destination outside the root: refused (exit 3)" test "$rc" = 3
  check "killed, named, outside: the line says it lies outside --root" has "$err" "outside --root"
  check "killed, named, outside: nothing outside changed" test "$(cat "$tmp/victim/keep.txt")" = keep
else
  skip "killed repair: the fault point (SXSFIX_FAULT_KILL_AT) is the POSIX platform's"
fi

echo "rbfix: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
