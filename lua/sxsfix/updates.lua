-- sxsfix.updates: which update carries a servicing stack version, as data.
--
-- One row per servicing stack version (the version of the
-- microsoft-windows-servicingstack folder, 10.0.BUILD.REVISION): ssu, the
-- KB number of the servicing stack update; date, the release date (UTC,
-- YYYY-MM-DD) of the update to download; lcu and os_build, for Windows 10
-- version 2004 and later and Windows 11, where Microsoft ships the SSU
-- inside the monthly cumulative update, the cumulative update that carries
-- it and the OS build it brings; source, the page the row's facts come
-- from (a row without one is not added), and source_kind ("microsoft", or
-- "summary": a third-party summary of Microsoft's KB article: check the KB
-- page before relying on it).
--
-- A version with no row gets the Catalog search of settings.download, and
-- diagnose says that the table has no row for it. Add rows with --scripts
-- (edit an exported copy); sxsfix.kb checks each row.
return {
  {
    version = "10.0.26100.5074",
    release = "Windows 11, version 24H2",
    ssu = "KB5064531",
    lcu = "KB5068221",
    os_build = "26100.6588",
    date = "2025-09-22",
    source = "https://windowsforum.com/threads/windows-11-24h2-out-of-band-kb5068221-app-v-fix-ai-updates-secure-boot-reminder.381793",
    source_kind = "summary",
  },
}
