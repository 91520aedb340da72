#!/usr/bin/env bash
# sxsfix copy and rollback from the command line: robocopy exit bits, the
# log, hard links kept by in-place overwrite, xattrs and ACLs (getfattr),
# and a process killed with SIGKILL halfway: rollback restores the previous
# tree exactly, a rerun completes it.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
finish() {
  [ -z "${KEEP:-}" ] || cp -a "$tmp" "$KEEP"   # KEEP=DIR keeps the trees for a look
  echo "test_copy: $passed passed, $failed failed"
  [ "$failed" = 0 ]; exit; }

cd "$tmp"
mkdir -p s/a/b s/empty
printf 'one' >s/a/one.txt
printf 'two two' >s/a/b/two.txt
touch -d '2020-01-02 03:04:05.123456789' s/a/one.txt

run copy s d --backup bk1 --log log.txt
check "a first copy exits 1 (copied)" test "$rc" = 1
check "the data is copied" cmp s/a/b/two.txt d/a/b/two.txt
check "the empty folder is copied" test -d d/empty
check "the log has a header" grep -q "Source : s" log.txt
check "the log has the summary table" grep -qE "Files : +2 +2 +0 +0 +0 +0" log.txt
run copy s d --backup bk2
check "a second copy has nothing to do: exit 0" test "$rc" = 0
printf 'x' >d/extra.txt
run copy --list s d
check "an extra file sets bit 2" test "$rc" = 2
check "--list names the extra" has "$out" "*EXTRA File"
printf 'eno' >d/a/one.txt  # same size; time differs
run copy --list s d
check "--list shows the changed file with its reason" has "$out" "a/one.txt  (source is"
check "--list changes nothing" test "$(cat d/a/one.txt)" = eno
run copy s
check "a missing destination is fatal: 16" test "$rc" = 16
run copy --verify some s d --backup bk3
check "--verify takes only 'full': 16" test "$rc" = 16
check "the error says so" has "$err" "--verify must be 'full'"
mkdir -p vf/s && printf 'full' >vf/s/f.txt
run copy --verify full vf/s vf/d --backup vf/bk
check "--verify full copies and verifies: exit 1" test "$rc" = 1
check "--verify full: no mismatch" bash -c "! grep -q Verify <<<\"\$0\"" "$out"
run copy nosuch d --backup bk3
check "a missing source is fatal: 16" test "$rc" = 16
check "the error names the source" has "$err" "nosuch"
run rollback "$tmp/nosuch.txt"
check "rollback of a missing journal exits 3" test "$rc" = 3

# The journal names its destination absolutely and is bound to it: a
# rollback run from another folder undoes the copy where it was made, and
# never touches that other folder's file of the same relative name.
mkdir -p one/s two/d
printf 'ours' >one/s/report.txt
printf 'precious' >two/d/report.txt
cd one; run copy s d --backup bk; cd ..
check "a copy from folder one exits 1" test "$rc" = 1
cd two; run rollback ../one/bk/journal.txt; cd ..
check "a rollback from folder two exits 0" test "$rc" = 0
check "folder two's d/report.txt is untouched" test "$(cat two/d/report.txt 2>/dev/null)" = precious
check "the copy in folder one is undone" test ! -e one/d/report.txt
# ...and a rollback after the destination was replaced is refused.
cd one; run copy s d2 --backup bk2; cd ..
mv one/d2 one/d2.old && mkdir one/d2 && printf 'new tree' >one/d2/report.txt
run rollback one/bk2/journal.txt
check "a rollback into a replaced destination is refused (3)" test "$rc" = 3
check "the refusal says why" has "$err" "not the folder"
check "the replacing tree is untouched" test "$(cat one/d2/report.txt)" = "new tree"

if [ -n "$EMU" ]; then
  echo "SKIP: hard links, xattrs, ACLs and kill -9 are tested on POSIX (Wine has no setfacl/getfattr counterpart)"
  finish
fi

if ! setfattr -n user.probe -v 1 s/a/one.txt 2>/dev/null; then
  echo "SKIP: $tmp has no user xattrs; the xattr and kill tests need them"
  finish
fi

# A tree big enough to be killed halfway: old and new versions of 1,500 files.
mkdir big && cd big
for i in $(seq 1 150); do
  mkdir -p src/d$i
  for j in $(seq 1 10); do head -c 20000 /dev/urandom >src/d$i/f$j.bin; done
  setfattr -n user.build -v "v$i" src/d$i/f1.bin
  setfattr -n trusted.sxsfix -v "t$i" src/d$i/f2.bin
  setfacl -m u:nobody:r src/d$i/f3.bin
