#!/usr/bin/env bash
# sxsfix repair end to end on generated installations: plan, apply, verify,
# refusal of wrong SSUs with nothing changed, damaged contents replaced in
# place (hard links kept), rollback, JSON, privileges.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
SSU=$tmp/img/ssu/amd64-10.0.26100.5074
SXT=(--trust "$tmp/img/ca/ca.pem")   # the sample's updates are signed by its test CA
PAYLOAD=$SSU/payload/$STACK
noreg_under_wine
fresh() { rm -rf "$tmp/$1"; cp -a "$tmp/img/root" "$tmp/$1"; echo "$tmp/$1"; }
same_tree() { diff -r "$1" "$2" >/dev/null; }
empty() { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }

# --- plan only ------------------------------------------------------------------
r=$(fresh plan)
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu"
check "plan: exit 1" test "$rc" = 1
check "plan: lists the new files" has "$out" "New File"
check "plan: says how to apply" has "$out" "--apply"
check "plan: ends with the Dirs/Files/Bytes table, 8 files to copy" \
  bash -c 'tail -2 <<<"$1" | head -1 | grep -Eq "^ *Files : +8 +8 "' _ "$out"
check "plan: nothing changed" empty "$r/Windows/WinSxS/$STACK"

# Wine keeps no NT descriptor: it shows one made from the Unix mode (a
# folder's with OICI), and maps one set back to a mode. A new file gets
# the template folder's file's descriptor, which comes back as it was set;
# under Wine the repairs below use the source's security.
SEC=()
if [ -n "$EMU" ]; then
  echo "SKIP: template security under Wine beyond this check (Wine's descriptors are a view of the mode); using --security source"
  SEC=(--security source)
  rw=$(fresh winetemplate)
  run --root "$rw" "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply
  check "Wine, template security: a file's descriptor on new files verifies, exit 0" test "$rc" = 0
  sdtext() { sx eval 'local sd = require "sxsfix.sd"; io.write(sd.format(assert(sd.get(...))))' "$1" 2>/dev/null; }
  ref=$(sdtext "$rw/Windows/WinSxS/amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.4652_none_77d853660bacf544/CbsApi.dll")
  check "Wine, template security: a new file reads back the template folder's file's descriptor" \
    test -n "$ref" -a "$(sdtext "$rw/Windows/WinSxS/$STACK/cbscore.dll")" = "$ref"
  check "Wine, template security: which is a file's (no OI/CI flags)" bash -c '! grep -q OICI <<<"$1"' _ "$ref"
fi

# --- apply (CAB-based .msu) -----------------------------------------------------
run --root "$r" "${CFG[@]}" --json - repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
check "apply: exit 0" test "$rc" = 0
check "apply: the folder now holds the SSU's files" same_tree "$PAYLOAD" "$r/Windows/WinSxS/$STACK"
check "apply: the root-level .mum is not copied" test ! -e "$r/Windows/WinSxS/update.mum"
check "json: repair fields" test "$(jqv '.repair | [has("ssu"), has("plan"), has("applied"), has("copied"), has("skipped"), has("failed"), has("backup"), has("verified")] | all')" = true
n=$(find "$PAYLOAD" -type f | wc -l)
check "json: applied and verified, $n files copied" test "$(jqv '[.repair.applied, .repair.verified, .repair.copied] | map(tostring) | join(",")')" = "true,true,$n"
check "json: the update's signatures, verified, chained to the test CA" test \
  "$(jqv '[.repair.signatures[] | select(.verified and (.anchor | test("^CN=sxsfix Test Root CA, ?O=sxsfix test$")))] | length')" = 2
check "json: diagnosed healthy afterwards" test "$(jqv '.verdict_before + ">" + .verdict')" = "damaged>healthy"
check "the repair is recorded" grep -q "repaired $STACK" "$r/ProgramData/sxsfix/repairs.log"
check "a robocopy-like log is written" bash -c "grep -q 'Files :' '$r'/ProgramData/sxsfix/Logs/repair-*.log"
r2=$(fresh text-end)
run --root "$r2" "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
check "apply: the console output ends with the Dirs/Files/Bytes table" \
  bash -c '[ "$(tail -4 <<<"$1" | head -1 | tr -s " ")" = " Total Copied Skipped Mismatch FAILED Extras" ] && tail -3 <<<"$1" | head -1 | grep -q "^ *Dirs :" && tail -1 <<<"$1" | grep -Eq "^ *Bytes : +[0-9]+"' _ "$out"
