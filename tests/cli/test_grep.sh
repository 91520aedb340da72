#!/usr/bin/env bash
# sxsfix grep: output format, exit codes (grep's: 0 match, 1 none, 2 error),
# options, UTF-16 and .cab fixtures made here, and the real logs checked
# against GNU grep as an independent count.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

log=$tmp/setupact.log
printf '%s\r\n' "2024-01-01 Info MOUPG start" \
  "2024-01-01 Error SP Operation failed: Process Drivers for Migration. Error: 0x80070003" \
  "2024-01-01 Info msoobe Failed to load oobe.xml [0x80070003]" \
  "2024-01-01 Error MoSetupPlatform: Using action error code: [0x80070003]" >"$log"

run grep 0x80070003 "$log"
check "a match exits 0" test "$rc" = 0
check "PATH:LINE:TEXT" has "$out" "$log:3:2024-01-01 Info msoobe Failed to load oobe.xml [0x80070003]"
check "one line per match" test "$(wc -l <<<"$out")" = 3

run grep "Failed to bind the online servicing stack" "$log"
check "no match exits 1" test "$rc" = 1
check "no match prints nothing" test -z "$out"

run grep -c 0x80070003 "$log" "$tmp/missing.log"
check "an unreadable file exits 2" test "$rc" = 2
check "the other files are still searched" test "$out" = "$log:3"
check "the error names the file" has "$err" "missing.log"

run grep -e 'Process Drivers' -e 'Using action' -e 'Process' "$log"
check "-e repeats; a line matched twice is printed once" test "$(wc -l <<<"$out")" = 2

run grep -i -F 'USING ACTION ERROR CODE: [0x' "$log"
check "-i -F" has "$out" "$log:4:2024-01-01 Error MoSetupPlatform"

run grep -m 1 0x80070003 "$log"
check "-m 1 prints one line" test "$(wc -l <<<"$out")" = 1 -a "$rc" = 0

run grep -c -m 2 0x80070003 "$log"
check "-c with -m counts up to NUM" test "$out" = "$log:2"

run grep 'bad(' "$log"
check "a bad pattern exits 2" test "$rc" = 2
check "a bad pattern names the offset" has "$err" "offset"

# A PCRE2 resource limit is an error naming file, line and pattern, never
# "no match"; the rest of the file is still searched.
{ printf 'first line\n'; printf 'a%.0s' $(seq 40); printf 'Error: ab\n'; printf 'later aab\n'; } >"$tmp/limit.log"
run grep -e '(a|aa)+b' "$tmp/limit.log"
check "a match-limit error exits 2" test "$rc" = 2
check "the line after the failing one is still found" test "$out" = "$tmp/limit.log:3:later aab"
check "the error names the file and line" has "$err" "limit.log:2:"
check "the error names the pattern" has "$err" "(a|aa)+b"
check "the error says what failed" has "$err" "limit"
run grep -c -e '(a|aa)+b' "$tmp/limit.log"
check "-c with a match-limit error exits 2 and counts the found line" test "$rc" = 2 -a "$out" = "$tmp/limit.log:1"

run grep "$log"
check "no PATH is a usage error (3)" test "$rc" = 3
run grep -m x y "$log"
check "-m needs a number" test "$rc" = 3

# UTF-16LE with a BOM, and BOM-less, made with iconv
printf 'x\r\nFailed to bind the online servicing stack \xd0\x9e\r\n' >"$tmp/u8.txt"
{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE "$tmp/u8.txt"; } >"$tmp/SetupDiagResults.xml"
iconv -f UTF-8 -t UTF-16LE "$tmp/u8.txt" >"$tmp/nobom.log"
run grep -F "online servicing" "$tmp/SetupDiagResults.xml" "$tmp/nobom.log"
check "UTF-16LE with and without BOM" test "$rc" = 0 -a "$(wc -l <<<"$out")" = 2
check "UTF-16 line shown as UTF-8" has "$out" "nobom.log:2:Failed to bind the online servicing stack О"

# a rotated CBS log inside a .cab, and a folder + wildcard argument
mkdir "$tmp/cbs"
printf 'a\r\nb\r\nInfo CBS Failed to create worker session\r\n' >"$tmp/CbsPersist_20240101120000.log"
if command -v gcab >/dev/null; then
  (cd "$tmp" && gcab -c -z cbs/CbsPersist_20240101120000.cab CbsPersist_20240101120000.log)
  run --json "$tmp/r.json" grep "worker session" "$tmp/cbs/cbspersist_*"
  check "a .cab member is searched, found through a wildcard" test "$rc" = 0
  check ".cab member named archive.cab:member" \
    test "${out//\\//}" = "$tmp/cbs/CbsPersist_20240101120000.cab:CbsPersist_20240101120000.log:3:Info CBS Failed to create worker session"
  check "--json holds the matches" grep -q '"line": 3' "$tmp/r.json"
  printf 'not a cabinet' >"$tmp/cbs/CbsPersist_2.cab"
  run grep "worker session" "$tmp/cbs/CbsPersist_2.cab"
  check "a damaged .cab is an error (2)" test "$rc" = 2 -a -n "$err"
else
  skip "gcab is not installed"
fi

