/*
** backupmeta.h: a backup slot's metadata when the backup folder's file
** system cannot hold the original's extended attributes (an NT security
** descriptor of ntfs-3g, system.ntfs_acl, backed up to ext4 or tmpfs).
** They go to a sidecar file SLOT.xattrs in the (private) backup folder,
** and come back from it at the rollback.
*/
#ifndef SXSFIX_BACKUPMETA_H
#define SXSFIX_BACKUPMETA_H
#include "platform/platform.h"

/* Set m on path (the slot or its .part name), its xattrs in slot.xattrs
   when path's file system refuses them. */
int backup_meta_set(const char *path, const char *slot, const plat_meta *m, plat_err *e);
/* The metadata backed up in slot: its own, with slot.xattrs's entries
   instead of its xattrs when there is that file. */
int backup_meta_get(const char *slot, plat_meta *m, plat_err *e);

#endif
