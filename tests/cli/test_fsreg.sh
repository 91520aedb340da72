#!/usr/bin/env bash
# `sxsfix dir` and `sxsfix reg query`, Windows paths under --root, and the
# registry sources: hive files built here from tests/fixtures/software.reg
# (hivexregedit), every real hive in ../shared/testdata/hives, and under
# Wine the live registry written by `wine reg add`.
# Environment: SXSFIX, SXSFIX_EMULATOR, SXSFIX_SOURCE, SXSFIX_TESTDATA.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SRC=${SXSFIX_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
TD=${SXSFIX_TESTDATA:-}

# --- sxsfix dir, with a lower-case tree under --root -----------------------
vol=$tmp/vol
ws=$vol/windows/winsxs
mkdir -p "$ws/amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4" \
         "$ws/x86_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_4934933397b6fd8e" \
         "$ws/amd64_microsoft-windows-kernel32_31bf3856ad364e35_10.0.26100.1_none_0" "$ws/Манифесты"
touch "$ws/amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4/cbscore.dll" "$ws/pending.xml"

run --root "$vol" dir 'C:\Windows\WinSxS'
check "dir under --root exits 0" test "$rc" = 0
check "dir lists every entry, sorted" test "$(printf '%s\n' "$out" | wc -l)" = 5
check "dir shows Unicode names" has "$out" "Манифесты"
run --root "$vol" dir --match '*SERVICINGSTACK*' --type dir '%SystemRoot%\WinSxS'
check "dir --match is case-insensitive, --type dir" test "$out" = "$(printf '%s\n%s' \
  amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4 \
  x86_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_4934933397b6fd8e)"
run --root "$vol" dir --type file 'c:/windows/WINSXS'
check "dir --type file" test "$out" = "pending.xml"
run --root "$vol" dir 'C:\Windows\Missing'
check "dir of a missing folder exits 3" test "$rc" = 3
check "dir of a missing folder names it" has "$err" "Missing"
run --root "$vol" dir 'D:\x'
check "dir of another drive under --root exits 3" test "$rc" = 3
check "the drive error is explained" has "$err" "only the system drive"
run dir --type pipe "$vol"
check "dir --type with a bad value exits 3" test "$rc" = 3
run --root "$tmp/none" dir 'C:\'
check "--root on a missing folder exits 3" test "$rc" = 3
check "--root's error names the folder" has "$err" "$tmp/none"
run --root "$ws/pending.xml" dir 'C:\'
check "--root on a file exits 3" test "$rc" = 3

# --- hives -------------------------------------------------------------------
offline_ok=1
if [ -n "$EMU" ]; then
  offline_ok=0
  skip "offline hives on Windows (RegLoadAppKeyW): Wine 8 implements RegLoadAppKeyW as a stub returning a fake handle"
  # What Wine can show: a hive that cannot be loaded is one clear line naming
  # the file and the Win32 error, and RegLoadAppKeyW (which would create a
  # missing file) is never called on a missing one.
  run reg query 'HKLM\SOFTWARE\x' --hive "$tmp/no-such-hive"
  check "--hive missing file (Windows): exit 3" test "$rc" = 3
  check "--hive missing file (Windows): one line naming the file, RegLoadAppKeyW and the Win32 error" \
    bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -q "no-such-hive: cannot load the registry hive (RegLoadAppKeyW): .* (2)" <<<"$1"' _ "$err"
  check "--hive missing file (Windows): no traceback" test -z "$(grep -i traceback <<<"$err")"
  check "--hive missing file (Windows): the file is not created" test ! -e "$tmp/no-such-hive"
  mkdir -p "$tmp/hivedir"
  run reg query 'HKLM\SOFTWARE\x' --hive "$tmp/hivedir"
  check "--hive on a folder (Windows): one line naming it and the Win32 error" \
    bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -q "hivedir: cannot load the registry hive (RegLoadAppKeyW): .* (267)" <<<"$1"' _ "$err"
fi
if ! command -v hivexregedit >/dev/null; then
  offline_ok=0
  skip "hivexregedit (libwin-hivex-perl) is not installed: no SOFTWARE hive can be built"
fi
if [ -z "$TD" ] || [ ! -f "$TD/hives/hivex_images_minimal" ]; then
  offline_ok=0
  skip "test data hives are absent (../shared/testdata)"
fi

