#!/usr/bin/env bash
# The README's rescue walk-through (diagnose, plan, apply, undo) on an
# offline installation, for what it showed:
# - the work folder the repair made itself (%SystemDrive%\sxsfix-work)
#   goes when it is empty at the end (kept with --keep-work, and when it
#   was there before);
# - the rollback's line in the repair history spells its paths as the
#   repair's line does (%ProgramData%\..., not the rescue system's mount);
# - on NTFS (ntfs-3g), a new file gets a file's descriptor (a sibling
#   file's, else one of the template folder's files, else the template
#   folder's as files inherit it), never a folder's with OI/CI flags;
# - --apply on a read-only volume is refused (exit 3) in one line saying
#   to remount it read-write, before anything is attempted, also with
#   --work elsewhere; only the plan is pointed to --work DIR.
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

# --- on ntfs-3g: descriptors of new files, and a read-only volume -------------------
if [ -n "$EMU" ]; then
  skip "ntfs-3g checks: Wine keeps no NT descriptors and sees no read-only volume (see test_ssu_readonly.sh)"
  echo "walkfix: $passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]; exit
fi
if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ] || ! command -v ntfs-3g >/dev/null || ! command -v mkntfs >/dev/null ||
   ! command -v setfattr >/dev/null || ! command -v getfattr >/dev/null; then
  skip "ntfs-3g checks: they need root, /dev/fuse, ntfs-3g, mkntfs and setfattr/getfattr"
  echo "walkfix: $passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]; exit
fi
MNT=$tmp/mnt IMG=$tmp/ntfs.img
mkdir -p "$MNT"
cleanup() {
  for _ in 1 2 3 4 5; do mountpoint -q "$MNT" || break; umount "$MNT" 2>/dev/null || sleep 0.5; done
  mountpoint -q "$MNT" && umount -l "$MNT"
  rm -rf "$tmp"
}
trap cleanup EXIT
desc() { getfattr --absolute-names -n system.ntfs_acl -e hex "$1" 2>/dev/null | sed -n 's/^system.ntfs_acl=0x//p'; }
setdesc() { setfattr -n system.ntfs_acl -v "0x$1" "$2"; }
sdhex() {
  sx eval 'local sd = require "sxsfix.sd"
    local env = { TI = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
                  SY = "S-1-5-18", BA = "S-1-5-32-544", BU = "S-1-5-32-545" }
    local t = assert(load("return " .. ..., "=sd", "t", env))()
    io.write((sd.encode(t):gsub(".", function(c) return ("%02x"):format(c:byte()) end)))' "$1"
}
# WinSxS's descriptors: folders pass their ACEs on (OICI), files carry them plain.
DIR_SD=$(sdhex '{ owner = TI, group = SY, protected = true, dacl = {
  { type = "allow", flags = "OICI", mask = "FA", sid = TI }, { type = "allow", flags = "OICI", mask = "FX", sid = SY },
  { type = "allow", flags = "OICI", mask = "FX", sid = BA }, { type = "allow", flags = "CI", mask = "FW", sid = BU },
  { type = "allow", flags = "OICI", mask = "FX", sid = BU } } }')
FILE_SD=$(sdhex '{ owner = TI, group = SY, protected = true, dacl = {
  { type = "allow", mask = "FA", sid = TI }, { type = "allow", mask = "FX", sid = SY },
  { type = "allow", mask = "FX", sid = BA }, { type = "allow", mask = "FX", sid = BU } } }')
# a sibling file's own (another descriptor than the template's files)
SIB_SD=$(sdhex '{ owner = TI, group = SY, protected = true, dacl = {
  { type = "allow", mask = "FA", sid = TI }, { type = "allow", mask = "FR", sid = SY } } }')
