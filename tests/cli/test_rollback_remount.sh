#!/usr/bin/env bash
# A repair's undo with the Windows volume mounted somewhere else than during
# the repair (another rescue system's /media/..., another drive letter): the
# journal records the --root it was written under, and a rollback under
# another root reads its paths there. A recorded root above the new one,
# or a path that leaves the new root once mapped, is refused.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4

sample_image "$tmp/img"
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
noreg_under_wine
SEC=(); [ -z "$EMU" ] || SEC=(--security source)
# The Windows folder as a listing with modes and sizes, and its contents.
# Wine keeps no POSIX modes (a folder it restores reads 775): there the
# listing leaves them out.
fmt='%p %y %m %s\n'; [ -z "$EMU" ] || { fmt='%p %y %s\n'; echo "note: under Wine the listing leaves POSIX modes out"; }
tree_of() { (cd "$1/Windows" && find . -printf "$fmt" | sort && find . -type f -exec cat {} + | md5sum); }
repair() { run --root "$1" "${CFG[@]}" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply "${SEC[@]}"; }

cp -a "$tmp/img/root" "$tmp/a"
before=$(tree_of "$tmp/a")
repair "$tmp/a"
check "repair under the first mount point: exit 0" test "$rc" = 0
check "the journal records the root it was written under" grep -q '^mount ' "$tmp"/a/ProgramData/sxsfix/Backup/*/1/journal.txt
mv "$tmp/a" "$tmp/b"  # the volume, mounted elsewhere
run --root "$tmp/b" "${CFG[@]}" rollback --last
check "rollback --last under another mount point: exit 0" test "$rc" = 0
check "it restores the Windows folder exactly" test "$(tree_of "$tmp/b")" = "$before"

# Repaired under b, undone as FOLDER under c; then, under d, the history
# line that rollback wrote under c still vouches for the journal.
sleep 1  # a new backup folder's name (its time to the second)
repair "$tmp/b"
check "repair under the second mount point: exit 0" test "$rc" = 0
folder=$(cd "$tmp/b/ProgramData/sxsfix/Backup" && ls | sort | tail -1)
mv "$tmp/b" "$tmp/c"
run --root "$tmp/c" "${CFG[@]}" rollback "$tmp/c/ProgramData/sxsfix/Backup/$folder"
check "rollback FOLDER under another mount point: exit 0" test "$rc" = 0
check "it restores the Windows folder exactly" test "$(tree_of "$tmp/c")" = "$before"
check "the rollback names the journal in the history as repair does (below %ProgramData%)" \
  grep -q "rolled back .* | journal %ProgramData%.sxsfix.Backup.$folder.1.journal.txt sha256:" "$tmp/c/ProgramData/sxsfix/repairs.log"
mv "$tmp/c" "$tmp/d"
run --root "$tmp/d" "${CFG[@]}" rollback --last
check "a second undo under a third mount point finds the rollback's history line: exit 0" test "$rc" = 0
check "and changes nothing" has "$out" "restored 0, removed 0"

# A rollback line that names the journal by its path under the mount point
# of the repair (as an older sxsfix wrote it) still vouches for it there.
sleep 1
repair "$tmp/d"
check "repair under the third mount point: exit 0" test "$rc" = 0
folder=$(cd "$tmp/d/ProgramData/sxsfix/Backup" && ls | sort | tail -1)
run --root "$tmp/d" "${CFG[@]}" rollback --last
check "its undo there: exit 0" test "$rc" = 0
j=$(sed -n 's/^backup //p' "$tmp/d/ProgramData/sxsfix/Backup/$folder/1/journal.txt")/journal.txt
sed -i "\$s#| journal [^ ]*#| journal ${j//\\/\\\\}#" "$tmp/d/ProgramData/sxsfix/repairs.log"
check "the history's last line names the journal by its path under \$tmp/d" grep -qF "| journal $j " "$tmp/d/ProgramData/sxsfix/repairs.log"
mv "$tmp/d" "$tmp/f"
run --root "$tmp/f" "${CFG[@]}" rollback --last
check "a second undo under another mount point finds that line: exit 0" test "$rc" = 0
check "and changes nothing" has "$out" "restored 0, removed 0"

# The .exe: the volume as drive K: during the repair, L: at the undo (as
# WinPE may letter it), through letters of Wine's prefix.
dos=${WINEPREFIX:-}/dosdevices
if [ -n "$EMU" ] && [ -d "$dos" ] && [ ! -e "$dos/k:" ] && [ ! -e "$dos/l:" ]; then
  trap 'rm -rf "$tmp"; rm -f "$dos/k:" "$dos/l:"' EXIT
  cp -a "$tmp/img/root" "$tmp/k"
  ln -s "$tmp/k" "$dos/k:"; ln -s "$tmp/l" "$dos/l:"
  repair 'K:\'
  check "the .exe: repair under --root K:\\: exit 0" test "$rc" = 0
  check "the .exe: the journal records K:\\" grep -qx 'mount K:\\' "$tmp"/k/ProgramData/sxsfix/Backup/*/1/journal.txt
  mv "$tmp/k" "$tmp/l"
  run --root 'L:\' "${CFG[@]}" rollback --last
  check "the .exe: rollback --last under --root L:\\: exit 0" test "$rc" = 0
  check "the .exe: it restores the Windows folder exactly" test "$(tree_of "$tmp/l")" = "$before"
  rm -f "$dos/k:" "$dos/l:"
