-- sxsfix.diagnose: the article's Step 1 as steps (see sxsfix.steps).
--
--   local d = require "sxsfix.diagnose"
--   local r = d.run(settings)      -- settings: sxsfix.config.merge(defaults, ...)
--   r.verdict                      -- "damaged" | "unknown" | "suspected" | "healthy"
--   r.unknown                      -- what could not be read: {input, message, hint}...
--
-- Steps, in order (disable any by id in settings.disable):
--   system          build, revision and product from the registry
--   registry-stacks the stack versions CBS lists, and the state of each folder
--   winsxs-stacks   every *servicingstack* folder in WinSxS: files, state, problems
--   manifests       each of those folders against WinSxS\Manifests\NAME.manifest
--                   (every file listed, with its SHA-256): missing or changed
--                   files are problems; r.manifests (see sxsfix.manifest)
--   evidence        the signatures of sxsfix.signatures in the setup logs
--   pending-reboot  files in use the last repair replaces at the next boot
--                   (r.pending_reboot.files: "repair pending reboot")
--   damaged         the damaged-folder rule (M.damaged) over the results above
--   verdict         what could not be read (M.unknowns), then the verdict
--
-- Each step's result is ctx.results[id].result (see docs/SCRIPTING.md); a
-- hook after "damaged" or "verdict" may change what they decided.
--
-- A folder's state: "ok", "empty", "missing", "incomplete" (problems lists
-- each file and why: a key file missing, an executable empty, zero-filled,
-- truncated or without PE headers) or "unreadable". The verdict, strongest
-- first: damaged (a folder proven damaged), unknown (an essential input
-- could not be read: the CBS\Version key, the WinSxS listing, a log group
-- that exists but could not be searched in full), suspected (evidence in
-- the logs), healthy.
local fs = require "sxsfix.fs"
local reg = require "sxsfix.reg"
local stack = require "sxsfix.stack"
local evidence = require "sxsfix.evidence"

local M = {}

M.NO_SYSTEM = "give --root DIR (the drive of the Windows installation to check)"

-- What an admin can do about an input that could not be read (msg, code
-- as the primitives return them), or nil.
function M.advice(msg, code)
  if code and fs.errkind(code) == "denied" then
    return "run elevated (as Administrator, or as root)"
  end
  if not fs.root() and msg and msg:find("--root", 1, true) then  -- no live system to read
    return M.NO_SYSTEM
  end
  return nil
end

