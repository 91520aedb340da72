#!/usr/bin/env bash
# A repair history (repairs.log) or --log that is not an ordinary file: a
# FIFO, a folder, an 8 GiB sparse file. Each is one clear line naming it,
# nothing hangs, and a history that cannot be read is never replaced by a
# shorter one (its lines would be lost).
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq truncate
# A hang is a failed check (rc 124), not a stuck suite; no time is asserted.
SXSFIX_TIMEOUT=${SXSFIX_TIMEOUT:-120}
noreg_under_wine

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
H=ProgramData/sxsfix/repairs.log
SEC=(); [ -z "$EMU" ] || SEC=(--security source)   # Wine keeps no descriptors
repair() { run --root "$1" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply "${SEC[@]}" "${@:2}"; }
fresh() { rm -rf "$tmp/$1"; cp -a "$tmp/img/root" "$tmp/$1"; echo "$tmp/$1"; }
filled() { test -f "$1/Windows/WinSxS/$STACK/cbscore.dll"; }
empty() { [ -z "$(ls -A "$1/Windows/WinSxS/$STACK")" ]; }
one_line() { test "$(grep -c -- "$2" <<<"$1")" -ge 1; }

# A repaired installation: its history resolves the evidence.
done_=$(fresh repaired)
repair "$done_"
check "the repaired installation: exit 0" test "$rc" = 0

# --- diagnose: a FIFO in place of the history --------------------------------
if [ -z "$EMU" ]; then
  r=$tmp/fifo; rm -rf "$r"; cp -a "$done_" "$r"
  rm -f "$r/$H"; mkfifo "$r/$H"
  run --root "$r" "${CFG[@]}" diagnose
  check "FIFO history: diagnose ends (no hang)" test "$rc" != 124
  check "FIFO history: one line names it, not a regular file" \
    one_line "$out" 'repairs.log: not a regular file'
else
  skip "FIFO history: a FIFO is a POSIX file type (Wine shows none)"
fi

# --- diagnose and repair: an 8 GiB sparse history ----------------------------
r=$tmp/huge; rm -rf "$r"; cp -a "$done_" "$r"
truncate -s 8G "$r/$H"
run --root "$r" "${CFG[@]}" diagnose
check "8 GiB history: diagnose ends (no hang)" test "$rc" != 124
check "8 GiB history: one line says it is too long to read" one_line "$out" 'repairs.log: longer than'
rm -rf "$r"/Windows/WinSxS/"$STACK"/*   # damaged again
repair "$r"
check "8 GiB history: the repair ends (no hang)" test "$rc" != 124
check "8 GiB history: the stack folder is repaired" filled "$r"
check "8 GiB history: one line on stderr says the repair was not recorded" \
  one_line "$err" 'repairs.log: longer than .*not recorded'
check "8 GiB history: the history is left as it was (not replaced)" \
  test "$(stat -c %s "$r/$H")" = $((8 * 1024 * 1024 * 1024))

# --- repair: a folder in place of the history --------------------------------
r=$(fresh dir)
mkdir -p "$r/$H"; chmod 700 "$r/ProgramData/sxsfix"
repair "$r"
check "history a folder: the stack folder is repaired" filled "$r"
check "history a folder: one line on stderr names it, not recorded" \
  one_line "$err" 'repairs.log.*not recorded'

# --- a FIFO as --log ---------------------------------------------------------
if [ -z "$EMU" ]; then
  r=$(fresh logfifo)
  mkfifo "$tmp/log.fifo"
  repair "$r" --log "$tmp/log.fifo"
  check "--log FIFO: the run ends (no hang), exit 3" test "$rc" = 3
  check "--log FIFO: one line names it" one_line "$err" "--log $tmp/log.fifo: not a regular file"
  check "--log FIFO: nothing changed" empty "$r"
else
  skip "--log FIFO: a FIFO is a POSIX file type (Wine shows none)"
fi

# --- a script's result of the wrong type: exit 4, one line naming it --------
printf 'return { verdict = "not ready\\n\\27[31m" }\n' >"$tmp/badverdict.lua"
printf 'return { exit = "x" }\n' >"$tmp/badexit.lua"
for s in badverdict badexit; do
  run --summary run "$tmp/$s.lua"
  check "$s.lua: exit 4" test "$rc" = 4
  check "$s.lua: one line on stderr names the script and the field" \
    bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -q "$2.lua: its result.s" <<<"$1"' _ "$err" "$s"
  check "$s.lua: no control character from the result reaches stderr" \
    bash -c '! LC_ALL=C grep -q "[[:cntrl:]]" <<<"$1"' _ "$err"
done

# --- --json FILE: a file of the user's beside it is not touched --------------
mkdir -p "$tmp/jsonout"; echo mine >"$tmp/jsonout/r.json.sxsfix-check"
run --json "$tmp/jsonout/r.json" --root "$tmp/img/root" "${CFG[@]}" diagnose
check "--json: the report is written" test -s "$tmp/jsonout/r.json"
check "--json: an existing FILE.sxsfix-check is left as it was" \
  test "$(cat "$tmp/jsonout/r.json.sxsfix-check" 2>/dev/null)" = mine

echo "audit25: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
