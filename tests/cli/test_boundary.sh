#!/usr/bin/env bash
# The --root boundary: under --root DIR nothing outside DIR is read for a
# decision or written. Links on the mounted volume that lead out of DIR
# (ntfs-3g shows junctions as symlinks too) are refused, naming the link;
# links that stay inside DIR are followed as before.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4
if [ -n "$EMU" ]; then
  # Wine 8 shows a Unix symlink as the folder it points to (no reparse
  # point), so no link can be planted for the .exe to see.
  echo "SKIP: Wine presents Unix symlinks as plain folders; links are tested natively"
  exit 77
fi

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
fresh() { rm -rf "$tmp/$1" "$tmp/$1-out"; cp -a "$tmp/img/root" "$tmp/$1"; mkdir "$tmp/$1-out"; echo "$tmp/$1"; }
empty() { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }

# --- a WinSxS stack folder replaced by a link to a folder outside the root ----
# (before: every DLL went to the outside folder, exit 0, "Retry the upgrade now.")
r=$(fresh stacklink)
rmdir "$r/Windows/WinSxS/$STACK"
ln -s "$r-out" "$r/Windows/WinSxS/$STACK"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply
check "stack folder linked outside: repair refuses (exit 3)" test "$rc" = 3
check "stack folder linked outside: nothing written outside the root" empty "$r-out"
check "stack folder linked outside: names the link" has "$err" "WinSxS/$STACK"
check "stack folder linked outside: says it leads out of --root" has "$err" "outside --root"
check "stack folder linked outside: no 'Retry the upgrade'" bash -c '! grep -q "Retry the upgrade" <<<"$1"' _ "$out"
run --root "$r" diagnose
check "stack folder linked outside: diagnose does not call it healthy" test "$rc" != 0

# --- the same through a parent: WinSxS itself is a link to a copy outside ----
r=$(fresh sxslink)
cp -a "$r/Windows/WinSxS/." "$r-out/"
rm -rf "$r/Windows/WinSxS"
ln -s "$r-out" "$r/Windows/WinSxS"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply
check "WinSxS linked outside: repair refuses (exit 3)" test "$rc" = 3
check "WinSxS linked outside: the outside copy is untouched" empty "$r-out/$STACK"
check "WinSxS linked outside: names the link" has "$err" "Windows/WinSxS"

# --- a dangling link to a path outside: never created through the link ----
r=$(fresh dangling)
rmdir "$r/Windows/WinSxS/$STACK"
ln -s "$r-out/made-by-sxsfix" "$r/Windows/WinSxS/$STACK"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply
check "dangling link outside: repair refuses (exit 3)" test "$rc" = 3
check "dangling link outside: its target is not created" test ! -e "$r-out/made-by-sxsfix"

# --- the folders sxsfix writes: work, backup, logs, history ----------------------
r=$(fresh pdlink)
rmdir "$r/ProgramData"
ln -s "$r-out" "$r/ProgramData"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply
check "ProgramData linked outside: repair refuses (exit 3)" test "$rc" = 3
check "ProgramData linked outside: nothing written outside (no backup, log, history)" empty "$r-out"
check "ProgramData linked outside: the stack folder is untouched" empty "$r/Windows/WinSxS/$STACK"
r=$(fresh worklink)
ln -s "$r-out" "$r/sxsfix-work"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply
check "work folder linked outside: repair refuses (exit 3)" test "$rc" = 3
check "work folder linked outside: nothing expanded outside" empty "$r-out"

# --- read side: a log folder linked outside is not searched ---------------------
r=$(fresh loglink)
mv "$r/Windows/Logs/CBS" "$r-out/CBS"
ln -s "$r-out/CBS" "$r/Windows/Logs/CBS"
run --root "$r" grep -e 'TrustedInstaller' 'C:\Windows\Logs\CBS\CBS.log'
check "log folder linked outside: grep does not read it (exit 2)" test "$rc" = 2
check "log folder linked outside: names the link" has "$err" "Logs/CBS"

r=$(fresh hivelink)
mv "$r/Windows/System32/config" "$r-out/config"
ln -s "$r-out/config" "$r/Windows/System32/config"
run --root "$r" reg query 'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
check "hive folder linked outside: the hive is not read (exit != 0)" test "$rc" != 0
check "hive folder linked outside: names the link" has "$err" "System32/config"

# --- links that stay inside the root are followed as before ---------------------
r=$(fresh inside)
mv "$r/Windows/Logs/CBS" "$r/cbs-elsewhere"
ln -s ../../cbs-elsewhere "$r/Windows/Logs/CBS"
run --root "$r" grep -e 'TrustedInstaller' 'C:\Windows\Logs\CBS\CBS.log'
check "a link inside the root is followed (grep finds the log)" test "$rc" = 0
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply
check "a link inside the root: the repair still works (exit 0)" test "$rc" = 0

# --- but the stack folder itself is never written through a link -------------
r=$(fresh stackinside)
rmdir "$r/Windows/WinSxS/$STACK"
mkdir "$r/Windows/Elsewhere"
ln -s ../Elsewhere "$r/Windows/WinSxS/$STACK"
run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply
check "stack folder linked inside the root: repair refuses (exit 3)" test "$rc" = 3
check "stack folder linked inside the root: says it is a link" has "$err" "a link, not a folder"
check "stack folder linked inside the root: nothing written through it" empty "$r/Windows/Elsewhere"

echo "boundary: $passed passed, $failed failed"
[ "$failed" = 0 ]
