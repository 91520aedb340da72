#!/usr/bin/env bash
# A running Windows, under Wine: a file another process holds is written
# beside it and replaced at the next boot (PendingFileRenameOperations, read
# back with Wine's own reg.exe), a rollback takes that back, a repair that
# needed it exits 3010 and diagnose then says "repair pending reboot"; the
# TrustedInstaller service (a test service named through the setting) is
# stopped for the copy and its state restored.
#   SX_HOLDFILE  holdfile.exe (holds a file with no sharing)
#   SX_TESTSVC   testsvc.exe (a service that runs until stopped)
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}" "${SX_HOLDFILE:?}" "${SX_TESTSVC:?}"
. "$SXSFIX_SOURCE/tests/cli/lib.sh"
[ -n "$EMU" ] || { echo "SKIP: Windows only (run under Wine)"; exit 77; }
need jq

SM='HKLM\SYSTEM\CurrentControlSet\Control\Session Manager'
# PendingFileRenameOperations as Wine's reg.exe prints it (one line; "" when absent).
# (Wine's reg.exe now and then prints nothing on a loaded machine: an empty
# answer is asked again, three times at most.)
pending_value() {
  local v="" i
  for i in 1 2 3; do
    v=$("$EMU" reg query "$SM" /v PendingFileRenameOperations 2>/dev/null | tr -d '\r' |
      sed -n 's/.*PendingFileRenameOperations *REG_MULTI_SZ *//p')
    [ -z "$v" ] || break
  done
  printf '%s' "$v"
}
# A Windows path for a file of ours, as Wine's drive Z: shows /.
winpath() { printf 'Z:%s' "${1//\//\\}"; }
# holdfile.exe FILE [map]: held with no sharing (or mapped) until release is called.
hold() {
  rm -f "$tmp/ready" "$tmp/stop"
  "$EMU" "$SX_HOLDFILE" "$1" "$tmp/ready" "$tmp/stop" ${2:-} </dev/null >"$tmp/hold.out" 2>&1 &
  holder=$!
  for _ in $(seq 600); do [ -e "$tmp/ready" ] && return 0; kill -0 $holder 2>/dev/null || break; sleep 0.1; done
  return 1
}
release() { touch "$tmp/stop"; wait "$holder" 2>/dev/null; }
holder=""
trap 'touch "$tmp/stop"; [ -z "$holder" ] || wait "$holder" 2>/dev/null; rm -rf "$tmp"' EXIT

# ---- the copy engine: a file in use ---------------------------------------------
mkdir -p "$tmp/src/k" "$tmp/dst/k"
printf 'old f' >"$tmp/dst/k/f.bin"
printf 'old g' >"$tmp/dst/k/g.bin"
printf 'new f, longer' >"$tmp/src/k/f.bin"
printf 'new g' >"$tmp/src/k/g.bin"
touch -d '2020-01-01' "$tmp/dst/k/"*.bin
cat >"$tmp/apply.lua" <<'EOF'
local copy, json = require "sxsfix.copy", require "sxsfix.json"
local r, err = copy.plan(arg[1], arg[2])
if r then r, err = r:apply({ backup = arg[3], at_boot = arg[4] == "at_boot", verify = true }) end
if not r then io.stderr:write(err, "\n") return 2 end
local out = { pending = r.pending, verify_failed = r.verify_failed, failed = r.files.failed, items = {} }
for _, it in ipairs(r.items) do out.items[it.path] = { pending = it.pending, done = it.done, error = it.error } end
print(json.encode(out))
EOF

hold "$tmp/dst/k/f.bin" || { cat "$tmp/hold.out"; echo "holdfile.exe did not start"; exit 1; }
# without at_boot: the file in use is a failure, nothing scheduled
run run "$tmp/apply.lua" "$tmp/src" "$tmp/dst" "$tmp/bk1" plain
check "without at_boot a held file fails (sharing violation)" test "$(jqv '.items["k/f.bin"].error // "" | test("used by another process|sharing"; "i")')" = true
check "without at_boot nothing is scheduled" test -z "$(pending_value | grep -F 'f.bin.sxsfix-pending')"
check "without at_boot the held file is untouched" test "$(cat "$tmp/dst/k/f.bin")" = "old f"
printf 'old g' >"$tmp/dst/k/g.bin"; touch -d '2020-01-01' "$tmp/dst/k/g.bin"  # to be copied again

