-- sxsfix diagnose: is this the servicing-stack failure? Exit 0 healthy,
-- 1 damaged or suspected (Intune's "exit 1 = remediate"), 5 unknown (an
-- essential input could not be read; the report says which and what to do).
local report = require "sxsfix.report"

return {
  summary = "find the 0x80070003 servicing stack failure, with evidence",
  help = "Verdict (exit code): damaged (1) > unknown (5) > suspected (1) > healthy (0).\n" ..
    "unknown: the CBS\\Version key, the WinSxS listing or a log group that exists could\n" ..
    "not be read or searched in full; one line per cause says what to do.",
  usage = "diagnose",
  run = function(ctx)
    local settings = ctx.settings
    local r = require("sxsfix.diagnose").run(settings, nil, ctx.progress)
    if ctx.opts.json ~= "-" then io.stdout:write(report.diagnose_text(r, { root = ctx.opts.root })) end
    ctx.log("diagnose: %s, %d evidence line(s), %d damaged folder(s)", r.verdict, #r.evidence, #r.damaged)
    local code = ({ healthy = ctx.exit.ok, unknown = ctx.exit.unknown })[r.verdict] or ctx.exit.issue
    return code, report.diagnose_json(r)
  end,
}
