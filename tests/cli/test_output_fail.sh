#!/usr/bin/env bash
# An output that fails during the run (a --log or --json FILE on a file
# system that fills: a real tmpfs of one page) is one line naming the file,
# and the exit code reflects it: 3 when nothing changed, 2 after a change
# (never "nothing changed" then); copy keeps its robocopy bits and adds 16.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 mount umount
if [ -n "$EMU" ]; then echo "SKIP: a tmpfs that fills is a Linux mount; Wine sees it as a drive it cannot fill on cue"; exit 77; fi
mnt=$tmp/full; mkdir -p "$mnt"
mount -t tmpfs -o size=4k,mode=0700 tmpfs "$mnt" 2>/dev/null || { echo "SKIP: cannot mount a tmpfs (not root)"; exit 77; }
trap 'umount "$mnt"; rm -rf "$tmp"' EXIT
# fill FILE BYTES-LEFT: FILE holds the page but BYTES-LEFT bytes.
fill() { rm -f "$mnt"/*; head -c $(( 4096 - $2 )) /dev/zero | tr '\0' 'x' >"$1"; }

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu

# Nothing changes (diagnose finds the damage, exit 1): a full log is exit 3.
fill "$mnt/log.txt" 0
run --root "$tmp/img/root" --log "$mnt/log.txt" diagnose
check "diagnose with a log that fills: exit 3 (nothing changed)" test "$rc" = 3
check "one line on stderr names the log file" \
  test "$(grep -c -- "--log .*$mnt/log.txt" <<<"$err")" = 1

# The log fills after its first line, during a repair that changes the tree.
r=$tmp/r; cp -a "$tmp/img/root" "$r"
fill "$mnt/log.txt" 80
run --root "$r" --log "$mnt/log.txt" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply
check "repair whose log fills: the stack folder was repaired" test -f "$r/Windows/WinSxS/$STACK/cbscore.dll"
check "repair whose log fills: exit 2, not 0 nor 3" test "$rc" = 2
check "repair whose log fills: one line on stderr names the log file" \
  test "$(grep -c -- "--log .*$mnt/log.txt" <<<"$err")" = 1

# copy: a --json that can be created (checked first) but not written.
mkdir -p "$tmp/s/sub" "$tmp/d"; echo one >"$tmp/s/a"; echo two >"$tmp/s/sub/b"
rm -f "$mnt"/*; fill "$mnt/pad" 0
run --json "$mnt/copy.json" copy "$tmp/s" "$tmp/d" --backup "$tmp/bk"
check "copy whose --json cannot be written: copied bit kept, fatal bit added (17)" test "$rc" = 17
check "copy whose --json cannot be written: the files were copied" cmp -s "$tmp/s/sub/b" "$tmp/d/sub/b"
check "copy whose --json cannot be written: no half-written report under its name" test ! -s "$mnt/copy.json"

echo "output_fail: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
