-- sxsfix scripts list | export DIR [--force]: the built-in script set.
-- Export writes it out for editing; run the edited copy with --scripts DIR.
local args = require "sxsfix.args"
local fs = require "sxsfix.fs"

local function export(ctx, dir, force)
  local host = ctx.host
  if not force and fs.isdir(dir .. fs.sep .. "sxsfix") then
    args.usage_error("%s already holds a script set; use --force to overwrite it", dir)
  end
  for _, name in ipairs(host.scripts()) do
    local path = dir .. fs.sep .. name:gsub("/", fs.sep)
    local parent = path:match("^(.*)[/\\]")
    local ok, err = fs.mkdirs(parent)
    if ok then ok, err = fs.writefile(path, host.script(name)) end
    if not ok then
      io.stderr:write("sxsfix scripts export: ", err, "\n")
      return ctx.exit.failed
    end
    print(path)
  end
  return ctx.exit.ok
end

return {
  summary = "list or export the built-in scripts for editing",
  usage = "scripts list | scripts export DIR [--force]",
  options = {
    { "force", short = "f", help = "overwrite a script set already in DIR" },
  },
  help = "Edit the exported copy, then run it with: sxsfix --scripts DIR COMMAND ...",
  run = function(ctx, opts, pos)
    local sub = pos[1] or args.usage_error("say 'list' or 'export DIR'")
    if sub == "list" then
      for _, name in ipairs(ctx.host.scripts()) do print(name) end
      return ctx.exit.ok
    elseif sub == "export" then
      local dir = pos[2] or args.usage_error("export needs a folder")
      return export(ctx, dir, opts.force)
    end
    args.usage_error("unknown subcommand '%s'", sub)
  end,
}