check "the hard link into servicing is intact" test "$(stat -c %h "$r/Windows/servicing/TrustedInstaller.exe")" = 2
run --root "$r" "${CFG[@]}" diagnose
check "diagnose after the repair: exit 0" test "$rc" = 0
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu"
check "repair on a healthy installation: nothing to do, exit 0" test "$rc" = 0

# --- repair steps: hooks and stops from --config ------------------------------------
r=$(fresh hooks)
cat >"$tmp/limit.lua" <<'LUA'
local steps = require "sxsfix.steps"
hooks = { after = { plan = function(ctx)
  local n = 0
  for _, p in ipairs(ctx.r.plans) do n = n + p.changes end
  if n > 3 then steps.stop(ctx, "refused", n .. " items would change; the site allows 3") end
end } }
LUA
run --root "$r" --json - --config "$tmp/limit.lua" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
check "hook after plan: refuses, exit 3" test "$rc" = 3
check "hook after plan: its reason is the error" has "$(jqv .repair.error)" "the site allows 3"
check "hook after plan: nothing changed" empty "$r/Windows/WinSxS/$STACK"
check "hook after plan: no backup made" test ! -e "$r/ProgramData/sxsfix/Backup"
cat >"$tmp/boom.lua" <<'LUA'
hooks = { after = { apply = function(ctx) error("site check exploded") end } }
LUA
run --root "$r" --config "$tmp/boom.lua" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
check "a raising hook is a script error: exit 4" test "$rc" = 4
check "a raising hook: its message is shown" has "$err" "site check exploded"
printf 'disable = { "record" }\n' >"$tmp/norecord.lua"
[ -z "$EMU" ] || printf 'disable = { "record", "registry-stacks" }\n' >"$tmp/norecord.lua"  # see noreg_under_wine
hist_before=$(cat "$r/ProgramData/sxsfix/repairs.log" 2>/dev/null)  # the raising hook's run began one: "repairing"
run --root "$r" --config "$tmp/norecord.lua" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
check "a disabled step (record): the repair still succeeds" test "$rc" = 0
check "a disabled step (record): no history line" test "$(cat "$r/ProgramData/sxsfix/repairs.log" 2>/dev/null)" = "$hist_before"
printf 'disable = { "verify" }\n' >"$tmp/noverify.lua"
r=$(fresh noverify)
run --root "$r" --config "$tmp/noverify.lua" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
check "verify disabled: apply copies nothing unverified, refused (exit 3)" test "$rc" = 3
check "verify disabled: says why" has "$err" "not in the verified cabinet"
check "verify disabled: nothing changed" empty "$r/Windows/WinSxS/$STACK"
# A file of the verified folder changed after the verify step (same name and
# size): its SHA-256 is checked as it is copied, the repair fails and rolls back.
cat >"$tmp/tamper.lua" <<'LUA'
local fs = require "sxsfix.fs"
hooks = { before = { apply = function(ctx)
  local f = fs.join(ctx.r.plans[1].source, "cbscore.dll")
  local b = assert(fs.readfile(f))
  assert(fs.writefile(f, b:sub(1, 99) .. (b:sub(100, 100) == "X" and "Y" or "X") .. b:sub(101)))
end } }
LUA
[ -z "$EMU" ] || printf 'disable = { "registry-stacks" }\n' >>"$tmp/tamper.lua"  # see noreg_under_wine
r=$(fresh tamper)
run --root "$r" --config "$tmp/tamper.lua" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
check "a file changed after verification: the repair fails, exit 2" test "$rc" = 2
check "a file changed after verification: says which" has "$err" "cbscore.dll: changed since its signature was verified"
check "a file changed after verification: everything rolled back" empty "$r/Windows/WinSxS/$STACK"

# --- other forms of the SSU -----------------------------------------------------
# WIM-based .msu (24H2), uncompressed as Microsoft ships it and LZX; the
# Windows suite also compares with the Linux build's repair (SXSFIX_LINUX).
for msu in windows11.0-kb5043080-x64.msu windows11.0-kb5043080-x64-lzx.msu; do
  r=$(fresh "wim-$msu")
  run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/$msu" --apply "${SEC[@]}"
  check "$msu (WIM, 24H2): exit 0" test "$rc" = 0
  check "$msu: folder restored" same_tree "$PAYLOAD" "$r/Windows/WinSxS/$STACK"
  if [ -n "$EMU" ] && [ -x "${SXSFIX_LINUX:-}" ]; then
    rl=$(fresh "wim-linux-$msu")
    "$SXSFIX_LINUX" --root "$rl" repair "${SXT[@]}" --ssu "$SSU/$msu" --apply --security source >/dev/null 2>&1
    check "$msu: the repaired folder is byte-identical to the Linux build's" \
      diff -r "$rl/Windows/WinSxS/$STACK" "$r/Windows/WinSxS/$STACK"
  elif [ -n "$EMU" ]; then
    skip "$msu: comparison with the Linux build (SXSFIX_LINUX not set)"
  fi
