#!/usr/bin/env bash
# sxsfix copy when the destination already holds the same bytes: a file
# whose size and contents match but whose time differs is "same" (left as
# it is, nothing replaced, verification passes); a run with nothing to do
# makes no backup folder and no journal; --threads takes 1 to 8.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
finish() { echo "test_copy_same: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }

cd "$tmp"
mkdir -p s d tmpd
printf 'same bytes' >s/a.dll
printf 'same bytes' >d/a.dll
touch -d '2024-05-06 07:08:09' s/a.dll
touch -d '2001-02-03 04:05:06' d/a.dll
before=$(stat -c %Y d/a.dll)

run copy --list s d
check "--list shows no Changed line" bash -c '! grep -q Changed <<<"$0"' "$out"
TMPDIR=$tmp/tmpd TMP=$tmp/tmpd TEMP=$tmp/tmpd run copy s d
check "nothing to do: exit 0 (nothing copied)" test "$rc" = 0
check "the file is left as it is (its time too)" test "$(stat -c %Y d/a.dll)" = "$before"
check "no verification mismatch" bash -c '! grep -q Verify <<<"$0"' "$out"
check "no journal is named" bash -c '! grep -q Journal: <<<"$0"' "$out"
# (Wine keeps its own server folder in TMPDIR: only sxsfix's names count.)
check "no temporary backup folder is made" bash -c '! ls -A tmpd | grep -q sxsfix'
run copy s d --backup bk
check "with --backup: exit 0" test "$rc" = 0
check "with --backup: the folder is not created" test ! -e bk

printf 'other byte' >s/a.dll   # same size, other contents
touch -d '2024-05-06 07:08:09' s/a.dll
run copy s d --backup bk2
check "same size, other contents: copied (exit 1)" test "$rc" = 1
check "it is listed as changed" has "$out" "Changed"
check "the contents are the source's" cmp s/a.dll d/a.dll
check "its backup and journal are made" test -f bk2/journal.txt

for bad in 0 9 x; do
  run copy --threads "$bad" s d --backup bk3
  check "--threads $bad is refused (fatal bit 16)" test "$rc" = 16
done
run copy --threads 2 s d --backup bk4
check "--threads 2 works (nothing to do: exit 0)" test "$rc" = 0
finish
