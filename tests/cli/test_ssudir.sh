#!/usr/bin/env bash
# repair --trust "$tmp/img/ca/ca.pem" --ssu DIR: a folder of .msu/.cab updates (as on a share); the one
# holding the damaged folders is chosen by listing (only it is expanded):
# fewest other folders, then newest file time; none -> refused with a table.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq iconv
sample_image "$tmp/img"
S=$tmp/img/ssu
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
r=$tmp/img/root
sum() { find "$1" -printf '%p %s %T@\n' | sort | md5sum; }
wim=$(sx eval 'io.write(require("sxsfix.host").features().wim == true and "yes" or "no")' | tr -d '\r')

# --- every kind of update, three of which hold the damaged folder --------------
mkdir -p "$tmp/share"
cp "$S"/*/*.msu "$tmp/share/"
rm -f "$tmp/share"/*-lzx.msu   # the compressed twins: the same folders again
cp "$S/amd64-10.0.26100.5074/SSU-26100.5074-x64.cab" "$tmp/share/"
touch -d '2026-01-01 00:00 UTC' "$tmp/share"/*
touch -d '2026-03-01 00:00 UTC' "$tmp/share/windows10.0-kb5043080-x64.msu"   # the newest of the three
printf 'junk' >"$tmp/share/broken.cab"                                        # listed with its error
printf 'notes' >"$tmp/share/readme.txt"                                       # not an update
before=$(sum "$r")
run --root "$r" --json - repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/share" --work "$tmp/work" --keep-work
check "share: planned (exit 1)" test "$rc" = 1 -a "$(jqv .repair.status)" = planned
check "share: 10 candidates recorded" test "$(jqv '.repair.candidates | length')" = 10
check "share: the newest of the three that hold the folder is chosen" \
  test "$(jqv '.repair.choice.file | split("/") | last')" = windows10.0-kb5043080-x64.msu
check "share: why names the tie-break" has "$(jqv .repair.choice.why)" "newest file time"
[ "$wim" = yes ] || skip "this build has no wimlib: the WIM .msu candidates carry an error instead"
[ "$wim" = no ] || check "share: the matching ones" test "$(jqv '[.repair.candidates[] | select(.matches) | .file | split("/") | last] | join(",")')" = \
  "SSU-26100.5074-x64.cab,windows10.0-kb5043080-x64.msu,windows11.0-kb5043080-x64.msu"
check "share: versions each candidate holds (CAB .msu listed through its inner cab)" \
  test "$(jqv '.repair.candidates[] | select(.file | endswith("windows10.0-kb5043936-x64.msu")) | .versions[0]')" = "10.0.22621.4000 x64"
if [ "$wim" = yes ]; then
  check "share: a WIM .msu by its SSU cab's name" \
    test "$(jqv '.repair.candidates[] | select(.file | endswith("windows11.0-kb5044284-x64.msu")) | "\(.kind) \(.versions[0])"')" = "msu (WIM) 10.0.26100.5100 x64"
fi
check "share: a broken cab is a candidate with an error, not a stop" \
  has "$(jqv '.repair.candidates[] | select(.file | endswith("broken.cab")) | .error')" "broken.cab"
check "share: only the chosen update's stack cab was expanded, into its verified staging (--keep-work)" \
  test "$(ls "$tmp/work" | tr '\n' ' ')" = "ssu-windows10.0-kb5043080-x64.msu.verified "
check "share: the plan restores the damaged folder" test "$(jqv "[.repair.plan[] | select(.folder == \"$STACK\")] | length")" -ge 8
check "share: nothing changed by a plan" test "$(sum "$r")" = "$before"
run --root "$r" --summary repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/share" --work "$tmp/work"
check "share: the summary names the chosen update" has "$out" "from windows10.0-kb5043080-x64.msu; run with --apply"
check "share: without --keep-work the work folder is empty after the run" test -z "$(ls -A "$tmp/work")"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/share" --work "$tmp/work"
check "share: text says which update and why" has "$out" "Update chosen from $tmp/share: windows10.0-kb5043080-x64.msu (it holds the damaged folder(s); $([ "$wim" = yes ] && echo 3 || echo 2) update(s) match, this one has the newest file time"

# --- fewest other folders wins over a newer file --------------------------------
mkdir -p "$tmp/two/p" "$tmp/extra"
cp -r "$S/amd64-10.0.26100.5074/payload/$STACK" "$tmp/two/p/"
other=amd64_microsoft-windows-servicingstack-onecore_31bf3856ad364e35_10.0.26100.5074_none_85a00a41bcdeeee7
mkdir -p "$tmp/two/p/$other" && printf 'MZ' >"$tmp/two/p/$other/x.dll"
(cd "$tmp/two/p" && find . -type f | sed 's|^\./||' | sort | xargs gcab -c -z "$tmp/extra/bigger.cab")
cp "$S/amd64-10.0.26100.5074/SSU-26100.5074-x64.cab" "$tmp/extra/exact.cab"
touch -d '2026-01-01 00:00 UTC' "$tmp/extra/exact.cab"
touch -d '2026-06-01 00:00 UTC' "$tmp/extra/bigger.cab"
run --root "$r" --json - repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/extra" --work "$tmp/work2"
check "fewest: the exact one, though older" test "$(jqv '.repair.choice.file | split("/") | last')" = exact.cab
check "fewest: why says so" has "$(jqv .repair.choice.why)" "the fewest other folders (0)"
check "fewest: the other has 1 extra folder" test "$(jqv '.repair.candidates[] | select(.file | endswith("bigger.cab")) | .extra')" = 1

# --- none holds the damaged folder: refused, with the table ---------------------
mkdir -p "$tmp/none"
cp "$S"/arm64-*/*.msu "$S"/amd64-10.0.26100.5100/*.msu "$S"/amd64-10.0.22621.4000/*.cab "$tmp/none/"
rm -f "$tmp/none"/*-lzx.msu
run --root "$r" --json "$tmp/none.json" repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/none" --work "$tmp/work3"
check "none: refused, exit 3" test "$rc" = 3 -a "$(jq -r .repair.status "$tmp/none.json")" = refused
check "none: the reason" has "$err" "none of the 5 update(s) in the folder holds the damaged folder(s)"
check "none: a table row per candidate with its versions" grep -qE 'windows10\.0-kb5044284-x64\.msu +msu \(CAB\) +10\.0\.26100\.5100 x64' <<<"$err"
check "none: the damaged folder named" has "$err" "$STACK"
check "none: candidates in the JSON, none chosen" test "$(jq -r '[(.repair.candidates | length), (.repair.choice == null)] | join(",")' "$tmp/none.json")" = "5,true"
check "none: nothing expanded" test -z "$(ls "$tmp/work3" 2>/dev/null)"
check "none: nothing changed" test "$(sum "$r")" = "$before"

# --- an empty folder, and the repair itself --------------------------------------
mkdir -p "$tmp/empty"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/empty" --work "$tmp/work4"
check "empty folder: refused (no servicing stack folder), exit 3" test "$rc" = 3
if [ -n "$EMU" ]; then
  skip "repair --apply from a folder: the apply path under Wine is covered by test_repair"
elif [ "$(id -u)" != 0 ]; then
  skip "repair --apply needs root"
else
  cp -a "$r" "$tmp/fix"
  run --root "$tmp/fix" --summary repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/share" --work "$tmp/work5" --apply
  check "apply from the share: exit 0, repaired" test "$rc" = 0 -a "${out%% *}" = REPAIRED
  check "apply from the share: the folder is whole" test "$(ls "$tmp/fix/Windows/WinSxS/$STACK" | wc -l)" = 8
fi


# --- subfolders: a share sorted by month; links not followed; bounded depth -----
mkdir -p "$tmp/months/2024-09" "$tmp/months/2024-10" "$tmp/months/a/b/c/d" "$tmp/elsewhere"
cp "$S"/amd64-10.0.26100.5100/windows10.0-kb5044284-x64.msu "$tmp/months/2024-09/"
cp "$S"/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu "$tmp/months/2024-10/"
cp "$S"/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu "$tmp/months/a/b/c/d/deep.msu"
cp "$S"/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu "$tmp/elsewhere/linked.msu"
if [ -z "$EMU" ]; then
  ln -s "$tmp/elsewhere" "$tmp/months/2024-11"
  ln -s "$tmp/elsewhere/linked.msu" "$tmp/months/link.msu"
else
  skip "subfolders: links not followed: Wine shows a Unix symlink as what it points to (checked on Linux)"
fi
run --root "$r" --json - repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/months" --work "$tmp/wm"
check "subfolders: planned (exit 1)" test "$rc" = 1
# (the .exe joins with a backslash)
check "subfolders: the update in 2024-10/ is chosen" test "$(jqv '.repair.choice.file | gsub("\\\\"; "/")')" = "$tmp/months/2024-10/windows10.0-kb5043080-x64.msu"
check "subfolders: 2 candidates (no link followed, nothing deeper than 4 levels)" \
  test "$(jqv '[.repair.candidates[].file | gsub("\\\\"; "/") | sub(".*/months/"; "")] | join(",")')" = "2024-09/windows10.0-kb5044284-x64.msu,2024-10/windows10.0-kb5043080-x64.msu"