done
r=$(fresh cab)
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/SSU-26100.5074-x64.cab" --apply "${SEC[@]}"
check "bare SSU cab: exit 0" test "$rc" = 0
r=$(fresh folder)
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/payload" --apply "${SEC[@]}"
check "expanded folder: refused (unsigned), exit 3" test "$rc" = 3
check "expanded folder: says why" has "$err" "unsigned (an expanded folder carries no signature)"
check "expanded folder: nothing changed" empty "$r/Windows/WinSxS/$STACK"
run --root "$r" "${CFG[@]}" --json "$tmp/au.json" repair "${SXT[@]}" --ssu "$SSU/payload" --apply --allow-unsigned "${SEC[@]}"
check "expanded folder with --allow-unsigned: exit 0" test "$rc" = 0
check "--allow-unsigned warns" has "$err" "WARNING: --allow-unsigned"
check "--allow-unsigned is recorded in the JSON" test \
  "$(jq -r '[.repair.allow_unsigned, .repair.signatures[0].verified] | map(tostring) | join(",")' "$tmp/au.json")" = "true,false"
check "--allow-unsigned is recorded in the repair log" bash -c "grep -q 'WARNING : --allow-unsigned' '$r'/ProgramData/sxsfix/Logs/repair-*.log"
check "expanded folder: folder restored" same_tree "$PAYLOAD" "$r/Windows/WinSxS/$STACK"

# --- SSUs that must be refused, with nothing changed ------------------------------
refused() {  # refused WHAT SSU REASON [ARGS...]: exit 3, the reason, nothing changed
  local what=$1 ssu=$2 why=$3; shift 3
  r=$(fresh refuse)
  run --root "$r" repair --ssu "$ssu" --apply "$@"
  check "$what: exit 3" test "$rc" = 3
  check "$what: names the cabinet and says $why" has "$err" "$why"
  check "$what: nothing changed" empty "$r/Windows/WinSxS/$STACK"
  check "$what: no backup made" test ! -e "$r/ProgramData/sxsfix/Backup"
}
refused "signed by the test CA, no --trust" "$SSU/windows10.0-kb5043080-x64.msu" "untrusted root"
refused "unsigned .msu" "$SSU/unsigned/windows10.0-kb5043080-x64.msu" "windows10.0-kb5043080-x64.msu: unsigned" "${SXT[@]}"
refused "unsigned SSU cab" "$SSU/unsigned/SSU-26100.5074-x64.cab" "SSU-26100.5074-x64.cab: unsigned" "${SXT[@]}"
# one file changed after signing: the signature moved onto a cabinet rebuilt with it
mkdir -p "$tmp/changed" && cp -a "$SSU/payload/." "$tmp/changed/"
printf 'X' | dd of="$tmp/changed/$STACK/cbscore.dll" bs=1 seek=100 conv=notrunc status=none
(cd "$tmp/changed" && find . -type f | sed 's|^\./||' | sort | xargs gcab -c -z "$tmp/changed.cab")
# (attach-signature checks its result: it exits 1 for the mismatch, and writes the file)
osslsigncode extract-signature -in "$SSU/SSU-26100.5074-x64.cab" -out "$tmp/ssu-sig.der" >/dev/null 2>&1 &&
  osslsigncode attach-signature -sigin "$tmp/ssu-sig.der" -in "$tmp/changed.cab" -out "$tmp/SSU-26100.5074-x64.cab" >/dev/null 2>&1
if [ -f "$tmp/SSU-26100.5074-x64.cab" ]; then
  refused "a file changed after signing" "$tmp/SSU-26100.5074-x64.cab" "digest mismatch" "${SXT[@]}"
else
  skip "osslsigncode could not move the signature onto a changed cabinet"
