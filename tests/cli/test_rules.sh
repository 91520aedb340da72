#!/usr/bin/env bash
# The neighbouring failures (sxsfix.rules) and the update table
# (sxsfix.updates): every rule found in a log that holds its signature and
# in no other; the verdict unchanged by any rule; rules and rows as data
# (exported, edited with --scripts, added and disabled with --config,
# refused without a source); the KB named in diagnose's hint, in --json,
# in the repair's refusal and in the fleet report; "no row" otherwise.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq iconv
export TMPDIR=$tmp/t TMP=$tmp/t TEMP=$tmp/t
mkdir -p "$TMPDIR"
noreg_under_wine
sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
T="2024-10-08 10:06:48"

# One log per rule, with a line each of its signatures matches (CRLF, as Windows writes).
logline() { printf '%s, %-21s %-6s %s\r\n' "$T" "$1" "$2" "$3"; }
mk() {  # mk RULE FILE COMPONENT TEXT
  mkdir -p "$tmp/rules/$1"
  { logline Info SP "Operation started"; logline Error "$3" "$4"; logline Info SP "done"; } >"$tmp/rules/$1/$2"
}
mk driver-migration-other-error setupact.log SP "Operation failed: Process Drivers for Migration. Error: 0x80070005[gle=0x00000005]"
mk dism-image-session-failure setupact.log SP "CSetBootCommand::DoExecute: Failed to open new OS DISM session. Error: 0x80040154[gle=0x0000007a]"
mk safeos-driver-0x80070003-0x20007 setuperr.log MOUPG "SetupHost: reported failure 0x80070003 - 0x20007"
mk partition-0x80070002-0x20009 setuperr.log MOUPG "SetupHost: reported failure 0x80070002 - 0x20009"
mk disk-space setupact.log MOUPG "MoSetupPlatform: Using action error code: [0x80070070]"
mk rollback setupact.log SP "ExecuteOperations: Main operation execution failed. Error: 0x8007000D"
mk component-store-corrupt CBS.log CSI "(F) STATUS_SXS_COMPONENT_STORE_CORRUPT #62038# from CCSDirectTransaction::OperateEnding"
mk restorehealth-source-missing dism.log DISM "Failed to restore the image health. - CPackageManagerCLIHandler::ProcessCmdLine_CleanupImage(hr:0x800f081f)"
mk driver-update-rollback CBS.log CBS "Startup: Rolling back KTM, because drivers failed."
mkdir -p "$tmp/rules/setupdiag-result"
printf 'Matching Profile found: DiskSpaceBlockInDownLevel - 6080AFAC-892E-4903-94EA-7A17E69E549E\r\n' >"$tmp/rules/setupdiag-result/SetupDiagResults.log"

ids=$(lua5.4 - "$SXSFIX_SOURCE" <<'EOF'
package.path = arg[1] .. "/lua/?.lua;" .. package.path
for _, r in ipairs(require "sxsfix.rules") do print(r.id) end
EOF
)
check "every built-in rule has a test log here" \
  test "$(sort <<<"$ids" | tr '\n' ' ')" = "$(ls "$tmp/rules" | sort | tr '\n' ' ')"
for id in $ids; do
  run --json - diagnose --logs "$tmp/rules/$id"
  check "$id: named, and no other rule" test "$(jqv '[.rules[].id] | join(",")'):$(jqv .rule.id)" = "$id:$id"
  check "$id: the rule's source is a URL" test "$(jqv '.rule.source | test("^https://")')" = true
  check "$id: the verdict is the failure's own (healthy: none of its signatures)" test "$(jqv .verdict)" = healthy
done
run diagnose --logs "$tmp/rules/disk-space"
check "text: 'Not this failure', the meaning, what to do and the source" \
  bash -c 'grep -q "^Not this failure" <<<"$1" && grep -q "0x80070070" <<<"$1" && grep -q "what to do: free space" <<<"$1" && grep -q "source: https://learn.microsoft.com/" <<<"$1"' _ "$out"

# 0x80070003 itself at the driver migration is this failure, not a neighbour.
mk this-failure setupact.log SP "Operation failed: Process Drivers for Migration. Error: 0x80070003[gle=0x00000003]"
run --json - diagnose --logs "$tmp/rules/this-failure"
check "0x80070003 at the driver migration: suspected, no neighbour" \
  test "$(jqv .verdict):$(jqv '.rules | length')" = "suspected:0"

