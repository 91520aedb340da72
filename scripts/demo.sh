#!/usr/bin/env bash
# The whole story on a generated broken Windows 11 24H2 installation:
# diagnose -> verify the update's signatures -> repair (plan) -> repair
# --apply -> diagnose. The sample's updates are signed by a test CA that
# sample-image.sh generates (OUT/ca/ca.pem, passed with --trust); its
# unsigned copy is refused.
#   scripts/demo.sh [DIR]     (default: a new temporary folder)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/deps.sh"
"$ROOT/scripts/build.sh" native >/dev/null
sx=$ROOT/build/native/sxsfix
dir=${1:-$(mktemp -d)}
"$ROOT/scripts/sample-image.sh" "$dir/sample"
root=$dir/sample/root
msu=$dir/sample/ssu/amd64-10.0.26100.5074/windows11.0-kb5043080-x64.msu
unsigned=$dir/sample/ssu/amd64-10.0.26100.5074/unsigned/windows11.0-kb5043080-x64.msu
trust=(--trust "$dir/sample/ca/ca.pem")

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
show() { step "sxsfix $*"; set +e; "$sx" "$@"; echo "(exit $?)"; set -e; }

show --root "$root" diagnose
show verify "${trust[@]}" "$msu"
show --root "$root" repair --ssu "$unsigned" --apply "${trust[@]}"
show --root "$root" repair --ssu "$msu" "${trust[@]}"
show --root "$root" repair --ssu "$msu" --apply "${trust[@]}"
show --root "$root" diagnose
echo
echo "The sample installation is in $root; the log of the repair is in"
echo "$root/ProgramData/sxsfix/Logs, its backup and journal in $root/ProgramData/sxsfix/Backup."
