-- The sxsfix.grep module: compile forms, results, errors, options, encodings.
local t = require "t"
local grep = require "sxsfix.grep"
local fs = require "sxsfix.fs"

local dir = assert(fs.tempdir("sxsfix-grep"))
local function file(name, data)
  local p = dir .. fs.sep .. name
  assert(fs.writefile(p, data))
  return p
end

local log = file("setupact.log", table.concat({
  "2024-01-01 Info MOUPG start",
  "2024-01-01 Error SP Operation failed: Process Drivers for Migration. Error: 0x80070003",
  "2024-01-01 Info msoobe Failed to load oobe.xml [0x80070003]",
  "2024-01-01 Error MoSetupPlatform: Using action error code: [0x80070003]",
  "end",
}, "\r\n") .. "\r\n")

-- "x" as UTF-16LE with a BOM (ASCII only)
local function utf16le(s) return "\xFF\xFE" .. s:gsub(".", "%0\0") end

t.test("a list of patterns: ids are positions, lines in order", function()
  local set = grep.compile({ "Process Drivers", "oobe\\.xml" })
  local m, e = set:search(log)
  t.eq(#e, 0, "errors")
  t.eq(#m, 2, "matches")
  t.eq(m[1].line, 2); t.eq(m[1].pattern, 1); t.eq(m[1].file, log)
  t.eq(m[2].line, 3); t.eq(m[2].pattern, 2)
  t.match(m[1].text, "^2024%-01%-01 Error SP Operation failed")
  t.eq(m[1].text:find("\r", 1, true), nil, "line end stripped")
end)

t.test("named patterns, entries, captures", function()
  local set = grep.compile({ bare = "0x80070003", mosetup = "action error code: \\[(0x[0-9A-Fa-f]+)\\](x)?",
    { id = "driver", pattern = "Process Drivers for Migration.", fixed = true } })
  local m = set:search({ log })
  local by = {}
  for _, x in ipairs(m) do by[x.pattern] = (by[x.pattern] or 0) + 1 end
  t.eq(by.bare, 3); t.eq(by.mosetup, 1); t.eq(by.driver, 1)
  for _, x in ipairs(m) do
    if x.pattern == "mosetup" then
      t.eq(x.captures[1], "0x80070003"); t.eq(x.captures[2], false, "unset group")
    end
  end
end)

t.test("ignore_case, fixed, max_count, context", function()
  local m = grep.compile("USING ACTION", { ignore_case = true }):search(log)
  t.eq(#m, 1); t.eq(m[1].line, 4)
  m = grep.compile("[0x80070003]", { fixed = true }):search(log)
  t.eq(#m, 2, "fixed: brackets are literal")
  m = grep.compile("0x80070003", { max_count = 1 }):search(log)
  t.eq(#m, 1)
  m = grep.compile("0x80070003"):search(log, { max_count = 2 })
  t.eq(#m, 2, "max_count per search")
  m = grep.compile("oobe", { context = 1 }):search(log)
  t.eq(m[1].before[1].line, 2); t.eq(m[1].after[1].line, 4)
  t.match(m[1].after[1].text, "MoSetupPlatform")
end)

t.test("UTF-16LE and ANSI files", function()
  local u = file("SetupDiagResults.xml", utf16le("<a>\r\n<b>Failed to bind the online servicing stack</b>\r\n"))
  local a = file("setupapi.dev.log", "x\r\n\233chec 0x80070003\r\n")
  local m = grep.compile({ "servicing stack", "0x80070003" }):search({ u, a })
  t.eq(#m, 2)
  t.eq(m[1].line, 2); t.eq(m[1].encoding, "utf-16le"); t.eq(m[1].text, "<b>Failed to bind the online servicing stack</b>")
  t.eq(m[2].text, "\u{e9}chec 0x80070003", "Windows-1252 shown as UTF-8")
end)

t.test("a missing file is an error entry and the others are searched", function()
  local m, e = grep.compile("0x80070003"):search({ dir .. fs.sep .. "nope.log", log })
  t.eq(#m, 3)
  t.eq(#e, 1); t.match(e[1].message, "nope%.log"); t.eq(math.type(e[1].code), "integer")
  t.eq(e[1].file, dir .. fs.sep .. "nope.log")
end)

t.test("a PCRE2 limit is an error entry with line and pattern; the file is marked incomplete", function()
  local f = file("limit.log", "first aab\n" .. ("a"):rep(40) .. "Error: ab\nlast aab\n")
  local m, e, files = grep.compile({ other = "zzz", bt = "(a|aa)+b" }):search(f)
  t.eq(#m, 2, "lines 1 and 3 still found")
  t.eq(m[1].line, 1); t.eq(m[2].line, 3)
  t.eq(#e, 1)
  t.eq(e[1].file, f); t.eq(e[1].line, 2); t.eq(e[1].pattern, "bt")
  t.ok(e[1].code < 0, "PCRE2's negative code")
  t.match(e[1].message, "limit%.log:2: pattern '%(a|aa%)%+b': match limit exceeded")
  t.eq(#files, 1); t.eq(files[1].matches, 2); t.eq(files[1].incomplete, true)
  local _, _, ok = grep.compile("aab"):search(f)
  t.eq(ok[1].incomplete, nil, "a file searched completely has no incomplete flag")
end)

t.test("several threads give the results of one, in the same order", function()
  local paths = {}
  for i = 1, 6 do
    paths[#paths + 1] = file("par" .. i .. ".log", ("x\r\n"):rep(i * 50) .. "Error: 0x8007000" .. i .. "\r\nend\r\n")
  end
  paths[#paths + 1] = dir .. fs.sep .. "none.log"
  local set = grep.compile({ e = "Error: (0x8007[0-9A-F]+)", x = "^x$" }, { max_count = 3 })
  local m1, e1, f1 = set:search(paths, { threads = 1 })
  local m2, e2, f2 = set:search(paths, { threads = 4 })
  local m3 = set:search(paths)
  t.eq(#m1, 6 * 4); t.eq(#e1, 1); t.eq(#f1, 6)
  for k, m in ipairs(m1) do
    for _, x in ipairs({ m2[k], m3[k] }) do
      t.eq(x.file, m.file); t.eq(x.line, m.line); t.eq(x.pattern, m.pattern); t.eq(x.text, m.text)
    end
  end
  t.eq(e2[1].file, e1[1].file); t.eq(#f2, 6); t.eq(f2[6].file, f1[6].file)
  t.raises(function() set:search(paths, { threads = 99 }) end, "threads")
end)

t.test("globs are case-insensitive; files lists what was searched", function()
  file("MoSetup_1.log", "0x80070003\n")
  local _, _, files = grep.compile("zzz"):search(dir .. fs.sep .. "mosetup*")
  t.eq(#files, 1); t.match(files[1].file, "MoSetup_1%.log$"); t.eq(files[1].matches, 0)
end)

t.test("matches iterates matches then errors", function()
  local set = grep.compile("0x80070003")
  local n, errs = 0, 0
  for m in set:matches({ log, dir .. fs.sep .. "gone.log" }) do
    if m.error then errs = errs + 1 else n = n + 1 end
  end
  t.eq(n, 3); t.eq(errs, 1)
end)

t.test("matches is lazy: a path is read only when the loop gets to it", function()
  local set = grep.compile("0x80070003")
  local gone = dir .. fs.sep .. "gone.log"
  local it = set:matches({ log, gone })  -- nothing is read yet
  file("gone.log", "0x80070003 written after the call\n")
  local n, seen = 0, {}
  for m in it do
    t.ok(not m.error, m.message)
    n = n + 1; seen[m.file] = true
  end
  t.eq(n, 4, "the file written after the call was searched when its turn came")
  t.ok(seen[gone], "gone.log")
  assert(fs.remove(gone))
  t.raises(function() set:matches({ log, 42 }) end, "paths%[2%] is not a string")
  t.raises(function() set:matches(log, { fixed = true }) end, "unknown option 'fixed'")
end)

t.test("bad patterns and options raise", function()
  local none, msg, code, class = grep.compile({ sig = "ok(" })  -- a pattern is data: not a raise
  t.eq(none, nil); t.match(msg, "^pattern sig: .* at offset 3"); t.eq(type(code), "number"); t.eq(class, "input")
  t.raises(function() grep.compile("x", { ignorecase = true }) end, "unknown option 'ignorecase'")
  t.raises(function() grep.compile("x"):search(log, { fixed = true }) end, "unknown option 'fixed'")
  t.raises(function() grep.compile({}) end, "no patterns")
  t.raises(function() grep.compile(42) end, "string or table")
  t.raises(function() grep.compile({ { id = "x" } }) end, "no 'pattern' string")
  t.raises(function() grep.compile({ { pattern = "x", colour = 1 } }) end,
    "bad argument #1 to 'compile' %(pattern entry 1: unknown option 'colour'%)")  -- the one checker's form
  t.raises(function() grep.compile("x", { max_count = -1 }) end, "max_count")
end)

t.test("a closed set says so", function()
  local set = grep.compile("x")
  set:close()
  set:close()
  t.eq(tostring(set), "grep set (closed)")
  t.raises(function() set:search(log) end, "closed")
end)

t.test("the article's signatures are in no real log; a bare 0x80070003 is", function()
  local root = t.testdata("logs")
  local sigs = grep.compile({
    "Failed to bind the online servicing stack",
    "CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x80070003",
    "Operation failed: Process Drivers for Migration. Error: 0x80070003",
    "MoSetupPlatform: Using action error code: [0x80070003]",
  }, { fixed = true })
  local paths = { root .. "/*", root .. "/Appostarsi_WinErros/*", root .. "/Appostarsi_WinErros/Logs_zip/*" }
  local m, e, files = sigs:search(paths)
  t.eq(#e, 0); t.eq(#m, 0); t.ok(#files > 20, "files searched")
  m = grep.compile("0x80070003", { fixed = true }):search(paths)
  t.ok(#m > 0, "unrelated 0x80070003 lines found")
end)

t.test("count = true: lines matched, each once; no matches, no line numbers", function()
  local p = file("count.log", "a foo bar\r\nfoo\rbar\n\nfoo foo bar")
  local set = grep.compile({ "foo", "bar" }, { fixed = true })
  local m, e, files = set:search(p, { count = true })
  t.eq(#m, 0, "no matches"); t.eq(#e, 0)
  t.eq(files[1].file, p); t.eq(files[1].matches, 4, "a line two patterns match counts once")
  m, e, files = set:search(p, { count = true, max_count = 3 })
  t.eq(files[1].matches, 3, "max_count bounds the lines counted")
  m, e, files = set:search(file("count16.log", utf16le("foo\r\nbar\r\nx\r\n")), { count = true })
  t.eq(files[1].matches, 2, "UTF-16LE")
  t.raises(function() set:search(p, { count = true, colour = 1 }) end, "colour")
end)

t.test("a big file on 2 threads (in parts): the matches of 1 thread, in order", function()
  local lines = {}
  for i = 1, 240000 do  -- 9 MiB: two parts of 4 MiB or more
    lines[i] = i % 97 == 0 and ("Info CBS Failed to create worker session " .. i)
      or i % 89 == 0 and ("Error CDlpActionDriverMigrate " .. i) or ("Info CBS Failed to get next element " .. i)
  end
  local p = file("big.log", table.concat(lines, "\r\n") .. "\r\nlast CDlpActionDriverMigrate")
  local set = grep.compile({ "worker session", "CDlpActionDriverMigrate" }, { fixed = true })
  local one = set:search(p, { threads = 1 })
  local two, e, files = set:search(p, { threads = 2 })
  t.eq(#e, 0)
  t.ok(#one > 2000, "matches")
  t.eq(#two, #one)
  for i = 1, #one do
    if two[i].line ~= one[i].line or two[i].text ~= one[i].text or two[i].pattern ~= one[i].pattern then
      t.eq(two[i].line, one[i].line, "match " .. i)
    end
  end
  t.eq(one[#one].line, 240001); t.eq(one[#one].text, "last CDlpActionDriverMigrate")
  t.eq(files[1].matches, #one)
  local _, _, c2 = set:search(p, { threads = 2, count = true })
  t.eq(c2[1].matches, #one, "count mode on 2 threads")
end)

fs.rmtree(dir)
return t.done()
