#!/usr/bin/env bash
# CLI contract of the sxsfix binary: exit codes, usage, tracebacks, script
# export and --scripts, global options, JSON, Unicode output.
# Environment: SXSFIX (the binary), SXSFIX_EMULATOR (e.g. wine64 for the
# .exe; empty natively).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# run ARGS...: sets rc, out, err (carriage returns removed: the .exe writes CRLF)

run --version
check "--version exits 0" test "$rc" = 0
for lib in Lua PCRE2 libarchive wimlib hivex; do
  check "--version names $lib" has "$out" "  $lib"
done
check "--version shows a version number for Lua" grep -qE '^  Lua +5\.4\.[0-9]+$' <<<"$out"
# wimlib is in every full build, the Windows .exe included (WIM-based .msu)
check "--version shows a version number for wimlib" grep -qE '^  wimlib +1\.[0-9]+\.[0-9]+$' <<<"$out"

# No command: usage on stderr, exit 3 (bad usage), not the help with exit 0.
run
check "no command: exit 3" test "$rc" = 3
check "no command: usage on stderr" has "$err" "usage: sxsfix"
# A bad option of a command: that command's usage, not the whole help.
run diagnose --foo
check "diagnose --foo: exit 3" test "$rc" = 3
check "diagnose --foo: names the option" has "$err" "--foo"
check "diagnose --foo: the command's usage line" grep -q '^usage: sxsfix diagnose' <<<"$err"
check "diagnose --foo: not the whole help (no command list)" bash -c '! grep -q "^usage: sxsfix \[OPTIONS\] COMMAND" <<<"$1"' _ "$err"

# --root DIR that is not a Windows installation: said so, exit 3 (not UNKNOWN, 5).
mkdir -p "$tmp/notwin" "$tmp/nocfg/Windows/System32"
run --root "$tmp/notwin" diagnose
check "--root without Windows: exit 3" test "$rc" = 3
check "--root without Windows: says so, naming DIR" grep -q "$tmp/notwin: not a Windows installation" <<<"$err"
run --root "$tmp/nocfg" repair
check "--root without System32\\config: exit 3" test "$rc" = 3
check "--root without System32\\config: says which folder is missing" has "$err" 'System32\config'

run eval 'error("boom")'
check "script error exits 4" test "$rc" = 4
check "script error prints the message" has "$err" "boom"
check "script error prints a traceback" has "$err" "stack traceback:"

run eval 'local function f() return 1 + f() end return f()'
check "stack overflow in a script exits 4" test "$rc" = 4
check "stack overflow is reported" has "$err" "stack overflow"

run eval 'string.rep("x", 1 << 40)'
check "an over-large string request exits 4, no crash" test "$rc" = 4

run nosuchcmd
check "unknown command exits 3" test "$rc" = 3
check "unknown command prints usage" has "$err" "usage: sxsfix"
check "unknown command is named" has "$err" "unknown command 'nosuchcmd'"

run --frobnicate version
check "unknown option exits 3" test "$rc" = 3
check "unknown option prints usage" has "$err" "usage: sxsfix"

run eval 'return +'
check "syntax error in eval chunk exits 3" test "$rc" = 3

run eval "print('ünïcode дир 日志')"
check "UTF-8 argv and output round-trip" test "$out" = "ünïcode дир 日志"

printf 'local n = select("#", ...)\nprint(arg[0]:match("[^/\\\\]+$"), n, ...)\nreturn tonumber(arg[1])\n' >"$tmp/prep.lua"
run run "$tmp/prep.lua" 5 --root x
check "run passes arguments and uses the returned exit code" test "$rc" = 5
check "run: arg[0] and ... reach the script" test "$out" = "$(printf 'prep.lua\t3\t5\t--root\tx')"

printf 'local function f() error("deep failure") end\nf()\n' >"$tmp/fail.lua"
run run "$tmp/fail.lua"
check "error in a run script exits 4" test "$rc" = 4
check "the traceback names the script and line" has "$err" "fail.lua:1: deep failure"

run run "$tmp/missing.lua"
check "missing run script exits 3" test "$rc" = 3
check "missing run script is named" has "$err" "missing.lua"

run help run
check "help COMMAND" has "$out" "usage: sxsfix run FILE.lua"

# Global options: before or after the command, handed to scripts.
run --root "$tmp" eval 'print(require("sxsfix.ctx").opts.root)'
check "--root before the command reaches the script" test "$out" = "$tmp"
run eval 'print(require("sxsfix.ctx").opts.root)' --root "$tmp"
check "--root after the command reaches the script" test "$out" = "$tmp"

printf 'site = "lab"\nretries = 2\n' >"$tmp/site.lua"
run --config "$tmp/site.lua" eval 'local c = require("sxsfix.ctx").config; print(c.site, c.retries)'
check "--config settings reach the script" test "$out" = "$(printf 'lab\t2')"
run --config "$tmp/nope.lua" version
check "missing --config exits 3" test "$rc" = 3

run --log "$tmp/run.log" eval 'return 1'
check "--log records start and exit code" grep -q 'eval: exit 1' "$tmp/run.log"

