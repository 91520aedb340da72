#!/usr/bin/env bash
# Diagnose checks each servicing stack folder against its own component
# manifest (WinSxS\Manifests\NAME.manifest: every file with its SHA-256),
# and repair's "damaged" is that same decision. Damage the older checks
# miss (a file that is no key file deleted, an executable zeroed after its
# headers) -> damaged, exit 1, naming the files and the manifest; a
# DCM/PA30-compressed manifest that cannot be decoded -> the fallback,
# said once (text and JSON); hostile manifests -> one clear line, no crash,
# no file read outside the folder.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq iconv openssl

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
SSU=$tmp/img/ssu/amd64-10.0.26100.5074
PAYLOAD=$SSU/payload/$STACK
SXT=(--trust "$tmp/img/ca/ca.pem")
noreg_under_wine
fresh() {  # fresh NAME: the sample with the 5074 stack intact and no evidence in the logs
  local r=$tmp/$1
  rm -rf "$r"; cp -a "$tmp/img/root" "$r"
  cp -p "$PAYLOAD/"* "$r/Windows/WinSxS/$STACK/"
  rm -f "$r/\$WINDOWS.~BT/Sources/Panther/"* "$r/Windows/Logs/DISM/"* "$r/Windows/Logs/CBS/"* "$r/Windows/Logs/SetupDiag/"*
  echo "$r"
}
folder() { jqv ".servicing_stack.folders[] | select(.name == \"$1\")"; }
MAN=Windows/WinSxS/Manifests

# --- intact: every folder verified against its manifest -----------------------
r=$(fresh intact)
run --root "$r" --json - "${CFG[@]}" diagnose
check "intact: healthy, exit 0" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "healthy,0"
check "intact: the 5074 folder verified, all 8 files" \
  test "$(folder "$STACK" | jq -r '.manifest.state + "," + (.manifest.files|tostring) + "," + (.manifest.checked|tostring)')" = "verified,8,8"
check "intact: no fallback" test "$(jqv '.servicing_stack.manifest_fallback')" = null

# --- the unlucky admin: wdscore.dll deleted, DrUpdate.dll zeroed after 8 KiB ----
r=$(fresh damaged)
d=$r/Windows/WinSxS/$STACK
rm "$d/wdscore.dll"
f=$d/DrUpdate.dll size=$(stat -c %s "$d/DrUpdate.dll")
check "DrUpdate.dll is longer than 8 KiB" test "$size" -gt 8192
{ head -c 8192 "$f"; head -c $((size - 8192)) /dev/zero; } >"$tmp/dr" && cat "$tmp/dr" >"$f"
check "DrUpdate.dll keeps its size" test "$(stat -c %s "$f")" = "$size"
run --root "$r" "${CFG[@]}" diagnose
check "damaged: exit 1, DAMAGED" test "$rc,$(has "$out" DAMAGED && echo y)" = "1,y"
check "damaged: names wdscore.dll as missing" grep -q 'wdscore.dll: missing: its component manifest lists it' <<<"$out"
check "damaged: names DrUpdate.dll as changed" grep -q 'DrUpdate.dll: content differs from its component manifest' <<<"$out"
check "damaged: names the manifest" has "$out" "manifest: Manifests\\$STACK.manifest: 2 of 8 file(s) missing or changed"
run --root "$r" --summary "${CFG[@]}" diagnose   # the line fleet detection (Intune, ConfigMgr) reads
check "damaged, --summary: DAMAGED, exit 1" test "$rc,${out%% *}" = "1,DAMAGED"
run --root "$r" --json - "${CFG[@]}" diagnose
check "damaged, json: verdict damaged, exit_code 1" test "$(jqv '.verdict + "," + (.exit_code|tostring)')" = "damaged,1"
check "damaged, json: the folder is incomplete, manifest damaged" \
  test "$(folder "$STACK" | jq -r '.state + "," + .manifest.state')" = "incomplete,damaged"
check "damaged, json: problems are exactly the two files" \
  test "$(folder "$STACK" | jq -r '[.problems[].file] | sort | join(" ")')" = "DrUpdate.dll wdscore.dll"
check "damaged, json: the folder is in damaged[]" \
  test "$(jqv "[.servicing_stack.damaged[].name] | index(\"$STACK\") != null")" = true