# The verdict never changes: a damaged installation with every rule's line in its logs.
rm -rf "$tmp/all" && cp -a "$tmp/img/root" "$tmp/all"
p="$tmp/all/\$WINDOWS.~BT/Sources/Panther"
run --root "$tmp/all" "${CFG[@]}" --json - diagnose
before=$(jqv '[.verdict, (.servicing_stack.damaged | map(.name) | join(",")), (.evidence | length)] | join(" ")')
for id in driver-migration-other-error dism-image-session-failure disk-space rollback; do
  sed -n 2p "$tmp/rules/$id/setupact.log" >>"$p/setupact.log"
done
cat "$tmp/rules/component-store-corrupt/CBS.log" >>"$tmp/all/Windows/Logs/CBS/CBS.log"
cat "$tmp/rules/restorehealth-source-missing/dism.log" >>"$tmp/all/Windows/Logs/DISM/dism.log"
run --root "$tmp/all" "${CFG[@]}" --json - diagnose
check "damaged installation with neighbours' lines: the same verdict, folders and evidence" \
  test "$(jqv '[.verdict, (.servicing_stack.damaged | map(.name) | join(",")), (.evidence | length)] | join(" ")')" = "$before"
check "damaged installation: the neighbours are listed too" \
  test "$(jqv '[.rules[].id] | sort | join(",")')" = "component-store-corrupt,disk-space,dism-image-session-failure,driver-migration-other-error,restorehealth-source-missing,rollback,setupdiag-result"
run --root "$tmp/all" "${CFG[@]}" diagnose
check "text: 'Also in the logs' beside a damaged verdict" has "$out" "Also in the logs (sxsfix.rules):"

# --- rules as data ------------------------------------------------------------------
run scripts export "$tmp/set"
check "scripts export: rules.lua, updates.lua and the new modules" \
  bash -c 'for f in rules updates kb neighbours collected diagtext; do test -f "$1/sxsfix/$f.lua" || exit 1; done' _ "$tmp/set"
sed -i 's/the system drive does not have enough free space/EDITED MEANING/' "$tmp/set/sxsfix/rules.lua"
run --scripts "$tmp/set" --json - diagnose --logs "$tmp/rules/disk-space"
check "--scripts: an edited rule is used" test "$(jqv '.rule.meaning | startswith("EDITED MEANING")')" = true
cat >"$tmp/add.lua" <<'EOF'
rules = {
  disable = { "disk-space" },
  add = { { id = "site-rule", phase = "downlevel", meaning = "our own", fix = "call the desk", tool = "phone",
            source = "https://intranet.example/kb/1", signatures = { { text = "Using action error code", fixed = true, logs = { "panther" } } } } },
}
EOF
run --config "$tmp/add.lua" --json - diagnose --logs "$tmp/rules/disk-space"
check "--config rules.add / disable" test "$(jqv '[.rules[].id] | join(",")')" = site-rule
cat >"$tmp/nosource.lua" <<'EOF'
rules = { add = { { id = "unsourced", phase = "x", meaning = "x", fix = "x", tool = "x",
                    signatures = { { text = "x", fixed = true, logs = { "panther" } } } } } }
EOF
run --config "$tmp/nosource.lua" --json - diagnose --logs "$tmp/rules/disk-space"
check "a rule without a source is refused, saying so" test "$(jqv '.steps[] | select(.id == "neighbours") | .ok')" = false
check "a rule without a source: the message names it" has "$(jqv '.steps[] | select(.id == "neighbours") | .error')" "rule unsourced needs source"

# --- the update to download, by name ---------------------------------------------------
# The built-in table's rows all come from Microsoft pages; none names the sample's
# 10.0.26100.5074, so diagnose, the refusal and the fleet report say there is no row.
r=$tmp/img/root
ssu51=$tmp/img/ssu/amd64-10.0.26100.5100/windows10.0-kb5044284-x64.msu
run --root "$r" "${CFG[@]}" diagnose
check "no row: diagnose says so" has "$out" "sxsfix's update table has no row for servicing stack 10.0.26100.5074: search the Catalog"
check "no row: the Catalog search is still given" has "$out" "Microsoft Update Catalog"
run --root "$r" "${CFG[@]}" --json "$tmp/pc0.json" diagnose
check "no row: json has no kb" test "$(jq -r '.servicing_stack.damaged[0] | has("kb")' "$tmp/pc0.json")" = false
mkdir -p "$tmp/fleet0" && jq '.system.computer_name //= "PC-0141"' "$tmp/pc0.json" >"$tmp/fleet0/pc0.json"
run report "$tmp/fleet0"
check "no row: the fleet download list says so" \
  bash -c 'grep -q "10.0.26100.5074 x64 .*no row in the update table: search the Catalog" <<<"$1"' _ "$out"
