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

# tzi ROOT NAME VALUE...: set the values of the installation's
# TimeZoneInformation (in the control set it boots), replacing all others.
tzi() {
  local root=$1; shift
  { echo 'cd ControlSet002\Control\TimeZoneInformation'; echo "setval $(( $# / 2 ))"
    printf '%s\n' "$@"; echo commit; } | hivexsh -w "$root/Windows/System32/config/SYSTEM" >/dev/null
}
dword() { printf 'dword:0x%08x' $(( $1 & 0xffffffff )); }
# systime MONTH DAY-OF-WEEK WEEK HOUR: a day-in-month SYSTEMTIME rule (REG_BINARY).
systime() { printf 'hex:3:00,00,%02x,00,%02x,00,%02x,00,%02x,00,00,00,00,00,00,00' "$@"; }
# zone ROOT BIAS NAME: Bias in minutes (UTC = local + Bias), no rules.
zone() {
  tzi "$1" Bias "$(dword "$2")" ActiveTimeBias "$(dword "$2")" DaylightBias "$(dword 0)" \
    StandardName "string:test zone" TimeZoneKeyName "string:$3"
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

# Daylight saving time: each log time converts by the rule of its own date
# (StandardStart/DaylightStart, as SystemTimeToTzSpecificLocalTime does),
# not by the bias Windows last ran with. ActiveTimeBias is set to the
# other season's bias, as a machine last booted in winter has it.
r=$tmp/r; rm -rf "$r"; cp -a "$tmp/img/root" "$r"
act=$r/${LOGS[0]}; cp "$act" "$tmp/setupact.log"
# first_utc DATE HOUR: the UTC time diagnose gives the first setupact.log
# evidence line (10:06:48 in the sample) once the log is dated DATE HOUR.
first_utc() {
  sed "s/2024-10-08 10:/$1 $2:/" "$tmp/setupact.log" >"$act"
  run --root "$r" --json - diagnose
  jq -r '[.evidence[] | select(.file | test("setupact"))][0].utc' <<<"$out"
}
dst() {  # dst WHAT DATE HOUR EXPECTED-UTC
  local got; got=$(first_utc "$2" "$3")
  check "$1: $2 $3:06:48 local is $4 ($got)" test "$got" = "$4"
}
# Pacific: UTC-8, daylight UTC-7 from the 2nd Sunday of March 02:00 to the
# 1st Sunday of November 02:00.
tzi "$r" Bias "$(dword 480)" StandardBias "$(dword 0)" DaylightBias "$(dword -60)" \
  ActiveTimeBias "$(dword 480)" StandardStart "$(systime 11 0 1 2)" DaylightStart "$(systime 3 0 2 2)" \
  TimeZoneKeyName "string:Pacific Standard Time"
dst "Pacific, summer" 2024-10-08 10 2024-10-08T17:06:48Z
dst "Pacific, winter" 2024-01-08 10 2024-01-08T18:06:48Z
dst "Pacific, before the spring switch" 2024-03-10 01 2024-03-10T09:06:48Z
dst "Pacific, after the spring switch" 2024-03-10 03 2024-03-10T10:06:48Z
dst "Pacific, before the autumn switch" 2024-11-03 00 2024-11-03T07:06:48Z
dst "Pacific, after the autumn switch" 2024-11-03 02 2024-11-03T10:06:48Z
dst "Pacific, summer of another year" 2021-07-01 10 2021-07-01T17:06:48Z
# The same zone last booted in summer: the result does not change.
tzi "$r" Bias "$(dword 480)" StandardBias "$(dword 0)" DaylightBias "$(dword -60)" \
  ActiveTimeBias "$(dword 420)" StandardStart "$(systime 11 0 1 2)" DaylightStart "$(systime 3 0 2 2)"
dst "Pacific booted in summer, winter line" 2024-01-08 10 2024-01-08T18:06:48Z
# Central Europe: week 5 is the last Sunday (March 31 and October 27, 2024).
tzi "$r" Bias "$(dword -60)" DaylightBias "$(dword -60)" ActiveTimeBias "$(dword -60)" \
  StandardStart "$(systime 10 0 5 3)" DaylightStart "$(systime 3 0 5 2)"
dst "Europe, before the last Sunday of March" 2024-03-24 03 2024-03-24T02:06:48Z
dst "Europe, the last Sunday of March" 2024-03-31 03 2024-03-31T01:06:48Z
dst "Europe, the day before the last Sunday of October" 2024-10-26 10 2024-10-26T08:06:48Z
dst "Europe, the last Sunday of October" 2024-10-27 10 2024-10-27T09:06:48Z
# Sydney, southern hemisphere: daylight from the 1st Sunday of October to
# the 1st Sunday of April, across the new year.
tzi "$r" Bias "$(dword -600)" DaylightBias "$(dword -60)" ActiveTimeBias "$(dword -600)" \
  StandardStart "$(systime 4 0 1 3)" DaylightStart "$(systime 10 0 1 2)"
dst "Sydney, January (daylight)" 2024-01-08 10 2024-01-07T23:06:48Z
dst "Sydney, July (standard)" 2024-07-08 10 2024-07-08T00:06:48Z
# A zone without daylight time (rules of month 0): one bias all year.
tzi "$r" Bias "$(dword -240)" DaylightBias "$(dword 0)" ActiveTimeBias "$(dword -240)" \
  StandardStart "$(systime 0 0 0 0)" DaylightStart "$(systime 0 0 0 0)"
dst "no daylight time, summer" 2024-07-08 10 2024-07-08T06:06:48Z
dst "no daylight time, winter" 2024-01-08 10 2024-01-08T06:06:48Z
run --root "$r" diagnose
check "a zone with a TimeZoneInformation key: no 'taken as UTC' line" bash -c '! grep -q "taken as UTC" <<<"$1"' _ "$out"
# time_zone.offset is the offset in effect at the report's time: rules put
# the report two months inside daylight time, then two months outside it
# (months counted from the report's own, so either side is far from a switch).
mon=$((10#$(date -u +%m))) before=$(( (10#$(date -u +%m) + 9) % 12 + 1 )) after=$(( (10#$(date -u +%m) + 1) % 12 + 1 ))
for season in "daylight $before $after UTC-07:00" "standard $after $before UTC-08:00"; do
  read -r name on off want <<<"$season"
  tzi "$r" Bias "$(dword 480)" StandardBias "$(dword 0)" DaylightBias "$(dword -60)" ActiveTimeBias "$(dword 480)" \
    StandardStart "$(systime "$off" 0 1 2)" DaylightStart "$(systime "$on" 0 1 2)" TimeZoneKeyName "string:Pacific Standard Time"
  run --root "$r" --json - diagnose
  check "time_zone.offset in $name time (month $mon, daylight from month $on to $off) is $want" \
    test "$(jqv .time_zone.offset)" = "$want"
done

# No TimeZoneInformation: the logs are taken as UTC, and diagnose says so.
r=$tmp/r; rm -rf "$r"; cp -a "$tmp/img/root" "$r"
printf '%s\n' 'cd ControlSet002\Control\TimeZoneInformation' del commit |
  hivexsh -w "$r/Windows/System32/config/SYSTEM" >/dev/null
run --root "$r" diagnose
check "no time zone in the hive: one line says the log times are taken as UTC" \
  test "$(grep -c "its log times are taken as UTC" <<<"$out")" = 1

echo "time: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
