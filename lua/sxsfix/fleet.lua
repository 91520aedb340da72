-- sxsfix.fleet: many machines' --json reports, read back and counted.
--
--   local fleet = require "sxsfix.fleet"
--   local f = fleet.new()
--   f:add_path(PATH)             -- a report file, or a folder searched recursively for *.json
--   f:add(report, file)          -- one decoded report -> true | nil, reason
--   local agg = f:aggregate()    -- the counts (below); formats in sxsfix.fleetfmt
--
-- Only the newest report per machine (system.computer_name, compared
-- case-insensitively; newest by its time field) is counted; older ones are
-- counted as history. A file that is not a diagnose or repair report of
-- sxsfix is skipped with its reason; nothing stops the run. Memory is one
-- small record per machine (and one line per skipped file), whatever the
-- size of the files.
local fs = require "sxsfix.fs"
local json = require "sxsfix.json"
local stack = require "sxsfix.stack"
local summary = require "sxsfix.summary"

local M = {}

M.MAX_FILE = 16 * 1024 * 1024  -- a report bigger than this is not one of ours

-- The verdicts a report can carry; any other word counts as unknown.
M.VERDICTS = { damaged = true, suspected = true, healthy = true, unknown = true }
-- The order machines are listed in: the ones to act on first, then by name.
M.RANK = { damaged = 1, suspected = 2, unknown = 3, reboot = 4, healthy = 5 }

local Fleet = {}
Fleet.__index = Fleet

function M.new()
  return setmetatable({ machines = {}, skipped = {}, reports = 0, history = 0, files = 0 }, Fleet)
end

