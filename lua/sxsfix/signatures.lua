-- sxsfix.signatures: the evidence of the servicing-stack failure, as data.
--
-- Each entry: id, meaning, the text to find (fixed = true: a literal;
-- otherwise a PCRE2 pattern), and the log groups it counts in (see
-- sxsfix.defaults logs). `near` requires another text within `within`
-- lines, for strings that are only evidence in context; `exclude` lists
-- ('|'-separated, literal) texts that make a matching line not count;
-- `file` limits a signature to the log files of that name in its groups.
--
-- 0x80070003 alone is NOT evidence: it appears for unrelated reasons in
-- DISM.log (AppxProvider), cleanmgr, msoobe (oobe.xml), MOUPG's
-- ExecuteDiagnosticAnalysis and WindowsUpdate.log.
-- Edit a copy (sxsfix scripts export), or add/disable entries with
-- --config: signatures = { add = { ... }, disable = { "id", ... } }.

return {
  {
    id = "driver-migration-failed",
    meaning = "Setup's 'Process Drivers for Migration' operation failed with ERROR_PATH_NOT_FOUND",
    text = "Operation failed: Process Drivers for Migration. Error: 0x80070003",
    fixed = true,
    logs = { "panther", "setupdiag" },
  },
  {
    id = "driver-migrate-result",
    meaning = "the driver migration action returned ERROR_PATH_NOT_FOUND",
    text = "CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x80070003",
    fixed = true,
    logs = { "panther" },
  },
  {
    id = "mosetup-action-error",
    meaning = "the setup platform reported the action's error code 0x80070003",
    text = "MoSetupPlatform: Using action error code: [0x80070003]",
    fixed = true,
    logs = { "panther" },
  },
  {
    id = "setup-phase-error",
    meaning = "setup left the install phase for the error phase",
    text = "Setup phase change: [SetupPhaseInstall] -> [SetupPhaseError]",
    fixed = true,
    logs = { "panther" },
  },
  {
    id = "dism-session-failed",
    meaning = "DISM could not open an image session",
    text = [[Failed to open new session: \(DISM_\{[0-9A-Fa-f-]+\}\)]],
    logs = { "panther", "dism" },
  },
  {
    id = "servicing-stack-bind-failed",
    meaning = "DISM could not find the servicing stack folder the registry names",
    text = "Failed to bind the online servicing stack - CDISMOSServiceManager::get_ServicingStackDirectory(hr:0x80070003)",
    fixed = true,
    logs = { "dism", "panther" },
  },
  {
    id = "cbs-worker-session",
    meaning = "CBS could not create a worker session",
    text = "Failed to create worker session",
    fixed = true,
    logs = { "cbs" },
  },
  {
    id = "setupact-0x80070003-driver-migration",
    meaning = "0x80070003 in SetupAct.log next to the driver migration",
    text = "0x80070003",
    fixed = true,
    logs = { "panther" },
    file = "setupact.log",
    near = "Process Drivers for Migration|CDlpActionDriverMigrate",
    within = 5,
    exclude = "oobe.xml|AppxProvider|cleanmgr|ExecuteDiagnosticAnalysis|WindowsUpdate",
  },
}
