#!/usr/bin/env bash
# repair on a read-only system volume (ntfs-3g mounts a hibernated or Fast
# Startup Windows read-only): the plan says "the volume is read-only: put
# the work folder elsewhere with --work DIR", not a bare EROFS, and nothing
# is written; with --work elsewhere the plan is made. ntfs-3g -o ro on an
# image made by mkntfs; else a read-only bind mount; skipped (one line)
# when nothing can be mounted.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq
[ "$(id -u)" = 0 ] || { echo "SKIP: mounting a read-only volume needs root"; exit 77; }
sample_image "$tmp/img"
noreg_under_wine
S=$tmp/img/ssu/amd64-10.0.26100.5074
SXT=(--trust "$tmp/img/ca/ca.pem")
MNT=$tmp/ro
mkdir -p "$MNT"
cleanup() { mountpoint -q "$MNT" && { umount "$MNT" 2>/dev/null || umount -l "$MNT"; }; rm -rf "$tmp"; }
trap cleanup EXIT

# the sample installation on the volume, then mounted read-only
kind=
if command -v mkntfs >/dev/null && command -v ntfs-3g >/dev/null; then
  truncate -s 64M "$tmp/ntfs.img"
  if mkntfs -F -f -q "$tmp/ntfs.img" >/dev/null 2>&1 && ntfs-3g "$tmp/ntfs.img" "$MNT" 2>/dev/null; then
    cp -r "$tmp/img/root/." "$MNT/" && sync && umount "$MNT" &&
      ntfs-3g -o ro "$tmp/ntfs.img" "$MNT" 2>/dev/null && kind="ntfs-3g -o ro"
  fi
fi
if [ -z "$kind" ]; then
  mountpoint -q "$MNT" && umount "$MNT"
  mkdir -p "$tmp/rw" && cp -a "$tmp/img/root/." "$tmp/rw/"
  if mount --bind "$tmp/rw" "$MNT" 2>/dev/null && mount -o remount,bind,ro "$MNT" 2>/dev/null; then
    kind="a read-only bind mount"
  else
    echo "SKIP: neither ntfs-3g nor a bind mount can be mounted read-only here"; exit 77
  fi
fi
echo "# the volume: $kind"
touch "$MNT/probe" 2>/dev/null && { echo "the volume is writable: $kind"; exit 1; }

# the default work folder, %SystemDrive%\sxsfix-work, is on that volume
run --root "$MNT" "${CFG[@]}" repair "${SXT[@]}" --ssu "$S/windows10.0-kb5043080-x64.msu"
check "read-only volume: refused, exit 3" test "$rc" = 3
# Wine tells nothing of a read-only mount: EROFS comes back as access
# denied, and GetVolumeInformation has no FILE_READ_ONLY_VOLUME (measured)
WINE_RO="under Wine a read-only mount looks like access denied (no FILE_READ_ONLY_VOLUME, EROFS -> ERROR_ACCESS_DENIED): checked on Linux"
if [ -n "$EMU" ]; then skip "read-only volume: the line naming it: $WINE_RO"; else
check "read-only volume: one line names the volume and --work DIR" \
  test "$(grep -c "the volume $MNT is read-only: put the work folder elsewhere with --work DIR" <<<"$err")" = 1
fi
check "read-only volume: no bare 'Read-only file system'" bash -c "! grep -qi 'read-only file system' <<<'$err'"
echo "# $err"
run --root "$MNT" "${CFG[@]}" repair "${SXT[@]}" --ssu "$S/windows11.0-kb5043080-x64.msu" --work "$MNT/Windows/Temp/w"
if [ -n "$EMU" ]; then skip "read-only volume, --work on it: $WINE_RO"; else
check "read-only volume, --work on it (an existing parent): said the same" \
  has "$err" "is read-only: put the work folder elsewhere with --work DIR"
fi
run --root "$MNT" "${CFG[@]}" repair "${SXT[@]}" --ssu "$S/windows10.0-kb5043080-x64.msu" --work "$tmp/work"
check "read-only volume, --work elsewhere: the plan is made (exit 1)" test "$rc" = 1
check "read-only volume, --work elsewhere: the plan restores the folder" has "$out" "servicingstack"

echo "ssu_readonly: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
