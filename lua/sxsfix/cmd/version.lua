-- sxsfix version (also --version): sxsfix's version and those of the
-- libraries it was built with.
local names = {
  { "lua", "Lua" }, { "pcre2", "PCRE2" }, { "libarchive", "libarchive" },
  { "wimlib", "wimlib" }, { "hivex", "hivex" }, { "openssl", "OpenSSL" },
}

return {
  summary = "show the versions of sxsfix and its libraries",
  usage = "version",
  run = function(ctx)
    local host = ctx.host
    local v = host.versions()
    local set = host.scriptsdir() or "built in"
    print(string.format("sxsfix %s (script API %d, %s%s; scripts: %s)", host.version, host.api,
      host.platform, host.wine and (", Wine " .. host.wine) or "", set))
    for _, n in ipairs(names) do
      local val = v[n[1]]
      if not val and n[1] == "hivex" and host.platform == "win32" then
        val = "not used (offline hives through RegLoadAppKeyW)"
      elseif not val and n[1] == "openssl" and host.platform == "win32" then
        val = "not used (signatures through WinVerifyTrust)"
      end
      print(string.format("  %-11s %s", n[2], val or "not built in"))
    end
    local feats = host.features()
    for _, f in ipairs({ "grep", "expand", "wim", "hive", "authenticode" }) do
      if feats[f] ~= true then print(string.format("  %s is unavailable: %s", f, feats[f])) end
    end
    return ctx.exit.ok, { versions = v, platform = host.platform, script_api = host.api }
  end,
}
