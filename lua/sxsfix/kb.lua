-- sxsfix.kb: the update to download for a servicing stack version, by name
-- (the rows of sxsfix.updates).
--
--   kb.lookup(version) -> row or nil
--   kb.lines(version)  -> lines for diagnose's download hint
--   kb.label(version)  -> "SSU (in cumulative update LCU, DATE)", "SSU (DATE)",
--                         "cumulative update KB5013943 (2022-05-10)" or nil
--   kb.refusal(reason, missing) -> the repair's refusal, naming the update to get
--   kb.json(version)   -> { ssu, lcu, os_build, date, source, source_kind } or nil
--   kb.microsoft(url)  -> true when url is https on microsoft.com or a subdomain
-- source_kind is "microsoft" for a source on Microsoft's domains, "other"
-- for any other (a row added with --scripts): the hint says to check it.
local stack = require "sxsfix.stack"

local M = {}

local CATALOG = "https://www.catalog.update.microsoft.com"

function M.microsoft(url)
  if type(url) ~= "string" then return false end
  local host = url:match("^https://([%w%.%-]+)[/?#]") or url:match("^https://([%w%.%-]+)$")
  if not host then return false end
  host = host:lower()
  return host == "microsoft.com" or host:sub(-#".microsoft.com") == ".microsoft.com"
end

local function check(row, i)
  local function bad(what)
    error(string.format("sxsfix.updates row %d (%s) needs %s", i, tostring(row.version), what), 0)
  end
  if type(row) ~= "table" then bad("to be a table") end
  if type(row.version) ~= "string" or not row.version:match("^%d+%.%d+%.%d+%.%d+$") then
    bad("version (a string like 10.0.26100.5074)")
  end
  for _, k in ipairs { "date", "source" } do
    if type(row[k]) ~= "string" or row[k] == "" then bad(k .. " (a string)") end
  end
  if not row.date:match("^%d%d%d%d%-%d%d%-%d%d$") then bad("date as YYYY-MM-DD") end
  if not row.source:find("^https?://") then bad("source as a URL") end
  for _, k in ipairs { "ssu", "lcu" } do
    if row[k] ~= nil and (type(row[k]) ~= "string" or not row[k]:match("^KB%d+$")) then
      bad(k .. " as a KB number (KB and digits)")
    end
  end
  if not row.ssu and not row.lcu then bad("ssu or lcu (a KB number)") end
end

local cache
local function rows()
  if not cache then
    cache = {}
    for i, row in ipairs(require "sxsfix.updates") do
      check(row, i)
      cache[row.version] = row
    end
  end
  return cache
end

function M.lookup(version)
  return version and rows()[version] or nil
end

function M.label(version)
  local row = M.lookup(version)
  if not row then return nil end
  if row.lcu and row.ssu then return string.format("%s (in cumulative update %s, %s)", row.ssu, row.lcu, row.date) end
  if row.lcu then return string.format("cumulative update %s (%s)", row.lcu, row.date) end
  return string.format("%s (%s)", row.ssu, row.date)
end

local function kind(row) return M.microsoft(row.source) and "microsoft" or "other" end

function M.lines(version)
  local row = M.lookup(version)
  if not row then
    return { string.format("sxsfix's update table has no row for servicing stack %s: search the Catalog as below.", version or "?") }
  end
  local out = {}
  if row.lcu and row.ssu then
    out[1] = string.format("Download: cumulative update %s (%s, OS build %s), which carries servicing stack update %s = %s.",
      row.lcu, row.date, row.os_build or "?", row.ssu, row.version)
  elseif row.lcu then
    out[1] = string.format("Download: cumulative update %s (%s, OS build %s), which carries servicing stack %s.",
      row.lcu, row.date, row.os_build or "?", row.version)
  else
    out[1] = string.format("Download: servicing stack update %s (%s) = %s.", row.ssu, row.date, row.version)
  end
  out[2] = "Source of this row: " .. row.source .. (kind(row) == "microsoft" and "" or " (not a Microsoft page: check the KB article)")
  out[3] = string.format("Catalog: %s/Search.aspx?q=%s", CATALOG, row.lcu or row.ssu)
  return out
end

function M.json(version)
  local row = M.lookup(version)
  if not row then return nil end
  return { ssu = row.ssu, lcu = row.lcu, os_build = row.os_build, date = row.date,
           source = row.source, source_kind = kind(row) }
end

-- The refusal when the given update does not hold the damaged folders:
-- the reason, then the update that does, or that the table has no row.
function M.refusal(reason, missing)
  local c = missing and missing[1] and stack.parse(missing[1])
  if not c then return reason end
  local label = M.label(c.version)
  if label then return string.format("%s; servicing stack %s is in %s", reason, c.version, label) end
  return string.format("%s; sxsfix's update table has no row for servicing stack %s: search the Microsoft Update Catalog (%s)",
    reason, c.version, CATALOG)
end

return M
