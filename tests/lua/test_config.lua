-- Settings (sxsfix.config) and the step runner (sxsfix.steps).
local t = require "t"
local config = require "sxsfix.config"
local steps = require "sxsfix.steps"
local defaults = require "sxsfix.defaults"

local function usage_of(f)
  local ok, err = pcall(f)
  t.ok(not ok, "raised"); t.eq(type(err), "table", "a usage error")
  return err.usage
end

t.test("defaults pass through unchanged and are copied", function()
  local s = config.merge(defaults, nil)
  t.eq(s.winsxs, defaults.winsxs)
  s.logs.cbs.dir = "X"
  t.ok(defaults.logs.cbs.dir ~= "X", "defaults not modified")
end)

t.test("overrides merge key by key; lists replace", function()
  local s = config.merge(defaults, { work = [[D:\tmp]], logs = { cbs = { files = { "CBS.log" } } } })
  t.eq(s.work, [[D:\tmp]])
  t.eq(#s.logs.cbs.files, 1)
  t.eq(s.logs.cbs.dir, defaults.logs.cbs.dir, "sibling key kept")
  t.eq(s.logs.dism.dir, defaults.logs.dism.dir, "other groups kept")
end)

t.test("open maps accept new keys", function()
  local s = config.merge(defaults, { logs = { sccm = { dir = [[C:\Windows\CCM\Logs]], files = { "*.log" } } },
                                     hooks = { before = { ["find-evidence"] = print } } })
  t.eq(s.logs.sccm.dir, [[C:\Windows\CCM\Logs]])
  t.eq(s.hooks.before["find-evidence"], print)
end)

t.test("unknown keys and wrong types fail loudly", function()
  t.match(usage_of(function() config.merge(defaults, { wrok = "x" }) end), "unknown setting 'wrok'")
  t.match(usage_of(function() config.merge(defaults, { logs = { cbs = { dri = "x" } } }) end),
    "unknown setting 'logs.cbs.dri'")
  t.match(usage_of(function() config.merge(defaults, { security = 1 }) end), "must be a string")
end)

t.test("steps run in order; a failure is recorded and the run goes on", function()
  local order = {}
  local list = {
    { id = "a", run = function() order[#order + 1] = "a"; return { n = 1 }, "one" end },
    { id = "b", run = function() error("b broke") end },
    { id = "c", run = function(ctx) order[#order + 1] = "c"; return ctx.results.a.result.n + 1 end },
  }
  local recs = steps.run(list, {}, {})
  t.eq(#recs, 3); t.eq(order[1], "a"); t.eq(order[2], "c")
  t.ok(recs[1].ok); t.eq(recs[1].summary, "one")
  t.ok(not recs[2].ok); t.match(recs[2].error, "b broke"); t.match(recs[2].error, "traceback")
  t.eq(recs[3].result, 2)
end)

t.test("disabled steps are skipped; hooks run around a step", function()
  local seen = {}
  local list = {
    { id = "a", run = function() seen[#seen + 1] = "a" end },
    { id = "b", run = function() seen[#seen + 1] = "b"; return 5 end },
  }
  local recs = steps.run(list, {}, { disable = { "a" }, hooks = {
    before = { b = function() seen[#seen + 1] = "before-b" end },
    after = { b = function(_, r) seen[#seen + 1] = "after-b:" .. r end } } })
  t.ok(recs[1].skipped); t.eq(table.concat(seen, ","), "before-b,b,after-b:5")
end)

return t.done()
