-- sxsfix.choose: pick, from a folder of updates, the one that holds the
-- damaged servicing stack folders, by listing them, not expanding them.
--
--   choose.is_update_folder(dir) -> true when dir holds .msu/.cab files (subfolders
--       too, 4 levels at most, no link followed)
--   choose.candidates(dir, work) -> { candidate... }, each
--       { file, name (its path below dir), kind, mtime, folders = {...} | nil,
--         versions = {...}, error }
--   choose.pick(candidates, damaged) -> candidate, why | nil, reason
--
-- What a listing shows:
--   a WIM-based .msu (Windows 11 24H2) names its SSU-<build>.<rev>-<arch>.cab:
--     the servicing stack version and architecture, from the name alone;
--   a CAB-based .msu holds the update's own cab: that inner cab's file list
--     (it alone taken out to <work>/choose.tmp, in the private work
--     folder, removed once listed; never the update's metadata cabs)
--     names the folders;
--   a .cab's file list names its folders.
-- Several match: the fewest folders beyond the damaged ones, then the
-- newest file time, then the name. None: nil and the reason.
local fs = require "sxsfix.fs"
local expand = require "sxsfix.expand"
local stack = require "sxsfix.stack"
local staging = require "sxsfix.staging"

local M = {}

local ARCH = { x64 = "amd64", amd64 = "amd64", x86 = "x86", arm64 = "arm64" }
local SHOW = { amd64 = "x64" }

local function is_update(name)
  local l = name:lower()
  return l:sub(-4) == ".msu" or l:sub(-4) == ".cab"
end

-- Update files below dir: its subfolders too (a share sorted by month),
-- DEPTH levels at most; links are never followed. Relative paths, sorted.
local DEPTH = 4

local function updates_below(dir)
  local out = {}
  for rel, ty in fs.walk(dir, { type = "file", depth = DEPTH }) do
    if ty == "file" and is_update(rel) then out[#out + 1] = rel end
  end
  table.sort(out, function(a, b) return a:lower() < b:lower() end)
  return out
end

function M.is_update_folder(dir)
  return #updates_below(dir) > 0
end

-- The servicing stack folders named in a listing's paths.
local function folders_of(entries)
  local out, seen = {}, {}
  for _, e in ipairs(entries) do
    for part in e.name:gmatch("[^/]+") do
      local c = stack.parse(part)
      if c and stack.is_stack(c) and not seen[part:lower()] then
        seen[part:lower()] = true
        out[#out + 1] = part
      end
    end
  end
  table.sort(out)
  return out
end

local function versions_of(folders)
  local out, seen = {}, {}
  for _, f in ipairs(folders) do
    local c = stack.parse(f)
    local v = c.version .. " " .. (SHOW[c.arch] or c.arch)
    if not seen[v] then seen[v], out[#out + 1] = true, v end
  end
  return out
end

-- The entries of a CAB-based .msu's own cab(s) (not its metadata, as
-- sxsfix.staging chooses them): each alone taken out to the folder tmp
-- (in the private work folder), listed and removed, so no other member is
-- written.
local function own_cab_entries(path, tmp)
  local head = fs.head(path, 4)
  if head ~= "MSCF" then return nil, path .. ": no servicing stack cabinet in it (expected SSU-*.cab)" end
  local l, err = staging.list(path, ".", {}, "cab")  -- nothing is written
  if not l then return nil, err end
  local out = {}
  for _, c in ipairs(l.cabs) do
    local ok, terr = fs.rmtree(tmp)  -- a previous run's: ours to replace
    if ok then ok, terr = fs.mkdirs(tmp) end
    if not ok then return nil, terr end
    local entries
    local res, xerr = expand.run(path, tmp, { nested = false, filter = c.name })
    if res then entries, xerr = expand.list(fs.join(tmp, c.name), { nested = false }) end
    fs.rmtree(tmp)
    if not entries then return nil, xerr end
    for _, e in ipairs(entries) do out[#out + 1] = e end
  end
  return out
end

-- One candidate from its listing.
local function inspect(path, name, tmp)
  local st = fs.stat(path)
  local cand = { file = path, name = name, mtime = st and st.mtime or 0, versions = {} }
  local top, err = expand.list(path, { nested = false })
  if not top then cand.error = err; return cand end
  for _, e in ipairs(top) do
    local build, rev, arch = fs.basename(e.name):match("^[Ss][Ss][Uu]%-(%d+)%.(%d+)%-(%w+)%.[Cc][Aa][Bb]$")
    if build and ARCH[arch:lower()] then  -- a WIM-based .msu: the name says it
      cand.kind = "msu (WIM)"
      cand.ssu = { version = "10.0." .. build .. "." .. rev, arch = ARCH[arch:lower()] }
      cand.versions = { cand.ssu.version .. " " .. (SHOW[cand.ssu.arch] or cand.ssu.arch) }
      return cand
    end
  end
  local folders = folders_of(top)
  if #folders == 0 and name:lower():sub(-4) == ".msu" then  -- a CAB-based .msu: list its own cab
    local inner, ierr = own_cab_entries(path, tmp)
    if not inner then cand.error = ierr; return cand end
    folders = folders_of(inner)
    cand.kind = "msu (CAB)"
  else
    cand.kind = "cab"
  end
  cand.folders, cand.versions = folders, versions_of(folders)
  return cand
end

function M.candidates(dir, work)
  local names = updates_below(dir)
  local out = {}
  local tmp = fs.join(work or ".", "choose.tmp")
  for _, name in ipairs(names) do out[#out + 1] = inspect(fs.join(dir, name), name, tmp) end
  return out
end

-- Does cand hold every damaged folder? Returns the count of its other folders.
local function holds(cand, damaged)
  if cand.error then return nil end
  if cand.ssu then  -- named by version and architecture only
    for _, d in ipairs(damaged) do
      local c = stack.parse(d)
      if not c or c.version ~= cand.ssu.version or c.arch ~= cand.ssu.arch then return nil end
    end
    return 0
  end
  local have = {}
  for _, f in ipairs(cand.folders) do have[f:lower()] = true end
  for _, d in ipairs(damaged) do if not have[d:lower()] then return nil end end
  return #cand.folders - #damaged
end

function M.pick(cands, damaged)
  local matches = {}
  for _, c in ipairs(cands) do
    local extra = holds(c, damaged)
    c.matches, c.extra = extra ~= nil, extra
    if extra then matches[#matches + 1] = c end
  end
  if #matches == 0 then
    return nil, string.format("none of the %d update(s) in the folder holds the damaged folder(s)", #cands)
  end
  table.sort(matches, function(a, b)
    if a.extra ~= b.extra then return a.extra < b.extra end
    if a.mtime ~= b.mtime then return a.mtime > b.mtime end
    return a.name:lower() < b.name:lower()
  end)
  local best = matches[1]
  local why = "it holds the damaged folder(s)"
  if #matches > 1 then
    local second = matches[2]
    why = string.format("%s; %d update(s) match, this one has %s", why, #matches,
      best.extra < second.extra and string.format("the fewest other folders (%d)", best.extra)
        or best.mtime > second.mtime and ("the newest file time (" .. os.date("!%Y-%m-%d %H:%M", math.floor(best.mtime)) .. ")")
        or "the first name of equal ones")
  end
  return best, why
end

return M
