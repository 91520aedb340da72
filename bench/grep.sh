#!/usr/bin/env bash
# bench/grep.sh: sxsfix grep against ripgrep (rg) on two corpora and their
# UTF-16LE twins, generated deterministically under ${TMPDIR:-/tmp}:
#  - synthetic: a CBS.log-like file of generated lines;
#  - real: the CBS, DISM and setupact logs of ../shared/testdata/logs
#    concatenated up to the size asked for (BOMs dropped).
# Both have the signature lines planted at the same places. Each case runs
# fixed strings and the article's regexes, with line numbers (rg -n) and
# with counts (rg -c). Times are hyperfine's minimum of SXSFIX_BENCH_RUNS
# runs (the minimum is the least disturbed by other load on the machine);
# rg runs twice, as it is (it maps a single file with mmap) and with
# --no-mmap (it reads, as sxsfix does; where page faults are dear, as in
# some VMs, that is much the faster), and the ratio is to the faster; the
# UTF-8 file and its UTF-16LE twin are timed in the same hyperfine run,
# for the u16/u8 ratio; "cpu" is the mean user + system time
# (less disturbed by other load than wall time); peak RSS and output lines
# come from one more run under /usr/bin/time.
#
# Then the dense CBS table ("cbs"): the CBS logs of ../shared/testdata/logs
# (every *CBS*.log there; they are UTF-8 or ASCII text, none is UTF-16 and
# none is inside a .cab; a UTF-16 one would be left out, and is named)
# concatenated and repeated to SXSFIX_BENCH_CBS_MIB (default 1024) in a
# temporary folder removed at the end: real CBS lines, where the
# literals' rare letters are not rare. It is searched with the six fixed
# strings of lua/sxsfix/signatures.lua ("sig") and the six short literals
# ("short"), -c and -n, on one core (taskset -c 0; rg -j1) and on two
# (both as they are: rg searches a single file on one thread, sxsfix cuts
# it into parts). With "realn" the real corpus gets the same table for -n.
# Each case is one hyperfine run of rg, rg --no-mmap, sxsfix and, with
# SXSFIX_BENCH_BEFORE=path/to/other/sxsfix, that build too (before/after
# in the same run): wall is the median (the machine is shared), cpu the
# mean user + system, RSS the peak of one more run; the ratios are to the
# faster rg of the same run.
#   bench/grep.sh [path/to/sxsfix]
#   SXSFIX_BENCH_SIZE=MiB (default 256), SXSFIX_BENCH_RUNS=N (default 5)
#   SXSFIX_BENCH_CORPORA="synthetic real cbs realn" (default all four)
#   SXSFIX_BENCH_KINDS="fixed regex short" (default "fixed regex"; short:
#   six short literals, the start of each signature, with -F: where rg's
#   own literal search is at its best)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sxsfix=${1:-$here/build/native/sxsfix}
size_mib=${SXSFIX_BENCH_SIZE:-256}
runs=${SXSFIX_BENCH_RUNS:-5}
corpora=${SXSFIX_BENCH_CORPORA:-synthetic real cbs realn}
cbs_mib=${SXSFIX_BENCH_CBS_MIB:-1024}
before=${SXSFIX_BENCH_BEFORE:-}
kinds=${SXSFIX_BENCH_KINDS:-fixed regex}
logs=${SXSFIX_TESTDATA:-$here/../shared/testdata}/logs
dir=${TMPDIR:-/tmp}/sxsfix-bench-grep
mkdir -p "$dir"
[ -x "$sxsfix" ] || { echo "bench: build sxsfix first (scripts/build.sh native)" >&2; exit 1; }
for t in rg hyperfine jq iconv taskset; do
  command -v $t >/dev/null || { echo "bench: $t is needed: scripts/deps.sh" >&2; exit 1; }
done

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
plant() {  # the signature lines, as they appear in the logs
  for s in "${sigs[@]}"; do printf '2024-01-01 12:00:00, Error                 SP     %s\r\n' "$s"; done
  printf '2024-01-01 12:00:00, Error                 DISM   Failed to open new session: (DISM_{12AB-34CD})\r\n'
}

gen_synthetic() {  # FILE: 1 MiB of generated lines, repeated, planted 4 times
  gen_chunk >"$dir/chunk"
  for ((i = 1; i <= size_mib; i++)); do
    cat "$dir/chunk"
    if (( i % (size_mib / 4 + 1) == 0 )); then plant; fi
  done >"$1"
  rm -f "$dir/chunk"
}