run --root "$r" --json - "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu"
check "repair plan: damaged is the folder diagnose names" \
  test "$(jqv '.repair.damaged | join(",")')" = "$STACK"
check "repair plan: replaces exactly the two files" \
  test "$(jqv "[.repair.plan[] | select(.folder == \"$STACK\" and .action != \"same\" and .type == \"file\") | .path] | sort | join(\" \")")" = "DrUpdate.dll wdscore.dll"
SEC=()
[ -z "$EMU" ] || SEC=(--security source)  # Wine keeps no descriptors (see test_repair.sh)
run --root "$r" --json - "${CFG[@]}" repair "${SXT[@]}" --ssu "$SSU/windows10.0-kb5043080-x64.msu" --apply ${SEC[@]+"${SEC[@]}"}
check "repair --apply: exit 0, damaged > healthy" test "$rc,$(jqv '.verdict_before + ">" + .verdict')" = "0,damaged>healthy"
check "repair --apply: the folder equals the update's" diff -r "$PAYLOAD" "$d"

# --- a DCM/PA30-compressed manifest: said, and the other checks still run ------
dcm() { printf 'DCM\001PA30'; head -c 200 /dev/urandom; }  # as Windows 10 and 11 keep them
r=$(fresh dcm)
dcm >"$r/$MAN/$STACK.manifest"
run --root "$r" --json - "${CFG[@]}" diagnose
check "one DCM manifest: that folder's manifest is compressed" \
  test "$(folder "$STACK" | jq -r '.manifest.state')" = compressed
check "one DCM manifest: the message says it cannot be decoded" \
  bash -c 'grep -q "DCM/PA30.*cannot decode" <<<"$0"' "$(folder "$STACK" | jq -r '.manifest.message')"
check "one DCM manifest: the others were read, no fallback" test "$(jqv '.servicing_stack.manifest_fallback')" = null
for m in "$r/$MAN/"*servicingstack*.manifest; do dcm >"$m"; done
rm "$r/Windows/WinSxS/$STACK/wdscore.dll"
run --root "$r" "${CFG[@]}" diagnose
check "all DCM: one fallback line" \
  test "$(grep -c 'Component manifests: no component manifest could be read .*checked key files and executable headers only' <<<"$out")" = 1
check "all DCM: today's checks decide (wdscore.dll is no key file: not seen)" test "$rc" = 0
check "all DCM: no traceback" bash -c '! grep -qi traceback <<<"$0$1"' "$out" "$err"
run --root "$r" --json - "${CFG[@]}" diagnose
check "all DCM, json: manifest_fallback says so" has "$(jqv '.servicing_stack.manifest_fallback')" "no component manifest could be read"

# --- hostile manifests --------------------------------------------------------
# hostile NAME EXPECT-STATE EXPECT-TEXT: the 5074 stack's manifest replaced by
# $tmp/hostile; one clear manifest line, no crash; the other checks still ran.
hostile() {
  local label=$1 state=$2 text=$3
  r=$(fresh "h-$label")
  cp "$tmp/hostile" "$r/$MAN/$STACK.manifest"
  run --root "$r" --json - "${CFG[@]}" diagnose
  check "$label: manifest $state" test "$(folder "$STACK" | jq -r '.manifest.state')" = "$state"
  check "$label: exit 0 (the other checks pass), no traceback" \
    test "$rc,$(grep -ci traceback <<<"$out$err")" = "0,0"
  run --root "$r" "${CFG[@]}" diagnose
  check "$label: one line naming the manifest and the entry" \
    test "$(grep -cF -- "$text" <<<"$out")" = 1
}
entry() {  # entry NAME FILE: a <file> element for NAME with FILE's SHA-256
  printf '<file name="%s"><asmv2:hash><dsig:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha256"/><dsig:DigestValue>%s</dsig:DigestValue></asmv2:hash></file>\n' \
    "$1" "$(openssl dgst -sha256 -binary "$2" | base64)"
}
OLDSTACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.4652_none_77d853660bacf544
OLDFILE=$tmp/img/root/Windows/WinSxS/$OLDSTACK/cbscore.dll
# ..\ out of the folder, to a file whose hash matches: followed, it would verify
{ echo '<assembly>'; entry "..\\$OLDSTACK\\cbscore.dll" "$OLDFILE"; echo '</assembly>'; } >"$tmp/hostile"
hostile "dotdot" invalid "..\\$OLDSTACK\\cbscore.dll\">: a '..' component (outside the component folder)"
{ echo '<assembly>'; entry "sub/../../$OLDSTACK/cbscore.dll" "$OLDFILE"; echo '</assembly>'; } >"$tmp/hostile"
hostile "slash" invalid "a '/' in the name"
{ echo '<assembly>'; entry 'C:\Windows\win.ini' "$OLDFILE"; echo '</assembly>'; } >"$tmp/hostile"
hostile "drive" invalid 'C:\Windows\win.ini">: an absolute path'
{ echo '<assembly>'; entry "\\Windows\\WinSxS\\$OLDSTACK\\cbscore.dll" "$OLDFILE"; echo '</assembly>'; } >"$tmp/hostile"
hostile "rooted" invalid ">: an absolute path"
{ echo '<assembly>'; entry cbscore.dll "$PAYLOAD/cbscore.dll"; entry CBSCORE.DLL "$PAYLOAD/cbscore.dll"; echo '</assembly>'; } >"$tmp/hostile"
hostile "duplicate" invalid '<file name="CBSCORE.DLL"> is listed twice'
{ echo '<assembly><file name="wcp.dll"><dsig:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha256"/>'
  echo '<dsig:DigestValue>not*base64!</dsig:DigestValue></file></assembly>'; } >"$tmp/hostile"
hostile "bad base64" invalid '<file name="wcp.dll">: DigestValue "not*base64!" is not the base64 of a 32-byte sha256 digest'
{ echo '<assembly>'; head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' ' '; echo '</assembly>'; } >"$tmp/hostile"
hostile "huge" too-big "longer than 1048576 bytes: not read"
{ echo '<assembly>'; printf '<a>%.0s' $(seq 200000); echo '<file name="wcp.dll"'; } >"$tmp/hostile"
hostile "deep nesting, unclosed" invalid "a <file> element that never ends"
# deep nesting around real entries: no recursion, the entries are checked
{ echo '<assembly>'; printf '<a>%.0s' $(seq 100000)
  for f in "$PAYLOAD"/*; do entry "$(basename "$f")" "$f"; done; echo '</assembly>'; } >"$tmp/hostile"
r=$(fresh deep)
cp "$tmp/hostile" "$r/$MAN/$STACK.manifest"
rm "$r/Windows/WinSxS/$STACK/wdscore.dll"
run --root "$r" --json - "${CFG[@]}" diagnose
check "deep nesting: parsed, wdscore.dll missing -> damaged" \
  test "$(jqv '.verdict') $(folder "$STACK" | jq -r '.manifest.state + ":" + (.problems[0].file)')" = "damaged damaged:wdscore.dll"

# a file of the folder replaced by a link: never followed (out of --root:
# unreadable, the verdict unknown; inside it: not the file the manifest lists)
if [ -z "$EMU" ]; then
  r=$(fresh link)
  ln -sf /etc/passwd "$r/Windows/WinSxS/$STACK/CbsMsg.dll"
  run --root "$r" "${CFG[@]}" diagnose
  check "link out of --root: unknown (exit 5), one line naming it" \
    test "$rc,$(grep -c "CbsMsg.dll: .*a link to /etc/passwd, outside --root" <<<"$out")" = "5,1"
  ln -sf "../$OLDSTACK/CbsMsg.dll" "$r/Windows/WinSxS/$STACK/CbsMsg.dll"
  run --root "$r" --json - "${CFG[@]}" diagnose
  check "link inside --root: damaged, not a regular file" \
    test "$(jqv .verdict),$(folder "$STACK" | jq -r '[.problems[] | select(.file == "CbsMsg.dll") | .problem] | .[0]')" = "damaged,not a regular file (link); its manifest lists a file"
else
  skip "a symbolic link in the folder: Wine shows the host's links as their targets"
fi

echo "# passed=$passed failed=$failed skipped=$skipped"
[ "$failed" = 0 ]
