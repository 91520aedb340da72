-- sxsfix.summary: the one line of --summary, made from a run's JSON report,
-- for engines that keep one line of output (Intune keeps 2,048 characters,
-- ConfigMgr's Run Scripts 4 KB) and for the event log's text.
--
--   summary.line(report) -> string (one line, at most summary.MAX bytes)
--
--   DAMAGED PC-0142 26100.5074: amd64 servicingstack 10.0.26100.5074 empty; repair needs servicing stack 10.0.26100.5074 x64
--   REPAIRED PC-0142 26100.5074: restored amd64 servicingstack 10.0.26100.5074 from windows11.0-kb5043080-x64.msu; now healthy
--
-- The first word is the verdict (diagnose), the repair's status (repair),
-- a script's verdict and summary (run, eval: its result table's), or the
-- command's name in capitals with its exit code (other commands).
local stack = require "sxsfix.stack"

local M = {}

M.MAX = 2048

-- Update names use x64 where folder names say amd64.
M.update_arch = { amd64 = "x64", x86 = "x86", arm64 = "arm64", wow64 = "x64" }

local function short(name)
  local c = stack.parse(name)
  if not c then return name end
  return string.format("%s %s %s", c.arch, c.name:gsub("^microsoft%-windows%-", ""), c.version)
end

-- "amd64 servicingstack 10.0.26100.5074 empty" for each damaged folder, and
-- the servicing stack updates (version and architecture) that hold them.
local function damage(report)
  local ss = report.servicing_stack or {}
  local state = {}
  for _, f in ipairs(ss.folders or {}) do state[f.name:lower()] = f.state end
  for _, e in ipairs(ss.registry or {}) do
    local name = stack.folder_of(e.path or "")
    if name and not state[name:lower()] then state[name:lower()] = e.state end
  end
  local parts, needs, seen = {}, {}, {}
  for _, d in ipairs(ss.damaged or {}) do
    parts[#parts + 1] = short(d.name) .. " " .. (state[d.name:lower()] or "damaged")
    local c = stack.parse(d.name)
    if c then
      local need = c.version .. " " .. (M.update_arch[c.arch] or c.arch)
      if not seen[need] then seen[need], needs[#needs + 1] = true, need end
    end
  end
  return parts, needs
end

local function system_of(report)
  local sys = report.system or {}
  local name = sys.computer_name or "?"
  local build = sys.build and (tostring(sys.build) .. (sys.ubr and ("." .. sys.ubr) or "")) or "build?"
  return name .. " " .. build
end

-- Why a diagnosis could not decide: the first cause's message (unknown[]),
-- else the report's reason or error. Also the fleet report's reason.
function M.unknown_reason(report)
  local u = type(report.unknown) == "table" and report.unknown[1]
  local msg = type(u) == "table" and type(u.message) == "string" and u.message ~= "" and u.message
  if msg then return msg end
  for _, k in ipairs { "reason", "error" } do
    if type(report[k]) == "string" and report[k] ~= "" then return report[k] end
  end
  return "the diagnosis could not decide"
end

local function diagnose_text(report)
  local v = report.verdict
  if v == "damaged" then
    local parts, needs = damage(report)
    local s = table.concat(parts, ", ")
    if #needs > 0 then s = s .. "; repair needs servicing stack " .. table.concat(needs, ", ") end
    return s
  elseif v == "suspected" then
    local ev = report.evidence or {}
    local first = ev[1]
    return string.format("%d signature line(s)%s; servicing stack intact", #ev,
      first and string.format(", first %s:%s [%s]", first.file, first.line, first.signature) or "")
  elseif v == "healthy" then
    return "no sign of the servicing stack failure"
  end
  return M.unknown_reason(report)
end

local function repair_text(report)
  local rp = report.repair or {}
  local st = rp.status
  local folders = {}
  for _, n in ipairs(rp.damaged or {}) do folders[#folders + 1] = short(n) end
  local what = table.concat(folders, ", ")
  local from = rp.choice and rp.choice.file or rp.ssu  -- the update chosen from a folder
  local ssu = from and (from:match("([^\\/]+)[\\/]*$") or from) or "?"
  if st == "repaired" then
    return string.format("restored %s from %s; now %s", what, ssu, report.verdict or "?")
  elseif st == "planned" then
    return string.format("would restore %s from %s; run with --apply", what, ssu)
  elseif st == "nothing" then
    return "no servicing stack folder needs restoring"
  elseif st == "failed" then
    return (rp.error or "repair failed") .. "; every change rolled back"
  elseif st == "refused" then
    return (rp.error or "refused") .. "; nothing changed"
  end
  return rp.error or ("status " .. tostring(st))
end

-- One line: controls become spaces; cut at a UTF-8 boundary to M.MAX bytes.
function M.clip(s, max)
  max = max or M.MAX
  s = s:gsub("[%c]", " ")
  if #s <= max then return s end
  local cut = max - 3
  while cut > 0 and (s:byte(cut + 1) or 0) & 0xC0 == 0x80 do cut = cut - 1 end
  return s:sub(1, cut) .. "..."
end

-- A script (run, eval) whose result table has a verdict and summary.
local function scripted(report)
  return (report.command == "run" or report.command == "eval") and report
end

function M.word(report)
  if report.error_message then return "ERROR" end
  if scripted(report) and type(report.verdict) == "string" and report.verdict ~= "" then
    return report.verdict:upper()
  end
  if report.command == "diagnose" then return (report.verdict or "unknown"):upper() end
  if report.command == "repair" then
    local st = report.repair and report.repair.status
    if report.exit_code == 3010 then return "REBOOT" end
    return (st or "error"):upper()
  end
  return report.command:upper()
end

function M.line(report)
  local text
  if report.error_message then
    text = report.error_message
  elseif report.command == "diagnose" then
    text = diagnose_text(report)
  elseif report.command == "repair" then
    text = repair_text(report)
  elseif scripted(report) and type(report.summary) == "string" and report.summary ~= "" then
    text = report.summary
  else
    text = "exit " .. tostring(report.exit_code)
  end
  return M.clip(string.format("%s %s: %s", M.word(report), system_of(report), text))
end

return M
