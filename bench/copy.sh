#!/usr/bin/env bash
# bench/copy.sh: sxsfix copy (backup, journal and verification on) against
# cp -a and rsync -aAX, side by side in one run:
#   gen   a generated WinSxS-like tree (FILES files in DIRS folders,
#         TOTAL_MB of data, a user xattr on every file), into a new folder
#   over  the same tree over an existing copy whose every file has other
#         contents of the same size (overwritten in place; sxsfix backs
#         each one up first)
#   real  the files of every cab in ../shared/testdata expanded
#         (cabextract), into a new folder; skipped when absent
# then `copy --list` (the plan) over PLAN_FILES small files.
# Each run is timed by /usr/bin/time: wall seconds, CPU seconds (user +
# sys) and peak memory (max RSS); ROUNDS rounds, the tools interleaved in
# each, and the median of each column is printed with its ratio to cp -a.
# SXSFIX_BASE=BIN times another build (before/after) in the same rounds.
#   TMPDIR=/dev/shm FILES=5000 DIRS=250 TOTAL_MB=164 ROUNDS=5 bench/copy.sh
# THREADS=N passes --threads N to sxsfix and SXSFIX_BASE (default: their own, one per
# processor). Data goes under ${TMPDIR:-/tmp}; it is removed afterwards.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SXSFIX=${SXSFIX:-$ROOT/build/native/sxsfix}
FILES=${FILES:-20000} DIRS=${DIRS:-1000} TOTAL_MB=${TOTAL_MB:-1024} PLAN_FILES=${PLAN_FILES:-100000}
ROUNDS=${ROUNDS:-3} BASE=${SXSFIX_BASE:-} THREADS=${THREADS:-}
TESTDATA=${TESTDATA:-$ROOT/../shared/testdata}
for t in rsync setfattr /usr/bin/time; do command -v $t >/dev/null || { echo "bench: $t is missing (scripts/deps.sh)"; exit 1; }; done
[ -x "$SXSFIX" ] || { echo "bench: build first (scripts/build.sh native)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sxsfix-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
thr=()
[ -z "$THREADS" ] || thr=(--threads "$THREADS")

# tree ROOT NFILES NDIRS BYTES_PER_FILE [xattrs] (one process writes them all)
tree() {
  head -c "$4" /dev/urandom >"$work/blob"
  perl -e 'my ($root, $n, $nd, $blob) = @ARGV; local $/; open(my $b, "<", $blob) or die; my $data = <$b>;
    my $per = int($n / $nd);
    for my $d (1 .. $nd) {
      my $dir = "$root/amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.$d";
      system("mkdir", "-p", $dir) == 0 or die;
      for my $f (1 .. $per) { open(my $o, ">", "$dir/f$f.dll") or die; print $o $data; close $o or die; }
    }' "$1" "$2" "$3" "$work/blob"
  if [ "${5:-}" = xattrs ]; then
    find "$1" -type f -print0 | xargs -0 -n 500 setfattr -n user.sxsfix.bench -v servicing
  fi
}

# run_tool TOOL SRC DST: one copy of SRC into DST by TOOL
run_tool() {
  case $1 in
    cp) cp -a "$2/." "$3/" ;;
    rsync) rsync -aAX "$2/" "$3/" ;;
    sxsfix) "$SXSFIX" copy "${thr[@]}" "$2" "$3" --backup "$3.bk" ;;
    base) "$BASE" copy "${thr[@]}" "$2" "$3" --backup "$3.bk" ;;
  esac
}

# timed CASE TOOL SRC DST: one timed run, appended to $work/CASE.TOOL as "wall cpu rss_kib"
timed() {
  sync
  /usr/bin/time -o "$work/t" -f "%e %U %S %M" bash -c "$(declare -f run_tool); $(declare -p SXSFIX BASE thr); run_tool \"\$@\"" _ "$2" "$3" "$4" >/dev/null 2>&1 || true
  tail -1 "$work/t" | awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' >>"$work/$1.$2"
}

# the same size, other contents: the first 16 bytes of every file rewritten
scramble() { find "$1" -type f -print0 | TAG=$2 perl -0ne 'chomp; open(my $f, "+<", $_) or die; print $f "sxsfix-bench-$ENV{TAG}"; close $f'; }

