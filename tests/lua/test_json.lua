-- JSON encoding of reports (sxsfix.json).
local t = require "t"
local json = require "sxsfix.json"

t.test("scalars", function()
  t.eq(json.encode(nil), "null"); t.eq(json.encode(true), "true")
  t.eq(json.encode(42), "42"); t.eq(json.encode(-0.5), "-0.5")
  t.eq(json.encode(0 / 0), "null"); t.eq(json.encode(math.huge), "null")
  t.eq(json.encode("a\"b\\c\n\t\1"), '"a\\"b\\\\c\\n\\t\\u0001"')
end)

t.test("objects are sorted; arrays are arrays", function()
  t.eq(json.encode({ b = 1, a = { 1, 2, "x" } }), '{"a":[1,2,"x"],"b":1}')
  t.eq(json.encode({}), "{}")
  t.eq(json.encode(json.array()), "[]")
end)

t.test("sparse or mixed tables need string keys", function()
  t.raises(function() json.encode({ [1] = 1, [3] = 3 }) end, "keys must be strings")
  t.raises(function() json.encode({ 1, x = 2 }) end, "keys must be strings")
end)

t.test("invalid UTF-8 becomes U+FFFD, valid UTF-8 is kept", function()
  t.eq(json.encode("caf\xe9 ok"), '"caf\u{FFFD} ok"')         -- ANSI é
  t.eq(json.encode("\xef\xbb\xbf\xff"), '"\u{FEFF}\u{FFFD}"')   -- BOM then a bad byte
  t.eq(json.encode("ünïcode дир"), '"ünïcode дир"')
  t.eq(json.encode("\xe2\x82"), '"\u{FFFD}\u{FFFD}"')           -- truncated sequence
end)

t.test("indentation", function()
  t.eq(json.encode({ a = { 1 } }, { indent = true }), '{\n  "a": [\n    1\n  ]\n}')
end)

t.test("cycles and functions are refused", function()
  local c = {}; c.self = c
  t.raises(function() json.encode(c) end, "contains itself")
  t.raises(function() json.encode({ f = print }) end, "cannot encode a function")
end)

return t.done()
