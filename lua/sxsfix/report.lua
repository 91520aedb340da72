-- sxsfix.report: the human text and the JSON fields of a result.
--   report.diagnose_text(r) -> string
--   report.diagnose_json(r) -> table (merged into the --json object by the CLI)
local json = require "sxsfix.json"

local M = {}

local HEADLINE = {
  damaged = "DAMAGED: a servicing stack folder is missing or empty",
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

function M.diagnose_text(r, opts)
  opts = opts or {}
  local out = {}
  local function add(fmt, ...) out[#out + 1] = string.format(fmt, ...) end
  add("sxsfix diagnose: %s", HEADLINE[r.verdict])
  add("System: %s%s", system_line(r.system), opts.root and ("   (root: " .. opts.root .. ")") or "")
  add("")
  add("Evidence: %d line(s)", #r.evidence)
  for _, e in ipairs(r.evidence) do
    add("  %s:%d  [%s]", e.file, e.line, e.signature)
    add("      %s", e.text)
  end
  if #r.history > 0 then
    add("Resolved history: %d line(s) older than the last repair (%s)", #r.history, r.repaired or "?")
  end
  for _, e in ipairs(r.log_errors or {}) do add("  cannot read %s: %s", e.file, e.message) end
  if r.history_error then add("  %s", r.history_error) end
  add("")
  add("Servicing stack versions in the registry:")
  if r.registry.error then add("  %s", r.registry.error) end
  for _, e in ipairs(r.registry.entries or {}) do
    add("  %-18s %-8s %3d  %s", e.version, e.state:upper(), e.files, e.path)
  end
  add("Servicing stack folders in WinSxS:")
  if r.folders.error then add("  %s", r.folders.error) end
  for _, f in ipairs(r.folders.folders or {}) do
    add("  %-8s %3d  %s", f.state:upper(), f.files, f.name)
  end
  for _, s in ipairs(r.steps or {}) do
    if s.ok == false then add("Step %s failed: %s", s.id, s.error) end
  end
  add("")
  if r.verdict == "damaged" then
    add("To repair, restore these folders from the servicing stack update of the same version:")
    for _, d in ipairs(r.damaged) do add("  %s  (%s)", d.name, d.reason) end
    add("  sxsfix repair --ssu <that SSU .msu> [--apply]")
  elseif r.verdict == "suspected" then
    add("The stack looks intact: check the evidence, then retry the upgrade.")
  end
  return table.concat(out, "\n") .. "\n"
end

function M.diagnose_json(r)
  local ev = json.array()
  for _, e in ipairs(r.evidence) do
    ev[#ev + 1] = { signature = e.signature, file = e.file, line = e.line, text = e.text, time = e.time }
  end
  local hist = json.array()
  for _, e in ipairs(r.history) do
    hist[#hist + 1] = { signature = e.signature, file = e.file, line = e.line, text = e.text, time = e.time }
  end
  local regs = json.array()
  for _, e in ipairs(r.registry.entries or {}) do
    regs[#regs + 1] = { version = e.version, path = e.path, state = e.state, files = e.files }
  end
  local folders = json.array()
  for _, f in ipairs(r.folders.folders or {}) do
    folders[#folders + 1] = { name = f.name, path = f.path, files = f.files, state = f.state }
  end
  local damaged = json.array()
  for _, d in ipairs(r.damaged) do damaged[#damaged + 1] = { name = d.name, reason = d.reason } end
  local steps = json.array()
  for _, s in ipairs(r.steps or {}) do
    steps[#steps + 1] = { id = s.id, ok = s.ok, skipped = s.skipped, summary = s.summary, error = s.error }
  end
  return {
    verdict = r.verdict,
    evidence = ev,
    history = hist,
    servicing_stack = { registry = regs, folders = folders, damaged = damaged },
    system = { build = r.system.build, ubr = r.system.ubr, product = r.system.product,
               display_version = r.system.display },
    steps = steps,
  }
end

return M
