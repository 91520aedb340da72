-- sxsfix.repair: the article's Steps 2 and 3, made safe.
--
--   local r = require("sxsfix.repair").run(settings, { ssu = PATH, apply = bool,
--                                                     work = DIR, security = POLICY,
--                                                     progress = function(fmt, ...) end })
--   r.status: "nothing" (nothing damaged), "refused" (bad or mismatched SSU,
--   or a diagnosis "unknown" with nothing proven damaged; nothing changed),
--   "planned", "repaired", "failed" (rolled back)
--
-- 1. diagnose: which servicing stack folders are damaged;
-- 2. expand the SSU (.msu of either kind, .cab, or an expanded folder)
--    into a work folder and find its servicingstack folders;
-- 3. validate: the SSU must hold the damaged folders under the same names
--    (sxsfix.stack.validate), else refuse and change nothing;
-- 4. plan (robocopy /L) each damaged folder, and each folder of the SSU the
--    store already has, comparing contents (damaged bytes with intact size
--    and time are found too);
-- 5. with apply: copy each folder in backup mode (backup + journal,
--    security from a template or the source, verify); on any failure roll
--    every folder back; on success record the repair and diagnose again.
local fs = require "sxsfix.fs"
local expand = require "sxsfix.expand"
local copy = require "sxsfix.copy"
local host = require "sxsfix.host"
local stack = require "sxsfix.stack"
local diagnose = require "sxsfix.diagnose"
local sdview = require "sxsfix.sdview"

local M = {}

