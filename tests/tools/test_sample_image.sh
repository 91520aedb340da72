#!/usr/bin/env bash
# scripts/sample-image.sh builds the sample broken installation and its SSUs
# as documented, and the same way every time.
set -u
src=${SXSFIX_SOURCE:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() {
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $what"
  else failed=$((failed + 1)); echo "not ok - $what"; fi
}
for tool in gcab wimlib-imagex hivexsh lua5.4 openssl; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

bash "$src/scripts/sample-image.sh" "$tmp/a" >"$tmp/log" 2>&1
check "the generator succeeds" test $? = 0
r=$tmp/a/root
stack=$r/Windows/WinSxS/amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
old=$(ls -d "$r"/Windows/WinSxS/amd64_microsoft-windows-servicingstack_*_10.0.26100.4652_*)
check "the 5074 servicing stack folder exists and is empty" test -d "$stack" -a -z "$(ls -A "$stack" 2>/dev/null)"
check "the 4652 servicing stack folder holds cbscore.dll" test -s "$old/cbscore.dll"
m=$r/Windows/WinSxS/Manifests/$(basename "$old").manifest
check "the 4652 stack's manifest names cbscore.dll with its SHA-256 (base64)" \
  grep -qF "$(openssl dgst -sha256 -binary "$old/cbscore.dll" | base64)</dsig:DigestValue>" "$m"
check "the 5074 stack's manifest lists the update's 8 files" \
  test "$(grep -c '<file name=' "$r/Windows/WinSxS/Manifests/$(basename "$stack").manifest")" = 8
check "a WinSxS file is hard-linked into servicing" test "$(stat -c %h "$r/Windows/servicing/TrustedInstaller.exe")" = 2

v=$(hivexget "$r/Windows/System32/config/SOFTWARE" \
  '\Microsoft\Windows\CurrentVersion\Component Based Servicing\Version' 10.0.26100.5074 2>&1)
check "the hive lists the 5074 stack (REG_EXPAND_SZ, unexpanded)" \
  test "$v" = '%SystemRoot%\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4'
ubr=$(hivexget "$r/Windows/System32/config/SOFTWARE" '\Microsoft\Windows NT\CurrentVersion' UBR 2>&1)
check "the hive has the build revision" test "$ubr" = 5074

p="$r/\$WINDOWS.~BT/Sources/Panther/setupact.log"
check "setupact.log holds the driver-migration failure" grep -q 'Operation failed: Process Drivers for Migration. Error: 0x80070003' "$p"
check "setupact.log has CRLF line ends" grep -q $'\r$' "$p"
check "dism.log holds the servicing stack bind failure" grep -q 'Failed to bind the online servicing stack' "$r/Windows/Logs/DISM/dism.log"
check "CBS.log does not hold the worker-session failure" bash -c "! grep -q 'Failed to create worker session' '$r/Windows/Logs/CBS/CBS.log'"
check "the rotated CbsPersist cab holds it" bash -c "gcab -x -C '$tmp' '$r'/Windows/Logs/CBS/CbsPersist_*.cab && grep -q 'Failed to create worker session' '$tmp'/CbsPersist_*.log"
check "SetupDiagResults.xml is UTF-16LE with a BOM" test "$(head -c 2 "$r/Windows/Logs/SetupDiag/SetupDiagResults.xml" | od -An -tx1 | tr -d ' ')" = fffe

s=$tmp/a/ssu/amd64-10.0.26100.5074
check "the WIM-based .msu holds the SSU cab" bash -c "wimlib-imagex dir '$s/windows11.0-kb5043080-x64.msu' | grep -qx '/SSU-26100.5074-x64.cab'"
check "the uncompressed WIM-based .msu is uncompressed" bash -c "wimlib-imagex info '$s/windows11.0-kb5043080-x64.msu' | grep -qE '^Compression: +None'"
check "the LZX WIM-based .msu is LZX" bash -c "wimlib-imagex info '$s/windows11.0-kb5043080-x64-lzx.msu' | grep -qE '^Compression: +LZX'"
check "the CAB-based .msu holds the update cab" bash -c "gcab -t '$s/windows10.0-kb5043080-x64.msu' | grep -qx 'Windows10.0-KB5043080-x64.cab'"
check "the SSU cab holds the 5074 servicing stack folder" bash -c "gcab -t '$s/SSU-26100.5074-x64.cab' | grep -q '^amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4.cbscore.dll$'"
check "the mismatched SSUs exist" test -f "$tmp/a/ssu/arm64-10.0.26100.5074/SSU-26100.5074-arm64.cab" \
  -a -f "$tmp/a/ssu/amd64-10.0.26100.5100/SSU-26100.5100-x64.cab" -a -f "$tmp/a/ssu/amd64-10.0.22621.4000/SSU-22621.4000-x64.cab"

bash "$src/scripts/sample-image.sh" "$tmp/b" >/dev/null 2>&1
# every file but the WIMs, whose headers carry a fresh GUID and time, and
# the test CA's keys and what it signed (fresh keys, signing times)
sums() { (cd "$1" && find . -type f ! -name 'windows11.0-*.msu' ! -path './ca/*' -print0 | sort -z | xargs -0 sha256sum |
  grep -Ev '  \./ssu/[^/]+/(SSU-[^/]*\.cab|windows10\.0-[^/]*\.msu)$'); }
check "the output is deterministic (WIM headers and signatures aside)" test "$(sums "$tmp/a")" = "$(sums "$tmp/b")"
check "the unsigned updates are deterministic" test -n "$(sums "$tmp/a" | grep unsigned/SSU-)"
check "the SSU cabs are signed by the test CA" grep -q "sxsfix Test Update Signing" "$s/SSU-26100.5074-x64.cab"
bash "$src/scripts/sample-image.sh" "$tmp/a" >/dev/null 2>&1
check "a non-empty output folder is refused (exit 3)" test $? = 3

echo "sample-image: $passed passed, $failed failed"
[ "$failed" = 0 ]
