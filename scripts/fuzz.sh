#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/fuzz_*.c, clang, ASan + UBSan) into
# build/fuzz and runs them:
#   scripts/fuzz.sh TARGET SECONDS    run one target (e.g. cab, or fuzz_cab)
#   scripts/fuzz.sh all SECONDS       run every target in turn
#   scripts/fuzz.sh build             only build
#   scripts/fuzz.sh run TARGET SECS   run one target without building
#   scripts/fuzz.sh list              the target names
# Seeds come from ../shared/testdata (read in place, when present) and from
# small generated files; the growing corpus is kept in build/fuzz/corpus/T.
# A crash leaves its input in build/fuzz/crashes/ and fails the run. Each
# run adds "target seconds runs result" to build/fuzz/stats.tsv and prints
# "fuzz TARGET: passed|failed (N runs in S s)".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$ROOT/build/fuzz
DATA=${SXSFIX_TESTDATA:-$ROOT/../shared/testdata}

build() {
  mkdir -p "$B"
  (cd "$ROOT" && cmake --preset fuzz) >"$B.configure.log" 2>&1 || { cat "$B.configure.log" >&2; return 1; }
  cmake --build "$B" -j "$(nproc)" >"$B.build.log" 2>&1 || { tail -40 "$B.build.log" >&2; return 1; }
  if grep -q "warning:" "$B.build.log"; then grep -A3 "warning:" "$B.build.log" >&2; fi
}

targets() { (cd "$ROOT/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//'); }

# Small generated seeds for the inputs testdata has none of.
gen_seeds() {
  local d=$B/seeds/$1
  rm -rf "$d"; mkdir -p "$d"
  local i=0 s
  case $1 in
    safename) for s in 'a\b.txt' 'x/y/' '..\..\evil' '/etc/passwd' 'C:\x' 'name:stream' 'CON.txt' \
                'amd64_x~31bf3856ad364e35~10.0.19041.1_none\f.dll' 'a. ' 'com1'; do
                printf '%s' "$s" >"$d/$((i++))"; done ;;
    winpath) for s in 'C:\Windows\WinSxS' '%SystemRoot%\..\..\x' '\\?\C:\Windows' '\\srv\share\x' \
               'c:/windows/./winsxs/../..' '%windir%\System32' 'D:\x' '%ProgramData%\Microsoft'; do
               printf '\001%s' "$s" >"$d/$((i++))"; printf '\003%s' "$s" >"$d/$((i++))"; done ;;
    journal) printf 'mkdir x 1:2\nnew x/a%%20b 1:3\ndone x/a%%20b 3:%%016x\nservice TrustedInstaller\noverwrite f 1\nunchanged f\ndirmeta  2\npending x/a%%20b 1:4 2\nundo 5\nend ok\n' 0 >"$d/1"
             printf 'new %%2E%%2E/sentinel 1:2\n' >"$d/2"; printf 'overwrite a%%zz 1\n' >"$d/3"
             printf 'create x/c\ncreatedir y\ncreatepending x/a 1\npending x/a 1:5 1\ncreatepending sentinel 2\n' >"$d/4"
             printf 'mount @/d\nnew x 1:2\n' >"$d/5"; printf 'mount /\nnew x 1:2\n' >"$d/6"; printf 'mount @/d/..\nnew x 1:2\n' >"$d/7" ;;
    rollback|hostile) for i in 1 2 3 4 5 6; do head -c $((40 + i * 30)) /dev/urandom >"$d/$i"; done ;;
    json) printf 'plain' >"$d/1"; printf 'caf\xe9 \xc3\xa9 \x00 \x01\x1f "\\ \xed\xa0\x80 \xf4\x90\x80\x80' >"$d/2" ;;
    config) printf '\001\000\002\003abc' >"$d/1"; head -c 64 /dev/urandom >"$d/2" ;;
    cab) command -v python3 >/dev/null && python3 - "$d" <<'PY'
import sys, zipfile
d = sys.argv[1]
with zipfile.ZipFile(d + "/logs.zip", "w") as z:   # a folder, a stored and a deflated log
    z.writestr("Panther/", "")
    z.writestr("Panther/setupact.log", "2023-05-22 12:48:44, Info CBS x\r\n" * 4)
    z.writestr(zipfile.ZipInfo("CBS/CBS.log"), "Loaded Servicing Stack\r\n" * 8, zipfile.ZIP_DEFLATED)
class Stream:   # not seekable: the entries are streamed (data descriptors)
    def __init__(self, f): self.f = f
    def write(self, b): return self.f.write(b)
    def flush(self): self.f.flush()
with open(d + "/streamed.zip", "wb") as f, zipfile.ZipFile(Stream(f), "w") as z:
    z.writestr("a.log", "hello\r\n")
PY
       ;;
    grep_prefilter) printf '\x00\x05\x02\x14\x02\x01\x00\x03\x01\xf0\x1b\xf0\x03' >"$d/1"
                    printf '\x31\x02\x03\x04\x05\x06\x01\x1f\x0a\x08\xe8\xf0\x19' >"$d/2" ;;
  esac
}

# run TARGET SECONDS -> 0 passed, 1 failed
run() {
  local t=${1#fuzz_} secs=$2 bin=$B/fuzz_${1#fuzz_} maxlen=65536 seeds=()
  [ -x "$bin" ] || { echo "fuzz $t: no such target (scripts/fuzz.sh list)"; return 1; }
  gen_seeds "$t"
  seeds+=("$B/seeds/$t")
  case $t in
    cab) [ -d "$DATA/cabs" ] && seeds+=("$DATA/cabs"); maxlen=262144 ;;
    authenticode) [ -d "$DATA/cabs/gcab" ] && seeds+=("$DATA/cabs/gcab"); maxlen=262144 ;;
    hive) [ -d "$DATA/hives" ] && seeds+=("$DATA/hives"); maxlen=524288 ;;
    textdec_grep|json) [ -d "$DATA/logs" ] && seeds+=("$DATA/logs") ;;
  esac
  mkdir -p "$B/corpus/$t" "$B/crashes"
  local log=$B/$t.log
  # the copy targets write trees and fsync their journals: in memory when possible
  local tmpdir=${TMPDIR:-/tmp}
  case $t in rollback|hostile) [ -d /dev/shm ] && [ -w /dev/shm ] && tmpdir=/dev/shm ;; esac
  (cd "$B" && TMPDIR=$tmpdir ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=$maxlen \
      -print_final_stats=1 -artifact_prefix="$B/crashes/$t-" \
      "$B/corpus/$t" "${seeds[@]}") >"$log" 2>&1
  local rc=$? runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo -e "$t\t$secs\t${runs:-0}\t$rc" >>"$B/stats.tsv"
  if [ $rc = 0 ]; then
    echo "fuzz $t: passed (${runs:-0} runs in ${secs} s)"
  else
    echo "fuzz $t: failed (exit $rc; see $log)"
    grep -E "ERROR|property broken|SUMMARY|Test unit written" "$log" | head -8 | sed 's/^/  /'
    return 1
  fi
}

case ${1:-} in
  build) build ;;
  list) targets ;;
  run) run "$2" "${3:-20}" ;;
  all) build || exit 1; fails=0
       for t in $(targets); do run "$t" "${2:-20}" || fails=$((fails + 1)); done
       [ $fails = 0 ] ;;
  ""|-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 3 ;;
  *) build || exit 1; run "$1" "${2:-20}" ;;
esac