# Real logs: the article's signatures are in none; a bare 0x80070003 is, in
# the same number of lines GNU grep counts.
logs=${SXSFIX_TESTDATA:-}/logs
if [ -n "${SXSFIX_TESTDATA:-}" ] && [ -d "$logs" ]; then
  mapfile -t files < <(find "$logs" -type f ! -name '*.tsv' | LC_ALL=C sort)
  run grep -F -e "Failed to bind the online servicing stack" \
    -e "CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x80070003" \
    -e "Operation failed: Process Drivers for Migration. Error: 0x80070003" \
    -e "MoSetupPlatform: Using action error code: [0x80070003]" "${files[@]}"
  check "no real log holds the article's signatures (exit 1)" test "$rc" = 1 -a -z "$out"
  run grep -c 0x80070003 "${files[@]}"
  check "a bare 0x80070003 is found (exit 0)" test "$rc" = 0
  want=$(for f in "${files[@]}"; do printf '%s:%s\n' "$f" "$(LC_ALL=C grep -a -c 0x80070003 "$f")"; done)
  check "per-file counts agree with GNU grep" test "$out" = "$want"
  run grep -c -i -e '0x8007000[0-9]' -e 'servicing ?stack' "${files[@]}"
  jit_out=$out
  export SXSFIX_PCRE2_JIT=0
  run grep -c -i -e '0x8007000[0-9]' -e 'servicing ?stack' "${files[@]}"
  unset SXSFIX_PCRE2_JIT
  check "PCRE2's interpreter (SXSFIX_PCRE2_JIT=0) finds what the JIT finds" test "$out" = "$jit_out" -a -n "$out"
else
  skip "test data logs is absent (../shared/testdata)"
fi

# -c counts lines as rg -c does (a line two patterns match counts once),
# with numbers of lines that stop nothing: CRLF, a lone CR, a last line
# without a line end.
printf 'a foo bar\r\nfoo\rbar\n\nfoo foo bar' >"$tmp/c.log"
run grep -c -e foo -e bar "$tmp/c.log"
check "-c counts each matching line once" test "$out" = "$tmp/c.log:4" -a "$rc" = 0
run grep -c zzz "$tmp/c.log"
check "-c with no match prints 0 and exits 1" test "$out" = "$tmp/c.log:0" -a "$rc" = 1
run grep --threads 0 foo "$tmp/c.log"
check "--threads needs 1 to 8" test "$rc" = 3

# A big log (the real CBS logs, concatenated to 9 MiB or more, then a match
# on a last line without a line end) is searched in parts on 2 threads:
# the same lines, numbers and count as on 1, and as rg finds.
logs=${SXSFIX_TESTDATA:-}/logs
if [ -n "${SXSFIX_TESTDATA:-}" ] && [ -d "$logs" ]; then
  mapfile -t cbs < <(find "$logs" -type f -iname '*cbs*.log' | LC_ALL=C sort)
  big=$tmp/big.log
  cat "${cbs[@]}" >"$tmp/cbs.all"
  n=$(wc -c <"$tmp/cbs.all")
  [ "$n" -gt 0 ] || n=1
  for ((k = 0; k * n < (9 << 20); k++)); do cat "$tmp/cbs.all"; done >"$big"
  printf '\r\nlast line Failed to create worker session' >>"$big"
  pats=(-e 'Failed to' -e 'HRESULT = 0x80070002' -e 'Failed to create worker session' -e 'CDlpActionDriverMigrate')
  run grep --threads 1 -F "${pats[@]}" "$big"
  one=$out
  run grep --threads 2 -F "${pats[@]}" "$big"
  check "2 threads print what 1 prints (lines and numbers)" test "$out" = "$one" -a -n "$out"
  check "the last line, without a line end, is found" has "$out" "last line Failed to create worker session"
  run grep --threads 1 -c -F "${pats[@]}" "$big"
  c1=$out
  run grep --threads 2 -c -F "${pats[@]}" "$big"
  check "-c on 2 threads counts what 1 counts" test "$out" = "$c1" -a "$out" = "$big:$(wc -l <<<"$one")"
  if command -v rg >/dev/null; then
    check "line numbers as rg -n finds them" test "$(cut -d: -f2 <<<"$one")" = "$(rg -n -F "${pats[@]}" "$big" | cut -d: -f1)"
    check "-c as rg -c counts" test "$out" = "$big:$(rg -c -F "${pats[@]}" "$big")"
    # every real log: -c equals rg -c, for literals that are dense on CBS
    # lines (several on one line) and the short signature literals
    mapfile -t files < <(find "$logs" -type f ! -name '*.tsv' | LC_ALL=C sort)
    for set in "Failed|Info|0x8007|CBS" "CDlpActionDriverMigrate|Failed to bind the online|Process Drivers for Migration|MoSetupPlatform: Using|Setup phase change|Failed to create worker session"; do
      IFS='|' read -ra lits <<<"$set"
      e=(); for l in "${lits[@]}"; do e+=(-e "$l"); done
      run grep -c -F "${e[@]}" "${files[@]}"
      want=$(for f in "${files[@]}"; do printf '%s:%s\n' "$f" "$(rg -a -c --include-zero -F "${e[@]}" "$f")"; done)
      check "-c equals rg -c on every real log (${lits[0]}...)" test "$out" = "$want"
    done
  else
    skip "rg is not installed: -c and -n are not compared with ripgrep"
  fi
else
  skip "test data logs is absent (../shared/testdata)"
fi

echo "test_grep.sh: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || exit 1
