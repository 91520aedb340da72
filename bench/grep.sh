#!/usr/bin/env bash
# bench/grep.sh: sxsfix grep against ripgrep (rg) and GNU grep on a large
# CBS.log-like file and its UTF-16LE twin, generated deterministically under
# ${TMPDIR:-/tmp}. Prints wall times (best of SXSFIX_BENCH_RUNS), ratios to
# rg, peak RSS and the number of matching lines each tool printed.
#   bench/grep.sh [path/to/sxsfix]
#   SXSFIX_BENCH_SIZE=MiB (default 1024), SXSFIX_BENCH_RUNS=N (default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sxsfix=${1:-$here/build/native/sxsfix}
size_mib=${SXSFIX_BENCH_SIZE:-1024}
runs=${SXSFIX_BENCH_RUNS:-3}
dir=${TMPDIR:-/tmp}/sxsfix-bench-grep
mkdir -p "$dir"
u8=$dir/CBS-$size_mib.log
u16=$dir/CBS-$size_mib-utf16le.log
[ -x "$sxsfix" ] || { echo "bench: build sxsfix first (scripts/build.sh native)" >&2; exit 1; }
command -v rg >/dev/null || { echo "bench: ripgrep (rg) is needed: scripts/deps.sh" >&2; exit 1; }

# One MiB of CBS.log-like lines (fixed seed), repeated with a few planted
# signature lines, up to the size asked for.
gen_chunk() {
  awk 'BEGIN {
    srand(20240101)
    split("Info,Info,Info,Info,Warning,Error", lvl, ",")
    split("CBS,CBS,CBS,CSI,CSI,DPX,SQM", src, ",")
    split("Exec: Processing started.|Loaded Servicing Stack v10.0.22621.2567 with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.22621.2567_none_c4d3b6b8b1e8d3c7\\cbscore.dll|Session: 31079012_1942826487 initialized by client WindowsUpdateAgent, external staging directory: (null)|Read out cached package applicability for package: Package_for_KB5031455~31bf3856ad364e35~amd64~~22621.2506.1.7, ApplicableState: 112, CurrentState:112|Failed to get next element [HRESULT = 0x800f080d - CBS_E_MANIFEST_INVALID_ITEM]|Appl: detect Parent, Package: Microsoft-Windows-Client-Features-Package~31bf3856ad364e35~amd64~~10.0.22621.2506, Parent: Microsoft-Windows-Client-Desktop-Required-Package0417~31bf3856ad364e35~amd64~~10.0.22621.2506, Disposition = Detect, VersionComp: EQ, ServiceComp: EQ, BuildComp: EQ, DistributionComp: GE, RevisionComp: GE, Exist: present|Plan: Package: Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.2506.1.7, current: Staged, pending: Default, start: Staged, applicable: Installed, targeted: Installed, limit: Installed, selected: Default|Ending TrustedInstaller finalization.|SQM: Failed to start standard sample upload. [HRESULT = 0x80004005 - E_FAIL]|Warning: Unrecognized packageExtended attribute.|Mark store corruption flag because of package: Package_1_for_KB5031455~31bf3856ad364e35~amd64~~22621.2506.1.7. [HRESULT = 0x80070003 - ERROR_PATH_NOT_FOUND]|00000001@2024/1/1:12:00:00.123 {0xb5c} Creating NT transaction (seq 1), objectname [6]\"(null)\"", msg, "|")
    n = 0
    while (n < 1048576) {
      s = sprintf("2024-01-01 %02d:%02d:%02d, %-22s%-7s%s", int(rand()*24), int(rand()*60), int(rand()*60), lvl[int(rand()*6)+1], src[int(rand()*7)+1], msg[int(rand()*12)+1])
      if (rand() < 0.2) s = s " [" int(rand()*1e9) "]"
      print s "\r"
      n += length(s) + 2
    }
  }'
}
sigs=(
  "Failed to bind the online servicing stack - CDISMOSServiceManager::get_ServicingStackDirectory(hr:0x80070003)"
  "CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x80070003"
  "Operation failed: Process Drivers for Migration. Error: 0x80070003"
  "MoSetupPlatform: Using action error code: [0x80070003]"
  "Setup phase change: [SetupPhaseInstall] -> [SetupPhaseError]"
  "Failed to create worker session"
)
regexes=(
  'Failed to bind the online servicing stack.*hr:0x8007[0-9A-Fa-f]{4}'
  'CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x8007[0-9A-F]{4}'
  'Operation failed: Process Drivers for Migration\. Error: 0x[0-9A-F]{8}'
  'MoSetupPlatform: Using action error code: \[0x[0-9A-Fa-f]+\]'
  'Setup phase change: \[SetupPhaseInstall\] -> \[SetupPhase[A-Za-z]+\]'
  'Failed to open new session: \(DISM_\{[0-9A-F-]+\}\)'
)
if [ ! -s "$u8" ]; then
  echo "bench: generating $u8 ($size_mib MiB)" >&2
  gen_chunk >"$dir/chunk"
  {
    for ((i = 1; i <= size_mib; i++)); do
      cat "$dir/chunk"
      if (( i % (size_mib / 4 + 1) == 0 )); then
        for s in "${sigs[@]}"; do printf '2024-01-01 12:00:00, Error                 SP     %s\r\n' "$s"; done
        printf '2024-01-01 12:00:00, Error                 DISM   Failed to open new session: (DISM_{12AB-34CD})\r\n'
      fi
    done
  } >"$u8.tmp"
  mv "$u8.tmp" "$u8"
  rm -f "$dir/chunk" "$u16"
