#!/usr/bin/env bash
# Installs what sxsfix needs to build and test, from Debian's packages.
# Idempotent and quiet: installs only what is missing.
#   scripts/deps.sh            native build, sanitizers, fuzzing, Windows cross-build, Wine, test tools,
#                              and (where dotnet is) PowerShell 7 and Pester 5
set -euo pipefail

packages=(
  # native build
  build-essential cmake pkg-config
  liblua5.4-dev libpcre2-dev libarchive-dev libwim-dev libhivex-dev libcmocka-dev
  ntfs-3g-dev libfuse-dev libacl1-dev   # wimlib.pc requires ntfs-3g and fuse
  libssl-dev                            # Authenticode (libcrypto)
  # Windows cross-build and Wine
  gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 libz-mingw-w64-dev wine wine64
  dpkg-dev autoconf automake libtool
  # tools the tests and benchmarks use on real data
  libhivex-bin libwin-hivex-perl gcab cabextract wimtools libarchive-tools ripgrep hyperfine
  ntfs-3g fuse3 attr acl xz-utils lua5.4 rsync bc jq time openssl osslsigncode
  python3   # scripts/test.sh reads ctest's JUnit file with its XML parser
  # fuzzing (scripts/fuzz.sh) and memory checking (scripts/valgrind.sh)
  clang libclang-rt-14-dev valgrind
  # fleet: the HTML report rendered in a real browser; the Ansible role run for real
  chromium ansible ansible-lint
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # apt's lists may be absent on a fresh machine
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PowerShell 7 and Pester 5 for the fleet scripts' tests (tests/pester), where
# the .NET SDK is present: pwsh as a global .NET tool (~/.dotnet/tools; 7.6.10,
# as the newest does not install everywhere) and Pester restored from NuGet by a
# generated project's PackageDownload (~/.nuget/packages/pester/5.7.1/tools).
# Without dotnet nothing fails: the pester suite of scripts/test.sh skips.
command -v dotnet >/dev/null || exit 0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ ! -x "$HOME/.dotnet/tools/pwsh" ]; then
  echo "deps: installing PowerShell 7.6.10 (dotnet tool)"
  dotnet tool install --global PowerShell --version 7.6.10 >/dev/null ||
    echo "deps: PowerShell 7.6.10 did not install; the pester suite will skip"
fi
if [ ! -f "${NUGET_PACKAGES:-$HOME/.nuget/packages}/pester/5.7.1/tools/Pester.psd1" ]; then
  echo "deps: restoring Pester 5.7.1 (NuGet)"
  mkdir -p "$ROOT/build/pester"
  major=$(dotnet --version | cut -d. -f1)
  cat >"$ROOT/build/pester/pester.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net$major.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[5.7.1]" /></ItemGroup>
</Project>
XML
  dotnet restore "$ROOT/build/pester/pester.csproj" -v q >/dev/null ||
    echo "deps: Pester 5.7.1 did not restore; the pester suite will skip"
fi
