/* detect/jndi_int.h - what jndi.c and jndi_decode.c share: a stream of decoded bytes, each
 * knowing the input span it came from and the encodings that hid it. */
#ifndef PW_DETECT_JNDI_INT_H
#define PW_DETECT_JNDI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each layer undoes one level of %XX, \uXXXX, \xXX or &entity; four cover what the corpora
 * stack (%2525 triple URL encoding, an entity inside \u0026, %26%2336%3B). */
#define JNDI_DECODE_LAYERS 4
#define JNDI_DECODE_LOOK   16

/* One byte of decoded text and the input span [start, end) it was decoded from. */
struct jndi_item {
    uint32_t start, end;
    uint8_t  c;
    uint8_t  enc;   /* enum jndi_encoding bits that had to be undone to get it */
};

struct jndi_layer {
    struct jndi_item look[JNDI_DECODE_LOOK];  /* pulled from the layer below, not yet used */
    struct jndi_item out[4];                  /* the UTF-8 bytes of one decoded code point */
    uint8_t          nlook, nout, iout;
};

struct jndi_decoder {
    const uint8_t    *data;
    uint32_t          len, pos;
    struct jndi_layer layer[JNDI_DECODE_LAYERS];
};

/* Reads data[start..len) through every layer; offsets in items are relative to data. */
void jndi_decode_init(struct jndi_decoder *d, const uint8_t *data, size_t len, size_t start);

/* The next fully decoded byte; false at the end of the input. */
bool jndi_decode_next(struct jndi_decoder *d, struct jndi_item *it);

/* Standard or URL-safe base64, padding optional. Strict: any other byte (but surrounding
 * spaces) makes it fail with SIZE_MAX; lenient: such bytes are skipped. Writes at most size. */
size_t jndi_decode_base64(const uint8_t *in, size_t len, uint8_t *out, size_t size, bool strict);

/* UTF-8 for a code point (U+FFFD for surrogates and values past U+10FFFF); returns 1..4. */
size_t jndi_decode_utf8(uint32_t cp, uint8_t out[4]);

#endif
