-- sxsfix rollback JOURNAL: undo a copy from its journal (newest first):
-- overwritten files get their backed-up bytes and metadata back in place,
-- created files and folders are removed, folders get their metadata back.
-- Refuses a journal whose destination is not the folder it was written
-- for, or that others could have written. Leaves items changed after the
-- copy as they are. Cancels the replacements at the next boot it scheduled
-- for files in use, and starts a service it stopped again. Records its
-- progress: a second run after a complete one does nothing, a run after an
-- interrupted one finishes it.
local args = require "sxsfix.args"
local copy = require "sxsfix.copy"

return {
  summary = "undo a copy from its journal (restores bytes and metadata)",
  usage = "rollback JOURNAL",
  run = function(ctx, _, pos)
    local journal = pos[1] or args.usage_error("give the journal of a copy (BACKUP/journal.txt)")
    local st, err = copy.rollback(journal)
    if not st then
      io.stderr:write("sxsfix rollback: ", err, "\n")
      return ctx.exit.usage, { rollback = { journal = journal, error = err } }
    end
    print(string.format("restored %d, removed %d, kept %d (not empty), changed %d (left as they are), failed %d",
      st.restored, st.removed, st.kept, st.changed, st.failed)
      .. (st.cancelled > 0 and string.format(", %d replacement(s) at the next boot cancelled", st.cancelled) or "")
      .. (st.started > 0 and string.format(", %d service(s) started again", st.started) or ""))
    if st.error then io.stderr:write("sxsfix rollback: ", st.error, "\n") end
    ctx.log("rollback %s: restored %d, removed %d, failed %d", journal, st.restored, st.removed, st.failed)
    st.journal = journal
    return st.failed > 0 and ctx.exit.failed or ctx.exit.ok, { rollback = st }
  end,
}
