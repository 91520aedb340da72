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
pending_value() {
  "$EMU" reg query "$SM" /v PendingFileRenameOperations 2>/dev/null | tr -d '\r' |
    sed -n 's/.*PendingFileRenameOperations *REG_MULTI_SZ *//p'
}
# A Windows path for a file of ours, as Wine's drive Z: shows /.
winpath() { printf 'Z:%s' "${1//\//\\}"; }
# holdfile.exe FILE: held with no sharing until release is called.
hold() {
  rm -f "$tmp/ready" "$tmp/stop"
  "$EMU" "$SX_HOLDFILE" "$1" "$tmp/ready" "$tmp/stop" </dev/null >"$tmp/hold.out" 2>&1 &
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
local r, err = copy.apply(arg[1], arg[2], { backup = arg[3], at_boot = arg[4] == "at_boot", verify = true })
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

echo "live: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
