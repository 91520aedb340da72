-- sxsfix.collected: a folder of logs gathered from another machine
-- (diagnose --logs DIR), as SetupDiag's /LogsPath takes them: Panther,
-- $WINDOWS.~BT\Sources\Panther, Rollback, DISM and CBS logs in any layout,
-- zipped or not.
--
--   local c = collected.open(dir, settings)   -- nil, msg on bad input
--   c.logs        log groups shaped as settings.logs (see sxsfix.defaults)
--   c.files       { {path, group, size}... } what was found, in walk order
--   c.notes       one line each for what was left out (too big, a link...)
--   c:close()     removes the private folder zips were expanded into
--
-- Logs are found by name wherever they are in the tree (at most
-- settings.collected.depth levels, .entries entries, .logs logs; links are
-- never followed); a .log or .txt whose name says nothing is recognised
-- by its first lines (the component column of CBS, DISM and setup logs).
-- A .zip is expanded with the archive primitive into a private temporary
-- folder, with the same bomb and traversal checks as an update, then
-- walked the same way; a zip inside it is not opened again.
local fs = require "sxsfix.fs"

local M = {}

-- Name rules, first match wins: a lower-case Lua pattern on the base name,
-- the log group, and the name the signatures know the file by.
local NAMES = {
  { "^setupdiagresults", "setupdiag" },
  { "setupact%.log$", "panther", "setupact.log" },
  { "setupact", "panther" },          -- setupact_rollback.log, setupact_1.log
  { "setuperr", "panther" },
  { "^mosetup", "panther" },
  { "^mou", "panther" },
  { "dism", "dism" },
  { "cbspersist_.*%.cab$", "cbs" },
  { "cbs", "cbs" },
}

-- The component column of "2023-05-23 00:24:25, Info   CBS    text".
local COMPONENT = {
  CBS = "cbs", CSI = "cbs", DISM = "dism",
  SP = "panther", MOUPG = "panther", PANTHR = "panther", CONX = "panther", MIG = "panther",
}

local function by_name(base)
  local low = base:lower()
  if not (low:find("%.log$") or low:find("%.xml$") or low:find("%.txt$") or low:find("%.cab$")) then return nil end
  if low:find("%.xml$") and not low:find("^setupdiagresults") then return nil end
  for _, r in ipairs(NAMES) do
    if low:find(r[1]) then return r[2], r[3] end
  end
  return nil
end

-- The group of a log whose name says nothing, from its first lines.
local function by_content(path)
  local head = fs.head(path, 16384)
  if not head then return nil end
  if head:find("^\255\254") or head:find("^%Z%z%Z%z") then head = head:gsub("%z", "") end  -- UTF-16LE
  local votes, best, n = {}, nil, 0
  for line in head:gmatch("[^\r\n]+") do
    local comp = line:match("^%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d, %a+%s+(%u+)")
    local g = comp and COMPONENT[comp]
    if g then
      votes[g] = (votes[g] or 0) + 1
      if not best or votes[g] > votes[best] then best = g end
      n = n + 1
      if n >= 20 then break end
    end
  end
  return best
end

local function bounds(settings)
  local b = settings.collected or {}
  return { depth = b.depth or 8, entries = b.entries or 20000, logs = b.logs or 2000,
           max_log = b.max_log or 4 * 1024 * 1024 * 1024, zips = b.zips or 16 }
end

local Collection = {}
Collection.__index = Collection