check "subfolders: the chosen update's cabinets verified" test "$(jqv '[.repair.signatures[] | select(.verified)] | length')" = 2
rm "$tmp/months/2024-10/windows10.0-kb5043080-x64.msu"
cp "$S"/amd64-10.0.26100.5074/unsigned/windows10.0-kb5043080-x64.msu "$tmp/months/2024-10/"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/months" --work "$tmp/wm"
check "subfolders: a chosen unsigned update gets a single file's verification: refused, exit 3" test "$rc" = 3
check "subfolders: the unsigned update named" has "$(tr '\\' / <<<"$err")" "2024-10/windows10.0-kb5043080-x64.msu: unsigned"

# --- a folder with both an .msu and the unpacked payload: the signed update -----
mkdir -p "$tmp/both"
cp "$S"/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu "$tmp/both/"
cp -a "$S/amd64-10.0.26100.5074/payload/$STACK" "$tmp/both/"
run --root "$r" --json - repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/both" --work "$tmp/wb"
check "msu and payload: planned (exit 1)" test "$rc" = 1
check "msu and payload: the signed update is chosen" test "$(jqv '.repair.choice.file | split("/") | last')" = windows10.0-kb5043080-x64.msu
check "msu and payload: its cabinets verified, no unsigned folder" \
  test "$(jqv '[.repair.signatures[] | .verified] | map(tostring) | join(",")')" = "true,true"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/both" --work "$tmp/wb"
