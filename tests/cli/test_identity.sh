#!/usr/bin/env bash
# Reports that can be collected: identity and time in every command's JSON,
# --summary's one line, and the event written by diagnose and repair
# (Windows Application log; nothing on POSIX).
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq iconv
sample_image "$tmp/img"
r=$tmp/img/root
# CAB-based updates: every build expands them (the Windows one has no wimlib)
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
ARM=$tmp/img/ssu/arm64-10.0.26100.5074/windows10.0-kb5043080-arm64.msu
iso='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

# --- identity and time in the JSON of every command ----------------------------
for cmd in "diagnose" "dir C:\\Windows" "version" "scripts list"; do
  # shellcheck disable=SC2086
  run --root "$r" --json "$tmp/j.json" $cmd
  out=$(cat "$tmp/j.json" 2>/dev/null)
  check "$cmd: schema 1" test "$(jqv .schema)" = 1
  check "$cmd: time is UTC ISO 8601" grep -qE "$iso" <<<"$(jqv .time)"
  check "$cmd: duration_ms is a whole number" grep -qE '^[0-9]+$' <<<"$(jqv .duration_ms)"
  check "$cmd: root" test "$(jqv .root)" = "$r"
  if [ -n "$EMU" ]; then
    echo "SKIP: offline hive fields under Wine: RegLoadAppKeyW is a stub"
  else
    check "$cmd: computer name from the SYSTEM hive's current control set" test "$(jqv .system.computer_name)" = SAMPLE-PC
    check "$cmd: ubr and edition" test "$(jqv '[.system.build, .system.ubr, .system.edition] | join(",")')" = "26100,5074,Professional"
  fi
done

# Build 22000 and later is Windows 11, whatever ProductName says (the
# registry keeps "Windows 10 Pro" there; the sample image is build 26100).
if [ -n "$EMU" ]; then
  echo "SKIP: System line under Wine: RegLoadAppKeyW is a stub"
else
  run --root "$r" diagnose
  check "System: build 26100 is Windows 11 (ProductName says Windows 10)" has "$out" "System: Windows 11 Pro"
  check "System: no Windows 10 for build 26100" bash -c '! grep "^System:" <<<"$1" | grep -q "Windows 10"' _ "$out"
  run --root "$r" --json - diagnose
  check "JSON system.product: Windows 11 Pro" test "$(jqv .system.product)" = "Windows 11 Pro"
fi

run --json "$tmp/v.json" version
out=$(cat "$tmp/v.json")
check "live: no root field" test "$(jqv 'has("root")')" = false
check "live: the computer name from the OS" test -n "$(jqv .system.computer_name | grep -v '^null$')"

# A real SYSTEM hive (Select\Current = 1) in place of the generated one.
if [ -n "$EMU" ]; then
  echo "SKIP: real SYSTEM hive under Wine: RegLoadAppKeyW is a stub"
elif [ -f "${SXSFIX_TESTDATA:-}/hives/regipy_SYSTEM.xz" ]; then
  cp -a "$r" "$tmp/real"
  xz -dc "$SXSFIX_TESTDATA/hives/regipy_SYSTEM.xz" >"$tmp/real/Windows/System32/config/SYSTEM"
  run --root "$tmp/real" --json - diagnose
  check "real SYSTEM hive: ControlSet001's name" test "$(jqv .system.computer_name)" = WKS-WIN732BITA
  # A SYSTEM hive that is not a hive: the report goes on, the reason is kept.
  printf 'not a hive' >"$tmp/real/Windows/System32/config/SYSTEM"
  run --root "$tmp/real" --json - diagnose
  check "bad SYSTEM hive: still a verdict" test "$(jqv .verdict)" = damaged
  check "bad SYSTEM hive: the reason names the hive" has "$(jqv '.system.errors[0]')" "SYSTEM"
else
  skip "real SYSTEM hive: testdata/hives/regipy_SYSTEM.xz is absent"
fi

