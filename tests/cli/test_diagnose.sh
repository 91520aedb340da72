#!/usr/bin/env bash
# sxsfix diagnose end to end on generated installations (scripts/sample-image.sh):
# verdicts, evidence, exit codes, JSON, settings, case-mismatched trees,
# UTF-16 logs, rotated cabs, real unrelated logs and resolved history.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq iconv

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
noreg_under_wine
fresh() {  # fresh NAME: a copy of the broken root
  rm -rf "$tmp/$1"; cp -a "$tmp/img/root" "$tmp/$1"; echo "$tmp/$1"
}
fill_stack() {  # make the 5074 stack folder intact
  cp "$tmp/img/ssu/amd64-10.0.26100.5074/payload/$STACK/"* "$1/Windows/WinSxS/$STACK/"
}

# --- broken installation -----------------------------------------------------
r=$(fresh broken)
run --root "$r" "${CFG[@]}" diagnose
check "broken: exit 1" test "$rc" = 1
check "broken: verdict line" has "$out" "DAMAGED"
check "broken: names the empty folder" has "$out" "$STACK"
check "broken: evidence with file:line" grep -qE 'setupact\.log:[0-9]+  \[driver-migration-failed\]' <<<"$out"

run --root "$r" "${CFG[@]}" --json - diagnose
check "json: parses, verdict damaged" test "$(jqv .verdict)" = damaged
check "json: tool, command and exit_code" test "$(jqv '[.tool, .command, .exit_code] | join(",")')" = "sxsfix,diagnose,1"
check "json: evidence fields" test "$(jqv '.evidence[0] | [has("signature"), has("file"), has("line"), has("text")] | all')" = true
check "json: the bind failure is evidence" test "$(jqv '[.evidence[].signature] | index("servicing-stack-bind-failed") != null')" = true
check "json: a signature found only inside the CbsPersist cab" \
  test "$(jqv '[.evidence[] | select(.signature == "cbs-worker-session") | .file | test("CbsPersist_.*\\.cab:")] | any')" = true
if [ -n "$EMU" ]; then
  echo "SKIP: registry checks: Wine's RegLoadAppKeyW is a stub, so offline hives cannot be read under Wine"
else
  check "json: registry versions with paths" test "$(jqv '.servicing_stack.registry | map(.version) | join(",")')" = "10.0.26100.4652,10.0.26100.5074"
fi
check "json: folder states" test "$(jqv ".servicing_stack.folders[] | select(.name == \"$STACK\") | .state")" = empty
check "json: the oobe.xml line is not evidence" test "$(jqv '[.evidence[].text | test("oobe.xml")] | any')" = false

# --- case-mismatched tree (a mounted NTFS is case-sensitive underneath) --------
r=$(fresh lower)
mv "$r/Windows" "$r/windows" && mv "$r/windows/WinSxS" "$r/windows/winsxs" && mv "$r/windows/Logs" "$r/windows/LOGS"
mv "$r/windows/System32" "$r/windows/system32" && mv "$r/windows/system32/config/SOFTWARE" "$r/windows/system32/config/software"
run --root "$r" "${CFG[@]}" --json - diagnose
check "case-mismatched tree: still damaged" test "$(jqv '.verdict')" = damaged
[ -n "$EMU" ] || check "case-mismatched tree: the hive is read" test "$(jqv '.servicing_stack.registry | length')" = 2
check "case-mismatched tree: logs found" test "$(jqv '.evidence | length')" -ge 5

# --- UTF-16LE logs ---------------------------------------------------------------
r=$(fresh utf16)
fill_stack "$r"
p="$r/\$WINDOWS.~BT/Sources/Panther"
for f in setupact.log setuperr.log; do
  { printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE <"$p/$f"; } >"$p/$f.16" && mv "$p/$f.16" "$p/$f"
done
rm -f "$r/Windows/Logs/DISM/dism.log" "$r/Windows/Logs/CBS/"*.cab "$r/Windows/Logs/SetupDiag/"*
run --root "$r" "${CFG[@]}" --json - diagnose
check "UTF-16LE setupact.log: evidence found" test "$(jqv '[.evidence[].signature] | index("driver-migration-failed") != null')" = true
check "intact stack with signatures: suspected, exit 1" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "suspected,1"

# --- intact stack, only unrelated 0x80070003 lines from real logs -----------------
r=$(fresh real)
fill_stack "$r"
rm -f "$r/\$WINDOWS.~BT/Sources/Panther/"* "$r/Windows/Logs/DISM/"* "$r/Windows/Logs/CBS/"* "$r/Windows/Logs/SetupDiag/"*
td=${SXSFIX_TESTDATA:-}
if [ -n "$td" ] && [ -d "$td/logs" ]; then
  # MOUPG's ExecuteDiagnosticAnalysis, AppxProvider and msoobe's oobe.xml: all 0x80070003, none of them this failure
  cp "$td/logs/copyleft21_setupact.log" "$r/\$WINDOWS.~BT/Sources/Panther/setupact.log"
  cp "$td/logs/copyleft21_setuperr.log" "$r/\$WINDOWS.~BT/Sources/Panther/setuperr.log"
  cp "$td/logs/VitalSkib_windeploy_setupact.log" "$r/\$WINDOWS.~BT/Sources/Panther/MoSetupDiag.log"
  cp "$td/logs/Appostarsi_WinErros/dism.log" "$r/Windows/Logs/DISM/dism.log"
  cp "$td/logs/hofcake_CBS.log" "$r/Windows/Logs/CBS/CBS.log"
  n=$(cat "$r/\$WINDOWS.~BT/Sources/Panther/"* "$r/Windows/Logs/DISM/dism.log" | grep -a -c 0x80070003)
  run --root "$r" "${CFG[@]}" --json - diagnose
  check "real logs with $n unrelated 0x80070003 lines: healthy, exit 0" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "healthy,0"
  check "the real logs hold 0x80070003 at all (the check above can fail)" test "$n" -gt 0
