-- sxsfix.rules: the failures that share this one's logs and symptoms, as
-- data. diagnose names the first rule whose evidence is in the logs (and
-- lists every one that is); a rule never changes the verdict, which only
-- the servicing stack folders and sxsfix.signatures decide.
--
-- Each rule: id; phase (where in setup or servicing it happens); meaning;
-- fix (what to do) and tool (what fixes it); setupdiag (the name
-- SetupDiag's documentation gives the failure, when it has one); source
-- (the public Microsoft page the facts come from: a rule without one is
-- not added); signatures, shaped as in sxsfix.signatures (text, fixed,
-- logs, file, near, within, exclude). A rule matches when any of its
-- signatures does (all = true: every one).
--
-- Edit a copy (sxsfix scripts export), or add/disable rules with
-- --config: rules = { add = { ... }, disable = { "id", ... } }.

local SETUPDIAG = "https://learn.microsoft.com/en-us/windows/deployment/upgrade/setupdiag"
local RESOLUTION = "https://learn.microsoft.com/en-us/troubleshoot/windows-client/deployment/windows-10-upgrade-resolution-procedures"
local STORE = "https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/troubleshoot-cbs-component-store-corruption-azure-vm"

return {
  {
    id = "driver-migration-other-error",
    phase = "downlevel: Process Drivers for Migration",
    meaning = "setup's driver migration failed with an error other than 0x80070003: a fatal failure migrating drivers, not the damaged servicing stack",
    setupdiag = "DriverMigrationFailure",
    fix = "find the driver package setupact.log names before this line, update or remove it, then retry the upgrade",
    tool = "the driver's vendor update, or pnputil /delete-driver",
    source = SETUPDIAG,
    signatures = {
      { text = [[Operation failed: Process Drivers for Migration\. Error: 0x(?!80070003)[0-9A-Fa-f]{8}]], logs = { "panther" } },
      { text = [[CDlpActionDriverMigrate::ExecuteRoutine: Result = 0x(?!80070003)[0-9A-Fa-f]{8}]], logs = { "panther" } },
    },
  },
  {
    id = "dism-image-session-failure",
    phase = "downlevel: DISM image session",
    meaning = "DISM could not start an image session for setup, with an error other than the unbound servicing stack (0x80070003)",
    setupdiag = "DISMImageSessionFailure",
    fix = "download the update or installation media again, restart, and retry the upgrade",
    tool = "fresh setup media (Media Creation Tool or the ISO)",
    source = SETUPDIAG,
    signatures = {
      { text = [[Failed to open new (OS )?DISM session\. Error: 0x(?!80070003)[0-9A-Fa-f]{8}]], logs = { "panther" } },
      { text = "Failed to create Dism Image Session in host", fixed = true, logs = { "panther", "dism" } },
      { text = "Failed to get the IDismImage instance from the image session", fixed = true, logs = { "panther", "dism" } },
    },
  },
  {
    id = "safeos-driver-0x80070003-0x20007",
    phase = "Safe OS: driver installation",
    meaning = "the same 0x80070003 with extend code 0x20007: a driver failed to install in the Safe OS phase, not the damaged servicing stack",
    fix = "check the device drivers and find the failing one in the setup logs, update or remove it, then retry the upgrade",
    tool = "the driver's vendor update, or Device Manager",
    source = RESOLUTION,
    signatures = {
      { text = [[0x80070003 ?- ?0x20007]], logs = { "panther", "setupdiag" } },
    },
  },
  {
    id = "partition-0x80070002-0x20009",
    phase = "Safe OS: partition analysis and validation",
    meaning = "0x80070002 (file not found), not 0x80070003 (path not found), in partition analysis and validation: more than one system partition can cause it",
    fix = "disconnect or disable the drive with the unused system partition (or delete that partition), then retry the upgrade",
    tool = "Disk Management, or unplugging the old system drive",
    source = RESOLUTION,
    signatures = {
      { text = [[0x80070002 ?- ?0x20009]], logs = { "panther", "setupdiag" } },
    },
  },
  {
    id = "disk-space",
    phase = "downlevel or after the first restart",
    meaning = "the system drive does not have enough free space for the upgrade (0x80070070, ERROR_DISK_FULL)",
    setupdiag = "DiskSpaceBlockInDownLevel / DiskSpaceFailure",
    fix = "free space on the system drive (20 GB for a 64-bit upgrade), or give setup an external USB drive, then retry",
    tool = "Disk Cleanup (cleanmgr) or Settings > Storage",
    source = RESOLUTION,
    signatures = {
      { text = [[0x80070070 ?- ?0x(50011|50012|60000)]], logs = { "panther", "setupdiag" } },
      { text = "MoSetupPlatform: Using action error code: [0x80070070]", fixed = true, logs = { "panther" } },
      { text = [[Operation failed: .* Error: 0x80070070]], logs = { "panther" } },
      { text = "0xC190020E", fixed = true, logs = { "panther", "setupdiag" } },
    },
  },
  {
    id = "rollback",
    phase = "Safe OS or later: setup rolled back",
    meaning = "setup's main operation failed and the upgrade rolled back; the line names the error, setupact.log the operation",
    setupdiag = "FindRollbackFailure",
    fix = "look the error code up in the upgrade error codes, and the operation before it in setupact.log",
    tool = "the upgrade error code tables; SetupDiag",
    source = SETUPDIAG,
    signatures = {
      { text = [[ExecuteOperations: Main operation execution failed\. Error: 0x(?!80070003)[0-9A-Fa-f]{8}]], logs = { "panther" } },
      { text = [==[CSetupUIManager: Rollback Error \[0x(?!80070003)[0-9A-Fa-f]{8}\]]==], logs = { "panther" } },
    },
  },
  {
    id = "component-store-corrupt",
    phase = "servicing (CBS)",
    meaning = "the component store is in an inconsistent state (0x80073712, ERROR_SXS_COMPONENT_STORE_CORRUPT)",
    fix = "DISM /Online /Cleanup-Image /RestoreHealth, then sfc /scannow, then retry",
    tool = "DISM /RestoreHealth",
    source = STORE,
    signatures = {
      { text = "ERROR_SXS_COMPONENT_STORE_CORRUPT", fixed = true, logs = { "cbs", "dism" } },
      { text = "STATUS_SXS_COMPONENT_STORE_CORRUPT", fixed = true, logs = { "cbs", "dism" } },
      { text = [[(hr|HRESULT)[:=] ?0x80073712]], logs = { "cbs", "dism" } },
    },
  },
  {
    id = "restorehealth-source-missing",
    phase = "servicing (DISM /RestoreHealth)",
    meaning = "Windows could not find the files a component store repair (or an update) needed (0x800F081F, CBS_E_SOURCE_MISSING)",
    fix = "run DISM /Online /Cleanup-Image /RestoreHealth /Source:WIM:X:\\sources\\install.wim:N /LimitAccess with installation media of the same build, edition and language, then sfc /scannow",
    tool = "DISM /RestoreHealth with /Source",
    source = STORE,
    signatures = {
      { text = "CBS_E_SOURCE_MISSING", fixed = true, logs = { "cbs", "dism" } },
      { text = [[(hr:|HRESULT=)0x800f081f]], logs = { "cbs", "dism" } },
    },
  },
  {
    id = "driver-update-rollback",
    phase = "startup after an update (CBS driver operations)",
    meaning = "an update's driver installation failed with ERROR_PATH_NOT_FOUND at startup and the update rolled back: driver files missing, not the servicing stack",
    fix = "find the driver (inf) CBS.log names at the same time; if the update keeps failing, run an in-place upgrade",
    tool = "an in-place upgrade (setup.exe from the installation media)",
    source = "https://learn.microsoft.com/en-us/troubleshoot/windows-server/installing-updates-features-roles/error-0x80070003-windows-update-fails",
    signatures = {
      { text = "DriverUpdateInstallUpdates failed [HRESULT = 0x80070003", fixed = true, logs = { "cbs" } },
      { text = "Startup: Rolling back KTM, because drivers failed.", fixed = true, logs = { "cbs" } },
    },
  },
  {
    id = "setupdiag-result",
    phase = "after setup (SetupDiag's own analysis)",
    meaning = "SetupDiag already matched one of its rules; its name is on the line",
    fix = "read that rule in SetupDiag's documentation, and the lines after it in SetupDiagResults",
    tool = "SetupDiag",
    source = SETUPDIAG,
    signatures = {
      { text = "Matching Profile found: ", fixed = true, logs = { "setupdiag", "panther" } },
      { text = [[<ProfileName>[A-Za-z]+</ProfileName>]], logs = { "setupdiag", "panther" } },
    },
  },
}
