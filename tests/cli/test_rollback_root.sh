#!/usr/bin/env bash
# Rollback under --root: a journal found in the image is input from the
# image, so every path it names (destination, backup) must lie inside the
# root. A planted journal whose destination is outside is refused (exit 3,
# one line naming the journal, the line and the path) and nothing changes.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$tmp"
mkdir -p img/Windows/WinSxS img/ProgramData/sxsfix/Backup s outside
printf 'planted' >s/victim.txt
# The planted journal: a copy into a folder outside the image, its backup
# and journal inside the image.
run copy s outside --backup img/ProgramData/sxsfix/Backup/20261207-203851
check "the planting copy exits 1 (copied)" test "$rc" = 1
check "the file outside the image exists" test -e outside/victim.txt
J=img/ProgramData/sxsfix/Backup/20261207-203851/journal.txt
run --root img rollback --trust-journal "$J"  # trusted: the boundary holds even then
check "a journal whose destination is outside --root is refused (3)" test "$rc" = 3
check "the file outside the image survives" test -e outside/victim.txt
check "the refusal names the journal" has "$err" "$J"
check "the refusal names the line" has "$err" ":3:"
# The path as the journal records it (resolved): the .exe spells it as Windows does.
outside=$(pwd -P)/outside
[ -z "$EMU" ] || outside=$(winepath -w "$outside" 2>/dev/null | tr -d '\r')
check "the refusal names the outside path ($outside)" has "$err" "$outside lies outside --root img"
check "the refusal is one line" test "$(printf '%s\n' "$err" | grep -c .)" = 1

# The backup folder outside the root, the destination inside: refused too.
mkdir -p img/Windows/dst
run copy s img/Windows/dst --backup bk-outside
check "the second planting copy exits 1" test "$rc" = 1
mv bk-outside/journal.txt img/ProgramData/sxsfix/Backup/j2.txt
run --root img rollback --trust-journal img/ProgramData/sxsfix/Backup/j2.txt
check "a journal whose backup is outside --root is refused (3)" test "$rc" = 3
check "the destination inside is untouched" test -e img/Windows/dst/victim.txt
check "the refusal names the backup's line" has "$err" ":4:"

# A journal entirely inside the root, vouched for (no repair history names
# it: test_rollback_trust.sh), is rolled back as before.
mkdir -p img/Windows/dst3
run copy s img/Windows/dst3 --backup img/ProgramData/sxsfix/Backup/inside
run --root img rollback --trust-journal img/ProgramData/sxsfix/Backup/inside/journal.txt
check "a journal inside --root is rolled back (0)" test "$rc" = 0
check "its copy is undone" test ! -e img/Windows/dst3/victim.txt

# The same boundary under Wine with the image on a mapped drive (a letter of
# the prefix's dosdevices leading to a folder): the outside folder spelled
# through that drive, through Z:, with \\?\, "..", another case or its 8.3
# name never passes for a path inside the root.
DRV="" N=""  # the mapped drive and the NTFS mount, undone by cleanup
wine_drive_boundary() {
  if [ -z "$EMU" ]; then skip "mapped drive: a drive letter of Wine's (the .exe only)"; return; fi
  local dd=${WINEPREFIX:-$HOME/.wine}/dosdevices l
  for l in q p o n m; do [ -e "$dd/$l:" ] || [ -L "$dd/$l:" ] || { DRV=$dd/$l:; break; }; done
  if [ ! -d "$dd" ] || [ -z "$DRV" ]; then DRV=""; skip "mapped drive: no free drive letter in $dd"; return; fi
  local L=${l^^}: D=$tmp/drive
  mkdir -p "$D/image-of-windows/Windows/dst" "$D/image-of-windows/ProgramData/sxsfix/Backup" "$D/s" "$D/outside-the-image"
  printf 'planted' >"$D/s/victim.txt"
  ln -s "$D" "$DRV"
  local R="$L\\image-of-windows" O="$L\\outside-the-image"
  local B="$R\\ProgramData\\sxsfix\\Backup" J=$D/image-of-windows/ProgramData/sxsfix/Backup/planted/journal.txt
  run copy "$L\\s" "$O" --backup "$B\\planted"
  check "drive $L: the planting copy exits 1" test "$rc" = 1
  check "drive $L: the journal names the destination by the drive letter" grep -qxF "dst $O" "$J"
  cp "$J" "$tmp/planted"
  local short zd v
  short=$(winepath -s "$O" 2>/dev/null | tr -d '\r')
  zd="Z:$(tr / '\\' <<<"$D")"
  for v in "$O" "$R\\..\\outside-the-image" "$R\\.\\..\\outside-the-image" "\\\\?\\$O" "\\\\?\\$R\\..\\outside-the-image" \
      "${L,,}\\IMAGE-OF-WINDOWS\\..\\OUTSIDE-THE-IMAGE" "$zd\\outside-the-image" "$zd\\image-of-windows\\..\\outside-the-image" \
      "$short" "$R\\..\\${short##*\\}"; do
    V="dst $v" awk '/^dst /{ print ENVIRON["V"]; next } 1' "$tmp/planted" >"$J"
    run --root "$R" rollback --trust-journal "$B\\planted\\journal.txt"
    check "drive $L: the destination $v is refused (3), naming it" \
      bash -c '[ "$1" = 3 ] && grep -qF ":3: $3 lies outside --root" <<<"$2"' _ "$rc" "$err" "$v"
    check "drive $L: ... the file outside survives" test -e "$D/outside-the-image/victim.txt"
  done
  # The root by its 8.3 name: the same refusal.
  local sr; sr=$(winepath -s "$R" 2>/dev/null | tr -d '\r')
  cp "$tmp/planted" "$J"
  run --root "$sr" rollback --trust-journal "$sr\\ProgramData\\sxsfix\\Backup\\planted\\journal.txt"
  check "drive $L: --root $sr (8.3): the outside destination is refused (3)" test "$rc" = 3
  check "drive $L: --root $sr (8.3): the file outside survives" test -e "$D/outside-the-image/victim.txt"
  # A journal inside the root, all named by the drive: rolled back.
  run copy "$L\\s" "$R\\Windows\\dst" --backup "$B\\inside"
  run --root "$R" rollback --trust-journal "$B\\inside\\journal.txt"
  check "drive $L: a journal inside the root, named by its drive path, is rolled back (0)" test "$rc" = 0
  check "drive $L: its copy is undone" test ! -e "$D/image-of-windows/Windows/dst/victim.txt"
}

