#!/usr/bin/env bash
# Benchmark: `sxsfix report` over 10,000 generated machines' --json reports
# (plus 1,000 older ones as history), in each format, beside jq counting
# the verdicts of the same files (a smaller job: no validation, no
# newest-per-machine, no tables), in the same run. Then memory: the same
# machine count with files 20 times bigger must not need 20 times the
# memory (bounded by machines, not by bytes).
#   bench/report.sh                  10,000 machines
#   BENCH_MACHINES=2000 bench/report.sh
# Data goes under ${TMPDIR:-/tmp}; needs jq and GNU time.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SXSFIX=${SXSFIX:-$ROOT/build/native/sxsfix}
N=${BENCH_MACHINES:-10000}
RUNS=${BENCH_RUNS:-3}
[ -x "$SXSFIX" ] || { echo "bench: build first (scripts/build.sh native)"; exit 1; }
command -v jq >/dev/null || { echo "bench: jq is not installed"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is not installed"; exit 1; }

data=${TMPDIR:-/tmp}/sxsfix-bench-report-$N
if [ ! -f "$data/.done" ]; then
  echo "bench: generating $N machines' reports in $data"
  rm -rf "$data" && mkdir -p "$data"
  "$SXSFIX" run "$ROOT/bench/report-gen.lua" "$data/reports" "$N"
  touch "$data/.done"
fi
files=$(find "$data/reports" -name '*.json' | wc -l)
bytes=$(find "$data/reports" -name '*.json' -printf '%s\n' | awk '{ s += $1 } END { print s }')
echo "bench: $N machines, $files files, $((bytes / 1024 / 1024)) MiB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME CMD...: best wall and CPU (user+sys) of RUNS runs, and max RSS
measure() {
  local name=$1; shift
  local best_wall=999999 best_cpu=999999 rss=0
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %U %S %M' -o "$data/time" "$@" >/dev/null
    read -r wall user sys kb <"$data/time"
    cpu=$(echo "$user + $sys" | bc)
    best_wall=$(echo "if ($wall < $best_wall) $wall else $best_wall" | bc)
    best_cpu=$(echo "if ($cpu < $best_cpu) $cpu else $best_cpu" | bc)
    [ "$kb" -gt "$rss" ] && rss=$kb
  done
  printf '%s %s %s %s\n' "$name" "$best_wall" "$best_cpu" "$rss" >>"$data/results"
}

rm -f "$data/results"
jqpeer() { find "$data/reports" -name '*.json' -print0 | xargs -0 jq -r .verdict | sort | uniq -c; }
export -f jqpeer; export data
measure "jq (verdict counts only)" bash -c jqpeer
for f in text csv json html; do
  measure "sxsfix report --format $f" "$SXSFIX" report --format "$f" -o "$data/out.$f" "$data/reports"
done
a=$("$SXSFIX" report --format json "$data/reports" | jq -c '.verdicts | to_entries | map(select(.value > 0)) | sort_by(.key) | from_entries')
echo "bench: sxsfix verdicts (newest per machine): $a"

# Memory: $M machines, small files, then the same machines with 20x bigger files.
M=$(( N < 2000 ? N : 2000 ))
for scale in 1 20; do
  d=$data/mem-$scale
  if [ ! -d "$d" ]; then
    mkdir -p "$d"
    "$SXSFIX" eval '
      local fs, json = require "sxsfix.fs", require "sxsfix.json"
      local src, dst, m, scale = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4])
      for i = 1, m do
        local r = json.decode(fs.readfile(fs.join(src, string.format("site%02d", i % 17), string.format("PC-%05d.json", i))))
        local pad = json.array()
        for k = 1, scale * 10 do pad[k] = { signature = "x", file = "setupact.log", line = k, text = string.rep("0x80070003 ", 30) } end
        r.history = pad
        assert(fs.writefile(fs.join(dst, i .. ".json"), json.encode(r, { indent = true })))
      end' "$data/reports" "$d" "$M" "$scale"
  fi
  mb=$(( $(du -sk "$d" | cut -f1) / 1024 ))
  measure "memory: $M machines, ${mb} MiB of files" "$SXSFIX" report --format json -o "$data/out.mem" "$d"
done

echo
echo "| run | best wall (s) | best CPU user+sys (s) | max RSS (MiB) |"
echo "|---|---:|---:|---:|"
awk '{ rss = $NF; cpu = $(NF-1); wall = $(NF-2); $NF = ""; $(NF-1) = ""; $(NF-2) = "";
       sub(/ +$/, ""); printf "| %s | %.2f | %.2f | %.1f |\n", $0, wall, cpu, rss / 1024 }' "$data/results"
