-- sxsfix.defaults: where the diagnosis and the repair look, as data.
-- Paths are Windows paths; with --root DIR they map into DIR. Override any
-- of these with --config FILE (see sxsfix.config); unknown keys are errors.

return {
  -- Log groups searched for sxsfix.signatures: a folder and the file
  -- names in it (case-insensitive wildcards; .cab members are searched).
  logs = {
    panther = {
      dir = [[C:\$WINDOWS.~BT\Sources\Panther]],
      files = { "setupact.log", "setuperr.log", "setupdiagresults.xml", "MoSetup*", "MOU*" },
    },
    setupdiag = { dir = [[%windir%\Logs\SetupDiag]], files = { "SetupDiagResults.xml" } },
    dism = { dir = [[%windir%\Logs\DISM]], files = { "dism.log" } },
    cbs = { dir = [[%windir%\Logs\CBS]], files = { "CBS.log", "CbsPersist_*.log", "CbsPersist_*.cab" } },
  },

  -- The component store and the servicing stack folders in it.
  winsxs = [[%windir%\WinSxS]],
  stack_match = "*servicingstack*",

  -- The files the servicing stack folder CBS binds (the highest version of
  -- stack_component the registry lists) must hold; one missing makes it
  -- "incomplete". Every .dll/.exe/.sys/.mui in a stack folder must also be a
  -- whole PE file: pe_head bytes of each are read to check its headers.
  stack_component = "microsoft-windows-servicingstack",
  key_files = { "cbscore.dll", "wcp.dll", "TiWorker.exe", "TrustedInstaller.exe" },
  pe_head = 4096,

  -- What to download, printed under a damaged verdict, once per damaged
  -- servicing stack version. ${arch} (x64), ${build} (26100), ${version}
  -- (10.0.26100.5074), ${short} (26100.5074) and ${release} ("Windows 11
  -- Version 24H2") are filled in; a line whose value is unknown is left out.
  download = {
    "Needed: ${arch}, build ${build}, servicing stack ${version}.",
    "For Windows 10 21H2 and later and for Windows 11, Microsoft ships the servicing stack inside the monthly cumulative update (LCU) .msu: get the one whose servicing stack is ${version}.",
    "Its KB article lists \"Servicing stack update (KB...) - ${short}\" near its top.",
    "Microsoft Update Catalog (https://www.catalog.update.microsoft.com): search \"Cumulative Update for ${release} for ${arch}-based Systems\", or that KB number.",
  },

  -- Registry: the stack versions CBS knows, and the system's build.
  stack_key = [[HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\Version]],
  version_key = [[HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion]],

  -- Repair: where the update is expanded (the article's C:\TemporaryFolder),
  -- where logs and backups go, and whose security new files get
  -- ("template": an intact sibling servicing stack folder's; "source").
  work = [[%SystemDrive%\sxsfix-work]],
  -- Expanding the update, every nested cabinet together, may write up to
  -- max_ratio times the update's size (at least 64 MiB), never more than
  -- max_bytes; more is refused as a compression bomb or a damaged header.
  expand = { max_ratio = 100, max_bytes = 16 * 1024 * 1024 * 1024 },
  -- On the running system (no --root): the service whose processes hold
  -- the servicing stack's files, stopped through the Service Control
  -- Manager before the copy (waiting at most wait seconds) and put back as
  -- it was afterwards, even when the repair fails. name = "": leave it be.
  service = { name = "TrustedInstaller", wait = 60 },
  logdir = [[%ProgramData%\sxsfix\Logs]],
  backup = [[%ProgramData%\sxsfix\Backup]],
  security = "template",

  -- Provenance: every cabinet whose files a repair copies must carry a
  -- valid Authenticode signature. engine: "auto" (Windows: WinVerifyTrust
  -- and the system's roots; elsewhere OpenSSL and the roots in
  -- sxsfix/trust.lua), "openssl" or "system"; trust: PEM files whose
  -- certificates are trust anchors too (as --trust FILE.pem).
  provenance = { engine = "auto", trust = {} },

  -- One line per successful repair or rollback, its time in UTC, ISO 8601
  -- ("2026-12-08T01:09:02Z repaired FOLDER", "... rolled back FOLDER"):
  -- evidence logged before the last repair that still stands is reported
  -- as resolved history.
  history = [[%ProgramData%\sxsfix\repairs.log]],

  -- Signatures to add (entries shaped as in sxsfix.signatures) or leave out (ids).
  signatures = { add = {}, disable = {} },

  -- Neighbouring failures to add (entries shaped as in sxsfix.rules) or leave out (ids).
  rules = { add = {}, disable = {} },

  -- diagnose --logs DIR: how far into the folder logs are looked for
  -- (depth levels, entries visited, logs taken), the largest log searched
  -- (bytes), and how many .zip files are expanded (with the expand budget).
  collected = { depth = 8, entries = 20000, logs = 2000, max_log = 4 * 1024 * 1024 * 1024, zips = 16 },

  -- Steps to leave out by id, and functions run before/after a step:
  -- hooks = { before = { [id] = function(ctx) end }, after = { ... } }.
  disable = {},
  hooks = { before = {}, after = {} },
}
