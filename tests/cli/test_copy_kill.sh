#!/usr/bin/env bash
# sxsfix copy killed (SIGKILL) just before each change it makes, one run
# per change (SXSFIX_FAULT_KILL_AT=N, the POSIX platform's fault point:
# every create, write, truncation, rename, removal, folder and metadata
# set), with one worker and with two: after `sxsfix rollback` the
# destination is exactly what it was (names, types, sizes, modes, times,
# contents, xattrs), no NAME.sxsfix-new left behind; without a journal
# nothing changed at all.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
finish() { echo "test_copy_kill: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }
if [ -n "${SXSFIX_EMULATOR:-}" ]; then echo "SKIP: the fault point (SXSFIX_FAULT_KILL_AT) is the POSIX platform's"; exit 77; fi
need getfattr setfattr

cd "$tmp"
mkdir -p s/a s/b d0/a
printf 'new contents' >s/a/one.txt
printf 'kept' >s/a/keep.txt
for i in 1 2 3 4 5; do printf 'file %s' "$i" >s/a/new$i.txt; done
printf 'deep' >s/b/three.txt
setfattr -n user.sxsfix.test -v source s/a/one.txt s/a/new1.txt
printf 'old' >d0/a/one.txt
setfattr -n user.sxsfix.test -v old d0/a/one.txt
# a second changed file in the same folder: one batch of overwrites
printf 'two, new' >s/a/two.txt
printf 'two, the old contents' >d0/a/two.txt
cp -a s/a/keep.txt d0/a/keep.txt
touch -d '2001-02-03 04:05:06' d0/a/one.txt d0/a/two.txt d0/a d0

# snap DIR: every entry's name, type, size, mode, mtime, contents and xattrs
snap() {
  (cd "$1" && find . -printf '%p %y %s %m %T@\n' | sort &&
    find . -type f -print0 | sort -z | xargs -0 sha256sum &&
    getfattr -R -d -m - . 2>/dev/null)
}
snap d0 >before

for threads in 1 2; do
  kills=0 bad=0 completed=0
  for n in $(seq 1 400); do
    rm -rf d bk
    cp -a d0 d
    SXSFIX_FAULT_KILL_AT=$n sx copy --threads "$threads" s d --backup bk >/dev/null 2>&1
    code=$?
    if [ "$code" != 137 ]; then completed=$n; break; fi
    kills=$((kills + 1))
    if [ -f bk/journal.txt ]; then sx rollback bk/journal.txt >rb.out 2>&1 || { echo "rollback at $n: $(cat rb.out)"; bad=$((bad + 1)); continue; }; fi
    snap d >after
    if ! cmp -s before after; then
      echo "kill before change $n, --threads $threads: the tree differs after rollback:"
      diff before after | head -5
      bad=$((bad + 1))
    fi
  done
  check "--threads $threads: the run was killed at each of its changes ($kills), then completed" test "$kills" -ge 20 -a "$completed" -gt 0
  check "--threads $threads: after every kill, rollback leaves the tree exactly as before" test "$bad" = 0
  check "--threads $threads: the completed run copied everything" diff -r s d
done
finish
