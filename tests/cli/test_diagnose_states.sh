#!/usr/bin/env bash
# sxsfix diagnose on generated installations in each state it must tell
# apart: could not look (no --root, unreadable logs, a log not searched in
# full: a damaged cab member, a PCRE2 match limit) -> unknown, exit 5;
# partial damage (a key file deleted, an executable zero-filled or
# truncated, the registry naming a folder WinSxS has under another hash)
# -> damaged, exit 1, with each file and why; and repair restoring exactly
# the damaged files, then diagnosing healthy.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq iconv

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
SSU=$tmp/img/ssu/amd64-10.0.26100.5074
PAYLOAD=$SSU/payload/$STACK
fresh() { rm -rf "$tmp/$1"; cp -a "$tmp/img/root" "$tmp/$1"; echo "$tmp/$1"; }
fill_stack() { cp -p "$PAYLOAD/"* "$1/Windows/WinSxS/$STACK/"; }  # the 5074 stack intact
folder() { jqv ".servicing_stack.folders[] | select(.name == \"$1\")"; }

# Under Wine the cases below leave the registry step out (see lib.sh), after
# checking once that without that the verdict is indeed unknown, naming the
# registry. A disabled step is the user's choice, not a cause.
noreg_under_wine
if [ -n "$EMU" ]; then
  r=$(fresh winereg); fill_stack "$r"
  run --root "$r" --json - diagnose
  check "Wine: unreadable offline hive -> unknown, exit 5" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "unknown,5"
  check "Wine: the cause is the CBS\\Version key" test "$(jqv '[.unknown[].input] | index("registry") != null')" = true
fi

# --- damaged under --root: the next command to run keeps the --root ---------------
r=$(fresh next)
run --root "$r" "${CFG[@]}" diagnose
check "damaged: exit 1" test "$rc" = 1
check "damaged under --root: 'Then: sxsfix --root DIR repair ...', to copy as it is" \
  has "$out" "Then: sxsfix --root $r repair --ssu <that .msu> [--apply]"

