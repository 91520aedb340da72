#!/usr/bin/env bash
# Hostile input: cabinets made here with escaping, reserved and oversized
# names, 10,000 entries and a 4 GiB declared size; logs of random bytes,
# NULs, odd-length UTF-16 and one 100 MiB line; every --json report parsed
# strictly (jq). Expected: a clear error or a correct result, nothing
# written outside the destination. No check measures time (the machine may
# be busy): SXSFIX_TIMEOUT is a watchdog for hangs only, 10 times the
# slowest normal run (the 10,000 entries under Wine). (The testdata cabs and
# truncated hives are in test_expand.sh and tests/tools; symlinks in WIMs
# in test_expand.sh.)
set -u
SXSFIX_TIMEOUT=${SXSFIX_TIMEOUT:-300}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# mkcab OUT NAME=DATA... : an uncompressed cabinet, one folder; NAME=@SIZE
# declares SIZE bytes with one byte of data (a damaged or hostile header).
mkcab() {
  perl -e '
    my $out = shift; my (@f, $data);
    for (@ARGV) { my ($n, $d) = /^(.*?)=(.*)$/s; my $size = length $d;
                  if ($d =~ /^@(\d+)$/) { $size = $1; $d = "x" } push @f, [$n, $size]; $data .= $d }
    my $files = ""; my $off = 0;
    for (@f) { $files .= pack("VVvvvv", $_->[1], $off, 0, 0x5821, 0, 0x20) . $_->[0] . "\0"; $off += $_->[1] }
    my $coff = 36 + 8; my $dstart = $coff + length $files; my $blocks = ""; my $nb = 0;
    for (my $i = 0; $i < length $data || $nb == 0; $i += 32768) {
      my $b = substr($data, $i, 32768); $blocks .= pack("Vvv", 0, length $b, length $b) . $b; $nb++ }
    my $total = $dstart + length $blocks;
    open my $fh, ">:raw", $out or die;
    print $fh "MSCF", pack("VVVVVCCvvvvv", 0, $total, 0, $coff, 0, 3, 1, 1, scalar @f, 0, 0, 0),
      pack("Vvv", $dstart, $nb, 0), $files, $blocks;' "$@"
}

empty() { [ -z "$(ls -A "$1" 2>/dev/null)" ]; }   # absent or empty
jqe() { jq -e "$@" >/dev/null; }

# ---- unsafe entry names: refused, nothing written --------------------------
mkdir -p "$tmp/x/dst"
long=$(printf 'n%.0s' $(seq 300))
i=0
for name in '..\evil.txt' '../evil.txt' 'a\..\..\evil.txt' '\abs.txt' '/abs.txt' 'C:\evil.txt' 'C:evil.txt' \
            'name.txt:stream' 'CON' 'con.txt' 'LPT1' 'a/NUL.log' "$long" 'dot.' 'ctl'$'\t''x'; do
  i=$((i + 1))
  mkcab "$tmp/x/u$i.cab" "ok.txt=fine" "$name=evil"
  run expand "$tmp/x/u$i.cab" "$tmp/x/dst"
  check "unsafe name '${name:0:40}': refused (exit 3)" test "$rc" = 3
  check "unsafe name '${name:0:40}': says why" grep -qE "refused|name longer than 256 bytes" <<<"$err"
  check "unsafe name '${name:0:40}': nothing written" empty "$tmp/x/dst"
done
check "unsafe names: nothing outside the destination" test "$(ls -A "$tmp/x" | grep -vc '^u[0-9]*\.cab$')" -le 1
check "unsafe names: no evil.txt anywhere" test -z "$(find "$tmp" -name 'evil*' -o -name 'abs*')"

# ---- past 260 characters (the cab format caps names at 256 bytes) ---------
deep=$(printf 'd%.0s' $(seq 150))'\'$(printf 'e%.0s' $(seq 99))
mkcab "$tmp/deep.cab" "$deep=deep"
run expand "$tmp/deep.cab" "$tmp/deepdst/$(printf 'p%.0s' $(seq 40))"
deep="$(printf 'p%.0s' $(seq 40))/$deep"
if [ -n "$EMU" ] && [ "$rc" != 0 ]; then
  check "a path past 260 characters under Wine: a clear error" has "$err" "deep.cab"
else
  check "a path past 260 characters: expanded" test "$rc" = 0 -a -f "$tmp/deepdst/${deep//\\//}"
fi

