#!/usr/bin/env bash
# A build without the optional libraries configures with a report of what is
# left out, compiles without warnings, and each feature that needs a missing
# library says so at run time (never a crash, never a silent no-op).
set -u
src=${SXSFIX_SOURCE:?}
b=${SXSFIX_BUILD:-$src/build}/reduced
passed=0 failed=0
check() {
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $what"
  else failed=$((failed + 1)); echo "not ok - $what"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$src" && cmake --preset reduced -B "$b") >"$tmp/cfg" 2>&1
check "configures" test $? = 0
for lib in pcre2 libarchive wimlib hivex openssl; do
  check "configure reports $lib left out" grep -q "$lib left out" "$tmp/cfg"
done
cmake --build "$b" -j "$(nproc)" >"$tmp/build" 2>&1
check "builds" test $? = 0
check "builds without warnings" bash -c "! grep -q 'warning:' '$tmp/build'"
sx=$b/sxsfix

"$sx" --version >"$tmp/v" 2>&1
check "--version: each library 'not built in'" test "$(grep -c 'not built in' "$tmp/v")" = 5
check "--version: says why grep is unavailable" grep -q "grep is unavailable: this sxsfix was built without PCRE2" "$tmp/v"

printf 'one\nTwo\n' >"$tmp/log"
"$sx" grep -i two "$tmp/log" >"$tmp/o" 2>"$tmp/e"; rc=$?
check "grep -i without PCRE2: exit 2 with the reason" test "$rc" = 2 -a -n "$(grep 'built without PCRE2' "$tmp/e")"
"$sx" grep -F Two "$tmp/log" >"$tmp/o" 2>"$tmp/e"; rc=$?
check "grep -F still works without PCRE2" test "$rc" = 0 -a "$(cat "$tmp/o")" = "$tmp/log:2:Two"

(cd "$tmp" && gcab -c x.cab log)
"$sx" expand "$tmp/x.cab" "$tmp/out" >"$tmp/o" 2>"$tmp/e"; rc=$?
check "expand without libarchive: exit 3 with the reason" test "$rc" = 3 -a -n "$(grep 'built without libarchive' "$tmp/e")"
"$sx" eval 'local r, m = require("sxsfix.reg").key("Microsoft", { hive = ... }); print(r, m)' "$tmp/x.cab" >"$tmp/o" 2>&1
check "an offline hive without hivex: nil and the reason" grep -q "nil.*without hivex" "$tmp/o"

"$sx" verify "$tmp/x.cab" >"$tmp/o" 2>"$tmp/e"; rc=$?
check "verify without OpenSSL: exit 3 with the reason" test "$rc" = 3 -a -n "$(grep 'built without OpenSSL' "$tmp/e")"

echo "reduced build: $passed passed, $failed failed"
[ "$failed" = 0 ]