# --- no --root on Linux: nothing to read, one line per cause, no traceback -------
if [ -z "$EMU" ]; then
  run diagnose
  check "no --root: exit 5" test "$rc" = 5
  check "no --root: UNKNOWN headline" has "$out" "UNKNOWN"
  check "no --root: says to give --root" has "$out" "give --root DIR"
  check "no --root: says 'give --root DIR' once, not once per input" test "$(grep -o 'give --root DIR' <<<"$out" | wc -l)" = 1
  check "no --root: no traceback" bash -c '! grep -q "traceback" <<<"$0$1"' "$out" "$err"
  run --json - diagnose
  check "no --root, json: verdict unknown, exit_code 5" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "unknown,5"
  check "no --root, json: the registry and WinSxS are causes" \
    test "$(jqv '[.unknown[].input] | (index("registry") != null) and (index("winsxs") != null)')" = true
  first=$(jqv '.unknown[0].message')
  check "no --root, json: the summary carries the first cause" has "$(jqv '.summary')" "$first"
  run --summary diagnose
  check "no --root, --summary: UNKNOWN and the first cause's message" test "${out%% *},${out#*build?: }" = "UNKNOWN,$first"
  long=$(head -c 5000 /dev/zero | tr '\0' 'y')
  run eval "local l = require('sxsfix.summary').line({ command = 'diagnose', verdict = 'unknown', system = {},
      unknown = { { input = 'logs:cbs', message = 'cbs.log: $long' }, { input = 'x', message = 'second' } } })
    io.write(#l, ' ', l:sub(1, 26), ' ', l:sub(-3))"
  check "unknown --summary: a long first cause is shortened to 2048 bytes" test "$out" = "2048 UNKNOWN ? build?: cbs.log: ..."
else
  echo "SKIP: no --root under Wine reads Wine's own live C:\\windows, not a missing system"
fi

# --- unreadable Panther logs, run unprivileged -------------------------------------
# As root: the folder belongs to root with mode 0700 and sxsfix runs as nobody.
# As another user: mode 0000 does the same.
if [ -n "$EMU" ]; then
  echo "SKIP: unreadable logs under Wine (POSIX permissions of an unprivileged user are a native test)"
elif [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null; then
  echo "SKIP: unreadable logs: running as root without setpriv(1) to drop privileges"
else
  unpriv() {
    if [ "$(id -u)" = 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups "$SXSFIX" "$@"
    else "$SXSFIX" "$@"; fi
  }
  run_unpriv() { unpriv "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
  chmod 755 "$tmp"
  r=$(fresh panther); fill_stack "$r"
  p="$r/\$WINDOWS.~BT/Sources/Panther"
  if [ "$(id -u)" = 0 ]; then chmod 700 "$p"; else chmod 000 "$p"; fi
  run_unpriv --root "$r" --json - diagnose
  check "unreadable Panther, intact stack: unknown, exit 5" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "unknown,5"
  check "unreadable Panther: the panther group is the cause" test "$(jqv '[.unknown[].input] | join(",")')" = "logs:panther"
  check "unreadable Panther: the hint is to run elevated" test "$(jqv '.unknown[0].hint')" = "run elevated (as Administrator, or as root)"
  check "unreadable Panther: the other logs were still searched" test "$(jqv '[.logs[] | select(.group == "dism") | .state] | .[0]')" = searched
  run_unpriv --root "$r" diagnose
  check "unreadable Panther, text: one line naming it, exit 5" \
    bash -c 'grep -q "cannot read the panther logs.*-> run elevated" <<<"$0" && [ "$1" = 5 ]' "$out" "$rc"
  run_unpriv --root "$r" repair --ssu "$SSU/payload" --apply
  check "repair when unknown and nothing proven damaged: refused, exit 3" test "$rc" = 3
  check "the refusal names the cause" has "$err" "cannot read the panther logs"
  r=$(fresh panther2)
  if [ "$(id -u)" = 0 ]; then chmod 700 "$r/\$WINDOWS.~BT/Sources/Panther"; else chmod 000 "$r/\$WINDOWS.~BT/Sources/Panther"; fi
  run_unpriv --root "$r" --json - diagnose
  check "unreadable Panther, empty stack folder: damaged wins, exit 1" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "damaged,1"
  check "damaged, yet the unread logs are still listed" test "$(jqv '.unknown | length')" = 1
  chmod 755 "$r/\$WINDOWS.~BT/Sources/Panther" "$tmp/panther/\$WINDOWS.~BT/Sources/Panther"
fi

# --- a log that cannot be searched in full: a damaged cab member -------------------
r=$(fresh badcab); fill_stack "$r"
cab=$(ls "$r/Windows/Logs/CBS/"CbsPersist_*.cab)
seq 1 100000 | sed 's/^/2024-10-08 10:00:00, Info CBS Exec: line /' >"$tmp/CbsPersist_big.log"
(cd "$tmp" && gcab -c -z "$cab" CbsPersist_big.log)
size=$(stat -c %s "$cab")
printf 'DAMAGED-BYTES-%.0s' {1..16} | dd of="$cab" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run --root "$r" --json - "${CFG[@]}" diagnose
check "damaged cab member, intact stack: unknown, exit 5" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "unknown,5"
check "the cbs group was not fully searched" test "$(jqv '[.logs[] | select(.group == "cbs") | .state] | .[0]')" = incomplete
check "the cause names the cab" test "$(jqv '[.unknown[] | select(.input == "logs:cbs") | .message | test("CbsPersist_.*\\.cab")] | any')" = true
run --root "$r" "${CFG[@]}" diagnose
check "text: the cause in one line, no traceback" bash -c 'grep -q "the cbs logs were not fully searched" <<<"$0" && ! grep -q traceback <<<"$0$1"' "$out" "$err"

# --- a search error: a line a pattern cannot be run to completion on (PCRE2 limit) ---
r=$(fresh pcrelimit); fill_stack "$r"
printf '%sError: ab\r\n' "$(printf 'a%.0s' $(seq 40))" >>"$r/Windows/Logs/DISM/dism.log"
cat >"$tmp/slow.lua" <<'EOF2'
signatures = { add = { { id = "site-backtrack", meaning = "a pattern that backtracks", text = "(a|aa)+b", logs = { "dism" } } } }
EOF2
[ -z "$EMU" ] || printf 'disable = { "registry-stacks" }\n' >>"$tmp/slow.lua"
run --root "$r" --config "$tmp/slow.lua" --json - diagnose
check "a PCRE2 match limit in dism.log, intact stack: unknown, exit 5" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "unknown,5"
check "the cause names the file, line and pattern" \
  test "$(jqv '[.unknown[] | select(.input == "logs:dism") | .message | test("dism\\.log:[0-9]+: pattern .\\(a\\|aa\\)\\+b.: match limit")] | any')" = true
sed -i '$d' "$r/Windows/Logs/DISM/dism.log"
run --root "$r" --config "$tmp/slow.lua" --json - diagnose
check "the same without that line: not unknown (the check above can fail)" test "$(jqv '.verdict')" = suspected

# --- a log group that does not exist is not a failure -----------------------------
r=$(fresh nobt); fill_stack "$r"
rm -rf "$r/\$WINDOWS.~BT" "$r/Windows/Logs/SetupDiag"
run --root "$r" --json - "${CFG[@]}" diagnose
check "no \$WINDOWS.~BT: not present, and the verdict is not unknown" \
  test "$(jqv '([.logs[] | select(.group == "panther") | .state] | .[0]) + "," + .verdict')" = "not present,suspected"

# --- partial damage: each case is damaged, names the file, and repair restores it ---
# repair_case NAME WHAT: diagnose (damaged, exit 1, problem names FILE), repair
# with the expanded SSU, check that the plan replaces exactly FILES, then
# diagnose healthy.
repair_case() {  # repair_case ROOT LABEL FOLDER "FILES..."
  local r=$1 label=$2 name=$3 files=$4
  run --root "$r" --json - "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu"
  check "$label: repair plans exactly the damaged file(s)" \
    test "$(jqv "[.repair.plan[] | select(.folder == \"$name\" and .action != \"same\" and .type == \"file\") | .path] | sort | join(\" \")")" = "$files"
  run --root "$r" --json - "${CFG[@]}" repair "${SXT[@]}" --ssu "$APPLY" --apply ${SEC[@]+"${SEC[@]}"}
  check "$label: repair --apply exits 0, then healthy" test "$rc,$(jqv '.verdict_before + ">" + .verdict')" = "0,damaged>healthy"
  check "$label: the folder equals the update's" diff -r "$PAYLOAD" "$r/Windows/WinSxS/$name"
}
SEC=()
[ -z "$EMU" ] || SEC=(--security source)  # Wine keeps no descriptors (see test_repair.sh)
clean_logs() { rm -f "$1/\$WINDOWS.~BT/Sources/Panther/"* "$1/Windows/Logs/DISM/"* "$1/Windows/Logs/CBS/"* "$1/Windows/Logs/SetupDiag/"*; }
SXT=(--trust "$tmp/img/ca/ca.pem")   # the sample's updates are signed by its test CA
APPLY=$SSU/windows11.0-kb5043080-x64.msu
[ -z "$EMU" ] || APPLY=$SSU/windows10.0-kb5043080-x64.msu  # test_repair.sh covers the WIM-based .msu under Wine

r=$(fresh nocbscore); fill_stack "$r"; clean_logs "$r"
rm "$r/Windows/WinSxS/$STACK/cbscore.dll"
run --root "$r" --json - "${CFG[@]}" diagnose
check "cbscore.dll deleted: damaged, exit 1" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "damaged,1"
check "cbscore.dll deleted: incomplete, key file missing" \
  test "$(folder "$STACK" | jq -r '.state + ":" + ([.problems[] | .file + "=" + .problem] | join(";"))')" = "incomplete:cbscore.dll=key file missing"
run --root "$r" "${CFG[@]}" diagnose
check "text: INCOMPLETE with the file and why" bash -c 'grep -q "INCOMPLETE .*'"$STACK"'" <<<"$0" && grep -q "cbscore.dll: key file missing" <<<"$0"' "$out"
check "text: the exact update to get" has "$out" "Needed: x64, build 26100, servicing stack 10.0.26100.5074."
check "text: where Microsoft ships it" has "$out" "inside the monthly cumulative update (LCU) .msu"
check "text: what its KB article lists" has "$out" '"Servicing stack update (KB...) - 26100.5074"'
check "text: the catalog search" has "$out" 'search "Cumulative Update for Windows 11'

r=$(fresh zeroed); fill_stack "$r"; clean_logs "$r"
f="$r/Windows/WinSxS/$STACK/TiWorker.exe"
size=$(stat -c %s "$f"); mtime=$(stat -c %Y "$f")
head -c "$size" /dev/zero >"$f.new" && cat "$f.new" >"$f" && rm "$f.new" && touch -d "@$mtime" "$f"
check "TiWorker.exe zero-filled keeps its size and time" test "$(stat -c %s,%Y "$f")" = "$size,$mtime"
run --root "$r" --json - "${CFG[@]}" diagnose
check "TiWorker.exe zero-filled: damaged, exit 1" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "damaged,1"
check "TiWorker.exe zero-filled: the problem says zeros" \
  test "$(folder "$STACK" | jq -r '.state + ":" + (.problems[0].file) + ":" + (.problems[0].problem | test("zero") | tostring)')" = "incomplete:TiWorker.exe:true"

r2=$(fresh truncated); fill_stack "$r2"; clean_logs "$r2"
truncate -s 100 "$r2/Windows/WinSxS/$STACK/wcp.dll"
run --root "$r2" --json - "${CFG[@]}" diagnose
check "wcp.dll truncated to 100 bytes: damaged, exit 1" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "damaged,1"
check "wcp.dll truncated: the problem says truncated" \
  test "$(folder "$STACK" | jq -r '(.problems | length | tostring) + ":" + .problems[0].file + ":" + (.problems[0].problem | test("^truncated: 100 bytes") | tostring)')" = "1:wcp.dll:true"

repair_case "$r" "TiWorker.exe zero-filled" "$STACK" "TiWorker.exe"
repair_case "$r2" "wcp.dll truncated" "$STACK" "wcp.dll"
r=$(fresh nocbscore2); fill_stack "$r"; clean_logs "$r"
rm "$r/Windows/WinSxS/$STACK/cbscore.dll"
repair_case "$r" "cbscore.dll deleted" "$STACK" "cbscore.dll"

# --- the registry names a folder WinSxS has under another hash ----------------------
if [ -z "$EMU" ]; then
  r=$(fresh rehash); fill_stack "$r"; clean_logs "$r"
  renamed=${STACK%_*}_0123456789abcdef
  mv "$r/Windows/WinSxS/$STACK" "$r/Windows/WinSxS/$renamed"
  run --root "$r" --json - diagnose
  check "registry names a missing folder, same version elsewhere: damaged, exit 1" \
    test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "damaged,1"
  check "the registry entry is missing and names the other folder" \
    test "$(jqv '.servicing_stack.registry[] | select(.version == "10.0.26100.5074") | .state + ":" + .problems[0].file')" = "missing:$renamed"
  check "the damaged reason says another name" test "$(jqv '.servicing_stack.damaged[0].reason | test("under another name")')" = true
  repair_case "$r" "renamed folder" "$STACK" "$(ls "$PAYLOAD" | sort | tr '\n' ' ' | sed 's/ $//')"
else
  echo "SKIP: registry naming a renamed folder under Wine (needs the offline hive)"
fi

echo "diagnose states: $passed passed, $failed failed"
[ "$failed" = 0 ]
