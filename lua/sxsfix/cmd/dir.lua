-- sxsfix dir [--match GLOB] [--type dir|file] PATH: the names in a folder,
-- one per line, sorted case-insensitively. PATH may be a Windows path
-- (C:\Windows\WinSxS, %SystemRoot%\WinSxS), mapped with --root.
local args = require "sxsfix.args"
local fs = require "sxsfix.fs"

return {
  summary = "list a folder (Windows paths map into --root)",
  usage = "dir [--match GLOB] [--type dir|file] PATH",
  options = {
    { "match", value = "GLOB", help = "only names matching GLOB (* and ?, case-insensitive)" },
    { "type", value = "dir|file", help = "only folders, or only files" },
  },
  run = function(ctx, opts, pos)
    local path = pos[1] or args.usage_error("no PATH given")
    if pos[2] then args.usage_error("one PATH only") end
    if opts.type and opts.type ~= "dir" and opts.type ~= "file" then
      args.usage_error("--type must be dir or file, not '%s'", opts.type)
    end
    local where, werr = fs.resolve(path)  -- a path that maps nowhere is the user's to fix
    if not where then args.usage_error("%s", werr) end
    local names, err = fs.list(path, { match = opts.match, type = opts.type })
    if not names then
      io.stderr:write("sxsfix dir: ", err, "\n")
      return ctx.exit.usage, { path = path, error = err }
    end
    table.sort(names, function(a, b)
      local la, lb = a:lower(), b:lower()
      if la ~= lb then return la < lb end
      return a < b
    end)
    for _, n in ipairs(names) do io.stdout:write(n, "\n") end
    return ctx.exit.ok, { path = path, native = fs.map(path), entries = names }
  end,
}
