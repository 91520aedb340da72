#!/usr/bin/env bash
# Under --root a journal found in the image is rolled back only when the
# installation's repair history names it with its SHA-256 (recorded at
# repair time); a planted or altered journal is refused (exit 3, one line,
# nothing changed) unless --trust-journal. A rollback killed midway is run
# again without it; rollback progress planted beside a journal is refused.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 sha256sum

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
noreg_under_wine
SEC=(); [ -z "$EMU" ] || SEC=(--security source)
repaired() {  # a fresh copy of the image, repaired; sets r, bk (its backup folder), hex2 (its journal's hash)
  r=$tmp/r; rm -rf "$r"; cp -a "$tmp/img/root" "$r"
  run --root "$r" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply "${SEC[@]}"
  bk=$(ls -d "$r"/ProgramData/sxsfix/Backup/*/ | head -1); bk=${bk%/}
  hex2=$(sha256sum "$bk/1/journal.txt" | cut -d' ' -f1)
}
filled() { [ -f "$r/Windows/WinSxS/$STACK/cbscore.dll" ]; }

repaired
check "repair: exit 0" test "$rc" = 0
line=$(grep ' repaired ' "$r/ProgramData/sxsfix/repairs.log" | tail -1)
hex=$(sha256sum "$bk/1/journal.txt" | cut -d' ' -f1)
check "the history line names the journal with its SHA-256" \
  bash -c 'grep -Eq "\| journal [^|]*\\\\1\\\\journal\.txt sha256:$2( |$)" <<<"$1"' _ "$line" "$hex"

# A journal planted in the image: the real one, copied to a new backup folder.
fake=$r/ProgramData/sxsfix/Backup/20991231-235959
mkdir -p "$fake" && cp -a "$bk/1" "$fake/1"
run --root "$r" "${CFG[@]}" rollback "$fake"
check "a journal the history does not name: exit 3" test "$rc" = 3
check "a journal the history does not name: one line, naming it" \
  bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -q "journal.txt: not a journal this installation.s repairs wrote" <<<"$1"' _ "$err"
check "a journal the history does not name: nothing rolled back" filled
run --root "$r" "${CFG[@]}" rollback --last
check "--last picks the planted (newest) folder, and is refused too: exit 3" test "$rc" = 3
check "--last: nothing rolled back" filled

# The real journal, altered after the repair (one more line).
cp "$bk/1/journal.txt" "$tmp/saved-journal"
printf 'remove extra.dll\n' >>"$bk/1/journal.txt"
run --root "$r" "${CFG[@]}" rollback "$bk"
check "an altered journal: exit 3" test "$rc" = 3
check "an altered journal: the line says its hash is not the recorded one" has "$err" "is not the $hex the repair history records"
check "an altered journal: nothing rolled back" filled
cp "$tmp/saved-journal" "$bk/1/journal.txt"

# --trust-journal: the admin vouches for it.
run --root "$r" "${CFG[@]}" rollback --trust-journal "$fake"
check "--trust-journal: the planted journal is rolled back, exit 0" test "$rc" = 0
check "--trust-journal: the stack folder is empty again" test -z "$(ls -A "$r/Windows/WinSxS/$STACK")"

# The real one, as repair printed it, is trusted; run again after it, too
# (the rollback names the journal again with what it appended).
repaired
run --root "$r" "${CFG[@]}" rollback "$bk"
check "the journal the history names: rolled back, exit 0" test "$rc" = 0
check "it emptied the stack folder" test -z "$(ls -A "$r/Windows/WinSxS/$STACK")"
check "the rollback line names the journal with its new hash" \
  grep -q " rolled back .* | journal .* sha256:$(sha256sum "$bk/1/journal.txt" | cut -d' ' -f1)" "$r/ProgramData/sxsfix/repairs.log"
run --root "$r" "${CFG[@]}" rollback "$bk"
check "a second rollback of it: trusted still, exit 0" test "$rc" = 0

# A rollback killed midway (its progress goes beside the journal, in
# journal.txt.rollback, so the journal keeps the hash the history names)
# is run again without --trust-journal and finishes.
if [ -n "$EMU" ]; then
  skip "a killed rollback: the fault point (SXSFIX_FAULT_KILL_AT) is the POSIX platform's"
else
  repaired
  { SXSFIX_FAULT_KILL_AT=4 "$SXSFIX" --root "$r" "${CFG[@]}" rollback "$bk" >/dev/null 2>&1; } 2>/dev/null
  check "the rollback was killed (137) midway" bash -c '[ "$1" = 137 ] && [ -n "$(ls -A "$2")" ]' _ $? "$r/Windows/WinSxS/$STACK"
  check "the journal is as the repair left it (its hash the history's)" \
    test "$(sha256sum "$bk/1/journal.txt" | cut -d' ' -f1)" = "$hex2"
  run --root "$r" "${CFG[@]}" rollback "$bk"
  check "the killed rollback, run again without --trust-journal: exit 0" test "$rc" = 0
  check "it emptied the stack folder" test -z "$(ls -A "$r/Windows/WinSxS/$STACK")"
fi

# Rollback progress planted beside a journal no rollback of this
# installation started (it would mark every record done): refused.
repaired
lines=$(wc -l <"$bk/1/journal.txt")
for l in $(seq 1 "$lines"); do echo "undone $l"; done >"$bk/1/journal.txt.rollback"
run --root "$r" "${CFG[@]}" rollback "$bk"
check "planted rollback progress: exit 3" test "$rc" = 3
check "planted rollback progress: one line naming it" \
  bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -q "journal.txt.rollback: rollback progress no rollback in the repair history started" <<<"$1"' _ "$err"
check "planted rollback progress: nothing rolled back" filled

echo "rollback_trust: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