done
chmod 000 src/d1/f4.bin
cp -a src old
for f in old/d*/f*.bin; do printf 'old version' >"$f"; done
setfattr -n user.build -v old old/d1/f1.bin
cp -a old dst
ln dst/d1/f5.bin link.bin
ino=$(stat -c %i dst/d1/f5.bin)
snapshot() {  # bytes are compared with diff -r; this adds metadata
  (cd "$1" && find . -printf '%P %y %m %u %g %T@\n' | grep -v '^ d' | sort &&
   getfattr -R -d -m - --absolute-names . 2>/dev/null | sed 's/^# file: //') >"$2"
}
snapshot old ../old.meta

killed_copy() {  # start a copy, kill -9 it after a few overwrites
  "$SXSFIX" copy src dst --backup "$1" >/dev/null 2>&1 &  # not through sx: kill must reach sxsfix itself
  local pid=$!
  for _ in $(seq 1 500); do
    [ "$(grep -c '^overwrite' "$1/journal.txt" 2>/dev/null)" -ge 20 ] 2>/dev/null && break
    sleep 0.01
  done
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
}
killed_copy bkA
check "the copy was killed halfway (journal has no end record)" bash -c "! grep -q '^end' bkA/journal.txt"
run rollback bkA/journal.txt
check "rollback after kill -9 exits 0" test "$rc" = 0
check "rollback restores every byte" diff -r old dst
snapshot dst ../dst.meta
check "rollback restores modes, owners, times and xattrs" cmp ../old.meta ../dst.meta
check "the hard link still shares the file" test "$(stat -c %i dst/d1/f5.bin)" = "$ino"
check "the hard link sees the restored bytes" cmp link.bin old/d1/f5.bin

killed_copy bkB
cp -a dst ../afterB
run copy src dst --backup bkB
check "a backup folder serves one run: reusing it is refused (16)" test "$rc" = 16
check "the refusal names the folder and its journal" has "$err" "bkB: the backup folder already holds \"journal.txt\""
run copy src dst --backup bkC
check "a rerun after kill -9 completes (exit 1)" test "$rc" = 1
check "the rerun leaves every byte of the source" diff -r src dst
snapshot src ../src.meta
snapshot dst ../dst.meta
check "metadata, xattrs and ACLs match the source" cmp ../src.meta ../dst.meta
check "the hard link survives the overwrite (same inode)" test "$(stat -c %i dst/d1/f5.bin)" = "$ino"
check "the hard link sees the new bytes" cmp link.bin src/d1/f5.bin
check "the link count is kept" test "$(stat -c %h dst/d1/f5.bin)" = 2
check "the ACL is copied" bash -c "getfacl -p dst/d1/f3.bin 2>/dev/null | grep -q 'user:nobody:r--'"
check "mode 000 copied" test "$(stat -c %a dst/d1/f4.bin)" = 0
# A rollback killed with -9 and run again finishes the job; a rollback
# after a complete one changes nothing.
"$SXSFIX" rollback bkC/journal.txt >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 1000); do
  [ "$(grep -c '^undone' bkC/journal.txt.rollback 2>/dev/null)" -ge 50 ] 2>/dev/null && break
  sleep 0.01
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
check "the rollback was killed halfway" bash -c "! grep -q '^rollback' bkC/journal.txt.rollback"
run rollback bkC/journal.txt
check "the rerun of the killed rollback exits 0" test "$rc" = 0
check "and puts back every byte the rerun changed" diff -r ../afterB dst
cp -p dst/d2/f1.bin ../f1.keep
printf 'changed after the rollback' >dst/d2/f1.bin
run rollback bkC/journal.txt
check "a second rollback exits 0" test "$rc" = 0
check "and changes nothing" test "$(cat dst/d2/f1.bin)" = "changed after the rollback"
cp -p ../f1.keep dst/d2/f1.bin
run rollback bkB/journal.txt
check "rollback of the killed run plus its rerun restores the old tree" diff -r old dst
snapshot dst ../dst.meta
check "and its metadata" cmp ../old.meta ../dst.meta

# The plan treats only "not found" as absent: an entry the destination
# does not let us read is a failed item, not a new one (as an unprivileged user).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  mkdir -p np/s/locked np/d/locked && printf 'x' >np/s/locked/f && printf 'y' >np/d/locked/f
  chmod 0644 np/d/locked && chmod -R a+rwX np/s && chmod 0755 np np/d
  run_as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$SXSFIX" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
  run_as_nobody copy --list np/s np/d
  check "an unreadable destination entry is a failure (bit 8), not new" test $((rc & 8)) = 8
  check "it is not listed as new" bash -c "! grep -q 'New File.*locked/f' <<<\"\$0\"" "$out"
else
  echo "SKIP: the unreadable-entry plan test needs root and setpriv"
fi
finish
