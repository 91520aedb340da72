-- sxsfix.clock: every time as UTC seconds since 1970 (an "epoch"), whatever
-- the time zone of the installation or of the system sxsfix runs on.
--
--   clock.zone() -> { bias, name, source, error } : the installation's zone.
--       Live: the OS's (local times convert through os.time). Under --root:
--       the SYSTEM hive's ControlSet00N\Control\TimeZoneInformation (N from
--       Select\Current): Bias (minutes, UTC = local + bias), StandardBias,
--       DaylightBias and the rules StandardStart/DaylightStart (SYSTEMTIME,
--       16 bytes: when daylight time ends and begins; a month of 0: no
--       daylight time), so that each time converts by the rule of its own
--       date, as Windows' SystemTimeToTzSpecificLocalTime does. Without
--       the rules: ActiveTimeBias (the bias in force when Windows last ran),
--       else Bias. Unreadable: bias 0 (UTC), with error set.
--   clock.from_local("2024-10-08 10:12:05", zone) -> epoch | nil
--       a time as the installation's logs write it (its local time)
--   clock.iso(epoch) -> "2024-10-08T06:12:05Z"
--   clock.offset_text(zone, epoch) -> "UTC-07:00", the offset in effect at
--       epoch (default now: daylight time's in summer), or "local" live
--   clock.parse_history(line, zone) -> epoch, rest | nil
--       "2026-12-08T01:09:02Z repaired ..." (or any ISO 8601 offset,
--       "+04:00"), or an old line "2026-12-08 05:09:02 repaired ...", read
--       as the installation's local time; rest: the text after the time
local fs = require "sxsfix.fs"
local reg = require "sxsfix.reg"

local M = {}

M.ZONE_KEY = [[HKLM\SYSTEM\ControlSet%03d\Control\TimeZoneInformation]]

-- Days from 1970-01-01 to the date y-m-d of the proleptic Gregorian calendar.
local function days(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (m > 2 and m - 3 or m + 9) + 2) // 5 + d - 1
  return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
end

-- The epoch of a date and time taken as UTC.
function M.utc(y, mo, d, h, mi, s)
  return days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
end

function M.iso(epoch)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(epoch))
end

-- A REG_DWORD as the signed LONG Windows stores a bias in.
local function long(v)
  if math.type(v) ~= "integer" then return nil end
  if v >= 0x80000000 then v = v - 0x100000000 end
  if v < -1440 or v > 1440 then return nil end  -- more than a day: not a bias
  return v
end

-- A SYSTEMTIME (wYear, wMonth, wDayOfWeek, wDay, wHour, wMinute, wSecond,
-- wMilliseconds; little-endian WORDs) as a rule, or nil when it is not one.
-- wYear 0: "day-in-month", the wDay-th (1..5, 5 = last) wDayOfWeek
-- (0 = Sunday) of wMonth of every year; otherwise that date of wYear only.
local function rule(v)
  if type(v) ~= "string" or #v ~= 16 then return nil end
  local y, mo, dow, d, h, mi, s = string.unpack("<I2I2I2I2I2I2I2", v)
  if mo == 0 then return false end  -- no daylight time
  if mo > 12 or dow > 6 or d < 1 or d > 31 or h > 23 or mi > 59 or s > 59 then return nil end
  if y == 0 and d > 5 then return nil end
  return { year = y ~= 0 and y or nil, month = mo, dow = dow, week = d, hour = h, min = mi, sec = s }
end

local MDAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
local function month_days(y, m)
  if m == 2 and (y % 4 == 0 and y % 100 ~= 0 or y % 400 == 0) then return 29 end
  return MDAYS[m]
end

-- The local wall time (seconds, as if UTC) a rule switches at in year y, or
-- nil when an absolute rule is of another year.
local function switch(r, y)
  local d = r.week
  if r.year then
    if r.year ~= y then return nil end
  else
    local first = (days(y, r.month, 1) + 4) % 7  -- 1970-01-01 was a Thursday
    d = 1 + (r.dow - first) % 7 + (r.week - 1) * 7
    while d > month_days(y, r.month) do d = d - 7 end  -- 5: the last
  end
  return M.utc(y, r.month, d, r.hour, r.min, r.sec)
end

