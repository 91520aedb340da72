-- sxsfix.args: command-line parsing shared by the CLI and its commands.
--
-- An option spec is a list of entries:
--   { "name", short = "n", value = "NUM", many = true, help = "..." }
-- `value` means the option takes an argument; `many` collects repeats into
-- a list. Accepted forms: --name, --name=V, --name V, -n, -nV, -n V, -n:V
-- (as expand's -F:*), and bundled flags (-ic).
--
-- Errors are raised as tables { usage = "message" } so the CLI can print
-- usage and exit 3; any other error is a bug and exits 4.

local M = {}

local function usage_error(fmt, ...)
  error({ usage = string.format(fmt, ...) }, 0)
end
M.usage_error = usage_error

local function find(specs, long, short)
  for _, s in ipairs(specs or {}) do
    if (long and s[1] == long) or (short and s.short == short) then return s end
  end
end

local function store(opts, spec, v)
  local key = spec[1]
  if spec.many then
    opts[key] = opts[key] or {}
    table.insert(opts[key], v)
  else
    opts[key] = v
  end
end

-- Try to parse argv[i] (an option) against specs. Returns the index of the
-- next argument, or nil when the option is not in specs.
function M.option(argv, i, specs, opts)
  local a = argv[i]
  local long, inline = a:match("^%-%-([^=]+)=(.*)$")
  long = long or a:match("^%-%-(.+)$")
  if long then
    local s = find(specs, long)
    if not s then return nil end
    if s.value then
      if inline then store(opts, s, inline); return i + 1 end
      if argv[i + 1] == nil then usage_error("option --%s needs a value (%s)", long, s.value) end
      store(opts, s, argv[i + 1])
      return i + 2
    end
    if inline then usage_error("option --%s takes no value", long) end
    store(opts, s, true)
    return i + 1
  end
  -- short options: -x, -xVALUE, -x:VALUE, -x VALUE, -abc
  local s = find(specs, nil, a:sub(2, 2))
  if not s then return nil end
  if s.value then
    local rest = a:sub(3)
    if rest ~= "" then
      store(opts, s, (rest:gsub("^:", "", 1)))
      return i + 1
    end
    if argv[i + 1] == nil then usage_error("option -%s needs a value (%s)", s.short, s.value) end
    store(opts, s, argv[i + 1])
    return i + 2
  end
  local flags = {}
  for c in a:sub(2):gmatch(".") do  -- every letter must be a known flag
    local f = find(specs, nil, c)
    if not f or f.value then return nil end
    flags[#flags + 1] = f
  end
  for _, f in ipairs(flags) do store(opts, f, true) end
  return i + 1
end

local function is_option(a)
  return a:sub(1, 1) == "-" and a ~= "-"
end

-- Parse a whole command line.
--   argv:     list of arguments (without the program name)
--   global:   spec of the options valid everywhere
--   resolve:  function(name) -> command table (with .options, .passthrough) or
--             raises a usage error for an unknown command
-- Returns opts (global), name, cmd, copts (command options), pos (positionals).
function M.parse(argv, global, resolve)
  local opts, copts, pos = {}, {}, {}
  local name, cmd
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--" then
      table.move(argv, i + 1, #argv, #pos + 1, pos)
      break
    elseif is_option(a) then
      local nxt = M.option(argv, i, global, opts)
      if not nxt and cmd then nxt = M.option(argv, i, cmd.options, copts) end
      if not nxt then
        if cmd then usage_error("%s: unknown option '%s'", name, a) end
        usage_error("unknown option '%s'", a)
      end
      i = nxt
    else
      if not name then
        name, cmd = a, resolve(a)
      else
        pos[#pos + 1] = a
        if cmd.passthrough and #pos == cmd.passthrough then  -- the rest is the script's
          table.move(argv, i + 1, #argv, #pos + 1, pos)
          break
        end
      end
      i = i + 1
    end
  end
  return opts, name, cmd, copts, pos
end

-- Help lines for a spec: "  -n, --name VALUE   help".
function M.describe(specs)
  local lines = {}
  for _, s in ipairs(specs or {}) do
    local left = (s.short and ("-" .. s.short .. ", ") or "    ") .. "--" .. s[1]
    if s.value then left = left .. " " .. s.value end
    lines[#lines + 1] = string.format("  %-24s %s", left, s.help or "")
  end
  return table.concat(lines, "\n")
end

return M
