#!/usr/bin/env bash
# sxsfix diagnose --logs DIR: logs collected from another machine, in any
# layout, zipped or not: the same evidence as on the machine itself, the
# stack checks said to be unavailable once, and hostile collections (zip
# traversal names, a zip bomb, links, huge logs, deep trees) bounded with
# one-line errors. The real log folders of ../shared/testdata/logs are
# read in place.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq iconv python3
export TMPDIR=$tmp/t TMP=$tmp/t TEMP=$tmp/t  # the private work folders zips are expanded into
mkdir -p "$TMPDIR"
noreg_under_wine
# The lines sxsfix wrote (Wine adds its own fixme/err lines to stderr).
errlines() { grep -cvE '^[0-9a-f]{4}:(fixme|err|warn|trace):' <<<"$err"; }
# Where sxsfix makes its temporary folders (under Wine: the prefix's Temp),
# and how many zip work folders are left there.
troot=$(sx eval 'local fs = require "sxsfix.fs"; local d = fs.tempdir("sxsfix-probe"); io.write(fs.dirname(d)); fs.rmtree(d)' 2>/dev/null | tr -d '\r')
if [ -n "$EMU" ]; then troot=$(winepath -u "$troot" 2>/dev/null | tr -d '\r'); fi
leftover() { find "$troot" -maxdepth 1 -name 'sxsfix-logs-*' 2>/dev/null | wc -l; }
check "the temporary folder is found" test -d "$troot"

# --- the same evidence as on the machine itself -----------------------------
sample_image "$tmp/img"
r=$tmp/img/root
run --root "$r" "${CFG[@]}" --json - diagnose
check "the machine itself: damaged, with evidence" test "$(jqv .verdict)" = damaged
sig() { jq -r '[.evidence[] | "\(.signature) \(.file | sub(".*[\\\\/:]"; "")) \(.line) \(.text)"] | sort | .[]' <<<"$out"; }
want=$(sig)
check "the machine itself: several signatures" test "$(wc -l <<<"$want")" -ge 4

# Another layout: a flat folder and one nested in renamed folders.
c=$tmp/collected
mkdir -p "$c/PC-0142/bt-panther" "$c/PC-0142/logs/dism" "$c/PC-0142/logs/cbs/old" "$c/PC-0142/sd"
cp "$r/\$WINDOWS.~BT/Sources/Panther/"* "$c/PC-0142/bt-panther/"
cp "$r/Windows/Logs/DISM/dism.log" "$c/PC-0142/logs/dism/"
cp "$r/Windows/Logs/CBS/CBS.log" "$c/PC-0142/logs/cbs/"
cp "$r/Windows/Logs/CBS/"*.cab "$c/PC-0142/logs/cbs/old/"
cp "$r/Windows/Logs/SetupDiag/SetupDiagResults.xml" "$c/PC-0142/sd/"
run --json - diagnose --logs "$c"
check "collected: exit 1 (suspected: the stack cannot be checked)" test "$rc" = 1
check "collected: verdict suspected" test "$(jqv .verdict)" = suspected
check "collected: the same evidence lines as on the machine" test "$(sig)" = "$want"
check "collected: the stack steps say why they did not run" \
  test "$(jqv '[.steps[] | select(.id == "registry-stacks" or .id == "winsxs-stacks") | .summary] | unique | join(",")')" = "not available from collected logs"
check "collected: json names the collection and its logs" \
  test "$(jqv '.collected.files | map(.group) | sort | unique | join(",")')" = "cbs,dism,panther,setupdiag"
check "collected: the report does not claim this machine's name or build" \
  test "$(jqv '[.system.computer_name, .system.build] | map(. == null) | all'):$(jqv '.system.errors[0] | contains("another machine")')" = "true:true"
run diagnose --logs "$c"
check "collected: the text says 'not available from collected logs' once" \
  test "$(grep -c 'not available from collected logs' <<<"$out")" = 1