run run "$tmp/apply.lua" "$tmp/src" "$tmp/dst" "$tmp/bk2" at_boot
check "at_boot: exit 0" test "$rc" = 0
check "at_boot: one file pending, none failed, verified" test "$(jqv '[.pending, .failed, .verify_failed] | map(tostring) | join(",")')" = "1,0,0"
check "at_boot: the item names its replacement" test "$(jqv '.items["k/f.bin"].pending')" = "f.bin.sxsfix-pending1"
check "the held file is untouched" test "$(cat "$tmp/dst/k/f.bin")" = "old f"
check "its replacement is complete beside it" test "$(cat "$tmp/dst/k/f.bin.sxsfix-pending1")" = "new f, longer"
check "the free file is copied in place" test "$(cat "$tmp/dst/k/g.bin")" = "new g"
v=$(pending_value)
want_from="\\??\\$(winpath "$tmp/dst/k/f.bin.sxsfix-pending1")"
want_to="!\\??\\$(winpath "$tmp/dst/k/f.bin")"
check "PendingFileRenameOperations holds the replacement (Wine's reg.exe)" has "$v" "$want_from"
check "... replacing the held file (\"!\" = replace existing)" has "$v" "$want_to"
check "the journal records it" grep -q '^pending k/f.bin [0-9a-f:]* 1$' "$tmp/bk2/journal.txt"
release

run rollback "$tmp/bk2/journal.txt"
check "rollback: exit 0" test "$rc" = 0
check "rollback: the entry is gone from PendingFileRenameOperations" bash -c "! grep -qF 'f.bin.sxsfix-pending1' <<<'$(pending_value)'"
check "rollback: the replacement file is removed" test ! -e "$tmp/dst/k/f.bin.sxsfix-pending1"
check "rollback: the held file is as it was" test "$(cat "$tmp/dst/k/f.bin")" = "old f"
check "rollback: the copied file is back" test "$(cat "$tmp/dst/k/g.bin")" = "old g"

# ---- a mapped file: it opens for writing, but cannot be truncated ---------------
printf 'old g' >"$tmp/dst/k/g.bin"; touch -d '2020-01-01' "$tmp/dst/k/g.bin"
hold "$tmp/dst/k/g.bin" map || { cat "$tmp/hold.out"; echo "holdfile.exe did not start"; exit 1; }
run run "$tmp/apply.lua" "$tmp/src" "$tmp/dst" "$tmp/bk3" at_boot
release
if [ "$(jqv '.items["k/g.bin"].pending // ""')" = "" ] && [ "$(cat "$tmp/dst/k/g.bin")" = "new g" ]; then
  skip "Wine truncated a file another process has mapped (Windows refuses: ERROR_USER_MAPPED_FILE)"
else
  check "mapped: exit 0, the file pending, none failed" test "$rc:$(jqv '.items["k/g.bin"].pending'):$(jqv '.failed')" = "0:g.bin.sxsfix-pending1:0"
  check "mapped: the file is untouched" test "$(cat "$tmp/dst/k/g.bin")" = "old g"
  check "mapped: the journal says the overwrite did not happen" grep -qx 'unchanged k/g.bin' "$tmp/bk3/journal.txt"
  check "mapped: scheduled" has "$(pending_value)" "$(winpath "$tmp/dst/k/g.bin").sxsfix-pending1"
  run rollback "$tmp/bk3/journal.txt"
  check "mapped: rollback exit 0, cancelled" test "$rc:$(grep -cF 'g.bin.sxsfix-pending1' <<<"$(pending_value)")" = "0:0"
  check "mapped: the file is as it was" test "$(cat "$tmp/dst/k/g.bin")" = "old g"
fi

