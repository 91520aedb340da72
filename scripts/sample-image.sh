#!/usr/bin/env bash
# Generates a sample broken Windows 11 24H2 (build 26100) installation and
# matching servicing stack updates, from the text in scripts/sample/:
#
#   scripts/sample-image.sh OUT
#
#   OUT/root/     the installation, as --root sees it: Panther, DISM and CBS
#                 logs holding the failure's signatures among ordinary lines
#                 (one only inside a rotated CbsPersist_*.cab), a UTF-16
#                 SetupDiagResults.xml, a WinSxS whose 10.0.26100.5074
#                 servicing stack folder is empty beside an intact
#                 10.0.26100.4652 one, a SOFTWARE hive listing both, and
#                 a SYSTEM hive naming the computer SAMPLE-PC (or
#                 $SAMPLE_COMPUTER_NAME) in ControlSet002, the one
#                 Select\Current names (ControlSet001 holds an older name),
#                 with its time zone (TimeZoneInformation: UTC).
#   OUT/ssu/      the 10.0.26100.5074 SSU as a WIM-based .msu (uncompressed,
#                 as Microsoft ships 24H2 updates, and *-lzx.msu, LZX), as a
#                 CAB-based .msu, as a bare cab and
#                 expanded; plus SSUs that must be refused: another
#                 architecture (arm64), another version (5100), another
#                 build (22621). Every cabinet is signed with Authenticode
#                 by a test CA generated into OUT/ca (pass --trust
#                 OUT/ca/ca.pem); OUT/ssu/*/unsigned/ holds the same updates
#                 unsigned, which a repair must refuse.
#                 Every servicing stack folder has its component manifest in
#                 WinSxS\Manifests (real XML shape, SHA-256 of each file);
#                 the SSUs carry the same manifests.
#   OUT/ca/       the test CA (ca.pem), its signing and timestamping keys.
#
# Needs gcab, wimlib-imagex, hivexsh, iconv, lua5.4, openssl and
# osslsigncode (scripts/deps.sh installs them). Output is deterministic
# (fixed names, contents and times), except the GUID and times that wimlib
# writes into each WIM header, and the keys and signatures.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SAMPLE=$ROOT/scripts/sample
out=${1:?usage: scripts/sample-image.sh OUT}
[ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] || { echo "sample-image: $out exists and is not empty" >&2; exit 3; }
for tool in gcab wimlib-imagex hivexsh iconv lua5.4 openssl osslsigncode; do
  command -v $tool >/dev/null || { echo "sample-image: $tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
TOUCH="2024-10-08 10:00:00 UTC"

BUILD=26100 OLD=4652 NEW=5074
COMPUTER=${SAMPLE_COMPUTER_NAME:-SAMPLE-PC}   # the SYSTEM hive's computer name
PUBKEY=31bf3856ad364e35

# Component folder name: ARCH_NAME_PUBKEY_VERSION_none_HASH. The 5074 servicing
# stack keeps the real hash of its folder; others get a stable made-up one.
component() {  # component ARCH NAME VERSION
  local hash
  if [ "$1_$2_$3" = "amd64_microsoft-windows-servicingstack_10.0.$BUILD.$NEW" ]; then hash=a5532eb7772ad4c4
  else hash=$(printf '%s' "$1_$2_$3" | sha1sum | cut -c1-16); fi
  printf '%s_%s_%s_%s_none_%s' "$1" "$2" "$PUBKEY" "$3" "$hash"
}

# The smallest headers a PE file check accepts (1024 bytes): "MZ" with
# e_lfanew = 0x40 at 0x3C; "PE\0\0" and an x64 file header (no sections,
# SizeOfOptionalHeader 0xF0); a PE32+ optional header whose SizeOfHeaders (at
# its offset 60) is 0x400; zeros up to 0x400.
pe_headers() {
  printf 'MZ'; head -c 58 /dev/zero; printf '\x40\x00\x00\x00'
  printf 'PE\x00\x00\x64\x86'; head -c 14 /dev/zero; printf '\xf0\x00\x22\x20'
  printf '\x0b\x02'; head -c 58 /dev/zero; printf '\x00\x04\x00\x00'
  head -c $((0x400 - 0x98)) /dev/zero
}

# A fake PE file: PE headers, then text naming it, padded to a size from its name.
payload() {  # payload FILE VERSION
  local size=$(( ( $(printf '%s %s' "$(basename "$1")" "$2" | cksum | cut -d' ' -f1) % 40000 ) + 2048 ))
  { pe_headers; printf 'sxsfix sample %s %s\n' "$(basename "$1")" "$2"
    awk -v s="$(basename "$1") $2" -v n="$size" 'BEGIN { while (k < n) { print s; k += length(s) + 1 } }'
  } >"$1"
}

# manifest DIR NAME VERSION ARCH: a component manifest in the real XML shape,
# naming every file of the folder DIR with its SHA-256 (base64), as WinSxS\Manifests
# and an update's cab hold them (Windows 7 and 8 style: plain UTF-8 XML).
manifest() {
  local f
  printf '<?xml version="1.0" encoding="UTF-8"?>\r\n<assembly xmlns="urn:schemas-microsoft-com:asm.v3" manifestVersion="1.0" copyright="Copyright (c) Microsoft Corporation. All Rights Reserved.">\r\n'
  printf '  <assemblyIdentity name="%s" version="%s" processorArchitecture="%s" language="neutral" buildType="release" publicKeyToken="%s" versionScope="nonSxS" />\r\n' "$2" "$3" "$4" "$PUBKEY"
  for f in $(cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort); do
    printf '  <file name="%s" destinationPath="$(runtime.system32)\\" sourceName="%s" importPath="$(build.nttree)\\">\r\n' "${f//\//\\}" "$(basename "$f")"
    printf '    <asmv2:hash xmlns:asmv2="urn:schemas-microsoft-com:asm.v2">\r\n      <dsig:Transforms xmlns:dsig="http://www.w3.org/2000/09/xmldsig#">\r\n        <dsig:Transform Algorithm="urn:schemas-microsoft-com:HashTransforms.Identity" />\r\n      </dsig:Transforms>\r\n'
    printf '      <dsig:DigestMethod xmlns:dsig="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2000/09/xmldsig#sha256" />\r\n'
    printf '      <dsig:DigestValue xmlns:dsig="http://www.w3.org/2000/09/xmldsig#">%s</dsig:DigestValue>\r\n    </asmv2:hash>\r\n  </file>\r\n' \
      "$(openssl dgst -sha256 -binary "$1/$f" | base64)"
  done
  printf '</assembly>\r\n'
}

# render TEMPLATE FILLER-LINES START-SECOND: @T@ -> increasing times, @FILLER@ -> ordinary lines
render() {
  awk -v n="$2" -v t0="$3" -v comp="$(basename "$1" .in)" '
    function ts(s) { return sprintf("2024-10-08 %02d:%02d:%02d", 10 + int(s / 3600), int(s / 60) % 60, s % 60) }
    BEGIN { split("Info Info Info Info Warning", lvl, " ") }
    /@FILLER@/ {
      for (i = 0; i < n; i++) {
        t0++
        k = (i * 7919) % 5 + 1
        if (comp ~ /cbs/) printf "%s, %-21s CBS    Exec: Processing package Package_%d_for_KB50%05d~31bf3856ad364e35~amd64~~%d.%d, state: Installed\n", ts(t0), lvl[k], i % 97, (i * 37) % 100000, BUILD, i % 6000
        else if (comp ~ /dism/) printf "%s, %-21s DISM   DISM Provider Store: PID=4412 TID=5120 Getting the collection of providers from a local provider store type. - CDISMProviderStore::GetProviderCollection\n", ts(t0), lvl[k]
        else printf "%s, %-21s SP     Operation %d of %d: Migrate file %d\n", ts(t0), lvl[k], i, n, (i * 131) % 9973
      }
      next
    }
    { t0++; sub(/@T@/, ts(t0)); print }' BUILD=$BUILD "$1"
}

# --- the installation --------------------------------------------------------
r=$out/root
mkdir -p "$r/\$WINDOWS.~BT/Sources/Panther" "$r/Windows/Logs/DISM" "$r/Windows/Logs/CBS" \
         "$r/Windows/Logs/SetupDiag" "$r/Windows/System32/config" "$r/Windows/WinSxS/Manifests" \
         "$r/Windows/servicing" "$r/ProgramData"

panther=$r/\$WINDOWS.~BT/Sources/Panther
render "$SAMPLE/setupact.log.in" 400 0 | sed 's/$/\r/' >"$panther/setupact.log"       # CRLF, as Windows writes
render "$SAMPLE/setuperr.log.in" 0 300 | sed 's/$/\r/' >"$panther/setuperr.log"
render "$SAMPLE/dism.log.in" 300 100 | sed 's/$/\r/' >"$r/Windows/Logs/DISM/dism.log"
printf '\xef\xbb\xbf' >"$r/Windows/Logs/CBS/CBS.log"                                 # UTF-8 with BOM
render "$SAMPLE/cbs.log.in" 500 2000 | sed 's/$/\r/' >>"$r/Windows/Logs/CBS/CBS.log"
persist=CbsPersist_20241008100000
render "$SAMPLE/cbspersist.log.in" 300 50 | sed 's/$/\r/' >"$out/$persist.log"
touch -d "$TOUCH" "$out/$persist.log"
(cd "$out" && gcab -c -z "$r/Windows/Logs/CBS/$persist.cab" "$persist.log" && rm "$persist.log")
{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE <"$SAMPLE/setupdiag.xml.in"; } >"$r/Windows/Logs/SetupDiag/SetupDiagResults.xml"

sxs=$r/Windows/WinSxS
stack_files="cbscore.dll CbsApi.dll CbsMsg.dll DrUpdate.dll TiWorker.exe TrustedInstaller.exe wcp.dll wdscore.dll"
old=$(component amd64 microsoft-windows-servicingstack 10.0.$BUILD.$OLD)
new=$(component amd64 microsoft-windows-servicingstack 10.0.$BUILD.$NEW)
mkdir -p "$sxs/$old" "$sxs/$new"   # the new stack's folder is the damaged, empty one
for f in $stack_files; do payload "$sxs/$old/$f" 10.0.$BUILD.$OLD; done
for c in microsoft-windows-kernel32 microsoft-windows-ntdll microsoft-windows-setupapi \
         microsoft-windows-dism-core microsoft-windows-servicingstack-onecore \
         microsoft-windows-drvstore microsoft-windows-cmiadapter microsoft-windows-winsxs-installer; do
  d=$(component amd64 $c 10.0.$BUILD.$NEW)
  mkdir -p "$sxs/$d"
  payload "$sxs/$d/${c#microsoft-windows-}.dll" 10.0.$BUILD.$NEW
  printf '<assembly manifestVersion="1.0"><assemblyIdentity name="%s"/></assembly>\n' "$c" >"$sxs/Manifests/$d.manifest"
done
ln "$sxs/$old/TrustedInstaller.exe" "$r/Windows/servicing/TrustedInstaller.exe"   # WinSxS files are hard-linked elsewhere

hive=$r/Windows/System32/config/SOFTWARE
lua5.4 "$SAMPLE/mkhive.lua" "$hive"
hivexsh -w "$hive" >/dev/null <<EOF
add Microsoft
cd Microsoft
add Windows
add Windows NT
cd Windows NT
add CurrentVersion
cd CurrentVersion
setval 6
CurrentBuild
string:$BUILD
CurrentBuildNumber
string:$BUILD
UBR
dword:$(printf '0x%08x' $NEW)
DisplayVersion
string:24H2
ProductName
string:Windows 10 Pro
EditionID
string:Professional
cd ..
cd ..
cd Windows
add CurrentVersion
cd CurrentVersion
add Component Based Servicing
cd Component Based Servicing
add Version
cd Version
setval 2
10.0.$BUILD.$OLD
expandstring:%SystemRoot%\\WinSxS\\$old
10.0.$BUILD.$NEW
expandstring:%SystemRoot%\\WinSxS\\$new
commit
EOF

# The SYSTEM hive: the computer's name and its time zone (UTC, no daylight
# time) in the control set Select\Current names.
system=$r/Windows/System32/config/SYSTEM
lua5.4 "$SAMPLE/mkhive.lua" "$system"
hivexsh -w "$system" >/dev/null <<EOF
add Select
cd Select
setval 3
Current
dword:0x00000002
Default
dword:0x00000002
LastKnownGood
dword:0x00000001
cd ..
add ControlSet001
cd ControlSet001
add Control
cd Control
add ComputerName
cd ComputerName
add ComputerName
cd ComputerName
setval 1
ComputerName
string:OLD-$COMPUTER
cd ..
cd ..
cd ..
cd ..
add ControlSet002
cd ControlSet002
add Control
cd Control
add ComputerName
cd ComputerName
add ComputerName
cd ComputerName
setval 1
ComputerName
string:$COMPUTER
cd ..
cd ..
add TimeZoneInformation
cd TimeZoneInformation
setval 8
Bias
dword:0x00000000
StandardBias
dword:0x00000000
DaylightBias
dword:0x00000000
ActiveTimeBias
dword:0x00000000
StandardStart
hex:3:00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00
DaylightStart
hex:3:00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00
StandardName
string:Coordinated Universal Time
TimeZoneKeyName
string:UTC
commit
EOF

# --- servicing stack updates -------------------------------------------------
# make_msus CAB KB TAG DIR: the update around the SSU cab CAB, as a WIM-based
# and a CAB-based .msu in DIR (SIGN=1: the outer cab signed too).
make_msus() {
  local cab=$1 kb=$2 tag=$3 dir=$4 w=$4/wim c=$4/cabmsu
  mkdir -p "$w" "$c"
  # WIM-based .msu (Windows 11 24H2): the SSU cab beside the update's other parts
  cp "$cab" "$w/"
  printf 'PSF sample payload for %s\n' "$kb" >"$w/Windows11.0-$kb-$tag.psf"
  printf '<?xml version="1.0"?><unattend><servicing><package action="install"/></servicing></unattend>\n' >"$w/Windows11.0-$kb-$tag.xml"
  wimlib-imagex capture "$w" "$dir/windows11.0-${kb,,}-$tag.msu" "$kb" --compress=none >/dev/null
  wimlib-imagex capture "$w" "$dir/windows11.0-${kb,,}-$tag-lzx.msu" "$kb" --compress=LZX >/dev/null
  # CAB-based .msu (Windows 10 style): an outer cab holding the update's own cab
  cp "$cab" "$c/Windows10.0-$kb-$tag.cab"
  printf 'Applicability Info="Windows 10.0"\nKB Article Number="%s"\n' "${kb#KB}" >"$c/Windows10.0-$kb-$tag-pkgProperties.txt"
  printf '<?xml version="1.0"?><unattend><servicing><package action="install"/></servicing></unattend>\n' >"$c/Windows10.0-$kb-$tag.xml"
  touch -d "$TOUCH" "$c"/*
  (cd "$c" && gcab -c -z "$dir/outer.cab" *)
  if [ "${SIGN:-0}" = 1 ]; then "$ROOT/scripts/testca.sh" sign "$out/ca" "$dir/outer.cab" "$dir/windows10.0-${kb,,}-$tag.msu"
  else cp "$dir/outer.cab" "$dir/windows10.0-${kb,,}-$tag.msu"; fi
  rm -rf "$w" "$c" "$dir/outer.cab"
}

# make_ssu ARCH VERSION KB: OUT/ssu/ARCH-VERSION/{payload/, SSU-*.cab, *.msu, unsigned/}
make_ssu() {
  local arch=$1 ver=$2 kb=$3 short=${2#10.0.} name d
  local tag=$([ "$arch" = amd64 ] && echo x64 || echo "$arch")
  d=$out/ssu/$arch-$ver
  name=$(component "$arch" microsoft-windows-servicingstack "$ver")
  mkdir -p "$d/payload/$name" "$d/unsigned"
  for f in $stack_files; do payload "$d/payload/$name/$f" "$ver"; done
  printf '<assembly manifestVersion="1.0"><assemblyIdentity name="Package_for_ServicingStack_%s" version="%s" processorArchitecture="%s"/></assembly>\n' \
    "${short#*.}" "$ver" "$arch" >"$d/payload/update.mum"
  manifest "$d/payload/$name" microsoft-windows-servicingstack "$ver" "$arch" >"$d/payload/$name.manifest"
  find "$d/payload" -exec touch -d "$TOUCH" {} +
  (cd "$d/payload" && find . -type f | sed 's|^\./||' | sort | xargs gcab -c -z "$d/unsigned/SSU-$short-$tag.cab")
  "$ROOT/scripts/testca.sh" sign "$out/ca" "$d/unsigned/SSU-$short-$tag.cab" "$d/SSU-$short-$tag.cab"
  SIGN=1 make_msus "$d/SSU-$short-$tag.cab" "$kb" "$tag" "$d"
  SIGN=0 make_msus "$d/unsigned/SSU-$short-$tag.cab" "$kb" "$tag" "$d/unsigned"
}
"$ROOT/scripts/testca.sh" init "$out/ca"
make_ssu amd64 10.0.$BUILD.$NEW KB5043080     # the match
make_ssu arm64 10.0.$BUILD.$NEW KB5043080     # another architecture
make_ssu amd64 10.0.$BUILD.5100 KB5044284     # another version
make_ssu amd64 10.0.22621.4000 KB5043936      # another build

# Each servicing stack folder's component manifest in WinSxS\Manifests: the
# 5074 stack's as its update holds it (the folder itself is empty).
cp "$out/ssu/amd64-10.0.$BUILD.$NEW/payload/$new.manifest" "$sxs/Manifests/$new.manifest"
manifest "$sxs/$old" microsoft-windows-servicingstack 10.0.$BUILD.$OLD amd64 >"$sxs/Manifests/$old.manifest"
onecore=$(component amd64 microsoft-windows-servicingstack-onecore 10.0.$BUILD.$NEW)
manifest "$sxs/$onecore" microsoft-windows-servicingstack-onecore 10.0.$BUILD.$NEW amd64 >"$sxs/Manifests/$onecore.manifest"

find "$out" -exec touch -h -d "$TOUCH" {} +
touch -d "$TOUCH" "$out"
echo "sample-image: $out/root (broken: $new is empty); SSUs in $out/ssu"