fi
for bad in "arm64-10.0.26100.5074/windows10.0-kb5043080-arm64.msu:arm64" \
           "amd64-10.0.26100.5100/windows10.0-kb5044284-x64.msu:10.0.26100.5100" \
           "amd64-10.0.22621.4000/windows10.0-kb5043936-x64.msu:build 22621"; do
  f=${bad%%:*} why=${bad#*:}
  r=$(fresh refuse)
  run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$tmp/img/ssu/$f" --apply
  check "wrong SSU ($why): exit 3" test "$rc" = 3
  check "wrong SSU ($why): says why" has "$err" "$why"
  check "wrong SSU ($why): names the folder expected" has "$err" "$STACK"
  check "wrong SSU ($why): nothing changed" empty "$r/Windows/WinSxS/$STACK"
  check "wrong SSU ($why): no backup made" test ! -e "$r/ProgramData/sxsfix/Backup"
done
r=$(fresh corrupt)
size=$(stat -c %s "$SSU/windows10.0-kb5043080-x64.msu")
head -c $((size / 2)) "$SSU/windows10.0-kb5043080-x64.msu" >"$tmp/corrupt.msu"   # truncated
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$tmp/corrupt.msu" --apply
check "corrupt .msu: exit 3" test "$rc" = 3
check "corrupt .msu: nothing changed" empty "$r/Windows/WinSxS/$STACK"
printf 'not an update\n' >"$tmp/notes.msu"
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$tmp/notes.msu"
check "a text file as SSU: exit 3" test "$rc" = 3
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$tmp/none.msu"
check "a missing SSU: exit 3" test "$rc" = 3
run --root "$r" "${CFG[@]}" repair
check "no --ssu: exit 3" test "$rc" = 3

# --- damaged contents: same size and time, other bytes ----------------------------
if [ -z "$EMU" ]; then
  r=$(fresh damaged)
  d=$r/Windows/WinSxS/$STACK
  cp -a "$PAYLOAD"/. "$d"/
  printf 'X' | dd of="$d/cbscore.dll" bs=1 seek=100 conv=notrunc status=none
  touch -r "$PAYLOAD/cbscore.dll" "$d/cbscore.dll"
  ln "$d/cbscore.dll" "$r/Windows/servicing/cbscore.dll"
  cp "$d/cbscore.dll" "$tmp/damaged-cbscore.dll"
  run --root "$r" "${CFG[@]}" diagnose
  check "damaged contents: diagnose sees the file against its manifest (damaged)" \
    test "$(has "$out" DAMAGED && grep -c 'cbscore.dll: content differs from its component manifest' <<<"$out")" = 2
  run --root "$r" "${CFG[@]}" --json - repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu"
  check "damaged contents: the plan replaces the file (content differs)" \
    test "$(jqv '[.repair.plan[] | select(.action == "changed") | .path + ": " + .reason] | join(",")')" = "cbscore.dll: content differs (same size and time)"
  run --root "$r" "${CFG[@]}" --json - repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply
  check "damaged contents: apply exits 0" test "$rc" = 0
  check "the damaged file now matches the SSU" cmp -s "$PAYLOAD/cbscore.dll" "$d/cbscore.dll"
  check "its hard link sees the repaired bytes (overwritten in place)" cmp -s "$PAYLOAD/cbscore.dll" "$r/Windows/servicing/cbscore.dll"
  bk=$(ls -d "$r"/ProgramData/sxsfix/Backup/*/1)
  slot=$(sed -n 's/^overwrite cbscore.dll //p' "$bk/journal.txt")
  check "the backup holds the damaged original" cmp -s "$tmp/damaged-cbscore.dll" "$bk/files/$slot"
  cp "$bk/journal.txt" "$tmp/journal.txt"
  run rollback "$bk/journal.txt"
  check "rollback: exit 0" test "$rc" = 0
  check "rollback restores the original bytes in place" cmp -s "$tmp/damaged-cbscore.dll" "$r/Windows/servicing/cbscore.dll"
fi

# --- outputs are checked before anything changes ------------------------------------
tree_untouched() { empty "$r/Windows/WinSxS/$STACK" && [ ! -e "$r/ProgramData/sxsfix/Backup" ]; }
r=$(fresh out-file)
: >"$tmp/afile"
run --root "$r" "${CFG[@]}" --json "$tmp/afile/rep.json" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply
check "--json under a file: exit 3" test "$rc" = 3
check "--json under a file: one line names it" has "$err" "--json $tmp/afile/rep.json"
check "--json under a file: the tree is untouched" tree_untouched
mkdir -p "$tmp/adir"
run --root "$r" "${CFG[@]}" --json "$tmp/adir" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply
check "--json naming a folder: exit 3" test "$rc" = 3
check "--json naming a folder: the tree is untouched" tree_untouched
mkdir -p "$tmp/ro"
if mount --bind "$tmp/ro" "$tmp/ro" 2>/dev/null && mount -o remount,bind,ro "$tmp/ro" 2>/dev/null; then
  run --root "$r" "${CFG[@]}" --json "$tmp/ro/rep.json" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply
  umount "$tmp/ro"
  check "--json into a read-only folder: exit 3" test "$rc" = 3
  check "--json into a read-only folder: the tree is untouched" tree_untouched
else
  umount "$tmp/ro" 2>/dev/null
  skip "--json into a read-only folder: a read-only bind mount could not be made here"
fi
run --root "$r" "${CFG[@]}" --log "$tmp/afile/run.log" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply
check "--log under a file: exit 3" test "$rc" = 3
check "--log under a file: the tree is untouched" tree_untouched
# The output fails after the repair changed the tree (a hook moves the
# JSON's folder away): failed (2), never "nothing changed" (3).
r=$(fresh out-late)
mkdir -p "$tmp/jd"
cat >"$tmp/sabotage.lua" <<EOF
hooks = { after = { record = function()
  os.rename([[$tmp/jd]], [[$tmp/jd.gone]]); io.open([[$tmp/jd]], "w"):close()
end } }
EOF
[ -z "$EMU" ] || printf 'disable = { "registry-stacks" }\n' >>"$tmp/sabotage.lua"
run --root "$r" --config "$tmp/sabotage.lua" --json "$tmp/jd/rep.json" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
check "--json failing after the repair: exit 2, not 3" test "$rc" = 2
check "--json failing after the repair: the stack was repaired" test -f "$r/Windows/WinSxS/$STACK/cbscore.dll"

# The offline proof reads CBS\Version from the image's SOFTWARE hive, which
# Wine cannot load (the registry step is left out there).
prove_check() {
  if [ -n "$EMU" ]; then skip "$1: the offline proof needs the image's hive, which Wine cannot load"; return; fi
  check "$@"
}
# --- after the repair: servicing works again ---------------------------------------
r=$(fresh prove)
run --root "$r" "${CFG[@]}" --json - repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
prove_check "prove: the JSON says servicing works (offline check)" \
  test "$(jqv '[.repair.servicing.ok, .repair.servicing.how] | map(tostring) | join(" ")')" = "true offline"
prove_check "prove: the active stack is the repaired one, with cbscore.dll" \
  bash -c 'jq -r ".repair.servicing.lines[]" <<<"$1" | grep -q "^the active stack (CBS binds it): 10.0.26100.5074, $2: cbscore.dll"' _ "$out" "$STACK"
prove_check "prove: the CBS\\Version entry names the repaired folder" \
  bash -c 'jq -r ".repair.servicing.lines[]" <<<"$1" | grep -qx "CBS.Version 10.0.26100.5074 names the repaired folder: OK"' _ "$out"
r=$(fresh prove-text)
run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
prove_check "prove: the console says servicing works again" has "$out" "Servicing works again:"
# The active stack is damaged after the copy (a hook zeroes its
# cbscore.dll, as an antivirus quarantine would): servicing does not work,
# the repair says so, exit 2.
r=$(fresh prove-bad)
cat >"$tmp/zero.lua" <<EOF
hooks = { before = { prove = function()
  local f = io.open([[$r/Windows/WinSxS/$STACK/cbscore.dll]], "r+b"); f:write(string.rep("\\0", 4096)); f:close()
end } }
EOF
[ -z "$EMU" ] || printf 'disable = { "registry-stacks" }\n' >>"$tmp/zero.lua"
run --root "$r" --config "$tmp/zero.lua" --json - repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply "${SEC[@]}"
prove_check "prove: a damaged active stack after the copy: servicing.ok is false" test "$(jqv .repair.servicing.ok)" = false
prove_check "prove: its line names cbscore.dll" \
  bash -c 'jq -r ".repair.servicing.lines[]" <<<"$1" | grep -q "^the active stack (CBS binds it): 10.0.26100.5074, .*INCOMPLETE (cbscore.dll: "' _ "$out"
prove_check "prove: a damaged active stack after the copy: exit 2" test "$rc" = 2

# --- privileges --------------------------------------------------------------------
if [ -z "$EMU" ] && [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  r=$(fresh unpriv)
  chmod -R a+rX "$tmp"
  setpriv --reuid=65534 --regid=65534 --clear-groups "$SXSFIX" --root "$r" repair "${SXT[@]}" \
    --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply >"$tmp/out" 2>"$tmp/err"
  rc=$? out=$(cat "$tmp/out") err=$(cat "$tmp/err")
  check "not root: --apply exits 3" test "$rc" = 3
  check "not root: says it needs administrator rights" has "$err" "administrator"
  check "not root: nothing changed" empty "$r/Windows/WinSxS/$STACK"
else
  echo "SKIP: privilege check needs root, setpriv and a native build"
fi

echo "repair: $passed passed, $failed failed"
[ "$failed" = 0 ]
