-- sxsfix help [COMMAND]: usage of sxsfix, or of one command.
local args = require "sxsfix.args"

return {
  summary = "show help for sxsfix or for a command",
  usage = "help [COMMAND]",
  run = function(ctx, _, pos)
    local cli = ctx.cli
    local name = pos[1]
    if not name then
      io.stdout:write(cli.usage())
      return ctx.exit.ok
    end
    local cmd = cli.command(name) or args.usage_error("unknown command '%s'", name)
    io.stdout:write("usage: sxsfix ", cmd.usage or name, "\n\n", cmd.summary or "", "\n")
    if cmd.options and #cmd.options > 0 then
      io.stdout:write("\nOptions:\n", args.describe(cmd.options), "\n")
    end
    if cmd.help then io.stdout:write("\n", cmd.help, "\n") end
    return ctx.exit.ok
  end,
}
