-- sxsfix grep [-i] [-F] [-c] [-m NUM] [--threads N] [-e PATTERN]... [PATTERN] PATH...
-- Searches logs as grep -Hn does, in any of their encodings, .cab members
-- included. Exit codes are grep's: 0 a line matched, 1 none did, 2 error.
local args = require "sxsfix.args"
local grep = require "sxsfix.grep"

return {
  summary = "search logs (UTF-8, UTF-16, ANSI, .cab members) for patterns",
  usage = "grep [-i] [-F] [-c] [-m NUM] [--threads N] [-e PATTERN]... [PATTERN] PATH...",
  options = {
    { "ignore-case", short = "i", help = "ignore case" },
    { "fixed-strings", short = "F", help = "patterns are fixed strings, not regular expressions" },
    { "count", short = "c", help = "print only PATH:COUNT of matching lines" },
    { "max-count", short = "m", value = "NUM", help = "stop after NUM matching lines per file" },
    { "regexp", short = "e", value = "PATTERN", many = true, help = "a pattern (repeatable)" },
    { "threads", value = "N", help = "search on up to N threads (default: one per processor, at most 8)" },
  },
  run = function(ctx, opts, pos)
    local patterns = opts.regexp or {}
    if #patterns == 0 then
      patterns = { table.remove(pos, 1) or args.usage_error("no pattern given") }
    end
    if #pos == 0 then args.usage_error("no PATH given") end
    local max = opts["max-count"] and math.tointeger(tonumber(opts["max-count"]))
    if opts["max-count"] and not (max and max >= 0) then
      args.usage_error("-m needs a number, not '%s'", opts["max-count"])
    end

    local threads = opts.threads and math.tointeger(tonumber(opts.threads))
    if opts.threads and not (threads and threads >= 1 and threads <= 8) then
      args.usage_error("--threads needs a number from 1 to 8, not '%s'", opts.threads)
    end

    local set, cerr = grep.compile(patterns,
      { ignore_case = opts["ignore-case"] or false, fixed = opts["fixed-strings"] or false,
        max_count = max })
    if not set then
      io.stderr:write("sxsfix grep: ", cerr, "\n")
      return 2
    end
    if max == 0 then return 1 end  -- as grep -m 0: read nothing
    -- -c: the engine counts the matching lines (each once) and numbers none
    local matches, errors, files = set:search(pos, { count = opts.count or false, threads = threads })
    set:close()

    -- One line per file:line even when several patterns match it.
    local lines, per_file, last = {}, {}, nil
    for _, m in ipairs(matches) do
      local key = m.file .. "\0" .. m.line
      local n = per_file[m.file] or 0
      if key ~= last and not (max and n >= max) then
        per_file[m.file] = n + 1
        lines[#lines + 1] = m
        last = key
      end
    end
    local counted = 0
    if opts.count then
      for _, f in ipairs(files) do
        io.stdout:write(f.file, ":", f.matches, "\n")
        counted = counted + f.matches
      end
    else
      for _, m in ipairs(lines) do
        io.stdout:write(m.file, ":", m.line, ":", m.text, "\n")
      end
    end
    for _, f in ipairs(files) do  -- a line too long to hold: searched in parts
      if f.warning then io.stderr:write("sxsfix grep: ", f.warning, "\n") end
    end
    for _, e in ipairs(errors) do io.stderr:write("sxsfix grep: ", e.message, "\n") end
    ctx.log("grep: %d matching lines, %d errors", opts.count and counted or #lines, #errors)

    local result = { matches = {}, errors = errors }
    for i, m in ipairs(lines) do
      result.matches[i] = { file = m.file, line = m.line, text = m.text, pattern = m.pattern }
    end
    local json = require "sxsfix.json"
    json.array(result.matches)
    json.array(result.errors)
    local code = #errors > 0 and 2 or ((#lines > 0 or counted > 0) and 0 or 1)
    return code, result
  end,
}