tools=(cp rsync sxsfix)
[ -z "$BASE" ] || tools+=(base)
cases=()

echo "bench: generating $FILES files in $DIRS folders, $TOTAL_MB MiB, with xattrs"
tree "$work/src" "$FILES" "$DIRS" $(( TOTAL_MB * 1048576 / FILES )) xattrs
cases+=(gen over)
for r in $(seq 1 "$ROUNDS"); do
  for t in "${tools[@]}"; do
    mkdir "$work/dst"; timed gen "$t" "$work/src" "$work/dst"
    [ "$t" != sxsfix ] || cmp <(cd "$work/src" && find . -type f | sort) <(cd "$work/dst" && find . -type f | sort) ||
      { echo "bench: sxsfix copy is incomplete"; exit 1; }
    scramble "$work/dst" "$r$t"
    rm -rf "$work/dst.bk"; timed over "$t" "$work/src" "$work/dst"
    cmp -s "$work/src/amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.1/f1.dll" \
      "$work/dst/amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.1/f1.dll" ||
      { echo "bench: $t did not overwrite"; exit 1; }
    rm -rf "$work/dst" "$work/dst.bk"
  done
done
rm -rf "$work/src"

if [ -d "$TESTDATA/cabs" ] && command -v cabextract >/dev/null; then
  echo "bench: expanding the cabs of $TESTDATA/cabs"
  n=0
  while IFS= read -r -d '' cab; do
    n=$((n + 1)); mkdir -p "$work/real/$n"
    cabextract -q -d "$work/real/$n" "$cab" >/dev/null 2>&1 || true
  done < <(find "$TESTDATA/cabs" -name '*.cab' -print0 | sort -z)
  find "$work/real" -type l -delete  # a traversal cab's links: not data
  echo "bench: real data: $(find "$work/real" -type f | wc -l) files, $(du -sm "$work/real" | cut -f1) MiB"
  cases+=(real)
  for r in $(seq 1 "$ROUNDS"); do
    for t in "${tools[@]}"; do mkdir "$work/dst"; timed real "$t" "$work/real" "$work/dst"; rm -rf "$work/dst" "$work/dst.bk"; done
  done
fi

echo "bench: generating $PLAN_FILES small files for the plan"
tree "$work/plan" "$PLAN_FILES" $(( PLAN_FILES / 20 )) 16
cp -a "$work/plan" "$work/plan-dst"
t_plan=$( { /usr/bin/time -f %e "$SXSFIX" copy --list "$work/plan" "$work/plan-dst" >/dev/null; } 2>&1 | tail -1)
[ -z "$BASE" ] || t_base_plan=$( { /usr/bin/time -f %e "$BASE" copy --list "$work/plan" "$work/plan-dst" >/dev/null; } 2>&1 | tail -1)

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { awk -v c="$2" '{ print $c }' "$work/$1" | median; }
ratio() { echo "scale=2; $1 / $2" | bc; }
printf '\n%-6s %-24s %8s %8s %8s %8s %8s\n' case tool "wall s" "cpu s" "peak MiB" "wall/cp" "cpu/cp"
for c in "${cases[@]}"; do
  cw=$(col "$c.cp" 1) cc=$(col "$c.cp" 2)
  for t in "${tools[@]}"; do
    w=$(col "$c.$t" 1) u=$(col "$c.$t" 2) m=$(col "$c.$t" 3 | cut -d. -f1)
    name=$t; [ "$t" = sxsfix ] && name="sxsfix (this build)"; [ "$t" = base ] && name="sxsfix (SXSFIX_BASE)"
    printf '%-6s %-24s %8s %8s %8s %8s %8s\n' "$c" "$name" "$w" "$u" "$((m / 1024))" "$(ratio "$w" "$cw")" "$(ratio "$u" "$cc")"
  done
done
echo "(median of $ROUNDS; $FILES files, $DIRS folders, $TOTAL_MB MiB; sxsfix with backup, journal and verification)"
printf '%-40s %10s %s\n' "sxsfix copy --list, $PLAN_FILES files" "$t_plan" "s (target < 1 s)"
[ -z "$BASE" ] || printf '%-40s %10s %s\n' "SXSFIX_BASE copy --list" "$t_base_plan" "s"
