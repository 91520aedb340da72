-- sxsfix.eventlog: one event per diagnose and repair in the Windows
-- Application log (source "sxsfix"), so that event-log collectors see the
-- result with no script of their own. The text is the --summary line.
-- On POSIX host.event writes nothing. docs/JSON.md lists the ids.
--
--   eventlog.write(report, line) -> true | false (no event log here) | nil, msg
--
-- With --registry the same result is kept under one registry key, as
-- SetupDiag keeps its own under HKLM\SYSTEM\Setup\SetupDiag\Results, for
-- inventory tools (ConfigMgr hardware inventory) that read the registry:
--   eventlog.can_record(command, opts) -> true | nil, msg (before the run)
--   eventlog.record(report, line) -> true | nil, msg
local host = require "sxsfix.host"

local M = {}

M.SOURCE = "sxsfix"

-- [command][verdict or status] = { id, level }; ids are 1..1000 (the
-- range EventCreate.exe's message table shows as plain text).
M.events = {
  diagnose = {
    healthy = { 100, "info" },
    suspected = { 101, "warning" },
    damaged = { 102, "error" },
    unknown = { 103, "warning" },
  },
  repair = {
    nothing = { 200, "info" },
    planned = { 201, "info" },
    repaired = { 202, "info" },
    reboot = { 203, "warning" },  -- repaired, exit 3010: a restart completes it
    refused = { 204, "error" },
    failed = { 205, "error" },
  },
}
M.other = { 299, "error" }  -- a verdict or status this table does not know

-- The event for a report: id, level.
function M.event(report)
  local map = M.events[report.command]
  if not map then return nil end
  local key = report.command == "diagnose" and report.verdict
    or (report.exit_code == 3010 and "reboot") or (report.repair and report.repair.status)
  local e = map[key or ""] or M.other
  return e[1], e[2]
end

function M.write(report, line)
  local id, level = M.event(report)
  if not id then return false end
  return host.event(M.SOURCE, level, id, line)
end

M.RESULTS = [[HKLM\SOFTWARE\sxsfix\Results]]

function M.can_record(command, opts)
  if not M.events[command] then return nil, "only diagnose and repair have a result to keep" end
  if host.platform ~= "win32" then return nil, "not available without a live Windows registry" end
  if opts.root then
    return nil, "it keeps this machine's result, not that of the installation under --root"
  end
  return true
end

-- Values replaced on each run; ExitCode is a REG_DWORD, the rest REG_SZ.
function M.record(report, line)
  local reg = require "sxsfix.reg"
  local values = {
    { "Command", report.command }, { "Verdict", report.verdict or "" },
    { "Status", report.repair and report.repair.status or "" }, { "Summary", line },
    { "Time", report.time or "" }, { "ExitCode", math.tointeger(report.exit_code) or 0 },
  }
  for _, v in ipairs(values) do
    local ok, err = reg.set(M.RESULTS, v[1], v[2])
    if not ok then return nil, err end
  end
  return true
end

return M
