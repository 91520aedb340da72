#!/usr/bin/env bash
# bench/ntfs.sh: copying the sample SSU's folders onto an NTFS volume
# mounted through ntfs-3g (-o permissions): sxsfix copy against cp -a and
# rsync -aAX, into fresh destinations on the same volume, ROUNDS rounds
# with the tools interleaved (median). The payload is repeated COPIES times so the run is measurable.
# ntfs-3g is slow; what matters is the ratio. Needs root and /dev/fuse.
#   COPIES=40 ROUNDS=5 bench/ntfs.sh
# Each run: wall seconds, CPU seconds (user + sys of the tool; ntfs-3g's
# own time is not in it) and peak memory; the median of ROUNDS of each.
# SXSFIX_BASE=BIN times another build (before/after) in the same run.
# Note: ntfs-3g does not list system.ntfs_acl, so cp -a and rsync -X never
# carry NT descriptors; sxsfix reads and sets them by name.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SXSFIX=${SXSFIX:-$ROOT/build/native/sxsfix}
COPIES=${COPIES:-40} ROUNDS=${ROUNDS:-5} BASE=${SXSFIX_BASE:-}
[ "$(id -u)" = 0 ] && [ -c /dev/fuse ] || { echo "bench: needs root and /dev/fuse"; exit 1; }
for t in mkntfs ntfs-3g rsync; do command -v $t >/dev/null || { echo "bench: $t is missing (scripts/deps.sh)"; exit 1; }; done
[ -x "$SXSFIX" ] || { echo "bench: build first (scripts/build.sh native)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sxsfix-bench.XXXXXX")
mnt=$work/mnt
cleanup() { mountpoint -q "$mnt" && umount "$mnt"; rm -rf "$work"; }
trap cleanup EXIT

bash "$ROOT/scripts/sample-image.sh" "$work/img" >/dev/null
src=$work/src
mkdir -p "$src"
for i in $(seq 1 "$COPIES"); do
  for d in "$work"/img/ssu/amd64-10.0.26100.5074/payload/*/; do cp -a "$d" "$src/$(basename "$d").$i"; done
done
files=$(find "$src" -type f | wc -l) bytes=$(du -sb "$src" | cut -f1)

truncate -s 512M "$work/ntfs.img"
mkntfs -F -f -q "$work/ntfs.img" >/dev/null 2>&1
mkdir "$mnt"
ntfs-3g -o permissions "$work/ntfs.img" "$mnt" 2>/dev/null

# one_round NAME CMD...: one timed copy into a new folder, appended to
# $work/NAME.times as "wall cpu peak_MiB"
one_round() {
  local name=$1; shift
  local dst=$mnt/$name.$round
  mkdir "$dst"
  /usr/bin/time -o "$work/t" -f "%e %U %S %M" "$@" "$src" "$dst" >/dev/null 2>&1 || true
  tail -1 "$work/t" | awk '{ printf "%s %.2f %d\n", $1, $2 + $3, $4 / 1024 }' >>"$work/$name.times"
  sync
}
# median NAME: the round of median wall time
median() { sort -n "$work/$1.times" | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
sxcopy() { "$SXSFIX" copy --backup "$work/backup.$RANDOM$RANDOM" "$1/" "$2"; }
basecopy() { "$BASE" copy --backup "$work/backup.$RANDOM$RANDOM" "$1/" "$2"; }
cpa() { cp -a "$1/." "$2/"; }
rsy() { rsync -aAX "$1/" "$2/"; }
export -f sxcopy basecopy cpa rsy
export SXSFIX BASE work

# the tools interleaved in each round, so that a change of load hits all
for round in $(seq 1 "$ROUNDS"); do
  one_round cp bash -c 'cpa "$0" "$1"'
  one_round rsync bash -c 'rsy "$0" "$1"'
  one_round sxsfix bash -c 'sxcopy "$0" "$1"'
  [ -z "$BASE" ] || one_round base bash -c 'basecopy "$0" "$1"'
  rm -rf "$mnt"/*."$round"  # room on the volume
done
r_cp=$(median cp) r_rs=$(median rsync) r_sx=$(median sxsfix)
[ -z "$BASE" ] || r_base=$(median base)
ratio() { echo "scale=2; $1 / $2" | bc; }
read -r w_cp c_cp m_cp <<<"$r_cp"
row() {
  local w c m; read -r w c m <<<"$2"
  printf '%-26s %8s %8s %9s %9s %8s\n' "$1" "$w" "$c" "$m" "$(ratio "$w" "$w_cp")" "$(ratio "$c" "$c_cp")"
}
echo "Copy of $files files ($((bytes / 1024)) KiB, $COPIES x the sample SSU's folders) onto ntfs-3g; median of $ROUNDS"
printf '%-26s %8s %8s %9s %9s %8s\n' tool "wall s" "cpu s" "peak MiB" "wall/cp" "cpu/cp"
row "cp -a" "$r_cp"
row "rsync -aAX" "$r_rs"
row "sxsfix copy (verified)" "$r_sx"
[ -z "$BASE" ] || row "SXSFIX_BASE copy" "$r_base"
