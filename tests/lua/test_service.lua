-- sxsfix.service: argument checks everywhere; on POSIX every service is
-- absent and cannot be stopped or started. (Windows: tests/win/test_live.sh
-- stops and starts a real service under Wine.)
local t = require "t"
local service = require "sxsfix.service"

t.test("bad arguments raise", function()
  t.raises(function() service.state() end, "bad argument #1")
  t.raises(function() service.stop("x", 0) end, "seconds must be 1 to 3600")
  t.raises(function() service.start("x", 3601) end, "seconds must be 1 to 3600")
end)

t.test("a service that does not exist", function()
  t.eq(service.state("sxsfix-no-such-service"), "absent")
  local ok, err, code = service.stop("sxsfix-no-such-service", 1)
  t.eq(ok, nil)
  t.ok(err:find("sxsfix-no-such-service", 1, true), err)
  t.eq(math.type(code), "integer")
  ok = service.start("sxsfix-no-such-service", 1)
  t.eq(ok, nil)
end)

t.test("POSIX has no services", function()
  if package.config:sub(1, 1) == "\\" then t.skip("Windows: see tests/win/test_live.sh") end
  t.eq(service.state("TrustedInstaller"), "absent")
end)

return t.done()
