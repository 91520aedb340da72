-- sxsfix.kb: the update to download for a servicing stack version, by name
-- (the rows of sxsfix.updates).
--
--   kb.lookup(version) -> row or nil
--   kb.lines(version)  -> lines for diagnose's download hint
--   kb.label(version)  -> "KB5064531 (in cumulative update KB5068221, 2025-09-22)" or nil
--   kb.refusal(reason, missing) -> the repair's refusal, naming the update to get
--   kb.json(version)   -> { ssu, lcu, os_build, date, source, source_kind } or nil
local stack = require "sxsfix.stack"

local M = {}

local CATALOG = "https://www.catalog.update.microsoft.com"

local function check(row, i)
  for _, k in ipairs { "version", "ssu", "date", "source" } do
    if type(row[k]) ~= "string" or row[k] == "" then
      error(string.format("sxsfix.updates row %d needs %s (a string)", i, k), 0)
    end
  end
  if not row.source:find("^https?://") then
    error(string.format("sxsfix.updates row %d (%s): source must be a URL", i, row.version), 0)
  end
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
  if row.lcu then return string.format("%s (in cumulative update %s, %s)", row.ssu, row.lcu, row.date) end
  return string.format("%s (%s)", row.ssu, row.date)
end

function M.lines(version)
  local row = M.lookup(version)
  if not row then
    return { string.format("sxsfix's update table has no row for servicing stack %s: search the Catalog as below.", version or "?") }
  end
  local out = {}
  if row.lcu then
    out[1] = string.format("Download: cumulative update %s (%s, OS build %s), which carries servicing stack update %s = %s.",
      row.lcu, row.date, row.os_build or "?", row.ssu, row.version)
  else
    out[1] = string.format("Download: servicing stack update %s (%s) = %s.", row.ssu, row.date, row.version)
  end
  out[2] = "Source of this row: " .. row.source .. (row.source_kind == "summary" and " (a summary of the KB article: check the KB page)" or "")
  out[3] = string.format("Catalog: %s/Search.aspx?q=%s", CATALOG, row.lcu or row.ssu)
  return out
end

function M.json(version)
  local row = M.lookup(version)
  if not row then return nil end
  return { ssu = row.ssu, lcu = row.lcu, os_build = row.os_build, date = row.date,
           source = row.source, source_kind = row.source_kind }
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
