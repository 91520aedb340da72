-- sxsfix reg query KEY [/v NAME | /ve] [--hive FILE]: a registry key or value,
-- printed as reg.exe prints it. The source is the live registry on Windows,
-- the installation's hives with --root, or the hive file given by --hive
-- (KEY is then a path inside that hive).
local args = require "sxsfix.args"
local fs = require "sxsfix.fs"
local reg = require "sxsfix.reg"
local json = require "sxsfix.json"

local NOTFOUND = "ERROR: The system was unable to find the specified registry key or value."

-- Data as reg.exe shows it: numbers in hex, binary as hex digits,
-- REG_MULTI_SZ joined with \0, REG_EXPAND_SZ unexpanded.
local function show(v, typ)
  if math.type(v) == "integer" then return string.format("0x%x", v) end
  if type(v) == "table" then return table.concat(v, "\\0") end
  if typ == "REG_SZ" or typ == "REG_EXPAND_SZ" or typ == "REG_LINK" then return v end
  return (v:gsub(".", function(c) return string.format("%02X", c:byte()) end))
end

local function line(name, typ, v)
  io.stdout:write("    ", name == "" and "(Default)" or name, "    ", typ, "    ", show(v, typ), "\n")
end

-- Parse "query KEY [/v NAME] [/ve]" (reg.exe also accepts -v).
local function parse(pos)
  if pos[1] == nil then args.usage_error("no operation given (only 'query' is supported)") end
  if pos[1]:lower() ~= "query" then args.usage_error("unknown operation '%s' (only 'query' is supported)", pos[1]) end
  local q = {}
  local i = 2
  while pos[i] do
    local a = pos[i]:lower()
    if a == "/v" or a == "-v" then
      q.value = pos[i + 1] or args.usage_error("/v needs a value name")
      i = i + 2
    elseif a == "/ve" or a == "-ve" then
      q.value = ""
      i = i + 1
    elseif not q.key then
      q.key = pos[i]
      i = i + 1
    else
      args.usage_error("unexpected argument '%s'", pos[i])
    end
  end
  q.key = q.key or args.usage_error("no KEY given")
  return q
end

return {
  summary = "query a registry key or value (live, --root's hives, or --hive FILE)",
  usage = "reg query KEY [/v NAME | /ve] [--hive FILE]",
  options = {
    { "hive", value = "FILE", help = "read the offline hive FILE (KEY is a path inside it)" },
  },
  run = function(ctx, opts, pos)
    local q = parse(pos)
    local ropts = { hive = opts.hive }
    local shown = q.key
    if opts.hive then
      local where, werr = fs.resolve(opts.hive)  -- a path that maps nowhere is the user's to fix
      if not where then args.usage_error("--hive %s", werr) end
    else
      local long, lerr = reg.longname(q.key)
      if not long then args.usage_error("%s", lerr) end
      shown = long
    end
    local key, err = reg.key(q.key, ropts)
    if key == nil and err then
      io.stderr:write("sxsfix reg: ", err, "\n")
      return ctx.exit.usage, { key = q.key, error = err }
    end
    if q.value then
      local found
      for _, v in ipairs(key and key.values or {}) do
        if v.name:lower() == q.value:lower() then found = v end
      end
      if not found then
        io.stderr:write(NOTFOUND, "\n")
        return ctx.exit.issue, { key = q.key, value = q.value, found = false }
      end
      io.stdout:write("\n", shown, "\n")
      line(found.name, found.type, found.value)
      io.stdout:write("\n")
      return ctx.exit.ok, { key = q.key, values = json.array({ found }) }
    end
    if not key then
      io.stderr:write(NOTFOUND, "\n")
      return ctx.exit.issue, { key = q.key, found = false }
    end
    io.stdout:write("\n", shown, "\n")
    for _, v in ipairs(key.values) do line(v.name, v.type, v.value) end
    io.stdout:write("\n")
    for _, s in ipairs(key.subkeys) do io.stdout:write(shown, "\\", s, "\n") end
    return ctx.exit.ok, { key = q.key, values = json.array(key.values), subkeys = json.array(key.subkeys) }
  end,
}
