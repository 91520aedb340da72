-- sxsfix run FILE.lua [ARGS...]: run a Lua script with sxsfix's modules,
-- as `lua FILE ARGS...` would. ARGS are in the global `arg` (arg[0] = FILE)
-- and in `...`. Modules next to FILE can be required. The script may
-- return an exit code (0-255; the default is 0) and a result table, or
-- the table alone (see sxsfix.cmd.eval's result).
local args = require "sxsfix.args"
local fs = require "sxsfix.fs"

return {
  summary = "run a Lua script (arguments in arg, as lua does)",
  usage = "run FILE.lua [ARGS...]",
  passthrough = 1,
  run = function(ctx, _, pos)
    local file = pos[1] or args.usage_error("no script file given")
    local chunk, err = ctx.host.loadfile(file)
    if not chunk then args.usage_error("%s", err) end
    local dir = file:match("^(.*)[/\\]") or "."
    package.path = dir .. fs.sep .. "?.lua;" .. package.path
    arg = { [0] = file, table.unpack(pos, 2) }
    return require("sxsfix.cmd.eval").result(file, chunk(table.unpack(pos, 2)))
  end,
}
