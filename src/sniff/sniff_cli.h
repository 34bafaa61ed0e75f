/* sniff/sniff_cli.h - the `protowall sniff` command: its options and its messages. */
#ifndef PW_SNIFF_SNIFF_CLI_H
#define PW_SNIFF_SNIFF_CLI_H

#include <stddef.h>

#include "sniff/sniff.h"

/* argv[0] is "sniff". Fills o with the defaults and the options given. Returns 0, 1 when
 * --help was asked for, or -1 with the reason in err. */
int sniff_cli_parse(int argc, char **argv, struct sniff_options *o, char *err, size_t errlen);

/* Runs `protowall sniff ...` (argv[0] is "sniff"); returns the exit status (sniff_run's). */
int sniff_cli_main(int argc, char **argv);

#endif
