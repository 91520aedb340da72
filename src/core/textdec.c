/* textdec.c: encoding detection and decoding to UTF-8 (see textdec.h). */
#include <string.h>

#include "core/simd.h"
#include "core/textdec.h"

sx_enc sx_text_detect(const unsigned char *p, size_t n, size_t *bom) {
  *bom = 0;
  if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) { *bom = 3; return SX_ENC_UTF8_BOM; }
  if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) { *bom = 2; return SX_ENC_UTF16LE; }
  if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) { *bom = 2; return SX_ENC_UTF16BE; }
  /* No BOM: UTF-16 of mostly-ASCII text has a zero in every other byte. */
  size_t pairs = (n < 4096 ? n : 4096) / 2, zeven = 0, zodd = 0;
  if (pairs < 2) return SX_ENC_8BIT;
  for (size_t i = 0; i < pairs; i++) {
    zeven += p[2 * i] == 0;
    zodd += p[2 * i + 1] == 0;
  }
  if (zodd * 10 >= pairs * 3 && zeven * 20 <= pairs) return SX_ENC_UTF16LE;
  if (zeven * 10 >= pairs * 3 && zodd * 20 <= pairs) return SX_ENC_UTF16BE;
  return SX_ENC_8BIT;
}

const char *sx_text_encname(sx_enc e) {
  switch (e) {
  case SX_ENC_UTF8_BOM: return "utf-8-bom";
  case SX_ENC_UTF16LE: return "utf-16le";
  case SX_ENC_UTF16BE: return "utf-16be";
  default: return "utf-8";
  }
}

static size_t put_utf8(char *o, unsigned c) {
  if (c < 0x80) { o[0] = (char)c; return 1; }
  if (c < 0x800) { o[0] = (char)(0xC0 | c >> 6); o[1] = (char)(0x80 | (c & 0x3F)); return 2; }
  if (c < 0x10000) {
    o[0] = (char)(0xE0 | c >> 12); o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | c >> 18); o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((c >> 6) & 0x3F)); o[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

/* One UTF-16 code unit. */
static size_t unit(sx_u16dec *d, unsigned u, char *o) {
  size_t k = 0;
  if (d->hi) {
    if (u >= 0xDC00 && u <= 0xDFFF) {
      unsigned c = 0x10000 + ((d->hi - 0xD800) << 10) + (u - 0xDC00);
      d->hi = 0;
      return put_utf8(o, c);
    }
    k = put_utf8(o, 0xFFFD);  /* a high surrogate without its pair */
    d->hi = 0;
  }
  if (u >= 0xD800 && u <= 0xDBFF) { d->hi = u; return k; }
  if (u >= 0xDC00 && u <= 0xDFFF) u = 0xFFFD;
  return k + put_utf8(o + k, u);
}

size_t sx_u16_decode(sx_u16dec *d, const unsigned char *in, size_t n, char *out) {
  size_t i = 0, o = 0;
  if (d->nbyte && n > 0) {
    unsigned u = d->be ? (unsigned)d->byte << 8 | in[0] : (unsigned)in[0] << 8 | d->byte;
    o += unit(d, u, out);
    d->nbyte = 0;
    i = 1;
  }
  if (d->be) {
    for (; i + 1 < n; i += 2) {
      unsigned u = (unsigned)in[i] << 8 | in[i + 1];
      if (u < 0x80 && !d->hi) out[o++] = (char)u;  /* the common case: ASCII */
      else o += unit(d, u, out + o);
    }
  } else {
    while (i + 1 < n) {
      if (!d->hi) {  /* runs of ASCII code units, a vector at a time: the bulk of every log */
        size_t k = sx_u16le_ascii(in + i, n - i, out + o);
        i += k;
        o += k / 2;
      }
      for (size_t end = i + 16; i + 1 < n && i < end; i += 2) {  /* up to 8 units one by one */
        unsigned u = (unsigned)in[i + 1] << 8 | in[i];
        if (u < 0x80 && !d->hi) out[o++] = (char)u;
        else o += unit(d, u, out + o);
      }
    }
  }
  if (i < n) { d->byte = in[i]; d->nbyte = 1; }
  return o;
}

size_t sx_u16_flush(sx_u16dec *d, char *out) {
  size_t o = 0;
  if (d->hi) { o += put_utf8(out, 0xFFFD); d->hi = 0; }
  if (d->nbyte) { o += put_utf8(out + o, 0xFFFD); d->nbyte = 0; }
  return o;
}

int sx_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t len;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
    else return 0;
    if (i + len > n) return 0;
    unsigned cp = c & (0x3F >> (len - 1));
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    i += len;
  }
  return 1;
}

/* Windows-1252 0x80..0x9F; the five unassigned bytes map to themselves, as
   MultiByteToWideChar does. */
static const unsigned short cp1252_hi[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

size_t sx_cp1252_to_utf8(const char *in, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned c = (unsigned char)in[i];
    if (c >= 0x80 && c < 0xA0) c = cp1252_hi[c - 0x80];
    o += put_utf8(out + o, c);
  }
  return o;
}