# ---- 10,000 entries ---------------------------------------------------------
args=()
for n in $(seq 10000); do args+=("f$n.txt=$((n % 10))"); done
mkcab "$tmp/many.cab" "${args[@]}"
run expand "$tmp/many.cab" "$tmp/many"
check "10,000 entries: expanded" test "$rc" = 0 -a "$(ls -A "$tmp/many" | wc -l)" = 10000
check "10,000 entries: f9999.txt holds its byte" test "$(cat "$tmp/many/f9999.txt" 2>/dev/null)" = 9
rm -rf "$tmp/many"

# ---- compression bombs: 4 GiB declared, a byte of data ----------------------
mkcab "$tmp/bomb.cab" "big.bin=@4294967295"
run --json - expand "$tmp/bomb.cab" "$tmp/bomb"
check "4 GiB declared in a tiny cab: refused (exit 3)" test "$rc" = 3
check "4 GiB declared: the error names the ratio" has "$err" "more than 100 times its size"
check "4 GiB declared: nothing written" empty "$tmp/bomb"
check "4 GiB declared: the --json report is valid" jqe '.error' "$tmp/out"
mkcab "$tmp/lie.cab" "small.bin=@1000"
run expand "$tmp/lie.cab" "$tmp/lie"
check "1000 bytes declared, 1 present: damaged (exit 3)" test "$rc" = 3
check "1000 bytes declared: no file left" test -z "$(find "$tmp/lie" -type f 2>/dev/null)"
nested=${SXSFIX_TESTDATA:-}/cabs/cabextract_test/large-files-cab.cab
if [ -f "$nested" ]; then
  run expand "$nested" "$tmp/nested"
  check "26 KiB cab nesting 6 GiB: refused at the inner cab" test "$rc" = 3 && has "$err" "large-files.cab: declares"
  check "26 KiB cab nesting 6 GiB: no large file written" test -z "$(find "$tmp/nested" -name '*.txt')"
  rm -rf "$tmp/nested"
else skip "large-files-cab.cab: test data absent (../shared/testdata)"; fi

# ---- one budget for a whole nested expansion ----------------------------------
# A .msu of a few KiB holding 8 cabs that each declare 60 MiB (each under the
# 64 MiB floor on its own): the expansion as a whole is over budget, and is
# refused before any inner cab is expanded, as the same entries in one flat
# cab are.
if command -v gcab >/dev/null; then
  B=$tmp/budget
  mkdir -p "$B/in" "$B/parts" "$B/out"
  head -c $((60 << 20)) /dev/zero >"$B/in/zeros.bin"
  (cd "$B/in" && gcab -c -z "$B/inner.cab" zeros.bin) && rm "$B/in/zeros.bin"
  for i in 1 2 3 4 5 6 7 8; do cp "$B/inner.cab" "$B/parts/part$i.cab"; done
  (cd "$B/parts" && gcab -c -z "$B/nested.msu" part*.cab)
  run expand "$B/nested.msu" "$B/dst"
  check "8 nested cabs of 60 MiB in $(($(stat -c %s "$B/nested.msu") / 1024)) KiB: refused (exit 3)" test "$rc" = 3
  check "8 nested cabs: the error names an inner cab and the budget" \
    grep -Eq 'nested\.msu>part[0-9]\.cab: declares 62914560 bytes.*more than 67108864 bytes' <<<"$err"
  check "8 nested cabs: no inner cab expanded" test -z "$(find "$B/dst" -name zeros.bin)"
  args=(); for i in 1 2 3 4 5 6 7 8; do args+=("z$i.bin=@62914560"); done
  mkcab "$B/flat.cab" "${args[@]}"
  run expand "$B/flat.cab" "$B/flatdst"
  check "the same entries in one flat cab: refused (exit 3)" test "$rc" = 3 && has "$err" "more than 100 times its size"
  # a smaller budget from the settings refuses even one inner cab
  echo 'return { expand = { max_bytes = 1048576 } }' >"$B/small.lua"
  run --config "$B/small.lua" expand "$B/parts/part1.cab" "$B/small"
  check "settings expand.max_bytes = 1 MiB: a 60 MiB cab refused" test "$rc" = 3 && has "$err" "more than 1048576 bytes"
  # the folder an inner cab is expanded into is a link to outside: refused, never followed
  if [ -n "$EMU" ]; then
    skip "a link DSTDIR/NAME for an inner cab: Wine shows a Unix symlink as a plain folder, not a reparse point"
  else
    mkdir -p "$B/outside" "$B/ldst" "$B/lp"
    mkcab "$B/lp/sub.cab" "hello.txt=hi"
    (cd "$B/lp" && gcab -c "$B/linked.msu" sub.cab)
    ln -s "$B/outside" "$B/ldst/sub"
    run expand --overwrite "$B/linked.msu" "$B/ldst"
    check "a link DSTDIR/NAME for an inner cab: refused (exit 3)" test "$rc" = 3 && has "$err" "is a link"
    check "a link DSTDIR/NAME for an inner cab: nothing written outside" test -z "$(ls -A "$B/outside")"
  fi
  rm -rf "$B"
