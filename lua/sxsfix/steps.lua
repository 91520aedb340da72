-- sxsfix.steps: runs steps of one shape and records what each did.
--
-- A step: { id = "find-evidence", description = "...",
--           run = function(ctx) return result, summary end }
-- steps.run(list, ctx, settings) -> records, in order:
--   { id, description, ok, result, summary, error, skipped }
-- A step that raises is recorded (ok = false, error = message with
-- traceback) and the run goes on: later steps see ctx.results[id] and
-- decide for themselves, unless ctx.stop_on_error is set (repair): then
-- the run stops with status "error" (a bug: reported with its traceback). settings.disable lists ids to skip;
-- settings.hooks.before[id] / after[id] run around a step (after gets the
-- step's result); ctx.progress, when set, is told each step's description
-- as it starts.
--
-- A step or a hook ends the whole run with steps.stop(ctx, status, reason)
-- ("refused", "planned", ...): ctx.stopped = { id, status, reason }, and
-- the steps after it are recorded as skipped.

local M = {}

local function traceback(e)
  return debug.traceback(tostring(e), 2)
end

-- Stop the run after the current step; returns what a step returns.
function M.stop(ctx, status, reason)
  assert(type(status) == "string", "steps.stop needs a status")
  ctx.stopped = { id = ctx.step, status = status, reason = reason }
  return { stopped = status, reason = reason }, reason
end

function M.run(list, ctx, settings)
  settings = settings or {}
  local disabled = {}
  for _, id in ipairs(settings.disable or {}) do disabled[id] = true end
  local hooks = settings.hooks or {}
  local before, after = hooks.before or {}, hooks.after or {}
  ctx.results = ctx.results or {}
  local records = {}
  for _, step in ipairs(list) do
    assert(type(step.id) == "string" and type(step.run) == "function",
      "a step needs an id and a run function")
    local rec = { id = step.id, description = step.description }
    if ctx.stopped then
      rec.skipped, rec.summary = true, "not run: the run stopped (" .. ctx.stopped.status .. ")"
    elseif disabled[step.id] then
      rec.skipped, rec.summary = true, "disabled by configuration"
    else
      local ok, err = true, nil
      ctx.step = step.id
      if ctx.progress then ctx.progress("%s...", step.description or step.id) end
      if before[step.id] then ok, err = xpcall(before[step.id], traceback, ctx) end
      if ok and not ctx.stopped then
        ok, rec.result, rec.summary = xpcall(step.run, traceback, ctx)
        if not ok then err, rec.result = rec.result, nil end
      end
      if ok and after[step.id] then ok, err = xpcall(after[step.id], traceback, ctx, rec.result) end
      rec.ok, rec.error = ok, err
      if not ok and ctx.stop_on_error and not ctx.stopped then
        ctx.stopped = { id = step.id, status = "error", reason = err }
      end
      ctx.step = nil
    end
    ctx.results[step.id] = rec
    records[#records + 1] = rec
  end
  return records
end

return M
