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
check_posix "the refusal names the outside path" has "$err" "$(pwd -P)/outside"
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

# The same boundary on a real NTFS volume (ntfs-3g, native only). There every
# file shows as root's and not writable by others, so "private" proves
# nothing: the trust must come from the repair history's hash.
ntfs_cleanup() {
  cd / || return
  for _ in 1 2 3 4 5; do mountpoint -q "$N" || break; umount "$N" 2>/dev/null || sleep 0.5; done
  ! mountpoint -q "$N" || umount -l "$N"
  rm -rf "$tmp"
}
ntfs_boundary() {
  N=$tmp/ntfs  # global: the exit trap unmounts it
  if [ -n "$EMU" ]; then skip "ntfs-3g: the volume is mounted on Linux (the .exe: see the mapped drive above)"; return; fi
  if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ] || ! command -v mkntfs >/dev/null || ! command -v ntfs-3g >/dev/null ||
     ! command -v sha256sum >/dev/null || ! command -v mountpoint >/dev/null; then
    skip "ntfs-3g: needs root, /dev/fuse, mkntfs, ntfs-3g, sha256sum and mountpoint"; return
  fi
  mkdir "$N" && truncate -s 16M "$tmp/ntfs.img"
  if ! mkntfs -F -f -q "$tmp/ntfs.img" >/dev/null 2>&1 || ! ntfs-3g -o umask=022 "$tmp/ntfs.img" "$N" 2>/dev/null; then
    skip "ntfs-3g: the image could not be made or mounted"; return
  fi
  trap ntfs_cleanup EXIT
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
ntfs_boundary
echo "rollback_root: $passed passed, $failed failed"
[ "$failed" = 0 ]
