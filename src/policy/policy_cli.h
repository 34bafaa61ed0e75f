/* policy/policy_cli.h - `protowall policy check|explain`: the policy subcommands (they print). */
#ifndef PW_POLICY_POLICY_CLI_H
#define PW_POLICY_POLICY_CLI_H

/* argv[0] is "policy", argv[1] the subcommand. Returns the exit status: 0 ok, 2 usage error, a bad
 * policy file or a bad --flow. Prints results on stdout, errors on stderr. */
int policy_cli_main(int argc, char **argv);

#endif
