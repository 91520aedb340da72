-- sxsfix.json: a JSON encoder for reports. Output is deterministic (object
-- keys sorted) and always valid UTF-8: bytes that are not valid UTF-8 (logs
-- in ANSI code pages) become U+FFFD.
--
--   json.encode(value [, { indent = true }]) -> string
--   json.array(t) -> t, marked to encode as an array even when empty
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

return M
