/*
** secdesc.h: the self-relative SECURITY_DESCRIPTOR format of Windows (as
** stored by NTFS, returned by GetFileSecurity and exposed by ntfs-3g as
** the xattr system.ntfs_acl): decode, encode, and an SDDL-like text form.
** Pure C; the decoder never reads outside the buffer it is given and
** rejects malformed input with a message.
*/
#ifndef SXSFIX_SECDESC_H
#define SXSFIX_SECDESC_H

#include <stddef.h>
#include <stdint.h>

#define SD_SID_MAXSUB 15
#define SD_SID_STRMAX 192   /* "S-1-" + authority + 15 sub-authorities */

/* Control bits (a subset of SECURITY_DESCRIPTOR_CONTROL). */
#define SD_DACL_PRESENT    0x0004u
#define SD_SACL_PRESENT    0x0010u
#define SD_DACL_AUTO_INH   0x0400u
#define SD_SACL_AUTO_INH   0x0800u
#define SD_DACL_PROTECTED  0x1000u
#define SD_SACL_PROTECTED  0x2000u
#define SD_SELF_RELATIVE   0x8000u

/* ACE types whose body is "mask, SID [, application data]". */
#define SD_ACE_ALLOWED 0x00
#define SD_ACE_DENIED  0x01
#define SD_ACE_AUDIT   0x02
#define SD_ACE_ALARM   0x03
#define SD_ACE_LABEL   0x11   /* mandatory integrity label */

typedef struct sd_sid {
  uint8_t rev, n;            /* revision (1), number of sub-authorities */
  uint64_t auth;             /* 48-bit identifier authority */
  uint32_t sub[SD_SID_MAXSUB];
} sd_sid;

typedef struct sd_ace {
  uint8_t type, flags;       /* flags: OI 0x01, CI 0x02, NP 0x04, IO 0x08, ID 0x10, SA 0x40, FA 0x80 */
  uint32_t mask;
  sd_sid sid;
  unsigned char *extra;      /* bytes after the SID inside the ACE (callback data), or NULL */
  size_t nextra;
} sd_ace;

typedef struct sd_acl {
  int present;               /* the control bit */
  int null;                  /* present with no ACL: a NULL DACL (everyone, everything) */
  uint8_t rev;               /* 2, or 4 with object ACEs */
  size_t n;
  sd_ace *aces;
} sd_acl;

typedef struct secdesc {
  uint16_t control;
  int has_owner, has_group;
  sd_sid owner, group;
  sd_acl dacl, sacl;
} secdesc;

/* Decode len bytes at b into sd (zeroed first; free with sd_free, also on
   failure). Returns 0, or -1 with a message in err. */
int sd_decode(const unsigned char *b, size_t len, secdesc *sd, char *err, size_t errsz);
void sd_free(secdesc *sd);

/* Encode sd into a malloc'd buffer (*out, *len): header, owner, group,
   SACL, DACL; the SELF_RELATIVE, DACL_PRESENT and SACL_PRESENT bits follow
   the fields. Returns 0, or -1 with a message (invalid field or no memory). */
int sd_encode(const secdesc *sd, unsigned char **out, size_t *len, char *err, size_t errsz);

/* In place: the descriptor a file created in a folder of descriptor sd
   gets, as Windows inheritance gives it: the ACEs that pass to files
   (OI), without the inherit flags (OI, CI, NP, IO); the others (CI only:
   for subfolders) dropped; owner, group and control as the folder's.
   (CREATOR OWNER is not replaced by the creator.) */
void sd_for_file(secdesc *sd);

/* "S-1-5-18" <-> sd_sid. sd_sid_parse returns 0 or -1 (bad syntax). */
int sd_sid_parse(const char *s, sd_sid *sid);
void sd_sid_format(const sd_sid *sid, char buf[SD_SID_STRMAX]);

/* The SDDL-like text of sd, malloc'd (NULL: no memory):
   "O:S-1-5-80-... G:S-1-5-18 D:P(A;OICI;FA;;;S-1-5-80-...)(A;;0x1200a9;;;S-1-5-18)"
   Rights use SDDL's file aliases (FA, FR, FW, FX, GA, GR, GW, GX) when the
   mask is exactly one of them, else hex. */
char *sd_format(const secdesc *sd);
/* One ACE as "(A;OICI;FA;;;S-...)" into buf (at least 256 bytes). */
void sd_format_ace(const sd_ace *a, char *buf, size_t n);

#endif
