/* inline/inline_cli.h - `protowall inline` and `protowall nft`: the inline subcommands (they print). */
#ifndef PW_INLINE_INLINE_CLI_H
#define PW_INLINE_INLINE_CLI_H

/* argv[0] is "inline". Runs until SIGTERM or SIGINT; SIGHUP reloads the policy. Returns the exit
 * status: 0 stopped cleanly, 1 the queue failed while running, 2 usage, a bad policy file, a queue
 * or log directory that cannot be opened. */
int inline_cli_main(int argc, char **argv);

/* argv[0] is "nft", argv[1] print, install or remove. Returns 0, 1 when nft or iptables refused
 * the rules, 2 usage. */
int nft_cli_main(int argc, char **argv);

#endif