else
  echo "SKIP: real logs in ../shared/testdata are absent"
fi

# --- resolved history -------------------------------------------------------------
r=$(fresh repaired)
fill_stack "$r"
mkdir -p "$r/ProgramData/sxsfix"
printf '2024-10-09 09:00:00 repaired %s\n' "$STACK" >"$r/ProgramData/sxsfix/repairs.log"
run --root "$r" "${CFG[@]}" --json - diagnose
check "after a repair, older evidence is history: healthy" test "$(jqv '.verdict')" = healthy
check "the history lists the old lines" test "$(jqv '.history | length')" -ge 5

# --- settings ------------------------------------------------------------------
r=$(fresh cfg)
printf 'disable = { "registry-stacks", "winsxs-stacks" }\n' >"$tmp/nostack.lua"
run --root "$r" --config "$tmp/nostack.lua" --json - diagnose
check "a config that disables the stack steps: suspected" test "$(jqv '.verdict')" = suspected
check "disabled steps are reported" test "$(jqv '[.steps[] | select(.skipped)] | length')" = 2
# The damaged-folder rule and the verdict are steps: a site's hooks change them.
cat >"$tmp/hooks.lua" <<'EOF'
hooks = { after = {
  damaged = function(ctx, folders)  -- this stack is restored by other means here
    for i = #folders, 1, -1 do
      if folders[i].name:find("10.0.26100.5074", 1, true) then table.remove(folders, i) end
    end
  end,
  verdict = function(ctx, v) if v.verdict == "suspected" then v.verdict = "healthy" end end,
} }
EOF
[ -z "$EMU" ] || printf 'disable = { "registry-stacks" }\n' >>"$tmp/hooks.lua"
run --root "$r" "${CFG[@]}" --json - diagnose
check "without hooks: damaged" test "$(jqv '.verdict')" = damaged
run --root "$r" --config "$tmp/hooks.lua" --json - diagnose
check "a hook after the damaged step drops a folder" test "$(jqv '.servicing_stack.damaged | length')" = 0
check "a hook after the verdict step changes it: healthy, exit 0" test "$(jqv '.verdict'),$rc" = healthy,0
check "the damaged and verdict steps are reported" \
  test "$(jqv '[.steps[] | select((.id == "damaged" or .id == "verdict") and .ok)] | length')" = 2
fill_stack "$r"
rm -f "$r/\$WINDOWS.~BT/Sources/Panther/"* "$r/Windows/Logs/DISM/"* "$r/Windows/Logs/CBS/"* "$r/Windows/Logs/SetupDiag/"*
printf '2024-10-10 08:00:00, Error  SITE   custom agent: upgrade blocked\n' >"$r/Windows/Logs/DISM/dism.log"
run --root "$r" "${CFG[@]}" --json - diagnose
check "no evidence, intact stack: healthy" test "$(jqv '.verdict')" = healthy
cat >"$tmp/addsig.lua" <<'EOF'
signatures = { add = { { id = "site-block", meaning = "our agent blocked it",
  text = "custom agent: upgrade blocked", fixed = true, logs = { "dism" } } } }
EOF
[ -z "$EMU" ] || printf 'disable = { "registry-stacks" }\n' >>"$tmp/addsig.lua"
run --root "$r" --config "$tmp/addsig.lua" --json - diagnose
check "a config that adds a signature finds it" test "$(jqv '.evidence[0].signature + "," + .verdict')" = "site-block,suspected"
printf 'signatures = { ad = {} }\n' >"$tmp/typo.lua"
run --root "$r" --config "$tmp/typo.lua" diagnose
check "an unknown setting exits 3" test "$rc" = 3
check "the unknown setting is named" has "$err" "signatures.ad"

# --- progress on a terminal, silence otherwise -------------------------------------
r=$(fresh progress)
run --root "$r" "${CFG[@]}" diagnose
check "no progress lines when stderr is not a terminal" test -z "$err"
if [ -z "$EMU" ] && command -v script >/dev/null; then
  script -qec "'$SXSFIX' --root '$r' diagnose 2>&1 >/dev/null" /dev/null >"$tmp/tty" </dev/null
  check "progress lines on a terminal" grep -q "sxsfix: search the setup, DISM and CBS logs" "$tmp/tty"
else
  echo "SKIP: progress on a terminal (needs script(1) and a native build)"
fi

# --- the example upgrade-prep script composes the diagnosis ------------------------
run scripts export "$tmp/set"
run --root "$r" "${CFG[@]}" --json - run "$tmp/set/examples/upgrade-prep.lua"
check "example: exit 1 on the broken installation" test "$rc" = 1
check "example: its checks reach the JSON report" \
  test "$(jqv '[.checks[] | select(.id == "servicing-stack") | .ok] | .[0]')" = false
fill_stack "$r"
rm -f "$r/\$WINDOWS.~BT/Sources/Panther/"* "$r/Windows/Logs/DISM/"* "$r/Windows/Logs/CBS/"* "$r/Windows/Logs/SetupDiag/"*
if [ -z "$EMU" ]; then
  run --root "$r" "${CFG[@]}" run "$tmp/set/examples/upgrade-prep.lua"
  check "example: exit 0 once the installation is healthy" test "$rc" = 0
else
  echo "SKIP: example on a healthy offline installation: Wine's RegLoadAppKeyW is a stub (the registry check cannot pass)"
fi

echo "diagnose: $passed passed, $failed failed"
[ "$failed" = 0 ]
