#!/usr/bin/env bash
# sxsfix repair --apply killed (SIGKILL) just before each change it makes
# (SXSFIX_FAULT_KILL_AT=N, the POSIX platform's fault point: every create,
# write, truncation, rename, removal, folder and metadata set, the
# journal's, log's and history's among them), one run per change, on one
# processor and on two (taskset: the copy's workers are one per processor):
# after `sxsfix --root IMG rollback --last` the image is exactly what it was
# (names, types, sizes, modes, times, contents, xattrs), with nothing left
# but sxsfix's own folder ProgramData/sxsfix (history, logs, backups). No
# rollback needs --trust-journal: before it changes anything a repair
# writes "repairing ... | journal J" to the history, which vouches for J.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
finish() { echo "test_repair_kill: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }
if [ -n "$EMU" ]; then echo "SKIP: the fault point (SXSFIX_FAULT_KILL_AT) is the POSIX platform's"; exit 77; fi
need gcab wimlib-imagex hivexsh lua5.4 getfattr taskset

sample_image "$tmp/img"
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
r=$tmp/r

# snap: every entry of the image but sxsfix's own folder (ProgramData's
# time aside: that folder is made in it) with name, type, size, mode,
# mtime, contents and xattrs
snap() {
  (cd "$r" && find . -path ./ProgramData/sxsfix -prune -o -path ./ProgramData -printf '%p %y %m\n' \
      -o -printf '%p %y %s %m %T@\n' | sort &&
    find . -path ./ProgramData/sxsfix -prune -o -type f -print0 | sort -z | xargs -0 sha256sum &&
    getfattr -R -d -m - . 2>/dev/null | grep -v '^# file: ProgramData/sxsfix')
}
rm -rf "$r" && cp -a "$tmp/img/root" "$r"
snap >"$tmp/before"

for cpus in 0 0,1; do
  kills=0 bad=0 completed=0
  step=1; [ "$cpus" = 0 ] || step=4  # on two: every fourth change (seconds, not a minute)
  # under the sanitizers (four times slower) every second and every eighth
  # change; the native suite kills at every one
  [ -z "${ASAN_OPTIONS:-}" ] || step=$((step * 2))
  for n in $(seq 1 "$step" 300); do
    rm -rf "$r" "$tmp/work" && cp -a "$tmp/img/root" "$r"
    { SXSFIX_FAULT_KILL_AT=$n taskset -c "$cpus" "$SXSFIX" --root "$r" repair --trust "$tmp/img/ca/ca.pem" \
        --ssu "$MSU" --work "$tmp/work" --apply >"$tmp/rep.out" 2>&1; } 2>/dev/null
    code=$?
    if [ "$code" != 137 ]; then completed=$n; break; fi
    kills=$((kills + 1))
    if compgen -G "$r/ProgramData/sxsfix/Backup/*/*/journal.txt" >/dev/null; then
      sx --root "$r" rollback --last >"$tmp/rb.out" 2>&1 ||
        { echo "kill before change $n: rollback: $(cat "$tmp/rb.out")"; bad=$((bad + 1)); continue; }
    fi
    snap >"$tmp/after"
    if ! cmp -s "$tmp/before" "$tmp/after"; then
      echo "kill before change $n, processors $cpus: the image differs after the rollback:"
      diff "$tmp/before" "$tmp/after" | head -5
      bad=$((bad + 1))
    fi
  done
  check "processors $cpus: the repair was killed at each of its changes (every $step: $kills), then completed (exit $code)" \
    test "$((kills * step))" -ge 40 -a "$completed" -gt 0 -a "$code" = 0
  check "processors $cpus: after every kill, the rollback leaves the image exactly as before" test "$bad" = 0
  check "processors $cpus: the completed repair filled the stack folder" test -n "$(ls -A "$r/Windows/WinSxS/$STACK")"
  sx --root "$r" rollback --last >"$tmp/rb.out" 2>&1
  check "processors $cpus: the completed repair's rollback, trusted by its history line, exits 0" test $? = 0
  snap >"$tmp/after"
  check "processors $cpus: and leaves the image exactly as before" cmp -s "$tmp/before" "$tmp/after"
done
finish