# --- --summary -------------------------------------------------------------------
one_line() { [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [ "${#out}" -le 2048 ]; }
run --root "$r" --summary diagnose
check "summary diagnose: exit code unchanged (1)" test "$rc" = 1
check "summary diagnose: one line" one_line
if [ -z "$EMU" ]; then
  check "summary diagnose: the line" test "$out" = \
    "DAMAGED SAMPLE-PC 26100.5074: amd64 servicingstack 10.0.26100.5074 empty; repair needs servicing stack 10.0.26100.5074 x64"
fi
check "summary diagnose: verdict first" has "$out" "DAMAGED "
run --root "$r" --summary --json "$tmp/s.json" diagnose
check "summary with --json FILE: one line" one_line
check "summary with --json FILE: the file is written" test "$(jq -r .verdict "$tmp/s.json")" = damaged
run --root "$r" --summary --json - diagnose
check "summary with --json -: refused (exit 3)" test "$rc" = 3
run --root "$r" --summary repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --work "$tmp/work"
check "summary repair plan: exit 1, one line" test "$rc" = 1 -a "$(printf '%s\n' "$out" | wc -l)" = 1
check "summary repair plan: PLANNED, the update named" has "$out" "PLANNED"
run --root "$r" --summary repair --trust "$tmp/img/ca/ca.pem" --ssu "$ARM" --work "$tmp/work"
check "summary refused: exit 3, one line" test "$rc" = 3 -a "$(printf '%s\n' "$out" | wc -l)" = 1
check "summary refused: says why" has "$out" "REFUSED"
check "summary refused: the table still on stderr" has "$err" "servicing stack folders the update holds"
run --summary repair --bogus
check "summary usage error: exit 3, one ERROR line" test "$rc" = 3 -a "${out%% *}" = ERROR
run --summary dir "$tmp"
check "summary other command: one line with the exit code" test "$rc" = 0 -a "$(printf '%s\n' "$out" | wc -l)" = 1
check "summary other command: DIR ... exit 0" has "$out" ": exit 0"
# An evidence text longer than the limit still yields one line of <= 2,048 bytes.
long=$(head -c 5000 /dev/zero | tr '\0' 'x')
run eval "local s = require 'sxsfix.summary'
  local l = s.line({ command = 'diagnose', verdict = 'suspected', system = { computer_name = 'PC\\nX' },
                     evidence = { { file = 'a.log', line = 1, signature = '$long' } } })
  io.write(#l, ' ', l:find('\\n') and 'nl' or 'one', ' ', l:sub(-3))"
check "summary clip: 2048 bytes, no newline, ends with ..." test "$out" = "2048 one ..."

# --- the event log -----------------------------------------------------------------
run eval 'local ok, reg = require("sxsfix.host").event("sxsfix", "info", 100, "sxsfix test event") print(ok, reg)'
if [ -n "$EMU" ]; then
  check "event: ReportEventW reports success under Wine" has "$out" "true"
  SXSFIX_TIMEOUT=120 run --root "$r" --log "$tmp/run.log" diagnose
  check "event: diagnose neither fails nor blocks" test "$rc" = 1
  check "event: no event-log failure in the run's log" sh -c "! grep -q 'event log:' '$tmp/run.log'"
  run reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\sxsfix' /v EventMessageFile
  check "event: the source is registered (re-read from the registry)" has "$out" "EventCreate.exe"
else
  check "event: POSIX has no event log (false)" test "$out" = "false	nil"
  run eval 'print(pcall(require("sxsfix.host").event, "sxsfix", "info", 1001, "x"))'
  check "event: an id past 1000 raises" has "$out" "1..1000"
  run eval 'local e = require "sxsfix.eventlog"
    local a, b = e.event({ command = "diagnose", verdict = "damaged" })
    local c, d = e.event({ command = "repair", exit_code = 3010, repair = { status = "repaired" } })
    print(a, b, c, d, e.event({ command = "dir" }))'
  check "event: ids and levels per verdict and status" test "$out" = "102	error	203	warning	nil"
fi

echo "identity: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
