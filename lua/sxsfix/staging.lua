-- sxsfix.staging: the work folder of a repair. An update is listed, not
-- expanded; only its servicing stack cabinet(s) are taken out, each as a
-- snapshot in the private work folder, and expanded from that snapshot
-- once it is verified (sxsfix.provenance). The staging folder goes when
-- the run ends.
--
--   staging.paths(ssu, work)          -> stage, snaps  (<work>/ssu-NAME.verified, .cabs)
--   staging.check_work(work)          -> true | nil, reason   (a read-only volume named)
--   staging.check_image(winsxs)       -> true | nil, reason   (--apply: WinSxS's volume writable)
--   staging.list(ssu, work, damaged)  -> listing | nil, err, class
--       listing = { kind = "cab"|"wim", bare = bool, stage, snaps, work,
--                   members = n, cabs = { {name, size}... } }
--   staging.space(work, need, what)   -> true | nil, reason
--   staging.snapshot(listing, ssu, cab) -> path | nil, err, class
--   staging.expanded_size(cab)        -> bytes | nil, err
--   staging.finish(r, keep)           -> the kept folder | nil (removes the staging, and
--                                        the work folder r.work when r.work_made and empty)
local fs = require "sxsfix.fs"
local expand = require "sxsfix.expand"
local stack = require "sxsfix.stack"

local M = {}

local ARCH = { x64 = "amd64", amd64 = "amd64", x86 = "x86", arm64 = "arm64" }

function M.paths(ssu, work)
  local base = fs.join(work, "ssu-" .. (fs.basename(ssu):gsub("[^%w%.%-_]", "_")))
  return base .. ".verified", base .. ".cabs"
end

-- The nearest folder of path that exists (path itself when it does).
local function existing(path)
  local p = path
  while not fs.stat(p) do
    local up = fs.dirname(p)
    if up == "" or up == p then return nil end
    p = up
  end
  return p
end

local function readonly_msg(work, vol)
  return string.format("%s: the volume %s is read-only: put the work folder elsewhere with --work DIR",
    fs.map(work) or work, vol)
end

-- The work folder can be written: its volume is not mounted read-only.
function M.check_work(work)
  local at = existing(work)
  local sp = at and expand.space(at)
  if sp and sp.readonly then return nil, readonly_msg(work, sp.volume) end
  return true
end

-- The repair writes WinSxS (and its backup beside it): a read-only volume
-- is refused before anything is attempted. Another work folder would not
-- help, so that is not suggested here (check_work does, for the plan).
function M.check_image(winsxs)
  local at = existing(winsxs)
  local sp = at and expand.space(at)
  if sp and sp.readonly then
    return nil, string.format("%s: the volume %s is read-only: the repair cannot write WinSxS there; " ..
      "remount it read-write (ntfs-3g without -o ro; a hibernated or Fast Startup Windows: shut it down " ..
      "fully first; a volume marked dirty: ntfsfix)", fs.map(winsxs) or winsxs, sp.volume)
  end
  return true
end

-- An OS error writing below work: a read-only volume is said so.
function M.work_error(work, err, code)
  if code == expand.os.readonly then
    local at = existing(work)
    local sp = at and expand.space(at)
    return readonly_msg(work, sp and sp.volume or work)
  end
  return err
end

local METADATA = { "^wsusscan%.cab$", "^desktopdeployment.*%.cab$", "^onepackage.*%.cab$" }

local function is_metadata(name)
  for _, p in ipairs(METADATA) do if name:lower():match(p) then return true end end
  return false
end

-- SSU-<build>.<rev>-<arch>.cab names a servicing stack: does it match a damaged folder?
local function names_damaged(name, damaged)
  local build, rev, arch = name:match("^[Ss][Ss][Uu]%-(%d+)%.(%d+)%-(%w+)%.[Cc][Aa][Bb]$")
  if not build then return false end
  for _, d in ipairs(damaged or {}) do
    local c = stack.parse(d)
    if c and c.version == "10.0." .. build .. "." .. rev and c.arch == ARCH[arch:lower()] then return true end
  end
  return false
end

-- The servicing stack cabinets at the top of a listing: the SSU-*.cab (a
-- 24H2 update, or a combined Windows 10 one), those naming a damaged
-- folder when several do; else, in a CAB .msu, the update's own cab (not
-- its metadata). Never the LCU payload, a .psf or a .wim.
local function stack_cabs(entries, kind, damaged)
  local ssu, own = {}, {}
  for _, e in ipairs(entries) do
    local name = e.name
    -- (a wildcard is no file name on Windows, and would take out more members)
    if not e.dir and not name:find("[/\\%*%?]") and name:lower():match("%.cab$") then
      if name:lower():match("^ssu%-") then ssu[#ssu + 1] = { name = name, size = e.size }
      elseif kind == "cab" and not is_metadata(name) then own[#own + 1] = { name = name, size = e.size } end
    end
  end
  local pick = #ssu > 0 and ssu or own
  if #pick > 1 then
    local named = {}
    for _, c in ipairs(pick) do if names_damaged(c.name, damaged) then named[#named + 1] = c end end
    if #named > 0 then pick = named end
  end
  table.sort(pick, function(a, b) return a.name < b.name end)
  return pick
end

-- List an update file (nothing is written) and choose what to expand.
function M.list(ssu, work, damaged, kind)
  local stage, snaps = M.paths(ssu, work)
  local l = { kind = kind, stage = stage, snaps = snaps, work = work, members = 1 }
  if kind == "cab" and not ssu:lower():match("%.msu$") then
    local st, err = fs.stat(ssu)
    if not st then return nil, err end
    l.bare, l.cabs = true, { { name = fs.basename(ssu), size = st.size } }
    return l
  end
  local top, err, _, class = expand.list(ssu, { nested = false })
  if not top then return nil, err, class end
  l.members, l.cabs = #top, stack_cabs(top, kind, damaged)
  if #l.cabs == 0 then
    return nil, ssu .. ": no servicing stack cabinet in it (expected SSU-*.cab" ..
      (kind == "cab" and ", or the update's own cab)" or ")")
  end
  return l
end

local function mib(n) return string.format("%.1f MiB", n / 1048576) end

-- need bytes fit on the work folder's volume, else the reason in one line.
function M.space(work, need, what)
  local sp, err = expand.space(work)
  if not sp then return nil, err end
  if need > sp.free then
    return nil, string.format("not enough free space on %s for %s: it needs %d bytes (%s), %d are free (%s); " ..
      "put the work folder elsewhere with --work DIR", sp.volume, what, need, mib(need), sp.free, mib(sp.free))
  end
  return true
end

-- Take cabinet cab ({name, size}) of the update into the snapshot folder:
-- the file itself (a bare .cab, copied in 64 KiB blocks) or the .msu's member of that name.
function M.snapshot(l, ssu, cab)
  local dst = fs.join(l.snaps, cab.name)
  if l.bare then  -- copied in blocks: memory does not grow with the cabinet
    local n, err, _, class = expand.copy(ssu, dst)
    if not n then return nil, err, class end
    return dst
  end
  local res, err, _, class = expand.run(ssu, l.snaps, { nested = false, filter = cab.name })
  if not res then return nil, err, class end
  if not fs.stat(dst) then return nil, ssu .. ": member " .. cab.name .. " was listed but not found" end
  return dst
end

-- What a cabinet's expansion writes (its nested cabinets' entries too).
function M.expanded_size(cab)
  local entries, err = expand.list(cab, { nested = true })
  if not entries then return nil, err end
  local n = 0
  for _, e in ipairs(entries) do if not e.dir then n = n + e.size end end
  return n
end

-- The run ends: the staging folder and snapshots go, unless keep; so does
-- the work folder this run made (r.work_made), when nothing else is in it.
function M.finish(r, keep)
  local l = r.listing
  if l then
    fs.rmtree(l.snaps)
    if keep and fs.stat(l.stage) then return l.stage end
    fs.rmtree(l.stage)
  end
  local st = r.work_made and not keep and fs.stat(r.work)
  if st and st.type == "dir" then fs.remove(r.work) end  -- a folder still holding something stays
  return nil
end

return M
