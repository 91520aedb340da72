#!/usr/bin/env bash
# Runs every test suite of sxsfix:
#   native     the Linux build
#   sanitize   the Linux build with AddressSanitizer + UndefinedBehaviorSanitizer
#   windows    the mingw-w64 .exe under Wine (headless)
#   fuzz       each libFuzzer target of fuzz/ briefly (scripts/fuzz.sh;
#              SXSFIX_FUZZ_SECONDS each, default 15)
#   pester     the fleet's PowerShell scripts (tests/pester/*.Tests.ps1) under
#              pwsh with Pester 5, calling the Linux build (scripts/deps.sh
#              installs both where the .NET SDK is; skipped otherwise)
# Usage: scripts/test.sh [SUITE...]   (default: all five)
# Installs what it needs (scripts/deps.sh), builds, runs ctest for each
# suite, and ends with one line: "total: N passed, N failed, N skipped".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(native sanitize windows fuzz pester)

"$ROOT/scripts/deps.sh" || { echo "test: installing dependencies failed"; exit 1; }

passed=0 failed=0 skipped=0

# Wine: a headless prefix of this checkout's own (so its server and its
# registry serve no other checkout's tests), made once.
setup_wine() {
  export WINEPREFIX=$ROOT/build/wineprefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  mkdir -p "$ROOT/build"
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "test: creating a Wine prefix (once)"
    wineboot -i >/dev/null 2>&1 || true
    wineserver -w
    [ -f "$WINEPREFIX/system.reg" ] || { echo "test: wineboot failed"; return 1; }
  fi
  # One server for the whole run, and Wine's own background processes
  # started here with no terminal or pipe of ctest's: a server that comes
  # and goes between tests races with the next test's connection, and
  # processes it starts from a test would hold that test's output open.
  wineserver -k >/dev/null 2>&1 || true
  wineserver -p >/dev/null 2>&1 </dev/null
  /usr/lib/wine/wine64 cmd /c exit >/dev/null 2>&1 </dev/null || true

}

# Count ctest's JUnit file (read with Python's XML parser): adds to
# passed/failed/skipped.
count() {
  local n
  n=$(python3 -c '
import sys, xml.etree.ElementTree as ET
counts = {"passed": 0, "failed": 0, "skipped": 0}
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    status = case.get("status", "")
    if case.find("failure") is not None or case.find("error") is not None or status == "fail":
        counts["failed"] += 1
    elif case.find("skipped") is not None or status in ("notrun", "disabled"):
        counts["skipped"] += 1
    else:
        counts["passed"] += 1
print(counts["passed"], counts["failed"], counts["skipped"])' "$1") || { echo "test ($2): unreadable $1"; failed=$((failed + 1)); return; }
  read -r p f k <<<"$n"
  echo "test ($2): $p passed, $f failed, $k skipped"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + k))
}

# The fuzz suite: one line per target, counted like ctest's.
fuzz_suite() {
  local t ok=0 bad=0 secs=${SXSFIX_FUZZ_SECONDS:-15}
  if ! "$ROOT/scripts/fuzz.sh" build; then
    echo "test (fuzz): build failed"; failed=$((failed + 1)); return
  fi
  local n=0 all
  all=$("$ROOT/scripts/fuzz.sh" list)
  for t in $all; do
    n=$((n + 1))
    if "$ROOT/scripts/fuzz.sh" run "$t" "$secs" >"$ROOT/build/fuzz/$t.result" 2>&1; then
      ok=$((ok + 1)); echo "$n/$(wc -w <<<"$all") Test #$n: fuzz.$t ... Passed ($(sed -n 's/.*(\(.*\))/\1/p' "$ROOT/build/fuzz/$t.result"))"
    else
      bad=$((bad + 1)); echo "$n/$(wc -w <<<"$all") Test #$n: fuzz.$t ...***Failed"; sed 's/^/    /' "$ROOT/build/fuzz/$t.result"
    fi
  done
  echo "test (fuzz): $ok passed, $bad failed, 0 skipped"
  passed=$((passed + ok)); failed=$((failed + bad))
}