gen_real() {  # FILE: the real logs (UTF-8, BOM dropped, each ending with a line end), repeated
  [ -d "$logs" ] || { echo "bench: $logs is absent: no real corpus" >&2; return 1; }
  find "$logs" -type f \( -iname '*cbs*.log' -o -iname '*dism*.log' -o -iname '*setupact*.log' \) \
    | LC_ALL=C sort | while IFS= read -r f; do
      sed '1s/^\xef\xbb\xbf//' "$f"; [ -z "$(tail -c 1 "$f")" ] || printf '\r\n'
    done >"$dir/base"
  local base=$(stat -c %s "$dir/base") want=$((size_mib << 20)) n=0 i=0
  {
    while (( n + base <= want )); do
      cat "$dir/base"
      n=$((n + base)); i=$((i + 1))
      if (( i % ((want / base) / 4 + 1) == 0 )); then plant; fi
    done
    head -c $((want - n)) "$dir/base" | sed '$d'  # the rest, whole lines only
    plant
  } >"$1"
  rm -f "$dir/base"
}

corpus() {  # NAME -> sets u8, u16 (generated once)
  u8=$dir/$1-$size_mib.log
  u16=$dir/$1-$size_mib-utf16le.log
  if [ ! -s "$u8" ]; then
    echo "bench: generating $u8 ($size_mib MiB)" >&2
    gen_$1 "$u8.tmp" && mv "$u8.tmp" "$u8"
    rm -f "$u16"
  fi
  if [ ! -s "$u16" ]; then
    echo "bench: generating $u16" >&2
    { printf '\xff\xfe'; iconv -c -f UTF-8 -t UTF-16LE "$u8"; } >"$u16.tmp"  # -c: raw ANSI bytes dropped
    mv "$u16.tmp" "$u16"
  fi
}

fe=(); for s in "${sigs[@]}"; do fe+=(-e "$s"); done
re=(); for s in "${regexes[@]}"; do re+=(-e "$s"); done
se=(-e CDlpActionDriverMigrate -e 'Failed to bind the online' -e 'Process Drivers for Migration'
    -e 'MoSetupPlatform: Using' -e 'Setup phase change' -e 'Failed to create worker session')
q() { printf '%q ' "$@"; }

old=0; for c in $corpora; do case $c in synthetic|real) old=1 ;; esac; done
[ $old = 0 ] || echo "machine: $(nproc) cores, shared with other work (load $(cut -d' ' -f1-3 /proc/loadavg)); times are the minimum of $runs runs"
[ $old = 0 ] || printf '%-9s %-8s %-5s %-3s %7s %7s %7s %6s %7s %7s %6s %9s %6s %6s %6s %6s\n' corpus enc kind opt \
  "rg s" "rg* s" "sx s" ratio "rg cpu" "sx cpu" ratio u16/u8 "rg MiB" "sx MiB" "rg out" "sx out"
row() {  # CORPUS ENC KIND OPT J: the results J (rg), J+1 (rg --no-mmap), J+2 (sxsfix) of h.json
  local j=$5 rt rn st rc sc best bc rm sm ro so u=""
  rt=$(jq ".results[$j].min" "$dir/h.json"); rn=$(jq ".results[$((j + 1))].min" "$dir/h.json")
  st=$(jq ".results[$((j + 2))].min" "$dir/h.json")
  rc=$(jq "[.results[$j], .results[$((j + 1))]] | map(.user + .system) | min" "$dir/h.json")
  sc=$(jq ".results[$((j + 2))].user + .results[$((j + 2))].system" "$dir/h.json")
  best=$(echo "if ($rt < $rn) $rt else $rn" | bc -l)
  if [ "$2" != utf8 ]; then  # UTF-16LE to UTF-8, sxsfix: minimum wall time / mean cpu time
    u=$(printf '%.2f/%.2f' "$(echo "scale=4; $st / $(jq '.results[2].min' "$dir/h.json")" | bc)" \
      "$(echo "scale=4; $sc / $(jq '.results[2].user + .results[2].system' "$dir/h.json")" | bc)")
  fi
  /usr/bin/time -f %M -o "$dir/rss" bash -c "${cmds[$j]}" >"$dir/rg.out" 2>/dev/null || true
  rm=$(( $(tail -n 1 "$dir/rss") / 1024 ))
  /usr/bin/time -f %M -o "$dir/rss" bash -c "${cmds[$((j + 2))]}" >"$dir/sx.out" 2>/dev/null || true
  sm=$(( $(tail -n 1 "$dir/rss") / 1024 ))
  if [ "$4" = -c ]; then ro=$(cut -d: -f2- "$dir/rg.out" | awk -F: '{print $NF}'); so=$(awk -F: '{print $NF}' "$dir/sx.out")
  else ro=$(wc -l <"$dir/rg.out"); so=$(wc -l <"$dir/sx.out"); fi
  printf '%-9s %-8s %-5s %-3s %7.3f %7.3f %7.3f %5.2fx %7.3f %7.3f %5.2fx %9s %6s %6s %6s %6s\n' "$1" "$2" "$3" "$4" \
    "$rt" "$rn" "$st" "$(echo "scale=4; $st / $best" | bc)" "$rc" "$sc" "$(echo "scale=4; $sc / $rc" | bc)" \
    "${u:--}" "$rm" "$sm" "$ro" "$so"
}
for c in $corpora; do
  case $c in synthetic|real) ;; *) continue ;; esac
  corpus "$c" || continue
  cat "$u8" "$u16" >/dev/null  # into the page cache
  for kind in $kinds; do
    case $kind in
      fixed) pat=("${fe[@]}"); fo=(-F) ;;
      short) pat=("${se[@]}"); fo=(-F) ;;
      *) pat=("${re[@]}"); fo=() ;;
    esac
    for opt in -n -c; do
      cmds=()  # for each encoding: rg, rg --no-mmap, sxsfix; all six in one hyperfine run
      for f in "$u8" "$u16"; do
        cmds+=("$(q rg "$opt" -H "${fo[@]}" "${pat[@]}" "$f")" "$(q rg --no-mmap "$opt" -H "${fo[@]}" "${pat[@]}" "$f")"
               "$(q "$sxsfix" grep ${opt/-n/} "${fo[@]}" "${pat[@]}" "$f")")
      done
      hyperfine --shell=bash --runs "$runs" --warmup 1 -i --export-json "$dir/h.json" "${cmds[@]}" >/dev/null 2>&1
      row "$c" utf8 $kind $opt 0
      row "$c" utf16le $kind $opt 3
    done
  done
