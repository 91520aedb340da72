#!/usr/bin/env bash
# Runs CLI tests with every sxsfix call under valgrind memcheck, on the
# native build (scripts/build.sh native):
#   scripts/valgrind.sh [TEST...]    default: grep expand hostile diagnose
# A memory error or a definite leak makes sxsfix exit 99, which fails the
# test that ran it. Logs: build/valgrind/*.log. Slow (minutes): not part
# of scripts/test.sh. PCRE2's JIT is turned off (SXSFIX_PCRE2_JIT=0): valgrind
# cannot follow JIT-generated code and reports it as uninitialised reads.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
V=$ROOT/build/valgrind
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(grep expand hostile diagnose)
"$ROOT/scripts/build.sh" native >/dev/null || exit 1
mkdir -p "$V"
chmod 1777 "$V"   # tests also run sxsfix as an unprivileged user
rm -f "$V"/*.log
# the wrapper: valgrind around the real binary
cat >"$V/sxsfix" <<WRAP
#!/bin/sh
export SXSFIX_PCRE2_JIT=0
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
  --log-file="$V/%p.log" "$ROOT/build/native/sxsfix" "\$@"
WRAP
chmod +x "$V/sxsfix"
fails=0
for t in "${tests[@]}"; do
  if SXSFIX=$V/sxsfix SXSFIX_SOURCE=$ROOT SXSFIX_TESTDATA=$ROOT/../shared/testdata \
       bash "$ROOT/tests/cli/test_$t.sh" >"$V/test_$t.out" 2>&1; then
    echo "valgrind test_$t: passed ($(tail -1 "$V/test_$t.out"))"
  else
    echo "valgrind test_$t: failed"; grep "^not ok" "$V/test_$t.out" | head -5; fails=$((fails + 1))
  fi
done
errs=$(cat "$V"/*.log 2>/dev/null | grep -c "ERROR SUMMARY: [1-9]\|definitely lost: [1-9]\|Invalid \|uninitialised")
echo "valgrind: $(ls "$V"/*.log 2>/dev/null | wc -l) runs of sxsfix, $errs error reports"
[ "$fails" = 0 ] && [ "$errs" = 0 ]
