/* detect/shell_watch.h - recognises an interactive shell in a stream that no analyzer claimed:
 * one side sends short command lines, the other answers with text. Pure and per flow. */
#ifndef PW_DETECT_SHELL_WATCH_H
#define PW_DETECT_SHELL_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHELL_WATCH_BYTES 8192u   /* bytes looked at per side; a shell shows itself early */
#define SHELL_WORD_MAX    16

struct shell_side {
    uint32_t bytes;           /* looked at */
    uint32_t printable;
    uint16_t lines;           /* complete lines */
    uint16_t commands;        /* lines that start with a shell command */
    uint16_t line_len;        /* of the open line */
    uint8_t  word_len;
    bool     word_done;       /* the open line's first word is complete */
    bool     line_bad;        /* the open line cannot be a command */
    char     word[SHELL_WORD_MAX];
};

struct shell_watch {
    struct shell_side side[2];
};

/* One side's bytes (0: the originator, 1: the responder), in order. */
void shell_watch_feed(struct shell_watch *w, int side, const uint8_t *p, size_t n);

/* The side sending commands when the stream looks like an interactive shell, else -1. */
int shell_watch_commander(const struct shell_watch *w);

/* True when a command line's first word is a shell command (exposed for tests). */
bool shell_watch_is_command(const char *word, size_t len);

#endif