-- The servicingstack folders inside an expanded update: name -> path.
function M.find_stacks(dir)
  local found, order = {}, {}
  for rel in fs.walk(dir, { type = "dir", depth = 5 }) do
    local name = fs.basename(rel)
    local comp = stack.parse(name)
    if comp and stack.is_stack(comp) and not found[name:lower()] then
      found[name:lower()] = fs.join(dir, rel)
      order[#order + 1] = name
    end
  end
  table.sort(order)
  return found, order
end

-- Expand the SSU into the work folder; returns the folder to search.
local function expand_ssu(ssu, work)
  if fs.isdir(ssu) then return ssu end
  local dst = fs.join(work, "ssu-" .. fs.basename(ssu):gsub("[^%w%.%-_]", "_"))
  local ok, err = fs.rmtree(dst)  -- a previous run's expansion: ours to replace
  if ok then ok, err = fs.mkdir(dst) end
  if not ok then return nil, err end
  local res, msg = expand.expand(ssu, dst, { nested = true })
  if not res then return nil, msg end
  return dst
end

-- The security policy: an explicit one, or "template" = an intact sibling
-- servicing stack folder (its owner is TrustedInstaller), else "source".
local function security_policy(want, diag)
  if want and want ~= "template" then return want end
  for _, f in ipairs(diag.folders.folders or {}) do
    local c = stack.parse(f.name)
    if f.state == "ok" and c and c.name == stack.STACK then
      return "template:" .. fs.map(f.path), f.name
    end
  end
  return "source"
end

local function stamp()
  return os.date("%Y%m%d-%H%M%S")
end

-- Append a line to the repair history (read by sxsfix.evidence).
local function record(settings, names)
  local old = fs.readfile(settings.history) or ""
  local parent = fs.dirname(settings.history)
  if parent ~= "" then fs.mkdir(parent) end
  return fs.writefile(settings.history,
    old .. os.date("%Y-%m-%d %H:%M:%S") .. " repaired " .. table.concat(names, " ") .. "\n")
end

function M.run(settings, opts)
  local r = { ssu = opts.ssu, apply = opts.apply and true or false, plans = {}, applied = false }
  local progress = opts.progress or function() end
  r.before = diagnose.run(settings, nil, opts.progress)
  local damaged = {}
  for _, d in ipairs(r.before.damaged) do damaged[#damaged + 1] = d.name end
  r.damaged = damaged
  if #damaged == 0 and r.before.verdict == "unknown" then  -- nothing proven: change nothing
    r.status, r.unknown = "refused", r.before.unknown
    r.error = "the diagnosis is unknown: it could not read what it needs, and no folder is proven damaged"
    return r
  end
  if opts.apply then
    local elevated, why = host.elevated()
    if not elevated then
      r.status, r.error = "refused", "the repair needs administrator rights (root): " .. (why or "")
      return r
    end
  end

  -- Step 2: expand, even when nothing is damaged, so a bad SSU is reported.
  local work = opts.work or settings.work
  local ok, err = fs.mkdir(work)
  if not ok then r.status, r.error = "refused", err; return r end
  local dir
  progress("expanding %s...", opts.ssu)
  dir, err = expand_ssu(opts.ssu, work)
  if not dir then r.status, r.error = "refused", err; return r end
  local found, provided = M.find_stacks(dir)
  r.provided, r.expanded = provided, dir

  -- Step 3: validate before touching anything.
  if #damaged > 0 then
    local valid, details = stack.validate(damaged, provided)
    if not valid then
      r.status, r.error, r.missing = "refused", details.reason, details.missing
      return r
    end
  end

  -- Step 4: plan. The damaged folders, and every folder of the update that
  -- the store already has: its contents are compared, so a damaged file
  -- whose size and time are intact is replaced too (robocopy would skip it).
  local sxs, targets, seen = settings.winsxs, {}, {}
  for _, name in ipairs(damaged) do targets[#targets + 1] = name; seen[name:lower()] = true end
  for _, name in ipairs(provided) do
    if not seen[name:lower()] and fs.isdir(fs.join(sxs, name)) then targets[#targets + 1] = name end
  end
  for _, name in ipairs(targets) do
    local src, dst = found[name:lower()], fs.join(sxs, name)
    local items, perr = copy.plan(src, dst, { compare = true })
    if not items then r.status, r.error = "failed", perr; return r end
    local changes = 0
    for _, it in ipairs(items) do
      if it.action == "new" or it.action == "changed" or it.action == "mismatch" then changes = changes + 1 end
    end
    if changes > 0 then
      r.plans[#r.plans + 1] = { name = name, source = src, destination = dst, items = items }
    end
  end
  r.targets = targets
  if #r.plans == 0 then r.status = "nothing"; return r end
  local sec, template = security_policy(opts.security, r.before)
  r.security, r.template = sec, template
  if not opts.apply then  -- the NT descriptors the plan would apply, when there are any
    for _, p in ipairs(r.plans) do
      p.descriptors = sdview.groups(sdview.of_items(sec == "source" and p.source or p.destination, p.items, sec))
    end
    r.status = "planned"
    return r
  end

  -- Step 5: apply, with backup, journal and verification; all or nothing.
  r.backup = fs.join(settings.backup, stamp())
  local done = {}
  for i, p in ipairs(r.plans) do
    local backup = fs.join(r.backup, tostring(i))
    progress("copying %s (%d of %d)...", p.name, i, #r.plans)
    local res, aerr = copy.apply(p.source, p.destination,
      { backup = backup, compare = true, security = sec, verify = true })
    p.result, p.journal = res, fs.join(backup, "journal.txt")
    done[#done + 1] = p
    local bad = not res or res.files.failed + res.dirs.failed > 0 or (res.verify_failed or 0) > 0
    if bad then
      r.status, r.error = "failed", aerr or ("copying " .. p.name .. " failed or did not verify")
      for j = #done, 1, -1 do  -- undo everything, newest first
        local rb, rerr = copy.rollback(done[j].journal)
        done[j].rollback = rb or { error = rerr }
      end
      return r
    end
  end
  r.applied = true
  for _, p in ipairs(r.plans) do  -- the NT descriptors as read back from the volume
    p.descriptors = sdview.groups(sdview.of_items(p.destination, p.result.items))
  end
  local names = {}
  for _, p in ipairs(r.plans) do names[#names + 1] = p.name end
  record(settings, names)
  r.after = diagnose.run(settings, nil, opts.progress)
  r.status = "repaired"
  return r
end

return M
