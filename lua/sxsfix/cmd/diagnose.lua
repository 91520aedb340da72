-- sxsfix diagnose: is this the servicing-stack failure? Exit 0 healthy,
-- 1 damaged or suspected (Intune's "exit 1 = remediate").
local report = require "sxsfix.report"

return {
  summary = "find the 0x80070003 servicing stack failure, with evidence",
  usage = "diagnose",
  run = function(ctx)
    local settings = ctx.settings
    local r = require("sxsfix.diagnose").run(settings, nil, ctx.progress)
    if ctx.opts.json ~= "-" then io.stdout:write(report.diagnose_text(r, { root = ctx.opts.root })) end
    ctx.log("diagnose: %s, %d evidence line(s), %d damaged folder(s)", r.verdict, #r.evidence, #r.damaged)
    return r.verdict == "healthy" and ctx.exit.ok or ctx.exit.issue, report.diagnose_json(r)
  end,
}