cbs='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Version'
ver=10.0.26100.5074
folder='%SystemRoot%\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4'
if [ "$offline_ok" = 1 ]; then
  cp "$TD/hives/hivex_images_minimal" "$tmp/SOFTWARE" && chmod u+w "$tmp/SOFTWARE"
  hivexregedit --merge --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$tmp/SOFTWARE" "$SRC/tests/fixtures/software.reg"
  mkdir -p "$vol/windows/system32/config"
  cp "$tmp/SOFTWARE" "$vol/windows/system32/config/software"  # lower case, as a case-sensitive mount may have it

  run --root "$vol" reg query "$cbs" /v "$ver"
  check "reg query /v under --root exits 0" test "$rc" = 0
  check "reg query prints the long key name" has "$out" 'HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Version'
  check "reg query shows REG_EXPAND_SZ unexpanded" has "$out" "    $ver    REG_EXPAND_SZ    $folder"
  run --root "$vol" reg query "$cbs"
  check "reg query KEY lists both versions" test "$(grep -c REG_EXPAND_SZ <<<"$out")" = 2
  run --root "$vol" reg query "$cbs" /v 10.0.1.1
  check "an absent value exits 1" test "$rc" = 1
  check "an absent value says so as reg.exe does" has "$err" "unable to find the specified registry key or value"
  run --root "$vol" reg query 'HKLM\SOFTWARE\NoSuchKey'
  check "an absent key exits 1" test "$rc" = 1
  run --root "$vol" reg query 'HKLM\SYSTEM\Setup'
  check "a missing hive file exits 3" test "$rc" = 3
  check "a missing hive file is named" has "$err" "config"
  run --root "$vol" reg query 'HKCU\Software'
  check "HKCU under --root exits 3" test "$rc" = 3

  run reg query 'sxsfix-test' --hive "$tmp/SOFTWARE"
  check "--hive: REG_SZ" has "$out" "    Text    REG_SZ    plain text"
  check "--hive: REG_DWORD in hex" has "$out" "    Count    REG_DWORD    0x2a"
  check "--hive: REG_QWORD" has "$out" "    Big    REG_QWORD    0x10000000000"
  check "--hive: REG_MULTI_SZ joined with \\0" has "$out" 'List    REG_MULTI_SZ    one\0two\0дерево'
  check "--hive: REG_BINARY as hex" has "$out" "    Blob    REG_BINARY    0001FEFF"
  check "--hive: the default value" has "$out" "    (Default)    REG_SZ    default value"
  check "--hive: a Unicode subkey is listed" has "$out" 'sxsfix-test\Ünïcödé ключ 日本'
  run reg query 'sxsfix-test' /ve --hive "$tmp/SOFTWARE"
  check "/ve reads the default value" has "$out" "(Default)    REG_SZ    default value"

  run --root "$vol" eval '
    local reg = require "sxsfix.reg"
    local fs = require "sxsfix.fs"
    local v, typ = reg.get(arg[1], arg[2])
    local x = reg.get(arg[1], arg[2], { expand = true })
    local h = { hive = "C:\\Windows\\System32\\config\\SOFTWARE" }
    local list = reg.get("sxsfix-test", "List", h)
    print(typ, v == arg[3], x, math.type(reg.get("sxsfix-test", "count", h)), reg.get("sxsfix-test", "Count", h),
      #list, list[3], reg.get("SXSFIX-TEST\\ÜNÏCÖDÉ КЛЮЧ 日本", "Name", h), select("#", reg.get(arg[1], "nope")),
      fs.isdir(x))' "$cbs" "$ver" "$folder"
  check "reg.get: typed values, expansion, case-insensitive Unicode key names" test "$out" = "$(printf '%s\t' \
    REG_EXPAND_SZ true 'C:\Windows\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4' \
    integer 42 3 дерево значение 1)true"

  # every real hive opens, or fails cleanly with a message naming it
  xz -dc "$TD/hives/regipy_SYSTEM.xz" >"$tmp/regipy_SYSTEM"
  for h in "$TD"/hives/*; do
    case $h in *.xz|*.tsv) continue ;; esac
    name=${h##*/}
    run eval 'local k, err = require("sxsfix.reg").key("", { hive = arg[1] })
      if k then print("ok", #k.subkeys) else print("fail", err) end' "$h"
    if [ "$name" = regipy_corrupted_system_hive ]; then
      check "$name is rejected with a message naming it" test "$rc" = 0 -a "${out%%	*}" = fail
      check "$name: message names the file" has "$out" "$name"
    else
      check "$name opens (or fails cleanly)" test "$rc" = 0 -a -n "$out"
    fi
  done
  run reg query 'ControlSet001\Services\TrustedInstaller' /v ImagePath --hive "$tmp/regipy_SYSTEM"
  check "real SYSTEM hive: TrustedInstaller's ImagePath" has "$out" "TrustedInstaller.exe"
  run reg query 'x' --hive "$TD/hives/regipy_corrupted_system_hive"
  check "reg query on a corrupted hive exits 3" test "$rc" = 3
  run reg query 'x' --hive "$SRC/tests/fixtures/software.reg"
  check "reg query on a text file exits 3" test "$rc" = 3
  check "a non-hive file is named" has "$err" "software.reg"
fi

# --- the live registry --------------------------------------------------------
if [ -n "$EMU" ]; then
  wreg() { "$(dirname "$EMU")/wine64" reg "$@" >/dev/null 2>&1 || "$EMU" reg "$@" >/dev/null 2>&1; }
  key='HKLM\Software\sxsfix-test-live'
  wreg add "$key\\Component Based Servicing\\Version" /v "$ver" /t REG_EXPAND_SZ /d "$folder" /f
  wreg add "$key\\Ключ 日本" /v Число /t REG_DWORD /d 7 /f
  run reg query "$key\\Component Based Servicing\\Version" /v "$ver"
  check "live: a value written by wine reg add is read back" has "$out" "    $ver    REG_EXPAND_SZ    $folder"
  run reg query "$key"
  check "live: a Unicode subkey is enumerated" has "$out" 'sxsfix-test-live\Ключ 日本'
  run reg query "$key\\Ключ 日本" /v Число
  check "live: a Unicode value name reads back" has "$out" "    Число    REG_DWORD    0x7"
  run reg query "$key\\Absent"
  check "live: an absent key exits 1" test "$rc" = 1
  run eval 'print(require("sxsfix.reg").get(arg[1], arg[2], { expand = true }))' \
    "$key\\Component Based Servicing\\Version" "$ver"
  check "live: expansion uses the system's %SystemRoot%" grep -qi '^C:\\windows\\WinSxS\\amd64_' <<<"$out"
  wreg delete "$key" /f
else
  run reg query 'HKLM\SOFTWARE'
  check "no live registry here: exits 3" test "$rc" = 3
  check "no live registry here: says so" has "$err" "no live registry on this system"
fi

echo "fsreg: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