[ ${#DIR_SD} -gt 100 ] && [ ${#FILE_SD} -gt 100 ] && [ ${#SIB_SD} -gt 60 ] || { echo "encoding descriptors failed"; exit 1; }
mount_img() { ntfs-3g -o "permissions${1:+,$1}" "$IMG" "$MNT" 2>/dev/null; }
remount() { sync; umount "$MNT" && mount_img "$@"; }
truncate -s 64M "$IMG"
mkntfs -F -f -q "$IMG" >/dev/null 2>&1 || { echo "mkntfs failed"; exit 1; }
if ! mount_img; then
  skip "ntfs-3g checks: ntfs-3g cannot mount here"
  echo "walkfix: $passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]; exit
fi
cp -r "$tmp/img/root/." "$MNT/"
D=$MNT/Windows/WinSxS/$STACK
cp "$PAYLOAD"/* "$D/" && rm "$D/wdscore.dll"   # as the walk-through: one file missing
find "$MNT/Windows/WinSxS" -type d -print0 | while IFS= read -r -d '' d; do setdesc "$DIR_SD" "$d"; done
find "$MNT/Windows/WinSxS" -type f -print0 | while IFS= read -r -d '' f; do setdesc "$FILE_SD" "$f"; done
for f in "$D"/*; do setdesc "$SIB_SD" "$f"; done
remount
run --root "$MNT" repair "${SXT[@]}" --ssu "$MSU"
check "ntfs plan: one new file (exit 1)" test "$rc" = 1 -a "$(grep -c 'New File' <<<"$out")" = 1
check "ntfs plan: no folder descriptor (OI/CI) for the new file" bash -c '! grep -q "^  Security.*OICI" <<<"$1"' _ "$out"
check "ntfs plan: the new file gets its sibling's descriptor" \
  grep -qF "Security to apply to 1 item(s): O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464 G:S-1-5-18 D:P(A;;FA;;;S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464)(A;;FR;;;S-1-5-18)" <<<"$out"
run --root "$MNT" repair "${SXT[@]}" --ssu "$MSU" --apply
check "ntfs apply: exit 0" test "$rc" = 0
check "ntfs apply: no folder descriptor shown as verified" bash -c '! grep -q "^  Security.*OICI" <<<"$1"' _ "$out"
remount
check "ntfs apply: the new file carries the sibling's descriptor, byte for byte (after a remount)" \
  test "$(desc "$D/wdscore.dll")" = "$SIB_SD"
check "ntfs apply: the folder keeps its own" test "$(desc "$D")" = "$DIR_SD"

# the folder emptied: no sibling, so one of the template folder's files;
# the work folder on another file system (no NT descriptors there)
rm -f "$D"/*
rm -rf "$MNT/ProgramData/sxsfix"
remount
mkdir -m 700 "$tmp/extwork"
run --root "$MNT" repair "${SXT[@]}" --ssu "$MSU" --work "$tmp/extwork" --apply
check "ntfs, empty folder, --work on another file system: apply exits 0" test "$rc" = 0
check "ntfs, empty folder: every new file shown with a file's descriptor" \
  grep -qF "Security verified on 8 item(s): O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464 G:S-1-5-18 D:P(A;;FA;;;" <<<"$out"
remount
bad=""
for f in "$PAYLOAD"/*; do [ "$(desc "$D/${f##*/}")" = "$FILE_SD" ] || bad="$bad ${f##*/}"; done
check "ntfs, empty folder: every new file carries the template folder's file descriptor" test -z "$bad"

# a template folder with no file: the folder's, as a file inherits it
mkdir -p "$MNT/tmpl" "$tmp/newf/sub"
printf 'n' >"$tmp/newf/a.txt"; printf 'm' >"$tmp/newf/sub/b.txt"
setdesc "$DIR_SD" "$MNT/tmpl"
run copy "$tmp/newf" "$MNT/copied" --backup "$MNT/bk-copy" --security "template:$MNT/tmpl"
check "copy with a template folder holding no file: exit 1 (copied)" test "$rc" = 1
remount
check "copy: the new file's descriptor: the folder's OI ACEs, without the inherit flags" \
  test "$(desc "$MNT/copied/a.txt")" = "$FILE_SD" -a "$(desc "$MNT/copied/sub/b.txt")" = "$FILE_SD"
check "copy: a new folder gets the folder's" test "$(desc "$MNT/copied/sub")" = "$DIR_SD"

# --- a read-only volume: --apply refused before anything, --work or not -------------
# (as in the walk-through, sxsfix's folders are on it from the repairs before)
rm -f "$D"/*
remount ro
touch "$MNT/probe" 2>/dev/null && { echo "the volume is writable"; exit 1; }
mkdir -m 700 "$tmp/work"
for w in "" "$tmp/work"; do
  what="read-only, --apply${w:+ --work elsewhere}"
  run --root "$MNT" repair "${SXT[@]}" --ssu "$MSU" ${w:+--work "$w"} --apply
  check "$what: refused, exit 3" test "$rc" = 3
  check "$what: one line says the repair cannot write there, and to remount read-write" \
    test "$(grep -c "the volume $MNT is read-only: the repair cannot write WinSxS there; remount it read-write" <<<"$err")" = 1
  check "$what: no hint to use --work" bash -c '! grep -q -- "--work" <<<"$1"' _ "$err"
  check "$what: no 'Read-only file system', no rollback" bash -c '! grep -qiE "read-only file system|rolled back" <<<"$1"' _ "$err"
  check "$what: nothing attempted (no update verified, no plan)" test -z "$out"
done
run --root "$MNT" repair "${SXT[@]}" --ssu "$MSU"
check "read-only, the plan: still pointed to --work DIR" has "$err" "is read-only: put the work folder elsewhere with --work DIR"

echo "walkfix: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