check "msu and payload: the copy's source is the verified staging" \
  has "$out" "$tmp/wb/ssu-windows10.0-kb5043080-x64.msu.verified/"

# --- the chosen update gets the catalog name check a single update gets -------
mkdir -p "$tmp/cat"
cp "$S/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu" \
  "$tmp/cat/windows10.0-kb5043080-x64_0000000000000000000000000000000000000000.msu"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/cat" --work "$tmp/wcat"
check "share: a chosen update whose SHA-1 is not its catalog name: exit 3" test "$rc" = 3
check "share: says corrupted download" has "$err" "corrupted download"

# --- provenance: a signed cabinet beside an unsigned folder of its name --------
# (issue: files were matched to a verified cabinet by name; now only what
# sxsfix extracted itself from a verified cabinet is a source)
P=$S/amd64-10.0.26100.5074/payload
O=$(ls "$S"/amd64-10.0.26100.5100/SSU-*.cab | head -1); X=$(basename "$O" .cab)
mkdir -p "$tmp/evil/$X" && cp "$O" "$tmp/evil/" && cp -a "$P/$STACK" "$tmp/evil/$X/"
printf 'EVIL' >"$tmp/evil/$X/$STACK/cbscore.dll"
attack() {  # attack NAME SSU
  if [ "$(id -u)" != 0 ]; then skip "$1: repair --apply needs root"; return; fi
  rm -rf "$tmp/atk" "$tmp/watk"; cp -a "$r" "$tmp/atk"
  run --root "$tmp/atk" repair --trust "$tmp/img/ca/ca.pem" --ssu "$2" --work "$tmp/watk" --apply
  check "$1: refused (exit 3)" test "$rc" = 3
  check "$1: the unsigned file is not in WinSxS" bash -c "! grep -rqs EVIL '$tmp/atk/Windows/WinSxS'"
  check "$1: the work folder is empty after the run" test -z "$(ls -A "$tmp/watk")"
}
attack "a folder: signed cab beside an unsigned folder" "$tmp/evil"
check "a folder: the signed cab is the candidate, the folder beside it is not a source" \
  has "$err" "none of the 1 update(s) in the folder holds the damaged folder(s)"
if [ "$wim" = yes ]; then
  wimlib-imagex capture "$tmp/evil" "$tmp/evil-wim.msu" KB1 --compress=none >/dev/null
  attack "WIM .msu: signed cab beside an unsigned folder" "$tmp/evil-wim.msu"
else
  skip "no WIM support in this build"
fi
# inside a CAB .msu signed by the trusted CA: the outer signature covers the
# folder, but a folder beside a cabinet is still not a source
(cd "$tmp/evil" && find . -type f | sed 's|^\./||' | sort | xargs gcab -c -z "$tmp/evil-outer.cab")
bash "$SXSFIX_SOURCE/scripts/testca.sh" sign "$tmp/img/ca" "$tmp/evil-outer.cab" "$tmp/evil-cab.msu" >/dev/null 2>&1
attack "CAB .msu: signed cab beside an unsigned folder" "$tmp/evil-cab.msu"
if [ "$(id -u)" = 0 ]; then
  rm -rf "$tmp/atk" "$tmp/watk"; cp -a "$r" "$tmp/atk"
  run --root "$tmp/atk" repair --trust "$tmp/img/ca/ca.pem" --ssu "$P" --work "$tmp/watk" --allow-unsigned
  check "expanded folder with --allow-unsigned: the plan says it in one line" \
    test "$(grep -c 'expanded folder carries no signature' <<<"$out$err")" -ge 1
fi
# a damaged CAB-based .msu: bad input naming the damage, never tried as a WIM
cp "$S/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu" "$tmp/damaged.msu"
printf '\xff\xff\xff\xff' | dd of="$tmp/damaged.msu" bs=1 seek=8 conv=notrunc 2>/dev/null  # cbCabinet
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$tmp/damaged.msu" --work "$tmp/wdmg"
check "damaged CAB .msu: exit 3" test "$rc" = 3
check "damaged CAB .msu: names the file" has "$err" "damaged.msu"
echo "# damaged: $err"
check "damaged CAB .msu: not handled as a WIM" bash -c "! grep -qi wim <<<'$err'"

echo "ssudir: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
