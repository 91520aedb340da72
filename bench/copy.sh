#!/usr/bin/env bash
# bench/copy.sh: sxsfix copy against cp -a and rsync -aAX on a generated
# WinSxS-like tree (FILES files in DIRS folders, TOTAL_MB of data, a user
# xattr on every file), all three in the same run; then `copy --list` (the
# plan) over PLAN_FILES files. Defaults are the issue's sizes; shrink with
#   FILES=5000 DIRS=250 TOTAL_MB=256 PLAN_FILES=20000 bench/copy.sh
# SXSFIX_BASE=BIN also times another build on the same data, in the same
# run (a before/after ratio for a change to the engine): a new tree, then
# every file overwritten in place, in A B B A order, the mean of two each.
# Data goes under ${TMPDIR:-/tmp}; it is removed afterwards.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SXSFIX=${SXSFIX:-$ROOT/build/native/sxsfix}
FILES=${FILES:-20000} DIRS=${DIRS:-1000} TOTAL_MB=${TOTAL_MB:-1024} PLAN_FILES=${PLAN_FILES:-100000}
for t in rsync setfattr; do command -v $t >/dev/null || { echo "bench: $t is missing (scripts/deps.sh)"; exit 1; }; done
[ -x "$SXSFIX" ] || { echo "bench: build first (scripts/build.sh native)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sxsfix-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# tree ROOT NFILES NDIRS BYTES_PER_FILE [xattrs]
tree() {
  local per=$(( $2 / $3 )) d f
  head -c "$4" /dev/urandom >"$work/blob"
  for d in $(seq 1 "$3"); do
    mkdir -p "$1/amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.$d"
    for f in $(seq 1 "$per"); do
      cp "$work/blob" "$1/amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.$d/f$f.dll"
    done
  done
  if [ "${5:-}" = xattrs ]; then
    find "$1" -type f -print0 | xargs -0 -n 500 setfattr -n user.sxsfix.bench -v servicing
  fi
}

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }

echo "bench: generating $FILES files in $DIRS folders, $TOTAL_MB MiB, with xattrs"
tree "$work/src" "$FILES" "$DIRS" $(( TOTAL_MB * 1048576 / FILES )) xattrs
sync
t_cp=$(secs cp -a "$work/src" "$work/cp")
t_rs=$(secs rsync -aAX "$work/src/" "$work/rs/")
t_sx=$(secs "$SXSFIX" copy "$work/src" "$work/sx" --backup "$work/bk")
cmp <(cd "$work/src" && find . -type f | sort) <(cd "$work/sx" && find . -type f | sort) ||
  { echo "bench: sxsfix copy is incomplete"; exit 1; }
rm -rf "$work/cp" "$work/rs" "$work/sx" "$work/bk"
BASE=${SXSFIX_BASE:-}
if [ -n "$BASE" ]; then  # base and this build in A B B A order, after a sync each; the mean of two
  ab() {  # ab NAME BIN: a new tree, then every file overwritten in place
    sync; local a b; a=$(secs "$2" copy "$work/src" "$work/$1" --backup "$work/$1.bk1")
    find "$work/src" -type f -exec touch -d '2001-01-01' {} +
    sync; b=$(secs "$2" copy "$work/src" "$work/$1" --backup "$work/$1.bk2")
    find "$work/src" -type f -exec touch -d '2002-02-02' {} +
    rm -rf "$work/$1" "$work/$1.bk1" "$work/$1.bk2"
    echo "$a $b"
  }
  read -r b1 bo1 <<<"$(ab base "$BASE")"; read -r n1 no1 <<<"$(ab this "$SXSFIX")"
  read -r n2 no2 <<<"$(ab this "$SXSFIX")"; read -r b2 bo2 <<<"$(ab base "$BASE")"
  t_base=$(echo "($b1 + $b2) / 2" | bc -l) t_new=$(echo "($n1 + $n2) / 2" | bc -l)
  t_base_over=$(echo "($bo1 + $bo2) / 2" | bc -l) t_over=$(echo "($no1 + $no2) / 2" | bc -l)
fi
rm -rf "$work/src"

echo "bench: generating $PLAN_FILES small files for the plan"
tree "$work/plan" "$PLAN_FILES" $(( PLAN_FILES / 20 )) 16
cp -a "$work/plan" "$work/plan-dst"
t_plan=$(secs "$SXSFIX" copy --list "$work/plan" "$work/plan-dst")
if [ -n "$BASE" ]; then
  t_base_plan=$(secs "$BASE" copy --list "$work/plan" "$work/plan-dst")
  t_new_plan=$(secs "$SXSFIX" copy --list "$work/plan" "$work/plan-dst")
fi

best=$(echo "if ($t_cp < $t_rs) $t_cp else $t_rs" | bc)
printf '\n%-40s %10s %10s\n' "run" "seconds" "vs best"
printf '%-40s %10.2f %10.2f\n' "cp -a" "$t_cp" "$(echo "$t_cp / $best" | bc -l)"
printf '%-40s %10.2f %10.2f\n' "rsync -aAX" "$t_rs" "$(echo "$t_rs / $best" | bc -l)"
printf '%-40s %10.2f %10.2f\n' "sxsfix copy (backup, journal, verify)" "$t_sx" "$(echo "$t_sx / $best" | bc -l)"
printf '%-40s %10.2f %10s\n' "sxsfix copy --list, $PLAN_FILES files" "$t_plan" "(target < 1 s)"
echo "($FILES files, $DIRS folders, $TOTAL_MB MiB; targets: copy <= 1.0x the best, plan < 1 s)"
if [ -n "$BASE" ]; then
  printf '\n%-40s %10s %10s %10s\n' "this build vs SXSFIX_BASE" "base s" "this s" "ratio"
  printf '%-40s %10.2f %10.2f %10.2f\n' "copy (new tree)" "$t_base" "$t_new" "$(echo "$t_new / $t_base" | bc -l)"
  printf '%-40s %10.2f %10.2f %10.2f\n' "copy (overwrite every file in place)" "$t_base_over" "$t_over" "$(echo "$t_over / $t_base_over" | bc -l)"
  printf '%-40s %10.2f %10.2f %10.2f\n' "copy --list, $PLAN_FILES files" "$t_base_plan" "$t_new_plan" "$(echo "$t_new_plan / $t_base_plan" | bc -l)"
fi
