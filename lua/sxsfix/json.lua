-- sxsfix.json: a JSON encoder for reports. Output is deterministic (object
-- keys sorted) and always valid UTF-8: bytes that are not valid UTF-8 (logs
-- in ANSI code pages) become U+FFFD.
--
--   json.encode(value [, { indent = true }]) -> string
--   json.array(t) -> t, marked to encode as an array even when empty
--   json.decode(text) -> value | nil, "byte N: what was expected"
--
-- Tables with keys 1..n only are arrays; other tables are objects with
-- string keys (other key types raise). NaN and infinities encode as null.

local M = {}

local array_mt = { __name = "json.array" }

function M.array(t)
  return setmetatable(t or {}, array_mt)
end

local escapes = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}

-- Replace every byte that is not part of valid UTF-8 with U+FFFD.
local function valid_utf8(s)
  if utf8.len(s) then return s end
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = s:byte(i)
    local w = c < 0x80 and 1 or c >= 0xF0 and 4 or c >= 0xE0 and 3 or 2
    if utf8.len(s:sub(i, i + w - 1)) == 1 then  -- one whole, valid character
      out[#out + 1] = s:sub(i, i + w - 1)
      i = i + w
    else
      out[#out + 1] = "\u{FFFD}"
      i = i + 1
    end
  end
  return table.concat(out)
end

local function quote(s)
  s = valid_utf8(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function is_array(t)
  if getmetatable(t) == array_mt then return true end
  local n = #t
  if n == 0 then return false end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
end

local encode

local function encode_table(t, indent, depth, seen)
  if seen[t] then error("json: cannot encode a table that contains itself", 0) end
  seen[t] = true
  local nl, pad, pad_in, colon = "", "", "", ":"
  if indent then
    nl, pad, pad_in, colon = "\n", ("  "):rep(depth), ("  "):rep(depth + 1), ": "
  end
  local parts = {}
  local open, close
  if is_array(t) then
    open, close = "[", "]"
    for i = 1, #t do parts[i] = pad_in .. encode(t[i], indent, depth + 1, seen) end
  else
    open, close = "{", "}"
    local keys = {}
    for k in pairs(t) do
      if type(k) ~= "string" then
        error("json: object keys must be strings, got a " .. type(k) .. " key", 0)
      end
      keys[#keys + 1] = k
    end
    table.sort(keys)
    for i, k in ipairs(keys) do
      parts[i] = pad_in .. quote(k) .. colon .. encode(t[k], indent, depth + 1, seen)
    end
  end
  seen[t] = nil
  if #parts == 0 then return open .. close end
  return open .. nl .. table.concat(parts, "," .. nl) .. nl .. pad .. close
end

encode = function(v, indent, depth, seen)
  local ty = type(v)
  if ty == "nil" then return "null" end
  if ty == "boolean" then return tostring(v) end
  if ty == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if math.type(v) == "integer" then return tostring(v) end
    return string.format("%.17g", v)
  end
  if ty == "string" then return quote(v) end
  if ty == "table" then return encode_table(v, indent, depth, seen) end
  error("json: cannot encode a " .. ty .. " value", 0)
end

function M.encode(v, opts)
  return encode(v, opts and opts.indent, 0, {})
end

-- Decoding (RFC 8259). Hostile input gets an error naming the byte offset,
-- never a crash: nesting is limited (MAX_DEPTH), strings must be closed,
-- escapes valid; lone surrogates become U+FFFD. null decodes as nil (an
-- array keeps its length in field n only when it holds a null). Integers
-- stay integers; arrays are json.array tables, so they encode back as arrays.
M.MAX_DEPTH = 200

local find, sub, byte, tonumber, uchar = string.find, string.sub, string.byte, tonumber, utf8.char
local unescape = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t" }

local function decode_error(pos, what)
  error({ json = string.format("byte %d: %s", pos, what) }, 0)
end

local function skip_ws(s, pos)
  return find(s, "[^ \t\r\n]", pos) or #s + 1
end

-- The string whose opening quote is at pos; returns it and the next position.
local function decode_string(s, pos)
  local i = pos + 1
  local j = find(s, '["\\\0-\31]', i)
  if j and byte(s, j) == 34 then return sub(s, i, j - 1), j + 1 end  -- no escapes: one slice
  local parts = {}
  while true do
    if not j then decode_error(pos, "unterminated string") end
    local c = byte(s, j)
    parts[#parts + 1] = sub(s, i, j - 1)
    if c == 34 then return table.concat(parts), j + 1 end
    if c < 32 then decode_error(j, "control character in a string") end
    local e = sub(s, j + 1, j + 1)
    if e == "u" then
      local hex = sub(s, j + 2, j + 5)
      if not find(hex, "^%x%x%x%x$") then decode_error(j, "\\u needs four hex digits") end
      local cp, nexti = tonumber(hex, 16), j + 6
      if cp >= 0xD800 and cp <= 0xDBFF then  -- a pair, or U+FFFD
        local lo = sub(s, j + 6, j + 7) == "\\u" and tonumber(sub(s, j + 8, j + 11), 16)
        if lo and lo >= 0xDC00 and lo <= 0xDFFF then
          cp, nexti = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00), j + 12
        else
          cp = 0xFFFD
        end
      elseif cp >= 0xDC00 and cp <= 0xDFFF then
        cp = 0xFFFD
      end
      parts[#parts + 1] = uchar(cp)
      i = nexti
    else
      local r = unescape[e]
      if not r then decode_error(j, "unknown escape \\" .. e) end
      parts[#parts + 1] = r
      i = j + 2
    end
    j = find(s, '["\\\0-\31]', i)
  end
end

local decode_value

local function decode_array(s, pos, depth)
  local t, n = setmetatable({}, array_mt), 0
  pos = skip_ws(s, pos + 1)
  if byte(s, pos) == 93 then return t, pos + 1 end
  local hole = false
  while true do
    local v
    v, pos = decode_value(s, pos, depth)
    n = n + 1
    t[n] = v
    if v == nil then hole = true end
    pos = skip_ws(s, pos)
    local c = byte(s, pos)
    if c == 93 then
      if hole then t.n = n end
      return t, pos + 1
    end
    if c ~= 44 then decode_error(pos, "',' or ']' expected in an array") end
    pos = skip_ws(s, pos + 1)
  end
end

local function decode_object(s, pos, depth)
  local t = {}
  pos = skip_ws(s, pos + 1)
  if byte(s, pos) == 125 then return t, pos + 1 end
  while true do
    if byte(s, pos) ~= 34 then decode_error(pos, "a string key expected") end
    local k
    k, pos = decode_string(s, pos)
    pos = skip_ws(s, pos)
    if byte(s, pos) ~= 58 then decode_error(pos, "':' expected after a key") end
    t[k], pos = decode_value(s, skip_ws(s, pos + 1), depth)
    pos = skip_ws(s, pos)
    local c = byte(s, pos)
    if c == 125 then return t, pos + 1 end
    if c ~= 44 then decode_error(pos, "',' or '}' expected in an object") end
    pos = skip_ws(s, pos + 1)
  end
end

decode_value = function(s, pos, depth)
  local c = byte(s, pos)
  if c == 34 then return decode_string(s, pos) end
  if c == 123 or c == 91 then
    if depth >= M.MAX_DEPTH then decode_error(pos, "nested deeper than " .. M.MAX_DEPTH) end
    if c == 123 then return decode_object(s, pos, depth + 1) end
    return decode_array(s, pos, depth + 1)
  end
  if c == 116 and sub(s, pos, pos + 3) == "true" then return true, pos + 4 end
  if c == 102 and sub(s, pos, pos + 4) == "false" then return false, pos + 5 end
  if c == 110 and sub(s, pos, pos + 3) == "null" then return nil, pos + 4 end
  local a, b = find(s, "^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
  if a then
    local text = sub(s, a, b)
    local v = find(text, "^-?0%d") == nil and tonumber(text)
    if v then return v, b + 1 end
    decode_error(pos, "bad number " .. text)
  end
  if c == nil then decode_error(pos, "unexpected end of the text") end
  decode_error(pos, "a value expected")
end

function M.decode(text)
  if type(text) ~= "string" then error("json.decode: a string expected, got " .. type(text), 2) end
  local ok, v, pos = pcall(function()
    local start = skip_ws(text, byte(text, 1) == 0xEF and sub(text, 1, 3) == "\239\187\191" and 4 or 1)
    local v, p = decode_value(text, start, 0)
    p = skip_ws(text, p)
    if p <= #text then decode_error(p, "text after the value") end
    return v, p
  end)
  if ok then return v end
  if type(v) == "table" and v.json then return nil, v.json end
  error(v, 0)  -- a bug, not bad input
end

return M
