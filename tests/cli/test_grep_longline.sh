#!/usr/bin/env bash
# sxsfix grep on lines longer than the limit (1 MiB): a hostile log with no
# line ends is never held whole. Memory stays bounded (peak RSS, never
# time), line numbers stay exact, matches at a part's edge and at the end
# of a huge line are found (checked against rg where rg is well defined),
# the match is printed cut with a marker, the file is named once, and the
# UTF-16 path does the same.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3

# 64 MiB of NULs with a match at its very end: one line.
nul=$tmp/zeros.log  # (not nul.log: NUL is a device name on Windows)
python3 - "$nul" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    for _ in range(64): f.write(b"\0" * (1 << 20))
    f.write(b"needle")
PY
run grep needle "$nul"
check "a match at the end of a 64 MiB line is found" test "$rc" = 0
check "its number is 1" test "${out%%needle*}" != "$out" -a "$(cut -d: -f2 <<<"${out#"$nul"}")" = 1
check "it is printed cut, with a marker" has "$out" "[...]needle"
check "the printed line is short" test "${#out}" -lt 4096
check "the long line is named once" test "$(grep -c 'line 1 is longer than 1048576 bytes: searched in parts / printed truncated' <<<"$err")" = 1
run grep -c needle "$nul"
check "-c counts it once" test "$out" = "$nul:1"
if [ -z "$EMU" ] && [ -x /usr/bin/time ]; then
  /usr/bin/time -f %M -o "$tmp/rss" "$SXSFIX" grep -c needle "$nul" >/dev/null 2>&1
  kb=$(tail -1 "$tmp/rss")
  check "peak RSS on a 64 MiB line stays under 40 MiB (was $kb KiB)" test "$kb" -lt 40960
else
  skip "peak RSS is measured natively only (/usr/bin/time)"
fi

# Text lines around long lines, with matches placed across the edges of
# the parts (reads are 256 KiB; a part is cut after 1 MiB), in several
# files, so that each match is the line's first.
python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
pad = b"a" * (6 << 20)
for i, at in enumerate([(1 << 20) - 3, (1 << 20) + (1 << 18) - 2, (5 << 18) + 1, (6 << 20) - 6, 17, 4096 - 3]):
    line = pad[:at] + b"needle" + pad[at:]
    with open(f"{d}/edge{i}.log", "wb") as f:
        f.write(b"one\r\ntwo needle\n" + line + b"\nthree\n" + pad + b"\r\nneedle four\n" + pad + b"needle")
PY
for f in "$tmp"/edge*.log; do
  run grep needle "$f"
  check "$(basename "$f"): the lines rg finds" test "$(cut -d: -f2 <<<"${out//$f:/:}" | tr '\n' ' ')" = "$(rg -n --no-filename needle "$f" | cut -d: -f1 | tr '\n' ' ')"
  check "$(basename "$f"): named once, its first long line" test "$(grep -c 'line 3 is longer than' <<<"$err")" = 1
  run grep -c needle "$f"
  check "$(basename "$f"): -c as rg -c" test "${out##*:}" = "$(rg -c needle "$f")"
  check "$(basename "$f"): -c names it once too" test "$(grep -c 'a line is longer than' <<<"$err")" = 1
done

# UTF-16LE with a BOM: the limit is on the decoded text.
u16=$tmp/u16.log
python3 - "$u16" <<'PY'
import sys
t = "first\r\n" + "x" * (3 << 20) + "needle\r\nsecond needle\r\n"
open(sys.argv[1], "wb").write(b"\xff\xfe" + t.encode("utf-16-le"))
PY
run grep needle "$u16"
check "UTF-16: the lines rg finds" test "$(cut -d: -f2 <<<"${out//$u16:/:}" | tr '\n' ' ')" = "$(rg -n --no-filename needle "$u16" | cut -d: -f1 | tr '\n' ' ')"
check "UTF-16: the long line is named" has "$err" "line 2 is longer than"

echo "test_grep_longline.sh: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || exit 1
