#!/usr/bin/env bash
# Benchmark: count the non-empty *servicingstack* folders of a generated
# WinSxS-like folder, with sxsfix (fs.list + fs.isempty) and with find, in
# the same run. Names come from the real component names in
# ../shared/testdata/misc, varied deterministically (version and hash).
#   bench/dir.sh                 100,000 entries
#   BENCH_ENTRIES=20000 bench/dir.sh
# Data goes under ${TMPDIR:-/tmp}; needs hyperfine.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SXSFIX=${SXSFIX:-$ROOT/build/native/sxsfix}
N=${BENCH_ENTRIES:-100000}
NAMES=${SXSFIX_TESTDATA:-$ROOT/../shared/testdata}/misc/winsxs_component_dirnames_extracted_from_collected_logs.txt
[ -x "$SXSFIX" ] || { echo "bench: build first (scripts/build.sh native)"; exit 1; }
[ -f "$NAMES" ] || { echo "bench: $NAMES is absent"; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: hyperfine is not installed"; exit 1; }

data=${TMPDIR:-/tmp}/sxsfix-bench-dir-$N
ws=$data/Windows/WinSxS
if [ ! -f "$data/.done" ]; then
  echo "bench: generating $N entries in $ws"
  rm -rf "$data"
  mkdir -p "$ws"
  # name i: template (i mod #names) with the build's last field set to i,
  # so names are unique; every 3rd servicingstack folder is left empty,
  # every 10th entry is a file (manifests sit beside folders in WinSxS).
  (cd "$ws" && awk -v n="$N" '
    { t[k++] = $0 }
    END {
      for (i = 0; i < n; i++) {
        name = t[i % k]
        sub(/_[0-9a-f]+$/, "", name)
        name = sprintf("%s_%08x", name, i)
        if (i % 10 == 9) { print "f\t" name ".manifest"; continue }
        full = (name ~ /servicingstack/) && (i % 3 != 0)
        print (full ? "s" : "d") "\t" name
      }
    }' "$NAMES" | python3 -c '
import os, sys
for line in sys.stdin:
    kind, name = line.rstrip("\n").split("\t")
    if kind == "f":
        open(name, "w").close()
    else:
        os.mkdir(name)
        if kind == "s":
            open(os.path.join(name, "cbscore.dll"), "w").close()
')
  touch "$data/.done"
fi

lua='local fs = require "sxsfix.fs"
local n = 0
for _, name in ipairs(fs.list(arg[1], { match = "*servicingstack*", type = "dir" })) do
  if not fs.isempty(fs.join(arg[1], name)) then n = n + 1 end
end
print(n)'
a=$("$SXSFIX" eval "$lua" "$ws")
b=$(find "$ws" -mindepth 1 -maxdepth 1 -type d -iname '*servicingstack*' -not -empty | wc -l)
echo "bench: entries $N, non-empty servicingstack folders: sxsfix $a, find $b"
[ "$a" = "$b" ] || { echo "bench: the counts differ"; exit 1; }

hyperfine -N --warmup 3 --runs 20 --export-json "$data/result.json" \
  -n sxsfix "$SXSFIX eval '$lua' $ws" \
  -n find "find $ws -mindepth 1 -maxdepth 1 -type d -iname *servicingstack* -not -empty" >/dev/null
python3 - "$data/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
s, f = r["sxsfix"]["mean"], r["find"]["mean"]
print("| tool   | mean wall (ms) | stddev (ms) | ratio to find |")
print("|--------|---------------:|------------:|--------------:|")
for name in ("sxsfix", "find"):
    x = r[name]
    print("| %-6s | %14.1f | %11.1f | %13.2f |" % (name, x["mean"] * 1e3, x["stddev"] * 1e3, x["mean"] / f))
PY
