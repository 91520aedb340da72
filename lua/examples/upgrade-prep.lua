-- upgrade-prep.lua: an upgrade-readiness check that composes sxsfix's
-- diagnosis with checks of your own. Export it with `sxsfix scripts export
-- DIR`, edit it, and run it on a machine or an offline installation:
--
--   sxsfix [--root DIR] [--json FILE|-] [--summary] run DIR/examples/upgrade-prep.lua
--
-- Exit 0 when every check passes, 1 otherwise (Intune: "exit 1 = remediate").
local ctx = require "sxsfix.ctx"
local fs = require "sxsfix.fs"
local reg = require "sxsfix.reg"

local settings = ctx.settings
local checks = {}
local function check(id, ok, detail)
  checks[#checks + 1] = { id = id, ok = ok, detail = detail }
end

-- 1. The servicing stack (the article's Step 1).
local d = require("sxsfix.diagnose").run(settings)
check("servicing-stack", d.verdict == "healthy",
  d.verdict .. (#d.damaged > 0 and (": " .. d.damaged[1].name) or ""))

-- 2. No reboot pending from servicing: setup refuses to start otherwise.
local key = [[HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending]]
local pending, err = reg.key(key)
if pending == nil and err then check("no-pending-reboot", false, "cannot read the registry: " .. err)
else check("no-pending-reboot", pending == nil, pending and "a servicing reboot is pending" or "none") end

-- 3. No leftovers of an earlier upgrade attempt that still holds the failure.
local bt = [[C:\$WINDOWS.~BT\Sources\Panther]]
check("previous-attempt", #d.evidence == 0,
  fs.resolve(bt) and fs.isdir(bt) and string.format("%d line(s) of evidence in the setup logs", #d.evidence) or "none")

local failed = {}
for _, c in ipairs(checks) do
  if ctx.opts.json ~= "-" then  -- stdout carries the JSON report then
    print(string.format("%-4s %-20s %s", c.ok and "ok" or "FAIL", c.id, c.detail))
  end
  if not c.ok then failed[#failed + 1] = c.id end
end
-- The result table: verdict and summary make the --summary line
-- ("NOT-READY PC-0142 26100.5074: 1 check(s) failed: servicing-stack"),
-- exit the exit code; every field goes into --json.
return {
  verdict = #failed == 0 and "ready" or "not-ready",
  summary = #failed == 0 and string.format("%d check(s) passed", #checks)
    or string.format("%d check(s) failed: %s", #failed, table.concat(failed, ", ")),
  exit = #failed == 0 and 0 or 1,
  checks = checks,
  diagnosis = d.verdict,
}
