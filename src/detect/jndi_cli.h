/* detect/jndi_cli.h - `protowall jndi-scan`: the JNDI lookup detector on strings or stdin lines. */
#ifndef PW_DETECT_JNDI_CLI_H
#define PW_DETECT_JNDI_CLI_H

/* argv[0] is "jndi-scan". Options: --base64 (decode each input as base64 first), --help.
 * Scans each STRING argument, or each line of stdin when there is none, and prints one JSON
 * object per hit per line on stdout. Returns 0 when any hit was found, 1 when none, 2 on a usage
 * or read error. */
int jndi_cli_main(int argc, char **argv);

#endif
