-- sxsfix.config: settings = defaults overridden by --config, checked.
--
--   config.merge(defaults, user) -> settings
--
-- A key the defaults do not have is an error ("unknown setting 'x.y'"),
-- as is a value of another type, so a typo never passes silently. Lists
-- replace the default list; records merge key by key. A few records are
-- open maps where new keys are welcome: log groups and hooks.

local args = require "sxsfix.args"

local M = {}

M.open = { ["logs"] = true, ["hooks.before"] = true, ["hooks.after"] = true }

local function is_list(t)
  return type(t) == "table" and (#t > 0 or next(t) == nil)
end

local function copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = copy(x) end
  return t
end

local function merge(base, user, path)
  local out = copy(base)
  for k, v in pairs(user) do
    local name = path == "" and tostring(k) or (path .. "." .. tostring(k))
    local d = base[k]
    if d == nil then
      if not M.open[path] then args.usage_error("--config: unknown setting '%s'", name) end
      out[k] = copy(v)
    elseif type(v) ~= type(d) then
      args.usage_error("--config: setting '%s' must be a %s, not a %s", name, type(d), type(v))
    elseif type(v) == "table" and not (is_list(d) and is_list(v)) then
      out[k] = merge(d, v, name)
    else
      out[k] = copy(v)
    end
  end
  return out
end

function M.merge(defaults, user)
  return merge(defaults, user or {}, "")
end

return M
