/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The preempthint command-line tool: a table of subcommands, one file each
 * (cmd_*.c), in the style of wireguard-tools' wg.
 */
#ifndef PH_CLI_H
#define PH_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes scripts can rely on (sysexits.h values where one fits). */
enum ph_exit {
	PH_EXIT_OK = 0,
	PH_EXIT_FAIL = 1,		/* the operation failed */
	PH_EXIT_USAGE = 64,		/* bad command line */
	PH_EXIT_UNAVAILABLE = 69,	/* module not loaded, family missing */
	PH_EXIT_NOPERM = 77,		/* caller lacks CAP_NET_ADMIN */
};

/* What every command gets: where to write, and the global options. */
struct ph_ctx {
	FILE *out;
	FILE *err;
	bool json;
	const char *sysfs;	/* "/sys", or a fake tree in unit tests */
};

struct ph_command {
	const char *name;
	int (*run)(struct ph_ctx *ctx, int argc, char **argv);
	const char *summary;
	const char *usage;
};

int ph_main(struct ph_ctx *ctx, int argc, char **argv);
const struct ph_command *ph_find_command(const char *name);
const struct ph_command *ph_commands(size_t *count);

int cmd_help(struct ph_ctx *ctx, int argc, char **argv);
int cmd_version(struct ph_ctx *ctx, int argc, char **argv);

/* module.c: facts about the loaded module, read from sysfs. */
int ph_module_version(const char *sysfs, char *buf, size_t len);

/* json.c: minimal JSON string output (escaping), enough for flat objects. */
void ph_json_string(FILE *out, const char *s);

#endif /* PH_CLI_H */