# ---- a repair of the running system ----------------------------------------------
# The sample installation stands in for the running system: settings point
# the store at it (no --root), the build comes from a key of our own, and
# the service is a test service created for this run (settings.service).
need gcab wimlib-imagex hivexsh lua5.4
sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
SSU=$tmp/img/ssu/amd64-10.0.26100.5074
MSU=$SSU/windows10.0-kb5043080-x64.msu
SXS=$tmp/img/root/Windows/WinSxS
SVC=sxsfixtest$$
KEY='HKLM\SOFTWARE\sxsfix-test-live'
"$EMU" reg add "$KEY" /v CurrentBuild /t REG_SZ /d 26100 /f >/dev/null 2>&1
svc_state() { "$EMU" sc query "$SVC" 2>/dev/null | tr -d '\r' | sed -n 's/.*STATE *: *[0-9]* *//p'; }
svc_wait() { for _ in $(seq 600); do [ "$(svc_state)" = "$1" ] && return; sleep 0.1; done; }
cleanup_live() {
  "$EMU" sc stop "$SVC" >/dev/null 2>&1; "$EMU" sc delete "$SVC" >/dev/null 2>&1
  "$EMU" reg delete "$KEY" /f >/dev/null 2>&1
}
trap 'touch "$tmp/stop"; [ -z "$holder" ] || wait "$holder" 2>/dev/null; cleanup_live; rm -rf "$tmp"' EXIT
{
  echo "winsxs = [[$(winpath "$SXS")]]"
  echo "version_key = [[$KEY]]"
  echo 'disable = { "registry-stacks", "evidence" }'
  echo "work = [[$(winpath "$tmp/work")]]"
  echo "logdir = [[$(winpath "$tmp/pd/Logs")]]"
  echo "backup = [[$(winpath "$tmp/pd/Backup")]]"
  echo "history = [[$(winpath "$tmp/pd/repairs.log")]]"
  echo "service = { name = \"$SVC\", wait = 30 }"
} >"$tmp/live.lua"
LIVE=(--config "$tmp/live.lua")
TRUST=(--trust "$tmp/img/ca/ca.pem")
TI=$SXS/$STACK/TrustedInstaller.exe
# the damaged folder: the update's files, cbscore.dll and TrustedInstaller.exe cut short
damage() {
  rm -rf "${SXS:?}/$STACK"; cp -a "$SSU/payload/$STACK" "$SXS/$STACK"
  printf 'MZ cut short' >"$SXS/$STACK/cbscore.dll"
  printf 'MZ cut short' >"$TI"
}

# 1. The service holds TrustedInstaller.exe: stopped, it lets go, and the
#    file is overwritten in place (exit 0); the service runs again after.
damage
"$EMU" sc create "$SVC" binPath= "$(winpath "$SX_TESTSVC") $(winpath "$TI")" start= demand >/dev/null 2>&1
"$EMU" sc start "$SVC" >/dev/null 2>&1
svc_wait RUNNING
SVC_OK=1
if [ "$(svc_state)" != RUNNING ]; then
  SVC_OK=0
  skip "Wine could not create or start the test service $SVC: the service part is not tested"