-- Checks one servicing stack folder: { state, files, problems = {{file, problem}...},
-- unreadable = {{file, message, code}...}, error, code }. key_files: names
-- the folder must hold (nil: none).
function M.inspect(path, settings, key_files)
  local where, werr = fs.resolve(path)
  if not where then return { state = "unreadable", files = 0, problems = {}, unreadable = {}, error = werr } end
  local st, serr, scode = fs.stat(path, { follow = true })
  if not st then
    if fs.errkind(scode) == "notfound" then return { state = "missing", files = 0, problems = {}, unreadable = {} } end
    return { state = "unreadable", files = 0, problems = {}, unreadable = {}, error = serr, code = scode }
  end
  local n, cerr, ccode = fs.count(path)
  if not n then return { state = "unreadable", files = 0, problems = {}, unreadable = {}, error = cerr, code = ccode } end
  local r = { state = n == 0 and "empty" or "ok", files = n, problems = {}, unreadable = {} }
  if n == 0 then return r end
  local names, lerr, lcode = fs.list(path, { type = "file", depth = 4 })
  if not names then r.state, r.error, r.code = "unreadable", lerr, lcode; return r end
  table.sort(names)
  local have = {}
  for _, rel in ipairs(names) do have[rel:lower()] = true end
  for _, k in ipairs(key_files or {}) do
    if not have[k:lower()] then r.problems[#r.problems + 1] = { file = k, problem = "key file missing" } end
  end
  local headlen = settings.pe_head or 4096
  for _, rel in ipairs(names) do
    if stack.is_pe_name(rel) then
      local file = fs.join(path, rel)
      local info, ierr, icode = fs.stat(file)
      local head, herr, hcode
      if info then head, herr, hcode = fs.head(file, headlen) end
      if not info or not head then
        r.unreadable[#r.unreadable + 1] = { file = rel, message = ierr or herr or "vanished", code = icode or hcode }
      else
        local why = stack.check_pe(head, info.size)
        if why then r.problems[#r.problems + 1] = { file = rel, problem = why } end
      end
    end
  end
  if #r.problems > 0 then r.state = "incomplete" end
  return r
end

-- The registry-listed folder CBS binds: the highest listed version of the
-- servicing stack itself (settings.stack_component). Its name, or nil.
local function bound_folder(entries, component)
  local best
  for _, e in ipairs(entries) do
    local c = e.folder and stack.parse(e.folder)
    if c and c.name == component and (not best or stack.vcmp(e.version, best.version) > 0) then best = e end
  end
  return best and best.folder
end

-- One inspection per folder, shared by the registry and WinSxS steps.
local function inspect_cached(ctx, path, key_files)
  local resolved = fs.resolve(path) or path
  ctx.inspected = ctx.inspected or {}
  local k = resolved:lower() .. (key_files and "\0k" or "")
  if not ctx.inspected[k] then ctx.inspected[k] = M.inspect(path, ctx.settings, key_files) end
  return ctx.inspected[k]
end

M.steps = {
  {
    id = "system",
    description = "read the build and revision of the installation",
    run = function(ctx)
      local k, msg = reg.key(ctx.settings.version_key)  -- one read; names compare case-insensitively
      local v = {}
      for _, val in ipairs(k and k.values or {}) do v[val.name:lower()] = val.value end
      local sys = { build = v.currentbuild or v.currentbuildnumber, ubr = v.ubr,
                    product = require("sxsfix.identity").product(v.productname, v.currentbuild or v.currentbuildnumber), display = v.displayversion, error = msg }
      return sys, sys.build and string.format("build %s.%s", sys.build, sys.ubr or "?")
        or ("build unknown" .. (msg and (": " .. msg) or ""))
    end,
  },
  {
    id = "registry-stacks",
    description = "list the servicing stack versions CBS knows, and check their folders",
    run = function(ctx)
      local k, msg, code = reg.key(ctx.settings.stack_key)
      if not k then
        return { error = msg or ("missing key " .. ctx.settings.stack_key), code = code, entries = {} },
          msg or "the Component Based Servicing\\Version key is missing"
      end
      local entries = {}
      for _, v in ipairs(k.values) do
        if type(v.value) == "string" then
          local path = fs.expandvars(v.value) or v.value
          entries[#entries + 1] = { version = v.name, path = v.value, expanded = path,
                                    folder = stack.folder_of(v.value) }
        end
      end
      table.sort(entries, function(a, b) return stack.vcmp(a.version, b.version) < 0 end)
      local bound = bound_folder(entries, ctx.settings.stack_component)
      for _, e in ipairs(entries) do
        local keys = bound and e.folder == bound and ctx.settings.key_files or nil
        local f = inspect_cached(ctx, e.expanded, keys)
        e.state, e.files, e.problems, e.unreadable, e.error, e.code =
          f.state, f.files, f.problems, f.unreadable, f.error, f.code
        e.bound = keys ~= nil
      end
      return { entries = entries, bound = bound }, string.format("%d version(s) listed", #entries)
    end,
  },
  {
    id = "winsxs-stacks",
    description = "check the *servicingstack* folders in WinSxS",
    run = function(ctx)
      local sxs = ctx.settings.winsxs
      local where, werr = fs.resolve(sxs)
      if not where then return { error = werr, folders = {} }, werr end
      local names, msg, code = fs.list(sxs, { match = ctx.settings.stack_match, type = "dir" })
      if not names then return { error = msg, code = code, folders = {} }, msg end
      table.sort(names)
      local regs = ctx.results["registry-stacks"] and ctx.results["registry-stacks"].result or {}
      -- The bound stack: as the registry says; when it cannot say, the
      -- highest version of the stack in WinSxS (CBS's choice among them).
      local bound = regs.bound
      if not bound and #(regs.entries or {}) == 0 then
        local guess = {}
        for _, name in ipairs(names) do guess[#guess + 1] = { folder = name, version = (stack.parse(name) or {}).version } end
        for i = #guess, 1, -1 do if not guess[i].version then table.remove(guess, i) end end
        bound = bound_folder(guess, ctx.settings.stack_component)
      end
      local folders, bad = {}, 0
      for _, name in ipairs(names) do
        local path = fs.join(sxs, name)
        local keys = bound and name:lower() == bound:lower() and ctx.settings.key_files or nil
        local f = inspect_cached(ctx, path, keys)
        local c = stack.parse(name)
        folders[#folders + 1] = { name = name, path = path, files = f.files, state = f.state,
                                  problems = f.problems, unreadable = f.unreadable, error = f.error,
                                  code = f.code, arch = c and c.arch, version = c and c.version }
        if f.state ~= "ok" then bad = bad + 1 end
      end
      -- A listed folder WinSxS lacks while the same version is there under
      -- another hash: a mismatched or renamed folder.
      for _, e in ipairs(regs.entries or {}) do
        local want = e.state == "missing" and e.folder and stack.parse(e.folder)
        for _, f in ipairs(want and folders or {}) do
          local c = stack.parse(f.name)
          if c and c.arch == want.arch and c.name == want.name and c.version == want.version then
            e.problems[#e.problems + 1] = { file = f.name,
              problem = "the registry names " .. e.folder .. "; WinSxS has this version only under another hash" }
          end
        end
      end
      return { folders = folders }, string.format("%d folder(s), %d not ok", #folders, bad)
    end,
  },
  {
    -- each stack folder against its own component manifest (sxsfix.manifest)
    id = "manifests",
    description = "check each servicing stack folder against its component manifest",
    run = function(ctx) return require("sxsfix.manifest").step(ctx) end,
  },
  {
    id = "evidence",
    description = "search the setup, DISM and CBS logs for the failure's signatures",
    run = function(ctx)
      local r = evidence.find(ctx.settings, ctx.signatures)
      return r, string.format("%d signature line(s) in %d log file(s)", #r.items, r.searched)
    end,
  },
  require("sxsfix.neighbours").step,  -- names a neighbouring failure; never changes the verdict
  {
    -- "repair pending reboot": files in use the last repair scheduled to be
    -- replaced at the next boot, still in PendingFileRenameOperations.
    id = "pending-reboot",
    description = "files the last repair replaces at the next boot",
    run = function(ctx)
      local out, errors = {}, {}
      for _, j in ipairs(evidence.pending_journals(ctx.settings)) do
        local list, err = require("sxsfix.copy").pending(j)
        if not list then errors[#errors + 1] = err end
        for _, p in ipairs(list or {}) do
          if p.scheduled then out[#out + 1] = { file = p.target, replacement = p.replacement } end
        end
      end
      return { files = out, errors = errors },
        string.format("%d file(s) replaced at the next boot", #out)
    end,
  },
  {
    id = "damaged",
    description = "decide which servicing stack folders a repair must restore",
    run = function(ctx)
      local d = M.damaged(ctx.results)
      return d, string.format("%d folder(s) damaged", #d)
    end,
  },
  {
    id = "verdict",
    description = "decide the verdict",
    run = function(ctx)
      local v = M.verdict(ctx.results)
      return v, "verdict " .. v.verdict
    end,
  },
}

local DAMAGED = { missing = true, empty = true, incomplete = true }

-- The folders that a repair must restore: registry-listed stacks whose
-- folder is missing, empty or incomplete, and such stack folders of the
-- installed build. Each { name, reason, problems }.
function M.damaged(results)
  local sys = results.system and results.system.result or {}
  local regs = results["registry-stacks"] and results["registry-stacks"].result or {}
  local sxs = results["winsxs-stacks"] and results["winsxs-stacks"].result or {}
  local out, seen = {}, {}
  local function add(name, why, problems)
    if name and not seen[name:lower()] then
      seen[name:lower()] = true
      out[#out + 1] = { name = name, reason = why, problems = problems or {} }
    end
  end
  -- The installed build: from the registry; failing that, every build a
  -- servicing stack was listed or installed for.
  local builds, known = {}, sys.build ~= nil
  if known then builds[tostring(sys.build)] = true end
  for _, e in ipairs(regs.entries or {}) do
    local b = stack.build(e.version)
    if b and not known then builds[b] = true end
    if DAMAGED[e.state] then
      local why = "listed in the registry as " .. e.version .. ", folder " .. e.state
      if e.state == "missing" and #(e.problems or {}) > 0 then
        why = why .. " (WinSxS has this version under another name: " .. e.problems[1].file .. ")"
      end
      add(e.folder, why, e.problems)
    end
  end
  if not known and not next(builds) then
    for _, f in ipairs(sxs.folders or {}) do
      if f.version then builds[stack.build(f.version)] = true end
    end
  end
  for _, f in ipairs(sxs.folders or {}) do
    if DAMAGED[f.state] and f.version and builds[stack.build(f.version)] then
      add(f.name, "servicing stack folder of the installed build is " .. f.state, f.problems)
    end
  end
  return out
end

-- The essential inputs that could not be read, one entry per cause:
-- { input, message, hint }. Disabled steps are the user's choice, not causes.
function M.unknowns(res)
  local out = {}
  local function add(input, message, hint) out[#out + 1] = { input = input, message = message, hint = hint } end
  local function failed(id)
    local rec = res[id]
    if rec and rec.ok == false then add(id, "step " .. id .. " failed: " .. tostring(rec.error):match("^[^\n]*")) end
    return rec and rec.result
  end
  local regs = failed("registry-stacks")
  if regs and regs.error then
    local msg = regs.error
    if fs.root() and not msg:find("^missing key") then msg = "the offline SOFTWARE hive could not be read: " .. msg end
    add("registry", "cannot read the Component Based Servicing\\Version key: " .. msg, M.advice(regs.error, regs.code))
  end
  local sxs = failed("winsxs-stacks")
  if sxs and sxs.error then
    add("winsxs", "cannot list WinSxS: " .. sxs.error, M.advice(sxs.error, sxs.code))
  end
  -- Folders and files in them that could not be read (once each).
  local seen = {}
  local function folder(f, name)
    if f.state == "unreadable" and not seen[name] then
      seen[name] = true
      add("folder", "cannot read the servicing stack folder " .. name .. ": " .. tostring(f.error), M.advice(f.error, f.code))
    end
    for _, u in ipairs(f.unreadable or {}) do
      local key = name .. "\\" .. u.file
      if not seen[key] then
        seen[key] = true
        add("folder", "cannot read " .. key .. ": " .. u.message, M.advice(u.message, u.code))
      end
    end
  end
  for _, e in ipairs(regs and regs.entries or {}) do folder(e, e.folder or e.path) end
  for _, f in ipairs(sxs and sxs.folders or {}) do folder(f, f.name) end
  local ev = failed("evidence")
  for _, g in ipairs(ev and ev.groups or {}) do
    if g.state == "unreadable" then
      add("logs:" .. g.name, string.format("cannot read the %s logs (%s): %s", g.name, g.dir, g.message),
        M.advice(g.message, g.code))
    elseif g.state == "incomplete" then  -- one line for the group: its first error, and how many more
      local e, more = g.errors[1], #g.errors - 1
      local what = e.message:find(e.file, 1, true) == 1 and e.message or (e.file .. ": " .. e.message)
      add("logs:" .. g.name, string.format("the %s logs were not fully searched: %s%s", g.name, what,
        more > 0 and string.format(" (and %d more)", more) or ""), M.advice(e.message, e.code))
    end
  end
  return out
end

local NO_EVIDENCE = { items = {}, history = {}, errors = {}, groups = {} }

-- The verdict, strongest first: damaged (the "damaged" step's folders),
-- unknown (an essential input could not be read), suspected (evidence),
-- healthy. Returns { verdict, unknown }.
function M.verdict(res)
  local damaged = res.damaged and res.damaged.result or {}
  local ev = res.evidence and res.evidence.result or NO_EVIDENCE
  local unknown = M.unknowns(res)
  local verdict = #damaged > 0 and "damaged" or #unknown > 0 and "unknown"
    or #ev.items > 0 and "suspected" or "healthy"
  return { verdict = verdict, unknown = unknown }
end

-- Runs the steps; returns the result table the report and JSON are made of.
-- With the damaged or verdict step disabled (or failing), its rule is
-- applied as it is, so a diagnosis always has a verdict.
function M.run(settings, signatures, progress, opts)
  local steps = require "sxsfix.steps"
  local collected = opts and opts.collected  -- sxsfix.collected: logs gathered from another machine
  if collected then settings = require("sxsfix.collected").prepare(settings, collected) end
  local ctx = { settings = settings, signatures = signatures, progress = progress }
  local records = steps.run(M.steps, ctx, settings)
  if collected then require("sxsfix.collected").mark(records) end
  local res = ctx.results
  local ev = res.evidence and res.evidence.result or NO_EVIDENCE
  local damaged = res.damaged and res.damaged.result
  if type(damaged) ~= "table" then
    damaged = M.damaged(res)
    res.damaged = { id = "damaged", result = damaged }
  end
  local v = res.verdict and res.verdict.result
  if type(v) ~= "table" or type(v.verdict) ~= "string" then v = M.verdict(res) end
  return {
    verdict = v.verdict,
    damaged = damaged,
    unknown = v.unknown or {},
    system = res.system and res.system.result or {},
    evidence = ev.items,
    history = ev.history,
    repaired = ev.repaired,
    time_zone = ev.zone,  -- the installation's, its logs' times are read in
    history_error = ev.history_error,  -- the repair history was not trusted: why
    pending_reboot = res["pending-reboot"] and res["pending-reboot"].result or { files = {}, errors = {} },
    log_errors = ev.errors,
    log_groups = ev.groups or {},
    registry = res["registry-stacks"] and res["registry-stacks"].result or {},
    folders = res["winsxs-stacks"] and res["winsxs-stacks"].result or {},
    manifests = res.manifests and res.manifests.result or nil,
    steps = records,
    download = settings.download,
    neighbours = res.neighbours and res.neighbours.result or { matched = {} },
    collected = collected and require("sxsfix.collected").summary(collected),
  }
end

return M
