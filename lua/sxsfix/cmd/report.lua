-- sxsfix report [--format text|csv|html|json] [-o FILE] PATH...: the fleet
-- at a glance, from the --json reports of many machines (sxsfix.fleet
-- counts, sxsfix.fleetfmt formats). PATH is a report or a folder searched
-- recursively for *.json. Files that are not reports are listed as skipped;
-- they never stop the run. Exit 0 when the report was written, 3 on bad
-- usage, when no report could be read from any PATH, or when -o FILE
-- cannot be written.
local args = require "sxsfix.args"
local fs = require "sxsfix.fs"
local fleet = require "sxsfix.fleet"
local fleetfmt = require "sxsfix.fleetfmt"

local FORMATS = { text = true, csv = true, html = true, json = true }

return {
  summary = "the fleet at a glance from many machines' --json reports (text, csv, html, json)",
  usage = "report [--format text|csv|html|json] [-o FILE] [--stale DAYS] PATH...",
  options = {
    { "format", value = "FORMAT", help = "text (default), csv (one row per machine), html (one page), json" },
    { "output", short = "o", value = "FILE", help = "write the report to FILE (default: stdout)" },
    { "stale", value = "DAYS", help = "a machine last seen more than DAYS ago is stale (default 30)" },
  },
  run = function(ctx, opts, pos)
    local format = opts.format or "text"
    if not FORMATS[format] then args.usage_error("--format must be text, csv, html or json, not '%s'", format) end
    local stale = opts.stale and math.tointeger(tonumber(opts.stale))
    if opts.stale and not (stale and stale >= 0 and opts.stale:match("^%d+$")) then
      args.usage_error("--stale must be a whole number of days, not '%s'", opts.stale)
    end
    if #pos == 0 then args.usage_error("no PATH given (a report file or a folder of them)") end
    local f = fleet.new()
    for _, p in ipairs(pos) do
      ctx.progress("reading %s...", p)
      f:add_path(p)
    end
    local now = require("sxsfix.identity").now()
    local agg = f:aggregate({ stale = stale, now = now })
    if agg.reports == 0 then  -- nothing to report: say so rather than print an empty fleet
      for _, sk in ipairs(agg.skipped) do io.stderr:write("sxsfix report: skipped ", fleetfmt.printable(sk.file .. ": " .. sk.reason), "\n") end
      io.stderr:write("sxsfix report: no report could be read from ", fleetfmt.printable(table.concat(pos, ", ")),
        " (expected sxsfix diagnose or repair --json files, or folders of them)\n")
      return ctx.exit.usage
    end
    local text
    if format == "html" then text = fleetfmt.html(agg, { time = now })
    else text = fleetfmt[format](agg) end
    if opts.output then
      local ok, err = fs.writefile(opts.output, text)  -- atomic: never half a report under its name
      if not ok then
        io.stderr:write("sxsfix report: -o ", err, "\n")
        return ctx.exit.usage
      end
    elseif ctx.opts.json ~= "-" then
      io.stdout:write(text)
    end
    for _, s in ipairs(agg.skipped) do ctx.log("report: skipped %s: %s", s.file, s.reason) end
    ctx.log("report: %d machine(s), %d report(s), %d skipped", #agg.machines, agg.reports, #agg.skipped)
    return ctx.exit.ok, { fleet = fleetfmt.data(agg) }
  end,
}
