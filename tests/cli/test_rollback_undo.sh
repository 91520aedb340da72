#!/usr/bin/env bash
# Undo that is easy to find: rollback takes the backup folder repair prints
# (BACKUP/<time>, holding 1/journal.txt ...) or a copy's --backup folder,
# and --last (the newest BACKUP/<time> folder of the installation).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$tmp"
B=img/ProgramData/sxsfix/Backup
mkdir -p img/Windows/WinSxS "$B" s img/Windows/d1 img/Windows/d2
printf 'one' >s/one.txt
# A copy's --backup folder: rollback of the folder finds journal.txt in it.
run copy s img/Windows/d1 --backup bk
run rollback bk
check "rollback of a copy's --backup folder exits 0" test "$rc" = 0
check "its copy is undone" test ! -e img/Windows/d1/one.txt
# A repair's folder: two journals, 1/ and 2/, undone newest first.
mkdir -p "$B/20261207-203851"
run copy s img/Windows/d1 --backup "$B/20261207-203851/1"
run copy s img/Windows/d2 --backup "$B/20261207-203851/2"
run rollback "$B/20261207-203851"
check "rollback of a repair's backup folder exits 0" test "$rc" = 0
check "its first journal is undone" test ! -e img/Windows/d1/one.txt
check "its second journal is undone" test ! -e img/Windows/d2/one.txt
check "the counts add up over both journals" has "$out" "removed 2"
# --last: the newest <time> folder under --root's backup folder.
mkdir -p "$B/20261208-101010"
run copy s img/Windows/d2 --backup "$B/20261208-101010/1"
run --root img rollback --trust-journal --last  # made by copy: no repair history names it
check "rollback --last exits 0" test "$rc" = 0
check "rollback --last undoes the newest repair" test ! -e img/Windows/d2/one.txt
# A folder with no journal: one line, exit 3.
mkdir -p empty
run rollback empty
check "a folder without a journal is refused (3)" test "$rc" = 3
check "the refusal names the folder" has "$err" "empty: no journal"
run --root "$tmp/s" rollback --last
check "--last without any backup folder is refused (3)" test "$rc" = 3
echo "rollback_undo: $passed passed, $failed failed"
[ "$failed" = 0 ]