else skip "nested budget: gcab is not installed"; fi

# ---- hostile logs: grep finishes, reports are valid JSON ------------------
L=$tmp/logs
mkdir -p "$L"
head -c 1048576 /dev/urandom >"$L/random.log"
head -c 1048576 /dev/zero >"$L/zeros.log"   # not nul.log: NUL is a device name on Windows
printf '\xff\xfeE\x00r\x00r\x00o\x00r\x00:\x00 \x00x\x00\n\x00E' >"$L/odd16.log"          # odd byte count
printf 'Error: bad \xff\xfe\xc3 byte\r\nError: ctl \x01\x1b[31m\x7f\x00nul\nError: \xed\xa0\x80 surrogate\n' >"$L/mixed.log"
for f in random zeros odd16 mixed; do
  run --json "$tmp/$f.json" grep -i "error" "$L/$f.log"
  check "$f.log: grep exits 0 or 1 ($rc)" test "$rc" = 0 -o "$rc" = 1
  check "$f.log: the --json report is valid JSON" jqe . "$tmp/$f.json"
done
check "odd UTF-16: the complete line is found" jqe '.matches[0].text == "Error: x"' "$tmp/odd16.json"
# a line that is not valid UTF-8 is read as Windows-1252 (docs/SCRIPTING.md)
check "invalid UTF-8: the line read as Windows-1252" jqe '.matches[0].text == "Error: bad \u00ff\u00fe\u00c3 byte"' "$tmp/mixed.json"
check "control characters and NUL: kept, escaped" jqe '.matches[1].text == "Error: ctl \u0001\u001b[31m\u007f\u0000nul"' "$tmp/mixed.json"
check "an encoded surrogate: read as Windows-1252" jqe '.matches[2].text == "Error: \u00ed\u00a0\u20ac surrogate"' "$tmp/mixed.json"
check "the --json text is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$tmp/mixed.json" -o /dev/null

# diagnose over a root whose logs hold invalid UTF-8, control bytes and NULs
if [ -n "${SXSFIX_SOURCE:-}" ] && bash "$SXSFIX_SOURCE/scripts/sample-image.sh" "$tmp/img" >/dev/null 2>&1; then
  act="$tmp/img/root/\$WINDOWS.~BT/Sources/Panther/setupact.log"
  printf 'Error SP \xff\xfe bad\x00 \x01\x02 Process Drivers for Migration \xc3\r\n' >>"$act"
  cat "$L/random.log" >>"$tmp/img/root/Windows/Logs/CBS/CBS.log"
  run --root "$tmp/img/root" --json "$tmp/diag.json" diagnose
  check "diagnose over hostile logs: a verdict (exit $rc)" test "$rc" = 0 -o "$rc" = 1
  check "diagnose over hostile logs: the --json report is valid" jqe . "$tmp/diag.json"
  check "diagnose --json: valid UTF-8" iconv -f UTF-8 -t UTF-8 "$tmp/diag.json" -o /dev/null
else skip "diagnose over hostile logs: no sample image (SXSFIX_SOURCE)"; fi

if [ -z "$EMU" ]; then
  { printf 'Error: start '; head -c 104857600 /dev/zero | tr '\0' 'a'; printf ' end\n'; } >"$L/long.log"
  run grep -c "end" "$L/long.log"
  check "one 100 MiB line: counted once (exit 0)" test "$rc:${out##*:}" = "0:1"
  # -c counts without keeping the lines: the report with the line is grep's own.
  run --json "$tmp/long.json" grep "end" "$L/long.log"
  check "one 100 MiB line: found (exit 0)" test "$rc" = 0
  check "one 100 MiB line: the --json report is valid" jqe '.matches[0].text | endswith(" end")' "$tmp/long.json"
  rm -f "$L/long.log" "$tmp/long.json"
