#!/usr/bin/env bash
# repair --ssu on an .msu shaped like a real Windows 11 24H2 update: a WIM
# holding the servicing stack cab (signed by the test CA), a large update
# cab, a .psf payload and a .wim. Only the stack cab is expanded: the work
# folder's peak size stays within a small factor of the stack cab's
# expanded size (bounded by a small tmpfs when mounting is possible), and
# the work folder is empty after the run (--keep-work keeps the staging
# folder and says where). Free space is checked before expanding; a
# read-only volume is named as such.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq osslsigncode
sample_image "$tmp/img"
wim=$(sx eval 'io.write(require("sxsfix.host").features().wim == true and "yes" or "no")' | tr -d '\r')
[ "$wim" = yes ] || { echo "SKIP: this build has no WIM support"; exit 77; }
noreg_under_wine
S=$tmp/img/ssu/amd64-10.0.26100.5074
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
SXT=(--trust "$tmp/img/ca/ca.pem")
r=$tmp/img/root
size_of() { find "$1" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

# --- the update ------------------------------------------------------------------
KB=KB5043080
mkdir -p "$tmp/lcu" "$tmp/w"
head -c $((24 << 20)) /dev/urandom >"$tmp/lcu/payload.bin"   # incompressible: the cab is as large
(cd "$tmp/lcu" && gcab -c "$tmp/lcu.cab" payload.bin)
bash "$SXSFIX_SOURCE/scripts/testca.sh" sign "$tmp/img/ca" "$tmp/lcu.cab" "$tmp/w/Windows11.0-$KB-x64.cab" >/dev/null 2>&1
head -c $((16 << 20)) /dev/urandom >"$tmp/w/Windows11.0-$KB-x64.psf"
head -c $((1 << 20)) /dev/urandom >"$tmp/w/Windows11.0-$KB-x64.wim"
cp "$S/SSU-26100.5074-x64.cab" "$tmp/w/"
printf '<?xml version="1.0"?><unattend/>\n' >"$tmp/w/Windows11.0-$KB-x64.xml"
MSU=$tmp/windows11.0-${KB,,}-x64.msu
wimlib-imagex capture "$tmp/w" "$MSU" "$KB" --compress=none >/dev/null
E=$(size_of "$S/payload")          # the stack cab's expanded size
C=$(stat -c %s "$S/SSU-26100.5074-x64.cab")
echo "# stack cab: $C bytes, $E expanded; the .msu: $(stat -c %s "$MSU") bytes"

# a hook records the work folder's size after each step (the staging is
# removed when the run ends: after the last step)
cat >"$tmp/sizes.lua" <<LUA
local fs = require "sxsfix.fs"
local function size(dir)
  local n = 0
  for rel, kind in fs.walk(dir) do
    if kind == "file" then n = n + (fs.stat(fs.join(dir, rel)) or { size = 0 }).size end
  end
  return n
end
local function rec(id) return function(ctx)
  local f = io.open([[$tmp/sizes.txt]], "a"); f:write(id, " ", size(ctx.opts.work), "\n"); f:close()
end end
hooks = { after = { expand = rec("expand"), verify = rec("verify"), plan = rec("plan") } }
LUA
[ -z "$EMU" ] || printf 'disable = { "registry-stacks" }\n' >>"$tmp/sizes.lua"
mkdir -p "$tmp/work"
run --root "$r" --config "$tmp/sizes.lua" repair "${SXT[@]}" --ssu "$MSU" --work "$tmp/work"
check "24H2 .msu: planned, exit 1" test "$rc" = 1
check "24H2 .msu: the plan restores the stack folder" has "$out" "$STACK"
check "24H2 .msu: the stack cab verified" grep -q "^OK  .*SSU-26100.5074-x64.cab" <<<"$out"
check "24H2 .msu: the update cab is not verified or expanded (not needed)" bash -c "! grep -q 'Windows11.0-$KB-x64.cab' <<<'$out'"
after_verify=$(tr -d '\r' <"$tmp/sizes.txt" 2>/dev/null | awk '$1 == "verify" { print $2 }')
echo "# work folder after each step: $(tr '\n' ' ' <"$tmp/sizes.txt" 2>/dev/null)"
check "24H2 .msu: after verify the work folder holds at most 2x the stack's expanded size" \
  test "${after_verify:-999999999}" -le $((2 * E))
check "24H2 .msu: the work folder is empty after the run" test -d "$tmp/work" -a -z "$(ls -A "$tmp/work")"

run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU" --work "$tmp/work" --keep-work
check "--keep-work: planned, exit 1" test "$rc" = 1
check "--keep-work: one line says where the staging folder is" \
  test "$(grep -c "work folder kept: $tmp/work/ssu-windows11.0-${KB,,}-x64.msu.verified" <<<"$out$err")" = 1
check "--keep-work: the verified stack folder is there" test -d "$tmp/work/ssu-windows11.0-${KB,,}-x64.msu.verified/SSU-26100.5074-x64/$STACK"
check "--keep-work: no update cab, .psf or .wim in the work folder" \
  test -z "$(find "$tmp/work" -iname 'Windows11.0-*' -o -iname '*.psf' -o -iname '*.wim')"
rm -rf "$tmp/work"

# --- a combined Windows 10 CAB .msu: its SSU cab only, not the update's cab ------
mkdir -p "$tmp/c10"
cp "$S/SSU-26100.5074-x64.cab" "$tmp/w/Windows11.0-$KB-x64.cab" "$tmp/c10/"
mv "$tmp/c10/Windows11.0-$KB-x64.cab" "$tmp/c10/Windows10.0-$KB-x64.cab"
cp "$S/SSU-26100.5074-x64.cab" "$tmp/c10/WSUSSCAN.cab"
(cd "$tmp/c10" && gcab -c "$tmp/c10.cab" *)
bash "$SXSFIX_SOURCE/scripts/testca.sh" sign "$tmp/img/ca" "$tmp/c10.cab" "$tmp/windows10.0-${KB,,}-x64.msu" >/dev/null 2>&1
run --root "$r" "${CFG[@]}" --json - repair "${SXT[@]}" --ssu "$tmp/windows10.0-${KB,,}-x64.msu" --work "$tmp/work10"
check "combined CAB .msu: planned, exit 1" test "$rc" = 1
check "combined CAB .msu: the .msu and its SSU cab verified, nothing else" \
  test "$(jqv '[.repair.signatures[] | .file | split("/") | last] | join(",")')" = "windows10.0-${KB,,}-x64.msu,SSU-26100.5074-x64.cab"
check "combined CAB .msu: the work folder is empty after the run" test -z "$(ls -A "$tmp/work10")"
M=${SXSFIX_TESTDATA:-}/cabs/msu/Windows6.1-KB2999226-x64.msu
if [ -f "$M" ]; then   # a real Microsoft update: its own cab, not WSUSSCAN.cab
  run eval "local l = assert(require('sxsfix.staging').list([[$M]], [[$tmp/wr]], {}, 'cab'))
    local n = {} for _, c in ipairs(l.cabs) do n[#n + 1] = c.name end io.write(table.concat(n, ','))"
  check "a real CAB .msu: the update's own cab is the one to expand" test "$out" = "Windows6.1-KB2999226-x64.cab"
else
  skip "a real CAB .msu: the test data is absent (SXSFIX_TESTDATA)"
fi

# --- verify: the cabinets one at a time in a private temporary folder ------------
# Two 24 MiB update cabs beside the stack cab: taking every cab out at once
# needs 48 MiB of temporary space, one at a time 24 MiB.
mkdir -p "$tmp/w2"
cp "$tmp/w/Windows11.0-$KB-x64.cab" "$tmp/w2/Windows11.0-$KB-x64.cab"
cp "$tmp/w/Windows11.0-$KB-x64.cab" "$tmp/w2/Windows11.0-$KB-x64-ndp.cab"
cp "$S/SSU-26100.5074-x64.cab" "$tmp/w/Windows11.0-$KB-x64.psf" "$tmp/w2/"
MSU2=$tmp/windows11.0-${KB,,}-two-x64.msu
wimlib-imagex capture "$tmp/w2" "$MSU2" "$KB" --compress=none >/dev/null
if [ -n "$EMU" ]; then
  skip "verify, temporary folder: Wine keeps its own TEMP (the prefix's), not TMPDIR"
  run verify "${SXT[@]}" "$MSU2"
  check "verify 24H2 .msu: each cabinet OK, exit 0" test "$rc" = 0 -a "$(grep -c '^OK  ' <<<"$out")" = 3
else
  mkdir -p "$tmp/vt"
  TMPDIR=$tmp/vt run verify "${SXT[@]}" "$MSU2"
  check "verify 24H2 .msu: each cabinet OK, exit 0" test "$rc" = 0 -a "$(grep -c '^OK  ' <<<"$out")" = 3
  check "verify 24H2 .msu: the temporary folder is empty afterwards" test -z "$(ls -A "$tmp/vt")"
  if [ "$(id -u)" = 0 ] && mkdir -p "$tmp/vsmall" && mount -t tmpfs -o size=34m tmpfs "$tmp/vsmall" 2>/dev/null; then
    TMPDIR=$tmp/vsmall run verify "${SXT[@]}" "$MSU2"
    check "verify 24H2 .msu, TMPDIR on a 34 MiB tmpfs (one 24 MiB cab at a time): exit 0" \
      test "$rc" = 0 -a "$(grep -c '^OK  ' <<<"$out")" = 3
    check "verify, 34 MiB tmpfs: empty afterwards" test -z "$(ls -A "$tmp/vsmall")"
    umount "$tmp/vsmall"
    mount -t tmpfs -o size=12m tmpfs "$tmp/vsmall"
    TMPDIR=$tmp/vsmall run verify "${SXT[@]}" "$MSU2"
    echo "# $err"
    check "verify, 12 MiB tmpfs: the stack cab OK, the update cabs not checked (no room), exit 1" \
      test "$rc" = 1 -a "$(grep -c '^OK  .*SSU-26100' <<<"$out")" = 1 -a "$(grep -c '^BAD .*not checked' <<<"$out")" = 2
    check "verify, 12 MiB tmpfs: empty afterwards" test -z "$(ls -A "$tmp/vsmall")"
    umount "$tmp/vsmall"
  else
    skip "verify on a small TMPDIR: cannot mount a tmpfs here (needs root)"
  fi
  for m in "${SXSFIX_TESTDATA:-/nonexistent}"/cabs/msu/*.msu; do
    [ -f "$m" ] || { skip "verify a real .msu: the test data is absent (SXSFIX_TESTDATA)"; break; }
    rm -rf "$tmp/vt"; mkdir -p "$tmp/vt"
    TMPDIR=$tmp/vt run verify "$m"
    check "verify $(basename "$m") (read in place): the file and its cabinets OK, exit 0" \
      test "$rc" = 0 -a "$(sed -n 1p <<<"$out" | grep -c "^OK  $m  ")" = 1 -a "$(grep -c '^OK  ' <<<"$out")" -ge 3
    check "verify $(basename "$m"): the temporary folder is empty afterwards" test -z "$(ls -A "$tmp/vt")"
  done
fi

# --- choosing from a folder: a CAB .msu's own cab listed, its metadata never taken out
# The stack payload as the update's own cab, a 24 MiB WSUSSCAN.cab beside it.
mkdir -p "$tmp/c11" "$tmp/share/2025-09"
cp "$S/SSU-26100.5074-x64.cab" "$tmp/c11/Windows10.0-$KB-x64.cab"
cp "$tmp/w/Windows11.0-$KB-x64.cab" "$tmp/c11/WSUSSCAN.cab"
(cd "$tmp/c11" && gcab -c "$tmp/c11.cab" *)
bash "$SXSFIX_SOURCE/scripts/testca.sh" sign "$tmp/img/ca" "$tmp/c11.cab" "$tmp/share/2025-09/windows10.0-${KB,,}-x64.msu" >/dev/null 2>&1
if [ -n "$EMU" ]; then
  skip "choose from a folder on a small TMPDIR: Wine keeps its own TEMP (the prefix's), not TMPDIR"
elif [ "$(id -u)" = 0 ] && mkdir -p "$tmp/csmall" && mount -t tmpfs -o size=12m tmpfs "$tmp/csmall" 2>/dev/null; then
  mkdir -p "$tmp/csmall/t"
  TMPDIR=$tmp/csmall/t run --root "$r" repair "${SXT[@]}" --ssu "$tmp/share" --work "$tmp/csmall/work"
  check "choose, TMPDIR and --work on a 12 MiB tmpfs: the CAB .msu chosen by its own cab (the 24 MiB WSUSSCAN.cab not taken out), exit 1" \
    test "$rc" = 1 -a "$(grep -c "^Update chosen from .*windows10.0-${KB,,}-x64.msu" <<<"$out")" = 1
  check "choose: the temporary and work folders are empty afterwards" \
    test -z "$(ls -A "$tmp/csmall/t")" -a -z "$(ls -A "$tmp/csmall/work")"
  umount "$tmp/csmall"
  rm -rf "$tmp/workc"
else
  skip "choose from a folder on a small TMPDIR: cannot mount a tmpfs here (needs root)"
fi

# --- a bare .cab's snapshot: copied in blocks, byte for byte ----------------------
# 128 MiB, sparse: a copy through memory (the whole file read, then written)
# takes more than 128 MiB; in 64 KiB blocks the process stays far below.
{ cat "$S/SSU-26100.5074-x64.cab"; } >"$tmp/big.cab"
truncate -s $((128 << 20)) "$tmp/big.cab"
rm -rf "$tmp/snaps"; mkdir -p "$tmp/snaps"
snap_lua="local l = { bare = true, snaps = [[$tmp/snaps]] }
  io.write(assert(require('sxsfix.staging').snapshot(l, [[$tmp/big.cab]], { name = 'big.cab' })))"
if [ -z "$EMU" ] && [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%M' -o "$tmp/rss" "$SXSFIX" eval "$snap_lua" >"$tmp/out" 2>"$tmp/err"; rc=$?
  rss=$(tail -1 "$tmp/rss")
  echo "# snapshot of a 128 MiB cab: peak resident memory ${rss} KiB"
  check "bare .cab snapshot: copied (exit 0)" test "$rc" = 0
  check "bare .cab snapshot: peak memory under 64 MiB for a 128 MiB cab (copied in blocks)" test "${rss:-999999}" -lt 65536
else
  run eval "$snap_lua"
  check "bare .cab snapshot: copied (exit 0)" test "$rc" = 0
  skip "bare .cab snapshot, peak memory: measured on Linux only (Wine's own memory and no /usr/bin/time there)"
fi
check "bare .cab snapshot: byte-identical to the file" cmp -s "$tmp/big.cab" "$tmp/snaps/big.cab"
check "bare .cab snapshot: only the snapshot in its folder (no temporary left)" test "$(ls -A "$tmp/snaps")" = big.cab
run eval "local l = { bare = true, snaps = [[$tmp/snaps]] }
  local ok, e = require('sxsfix.staging').snapshot(l, [[$tmp/big.cab]], { name = 'big.cab' }) io.write(tostring(ok), ' ', e or '')"
check "bare .cab snapshot: an existing snapshot is not replaced through its name" has "$out" "nil "
rm -rf "$tmp/snaps" "$tmp/big.cab"

# --- a small volume: the peak, and the free-space refusal -------------------------
if [ "$(id -u)" != 0 ] || ! mkdir -p "$tmp/small" || ! mount -t tmpfs -o size=$(( (3 * E + C) / 1024 + 64 ))k tmpfs "$tmp/small" 2>/dev/null; then
  skip "peak size on a small volume: cannot mount a tmpfs here (needs root)"
  skip "free space refusal: cannot mount a tmpfs here (needs root)"
else
  trap 'umount "$tmp/small" 2>/dev/null; rm -rf "$tmp"' EXIT
  run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU" --work "$tmp/small/work"
  check "volume of 3x the stack's expanded size (+ its cab): planned, exit 1" test "$rc" = 1
  check "small volume: the work folder is empty after the run" test -z "$(ls -A "$tmp/small/work")"
  umount "$tmp/small"
  mount -t tmpfs -o size=$(( E / 2048 + 4 ))k tmpfs "$tmp/small"
  before=$(find "$r" -printf '%p %s %T@\n' | sort | md5sum)
  run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU" --work "$tmp/small/work"
  check "too little space: refused, exit 3 (nothing changed)" test "$rc" = 3
  check "too little space: one line naming the volume, the space needed and --work DIR" \
    test "$(grep -cE "^sxsfix repair: not enough free space on ($tmp/small|Z:.*small\\\\) .*needs [0-9]+ bytes.*--work DIR" <<<"$err")" = 1
  echo "# $err"
  check "too little space: nothing written to the volume" test -z "$(find "$tmp/small/work" -type f)"
  check "too little space: nothing changed" test "$(find "$r" -printf '%p %s %T@\n' | sort | md5sum)" = "$before"
  umount "$tmp/small"
  # the disk full midway through the expansion (free bytes pass the check,
  # the files run out: a tmpfs with few inodes): the machine's fault, exit 2
  F=$(find "$S/payload" | wc -l)
  mount -t tmpfs -o size=64m,nr_inodes=$(( 9 + F / 4 )) tmpfs "$tmp/small"
  before=$(find "$r" -printf '%p %s %T@\n' | sort | md5sum)
  run --root "$r" "${CFG[@]}" repair "${SXT[@]}" --ssu "$MSU" --work "$tmp/small/work"
  echo "# $err"
  check "disk full midway through the expansion: failed, exit 2" test "$rc" = 2
  check "disk full midway: the error names the entry and the lack of space" \
    grep -qiE "entry '.*'.*(no space left|disk full|not enough space)" <<<"$err"
  check "disk full midway: says nothing was changed (no backup to roll back from)" \
    test "$(grep -c '^Nothing was changed\.$' <<<"$err")" = 1 -a "$(grep -c 'rolled back' <<<"$err")" = 0
  check "disk full midway: nothing changed" test "$(find "$r" -printf '%p %s %T@\n' | sort | md5sum)" = "$before"
  check "disk full midway: the work folder is empty after the run" test -z "$(ls -A "$tmp/small/work")"
  umount "$tmp/small"
fi

echo "ssu_24h2: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
