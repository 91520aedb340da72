#!/usr/bin/env bash
# sxsfix expand: real nested .msu files against cabextract, WIM-based .msu
# files built here with wimlib-imagex, hostile names and links, every bad cab
# of the test data, and a full disk.
# Environment: SXSFIX (the binary), SXSFIX_EMULATOR (wine64 for the .exe),
# SXSFIX_TESTDATA (../shared/testdata; the parts that need it skip without).
set -u
SXSFIX_TIMEOUT=${SXSFIX_TIMEOUT:-120}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TD=${SXSFIX_TESTDATA:-}/cabs
cleanup() { [ -n "${mnt:-}" ] && umount "$mnt" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

empty_dir() { [ -z "$(ls -A "$1" 2>/dev/null)" ]; }
no_temp_files() { [ -z "$(find "$1" -name '.sxsfix-*' 2>/dev/null)" ]; }

# The oracle: cabextract DIR/NAME.cab into DIR/NAME, recursively, as the
# expansion lays it out.
oracle() {  # oracle CAB DIR
  mkdir -p "$2" && (cd "$2" && cabextract -q "$1" 2>/dev/null) || return 1
  local c
  find "$2" -maxdepth 1 -iname '*.cab' -type f | while read -r c; do oracle "$c" "${c%.*}"; done
}

# ---- a stored (uncompressed) cabinet with one file of any name -------------
le() { local v=$1 n=$2 i; for ((i = 0; i < n; i++)); do printf "\\x$(printf %02x $((v >> (8 * i) & 255)))"; done; }
mkcab() {  # mkcab OUT NAME DATA
  local name=$2 data=$3
  local nl=${#name} dl=${#data}
  local coff=44 cdata=$((44 + 16 + nl + 1))
  local total=$((cdata + 8 + dl))
  { printf 'MSCF'; le 0 4; le $total 4; le 0 4; le $coff 4; le 0 4; printf '\x03\x01'
    le 1 2; le 1 2; le 0 2; le 0 2; le 0 2                     # folders, files, flags, set, index
    le $cdata 4; le 1 2; le 0 2                               # CFFOLDER: data at, 1 block, stored
    le $dl 4; le 0 4; le 0 2; le 0x5821 2; le 0x6000 2; le 0x20 2; printf '%s\0' "$name"
    le 0 4; le $dl 2; le $dl 2; printf '%s' "$data"; } >"$1"
}

# ---- hostile names: refused, nothing written anywhere ----------------------
mkcab "$tmp/plain.cab" "plain.txt" "hello"
run expand "$tmp/plain.cab" "$tmp/plain"
check "a generated cab expands" test "$rc" = 0 -a "$(cat "$tmp/plain/plain.txt" 2>/dev/null)" = hello
check "the archive's time is kept" test "$(date -u -r "$tmp/plain/plain.txt" +%Y 2>/dev/null)" = 2024

i=0
for name in '../escape.txt' '..\escape.txt' 'a\..\..\escape.txt' '/abs.txt' '\abs.txt' 'C:\escape.txt' \
            'C:escape.txt' 'file.txt:stream' 'CON' 'con.txt' 'NUL' 'Com1.log' 'lpt9' 'aux .txt' \
            "ctl$(printf '\001')x" 'dots.' 'space ' 'a\\b' 'sub\..' ; do
  i=$((i + 1))
  mkdir -p "$tmp/h$i/in"
  mkcab "$tmp/h$i/bad.cab" "$name" "pwned"
  run expand "$tmp/h$i/bad.cab" "$tmp/h$i/in/dst"
  check "hostile name '$name' is refused (exit 3)" test "$rc" = 3
  check "hostile name '$name': the message names the file and entry" has "$err" "bad.cab: entry '"
  check "hostile name '$name': nothing written" test -z "$(find "$tmp/h$i" -type f ! -name bad.cab)"
done

if [ -n "${SXSFIX_TESTDATA:-}" ] && [ -f "$TD/cabextract_test/dirwalk-vulns.cab" ]; then
  mkdir -p "$tmp/dw/a/b"
  run expand "$TD/cabextract_test/dirwalk-vulns.cab" "$tmp/dw/a/b/dst"
  check "dirwalk-vulns.cab is refused (exit 3)" test "$rc" = 3
  check "dirwalk-vulns.cab: the entry is named" has "$err" "dirwalk-vulns.cab: entry '"
  check "dirwalk-vulns.cab: nothing written anywhere" test -z "$(find "$tmp/dw" -type f)"
else skip "dirwalk-vulns.cab: test data absent"; fi

# ---- links already inside the destination are never followed ---------------
if [ -z "$EMU" ]; then
  mkdir -p "$tmp/ln/src/sub" "$tmp/ln/outside" "$tmp/ln/dst"
  echo inner >"$tmp/ln/src/sub/f.txt"
  (cd "$tmp/ln/src" && gcab -c "$tmp/ln/sub.cab" sub/f.txt)
  ln -s "$tmp/ln/outside" "$tmp/ln/dst/sub"
  run expand "$tmp/ln/sub.cab" "$tmp/ln/dst"
  check "a linked folder in the destination is refused (exit 3)" test "$rc" = 3
  check "the link is named in the message" has "$err" "is a link inside the destination"
  check "nothing was written through the link" empty_dir "$tmp/ln/outside"
  rm "$tmp/ln/dst/sub"
  echo precious >"$tmp/ln/victim"
  mkdir "$tmp/ln/dst/sub"
  ln -s "$tmp/ln/victim" "$tmp/ln/dst/sub/f.txt"
  run expand --overwrite "$tmp/ln/sub.cab" "$tmp/ln/dst"
  check "a linked file is refused too" test "$rc" = 3 -a "$(cat "$tmp/ln/victim")" = precious
  # a link planted under the staging folder's first name is passed over
  mkdir -p "$tmp/ln/stage/dst" "$tmp/ln/stage/outside"
  ln -s "$tmp/ln/stage/outside" "$tmp/ln/stage/dst/.sxsfix-stage-0"
  run expand "$tmp/ln/sub.cab" "$tmp/ln/stage/dst"
  check "a planted staging link: the expansion succeeds" test "$rc" = 0 -a "$(cat "$tmp/ln/stage/dst/sub/f.txt" 2>/dev/null)" = inner
  check "a planted staging link: nothing written through it" empty_dir "$tmp/ln/stage/outside"
  check "a planted staging link: left as it was, the own staging folder removed" \
    test -L "$tmp/ln/stage/dst/.sxsfix-stage-0" -a ! -e "$tmp/ln/stage/dst/.sxsfix-stage-1"
else skip "links in the destination: symbolic links are not made under Wine"; fi

# ---- existing files, temporary names --------------------------------------
run expand "$tmp/plain.cab" "$tmp/plain"
check "an existing file is not replaced without --overwrite (exit 3)" test "$rc" = 3 && has "$err" "already exists"
echo changed >"$tmp/plain/plain.txt"
run expand -y "$tmp/plain.cab" "$tmp/plain"
check "--overwrite replaces it" test "$rc" = 0 -a "$(cat "$tmp/plain/plain.txt")" = hello
check "no temporary file is left" no_temp_files "$tmp/plain"
mkcab "$tmp/trunc.cab" "big.bin" "0123456789abcdef0123456789abcdef"
head -c -10 "$tmp/trunc.cab" >"$tmp/trunc2.cab"
run expand "$tmp/trunc2.cab" "$tmp/trunc"
check "a truncated cab fails with exit 3" test "$rc" = 3
check "a truncated cab leaves no file under its final name, and no temporary" \
  test ! -e "$tmp/trunc/big.bin" -a -z "$(ls -A "$tmp/trunc" 2>/dev/null)"

run expand "$tmp/plain.cab"
check "a missing destination is a usage error" test "$rc" = 3 && has "$err" "usage: sxsfix expand"

# ---- real nested .msu files, byte-identical to cabextract -------------------
for kb in KB2999226 KB3118401; do
  msu=$TD/msu/Windows6.1-$kb-x64.msu
  if [ -z "${SXSFIX_TESTDATA:-}" ] || [ ! -f "$msu" ]; then skip "$kb: test data absent"; continue; fi
  run expand "$msu" "$tmp/$kb"
  check "$kb.msu expands (exit 0)" test "$rc" = 0
  check "$kb: the inner cab's folder exists" test -f "$tmp/$kb/Windows6.1-$kb-x64/update.mum"
  if command -v cabextract >/dev/null; then
    oracle "$msu" "$tmp/$kb.ref"
    check "$kb: files byte-identical to cabextract's, nested" diff -r "$tmp/$kb.ref" "$tmp/$kb"
    check "$kb: timestamps as cabextract's" test \
      "$(cd "$tmp/$kb.ref" && find . -type f -exec stat -c '%n %Y' {} + | sort | md5sum)" = \
      "$(cd "$tmp/$kb" && find . -type f -exec stat -c '%n %Y' {} + | sort | md5sum)"
  else skip "$kb: cabextract is not installed"; fi
  run expand --list "$msu"
  check "$kb: --list shows nested entries" has "$out" "update.mum  (in Windows6.1-$kb-x64.cab)"
  run expand -F:update.mum "$msu" "$tmp/$kb.f"
  check "$kb: -F:update.mum writes update.mum" test -f "$tmp/$kb.f/Windows6.1-$kb-x64/update.mum"
  check "$kb: -F: leaves the other files out" test "$(find "$tmp/$kb.f" -type f ! -iname '*.cab' | wc -l)" = 1
  run expand --no-nested "$msu" "$tmp/$kb.n"
  check "$kb: --no-nested leaves the inner cab a file" \
    test -f "$tmp/$kb.n/Windows6.1-$kb-x64.cab" -a ! -e "$tmp/$kb.n/Windows6.1-$kb-x64"
done

# ---- WIM-based .msu (Windows 11 24H2 shape), built here --------------------
ss=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
mkdir -p "$tmp/ssu/$ss/en-us" "$tmp/wimsrc"
for f in cbscore.dll CbsApi.dll wcp.dll TiWorker.exe; do head -c $((40000 + ${#f} * 999)) /dev/urandom >"$tmp/ssu/$ss/$f"; done
echo "resources" >"$tmp/ssu/$ss/en-us/CbsMsg.dll.mui"
(cd "$tmp/ssu" && gcab -c -z "$tmp/wimsrc/SSU-26100.5074-x64.cab" $(cd "$tmp/ssu" && find "$ss" -type f))
echo '<unattend/>' >"$tmp/wimsrc/DesktopDeployment.cab.xml"
# The Windows suite compares its result with the Linux build's on the same
# file when SXSFIX_LINUX names that build (scripts/test.sh sets it).
for comp in none LZX; do
  wimlib-imagex capture "$tmp/wimsrc" "$tmp/w-$comp.msu" --compress=$comp >/dev/null 2>&1
  run expand "$tmp/w-$comp.msu" "$tmp/w-$comp"
  check "WIM .msu ($comp) expands (exit 0)" test "$rc" = 0
  check "WIM .msu ($comp): SSU cab written" cmp -s "$tmp/wimsrc/SSU-26100.5074-x64.cab" "$tmp/w-$comp/SSU-26100.5074-x64.cab"
  check "WIM .msu ($comp): servicingstack folder identical" diff -r "$tmp/ssu/$ss" "$tmp/w-$comp/SSU-26100.5074-x64/$ss"
  check "WIM .msu ($comp): no staging folder left" no_temp_files "$tmp/w-$comp"
  if [ -n "$EMU" ] && [ -x "${SXSFIX_LINUX:-}" ]; then
    "$SXSFIX_LINUX" expand "$tmp/w-$comp.msu" "$tmp/w-$comp.linux" >/dev/null 2>&1
    check "WIM .msu ($comp): byte-identical to the Linux build's expansion" diff -r "$tmp/w-$comp.linux" "$tmp/w-$comp"
  elif [ -n "$EMU" ]; then
    skip "WIM .msu ($comp): comparison with the Linux build (SXSFIX_LINUX not set)"
  fi
done
if [ -z "$EMU" ]; then
  mkdir -p "$tmp/wl/src"; echo x >"$tmp/wl/src/real.txt"; ln -s /etc/passwd "$tmp/wl/src/link"
  wimlib-imagex capture "$tmp/wl/src" "$tmp/wl/l.msu" >/dev/null 2>&1
  run expand "$tmp/wl/l.msu" "$tmp/wl/dst"
  check "a WIM holding a symbolic link is refused (exit 3)" test "$rc" = 3 && has "$err" "entry 'link' refused"
  check "a WIM holding a symbolic link: nothing written" test -z "$(find "$tmp/wl/dst" -type f -o -type l 2>/dev/null)"
fi

# ---- every cab of the test data: a clean success or a clean error ----------
if [ -n "${SXSFIX_TESTDATA:-}" ] && [ -d "$TD" ]; then
  n=0
  for f in "$TD"/*/*.cab; do
    n=$((n + 1))
    case $f in
      *large-files-cab.cab) run expand --list "$f" ;;  # holds 3 x 2 GB once nested
      *) run expand "$f" "$tmp/all/$n" ;;
    esac
    case $rc in
      0) ok=1 ;;
      2|3) ok=0; has "$err" "$(basename "$f")" && ok=1 ;;  # the message names the file
      *) ok=0 ;;
    esac
    check "$(basename "$f"): clean result (exit $rc)" test "$ok" = 1
    rm -rf "$tmp/all/$n"
  done
else skip "test data cabs absent"; fi

# ---- not enough free space is found before writing -------------------------
if [ -z "$EMU" ] && [ "$(id -u)" = 0 ] && mkdir -p "$tmp/small" && mount -t tmpfs -o size=64k tmpfs "$tmp/small" 2>/dev/null; then
  mnt=$tmp/small
  head -c 300000 /dev/zero >"$tmp/zeros.bin"
  (cd "$tmp" && gcab -c -z "$tmp/zeros.cab" zeros.bin)
  run expand "$tmp/zeros.cab" "$mnt/dst"
  check "a full disk is found before writing (exit 2)" test "$rc" = 2 && has "$err" "not enough free space"
  check "a full disk: nothing written" test -z "$(find "$mnt" -type f)"
else skip "free space: cannot mount a small tmpfs here (the unit test injects it instead)"; fi

# expand.space: the free bytes and the volume (mount point) holding a path
mkdir -p "$tmp/sp/a/b"
run eval "local s = assert(require('sxsfix.expand').space([[$tmp/sp/a/b]]))
  io.write(s.free, ' ', tostring(s.readonly), ' ', s.volume)"
if [ -n "$EMU" ]; then
  check "expand.space: free bytes and a volume root" grep -qE '^[0-9]+ false [A-Z]:\\' <<<"$out"
else
  want=$(df -P "$tmp/sp/a/b" | awk 'NR == 2 { print $6 }')
  check "expand.space: the volume is the mount point ($want)" test "${out#* * }" = "$want"
  check "expand.space: free bytes, not read-only" grep -qE '^[0-9]+ false ' <<<"$out"
fi
run eval "local s, e = require('sxsfix.expand').space([[$tmp/nowhere]]) io.write(tostring(s), ' ', tostring(e))"
check "expand.space on a missing path: an error naming it" has "$out$err" "$tmp/nowhere"

echo "expand: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
