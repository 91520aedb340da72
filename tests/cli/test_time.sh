#!/usr/bin/env bash
# Time zones: an installation whose clock is not the rescue system's. Its
# logs carry its own local time (SYSTEM hive TimeZoneInformation), the
# history is written in UTC (ISO 8601), and times are compared as times.
# An installation at UTC+4 and one at UTC-8, each repaired from a rescue
# system in UTC and in Asia/Tokyo; the upgrade failed an hour ago.
set -u
: "${SXSFIX:?}" "${SXSFIX_SOURCE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need gcab wimlib-imagex hivexsh lua5.4 jq
if [ -n "$EMU" ]; then
  echo "SKIP: the installation's time zone is in its SYSTEM hive, and Wine cannot load an offline hive (RegLoadAppKeyW is a stub)"
  exit 77
fi

sample_image "$tmp/img"
STACK=amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.26100.5074_none_a5532eb7772ad4c4
MSU=$tmp/img/ssu/amd64-10.0.26100.5074/windows10.0-kb5043080-x64.msu
LOGS=("\$WINDOWS.~BT/Sources/Panther/setupact.log" "\$WINDOWS.~BT/Sources/Panther/setuperr.log"
      Windows/Logs/CBS/CBS.log Windows/Logs/DISM/dism.log)

# zone ROOT BIAS NAME: the installation's TimeZoneInformation (Bias in
# minutes, UTC = local + Bias, stored as a DWORD) in the control set it boots.
zone() {
  local dw; dw=$(printf '0x%08x' $(( $2 & 0xffffffff )))
  hivexsh -w "$1/Windows/System32/config/SYSTEM" >/dev/null <<EOF
cd ControlSet002\\Control
add TimeZoneInformation
cd TimeZoneInformation
setval 5
Bias
dword:$dw
ActiveTimeBias
dword:$dw
DaylightBias
dword:0x00000000
StandardName
string:test zone
TimeZoneKeyName
string:$3
commit
EOF
}
# local_time BIAS SECONDS-FROM-NOW FORMAT: the installation's clock then.
local_time() { date -u -d "@$(( $(date +%s) + $2 - $1 * 60 ))" "$3"; }

for inst in "-240 Arabian Standard Time" "480 Pacific Standard Time"; do
  bias=${inst%% *} zname=${inst#* }
  for rescue in UTC Asia/Tokyo; do
    what="UTC$( [ "$bias" -lt 0 ] && echo + || echo - )$(( ${bias#-} / 60 )) from TZ=$rescue"
    r=$tmp/r; rm -rf "$r"; cp -a "$tmp/img/root" "$r"
    zone "$r" "$bias" "$zname"
    # The upgrade failed an hour ago, by the installation's clock.
    hour=$(local_time "$bias" -3600 '+%Y-%m-%d %H:')
    for f in "${LOGS[@]}"; do [ -f "$r/$f" ] && sed -i "s/2024-10-08 10:/$hour/" "$r/$f"; done
    export TZ=$rescue
    run --root "$r" repair --trust "$tmp/img/ca/ca.pem" --ssu "$MSU" --apply --json "$tmp/rep.json"
    check "$what: the repair exits 0 (copied, verified, evidence resolved)" test "$rc" = 0
    check "$what: no 'rolled back' claim" bash -c '! grep -qi "rolled back" <<<"$1"' _ "$err"
    check "$what: the stack folder is filled" test -f "$r/Windows/WinSxS/$STACK/cbscore.dll"
    line=$(tail -1 "$r/ProgramData/sxsfix/repairs.log")
    check "$what: the history line is UTC, ISO 8601 ($line)" \
      bash -c '[[ $1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\ repaired\  ]]' _ "$line"
    check "$what: the JSON names the installation's zone" \
      test "$(jq -r .time_zone.name "$tmp/rep.json")" = "$zname"
    run --root "$r" --json - diagnose
    check "$what: diagnose after the repair: healthy, the evidence resolved" \
      bash -c '[ "$1" = 0 ] && [ "$(jq ".history | length" <<<"$2")" -gt 0 ] && [ "$(jq ".evidence | length" <<<"$2")" = 0 ]' _ "$rc" "$out"
    check "$what: evidence times in UTC are an hour ago" \
      test "$(jq -r '.history[] | select(.file | test("setupact")) | .utc' <<<"$out" | head -1 | cut -c1-13)" = "$(date -u -d '-1 hour' +%Y-%m-%dT%H)"
    # The upgrade is retried and fails again a minute after the repair.
    again=$(local_time "$bias" 60 '+%Y-%m-%d %H:%M:%S')
    sig=$(grep -m1 'Result = 0x80070003' "$r/${LOGS[0]}" | sed "s/^[0-9-]* [0-9:]*/$again/")
    printf '%s\n' "$sig" >>"$r/${LOGS[0]}"
    run --root "$r" diagnose
    check "$what: a failure after the repair is evidence, not resolved history (exit 1)" test "$rc" = 1
    # An old history line ("YYYY-MM-DD HH:MM:SS", the installation's local
    # time) written now still resolves what was logged an hour ago.
    sed -i '$d' "$r/${LOGS[0]}"
    printf '%s repaired %s\n' "$(local_time "$bias" 0 '+%Y-%m-%d %H:%M:%S')" "$STACK" >"$r/ProgramData/sxsfix/repairs.log"
    run --root "$r" diagnose
    check "$what: an old-format history line is read as the installation's local time" test "$rc" = 0
    unset TZ
  done
done

# No TimeZoneInformation: the logs are taken as UTC, and diagnose says so.
r=$tmp/r; rm -rf "$r"; cp -a "$tmp/img/root" "$r"
run --root "$r" diagnose
check "no time zone in the hive: one line says the log times are taken as UTC" has "$out" "its log times are taken as UTC"

echo "time: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