done
[ $old = 0 ] || echo "(rg: its default, which maps a single file with mmap; rg*: rg --no-mmap, reading as sxsfix does;"
[ $old = 0 ] || echo " ratio: sxsfix to the faster of the two; cpu: user + system, mean; u16/u8: sxsfix's time on the"
[ $old = 0 ] || echo " UTF-16LE twin to its time on the UTF-8 file in the same run, wall/cpu; out: lines printed with -n, the"
[ $old = 0 ] || echo " count with -c; rg transcodes UTF-16 from its BOM)"

# ---- the dense CBS table ----

gen_cbs() {  # FILE: the CBS logs (BOM dropped, each ending with a line end), repeated to cbs_mib
  [ -d "$logs" ] || { echo "bench: $logs is absent: no CBS corpus" >&2; return 1; }
  local used=0
  while IFS= read -r f; do
    if [ "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" = fffe ]; then
      echo "bench: $f is UTF-16: left out of the CBS corpus" >&2; continue
    fi
    sed '1s/^\xef\xbb\xbf//' "$f"; [ -z "$(tail -c 1 "$f")" ] || printf '\r\n'
    used=$((used + 1))
  done < <(find "$logs" -type f -iname '*cbs*.log' | LC_ALL=C sort) >"$1.base"
  echo "bench: CBS corpus: $used CBS logs, $(( $(stat -c %s "$1.base") >> 10 )) KiB, repeated to $cbs_mib MiB" >&2
  local base=$(stat -c %s "$1.base") want=$((cbs_mib << 20)) n=0
  {
    while (( n + base <= want )); do cat "$1.base"; n=$((n + base)); done
    head -c $((want - n)) "$1.base" | sed '$d'  # the rest, whole lines only
  } >"$1"
  rm -f "$1.base"
}

