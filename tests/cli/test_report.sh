#!/usr/bin/env bash
# sxsfix report: many machines' --json reports read back (real ones from a
# generated installation, variants made with jq, and hostile files), in
# every format; the HTML rendered by a real headless chromium.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq iconv
sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
r=$tmp/img/root
cp -a "$r" "$tmp/healthy"
cp "$tmp/img/ssu/amd64-10.0.26100.5074/payload/$STACK/"* "$tmp/healthy/Windows/WinSxS/$STACK/"
rm -rf "$tmp/healthy/\$WINDOWS.~BT" "$tmp/healthy/Windows/Logs"/*/*

R=$tmp/reports
mkdir -p "$R/site-a/deep/er" "$R/site-b"
noreg_under_wine
sx --root "$r" "${CFG[@]}" --json "$tmp/broken.json" diagnose >/dev/null
sx --root "$tmp/healthy" "${CFG[@]}" --json "$tmp/healthy.json" diagnose >/dev/null
sx --root "$r" "${CFG[@]}" --json "$tmp/refused.json" repair --ssu "$tmp/img/ssu/arm64-10.0.26100.5074/windows11.0-kb5043080-arm64.msu" --work "$tmp/work" 2>/dev/null
if [ -n "$EMU" ]; then  # Wine cannot read the offline hives: name the machines as Windows would (no errors)
  for f in broken healthy refused; do
    jq '.system.computer_name = "SAMPLE-PC" | .system.build = "26100" | .system.ubr = 5074 | del(.system.errors)' "$tmp/$f.json" >"$tmp/x" && mv "$tmp/x" "$tmp/$f.json"
  done
fi
# Machines: PC-1 damaged (an older healthy report as history), PC-2 healthy,
# PC-3 refused, PC-4 failed, PC-5 needs a restart (3010), PC-6 unknown (exit 5),
# and a hostile name that must come out as text in every format.
name() { jq --arg n "$2" --arg t "$3" '.system.computer_name = $n | .time = $t' "$tmp/$1.json"; }
name broken PC-1 2026-11-20T10:00:00Z >"$R/site-a/pc1.json"
name healthy pc-1 2026-11-01T10:00:00Z >"$R/site-a/deep/er/pc1-old.JSON"
name healthy PC-2 2026-11-20T10:00:00Z >"$R/site-b/pc2.json"
name refused PC-3 2026-11-20T10:00:00Z >"$R/site-b/pc3.json"
name refused PC-4 2026-11-20T10:00:00Z | jq '.exit_code = 2 | .repair.status = "failed" | .repair.error = "copying failed: access denied"' >"$R/site-b/pc4.json"
name refused PC-5 2026-11-20T10:00:00Z | jq '.exit_code = 3010 | .repair.status = "repaired" | .repair.error = null | .verdict = "healthy"' >"$R/site-b/pc5.json"
name healthy PC-6 2026-11-20T10:00:00Z | jq '.exit_code = 5 | .verdict = "unknown" | .reason = "old reason" | .unknown = [{input: "registry", message: "SOFTWARE hive unreadable"}, {input: "winsxs", message: "second cause"}]' >"$R/site-b/pc6.json"
name healthy PC-7 2026-11-20T10:00:00Z | jq '.verdict = "fine-ish"' >"$R/site-b/pc7.json"
name broken '=HYPERLINK("x")<script>alert(1)</script>' 2026-11-20T10:00:00Z >"$R/site-b/evil.json"
# Files that are not reports: each skipped with its reason.
printf '{"tool": "sxsfix", "command": "diagnose", "exit_' >"$R/site-b/truncated.json"
printf 'not json at all' >"$R/site-b/text.json"
printf '{"tool": "other", "command": "diagnose", "exit_code": 0}' >"$R/site-b/other.json"
sx --json "$R/site-b/dir.json" dir "$tmp" >/dev/null
jq 'del(.system.computer_name)' "$tmp/broken.json" >"$R/site-b/noname.json"
head -c 100000 /dev/zero | tr '\0' '[' >"$R/site-b/deep.json"
printf 'ignored: not *.json' >"$R/site-b/notes.txt"
MACHINES=8

run report --format json "$R"
check "json: exit 0" test "$rc" = 0
check "json: 8 machines, 9 reports, 1 history" test "$(jqv '[.machines, .reports, .history] | join(",")')" = "$MACHINES,9,1"
check "json: verdicts (3010 is reboot, not healthy; an unknown word is unknown)" \
  test "$(jqv '.verdicts | [.damaged, .healthy, .unknown, .suspected, .reboot] | join(",")')" = "4,1,2,0,1"
check "json: the newest report per machine (PC-1 damaged, not its older healthy one)" \
  test "$(sx report --format csv "$R" | grep -c '^PC-1,.*,damaged,')" = 1
check "json: repair results" test "$(jqv '.repairs | [.refused, .failed, .reboot] | join(",")')" = "1,1,1"
check "json: build and UBR" test "$(jqv '.builds["26100.5074"]')" = "$MACHINES"
check "json: the download list" test "$(jqv '.needed | map("\(.version) \(.arch) \(.machines)") | join(";")')" = "10.0.26100.5074 x64 4"
check "json: failed, 3010 and unknown machines with reasons" \
  test "$(jqv '.attention | map("\(.machine)=\(.state)") | join(",")')" = "PC-3=refused,PC-4=failed,PC-6=unknown,PC-7=unknown,PC-5=reboot"
check "json: an unknown machine's reason is its first cause" test "$(jqv '.attention[] | select(.machine == "PC-6") | .reason')" = "SOFTWARE hive unreadable"
check "json: an unknown verdict word is named in the reason" has "$(jqv '.attention[] | select(.machine == "PC-7") | .reason')" "fine-ish"
check "csv: damaged machines first" test "$(sx report --format csv "$R" | sed -n '2,5p' | cut -d, -f4 | sort -u)" = damaged
check "csv: PC-5's verdict is reboot (pending), not healthy" test "$(sx report --format csv "$R" | awk -F, '$1 == "PC-5" { print $4 }')" = reboot
check "json: PC-4's reason" test "$(jqv '.attention[] | select(.machine == "PC-4") | .reason')" = "copying failed: access denied"
check "json: 6 files skipped" test "$(jqv ".skipped | length")" = 6
for f in truncated text other dir noname deep; do
  check "skipped with a reason: $f.json" test -n "$(jqv ".skipped[] | select(.file | endswith(\"$f.json\")) | .reason")"
done
check "skip reason: truncated names the byte" has "$(jqv '.skipped[] | select(.file | endswith("truncated.json")) | .reason')" "not JSON: byte"
check "skip reason: a dir report" has "$(jqv '.skipped[] | select(.file | endswith("dir.json")) | .reason')" "only diagnose and repair"
check "skip reason: a schema 1 report without a name says so" \
  test "$(jqv '.skipped[] | select(.file | endswith("noname.json")) | .reason')" = "a schema 1 report without system.computer_name (the machine's name could not be read)"
check "skip reason: nesting" has "$(jqv '.skipped[] | select(.file | endswith("deep.json")) | .reason')" "nested deeper"
# A schema 1 report that says why the name could not be read: the reason cites it.
jq 'del(.system.computer_name) | .system.errors = ["computer name: SYSTEM: access denied", "version: second"]' \
  "$tmp/broken.json" >"$tmp/why.json"
run report --format json "$R/site-b/pc2.json" "$tmp/why.json"
check "skip reason: a schema 1 report without a name gives the first error" \
  test "$(jqv '.skipped[0].reason')" = "a schema 1 report without system.computer_name (the machine's name could not be read: computer name: SYSTEM: access denied)"
run report --format json "$R/site-b/pc2.json" "$tmp/missing.json"
check "a file PATH and a missing one: 1 machine, 1 skipped, exit 0" test "$rc,$(jqv '[.machines, (.skipped | length)] | join(",")')" = "0,1,1"

run report "$tmp/nonexistent" "$tmp/missing2.json"
check "no input readable: exit 3" test "$rc" = 3
check "no input readable: names the paths" has "$err" "$tmp/nonexistent, $tmp/missing2.json"
check "no input readable: no report on stdout" test -z "$out"
mkdir -p "$tmp/empty"
run report "$tmp/empty"
check "an empty folder: exit 3" test "$rc" = 3

if [ -z "$EMU" ]; then  # devices and pipes are never read (Wine shows a link's target as a file)
  ln -s /dev/zero "$tmp/zero.json"
  mkfifo "$R/site-b/pipe.json"
  SXSFIX_TIMEOUT=60 run report --format json "$tmp/zero.json" "$R/site-b"
  check "a link to a device given as PATH: skipped, not read" has "$(jqv '.skipped[] | select(.file | endswith("zero.json")) | .reason')" "not a regular file"
  check "a pipe in a folder: not read (the run ends)" test "$rc" = 0
  rm -f "$R/site-b/pipe.json"
fi

run report "$R"
check "text: aligned verdict table" grep -qE '^  damaged +4$' <<<"$out"
check "text: download list, with the update table's word on each version" grep -qE '^  10\.0\.26100\.5074 x64 +4 +no row in the update table: search the Catalog$' <<<"$out"
check "text: skipped files listed" has "$out" "truncated.json: not JSON"

run report --format csv -o "$tmp/fleet.csv" "$R"
check "csv: header and one row per machine" test "$(wc -l <"$tmp/fleet.csv")" = $((MACHINES + 1))
check "csv: a formula-like name is quoted text" grep -q "^\"'=HYPERLINK(\"\"x\"\")" "$tmp/fleet.csv"
run report --format text -o "$tmp/nodir/x.txt" "$R"
check "-o into a missing folder: exit 3, nothing written" test "$rc" = 3 -a ! -e "$tmp/nodir/x.txt"
run report --format yaml "$R"
check "unknown format: exit 3" test "$rc" = 3
run report
check "no PATH: exit 3" test "$rc" = 3

run report --format html -o "$tmp/fleet.html" "$R"
check "html: written" test "$rc" = 0 -a -s "$tmp/fleet.html"
check "html: nothing from the network" sh -c "! grep -qiE 'src=|href=|@import|url\\(' '$tmp/fleet.html'"
check "html: one script, the page's own" test "$(grep -oi '<script' "$tmp/fleet.html" | wc -l)" = 1
script=$(sed -n 's|^<script>\(.*\)</script>$|\1|p' "$tmp/fleet.html")
check "html: the CSP allows exactly that script (its SHA-256)" \
  has "$(cat "$tmp/fleet.html")" "script-src 'sha256-$(printf '%s' "$script" | openssl dgst -sha256 -binary | base64)'"
check "html: inline SVG charts" test "$(grep -o '<svg' "$tmp/fleet.html" | wc -l)" = 2
if ! command -v chromium >/dev/null; then
  skip "chromium is not installed (scripts/deps.sh installs it): the page is not rendered"
elif [ -n "$EMU" ]; then
  skip "chromium renders the page in the native suite; the Windows build writes the same bytes (checked above)"
else
  chrome() {
    local profile; profile=$(mktemp -d "$tmp/profile.XXXX")
    timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$profile" "$@" 2>>"$tmp/chromium.log"
  }
  chrome --dump-dom "file://$tmp/fleet.html" >"$tmp/dom.html"
  out=$(cat "$tmp/dom.html")
  check "chromium: one row per machine" test "$(grep -o '<tr class="machine">' "$tmp/dom.html" | wc -l)" = "$MACHINES"
  check "chromium: verdict counts" test "$(grep -oE 'data-verdict="[a-z]+">[0-9]+' "$tmp/dom.html" | sort | tr '\n' ' ')" = \
    'data-verdict="damaged">4 data-verdict="healthy">1 data-verdict="reboot">1 data-verdict="suspected">0 data-verdict="unknown">2 '
  check "chromium: the hostile name stayed text (no script element but the page's own)" \
  sh -c "[ \$(grep -oi '<script' '$tmp/dom.html' | wc -l) = 1 ] && ! grep -qi '<script>alert' '$tmp/dom.html'"
  check "chromium: the hostile name is shown" has "$out" "&lt;script&gt;alert(1)&lt;/script&gt;"
  chrome --dump-dom "file://$tmp/fleet.html#sort=machines:1d" >"$tmp/sorted.html"
  check "chromium: #sort=machines:1d sorts by name, descending (the script ran under its CSP)" \
    test "$(grep -o '<tr class="machine"><td>[^<]*' "$tmp/sorted.html" | head -2 | sed 's/.*<td>//' | tr '\n' ' ')" = "PC-7 PC-6 "
  chrome --dump-dom "file://$tmp/fleet.html#sort=machines:9" >"$tmp/sorted.html"
  check "chromium: a numeric column sorts as numbers" test "$(grep -c '<th class="sort" data-dir="a">Older' "$tmp/sorted.html")" = 1
  chrome --window-size=1280,1800 --screenshot="$tmp/fleet.png" "file://$tmp/fleet.html" >/dev/null
  check "chromium: a PNG screenshot" test "$(head -c 8 "$tmp/fleet.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
  check "chromium: the screenshot is not blank (size)" test "$(stat -c %s "$tmp/fleet.png")" -gt 20000
  if [ -n "${SXSFIX_KEEP_SCREENSHOT:-}" ]; then cp "$tmp/fleet.png" "$SXSFIX_KEEP_SCREENSHOT"; fi
fi

# --- last seen: machines whose newest report is older than --stale DAYS -----------
S=$tmp/stale; mkdir -p "$S"
name healthy OLD-PC "$(date -u -d '40 days ago' +%Y-%m-%dT%H:%M:%SZ)" >"$S/old.json"
name broken NEW-PC "$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:%SZ)" >"$S/new.json"
run report --format json "$S"
check "stale: default 30 days, OLD-PC counted apart" test "$(jqv '"\(.stale_days),\(.stale)"')" = "30,1"
check "stale: each machine's last seen in days" test "$(sx report --format csv "$S" | tr -d '\r' | awk -F, 'NR > 1 { print $1 "=" $(NF - 1) "," $NF }' | sort | tr '\n' ' ')" = "NEW-PC=1,no OLD-PC=40,yes "
run report --format json --stale 50 "$S"
check "stale: --stale 50, none" test "$(jqv '.stale')" = 0
run report --stale 10 "$S"
check "stale: text headline counts them" has "$out" "1 stale (last seen more than 10 days ago)"
run report --format json --stale ten "$S"
check "stale: --stale ten is a usage error (exit 3)" test "$rc" = 3
check "stale: the error names --stale" has "$err" "--stale"
run report --format html -o "$tmp/stale.html" "$S"
check "html: a Last seen column and a Stale card" sh -c 'grep -q "<th class=\"sort\">Last seen" "$0" && grep -q "data-stale=\"1\"" "$0"' "$tmp/stale.html"

# --- an attacker's report: markup and terminal escapes in every string ----------
E=$tmp/evil; mkdir -p "$E"
BAD=$'EV<script>alert(2)</script>"onmouseover=alert(3) x=\e]0;pwned\a\e[2J\xc2\x9b31m'
jq --arg b "$BAD" '.system.computer_name = $b | .verdict = $b | .summary = $b | .reason = $b | .system.edition = $b
  | .time = $b | .unknown = [{input: "x", message: $b}]' "$tmp/healthy.json" >"$E/evil.json"
jq --arg b "$BAD" '.system.computer_name = "R-\($b)" | .exit_code = 2 | .repair.status = $b | .repair.error = $b' \
  "$tmp/refused.json" >"$E/evil-repair.json"
printf 'x' >"$E/$(printf 'bad\033]0;pwned\007name').json"
run report "$E"
check "text: an attacker's report is counted" test "$rc" = 0
check "text: no ESC, BEL or C1 control reaches the terminal" \
  sh -c '! LC_ALL=C grep -q "$(printf "[\033\007]")" "$0" && ! grep -qF "$(printf "\302\233")" "$0"' "$tmp/out"
check "text: nor to stderr" sh -c '! LC_ALL=C grep -q "$(printf "[\033\007]")" "$0"' "$tmp/err"
check "text: the name is shown with its controls replaced" has "$out" "EV<script>alert(2)</script>"
run report --format csv "$E"
check "csv: no ESC or BEL either" sh -c '! LC_ALL=C grep -q "$(printf "[\033\007]")" "$0"' "$tmp/out"
run report "$tmp/$(printf 'gone\033]0;pwned\007')"
check "no input, a path with escapes: exit 3, the path named without its controls" \
  sh -c '[ "$1" = 3 ] && ! LC_ALL=C grep -q "$(printf "[\033\007]")" "$0" && grep -qF "gone?]0;pwned?" "$0"' "$tmp/err" "$rc"
run report --format html -o "$tmp/evil.html" "$E"
check "html (evil): written" test "$rc" = 0
check "html (evil): no element but the page's own" sh -c "! grep -qiE '<script>alert|<[a-z][^>]* onmouseover=' '$tmp/evil.html'"
check "html (evil): every class name is a plain word" sh -c "! grep -oE 'class=\"[^\"]*\"' '$tmp/evil.html' | grep -qvE '^class=\"[a-z0-9 -]*\"\$'"
if command -v chromium >/dev/null && [ -z "$EMU" ]; then
  chrome --dump-dom "file://$tmp/evil.html" >"$tmp/evildom.html"
  check "chromium (evil): no script element, no onmouseover attribute" \
    sh -c "[ \$(grep -oi '<script' '$tmp/evildom.html' | wc -l) = 1 ] && ! grep -qiE '<script>alert|<[a-z][^>]* onmouseover' '$tmp/evildom.html'"
  check "chromium (evil): the name is shown as text" has "$(cat "$tmp/evildom.html")" "EV&lt;script&gt;alert(2)&lt;/script&gt;"
  check "chromium (evil): rows for both machines" test "$(grep -c '<tr class="machine">' "$tmp/evildom.html")" -ge 1
fi

echo "report: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