run --json - version
check "--json - prints a JSON object" has "$out" '"tool": "sxsfix"'
check "--json carries the exit code" has "$out" '"exit_code": 0'
run --json "$tmp/r.json" eval 'return 1'
check "--json FILE is written" grep -q '"command": "eval"' "$tmp/r.json"
run --json "$tmp/no/such/dir/r.json" eval 'return 0'
check "--json to an impossible path exits 3" test "$rc" = 3

# Export the built-in scripts, edit them, run the edited copy.
run scripts export "$tmp/set"
check "scripts export exits 0" test "$rc" = 0
check "export wrote cli.lua" test -f "$tmp/set/sxsfix/cli.lua"
run scripts export "$tmp/set"
check "export refuses to overwrite a set" test "$rc" = 3
run --scripts "$tmp/set" eval 'print(1)'
check "--scripts DIR runs the exported set" test "$out" = "1"
run --scripts "$tmp/set" version
check "--version names the scripts folder in use" has "$out" "scripts: $tmp/set"

sed -i 's/^  run = function(_, _, pos)$/  run = function(_, _, pos)\n    print("edited")/' "$tmp/set/sxsfix/cmd/eval.lua"
run --scripts "$tmp/set" eval 'print(1)'
check "an edited script changes behaviour" test "$out" = "$(printf 'edited\n1')"

cat >"$tmp/set/sxsfix/cmd/hello.lua" <<'EOF'
return { summary = "say hello", usage = "hello NAME",
  run = function(ctx, _, pos) print("hello " .. (pos[1] or "?")); return ctx.exit.issue end }
EOF
sed -i 's/^  { "run", "sxsfix.cmd.run" },$/&\n  { "hello", "sxsfix.cmd.hello" },/' "$tmp/set/sxsfix/cli.lua"
run --scripts "$tmp/set" hello admin
check "a command added by editing scripts runs" test "$out" = "hello admin"
check "the added command's exit code is used" test "$rc" = 1
run --scripts "$tmp/set" --help
check "the added command is in the usage" has "$out" "hello      say hello"

cp "$tmp/set/sxsfix/cli.lua" "$tmp/cli.lua.good"
printf 'local M = {\n' >"$tmp/set/sxsfix/cli.lua"
run --scripts "$tmp/set" version
check "a syntax error in the script set's cli.lua exits 4" test "$rc" = 4
check "the broken script is named" has "$err" "cli.lua"
printf 'return {}\n' >"$tmp/set/sxsfix/cli.lua"
run --scripts "$tmp/set" version
check "a cli.lua without main exits 4" test "$rc" = 4
cp "$tmp/cli.lua.good" "$tmp/set/sxsfix/cli.lua"

sed -i 's/api = [0-9]*,/api = 999,/' "$tmp/set/sxsfix/version.lua"
run --scripts "$tmp/set" eval 'print(1)'
check "a mismatched script set is bad input: exit 3" test "$rc" = 3
check "a mismatched script set is explained" has "$err" "script API 999"
check "a mismatched script set: the binary's API too" grep -q "implements API [0-9]" <<<"$err"

run --scripts "$tmp/nonexistent" version
check "--scripts on a missing folder exits 3" test "$rc" = 3

# --- a script's result table: verdict, summary, exit ------------------------------
printf 'return { verdict = "not-ready", summary = "1 check failed: disk", exit = 1, checks = { { id = "disk" } } }\n' >"$tmp/verdict.lua"
run --summary run "$tmp/verdict.lua"
check "run: a result table's verdict and summary make the --summary line" \
  bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -Eq "^NOT-READY [^ ]+ [^ ]+: 1 check failed: disk$" <<<"$1"' _ "$out"
check "run: a result table's exit is the exit code" test "$rc" = 1
run --json - run "$tmp/verdict.lua"
check "run: --json carries the verdict, the summary line, the exit code and the other fields" \
  test "$(jqv '[.verdict, (.summary | split(":")[0] | split(" ")[0]), .exit_code, .checks[0].id] | map(tostring) | join(" ")')" = "not-ready NOT-READY 1 disk"
printf 'return 0, { verdict = "ready", summary = "all good" }\n' >"$tmp/verdict2.lua"
run --summary run "$tmp/verdict2.lua"
check "run: code then table: the table's verdict and summary, the code's exit" \
  bash -c '[ "$2" = 0 ] && grep -Eq "^READY [^ ]+ [^ ]+: all good$" <<<"$1"' _ "$out" "$rc"
printf 'return 1\n' >"$tmp/plain.lua"
run --summary run "$tmp/plain.lua"
check "run: no result table: RUN NAME build: exit 1" bash -c 'grep -Eq "^RUN [^ ]+ [^ ]+: exit 1$" <<<"$1"' _ "$out"
printf 'return { verdict = 7 }\n' >"$tmp/badverdict.lua"
run run "$tmp/badverdict.lua"
check "run: a verdict that is not a word is a script error (exit 4) naming it" \
  bash -c '[ "$1" = 4 ] && grep -q "its result.s verdict is 7, expected a word" <<<"$2"' _ "$rc" "$err"
run --summary eval 'return { verdict = "checked", summary = "from eval", exit = 0 }'
check "eval: a result table makes the --summary line too" bash -c 'grep -Eq "^CHECKED [^ ]+ [^ ]+: from eval$" <<<"$1"' _ "$out"

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