else
  run "${LIVE[@]}" --json - repair "${TRUST[@]}" --ssu "$MSU" --apply --security source
  check "the service held the file: repaired in place, exit 0" test "$rc" = 0
  check "json: the service was running, stopped and started again" \
    test "$(jqv '.repair.service | [.name, .before, .stopped, .restored] | map(tostring) | join(",")')" = "$SVC,running,true,true"
  check "json: no reboot needed" test "$(jqv '.reboot_required')" = false
  check "TrustedInstaller.exe holds the update's bytes" cmp -s "$SSU/payload/$STACK/TrustedInstaller.exe" "$TI"
  check "the service runs again (sc query)" test "$(svc_state)" = RUNNING
  check "the log says so" bash -c "grep -q 'Service: $SVC was running: stopped for the copy; started again' '$tmp'/pd/Logs/repair-*.log"
  j1=$(ls "$tmp"/pd/Backup/*/1/journal.txt | tail -1)
  check "the journal records the service" grep -qx "service $SVC" "$j1"
  # a rollback from the journal (as after a kill) starts the service again
  "$EMU" sc stop "$SVC" >/dev/null 2>&1
  svc_wait STOPPED
  run rollback "$j1"
  check "rollback from the journal: exit 0, the service started again" test "$rc:$(svc_state)" = "0:RUNNING"
  check "rollback: says so" has "$out" "1 service(s) started again"

  # 2. A repair stopped midway, after its copy (here a site hook that
  #    raises: a script error, exit 4), still puts the service back. (A new
  #    file's descriptor now survives Wine's round trip, so a failing
  #    verification can no longer be made here on demand.)
  damage
  { cat "$tmp/live.lua"; echo 'hooks = { after = { apply = function() error("site check failed") end } }'; } >"$tmp/boom.lua"
  run --config "$tmp/boom.lua" repair "${TRUST[@]}" --ssu "$MSU" --apply --security source
  check "a repair stopped after its copy (exit 4) leaves the service running" test "$rc:$(svc_state)" = "4:RUNNING"
  check "it says why" has "$err" "site check failed"
  "$EMU" sc stop "$SVC" >/dev/null 2>&1
  svc_wait STOPPED
fi

# 3. Another process holds TrustedInstaller.exe: it is replaced at the next
#    boot, the repair exits 3010, and diagnose says "repair pending reboot".
#    A stopped service stays stopped.
damage
hold "$TI" || { cat "$tmp/hold.out"; echo "holdfile.exe did not start"; exit 1; }
# Through cmd.exe, which sees the whole 32-bit exit code (a Linux parent
# sees its low byte: 3010 & 255 = 194).
printf '@"%s" --config "%s" --json "%s" repair --trust "%s" --ssu "%s" --apply --security source\r\n@echo EXIT=%%ERRORLEVEL%%\r\n' \
  "$(winpath "$SXSFIX")" "$(winpath "$tmp/live.lua")" "$(winpath "$tmp/r.json")" "$(winpath "$tmp/img/ca/ca.pem")" \
  "$(winpath "$MSU")" >"$tmp/r.bat"
"$EMU" cmd /c "$(winpath "$tmp/r.bat")" >"$tmp/bat.out" 2>&1 </dev/null
rc=$(tr -d '\r' <"$tmp/bat.out" | sed -n 's/^EXIT=//p')
out=$(cat "$tmp/r.json" 2>/dev/null)
check "a file in use: exit 3010 (as cmd.exe sees it)" test "$rc" = 3010
check "json: exit_code 3010" test "$(jqv '.exit_code')" = 3010
check "json: reboot_required, and the file pending" \
  test "$(jqv '[.reboot_required, (.pending | length), (.pending[0] | test("TrustedInstaller.exe$"))] | map(tostring) | join(",")')" = "true,1,true"
check "json: repair.pending too" test "$(jqv '.repair.pending | length')" = 1
[ "$SVC_OK" = 0 ] || check "json: a stopped service is left as it is" \
  test "$(jqv '.repair.service | [.before, .stopped] | map(tostring) | join(",")'):$(svc_state)" = "stopped,false:STOPPED"
check "cbscore.dll (free) is repaired in place" cmp -s "$SSU/payload/$STACK/cbscore.dll" "$SXS/$STACK/cbscore.dll"
check "TrustedInstaller.exe (held) is untouched" test "$(cat "$TI")" = "MZ cut short"
check "its replacement is beside it" cmp -s "$SSU/payload/$STACK/TrustedInstaller.exe" "$TI.sxsfix-pending1"
check "PendingFileRenameOperations holds it" has "$(pending_value)" "$(winpath "$TI").sxsfix-pending1"
check "the log lists it" bash -c "grep -q 'Pending: .*TrustedInstaller.exe' '$tmp'/pd/Logs/repair-*.log"
release
run "${LIVE[@]}" --json - diagnose
check "diagnose: repair pending reboot" test "$(jqv '.note')" = "repair pending reboot"
check "diagnose: the file" test "$(jqv '.pending_reboot[0].file | test("TrustedInstaller.exe$")')" = true
run "${LIVE[@]}" diagnose
check "diagnose text: says so" has "$out" "Repair pending reboot: 1 file(s)"
j=$(grep -o 'reboot pending: .*' "$tmp/pd/repairs.log" | tail -1 | sed 's/^reboot pending: //')
run rollback "$j"
check "rollback of the repair: exit 0" test "$rc" = 0
check "... PendingFileRenameOperations no longer holds it" bash -c "! grep -qF 'TrustedInstaller.exe.sxsfix-pending1' <<<'$(pending_value)'"
check "... its replacement is gone" test ! -e "$TI.sxsfix-pending1"
run "${LIVE[@]}" --json - diagnose
check "diagnose after the rollback: nothing pending" test "$(jqv '.pending_reboot | length'):$(jqv '.note')" = "0:null"

echo "live: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
