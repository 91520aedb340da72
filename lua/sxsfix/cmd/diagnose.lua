-- sxsfix diagnose: is this the servicing-stack failure? Exit 0 healthy,
-- 1 damaged or suspected (Intune's "exit 1 = remediate"), 5 unknown (an
-- essential input could not be read; the report says which and what to do).
local report = require "sxsfix.report"

return {
  summary = "find the 0x80070003 servicing stack failure, with evidence",
  help = "Verdict (exit code): damaged (1) > unknown (5) > suspected (1) > healthy (0).\n" ..
    "unknown: the CBS\\Version key, the WinSxS listing or a log group that exists could\n" ..
    "not be read or searched in full; one line per cause says what to do.\n" ..
    "--logs DIR: logs collected from another machine (a folder in any layout, a .zip,\n" ..
    "or one log); the stack checks are not available then, so suspected or healthy.\n" ..
    "Either way the report names a neighbouring failure the logs show (sxsfix/rules.lua).",
  usage = "diagnose [--logs DIR]",
  options = {
    { "logs", value = "DIR", help = "diagnose logs collected from another machine (a folder or .zip, any layout)" },
  },
  run = function(ctx, opts)
    local settings = ctx.settings
    local c
    if opts and opts.logs then
      if ctx.opts.root then require("sxsfix.args").usage_error("--logs and --root: give one") end
      local err
      c, err = require("sxsfix.collected").open(opts.logs, settings)
      if c and #c.files == 0 then
        c:close()
        err = opts.logs .. ": no setup, DISM or CBS log found" .. (c.notes[1] and (" (" .. c.notes[1] .. ")") or "")
        c = nil
      end
      if not c then  -- bad input about another machine: nothing said of this one (no identity, no event)
        io.stderr:write("sxsfix diagnose: --logs ", err, "\n")
        return ctx.exit.usage, { collected = { dir = opts.logs, error = err } }
      end
    end
    local ok, r = pcall(require("sxsfix.diagnose").run, settings, nil, ctx.progress, { collected = c })
    if c then
      if ok then c:relabel(r) end
      c:close()
    end
    if not ok then error(r, 0) end
    if ctx.opts.json ~= "-" then io.stdout:write(report.diagnose_text(r, { root = ctx.opts.root })) end
    ctx.log("diagnose: %s, %d evidence line(s), %d damaged folder(s)", r.verdict, #r.evidence, #r.damaged)
    local code = ({ healthy = ctx.exit.ok, unknown = ctx.exit.unknown })[r.verdict] or ctx.exit.issue
    return code, report.diagnose_json(r)
  end,
}
