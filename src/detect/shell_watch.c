/* detect/shell_watch.c - command lines one way, text output the other: an interactive shell. */
#include <string.h>

#include "detect/shell_watch.h"

/* What attackers type first on a fresh shell, and what droppers run. A line whose first word is
 * one of these (or a path to an executable) counts as a command. */
static const char *const shell_commands[] = {
    "awk", "base64", "bash", "busybox", "cat", "cd", "chmod", "cp", "crontab", "curl", "df", "echo",
    "env", "exit", "export", "find", "free", "grep", "head", "history", "hostname", "id", "ifconfig",
    "ip", "java", "kill", "ls", "mkdir", "mv", "nc", "ncat", "netstat", "nohup", "perl", "ps", "pwd",
    "python", "python3", "rm", "sed", "sh", "ss", "su", "sudo", "tail", "tar", "touch", "uname",
    "uptime", "w", "wget", "which", "who", "whoami",
};

bool shell_watch_is_command(const char *word, size_t len)
{
    if (len == 0)
        return false;
    if (word[0] == '/' || (len > 2 && word[0] == '.' && word[1] == '/'))
        return true;
    for (size_t i = 0; i < sizeof(shell_commands) / sizeof(shell_commands[0]); i++) {
        if (strlen(shell_commands[i]) == len && memcmp(shell_commands[i], word, len) == 0)
            return true;
    }
    return false;
}

static bool is_word_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.' || c == '/';
}

static void line_end(struct shell_side *s)
{
    if (s->line_len > 0 && !s->line_bad) {
        s->lines++;
        if (shell_watch_is_command(s->word, s->word_len))
            s->commands++;
    } else if (s->line_len > 0) {
        s->lines++;
    }
    s->line_len = 0;
    s->word_len = 0;
    s->word_done = false;
    s->line_bad = false;
}

void shell_watch_feed(struct shell_watch *w, int side, const uint8_t *p, size_t n)
{
    struct shell_side *s = &w->side[side & 1];

    for (size_t i = 0; i < n && s->bytes < SHELL_WATCH_BYTES; i++) {
        uint8_t c = p[i];

        s->bytes++;
        if ((c >= 32 && c < 127) || c == '\n' || c == '\r' || c == '\t')
            s->printable++;
        if (c == '\n') {
            line_end(s);
            continue;
        }
        if (c == '\r')
            continue;
        if (++s->line_len > 200)
            s->line_bad = true;
        if (c < 32 && c != '\t')
            s->line_bad = true;
        if (c >= 127)
            s->line_bad = true;
        if (s->word_done)
            continue;
        if (is_word_char(c) && s->word_len < SHELL_WORD_MAX) {
            s->word[s->word_len++] = (char)c;
        } else if (c == ' ' || c == '\t' || c == ';' || c == '|' || c == '&') {
            s->word_done = s->word_len > 0;
        } else {
            s->word_done = true;
            s->line_bad = s->word_len == 0 ? true : s->line_bad;
        }
    }
}

/* The commander's lines are mostly commands and all text; the other side answers in text. */
static bool commands_one_way(const struct shell_side *cmd, const struct shell_side *out)
{
    if (cmd->commands < 2 || cmd->commands * 2 < cmd->lines)
        return false;
    if ((uint64_t)cmd->printable * 100 < (uint64_t)cmd->bytes * 98)
        return false;
    if (cmd->bytes / cmd->lines > 100)
        return false;
    if (out->bytes == 0 || (uint64_t)out->printable * 100 < (uint64_t)out->bytes * 90)
        return false;
    /* The answering side must not itself look like the one typing commands. */
    return out->commands * 2 < out->lines || out->lines == 0 || out->commands < cmd->commands;
}

int shell_watch_commander(const struct shell_watch *w)
{
    if (commands_one_way(&w->side[1], &w->side[0]))
        return 1;
    if (commands_one_way(&w->side[0], &w->side[1]))
        return 0;
    return -1;
}