# The six fixed strings of the diagnosis (sxsfix.signatures, fixed = true,
# without the bare 0x80070003 that only counts next to other text).
sig=()
while IFS= read -r t; do sig+=(-e "$t"); done < <(lua5.4 -e '
  package.path = arg[1] .. "/lua/?.lua;" .. package.path
  for _, s in ipairs(require "sxsfix.signatures") do
    if s.fixed and not s.near then print(s.text) end
  end' "$here" 2>/dev/null || printf '%s\n' "${sigs[@]}")

vs_row() {  # LABEL FILE KIND OPT CORES: one hyperfine run, one line
  local label=$1 f=$2 kind=$3 opt=$4 cores=$5 pre=() rj=() pat=()
  if [ "$cores" = 1 ]; then pre=(taskset -c 0); rj=(-j1); fi
  if [ "$kind" = sig ]; then pat=("${sig[@]}"); else pat=("${se[@]}"); fi
  local sxo=(); [ "$opt" = -c ] && sxo=(-c)
  local cmds=("$(q "${pre[@]}" rg "${rj[@]}" "$opt" -H -F "${pat[@]}" "$f")"
              "$(q "${pre[@]}" rg "${rj[@]}" --no-mmap "$opt" -H -F "${pat[@]}" "$f")"
              "$(q "${pre[@]}" "$sxsfix" grep "${sxo[@]}" -F "${pat[@]}" "$f")")
  [ -z "$before" ] || cmds+=("$(q "${pre[@]}" "$before" grep "${sxo[@]}" -F "${pat[@]}" "$f")")
  hyperfine --shell=bash --runs "$runs" --warmup 1 -i --export-json "$dir/v.json" "${cmds[@]}" >/dev/null 2>&1
  local j=$dir/v.json w=() c=() m=() o=()
  for i in "${!cmds[@]}"; do
    w+=("$(jq ".results[$i].median" "$j")"); c+=("$(jq ".results[$i].user + .results[$i].system" "$j")")
    /usr/bin/time -f %M -o "$dir/rss" bash -c "${cmds[$i]}" >"$dir/out" 2>/dev/null || true
    m+=($(( $(tail -n 1 "$dir/rss") / 1024 )))
    if [ "$opt" = -c ]; then o+=("$(awk -F: '{s += $NF} END {print s + 0}' "$dir/out")"); else o+=("$(wc -l <"$dir/out")"); fi
  done
  local bw=$(echo "if (${w[0]} < ${w[1]}) ${w[0]} else ${w[1]}" | bc -l)
  local bc_=$(echo "if (${c[0]} < ${c[1]}) ${c[0]} else ${c[1]}" | bc -l)
  local line
  line=$(printf '%-6s %-5s %-3s %5s | %6.3f %6.3f %6.3f %6.3f %5s | %6.3f %6.3f %5.2fx %5.2fx' "$label" "$kind" "$opt" "$cores" \
    "${w[0]}" "${c[0]}" "${w[1]}" "${c[1]}" "${m[0]}/${m[1]}" "${w[2]}" "${c[2]}" \
    "$(echo "scale=4; ${w[2]} / $bw" | bc)" "$(echo "scale=4; ${c[2]} / $bc_" | bc)")
  if [ -n "$before" ]; then
    line+=$(printf ' | %6.3f %6.3f %5.2fx %5.2fx' "${w[3]}" "${c[3]}" "$(echo "scale=4; ${w[3]} / $bw" | bc)" "$(echo "scale=4; ${c[3]} / $bc_" | bc)")
  fi
  line+=$(printf ' | %5s MiB | out %s' "${m[2]}${before:+/${m[3]}}" "${o[*]}")
  echo "$line"
}

vs_head() {
  echo "side by side (wall: median of $runs runs; cpu: mean user + system; RSS: one run; load $(cut -d' ' -f1-3 /proc/loadavg)):"
  local h; h=$(printf '%-6s %-5s %-3s %5s | %6s %6s %6s %6s %5s | %6s %6s %6s %6s' corpus kind opt cores \
    "rg s" "rg cpu" "rg* s" "rg*cpu" "RSS" "sx s" "sx cpu" "wall" "cpu")
  [ -z "$before" ] || h+=$(printf ' | %6s %6s %6s %6s' "sx0 s" "sx0cpu" "wall" "cpu")
  echo "$h | sx RSS | out (rg rg* sx${before:+ sx0})"
}

vs_done=0
for c in $corpora; do
  case $c in
    cbs)
      tmp=$(mktemp -d "${TMPDIR:-/tmp}/sxsfix-bench-cbs.XXXXXX")
      trap 'rm -rf "$tmp"' EXIT
      gen_cbs "$tmp/cbs.log" || continue
      cat "$tmp/cbs.log" >/dev/null
      [ $vs_done = 1 ] || vs_head; vs_done=1
      for kind in sig short; do for opt in -c -n; do for cores in 1 2; do
        vs_row cbs "$tmp/cbs.log" $kind $opt $cores
      done; done; done
      rm -rf "$tmp" ;;
    realn)
      corpus real || continue
      [ $vs_done = 1 ] || vs_head; vs_done=1
      for kind in sig short; do for cores in 1 2; do vs_row real "$u8" $kind -n $cores; done; done ;;
  esac
done
if [ $vs_done = 1 ]; then
  echo "(rg: as it is, mmap; rg*: --no-mmap; RSS: rg/rg*; wall, cpu: sxsfix's to the faster rg of the row;"
  echo " sx0: SXSFIX_BENCH_BEFORE, the build before; out: the count with -c, lines printed with -n)"
fi
