#!/usr/bin/env bash
# The Windows build is one static .exe that imports only system DLLs:
# KERNEL32, ADVAPI32 (security, registry, CryptoAPI digests), msvcrt, and
# for Authenticode WINTRUST (WinVerifyTrust) and CRYPT32 (CryptQueryObject).
set -u
exe=${1:?usage: test_imports.sh sxsfix.exe}
objdump=${OBJDUMP:-x86_64-w64-mingw32-objdump}
# ntdll.dll: wimlib's Windows extraction uses the NT API (NtCreateFile...);
# USER32.dll: wimlib formats a few names with wsprintfW. Both are in every
# Windows, WinPE and Server Core included.
allowed=" ADVAPI32.dll KERNEL32.dll msvcrt.dll ntdll.dll USER32.dll WINTRUST.dll CRYPT32.dll "
dlls=$("$objdump" -p "$exe" | sed -n 's/^[[:space:]]*DLL Name: //p')
[ -n "$dlls" ] || { echo "no import table read from $exe"; echo "imports: 0 passed, 1 failed"; exit 1; }
passed=0 failed=0
for d in $dlls; do
  if [[ $allowed == *" $d "* ]]; then passed=$((passed + 1)); echo "ok - imports $d"
  else failed=$((failed + 1)); echo "not ok - imports $d (not a system DLL we allow)"; fi
done
echo "imports: $passed passed, $failed failed"
[ "$failed" = 0 ]