else
  skip "drive letters K: and L: for one volume: only for the .exe under Wine, with those letters free"
fi

# Attacks, with --trust-journal (the boundary holds even then).
mkdir -p "$tmp/s" "$tmp/outside"
printf 'keep' >"$tmp/s/victim.txt"
bk=$tmp/f/ProgramData/sxsfix/Backup
# A journal written under a folder above the new root: its copy into
# $tmp/outside would map to $tmp/f/outside.
run --root "$tmp" copy "$tmp/s" "$tmp/outside" --backup "$bk/above"
check "the planting copy under --root \$tmp exits 1 (copied)" test "$rc" = 1
mkdir -p "$tmp/f/outside"; printf 'keep' >"$tmp/f/outside/victim.txt"
run --root "$tmp/f" rollback --trust-journal "$bk/above/journal.txt"
check "a recorded root above the new root is refused (3)" test "$rc" = 3
check "the refusal names the mount record's line" has "$err" "journal.txt:5:"
check "the file outside the image survives" test -e "$tmp/outside/victim.txt"
check "the file at the mapped place survives" test -e "$tmp/f/outside/victim.txt"
# The same journal with the file system's root recorded.
top=/; [ -z "$EMU" ] || top=$(sed -n 's/^dst \([A-Za-z]:\\\).*/\1/p' "$bk/above/journal.txt")
sed -i "5s|^mount .*|mount ${top//\\/\\\\}|" "$bk/above/journal.txt"
check "the journal now records '$top'" grep -qxF "mount $top" "$bk/above/journal.txt"
run --root "$tmp/f" rollback --trust-journal "$bk/above/journal.txt"
check "a recorded root '$top' is refused (3)" test "$rc" = 3
check "the file outside the image survives" test -e "$tmp/outside/victim.txt"
check "the file at the mapped place survives" test -e "$tmp/f/outside/victim.txt"

# A journal written under $tmp/e (then moved to f) whose destination leaves
# the root once mapped: through "..", through a link, by its case.
mkdir -p "$tmp/e/Windows/dst" "$tmp/e/ProgramData"
run --root "$tmp/e" copy "$tmp/s" "$tmp/e/Windows/dst" --backup "$tmp/e/ProgramData/j"
check "the copy under --root \$tmp/e exits 1 (copied)" test "$rc" = 1
mv "$tmp/e/ProgramData/j" "$bk/j"
j=$bk/j/journal.txt
dstline=$(sed -n 3p "$j")
mount=$(sed -n 's/^mount //p' "$j")
sed -i "3s|^dst .*|dst ${mount}/../outside|" "$j"
run --root "$tmp/f" rollback --trust-journal "$j"
check "a destination with '..' after the mapping is refused (3)" test "$rc" = 3
check "the file outside the image survives" test -e "$tmp/outside/victim.txt"
if [ -z "$EMU" ]; then
  ln -s "$tmp/outside" "$tmp/f/Windows/out"
  sed -i "3s|^dst .*|dst ${mount}/Windows/out|" "$j"
  run --root "$tmp/f" rollback --trust-journal "$j"
  check "a destination through a link out of the root after the mapping is refused (3)" test "$rc" = 3
  check "the file outside the image survives" test -e "$tmp/outside/victim.txt"
  rm "$tmp/f/Windows/out"
  # Case: /tmp/x/E is not /tmp/x/e on a case-sensitive file system.
  sed -i "3s|^dst .*|dst ${mount%/e}/E/Windows/dst|" "$j"
  run --root "$tmp/f" rollback --trust-journal "$j"
  check "a destination below the recorded root only by its case is refused (3)" test "$rc" = 3
  check "the refusal names it outside --root" has "$err" "lies outside --root"
  check "the file outside the image survives" test -e "$tmp/outside/victim.txt"
else
  skip "a link out of the root, and case: links and case-sensitive names need the POSIX build"
fi
# A journal without the mount record keeps the old rule: refused elsewhere.
sed -i "3s|^.*|$dstline|; 5d" "$j"
run --root "$tmp/f" rollback --trust-journal "$j"
check "a journal without the mount record, under another root, is refused (3)" test "$rc" = 3
check "the refusal says its destination lies outside --root" has "$err" "lies outside --root"
echo "rollback_remount: $passed passed, $failed failed"
[ "$failed" = 0 ]
