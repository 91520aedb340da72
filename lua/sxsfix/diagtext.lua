-- sxsfix.diagtext: the parts of diagnose's report about collected logs
-- (--logs) and neighbouring failures (sxsfix.rules), as text and JSON.
local json = require "sxsfix.json"

local M = {}

function M.collected(add, c)
  local n = {}
  for _, f in ipairs(c.files) do n[f.group] = (n[f.group] or 0) + 1 end
  local parts = {}
  for _, g in ipairs { "panther", "setupdiag", "dism", "cbs" } do
    if n[g] then parts[#parts + 1] = string.format("%d %s", n[g], g) end
  end
  add("Logs: %s (collected from another machine: %s)", c.dir, table.concat(parts, ", "))
  for _, note in ipairs(c.notes) do add("  %s", note) end
end

-- The neighbouring failures: "not this failure" when the verdict does not
-- say it is, "also in the logs" beside a damaged or suspected verdict.
function M.neighbours(add, r)
  local nb = r.neighbours or { matched = {} }
  if #nb.matched == 0 then return end
  add("")
  local this = r.verdict == "damaged" or r.verdict == "suspected"
  add(this and "Also in the logs (sxsfix.rules):" or "Not this failure; the logs show (sxsfix.rules):")
  for _, m in ipairs(nb.matched) do
    add("  [%s] %s", m.id, m.meaning)
    add("      phase: %s%s", m.phase, m.setupdiag and ("; SetupDiag names it " .. m.setupdiag) or "")
    add("      what to do: %s (%s)", m.fix, m.tool)
    add("      source: %s", m.source)
    local e = m.evidence[1]
    if e then add("      %s:%d  %s", e.file, e.line, e.text) end
  end
end

local function rule_record(m)
  local ev = json.array()
  for _, e in ipairs(m.evidence or {}) do ev[#ev + 1] = { file = e.file, line = e.line, text = e.text, time = e.time } end
  return { id = m.id, phase = m.phase, meaning = m.meaning, fix = m.fix, tool = m.tool,
           setupdiag = m.setupdiag, source = m.source, evidence = ev }
end

function M.rule_json(r)
  local nb = r.neighbours
  return nb and nb.rule and rule_record(nb.rule) or nil
end

function M.rules_json(r)
  local out = json.array()
  for _, m in ipairs(r.neighbours and r.neighbours.matched or {}) do out[#out + 1] = rule_record(m) end
  return out
end

function M.collected_json(r)
  local c = r.collected
  if not c then return nil end
  local files = json.array()
  for _, f in ipairs(c.files) do files[#files + 1] = { file = f.file, group = f.group } end
  return { dir = c.dir, files = files, notes = json.array(c.notes), stacks = c.stacks }
end

return M
