#!/usr/bin/env bash
# Settings and scripts run as code: an elevated sxsfix refuses --config FILE
# and --scripts DIR when someone other than root could change them (the
# file, anything in the scripts folder, or a folder above either), says
# why, and runs them anyway with --allow-unsafe-scripts and a warning.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ -n "$EMU" ]; then
  # Owners and modes are POSIX here; the Windows DACL checks are unit-tested
  # (torture_platform), and Wine keeps no descriptors to refuse.
  echo "SKIP: POSIX owners and modes; the Windows side is in unit.platform"
  exit 77
fi
[ "$(id -u)" = 0 ] || { echo "SKIP: an elevated run and giving files away need root"; exit 77; }
chmod 700 "$tmp"

refused() {  # refused WHAT NEEDLE
  check "$1: refused (exit 3)" test "$rc" = 3
  check "$1: says why" has "$err" "$2"
  check "$1: says how to go on anyway" has "$err" "--allow-unsafe-scripts"
}

# --- --config ------------------------------------------------------------------
mkdir -m 755 "$tmp/cfg"
echo 'signatures = { disable = { "nothing" } }' >"$tmp/cfg/site.lua"
chmod 644 "$tmp/cfg/site.lua"
run --config "$tmp/cfg/site.lua" version
check "config: root's own, 0644: accepted" test "$rc" = 0
chmod 664 "$tmp/cfg/site.lua"
run --config "$tmp/cfg/site.lua" version
refused "config writable by its group" "writable by its group"
chmod 646 "$tmp/cfg/site.lua"
run --config "$tmp/cfg/site.lua" version
refused "config writable by everyone" "writable by everyone"
chmod 644 "$tmp/cfg/site.lua"; chown nobody "$tmp/cfg/site.lua"
run --config "$tmp/cfg/site.lua" version
refused "config owned by nobody" "owned by user $(id -u nobody)"
chown root "$tmp/cfg/site.lua"; chown nobody "$tmp/cfg"
run --config "$tmp/cfg/site.lua" version
refused "config in a folder owned by nobody" "$tmp/cfg/: owned by user"
chown root "$tmp/cfg"; chmod 777 "$tmp/cfg"
run --config "$tmp/cfg/site.lua" version
refused "config in a folder everyone may write" "writable by everyone"
chmod 1777 "$tmp/cfg"
run --config "$tmp/cfg/site.lua" version
check "config in a sticky folder (as /tmp): accepted" test "$rc" = 0
chmod 755 "$tmp/cfg"
mkdir -m 755 "$tmp/nob" && chown nobody "$tmp/nob"
ln -s "$tmp/cfg/site.lua" "$tmp/nob/link.lua"
run --config "$tmp/nob/link.lua" version
refused "config through a link in a folder owned by nobody" "owned by user"
chmod 664 "$tmp/cfg/site.lua"
run --allow-unsafe-scripts --config "$tmp/cfg/site.lua" version
check "--allow-unsafe-scripts: runs (exit 0)" test "$rc" = 0
check "--allow-unsafe-scripts: warns" has "$err" "warning: --config"
if command -v setpriv >/dev/null; then
  chmod -R a+rX "$tmp"
  setpriv --reuid=65534 --regid=65534 --clear-groups "$SXSFIX" --config "$tmp/cfg/site.lua" version \
    >/dev/null 2>"$tmp/err"; rc=$?
  check "not elevated: nothing to gain, the config is used (exit 0)" test "$rc" = 0
  chmod 700 "$tmp"
else
  skip "not-elevated run: setpriv is missing"
fi
chmod 644 "$tmp/cfg/site.lua"

# --- --scripts -----------------------------------------------------------------
sx scripts export "$tmp/set" >/dev/null || { echo "export failed"; exit 1; }
chmod -R go-w "$tmp/set"
run --scripts "$tmp/set" version
check "scripts: root's own: accepted" test "$rc" = 0
f=$(find "$tmp/set" -name diagnose.lua | head -1)
chown nobody "$f"
run --scripts "$tmp/set" version
refused "scripts: one file owned by nobody" "diagnose.lua: owned by user"
chown root "$f"; chmod o+w "$(dirname "$f")"
run --scripts "$tmp/set" version
refused "scripts: a subfolder everyone may write" "writable by everyone"
chmod o-w "$(dirname "$f")"
ln -s /etc/hostname "$tmp/set/planted.lua"
run --scripts "$tmp/set" version
refused "scripts: a link inside" "planted.lua: is a symbolic link"
rm "$tmp/set/planted.lua"
chmod g+w "$tmp/set"
run --scripts "$tmp/set" version
refused "scripts: the folder itself writable by its group" "writable by its group"
run --scripts "$tmp/set" --allow-unsafe-scripts version
check "scripts, --allow-unsafe-scripts: runs (exit 0)" test "$rc" = 0
check "scripts, --allow-unsafe-scripts: warns" has "$err" "warning: --scripts"

echo "trust: $passed passed, $failed failed"
[ "$failed" = 0 ]
