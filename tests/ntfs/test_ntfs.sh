#!/usr/bin/env bash
# sxsfix repair on a real NTFS volume through ntfs-3g (-o permissions), with
# NT security descriptors written and read back through system.ntfs_acl.
# Every check reads the volume after an unmount and a remount.
#
# What ntfs-3g does (measured): it stores a descriptor set through
# system.ntfs_acl byte for byte and keeps it across remounts; it does not
# list the name in listxattr; a file it creates gets a descriptor made from
# the mode (no inheritance from the folder); chmod replaces the descriptor.
# So the contract asserted is byte equality: the template's bytes on each
# new item, the source's bytes with --security source, the old bytes on a
# file overwritten in place.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
[ "$(id -u)" = 0 ] || { echo "SKIP: mounting with ntfs-3g needs root"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: /dev/fuse is missing"; exit 77; }
for tool in mkntfs ntfs-3g setfattr getfattr mountpoint gcab wimlib-imagex hivexsh lua5.4; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
tmp=$(mktemp -d)
MNT=$tmp/mnt IMG=$tmp/ntfs.img
mkdir "$MNT"
cleanup() {
  for _ in 1 2 3 4 5; do mountpoint -q "$MNT" || break; umount "$MNT" 2>/dev/null || sleep 0.5; done
  mountpoint -q "$MNT" && umount -l "$MNT"
  rm -rf "$tmp"
}
trap cleanup EXIT
passed=0 failed=0 rc=0 out="" err=""
sx() { "$SXSFIX" "$@"; }
run() { sx "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
check() {
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $what"
  else failed=$((failed + 1)); echo "not ok - $what"; echo "  rc=$rc"; echo "  out: ${out:0:1500}"; echo "  err: ${err:0:800}"; fi
}
mount_img() { ntfs-3g -o permissions "$IMG" "$MNT" 2>/dev/null; }
unmount() { sync; umount "$MNT"; }
remount() { unmount && mount_img; }
fresh() { mountpoint -q "$MNT" && unmount; cp --sparse=always "$tmp/golden.img" "$IMG" && mount_img; }
desc() { getfattr --absolute-names -n system.ntfs_acl -e hex "$1" 2>/dev/null | sed -n 's/^system.ntfs_acl=0x//p'; }
setdesc() { setfattr -n system.ntfs_acl -v "0x$1" "$2"; }
# Bytes of a descriptor given as a Lua table (TI, SY, BA, BU, AU name SIDs).
sdhex() {
  sx eval 'local sd = require "sxsfix.sd"
    local env = { TI = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
                  SY = "S-1-5-18", BA = "S-1-5-32-544", BU = "S-1-5-32-545", AU = "S-1-5-11" }
    local t = assert(load("return " .. ..., "=sd", "t", env))()
    io.write((sd.encode(t):gsub(".", function(c) return ("%02x"):format(c:byte()) end)))' "$1"
}
# The descriptor of a file in SDDL-like text, through sxsfix's own decoder.
sdtext() { sx eval 'local sd = require "sxsfix.sd"; io.write(sd.format(assert(sd.get(...))))' "$1"; }
# Everything rollback must restore under Windows/: types, sizes, inodes,
# link counts, file sizes, times and bytes, every descriptor. (A folder's
# size is its NTFS index, which keeps the room its removed entries took.)
manifest() {
  (cd "$MNT" && find Windows -printf '%y %p %i %n\n' | sort &&
   find Windows -type f -printf '%p %s %T@\n' | sort && find Windows -type f -exec sha1sum {} + | sort &&
   getfattr -R -n system.ntfs_acl -e hex Windows 2>/dev/null | paste -sd' ' | sed 's/# file: /\n/g' | sort)
}

STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
REF=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.4652_none_77d853660bacf544
bash "$SXSFIX_SOURCE/scripts/sample-image.sh" "$tmp/img" >/dev/null || { echo "sample image failed"; exit 1; }
SSU=$tmp/img/ssu/amd64-10.0.26100.5074
PAYLOAD=$SSU/payload/$STACK
MSU=$SSU/windows10.0-kb5043080-x64.msu
SXT=(--trust "$tmp/img/ca/ca.pem")   # the sample's updates are signed by its test CA

# WinSxS's descriptors: owner TrustedInstaller, TrustedInstaller full control,
# SYSTEM, Administrators and Users read & execute; folders pass them on.
DIR_SD=$(sdhex '{ owner = TI, group = SY, protected = true, dacl = {
  { type = "allow", flags = "OICI", mask = "FA", sid = TI }, { type = "allow", flags = "OICI", mask = "FX", sid = SY },
  { type = "allow", flags = "OICI", mask = "FX", sid = BA }, { type = "allow", flags = "OICI", mask = "FX", sid = BU } } }')
FILE_SD=$(sdhex '{ owner = TI, group = SY, protected = true, dacl = {
  { type = "allow", mask = "FA", sid = TI }, { type = "allow", mask = "FX", sid = SY },
  { type = "allow", mask = "FX", sid = BA }, { type = "allow", mask = "FX", sid = BU } } }')