check "collected: no registry or WinSxS section" bash -c '! grep -q "in the registry:" <<<"$1"' _ "$out"

# Zipped, with the logs one folder down.
if command -v zip >/dev/null; then
  (cd "$tmp" && zip -qr "$tmp/logs.zip" collected)
else
  python3 -c 'import shutil,sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2], "collected")' "$tmp/logs" "$tmp"
fi
run --json - diagnose --logs "$tmp/logs.zip"
check "zip: exit 1, suspected" test "$rc:$(jqv .verdict)" = "1:suspected"
check "zip: the same evidence lines" test "$(sig)" = "$want"
check "zip: files are named ZIP:member" test "$(jqv '[.evidence[].file | startswith("'"$tmp"'/logs.zip:collected/")] | all')" = true
check "zip: the work folder is removed afterwards" test "$(leftover)" = 0
mkdir -p "$c/PC-0143" && cp "$tmp/logs.zip" "$c/PC-0143/"
run --json - diagnose --logs "$c"
check "zip inside the folder: expanded and searched too" \
  test "$(jqv '[.evidence[].file | select(contains("logs.zip:"))] | length > 0')" = true
rm -rf "$c/PC-0143"

# --- hostile collections -------------------------------------------------------
h=$tmp/hostile
mkdir -p "$h"
python3 - "$h" <<'EOF'
import sys, zipfile, os
h = sys.argv[1]
with zipfile.ZipFile(os.path.join(h, "traversal.zip"), "w") as z:
    z.writestr("../../evil-setupact.log", "2024-10-08 10:06:48, Error SP Operation failed: Process Drivers for Migration. Error: 0x80070003\r\n")
