/* learn/learn_cli.h - `protowall learn`: a baseline from Zeek logs, written as a recommended policy. */
#ifndef PW_LEARN_LEARN_CLI_H
#define PW_LEARN_LEARN_CLI_H

/* argv[0] is "learn". Returns the exit status: 0 the policy was written; 2 usage, a path that
 * cannot be read, no conn.log, or the output cannot be written. Prints errors on stderr and a
 * one-line summary unless -q. */
int learn_cli_main(int argc, char **argv);

#endif
