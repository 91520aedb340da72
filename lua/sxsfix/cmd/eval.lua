-- sxsfix eval 'CHUNK' [ARGS...]: run a chunk of Lua; ARGS are in `...` and
-- in the global `arg`. A chunk that returns an integer sets the exit code.
local args = require "sxsfix.args"

return {
  summary = "run a chunk of Lua given on the command line",
  usage = "eval 'CHUNK' [ARGS...]",
  run = function(_, _, pos)
    local src = pos[1] or args.usage_error("no chunk given")
    local chunk, err = load(src, "=(eval)", "t")
    if not chunk then args.usage_error("%s", err) end
    arg = { [0] = "(eval)", table.unpack(pos, 2) }
    local code = chunk(table.unpack(pos, 2))
    return math.type(code) == "integer" and code or nil
  end,
}