function Fleet:skip(file, reason)
  self.skipped[#self.skipped + 1] = { file = file, reason = reason }
end

-- "10.0.26100.5074 x64" for each damaged servicing stack folder.
local function needs_of(r)
  local out, seen = {}, {}
  local ss = type(r.servicing_stack) == "table" and r.servicing_stack or {}
  for _, d in ipairs(type(ss.damaged) == "table" and ss.damaged or {}) do
    local c = type(d) == "table" and type(d.name) == "string" and stack.parse(d.name)
    if c and stack.is_stack(c) then
      local v = c.version .. " " .. (summary.update_arch[c.arch] or c.arch)
      if not seen[v] then seen[v], out[#out + 1] = true, v end
    end
  end
  return out
end

local function str(v) return type(v) == "string" and v or nil end

-- The one record kept of a report.
local function record(r, file)
  local sys = r.system
  local rp = type(r.repair) == "table" and r.repair or nil
  local word = str(r.verdict)
  local verdict = M.VERDICTS[word or ""] and word or "unknown"
  if r.exit_code == 5 then verdict = "unknown" end
  if r.exit_code == 3010 then verdict = "reboot" end  -- repaired; healthy only after the restart
  local rec = {
    name = sys.computer_name, time = str(r.time) or "", command = r.command, file = file,
    exit_code = r.exit_code, verdict = verdict,
    status = rp and (r.exit_code == 3010 and "reboot" or str(rp.status) or "unknown") or nil,
    build = sys.build ~= nil and tostring(sys.build) or nil,
    ubr = math.type(sys.ubr) == "integer" and sys.ubr or nil,
    edition = str(sys.edition),
    needs = verdict == "damaged" and needs_of(r) or {},
  }
  -- Why this machine needs a look: a failed repair, a restart, an unknown verdict.
  if rec.status == "failed" or rec.status == "refused" or r.exit_code == 2 then
    rec.attention = rec.status == "refused" and "refused" or "failed"
    rec.reason = rp and str(rp.error) or "repair failed"
  elseif r.exit_code == 3010 then
    rec.attention, rec.reason = "reboot", "repaired; a restart completes the repair"
  elseif verdict == "unknown" then
    rec.attention = "unknown"
    if word and not M.VERDICTS[word] and r.exit_code ~= 5 then
      rec.reason = summary.clip("verdict '" .. word .. "' is not one sxsfix writes")
    else
      rec.reason = summary.clip(summary.unknown_reason(r))
    end
  end
  return rec
end

-- Check a decoded report; returns nil, reason when it is not one to count.
local function check(r)
  if type(r) ~= "table" or r.tool ~= "sxsfix" then return nil, "not an sxsfix report (no \"tool\": \"sxsfix\")" end
  if r.command ~= "diagnose" and r.command ~= "repair" then
    return nil, string.format("a '%s' report: only diagnose and repair reports are counted", tostring(r.command))
  end
  if math.type(r.exit_code) ~= "integer" then return nil, "no integer exit_code" end
  if type(r.system) ~= "table" or type(r.system.computer_name) ~= "string" or r.system.computer_name == "" then
    if math.type(r.schema) == "integer" and r.schema >= 1 then
      local why = type(r.system) == "table" and type(r.system.errors) == "table" and r.system.errors[1]
      return nil, string.format("a schema %d report without system.computer_name (the machine's name could not be read%s)",
        r.schema, type(why) == "string" and (": " .. why) or "")
    end
    return nil, "no system.computer_name (a report of sxsfix before JSON schema 1?)"
  end
  if r.time ~= nil and type(r.time) ~= "string" then return nil, "time is not a string" end
  return true
end

function Fleet:add(r, file)
  local ok, why = check(r)
  if not ok then self:skip(file, why); return nil, why end
  local rec = record(r, file)
  self.reports = self.reports + 1
  local key = rec.name:lower()
  local m = self.machines[key]
  if not m then
    m = { history = 0 }
    self.machines[key] = m
  end
  if m.latest then
    m.history, self.history = m.history + 1, self.history + 1
  end
  if not m.latest or rec.time > m.latest.time or (rec.time == m.latest.time and rec.file > m.latest.file) then
    m.latest = rec
  end
  if rec.status and (not m.repair or rec.time >= m.repair.time) then m.repair = rec end
  return true
end

function Fleet:add_file(file)
  self.files = self.files + 1
  local st = fs.stat(file, { follow = true })
  if st and st.type ~= "file" then return self:skip(file, "not a regular file (" .. st.type .. ")") end
  if st and st.size > M.MAX_FILE then
    return self:skip(file, string.format("%d bytes: larger than a report can be (%d)", st.size, M.MAX_FILE))
  end
  local text, err = fs.readfile(file)
  if not text then return self:skip(file, err) end
  local r, jerr = json.decode(text)
  if jerr then return self:skip(file, "not JSON: " .. jerr) end
  self:add(r, file)
end

-- PATH: a file, or a folder whose *.json files (any depth) are read in name order.
function Fleet:add_path(path)
  local st, err = fs.stat(path, { follow = true })
  if not st then return self:skip(path, err or "no such file or folder") end
  if st.type ~= "dir" then return self:add_file(path) end
  local files, werr = fs.list(path, { type = "file", depth = 0 })
  if not files then self:skip(path, werr); files = {} end
  for i = #files, 1, -1 do
    if files[i]:lower():sub(-5) ~= ".json" then table.remove(files, i) end
  end
  table.sort(files)
  for _, rel in ipairs(files) do self:add_file(fs.join(path, rel)) end
end

-- Seconds since 1970 of a UTC ISO 8601 time ("2026-12-02T16:46:56Z"), or nil.
function M.epoch(t)
  local y, mo, d, hh, mi, ss = tostring(t):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)")
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo < 1 or mo > 12 or d < 1 or d > 31 then return nil end
  -- days from civil (H. Hinnant's algorithm)
  local yy = mo <= 2 and y - 1 or y
  local era = yy // 400
  local yoe = yy - era * 400
  local doy = (153 * (mo + (mo > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(hh) * 3600 + tonumber(mi) * 60 + tonumber(ss)
end

M.STALE_DAYS = 30

local function bump(t, k) t[k] = (t[k] or 0) + 1 end

-- Sorted { {key, count} } of a count table, biggest first, then by key.
local function ranked(t)
  local out = {}
  for k, n in pairs(t) do out[#out + 1] = { key = k, count = n } end
  table.sort(out, function(a, b)
    if a.count ~= b.count then return a.count > b.count end
    return a.key < b.key
  end)
  return out
end
M.ranked = ranked

-- The counts every format shows.
--   machines[]  newest record per machine, sorted by name (with .history)
--   verdicts, repairs, builds, needed: { {key, count} }, biggest first
--   attention[] machines that failed, need a restart, or are unknown
--   skipped[]   { file, reason }
--   stale       machines last seen more than opts.stale days (default 30)
--               before opts.now (an ISO time; default now); each record
--               has .last_seen (whole days, nil for a time not understood)
--               and .stale
function Fleet:aggregate(opts)
  opts = opts or {}
  local stale_days = opts.stale or M.STALE_DAYS
  local now = M.epoch(opts.now or os.date("!%Y-%m-%dT%H:%M:%SZ"))
  local stale = 0
  local list = {}
  for _, m in pairs(self.machines) do
    m.latest.history = m.history
    m.latest.repair_status = m.repair and m.repair.status
    list[#list + 1] = m.latest
  end
  table.sort(list, function(a, b)
    local ra, rb = M.RANK[a.verdict] or 3, M.RANK[b.verdict] or 3
    if ra ~= rb then return ra < rb end
    return a.name:lower() < b.name:lower()
  end)
  local verdicts, repairs, builds, needed, attention = {}, {}, {}, {}, {}
  for _, rec in ipairs(list) do
    bump(verdicts, rec.verdict)
    if rec.repair_status then bump(repairs, rec.repair_status) end
    bump(builds, (rec.build or "?") .. "." .. (rec.ubr and tostring(rec.ubr) or "?"))
    for _, v in ipairs(rec.needs) do bump(needed, v) end
    if rec.attention then attention[#attention + 1] = rec end
    local t = M.epoch(rec.time)
    rec.last_seen = t and now and math.max(0, (now - t) // 86400) or nil
    rec.stale = rec.last_seen ~= nil and rec.last_seen > stale_days
    if rec.stale then stale = stale + 1 end
  end
  return {
    schema = 1,
    machines = list, reports = self.reports, history = self.history, files = self.files,
    verdicts = ranked(verdicts), repairs = ranked(repairs), builds = ranked(builds),
    needed = ranked(needed), attention = attention, skipped = self.skipped,
    stale = stale, stale_days = stale_days,
  }
end

return M