-- Is the local wall time t (seconds, as if UTC) of year y daylight time?
-- DaylightStart is a standard time, StandardStart a daylight time, both
-- compared as wall times: the hour that repeats in autumn reads as
-- daylight, the hour skipped in spring as daylight (as Windows does).
local function is_daylight(zone, t, y)
  local on, off = switch(zone.daylight, y), switch(zone.standard, y)
  if not on or not off then return false end
  if on < off then return t >= on and t < off end  -- northern hemisphere
  return t >= on or t < off                         -- southern
end

local function offline_zone()
  local cs, err = require("sxsfix.identity").control_set()
  if not cs then return nil, err end
  local key = string.format(M.ZONE_KEY, cs)
  local k, kerr = reg.key(key)
  if not k then return nil, kerr or ("missing key " .. key) end
  local v = {}
  for _, val in ipairs(k.values or {}) do v[val.name:lower()] = val.value end
  local name = type(v.timezonekeyname) == "string" and v.timezonekeyname ~= "" and v.timezonekeyname
    or type(v.standardname) == "string" and v.standardname or nil
  local base, sb, db = long(v.bias), long(v.standardbias) or 0, long(v.daylightbias)
  local std, dl = rule(v.standardstart), rule(v.daylightstart)
  if base and db and std and dl then  -- a zone with daylight time, by its rules
    return { bias = base + sb, standard = std, daylight = dl, daylight_bias = base + db,
             name = name, source = key }
  end
  if base and (std == false or dl == false) then  -- no daylight time
    return { bias = base + sb, name = name, source = key }
  end
  local bias = long(v.activetimebias) or base
  if not bias then return nil, key .. ": no ActiveTimeBias or Bias (a DWORD of minutes)" end
  return { bias = bias, name = name, source = key }
end

function M.zone()
  if not fs.root() then return { live = true, source = "the system's time zone" } end
  local z, err = offline_zone()
  if z then return z end
  return { bias = 0, source = "UTC (assumed)",
           error = "the installation's time zone could not be read (" .. tostring(err) .. "): its log times are taken as UTC" }
end

-- The bias (minutes, UTC = local + bias) in effect at the instant epoch:
-- DaylightStart is a standard wall time, StandardStart a daylight one.
function M.bias_at(zone, epoch)
  if not zone.daylight then return zone.bias end
  local std = epoch - zone.bias * 60
  local y = tonumber(os.date("!%Y", math.floor(std)))
  local on, off = switch(zone.daylight, y), switch(zone.standard, y)
  if not on or not off then return zone.bias end
  local dl = epoch - zone.daylight_bias * 60
  local daylight
  if on < off then daylight = std >= on and dl < off else daylight = std >= on or dl < off end
  return daylight and zone.daylight_bias or zone.bias
end

-- "UTC+04:00" for the offset in effect at epoch (default now), or "local".
function M.offset_text(zone, epoch)
  if zone.live then return "local" end
  local m = -M.bias_at(zone, epoch or os.time())
  return string.format("UTC%s%02d:%02d", m < 0 and "-" or "+", math.abs(m) // 60, math.abs(m) % 60)
end

local LOCAL = "^(%d%d%d%d)%-(%d%d)%-(%d%d)[ T](%d%d):(%d%d):(%d%d)"

function M.from_local(text, zone)
  local y, mo, d, h, mi, s = text:match(LOCAL)
  if not y then return nil end
  y, mo, d, h, mi, s = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(s)
  if mo < 1 or mo > 12 or d < 1 or d > 31 or h > 23 or mi > 59 or s > 60 then return nil end
  if zone.live then
    return os.time({ year = y, month = mo, day = d, hour = h, min = mi, sec = s })
  end
  local t = M.utc(y, mo, d, h, mi, s)
  if zone.daylight and is_daylight(zone, t, y) then return t + zone.daylight_bias * 60 end
  return t + zone.bias * 60
end

function M.parse_history(line, zone)
  local stamp, off = line:match("^(%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d)([Z+-][%d:]*)")
  if stamp then
    local minutes = 0
    if off ~= "Z" then
      local sign, oh, om = off:match("^([+-])(%d%d):?(%d%d)$")
      if not sign then return nil end
      minutes = (tonumber(oh) * 60 + tonumber(om)) * (sign == "-" and -1 or 1)
    end
    local t = M.from_local(stamp, { bias = -minutes })
    return t, t and line:sub(#stamp + #off + 1)
  end
  local t = M.from_local(line, zone)
  return t, t and line:sub(20)
end

return M
