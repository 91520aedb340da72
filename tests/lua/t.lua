-- t.lua: a small test harness for the Lua tests, run by sxsfix itself:
--   local t = require "t"
--   t.test("name", function() t.eq(1, 1) end)
--   return t.done()      -- prints "N passed, N failed" and returns the exit code
local M = { passed = 0, failed = 0, skipped = 0, file = arg and arg[0] or "?" }

local function fmt(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function M.test(name, f)
  local ok, err = xpcall(f, function(e)
    if type(e) == "table" and e.skip then return e end
    return debug.traceback(tostring(e), 2)
  end)
  if ok then
    M.passed = M.passed + 1
  elseif type(err) == "table" and err.skip then
    M.skipped = M.skipped + 1
    print("SKIP " .. name .. ": " .. err.skip)
  else
    M.failed = M.failed + 1
    print("FAIL " .. name .. ": " .. err)
  end
end

-- Skip the current test, with the reason printed.
function M.skip(reason) error({ skip = reason }, 0) end

-- Path of something under ../shared/testdata, or skip the test when absent.
function M.testdata(rel)
  local root = require("sxsfix.host").getenv("SXSFIX_TESTDATA")
  local p = root and (root .. "/" .. rel)
  local f = p and io.open(p, "rb")
  if f then f:close() elseif not (p and require("sxsfix.fs").isdir(p)) then
    M.skip("test data " .. rel .. " is absent (../shared/testdata)")
  end
  return p
end

function M.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: expected %s, got %s", what or "value", fmt(want), fmt(got)), 2)
  end
end

function M.ok(v, what)
  if not v then error((what or "condition") .. " is false", 2) end
  return v
end

-- Match a string against a Lua pattern.
function M.match(s, pat, what)
  if type(s) ~= "string" or not s:find(pat) then
    error(string.format("%s: %s does not match %q", what or "string", fmt(s), pat), 2)
  end
end

-- f must raise an error whose message matches pat.
function M.raises(f, pat)
  local ok, err = pcall(f)
  if ok then error("expected an error matching " .. fmt(pat), 2) end
  if pat and not tostring(err):find(pat) then
    error(string.format("error %s does not match %q", fmt(tostring(err)), pat), 2)
  end
end

function M.done()
  print(string.format("%s: %d passed, %d failed, %d skipped", M.file:match("[^/\\]+$"),
    M.passed, M.failed, M.skipped))
  if M.failed > 0 then return 1 end
  if M.passed == 0 and M.skipped > 0 then return 77 end  -- all skipped: ctest's SKIP code
  return 0
end

return M
