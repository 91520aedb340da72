#!/usr/bin/env bash
# bench/diagnose.sh: `sxsfix --root R diagnose` end to end on a generated
# installation whose logs total SXSFIX_BENCH_DIAG_MIB MiB across 40 files
# (Panther setupact/MoSetup logs, DISM, CBS, rotated CbsPersist logs and
# CbsPersist cabs), against its peers in the same run: `rg -n` with the
# signatures over the same logs (the cab members given to rg already
# expanded, which favours rg) plus `find` over WinSxS for the servicing
# stack folders. Logs are the real CBS, DISM and setupact logs of
# ../shared/testdata/logs, concatenated, with the sample installation's own
# logs (scripts/sample-image.sh) at their ends. Times: hyperfine's minimum
# of SXSFIX_BENCH_RUNS runs; the machine may be shared. sxsfix runs twice:
# on every processor (one search thread each) and on one (taskset -c 0),
# which shows what the second core gives.
#   bench/diagnose.sh [path/to/sxsfix]
#   SXSFIX_BENCH_DIAG_MIB=MiB (default 512; the full case is 2048)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sxsfix=${1:-$here/build/native/sxsfix}
mib=${SXSFIX_BENCH_DIAG_MIB:-512}
runs=${SXSFIX_BENCH_RUNS:-3}
logs=${SXSFIX_TESTDATA:-$here/../shared/testdata}/logs
dir=${TMPDIR:-/tmp}/sxsfix-bench-diag-$mib
[ -x "$sxsfix" ] || { echo "bench: build sxsfix first (scripts/build.sh native)" >&2; exit 1; }
[ -d "$logs" ] || { echo "bench: $logs is absent" >&2; exit 1; }
for t in rg hyperfine jq gcab taskset; do
  command -v $t >/dev/null || { echo "bench: $t is needed: scripts/deps.sh" >&2; exit 1; }
done

root=$dir/img/root
panther=$root/'$WINDOWS.~BT'/Sources/Panther
cbs=$root/Windows/Logs/CBS
plain=$dir/plain  # what rg searches: the logs, cab members expanded
if [ ! -f "$dir/.done" ]; then
  echo "bench: generating $dir ($mib MiB of logs in 40 files)" >&2
  rm -rf "$dir"; mkdir -p "$dir"
  "$here/scripts/sample-image.sh" "$dir/img" >/dev/null
  find "$logs" -type f \( -iname '*cbs*.log' -o -iname '*dism*.log' -o -iname '*setupact*.log' \) \
    | LC_ALL=C sort | while IFS= read -r f; do
      sed '1s/^\xef\xbb\xbf//' "$f"; [ -z "$(tail -c 1 "$f")" ] || printf '\r\n'
    done >"$dir/base"
  each=$(( (mib << 20) / 40 ))
  fill() {  # FILE [ENDING]: about $each bytes of real lines, then ENDING's content
    local n=0 base=$(stat -c %s "$dir/base")
    { while (( n + base <= each )); do cat "$dir/base"; n=$((n + base)); done
      head -c $((each - n)) "$dir/base" | sed '$d'
      [ -z "${2:-}" ] || cat "$2"; } >"$1.new"
    mv "$1.new" "$1"
  }
  fill "$panther/setupact.log" "$panther/setupact.log"
  fill "$root/Windows/Logs/DISM/dism.log" "$root/Windows/Logs/DISM/dism.log"
  fill "$cbs/CBS.log" "$cbs/CBS.log"
  for i in $(seq -w 1 6); do fill "$panther/MoSetup_$i.log"; done             # 6
  for i in $(seq -w 1 19); do fill "$cbs/CbsPersist_202401010000$i.log"; done  # 19
  for i in $(seq -w 1 11); do                                                  # 11 cabs
    fill "$dir/CbsPersist_202402010000$i.log"
    (cd "$dir" && gcab -c -z "$cbs/CbsPersist_202402010000$i.cab" "CbsPersist_202402010000$i.log")
  done
  mkdir -p "$plain"
  cp "$panther"/*.log "$root"/Windows/Logs/DISM/dism.log "$cbs"/*.log "$dir"/CbsPersist_2024020*.log "$plain/"
  (cd "$dir" && gcab -x -C "$plain" "$cbs/CbsPersist_20241008100000.cab")
  rm -f "$dir/base" "$dir"/CbsPersist_2024020*.log
  touch "$dir/.done"
fi

# The signatures diagnose looks for (lua/sxsfix/signatures.lua), for rg.
sigs=(-e 'Operation failed: Process Drivers for Migration\. Error: 0x80070003'
  -e 'CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x80070003'
  -e 'MoSetupPlatform: Using action error code: \[0x80070003\]'
  -e 'Setup phase change: \[SetupPhaseInstall\] -> \[SetupPhaseError\]'
  -e 'Failed to open new session: \(DISM_\{[0-9A-Fa-f-]+\}\)'
  -e 'Failed to bind the online servicing stack - CDISMOSServiceManager::get_ServicingStackDirectory\(hr:0x80070003\)'
  -e 'Failed to create worker session' -e '0x80070003')
q() { printf '%q ' "$@"; }
sx=$(q "$sxsfix" --root "$root" diagnose)
sx1="taskset -c 0 $sx"
peer="$(q rg -n "${sigs[@]}" "$plain") >/dev/null; $(q find "$root/Windows/WinSxS" -maxdepth 1 -iname '*servicingstack*')"
rgonly="$(q rg -n "${sigs[@]}" "$plain")"
files=$(( $(find "$panther" "$root/Windows/Logs" -type f | wc -l) ))
size=$(du -sm "$plain" | cut -f1)
cat "$plain"/* "$cbs"/*.cab >/dev/null
hyperfine --shell=bash --runs "$runs" --warmup 1 -i --export-json "$dir/h.json" "$sx" "$peer" "$rgonly" "$sx1" >/dev/null 2>&1
st=$(jq '.results[0].min' "$dir/h.json"); pt=$(jq '.results[1].min' "$dir/h.json"); rt=$(jq '.results[2].min' "$dir/h.json")
s1=$(jq '.results[3].min' "$dir/h.json")
sc=$(jq '.results[0].user + .results[0].system' "$dir/h.json"); pc=$(jq '.results[1].user + .results[1].system' "$dir/h.json")
s1c=$(jq '.results[3].user + .results[3].system' "$dir/h.json")
echo "machine: $(nproc) cores, shared (load $(cut -d' ' -f1-3 /proc/loadavg)); minimum of $runs runs"
echo "installation: $files log files under $root ($size MiB of log text, 11 of them in cabs)"
printf '%-34s %8s %8s\n' command "wall s" "cpu s"
printf '%-34s %8.3f %8.3f\n' "sxsfix diagnose ($(nproc) cores)" "$st" "$sc"
printf '%-34s %8.3f %8.3f\n' "sxsfix diagnose (1 core)" "$s1" "$s1c"
printf '%-34s %8.3f %8.3f\n' "rg -n (signatures) + find WinSxS" "$pt" "$pc"
printf '%-34s %8.3f\n' "  of which rg -n alone" "$rt"
printf 'ratio sxsfix / peers: %.2fx wall, %.2fx cpu\n' "$(echo "scale=4; $st / $pt" | bc)" "$(echo "scale=4; $sc / $pc" | bc)"
