-- sxsfix.neighbours: finds the rules of sxsfix.rules in the log groups.
--
--   neighbours.list(settings [, rules]) -> rules after settings.rules.add / .disable
--   neighbours.find(settings [, rules]) ->
--     { matched = { {id, phase, meaning, fix, tool, setupdiag, source,
--                    evidence = { {file, line, text, time}... }}... },
--       rule = the first matched rule in list order, or nil }
--   neighbours.step   the diagnose step ("neighbours") that runs find
--
-- One grep pass per log group, as for the signatures (sxsfix.evidence);
-- the repair history does not apply (a neighbour is named, not counted).
local evidence = require "sxsfix.evidence"

local M = {}

local FIELDS = { "id", "phase", "meaning", "fix", "tool", "source" }

-- Checks one rule; a rule without its facts or their source is refused.
local function check(r, where)
  for _, k in ipairs(FIELDS) do
    if type(r[k]) ~= "string" or r[k] == "" then
      error(string.format("%s: rule %s needs %s (a string)", where, tostring(r.id), k), 0)
    end
  end
  if not r.source:find("^https?://") then
    error(string.format("%s: rule %s: source must be the URL of the page its facts come from", where, r.id), 0)
  end
  if type(r.signatures) ~= "table" or #r.signatures == 0 then
    error(string.format("%s: rule %s needs signatures", where, r.id), 0)
  end
  for i, s in ipairs(r.signatures) do
    if type(s.text) ~= "string" or type(s.logs) ~= "table" then
      error(string.format("%s: rule %s, signature %d needs text and logs", where, r.id, i), 0)
    end
  end
end

function M.list(settings, base)
  local cfg = settings.rules or {}
  local off = {}
  for _, id in ipairs(cfg.disable or {}) do off[id] = true end
  local list, seen = {}, {}
  local function add(r, where)
    check(r, where)
    if seen[r.id] then error(string.format("%s: rule %s is defined twice", where, r.id), 0) end
    seen[r.id] = true
    if not off[r.id] then list[#list + 1] = r end
  end
  for _, r in ipairs(base or require "sxsfix.rules") do add(r, "sxsfix.rules") end
  for _, r in ipairs(cfg.add or {}) do add(r, "--config rules.add") end
  return list
end

function M.find(settings, base)
  local rules = M.list(settings, base)
  local flat, owner = {}, {}
  for _, r in ipairs(rules) do
    for j, s in ipairs(r.signatures) do
      local id = r.id .. "#" .. j
      flat[#flat + 1] = { id = id, meaning = r.meaning, text = s.text, fixed = s.fixed, logs = s.logs,
                          file = s.file, near = s.near, within = s.within, exclude = s.exclude }
      owner[id] = { rule = r, n = j }
    end
  end
  local out = { matched = {} }
  if #flat == 0 then return out end
  local s = {}
  for k, v in pairs(settings) do s[k] = v end
  s.signatures, s.history = { add = {}, disable = {} }, nil
  local found = evidence.find(s, flat)
  local hits = {}  -- rule id -> { lines, signatures seen }
  for _, ev in ipairs(found.items) do
    local o = owner[ev.signature]
    local h = hits[o.rule.id] or { lines = {}, seen = {}, count = 0 }
    hits[o.rule.id] = h
    if not h.seen[o.n] then h.seen[o.n], h.count = true, h.count + 1 end
    if #h.lines < 5 then h.lines[#h.lines + 1] = { file = ev.file, line = ev.line, text = ev.text, time = ev.time } end
  end
  for _, r in ipairs(rules) do
    local h = hits[r.id]
    if h and (not r.all or h.count == #r.signatures) then
      out.matched[#out.matched + 1] = { id = r.id, phase = r.phase, meaning = r.meaning, fix = r.fix, tool = r.tool,
                                        setupdiag = r.setupdiag, source = r.source, evidence = h.lines }
    end
  end
  out.rule = out.matched[1]
  return out
end

M.step = {
  id = "neighbours",
  description = "name the neighbouring failures (sxsfix.rules) whose evidence is in the logs",
  run = function(ctx)
    local r = M.find(ctx.settings)
    return r, string.format("%d rule(s) matched%s", #r.matched, r.rule and (": " .. r.rule.id) or "")
  end,
}

return M
