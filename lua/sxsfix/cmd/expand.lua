-- sxsfix expand [-F:GLOB] [--list] [--no-nested] SRC [DSTDIR]: expand a .cab
-- or .msu (CAB- or WIM-based), and the cabinets inside it, into DSTDIR.
local args = require "sxsfix.args"
local expand = require "sxsfix.expand"

-- The failure's class says the exit code (host.exitclass: bad input 3,
-- the system or a lack of memory or space 2).
local function failed(ctx, msg, code, class)
  io.stderr:write("sxsfix expand: ", msg, "\n")
  return ctx.exitclass[class] or ctx.exit.failed, { error = msg, code = code, class = class }
end

local function list(ctx, src, opts)
  local entries, msg, code, class = expand.list(src, opts)
  if not entries then return failed(ctx, msg, code, class) end
  local total = 0
  for _, e in ipairs(entries) do
    local nested = e.origin ~= src and ("  (in " .. e.origin:sub(#src + 2) .. ")") or ""
    local when = e.mtime and os.date("!%Y-%m-%d %H:%M:%S", e.mtime) or "-"
    print(string.format("%12s  %s  %s%s%s", e.dir and "<DIR>" or e.size, when, e.name,
      e.dir and "/" or "", nested))
    total = total + (e.dir and 0 or 1)
  end
  print(string.format("%d files", total))
  return ctx.exit.ok, { entries = entries }
end

return {
  summary = "expand a .cab or .msu (CAB or WIM) and the cabinets inside it",
  usage = "expand [-F:GLOB] [--list] [--no-nested] [--inner GLOB] [--overwrite] SRC [DSTDIR]",
  options = {
    { "filter", short = "F", value = "GLOB", help = "only files whose name matches GLOB (as expand -F:)" },
    { "list", short = "l", help = "list the entries, expanding nothing" },
    { "no-nested", help = "leave inner .cab files as they are" },
    { "inner", value = "GLOB", help = "inner archives to expand in turn (default *.cab)" },
    { "overwrite", short = "y", help = "replace files that already exist in DSTDIR" },
  },
  help = "An inner archive NAME.cab is written to DSTDIR and expanded into the folder\n" ..
    "DSTDIR/NAME. Entries whose names would leave DSTDIR (.., absolute paths,\n" ..
    "drive letters, device names, links) stop the expansion with an error, as\n" ..
    "does writing more than the budget (settings: expand.max_ratio, max_bytes).\n" ..
    "Exit codes: 0 expanded, 2 failed (disk full, out of memory, write error), 3 bad\n" ..
    "input or usage.",
  run = function(ctx, opts, pos)
    local src = pos[1] or args.usage_error("no .cab or .msu file given")
    local o = { filter = opts.filter, nested = not opts["no-nested"], inner = opts.inner }
    if opts.list then
      if pos[2] then args.usage_error("--list takes only SRC") end
      return list(ctx, src, o)
    end
    local dst = pos[2] or args.usage_error("no destination folder given")
    if pos[3] then args.usage_error("unexpected argument '%s'", pos[3]) end
    o.overwrite = opts.overwrite or false
    local budget = ctx.settings.expand
    o.max_ratio, o.max_bytes = budget.max_ratio, budget.max_bytes
    local r, msg, code, class = expand.run(src, dst, o)
    if not r then return failed(ctx, msg, code, class) end
    print(string.format("%s: %d files (%d bytes) from %d archives into %s",
      src, r.files, r.bytes, r.archives, dst))
    return ctx.exit.ok, { expand = { src = src, dst = dst, files = r.files, dirs = r.dirs,
      bytes = r.bytes, archives = r.archives } }
  end,
}
