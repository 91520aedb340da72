/* textdec.h: the text encodings of Windows logs, and their decoding to
   UTF-8. Logs come as UTF-8 (with or without a BOM, sometimes with raw ANSI
   bytes inside), UTF-16LE/BE (with a BOM, or LE without one) or 8-bit ANSI
   (Windows-1252 is assumed for display). */
#ifndef SXSFIX_TEXTDEC_H
#define SXSFIX_TEXTDEC_H

#include <stddef.h>

typedef enum sx_enc {
  SX_ENC_8BIT = 0,   /* UTF-8 or ANSI, no BOM: scanned as bytes */
  SX_ENC_UTF8_BOM,
  SX_ENC_UTF16LE,
  SX_ENC_UTF16BE
} sx_enc;

/* Encoding of a text from its first n bytes; *bom gets the length of its
   byte-order mark (0 when none). BOM-less UTF-16 is recognised by its zero
   bytes (mostly ASCII text). */
sx_enc sx_text_detect(const unsigned char *p, size_t n, size_t *bom);

/* "utf-8", "utf-8-bom", "utf-16le", "utf-16be". */
const char *sx_text_encname(sx_enc e);

/* Streaming UTF-16 to UTF-8: state carried between blocks (an odd byte, a
   high surrogate). Unpaired surrogates become U+FFFD. */
typedef struct sx_u16dec {
  int be;
  int nbyte;            /* 1 when byte holds the first half of a code unit */
  unsigned char byte;
  unsigned hi;          /* pending high surrogate, or 0 */
} sx_u16dec;

/* Worst-case UTF-8 output of sx_u16_decode for n input bytes. */
#define SX_U16_OUTMAX(n) (((n) / 2 + 2) * 3)

/* Decode n bytes into out (room for SX_U16_OUTMAX(n)); returns bytes written. */
size_t sx_u16_decode(sx_u16dec *d, const unsigned char *in, size_t n, char *out);

/* At the end of input: what is still pending, as U+FFFD (at most 6 bytes). */
size_t sx_u16_flush(sx_u16dec *d, char *out);

/* 1 when s[0..n) is valid UTF-8. */
int sx_utf8_valid(const char *s, size_t n);

/* Windows-1252 to UTF-8; out needs room for 3 * n bytes. Returns the length. */
size_t sx_cp1252_to_utf8(const char *in, size_t n, char *out);

#endif