else skip "one 100 MiB line: native only (slow under Wine)"; fi

# ---- hives truncated at every 4 KiB boundary: each opens or fails cleanly ----
if [ -n "$EMU" ]; then
  skip "truncated hives: Wine's RegLoadAppKeyW is a stub, no offline hive opens under Wine"
elif [ -n "${SXSFIX_TESTDATA:-}" ] && [ -d "$SXSFIX_TESTDATA/hives" ]; then
  mkdir -p "$tmp/hv"
  n=0
  for h in nthive_testhive regipy_SAM yarp_ManySubkeysHive; do
    f=$SXSFIX_TESTDATA/hives/$h
    size=$(stat -c %s "$f")
    for ((cut = 0; cut < size; cut += 4096)); do
      head -c "$cut" "$f" >"$tmp/hv/$h.$cut"; n=$((n + 1))
    done
  done
  # One sxsfix walks them all: every key it can reach, or a failure naming the file.
  cat >"$tmp/walk.lua" <<'EOF'
local reg, fs = require "sxsfix.reg", require "sxsfix.fs"
local dir = ...
local opened, refused, bad, keys = 0, 0, 0, 0
local function walk(file, key, depth)
  local k, msg = reg.key(key, { hive = file })
  if not k then return msg end
  keys = keys + 1
  if depth < 3 then
    for i, sub in ipairs(k.subkeys) do
      if i > 20 then break end
      walk(file, key == "" and sub or (key .. "\\" .. sub), depth + 1)
    end
  end
end
for _, name in ipairs(fs.list(dir)) do
  local file = fs.join(dir, name)
  local msg = walk(file, "", 0)
  if msg == nil then opened = opened + 1
  elseif msg:find(name, 1, true) then refused = refused + 1
  else bad = bad + 1; print("message does not name the file: " .. msg) end
end
print(string.format("%d opened %d refused %d bad %d keys", opened, refused, bad, keys))
return bad == 0 and 0 or 1
EOF
  run run "$tmp/walk.lua" "$tmp/hv"
  check "$n truncated hives: each opens or is refused naming the file ($out)" test "$rc" = 0
  check "truncated hives: the short ones are refused" grep -Eq '(^| )[1-9][0-9]* refused' <<<"$out"
else skip "truncated hives: test data absent"; fi

# ---- a FIFO where a hive, the history or a log is expected: no hang -----------
# Opening a FIFO for reading blocks until a writer comes; sxsfix opens
# non-blocking and refuses anything that is not a regular file, naming it.
# SXSFIX_TIMEOUT (above) is only the watchdog: a hang is exit 124.
if command -v mkfifo >/dev/null && [ -z "$EMU" ] && command -v hivexsh >/dev/null \
   && command -v gcab >/dev/null && command -v wimlib-imagex >/dev/null; then
  sample_image "$tmp/fifo"
  fr=$tmp/fifo/root
  rm -f "$fr/Windows/System32/config/SOFTWARE"
  mkfifo "$fr/Windows/System32/config/SOFTWARE"
  mkdir -p "$fr/ProgramData/sxsfix"
  rm -f "$fr/ProgramData/sxsfix/repairs.log"
  mkfifo "$fr/ProgramData/sxsfix/repairs.log"
  log=$(find "$fr" -name setupact.log | head -1)
  rm -f "$log"; mkfifo "$log"
  run --root "$fr" diagnose
  check "FIFOs: diagnose ends (not killed by the watchdog)" test "$rc" != 124
  check "FIFOs: the SOFTWARE hive is refused as not a regular file" \
    grep -q "config/SOFTWARE: not a regular file" <<<"$out$err"
  check "FIFOs: setupact.log is refused as not a regular file" \
    grep -q "setupact.log: not a regular file" <<<"$out$err"
  # only the history a FIFO (the hive and log regular again): still no hang
  sample_image "$tmp/fifo2"
  mkdir -p "$tmp/fifo2/root/ProgramData/sxsfix"
  rm -f "$tmp/fifo2/root/ProgramData/sxsfix/repairs.log"
  mkfifo "$tmp/fifo2/root/ProgramData/sxsfix/repairs.log"
  run --root "$tmp/fifo2/root" diagnose
  check "FIFO repairs.log: diagnose ends with its verdict (exit 1, damaged)" test "$rc" = 1
else skip "FIFOs: mkfifo, the sample image's tools or a native build needed"; fi

echo "test_hostile.sh: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || exit 1