with zipfile.ZipFile(os.path.join(h, "bomb.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("setupact.log", "w") as f:       # 300 MB of zeros in a few hundred KB
        block = b"\0" * (1 << 20)
        for _ in range(300):
            f.write(block)
with open(os.path.join(h, "notazip.zip"), "wb") as f:
    f.write(b"PK\3\4" + b"\xff" * 64)
EOF
run diagnose --logs "$h/traversal.zip"
check "traversal zip: exit 3" test "$rc" = 3
check "traversal zip: one line naming the entry" \
  test "$(errlines):$(has "$err" "../../evil-setupact.log" && echo named)" = "1:named"
check "traversal zip: nothing written outside" test ! -e "$tmp/evil-setupact.log" -a ! -e "$TMPDIR/../evil-setupact.log"
run diagnose --logs "$h/bomb.zip"
check "zip bomb: exit 3, one line" test "$rc:$(errlines)" = "3:1"
check "zip bomb: refused by the expansion budget" grep -qiE "ratio|budget|bomb|more than" <<<"$err"
run diagnose --logs "$h/notazip.zip"
check "damaged zip: exit 3, one line naming it" test "$rc:$(errlines):$(has "$err" notazip.zip && echo y)" = "3:1:y"
check "hostile zips: the work folders are removed" test "$(leftover)" = 0

# A folder with a bad zip and a good log: the log is searched, the zip noted.
mkdir -p "$h/mixed" && cp "$h/traversal.zip" "$h/mixed/" && cp "$c/PC-0142/bt-panther/setupact.log" "$h/mixed/"
run --json - diagnose --logs "$h/mixed"
check "mixed: the good log is searched (suspected)" test "$(jqv .verdict)" = suspected
check "mixed: the bad zip is a note" test "$(jqv '.collected.notes | map(select(contains("traversal.zip"))) | length')" = 1

if [ -z "$EMU" ]; then
  mkdir -p "$h/links/real"
  cp "$c/PC-0142/bt-panther/setupact.log" "$h/outside-setupact.log"
  ln -s "$h/outside-setupact.log" "$h/links/setupact.log"
  ln -s "$c/PC-0142" "$h/links/real/tree"
  cp "$c/PC-0142/logs/dism/dism.log" "$h/links/real/dism.log"
  run --json - diagnose --logs "$h/links"
  check "links: neither the linked log nor the linked folder is searched" \
    test "$(jqv '[.collected.files[].file | select(contains("setupact") or contains("tree"))] | length')" = 0
  check "links: the linked log is a note" test "$(jqv '.collected.notes | map(select(contains("link"))) | length')" -ge 1
  check "links: the evidence is the DISM log's alone" \
    test "$(jqv '[.evidence[].file | endswith("real/dism.log")] | all')" = true
else
  skip "links: symbolic links need privileges under Wine"
fi

printf 'collected = { max_log = 1000 }\n' >"$tmp/small.lua"
run --config "$tmp/small.lua" --json - diagnose --logs "$c"
check "huge logs: too big ones are noted, not searched" \
  test "$(jqv '[.collected.notes[] | select(contains("more than the 1000"))] | length > 0')" = true
printf 'collected = { depth = 1 }\n' >"$tmp/shallow.lua"
run --config "$tmp/shallow.lua" diagnose --logs "$c"
check "depth bound: nothing within one level: exit 3, one line" test "$rc:$(errlines)" = "3:1"
check "depth bound: says no log was found" has "$err" "no setup, DISM or CBS log found"

run diagnose --logs "$tmp/no-such-folder"
check "missing folder: exit 3, one line naming it" test "$rc:$(errlines):$(has "$err" no-such-folder && echo y)" = "3:1:y"
run --root "$r" diagnose --logs "$c"
check "--logs with --root: usage error" test "$rc" = 3

# --- the real log folders (read in place) ---------------------------------------
L=$SXSFIX_SOURCE/../shared/testdata/logs
if [ ! -d "$L/Appostarsi_WinErros" ]; then
  skip "real logs: ../shared/testdata/logs is absent"
else
  run --json - diagnose --logs "$L/Appostarsi_WinErros"
  check "Appostarsi: exit 0, healthy (not the servicing stack failure)" test "$rc:$(jqv .verdict)" = "0:healthy"
  check "Appostarsi: the whole upgrade folder is found (setupact, rollback, SetupDiag, DISM, CBS)" \
    test "$(jqv '.collected.files | map(.group) | sort | unique | join(",")')" = "cbs,dism,panther,setupdiag"
  check "Appostarsi: WindowsUpdate.log (0x80070003 for other reasons) is not taken" \
    test "$(jqv '[.collected.files[].file | select(contains("WindowsUpdate"))] | length')" = 0
  check "Appostarsi: named as the rollback SetupDiag also found" test "$(jqv .rule.id)" = rollback
  check "Appostarsi: the rule's source is a Microsoft page" test "$(jqv '.rule.source | startswith("https://learn.microsoft.com/")')" = true
  check "Appostarsi: the failed RestoreHealth (0x800f081f) is named too" \
    test "$(jqv '[.rules[].id] | index("restorehealth-source-missing") != null')" = true
  run --json - diagnose --logs "$L/rickaK77_setupact.log"
  check "rickaK77: suspected on the phase change, as before" \
    test "$(jqv '.verdict + " " + ([.evidence[].signature] | join(","))')" = "suspected setup-phase-error"
  check "rickaK77: the DISM image session failure is named" test "$(jqv .rule.id)" = dism-image-session-failure
  bad=""
  for f in "$L"/*.log "$L"/*/ "$L"/*/*.log "$L"/*/*/*.log; do
    run --json - diagnose --logs "$f"
    [ "$rc" = 3 ] && continue   # not a setup, DISM or CBS log (setupapi, WindowsUpdate, FilterList)
    [ "$(jqv .verdict)" = damaged ] && bad="$bad $f"
  done
  check "no real log or folder is ever 'damaged' from collected logs" test -z "$bad"
fi

echo "passed=$passed failed=$failed skipped=$skipped"
[ "$failed" = 0 ]
