-- sxsfix.report: the human text and the JSON fields of a result.
--   report.diagnose_text(r) -> string
--   report.diagnose_json(r) -> table (merged into the --json object by the CLI)
local json = require "sxsfix.json"
local stack = require "sxsfix.stack"

local M = {}

local HEADLINE = {
  damaged = "DAMAGED: a servicing stack folder is missing, empty or damaged",
  unknown = "UNKNOWN: the diagnosis could not read what it needs; nothing is proven either way",
  suspected = "SUSPECTED: the setup logs hold the failure's signatures, but the servicing stack looks intact",
  healthy = "HEALTHY: no sign of the servicing stack failure",
}

local function system_line(sys)
  local parts = {}
  if sys.product then parts[#parts + 1] = sys.product end
  if sys.display then parts[#parts + 1] = sys.display end
  if sys.build then parts[#parts + 1] = "build " .. sys.build .. (sys.ubr and ("." .. sys.ubr) or "") end
  return #parts > 0 and table.concat(parts, ", ") or "unknown (" .. (sys.error or "no version key") .. ")"
end

-- The download hint (settings.download lines) for one damaged folder name.
function M.download_lines(name, sys, lines)
  local c = stack.parse(name)
  if not c then return {} end
  local build = stack.build(c.version)
  local windows = tonumber(build) and tonumber(build) >= 22000 and "Windows 11" or "Windows 10"
  local vars = { arch = stack.arch_name(c.arch), build = build, version = c.version,
                 short = c.version:match("^%d+%.%d+%.(.*)$"),
                 release = windows .. (sys.display and (" Version " .. sys.display) or "") }
  local out = {}
  for _, l in ipairs(lines or {}) do
    local ok = true
    local text = l:gsub("%${(%w+)}", function(k)
      if vars[k] == nil then ok = false; return "" end
      return vars[k]
    end)
    if ok then out[#out + 1] = text end
  end
  return out
end

local function problem_lines(add, problems)
  for _, p in ipairs(problems or {}) do add("           %s: %s", p.file, p.problem) end
end

M.NO_SYSTEM_LINE = "No Windows installation to read on this system (no live registry, no %windir%): " ..
  "give --root DIR, the folder where its volume is mounted (sxsfix --root /mnt/win diagnose)."

-- True when every input failed only because there is no live Windows to
-- read (no --root on another system): one line says so, not one per input.
function M.no_system(r)
  local hint = require("sxsfix.diagnose").NO_SYSTEM
  if require("sxsfix.fs").root() or #(r.unknown or {}) == 0 then return false end
  for _, u in ipairs(r.unknown) do if u.hint ~= hint then return false end end
  return true
end

function M.diagnose_text(r, opts)
  opts = opts or {}
  local out = {}
  local function add(fmt, ...) out[#out + 1] = string.format(fmt, ...) end
  add("sxsfix diagnose: %s", HEADLINE[r.verdict])
  if M.no_system(r) then  -- the causes are in --json (unknown[])
    add("System: unknown")
    add("")
    add("%s", M.NO_SYSTEM_LINE)
    return table.concat(out, "\n") .. "\n"
  end
  if r.collected then require("sxsfix.diagtext").collected(add, r.collected)
  else add("System: %s%s", system_line(r.system), opts.root and ("   (root: " .. opts.root .. ")") or "") end
  add("")
  add("Evidence: %d line(s)", #r.evidence)
  for _, e in ipairs(r.evidence) do
    add("  %s:%d  [%s]", e.file, e.line, e.signature)
    add("      %s", e.text)
  end
  if #r.history > 0 then
    add("Resolved history: %d line(s) older than the last repair (%s)", #r.history, r.repaired or "?")
  end
  for _, g in ipairs(r.log_groups or {}) do
    if g.state ~= "searched" then add("  %s logs (%s): %s", g.name, g.dir, g.state) end
  end
  if r.history_error then add("  %s", r.history_error) end
  if r.time_zone and r.time_zone.error then add("  %s", r.time_zone.error) end
  require("sxsfix.diagtext").neighbours(add, r)
  add("")
  if r.collected then add("Servicing stack: %s.", r.collected.stacks) end
  if not r.collected then
  add("Servicing stack versions in the registry:")
  if r.registry.error then add("  %s", r.registry.error) end
  for _, e in ipairs(r.registry.entries or {}) do
    add("  %-18s %-10s %3d  %s", e.version, e.state:upper(), e.files, e.path)
    problem_lines(add, e.problems)
  end
  add("Servicing stack folders in WinSxS:")
  if r.folders.error then add("  %s", r.folders.error) end
  for _, f in ipairs(r.folders.folders or {}) do
    add("  %-10s %3d  %s", f.state:upper(), f.files, f.name)
    problem_lines(add, f.problems)
    if f.manifest and f.manifest.message then add("           manifest: %s", f.manifest.message) end
  end
  local ml = require("sxsfix.manifest").summary_line(r.manifests)
  if ml then add("%s", ml) end
  end
  for _, s in ipairs(r.steps or {}) do
    if s.ok == false then add("Step %s failed: %s", s.id, s.error) end
  end
  add("")
  local pend = r.pending_reboot or { files = {}, errors = {} }
  if #pend.files > 0 then
    add("Repair pending reboot: %d file(s) in use are replaced at the next restart;", #pend.files)
    add("restart Windows, then diagnose again:")
    for _, f in ipairs(pend.files) do add("  %s", f.file) end
    add("")
  end
  for _, e in ipairs(pend.errors) do add("Pending replacements: %s", e) end
  if #(r.unknown or {}) > 0 then
    add("Could not read (the verdict cannot be healthy until these are read):")
    for _, u in ipairs(r.unknown) do add("  %s%s", u.message, u.hint and ("  -> " .. u.hint) or "") end
    add("")
  end
  if r.verdict == "damaged" then
    add("To repair, restore these folders from the servicing stack update of the same version:")
    local versions, seen = {}, {}
    for _, d in ipairs(r.damaged) do
      add("  %s  (%s)", d.name, d.reason)
      local c = stack.parse(d.name)
      local key = c and (c.arch .. " " .. c.version)
      if key and not seen[key] then seen[key] = true; versions[#versions + 1] = d.name end
    end
    for _, name in ipairs(versions) do
      local c = stack.parse(name)
      for _, l in ipairs(require("sxsfix.kb").lines(c and c.version)) do add("  %s", l) end
      for _, l in ipairs(M.download_lines(name, r.system, opts.download or r.download)) do add("  %s", l) end
    end
    add("  Then: sxsfix %srepair --ssu <that .msu> [--apply]", opts.root and ("--root " .. opts.root .. " ") or "")
  elseif r.verdict == "suspected" then
    add("The stack looks intact: check the evidence, then retry the upgrade.")
  end
  return table.concat(out, "\n") .. "\n"
end

local function problems_json(list)
  local out = json.array()
  for _, p in ipairs(list or {}) do out[#out + 1] = { file = p.file, problem = p.problem } end
  return out
end

function M.diagnose_json(r)
  local ev = json.array()
  for _, e in ipairs(r.evidence) do
    ev[#ev + 1] = { signature = e.signature, file = e.file, line = e.line, text = e.text, time = e.time, utc = e.utc }
  end
  local hist = json.array()
  for _, e in ipairs(r.history) do
    hist[#hist + 1] = { signature = e.signature, file = e.file, line = e.line, text = e.text, time = e.time, utc = e.utc }
  end
  local regs = json.array()
  for _, e in ipairs(r.registry.entries or {}) do
    regs[#regs + 1] = { version = e.version, path = e.path, state = e.state, files = e.files,
                        bound = e.bound, problems = problems_json(e.problems) }
  end
  local folders = json.array()
  for _, f in ipairs(r.folders.folders or {}) do
    local m = f.manifest
    folders[#folders + 1] = { name = f.name, path = f.path, files = f.files, state = f.state,
                              problems = problems_json(f.problems),
                              manifest = m and { state = m.state, path = m.path, files = m.files,
                                                 checked = m.checked, message = m.message } }
  end
  local damaged = json.array()
  for _, d in ipairs(r.damaged) do
    local c = stack.parse(d.name)
    damaged[#damaged + 1] = { name = d.name, reason = d.reason, problems = problems_json(d.problems),
                              download = json.array(M.download_lines(d.name, r.system, r.download)),
                              kb = c and require("sxsfix.kb").json(c.version) }
  end
  local unknown = json.array()
  for _, u in ipairs(r.unknown or {}) do unknown[#unknown + 1] = { input = u.input, message = u.message, hint = u.hint } end
  local logs = json.array()
  for _, g in ipairs(r.log_groups or {}) do
    local errs = json.array()
    for _, e in ipairs(g.errors or {}) do errs[#errs + 1] = { file = e.file, message = e.message } end
    logs[#logs + 1] = { group = g.name, dir = g.dir, state = g.state, files = g.files, message = g.message, errors = errs }
  end
  local steps = json.array()
  for _, s in ipairs(r.steps or {}) do
    steps[#steps + 1] = { id = s.id, ok = s.ok, skipped = s.skipped, summary = s.summary, error = s.error }
  end
  local pend = json.array()
  for _, f in ipairs(r.pending_reboot and r.pending_reboot.files or {}) do
    pend[#pend + 1] = { file = f.file, replacement = f.replacement }
  end
  return {
    verdict = r.verdict,
    note = #pend > 0 and "repair pending reboot" or nil,
    pending_reboot = pend,
    evidence = ev,
    history = hist,
    repaired = r.repaired,
    time_zone = r.time_zone and { name = r.time_zone.name, offset = r.time_zone.offset, error = r.time_zone.error },
    unknown = unknown,
    logs = logs,
    servicing_stack = { registry = regs, folders = folders, damaged = damaged,
                        manifest_fallback = r.manifests and r.manifests.fallback },
    system = { build = r.system.build, ubr = r.system.ubr, product = r.system.product,
               display_version = r.system.display },
    steps = steps,
    rule = require("sxsfix.diagtext").rule_json(r),
    rules = require("sxsfix.diagtext").rules_json(r),
    collected = require("sxsfix.diagtext").collected_json(r),
  }
end

return M
