-- sxsfix.diagnose: the article's Step 1 as steps (see sxsfix.steps).
--
--   local d = require "sxsfix.diagnose"
--   local r = d.run(settings)      -- settings: sxsfix.config.merge(defaults, ...)
--   r.verdict                      -- "healthy" | "suspected" | "damaged"
--
-- Steps, in order (disable any by id in settings.disable):
--   system          build, revision and product from the registry
--   registry-stacks the stack versions CBS lists, and the state of each folder
--   winsxs-stacks   every *servicingstack* folder in WinSxS: files, state
--   evidence        the signatures of sxsfix.signatures in the setup logs
--   verdict         damaged / suspected / healthy, and what to do next
local fs = require "sxsfix.fs"
local reg = require "sxsfix.reg"
local stack = require "sxsfix.stack"
local evidence = require "sxsfix.evidence"

local M = {}

-- State of a servicing stack folder: "ok", "empty" or "missing", and its entry count.
local function folder_state(path)
  if not fs.isdir(path) then return "missing", 0 end
  local n = fs.count(path) or 0
  return n == 0 and "empty" or "ok", n
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
                    product = v.productname, display = v.displayversion, error = msg }
      return sys, sys.build and string.format("build %s.%s", sys.build, sys.ubr or "?")
        or ("build unknown" .. (msg and (": " .. msg) or ""))
    end,
  },
  {
    id = "registry-stacks",
    description = "list the servicing stack versions CBS knows, and check their folders",
    run = function(ctx)
      local k, msg = reg.key(ctx.settings.stack_key)
      if not k then
        return { error = msg or ("missing key " .. ctx.settings.stack_key), entries = {} },
          msg or "the Component Based Servicing\\Version key is missing"
      end
      local entries = {}
      for _, v in ipairs(k.values) do
        if type(v.value) == "string" then
          local path = fs.expand(v.value) or v.value
          local state, n = folder_state(path)
          entries[#entries + 1] = { version = v.name, path = v.value, expanded = path,
                                    folder = stack.folder_of(v.value), state = state, files = n }
        end
      end
      table.sort(entries, function(a, b) return stack.vcmp(a.version, b.version) < 0 end)
      return { entries = entries }, string.format("%d version(s) listed", #entries)
    end,
  },
  {
    id = "winsxs-stacks",
    description = "check the *servicingstack* folders in WinSxS",
    run = function(ctx)
      local sxs = ctx.settings.winsxs
      local names, msg = fs.list(sxs, { match = ctx.settings.stack_match, type = "dir" })
      if not names then return { error = msg, folders = {} }, msg end
      table.sort(names)
      local folders = {}
      for _, name in ipairs(names) do
        local path = fs.join(sxs, name)
        local state, n = folder_state(path)
        local c = stack.parse(name)
        folders[#folders + 1] = { name = name, path = path, files = n, state = state,
                                  arch = c and c.arch, version = c and c.version }
      end
      local empty = 0
      for _, f in ipairs(folders) do if f.state ~= "ok" then empty = empty + 1 end end
      return { folders = folders }, string.format("%d folder(s), %d empty", #folders, empty)
    end,
  },
  {
    id = "evidence",
    description = "search the setup, DISM and CBS logs for the failure's signatures",
    run = function(ctx)
      local r = evidence.find(ctx.settings, ctx.signatures)
      return r, string.format("%d signature line(s) in %d log file(s)", #r.items, r.searched)
    end,
  },
}

-- The folders that a repair must restore: registry-listed stacks whose
-- folder is missing or empty, and empty stack folders of the installed build.
function M.damaged(results)
  local sys = results.system and results.system.result or {}
  local regs = results["registry-stacks"] and results["registry-stacks"].result or {}
  local sxs = results["winsxs-stacks"] and results["winsxs-stacks"].result or {}
  local out, seen = {}, {}
  local function add(name, why)
    if name and not seen[name:lower()] then
      seen[name:lower()] = true
      out[#out + 1] = { name = name, reason = why }
    end
  end
  -- The installed build: from the registry; failing that, every build a
  -- servicing stack was listed or installed for.
  local builds, known = {}, sys.build ~= nil
  if known then builds[tostring(sys.build)] = true end
  for _, e in ipairs(regs.entries or {}) do
    local b = stack.build(e.version)
    if b and not known then builds[b] = true end
    if e.state ~= "ok" then add(e.folder, "listed in the registry as " .. e.version .. ", folder " .. e.state) end
  end
  if not known and not next(builds) then
    for _, f in ipairs(sxs.folders or {}) do
      if f.version then builds[stack.build(f.version)] = true end
    end
  end
  for _, f in ipairs(sxs.folders or {}) do
    if f.state ~= "ok" and f.version and builds[stack.build(f.version)] then
      add(f.name, "servicing stack folder of the installed build is " .. f.state)
    end
  end
  return out
end

-- Runs the steps; returns the result table the report and JSON are made of.
function M.run(settings, signatures, progress)
  local steps = require "sxsfix.steps"
  local ctx = { settings = settings, signatures = signatures, progress = progress }
  local records = steps.run(M.steps, ctx, settings)
  local res = ctx.results
  local ev = res.evidence and res.evidence.result or { items = {}, history = {}, errors = {} }
  local damaged = M.damaged(res)
  local verdict = #damaged > 0 and "damaged" or (#ev.items > 0 and "suspected" or "healthy")
  return {
    verdict = verdict,
    damaged = damaged,
    system = res.system and res.system.result or {},
    evidence = ev.items,
    history = ev.history,
    history_error = ev.history_error,  -- the repair history was not trusted: why
    log_errors = ev.errors,
    registry = res["registry-stacks"] and res["registry-stacks"].result or {},
    folders = res["winsxs-stacks"] and res["winsxs-stacks"].result or {},
    steps = records,
  }
end

return M