# The SSU's own files (an administrator's download): a distinct descriptor.
SRC_SD=$(sdhex '{ owner = BA, group = BA, dacl = { { type = "allow", mask = "FA", sid = BA },
  { type = "allow", mask = "FA", sid = SY }, { type = "allow", mask = "FR", sid = AU } },
  sacl = { { type = "audit", flags = "FA", mask = "GW", sid = "S-1-1-0" } } }')
[ ${#DIR_SD} -gt 100 ] && [ ${#SRC_SD} -gt 100 ] && [ "$DIR_SD" != "$FILE_SD" ] || { echo "encoding descriptors failed"; exit 1; }

# --- the golden image: the broken installation with WinSxS's descriptors ---------
truncate -s 96M "$IMG"
mkntfs -F -f -q "$IMG" >/dev/null 2>&1 || { echo "mkntfs failed"; exit 1; }
mount_img || { echo "SKIP: ntfs-3g cannot mount here"; exit 77; }
cp -a "$tmp/img/root/." "$MNT/"
find "$MNT/Windows/WinSxS" -type d -print0 | while IFS= read -r -d '' d; do setdesc "$DIR_SD" "$d"; done
find "$MNT/Windows/WinSxS" -type f -print0 | while IFS= read -r -d '' f; do setdesc "$FILE_SD" "$f"; done
mkdir -p "$MNT/SSU"
cp -a "$SSU/payload" "$MNT/SSU/"
find "$MNT/SSU" -print0 | while IFS= read -r -d '' f; do setdesc "$SRC_SD" "$f"; done
unmount
cp --sparse=always "$IMG" "$tmp/golden.img"
mount_img
check "golden: the descriptors survive a remount" test "$(desc "$MNT/Windows/WinSxS/$REF")" = "$DIR_SD"
check "golden: the SSU copy carries its own descriptor" test "$(desc "$MNT/SSU/payload/$STACK/cbscore.dll")" = "$SRC_SD"
check "golden: sxsfix decodes the owner (TrustedInstaller)" \
  bash -c "[[ \"\$1\" == 'O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464 G:S-1-5-18 D:P(A;OICI;FA;;;'* ]]" _ "$(sdtext "$MNT/Windows/WinSxS/$REF")"

new_items() { (cd "$PAYLOAD" && find . -mindepth 1 | sed 's|^\./||'); }

# --- template security (the default) ----------------------------------------------
fresh
before=$(manifest)
check "the manifest holds every descriptor" test "$(grep -o 'system.ntfs_acl=0x' <<<"$before" | wc -l)" -ge 20
run --root "$MNT" repair "${SXT[@]}" --ssu "$MSU"
check "plan: shows the template's files' descriptor to apply (a file's, not the folder's)" \
  grep -qF "Security to apply to 8 item(s): O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464 G:S-1-5-18 D:P(A;;FA;;;" "$tmp/out"
run --root "$MNT" repair "${SXT[@]}" --ssu "$MSU" --apply
check "template: apply exits 0" test "$rc" = 0
check "template: the output shows the descriptor read back" \
  grep -qF "Security verified on 8 item(s): O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464 G:S-1-5-18 D:P(A;;FA;;;" "$tmp/out"
remount
D=$MNT/Windows/WinSxS/$STACK
check "template: the empty folder now holds the SSU's bytes" diff -r "$PAYLOAD" "$D"
ref=$(desc "$MNT/Windows/WinSxS/$REF") reff=$(desc "$MNT/Windows/WinSxS/$REF/CbsApi.dll")
bad=""
while IFS= read -r rel; do
  if [ -d "$D/$rel" ]; then [ "$(desc "$D/$rel")" = "$ref" ] || bad="$bad $rel"
  else [ "$(desc "$D/$rel")" = "$reff" ] || bad="$bad $rel"; fi
done < <(new_items)
check "template: every new folder carries the reference's descriptor, every new file its files', byte for byte" test -z "$bad"
check "template: decoded, field by field the reference's file's (owner TrustedInstaller)" \
  test "$(sdtext "$D/cbscore.dll")" = "$(sdtext "$MNT/Windows/WinSxS/$REF/CbsApi.dll")"
check "template: the repaired folder keeps its own descriptor" test "$(desc "$D")" = "$DIR_SD"
bk=$(ls -d "$MNT"/ProgramData/sxsfix/Backup/*/1 | head -1)
cp "$bk/journal.txt" "$tmp/journal-a.txt"
run rollback "$bk/journal.txt"
check "template: rollback exits 0" test "$rc" = 0
remount
check "template: after rollback and a remount, Windows/ is exactly as before" test "$(manifest)" = "$before"

# --- source security: the SSU folder on the volume carries its own descriptor -------
fresh
run copy --list --descriptors "$MNT/SSU/payload/$STACK" "$MNT/Windows/WinSxS/$STACK"
check "copy --list --descriptors: decodes the source's descriptor per item" \
  test "$(grep -c '^      security: O:S-1-5-32-544 G:S-1-5-32-544 D:(A;;FA;;;S-1-5-32-544)' "$tmp/out")" = 8
run copy --list --descriptors --security "template:$MNT/Windows/WinSxS/$REF" "$MNT/SSU/payload/$STACK" "$MNT/Windows/WinSxS/$STACK"
check "copy --list --descriptors with a template: shows the template's" \
  test "$(grep -c '^      security: O:S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464 ' "$tmp/out")" = 8
# an expanded folder carries no signature: a lab's --allow-unsigned
run --root "$MNT" repair "${SXT[@]}" --ssu "$MNT/SSU/payload" --security source --apply --allow-unsigned
check "source: apply exits 0" test "$rc" = 0
check "source: the output shows the SSU's descriptor read back" \
  grep -qF "Security verified on 8 item(s): O:S-1-5-32-544 G:S-1-5-32-544 D:(A;;FA;;;S-1-5-32-544)(A;;FA;;;S-1-5-18)(A;;FR;;;S-1-5-11) S:(AU;FA;GW;;;S-1-1-0)" "$tmp/out"
remount
bad=""
while IFS= read -r rel; do
  [ "$(desc "$D/$rel")" = "$(desc "$MNT/SSU/payload/$STACK/$rel")" ] && [ -n "$(desc "$D/$rel")" ] || bad="$bad $rel"
done < <(new_items)
check "source: every new item carries its source's descriptor, byte for byte" test -z "$bad"
check "source: that is the SSU's distinct descriptor (with its SACL)" test "$(desc "$D/cbscore.dll")" = "$SRC_SD"
check "source: the bytes are the SSU's" diff -r "$PAYLOAD" "$D"

# --- a damaged file overwritten in place, hard-linked from Windows/servicing -------
fresh
cp -a "$PAYLOAD/." "$D/"
find "$D" -mindepth 1 -type d -print0 | while IFS= read -r -d '' d; do setdesc "$DIR_SD" "$d"; done
find "$D" -type f -print0 | while IFS= read -r -d '' f; do setdesc "$FILE_SD" "$f"; done
printf 'X' | dd of="$D/cbscore.dll" bs=1 seek=100 conv=notrunc status=none
touch -r "$PAYLOAD/cbscore.dll" "$D/cbscore.dll"
ln "$D/cbscore.dll" "$MNT/Windows/servicing/cbscore.dll"
cp "$D/cbscore.dll" "$tmp/damaged.dll"
remount
ino=$(stat -c %i "$D/cbscore.dll")
before=$(manifest)
run --root "$MNT" repair "${SXT[@]}" --ssu "$MSU" --apply
check "in place: apply exits 0" test "$rc" = 0
remount
check "in place: the file now holds the SSU's bytes" cmp -s "$PAYLOAD/cbscore.dll" "$D/cbscore.dll"
check "in place: same inode, still two links" test "$(stat -c '%i %h' "$D/cbscore.dll")" = "$ino 2"
check "in place: the hard link sees the repaired bytes" cmp -s "$PAYLOAD/cbscore.dll" "$MNT/Windows/servicing/cbscore.dll"
check "in place: the file keeps its own descriptor" test "$(desc "$D/cbscore.dll")" = "$FILE_SD"
bk=$(ls -d "$MNT"/ProgramData/sxsfix/Backup/*/1 | head -1)
slot=$(sed -n 's/^overwrite cbscore.dll //p' "$bk/journal.txt")
check "backup: holds the replaced bytes" cmp -s "$tmp/damaged.dll" "$bk/files/$slot"
check "backup: holds the replaced file's descriptor" test "$(desc "$bk/files/$slot")" = "$FILE_SD"
run rollback "$bk/journal.txt"
check "in place: rollback exits 0" test "$rc" = 0
remount
check "in place: after rollback and a remount, Windows/ is exactly as before" test "$(manifest)" = "$before"
check "in place: rollback restored the damaged bytes through the link" cmp -s "$tmp/damaged.dll" "$MNT/Windows/servicing/cbscore.dll"

# --- folders: their owner and descriptor come back after a rollback -----------------
# (the copy creates a child in an existing TrustedInstaller folder, and in
# the destination root itself)
fresh
mkdir -p "$tmp/fold/sub/new"
printf 'n' >"$tmp/fold/sub/new/f.txt"
mkdir -p "$D/sub"
setdesc "$DIR_SD" "$D/sub"
touch -d '2020-05-06 07:08:09.1234567' "$D/sub" "$D"
remount
before=$(manifest; stat -c '%n %Y %y' "$D" "$D/sub")
run copy "$tmp/fold" "$D" --backup "$MNT/bk-fold"
check "folders: the copy exits 1" test "$rc" = 1
run rollback "$MNT/bk-fold/journal.txt"
check "folders: rollback exits 0" test "$rc" = 0
remount
check "folders: descriptors (TrustedInstaller), times and names exactly as before" \
  test "$(manifest; stat -c '%n %Y %y' "$D" "$D/sub")" = "$before"

# --- times across file systems: ext4 keeps 1 ns, NTFS 100 ns --------------------------
fresh
mkdir -p "$tmp/ext/sub"
printf 'x' >"$tmp/ext/sub/f.txt"
touch -d '2021-02-03 04:05:06.123456789' "$tmp/ext/sub/f.txt"
run copy "$tmp/ext" "$MNT/ext4copy" --backup "$MNT/bk-times"
check "ext4 -> ntfs-3g: the copy verifies (exit 1, no time mismatch)" test "$rc" = 1
run copy --list "$tmp/ext" "$MNT/ext4copy"
check "ext4 -> ntfs-3g: --list then has nothing to copy (exit 0)" test "$rc" = 0

# --- a backup folder on another file system (ext4): the descriptor is kept ------
# The file system of the backup folder cannot hold system.ntfs_acl; the
# overwritten file's descriptor must still come back, byte for byte.
fresh
mkdir -p "$tmp/newer" "$MNT/keep"
printf 'old contents\n' >"$MNT/keep/f.dll"
setdesc "$FILE_SD" "$MNT/keep/f.dll"
printf 'new contents, longer\n' >"$tmp/newer/f.dll"
remount
kdir=$(desc "$MNT/keep")
run copy "$tmp/newer" "$MNT/keep" --backup "$tmp/bk-ext4"
check "backup on ext4: overwriting on ntfs-3g works (exit 1)" test "$rc" = 1
check "backup on ext4: the new contents are in place" cmp -s "$tmp/newer/f.dll" "$MNT/keep/f.dll"
check "backup on ext4: the descriptors are kept beside the slots (files/N.xattrs, dirs/N.xattrs)" \
  bash -c 'ls "$1"/files/*.xattrs && ls "$1"/dirs/*.xattrs' _ "$tmp/bk-ext4" >/dev/null
remount
run rollback "$tmp/bk-ext4"
check "backup on ext4: the rollback succeeds (exit 0)" test "$rc" = 0
remount
check "backup on ext4: the old contents are back" test "$(cat "$MNT/keep/f.dll")" = "old contents"
check "backup on ext4: the descriptor is back byte for byte (re-read after a remount)" \
  test "$(desc "$MNT/keep/f.dll")" = "$FILE_SD"
check "backup on ext4: the folder's descriptor is as before" test "$(desc "$MNT/keep")" = "$kdir"

echo "ntfs: $passed passed, $failed failed"
[ "$failed" = 0 ]
