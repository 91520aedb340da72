-- sxsfix.version: the version of this script set. The binary refuses to run
-- a set whose api differs from its own (see `sxsfix --version`), so an
-- exported and edited set fails clearly after an upgrade instead of oddly.
return {
  version = "0.1.0",
  api = 2,
}