# The same boundary on a real NTFS volume (ntfs-3g, native only). There every
# file shows as root's and not writable by others, so "private" proves
# nothing: the trust must come from the repair history's hash.
cleanup() {
  cd / || return
  [ -z "$DRV" ] || rm -f "$DRV"
  if [ -n "$N" ]; then
    for _ in 1 2 3 4 5; do mountpoint -q "$N" || break; umount "$N" 2>/dev/null || sleep 0.5; done
    ! mountpoint -q "$N" || umount -l "$N"
  fi
  rm -rf "$tmp"
}
ntfs_boundary() {
  if [ -n "$EMU" ]; then skip "ntfs-3g: the volume is mounted on Linux (the .exe: see the mapped drive above)"; return; fi
  if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ] || ! command -v mkntfs >/dev/null || ! command -v ntfs-3g >/dev/null ||
     ! command -v sha256sum >/dev/null || ! command -v mountpoint >/dev/null; then
    skip "ntfs-3g: needs root, /dev/fuse, mkntfs, ntfs-3g, sha256sum and mountpoint"; return
  fi
  N=$tmp/ntfs
  mkdir "$N" && truncate -s 16M "$tmp/ntfs.img"
  if ! mkntfs -F -f -q "$tmp/ntfs.img" >/dev/null 2>&1 || ! ntfs-3g -o umask=022 "$tmp/ntfs.img" "$N" 2>/dev/null; then
    skip "ntfs-3g: the image could not be made or mounted"; return
  fi
  cd "$N" || return
  mkdir -p img/Windows/WinSxS img/Windows/dst img/ProgramData/sxsfix/Backup s outside
  printf 'planted' >s/victim.txt
  run copy s outside --backup img/ProgramData/sxsfix/Backup/20261207-203851
  local J=img/ProgramData/sxsfix/Backup/20261207-203851/journal.txt H=img/ProgramData/sxsfix/repairs.log
  check "ntfs-3g: the planting copy exits 1" test "$rc" = 1
  check "ntfs-3g: the planted journal shows as root's, mode 755 (the owner proves nothing)" \
    test "$(stat -c %u:%a "$J")" = 0:755
  run --root img rollback "$J"
  check "ntfs-3g: a journal the history does not name is refused (3)" \
    bash -c '[ "$1" = 3 ] && grep -q "does not name it" <<<"$2"' _ "$rc" "$err"
  check "ntfs-3g: the file outside the image survives" test -e outside/victim.txt
  # The history is in the image too: a planted line naming the planted
  # journal with its hash makes it trusted, and the boundary still holds.
  hist() { printf '2026-12-07T20:38:51Z repaired X | journal C:\\%s sha256:%s\n' "$(tr / '\\' <<<"${1#img/}")" "$2" >>"$H"; }
  hist "$J" "$(sha256sum "$J" | cut -d' ' -f1)"
  run --root img rollback "$J"
  check "ntfs-3g: trusted by a planted history line, the outside destination is refused (3)" \
    bash -c '[ "$1" = 3 ] && grep -q ":3: .*/outside lies outside --root img" <<<"$2"' _ "$rc" "$err"
  check "ntfs-3g: the file outside the image still survives" test -e outside/victim.txt
  # A journal inside the image: refused when altered after the history
  # named it, rolled back as the history names it.
  run copy s img/Windows/dst --backup img/ProgramData/sxsfix/Backup/20261207-203852
  local J2=img/ProgramData/sxsfix/Backup/20261207-203852/journal.txt
  hist "$J2" "$(sha256sum "$J2" | cut -d' ' -f1)"
  cp "$J2" "$tmp/j2" && printf 'remove extra.dll\n' >>"$J2"
  run --root img rollback "$J2"
  check "ntfs-3g: an inside journal altered after the history named it is refused (3)" \
    bash -c '[ "$1" = 3 ] && grep -q "is not the .* the repair history records" <<<"$2"' _ "$rc" "$err"
  check "ntfs-3g: its copy is still there" test -e img/Windows/dst/victim.txt
  cp "$tmp/j2" "$J2"
  run --root img rollback "$J2"
  check "ntfs-3g: the inside journal the history names is rolled back (0)" test "$rc" = 0
  check "ntfs-3g: its copy is undone" test ! -e img/Windows/dst/victim.txt
  cd "$tmp" || return
}
trap cleanup EXIT
wine_drive_boundary
ntfs_boundary
echo "rollback_root: $passed passed, $failed failed"
[ "$failed" = 0 ]
