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

t.test("decode: round trip of a report", function()
  local r = { tool = "sxsfix", exit_code = 1, ratio = 0.25, ok = true, no = false,
              evidence = { { file = "C:\\x\\setupact.log", line = 408, text = "tab\there \"q\" ünï 😀" } },
              empty = json.array() }
  local back = assert(json.decode(json.encode(r, { indent = true })))
  t.eq(json.encode(back), json.encode(r))
  t.eq(math.type(back.exit_code), "integer")
  t.eq(back.evidence[1].text, "tab\there \"q\" ünï 😀")
end)

t.test("decode: escapes, surrogates, null, BOM", function()
  t.eq(json.decode('"\\u00e9\\ud83d\\ude00\\n\\/"'), "é😀\n/")
  t.eq(json.decode('"\\ud83d x"'), "\u{FFFD} x")        -- a lone high surrogate
  t.eq(json.decode('"\\ude00"'), "\u{FFFD}")            -- a lone low one
  local a = json.decode('[1, null, 3]')
  t.eq(a.n, 3); t.eq(a[3], 3); t.eq(a[2], nil)
  t.eq(json.decode('{"a": null}').a, nil)
  t.eq(json.decode('\239\187\191 {"a": -1.5e2}').a, -150.0)
end)

t.test("decode: bad input is an error naming the byte, never a raise", function()
  local cases = {
    { "", "end of the text" }, { "{", "string key" }, { '{"a" 1}', "':' expected" },
    { '{"a":1,}', "string key" }, { "[1 2]", "',' or ']'" }, { '"abc', "unterminated" },
    { '"a\1b"', "control character" }, { '"\\x"', "unknown escape" }, { '"\\u12"', "four hex" },
    { "01", "bad number" }, { "-", "a value expected" }, { "tru", "a value expected" },
    { "{} x", "text after" }, { string.rep("[", 500), "nested deeper" },
    { "\0", "a value expected" },
  }
  for _, c in ipairs(cases) do
    local v, err = json.decode(c[1])
    t.eq(v, nil, c[1])
    t.match(err, "^byte %d+: ", c[1])
    t.ok(err:find(c[2], 1, true), c[1] .. " -> " .. tostring(err))
  end
  t.raises(function() json.decode(42) end, "a string expected")
end)

return t.done()
