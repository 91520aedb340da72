-- sxsfix.updates: which update carries a servicing stack version, as data.
--
-- One row per servicing stack version (the version of the
-- microsoft-windows-servicingstack folder, 10.0.BUILD.REVISION):
--   release   the Windows release it belongs to;
--   ssu       the KB number of the servicing stack update, where Microsoft
--             gives the SSU one (Windows 10 1809 and earlier ship it alone;
--             Windows 11 24H2 names the SSU's KB inside the cumulative update);
--   lcu       the monthly cumulative update that carries the SSU (Windows 10
--             2004 and later, Windows 11), with os_build, the OS build it brings;
--   date      the release date (YYYY-MM-DD) of the update to download;
--   source    the Microsoft page (support.microsoft.com, learn.microsoft.com,
--             the Update Catalog) that states the row's facts.
-- A row needs ssu or lcu, and a source; a row whose facts Microsoft does not
-- state is not added. sxsfix.kb checks each row and marks a source off
-- Microsoft's domains as such.
--
-- A version with no row gets the Catalog search of settings.download, and
-- diagnose says that the table has no row for it. Add rows with --scripts
-- (edit an exported copy).
return {
  {
    -- "Windows 11 servicing stack update - 22000.652" in the KB article of
    -- the May 10, 2022 cumulative update.
    version = "10.0.22000.652",
    release = "Windows 11, version 21H2",
    lcu = "KB5013943",
    os_build = "22000.675",
    date = "2022-05-10",
    source = "https://support.microsoft.com/en-gb/topic/may-10-2022-kb5013943-os-build-22000-675-14aa767a-aa87-414e-8491-b6e845541755",
  },
}