-- A file's name for the report: a file expanded from a zip is named
-- "ZIP:member" (as a .cab member is), not by the temporary folder.
function Collection:name(file)
  for _, o in ipairs(self.origin) do
    if file:sub(1, #o.dir + 1) == o.dir .. fs.sep or file:sub(1, #o.dir + 1) == o.dir .. "/" then
      return o.zip .. ":" .. file:sub(#o.dir + 2):gsub("\\", "/")
    end
  end
  return file
end

-- Renames the files of a diagnosis (sxsfix.diagnose.run's result) so.
function Collection:relabel(r)
  local function each(list) for _, e in ipairs(list or {}) do if e.file then e.file = self:name(e.file) end end end
  each(r.evidence); each(r.history); each(r.log_errors)
  for _, g in ipairs(r.log_groups or {}) do each(g.errors) end
  for _, m in ipairs(r.neighbours and r.neighbours.matched or {}) do each(m.evidence) end
  if r.collected then each(r.collected.files) end
end

function Collection:close()
  for _, d in ipairs(self.temps) do fs.rmtree(d) end
  self.temps = {}
end
Collection.__close = Collection.close
Collection.__gc = Collection.close

-- Walks one folder (the collection, or a zip's expansion); label is how
-- its files are named in notes (the zip's path, for an expansion).
local function walk(c, top, label, b, nested)
  local ok, err = pcall(function()
    for rel, kind in fs.walk(top, { depth = b.depth }) do
      c.entries = c.entries + 1
      if c.entries > b.entries then
        c.notes[#c.notes + 1] = string.format("%s: stopped after %d entries (the limit); the rest was not searched", label, b.entries)
        return
      end
      local path = fs.join(top, rel)
      local base = fs.basename(rel)
      if kind == "link" then
        if by_name(base) or base:lower():find("%.zip$") then
          c.notes[#c.notes + 1] = string.format("%s: %s is a link; links are not followed", label, rel)
        end
      elseif kind == "file" and base:lower():find("%.zip$") then
        if nested then
          c.notes[#c.notes + 1] = string.format("%s: %s is a zip inside a zip; not opened", label, rel)
        else
          c.zips[#c.zips + 1] = path
        end
      elseif kind == "file" then
        local group, alias = by_name(base)
        if not group and (base:lower():find("%.log$") or base:lower():find("%.txt$")) then group = by_content(path) end
        if group then
          local st = fs.stat(path)
          if st and st.size > b.max_log then
            c.notes[#c.notes + 1] = string.format("%s: %s is %d bytes, more than the %d a log may have; not searched",
              label, rel, math.floor(st.size), b.max_log)
          elseif #c.files >= b.logs then
            c.notes[#c.notes + 1] = string.format("%s: more than %d logs; %s and later ones were not searched", label, b.logs, rel)
            return
          else
            c.files[#c.files + 1] = { path = path, group = group, alias = alias, size = st and st.size or 0 }
          end
        end
      end
    end
  end)
  if not ok then return nil, tostring(err):match("^[^\n]*") end
  return true
end

-- Expands a zip into a new private folder; nil, msg when it is refused.
local function expand_zip(c, zip, settings)
  local tmp, terr = fs.tempdir("sxsfix-logs")
  if not tmp then return nil, terr end
  c.temps[#c.temps + 1] = tmp
  c.origin[#c.origin + 1] = { dir = tmp, zip = zip }
  local e = settings.expand or {}
  local ok, r, msg = pcall(require("sxsfix.expand").run, zip, tmp,
    { nested = false, zip = true, max_ratio = e.max_ratio, max_bytes = e.max_bytes })
  if not ok then return nil, tostring(r):match("^[^\n]*") end
  if not r then return nil, msg end
  return tmp
end

function M.open(dir, settings)
  local st, serr = fs.stat(dir, { follow = true })
  if not st then return nil, serr end
  if st.type ~= "dir" and st.type ~= "file" then
    return nil, dir .. ": not a folder of logs (expected a folder, a .zip of one, or one log)"
  end
  local b = bounds(settings)
  local c = setmetatable({ dir = dir, files = {}, notes = {}, zips = {}, temps = {}, origin = {}, entries = 0 },
    Collection)
  if st.type == "dir" then
    local ok, err = walk(c, dir, dir, b, false)
    if not ok then c:close(); return nil, dir .. ": " .. err end
  elseif dir:lower():find("%.zip$") then
    c.zips[1] = dir
  else  -- one log: its group from its name or its first lines
    local base = fs.basename(dir)
    local group, alias = by_name(base)
    group = group or by_content(dir)
    if not group then return nil, dir .. ": not a setup, DISM or CBS log (by its name or its first lines)" end
    if st.size > b.max_log then
      return nil, string.format("%s: %d bytes, more than the %d a log may have", dir, math.floor(st.size), b.max_log)
    end
    c.files[1] = { path = dir, group = group, alias = alias, size = st.size }
  end
  for i, zip in ipairs(c.zips) do
    if i > b.zips then
      c.notes[#c.notes + 1] = string.format("%s: more than %d zips; the rest were not opened", dir, b.zips)
      break
    end
    local tmp, err = expand_zip(c, zip, settings)
    if tmp then
      local ok, werr = walk(c, tmp, zip, b, true)
      if not ok then c.notes[#c.notes + 1] = zip .. ": " .. werr end
    else
      c.notes[#c.notes + 1] = "cannot open " .. err
    end
  end
  -- One group per kind; each file is named by its full path (its folder
  -- differs from file to file), so the group's dir is the collection.
  local logs = {}
  for _, f in ipairs(c.files) do
    local g = logs[f.group] or { dir = st.type == "dir" and dir or fs.dirname(dir), files = {}, alias = {} }
    logs[f.group] = g
    g.files[#g.files + 1] = f.path
    if f.alias then g.alias[f.path] = f.alias end
  end
  c.logs = logs
  return c
end

-- The diagnosis steps that need the machine itself: skipped, said once.
M.machine_steps = { "system", "registry-stacks", "winsxs-stacks", "pending-reboot" }
M.NOT_AVAILABLE = "not available from collected logs"

-- The settings a diagnosis of collected logs runs with: the log groups of
-- the collection, no repair history (it is this machine's, not theirs),
-- and the machine's steps left out.
function M.prepare(settings, c)
  local s = {}
  for k, v in pairs(settings) do s[k] = v end
  s.logs, s.history = c.logs, nil
  s.disable = {}
  for _, id in ipairs(settings.disable or {}) do s.disable[#s.disable + 1] = id end
  for _, id in ipairs(M.machine_steps) do s.disable[#s.disable + 1] = id end
  return s
end

-- Says why the machine's steps did not run.
function M.mark(records)
  local machine = {}
  for _, id in ipairs(M.machine_steps) do machine[id] = true end
  for _, rec in ipairs(records) do
    if machine[rec.id] and rec.skipped then rec.summary = M.NOT_AVAILABLE end
  end
end

-- What the report says of the collection.
function M.summary(c)
  local files = {}
  for _, f in ipairs(c.files) do files[#files + 1] = { file = f.path, group = f.group } end
  return { dir = c.dir, files = files, notes = c.notes,
           stacks = "servicing stack checks " .. M.NOT_AVAILABLE .. " (no registry or WinSxS of that machine)" }
end

return M