# The pester suite: Invoke-Pester's JUnit file, counted like ctest's.
pester_suite() {
  local pwsh=${SXSFIX_PWSH:-$HOME/.dotnet/tools/pwsh}
  local module=${NUGET_PACKAGES:-$HOME/.nuget/packages}/pester/5.7.1/tools/Pester.psd1
  [ -x "$pwsh" ] || pwsh=$(command -v pwsh) || { echo "test (pester): SKIP: pwsh is not installed (scripts/deps.sh installs it where dotnet is)"; skipped=$((skipped + 1)); return; }
  [ -f "$module" ] || { echo "test (pester): SKIP: Pester 5.7.1 is not restored ($module; scripts/deps.sh restores it where dotnet is)"; skipped=$((skipped + 1)); return; }
  if [ ! -x "$ROOT/build/native/sxsfix" ] && ! "$ROOT/scripts/build.sh" native; then
    echo "test (pester): build failed"; failed=$((failed + 1)); return
  fi
  local junit=$ROOT/build/pester/junit.xml
  mkdir -p "$ROOT/build/pester"; rm -f "$junit"
  SXSFIX=$ROOT/build/native/sxsfix SXSFIX_SOURCE=$ROOT PATH=$(dirname "$pwsh"):$PATH \
  PESTER_MODULE=$module PESTER_TESTS=$ROOT/tests/pester PESTER_JUNIT=$junit timeout 1800 \
    "$pwsh" -NoProfile -NonInteractive -Command '
      $ErrorActionPreference = "Stop"
      Import-Module -Name $env:PESTER_MODULE
      $c = New-PesterConfiguration
      $c.Run.Path = @(Get-ChildItem -Path $env:PESTER_TESTS -Filter *.Tests.ps1 | ForEach-Object FullName)
      $c.Output.Verbosity = "Detailed"
      $c.TestResult.Enabled = $true
      $c.TestResult.OutputFormat = "JUnitXml"
      $c.TestResult.OutputPath = $env:PESTER_JUNIT
      Invoke-Pester -Configuration $c' >"$ROOT/build/pester.test.log" 2>&1
  sed 's/\x1b\[[0-9;]*m//g' "$ROOT/build/pester.test.log" | grep -E "^ *\[[-+!?]\]|^ *Expected|SKIP|Tests completed"
  if [ -f "$junit" ]; then count "$junit" pester; else echo "test (pester): Pester wrote no results (build/pester.test.log)"; failed=$((failed + 1)); fi
}

for s in "${suites[@]}"; do
  echo "=== $s"
  if [ "$s" = fuzz ]; then fuzz_suite; continue; fi
  if [ "$s" = pester ]; then pester_suite; continue; fi
  if ! "$ROOT/scripts/build.sh" "$s"; then
    echo "test ($s): build failed"
    failed=$((failed + 1))
    continue
  fi
  [ "$s" != windows ] || setup_wine || { failed=$((failed + 1)); continue; }
  # the .exe's expansions are compared with the Linux build's (when built)
  linux=()
  [ "$s" != windows ] || [ ! -x "$ROOT/build/native/sxsfix" ] || linux=(SXSFIX_LINUX="$ROOT/build/native/sxsfix")
  junit=$ROOT/build/$s/junit.xml
  rm -f "$junit"
  # jobs, timeouts (watchdogs for hangs, 10 times the slowest test on a busy
  # machine), sanitizer options and the JUnit file: CMakePresets.json
  (cd "$ROOT" && env "${linux[@]}" ctest --preset "$s") >"$ROOT/build/$s.test.log" 2>&1
  grep -E "^ *[0-9]+/[0-9]+ Test|SKIP|FAIL|not ok" "$ROOT/build/$s.test.log"
  if grep -q "tests failed out of\|Errors while running CTest" "$ROOT/build/$s.test.log" &&
     ! grep -q " 0 tests failed out of" "$ROOT/build/$s.test.log"; then
    sed -n '/The following tests FAILED/,$p' "$ROOT/build/$s.test.log"
  fi
  if [ -f "$junit" ]; then count "$junit" "$s"; else echo "test ($s): ctest wrote no results"; failed=$((failed + 1)); fi
  [ "$s" != windows ] || wineserver -k >/dev/null 2>&1 || true
done

echo "total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