fi
if [ ! -s "$u16" ]; then
  echo "bench: generating $u16" >&2
  { printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE "$u8"; } >"$u16.tmp"
  mv "$u16.tmp" "$u16"
fi

# measure CMD...: best wall time (s), its peak RSS (MiB) and output lines
measure() {
  local best="" rss="" lines
  for ((r = 0; r < runs; r++)); do
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f "%e %M" -o "$dir/time" "$@" >"$dir/out" 2>/dev/null || true
      read -r t m < <(tail -n 1 "$dir/time")  # after "Command exited with non-zero status"
    else
      local s=$(date +%s.%N); "$@" >"$dir/out" 2>/dev/null || true
      t=$(echo "$(date +%s.%N) - $s" | bc); m=0
    fi
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; rss=$((m / 1024)); fi
  done
  lines=$(wc -l <"$dir/out")
  echo "$best $rss $lines"
}

fe=(); for s in "${sigs[@]}"; do fe+=(-e "$s"); done
re=(); for s in "${regexes[@]}"; do re+=(-e "$s"); done
cat "$u8" "$u16" >/dev/null  # into the page cache

printf '%-28s %-8s %9s %9s %8s %7s\n' "case ($size_mib MiB)" tool "wall s" "vs rg" "RSS MiB" lines
row() {  # row CASE TOOL RGTIME CMD...  (RGTIME "-": this is rg, measure it)
  local c=$1 tool=$2 rgt=$3; shift 3
  read -r t m l < <(measure "$@")
  [ "$rgt" = - ] && rgt=$t
  last_time=$t
  local ratio=$(echo "scale=2; $t / $rgt" | bc 2>/dev/null || echo "-")
  printf '%-28s %-8s %9s %9s %8s %7s\n' "$c" "$tool" "$t" "${ratio}x" "$m" "$l"
}
for kind in fixed regex; do
  for enc in utf8 utf16le; do
    f=$u8; [ $enc = utf16le ] && f=$u16
    if [ $kind = fixed ]; then pat=("${fe[@]}"); sxo=(-F); rgo=(-F); gro=(-F); else pat=("${re[@]}"); sxo=(); rgo=(); gro=(-E); fi
    row "$kind 6 patterns, $enc" rg - rg -n -H "${rgo[@]}" "${pat[@]}" "$f"
    rgt=$last_time
    row "$kind 6 patterns, $enc" sxsfix "$rgt" "$sxsfix" grep "${sxo[@]}" "${pat[@]}" "$f"
    if [ $enc = utf8 ]; then
      row "$kind 6 patterns, $enc" "grep" "$rgt" env LC_ALL=C grep -n -H "${gro[@]}" "${pat[@]}" "$f"
    fi
  done
done
echo "(GNU grep cannot read UTF-16; rg transcodes it from the BOM.)"