rm -rf "$tmp/ref" && cp -a "$tmp/img/root" "$tmp/ref"
run --root "$tmp/ref" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$ssu51" --apply
check "repair refusal: exit 3, the reason as before" test "$rc:$(has "$err" "10.0.26100.5100" && echo y)" = "3:y"
check "no row: the refusal says so and points at the Catalog" \
  has "$err" "no row for servicing stack 10.0.26100.5074: search the Microsoft Update Catalog"

# A row for it, added with --scripts, names the update in all three, with its source.
cat >"$tmp/set/sxsfix/updates.lua" <<'EOF'
return { { version = "10.0.26100.5074", release = "Windows 11, version 24H2", ssu = "KB9000001", lcu = "KB9000002",
           os_build = "26100.9999", date = "2025-01-14", source = "https://intranet.example/updates/ssu" } }
EOF
S=(--scripts "$tmp/set")
run "${S[@]}" --root "$r" "${CFG[@]}" diagnose
check "row: the hint names the cumulative update and the SSU" \
  has "$out" "Download: cumulative update KB9000002 (2025-01-14, OS build 26100.9999), which carries servicing stack update KB9000001 = 10.0.26100.5074."
check "row: a source off Microsoft's domains is marked" \
  has "$out" "Source of this row: https://intranet.example/updates/ssu (not a Microsoft page: check the KB article)"
check "row: the Catalog search for the cumulative update" has "$out" "Search.aspx?q=KB9000002"
run "${S[@]}" --root "$r" "${CFG[@]}" --json "$tmp/pc1.json" diagnose
check "json: servicing_stack.damaged[].kb" \
  test "$(jq -r '.servicing_stack.damaged[0].kb | [.ssu, .lcu, .os_build, .date, .source_kind] | join(" ")' "$tmp/pc1.json")" = "KB9000001 KB9000002 26100.9999 2025-01-14 other"
# (under Wine the offline SYSTEM hive, and so the computer's name, cannot be read: named here)
mkdir -p "$tmp/fleet" && jq '.system.computer_name //= "PC-0142"' "$tmp/pc1.json" >"$tmp/fleet/pc1.json"
run "${S[@]}" report "$tmp/fleet"
check "fleet report: the download list names the update" \
  bash -c 'grep -q "10.0.26100.5074 x64 .*KB9000001 (in cumulative update KB9000002, 2025-01-14)" <<<"$1"' _ "$out"
run "${S[@]}" report --format json "$tmp/fleet"
check "fleet json: needed[].kb" test "$(jqv '.needed[0].kb.ssu')" = KB9000001
rm -rf "$tmp/ref" && cp -a "$tmp/img/root" "$tmp/ref"
run "${S[@]}" --root "$tmp/ref" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$ssu51" --apply
check "row: the refusal names the update that carries 10.0.26100.5074" \
  has "$err" "servicing stack 10.0.26100.5074 is in KB9000001 (in cumulative update KB9000002, 2025-01-14)"

# Hostile rows: refused, naming the row and what was expected.
printf 'return { { version = "10.0.26100.5074", ssu = "KB1", date = "2025-01-01" } }\n' >"$tmp/set/sxsfix/updates.lua"
run "${S[@]}" --root "$r" "${CFG[@]}" diagnose
check "a row without a source is refused, saying so" has "$out$err" "row 1 (10.0.26100.5074) needs source"
printf 'return { { version = "10.0.26100.5074", date = "2025-01-01", source = "https://support.microsoft.com/x" } }\n' >"$tmp/set/sxsfix/updates.lua"
run "${S[@]}" --root "$r" "${CFG[@]}" diagnose
check "a row without a KB is refused, saying so" has "$out$err" "row 1 (10.0.26100.5074) needs ssu or lcu"

echo "rules: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
