#!/usr/bin/env bash
# Rollback under --root: a journal found in the image is input from the
# image, so every path it names (destination, backup) must lie inside the
# root. A planted journal whose destination is outside is refused (exit 3,
# one line naming the journal, the line and the path) and nothing changes.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$tmp"
mkdir -p img/Windows/WinSxS img/ProgramData/sxsfix/Backup s outside
printf 'planted' >s/victim.txt
# The planted journal: a copy into a folder outside the image, its backup
# and journal inside the image.
run copy s outside --backup img/ProgramData/sxsfix/Backup/20261207-203851
check "the planting copy exits 1 (copied)" test "$rc" = 1
check "the file outside the image exists" test -e outside/victim.txt
J=img/ProgramData/sxsfix/Backup/20261207-203851/journal.txt
run --root img rollback --trust-journal "$J"  # trusted: the boundary holds even then
check "a journal whose destination is outside --root is refused (3)" test "$rc" = 3
check "the file outside the image survives" test -e outside/victim.txt
check "the refusal names the journal" has "$err" "$J"
check "the refusal names the line" has "$err" ":3:"
check_posix "the refusal names the outside path" has "$err" "$(pwd -P)/outside"
check "the refusal is one line" test "$(printf '%s\n' "$err" | grep -c .)" = 1

# The backup folder outside the root, the destination inside: refused too.
mkdir -p img/Windows/dst
run copy s img/Windows/dst --backup bk-outside
check "the second planting copy exits 1" test "$rc" = 1
mv bk-outside/journal.txt img/ProgramData/sxsfix/Backup/j2.txt
run --root img rollback --trust-journal img/ProgramData/sxsfix/Backup/j2.txt
check "a journal whose backup is outside --root is refused (3)" test "$rc" = 3
check "the destination inside is untouched" test -e img/Windows/dst/victim.txt
check "the refusal names the backup's line" has "$err" ":4:"

# A journal entirely inside the root, vouched for (no repair history names
# it: test_rollback_trust.sh), is rolled back as before.
mkdir -p img/Windows/dst3
run copy s img/Windows/dst3 --backup img/ProgramData/sxsfix/Backup/inside
run --root img rollback --trust-journal img/ProgramData/sxsfix/Backup/inside/journal.txt
check "a journal inside --root is rolled back (0)" test "$rc" = 0
check "its copy is undone" test ! -e img/Windows/dst3/victim.txt
echo "rollback_root: $passed passed, $failed failed"
[ "$failed" = 0 ]
