#!/usr/bin/env bash
# Benchmark: sxsfix expand against cabextract and bsdtar -x, in one run, on
#  1. one MSZIP cabinet shaped like a servicing stack payload (many component
#     folders, DLL-sized files, half incompressible and half repetitive, as
#     binaries are), generated deterministically (AES-CTR stream of a fixed
#     key);
#  2. 10,000 files of one byte in one folder (the per-file cost: create,
#     write, time, rename), as in tests/cli/test_hostile.sh;
# under ${TMPDIR:-/tmp}, never in the repository. Run by hand:
#   bench/expand.sh [path/to/sxsfix]      (default build/native/sxsfix)
#   SXSFIX_BENCH_MB=50 bench/expand.sh    (smaller data; default 220 MB)
#   SXSFIX_BENCH_RUNS=3                   (runs per tool; the best is kept)
#   SXSFIX_BENCH_EXE=build/windows/sxsfix.exe  also times the .exe under Wine
#                                         on case 2 (WINEPREFIX as test.sh sets it)
set -eu
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SX=${1:-$ROOT/build/native/sxsfix}
MB=${SXSFIX_BENCH_MB:-220}
RUNS=${SXSFIX_BENCH_RUNS:-3}
WORK=${TMPDIR:-/tmp}/sxsfix-bench-expand-$MB
for t in gcab cabextract bsdtar openssl /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench: $t is needed (scripts/deps.sh)"; exit 1; }
done
[ -x "$SX" ] || { echo "bench: build sxsfix first (scripts/build.sh native)"; exit 1; }

# Deterministic bytes: N bytes of the AES-CTR stream starting at block OFF.
stream() {  # stream OFFSET_BLOCKS BYTES
  head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
    -iv "$(printf '%032x' "$1")" 2>/dev/null
}

cab=$WORK/payload.cab
if [ ! -f "$cab" ]; then
  echo "bench: generating a $MB MB servicing-stack-shaped payload in $WORK (once)"
  rm -rf "$WORK" && mkdir -p "$WORK/src"
  total=0 i=0 limit=$((MB * 1024 * 1024))
  pattern=$(printf 'MZ\x90 This program cannot be run in DOS mode. .text .rdata .data .pdata .rsrc .reloc %.0s' {1..40})
  while [ $total -lt $limit ]; do
    dir=$(printf 'amd64_microsoft-windows-servicingstack-%03d_31bf3856ad364e35_10.0.26100.5074_none_%016x' $i $((i * 2654435761)))
    mkdir -p "$WORK/src/$dir"
    for j in 0 1 2 3 4 5 6 7; do
      size=$(( (((i * 8 + j) * 7919) % 1800 + 60) * 1024 ))   # 60 KB .. 1.9 MB
      half=$((size / 2))
      { stream $((i * 8 + j)) $half; (yes "$pattern" || true) | head -c $((size - half)); } >"$WORK/src/$dir/f$j.dll"
      total=$((total + size))
    done
    i=$((i + 1))
  done
  (cd "$WORK/src" && find . -type f | sed 's|^\./||' | sort >"$WORK/list" &&
   gcab -c -z "$cab" $(cat "$WORK/list"))
  echo "bench: $i folders, $(wc -l <"$WORK/list") files, $((total / 1048576)) MiB -> $(( $(stat -c %s "$cab") / 1048576 )) MiB cab"
  rm -rf "$WORK/src"
fi

# measure NAME CMD...: the best wall time (s) and its peak RSS (KiB) over RUNS.
measure() {
  local name=$1; shift
  best_t= best_r=
  for ((r = 0; r < RUNS; r++)); do
    rm -rf "$WORK/out" && mkdir -p "$WORK/out"
    sync
    (cd "$WORK/out" && /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err") ||
      { echo "bench: $name failed:"; cat "$WORK/err"; exit 1; }
    read -r t m <"$WORK/time"
    if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t best_r=$m; fi
  done
  files=$(find "$WORK/out" -type f | wc -l)
  eval "T_$name=$best_t R_$name=$best_r F_$name=$files"
}

# table TITLE NAMES...: the measured tools side by side, as a ratio to the faster peer.
table() {
  local title=$1 n t r f; shift
  faster=$(awk "BEGIN{print ($T_cabextract < $T_bsdtar) ? $T_cabextract : $T_bsdtar}")
  printf '\n%s\n%-12s %9s %9s %12s %7s\n' "$title" tool "wall (s)" "x faster" "peak RSS MiB" files
  for n in "$@"; do
    eval "t=\$T_$n r=\$R_$n f=\$F_$n"
    printf '%-12s %9.2f %9.2f %12.1f %7d\n' "$n" "$t" "$(awk "BEGIN{print $t / $faster}")" \
      "$(awk "BEGIN{print $r / 1024}")" "$f"
  done
}

measure sxsfix "$SX" expand "$cab" "$WORK/out"
measure cabextract cabextract -q "$cab"
measure bsdtar bsdtar -xf "$cab"
table "1. servicing-stack payload: $(( $(stat -c %s "$cab") / 1048576 )) MiB MSZIP cab, best of $RUNS runs each" \
  sxsfix cabextract bsdtar
echo "(target: sxsfix <= 1.0x the faster peer, RSS <= 64 MiB)"

many=$WORK/many.cab
if [ ! -f "$many" ]; then
  mkdir -p "$WORK/many" && (cd "$WORK/many" && for i in $(seq 10000); do printf '%d' $((i % 10)) >"f$i.txt"; done &&
    ls | sort -V | xargs gcab -c "$many") && rm -rf "$WORK/many"
fi
measure sxsfix "$SX" expand "$many" "$WORK/out"
measure cabextract cabextract -q "$many"
measure bsdtar bsdtar -xf "$many"
names=(sxsfix cabextract bsdtar)
if [ -n "${SXSFIX_BENCH_EXE:-}" ]; then
  exe=$(cd "$(dirname "$SXSFIX_BENCH_EXE")" && pwd)/$(basename "$SXSFIX_BENCH_EXE")
  export WINEDEBUG=-all
  /usr/lib/wine/wine64 "$exe" --version >/dev/null 2>&1   # start the Wine server outside the timing
  measure sxsfix_exe /usr/lib/wine/wine64 "$exe" expand "$many" "$WORK/out"
  names+=(sxsfix_exe)
fi
table "2. 10,000 files of one byte in one folder, uncompressed cab, best of $RUNS runs each" "${names[@]}"
echo "(target: sxsfix <= 2x cabextract; sxsfix_exe, under Wine, <= 15 s)"
rm -rf "$WORK/out"
