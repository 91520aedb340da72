-- sxsfix eval 'CHUNK' [ARGS...]: run a chunk of Lua; ARGS are in `...` and
-- in the global `arg`. A chunk may return an exit code, a result table, or
-- both (code, table), as `run` scripts do.
local args = require "sxsfix.args"

-- A value in an error line: control characters as \ddd, so that the line
-- stays one line and a script's text cannot drive the terminal.
local function shown(v)
  return (tostring(v):gsub("%c", function(c) return "\\" .. c:byte() end))
end

-- A script's return values -> exit code, result table. The table's
-- verdict (a word: its --summary line starts with it), summary (the rest
-- of that line) and exit (the exit code, when no code came first) are
-- what a built-in command reports; its other fields go into --json as
-- they are. Anything else returned is a script error.
-- Such an error is one line, without a traceback (cli: exit 4).
local function result(name, code, res)
  if type(code) == "table" and res == nil then code, res = nil, code end
  if code ~= nil and math.type(code) ~= "integer" then
    error({ script = string.format("%s returned %s, expected nothing, an exit code or a result table", name, shown(code)) }, 0)
  end
  if type(res) ~= "table" then return code, nil end
  local function bad(field, want)
    error({ script = string.format("%s: its result's %s is %s, expected %s", name, field, shown(res[field]), want) }, 0)
  end
  if res.exit ~= nil and math.type(res.exit) ~= "integer" then bad("exit", "an integer") end
  if res.verdict ~= nil and (type(res.verdict) ~= "string" or not res.verdict:match("^[%w%-_]+$")) then
    bad("verdict", "a word (letters, digits, - or _)")
  end
  if res.summary ~= nil and type(res.summary) ~= "string" then bad("summary", "a string") end
  return code or res.exit, res
end

return {
  summary = "run a chunk of Lua given on the command line",
  usage = "eval 'CHUNK' [ARGS...]",
  result = result,
  run = function(_, _, pos)
    local src = pos[1] or args.usage_error("no chunk given")
    local chunk, err = load(src, "=(eval)", "t")
    if not chunk then args.usage_error("%s", err) end
    arg = { [0] = "(eval)", table.unpack(pos, 2) }
    return result("(eval)", chunk(table.unpack(pos, 2)))
  end,
}
