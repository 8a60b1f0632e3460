/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The preempthint command-line tool: a table of subcommands, one file each
 * (cmd_*.c), in the style of wireguard-tools' wg.
 */
#ifndef PH_CLI_H
#define PH_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes scripts can rely on (sysexits.h values where one fits). */
enum ph_exit {
	PH_EXIT_OK = 0,
	PH_EXIT_FAIL = 1,		/* the operation failed */
	PH_EXIT_USAGE = 64,		/* bad command line */
	PH_EXIT_UNAVAILABLE = 69,	/* module not loaded, family missing */
	PH_EXIT_NOPERM = 77,		/* caller lacks CAP_SYS_NICE (CAP_SYS_ADMIN for monitor) */
};

/* What every command gets: where to write, and the global options. */
struct ph_ctx {
	FILE *out;
	FILE *err;
	bool json;
	const char *sysfs;	/* "/sys", or a fake tree in unit tests */
	const char *cgroup_root; /* PH_CGROUP_ROOT, or a temp dir in unit tests */
};

/* Where cgroup v2 is mounted; cgroup paths sent to the kernel are relative to it. */
#define PH_CGROUP_ROOT "/sys/fs/cgroup"

/* A context built without cgroup_root (older callers) means the real mount. */
static inline const char *ph_cgroup_root(const struct ph_ctx *ctx)
{
	return ctx->cgroup_root ? ctx->cgroup_root : PH_CGROUP_ROOT;
}

struct ph_command {
	const char *name;
	int (*run)(struct ph_ctx *ctx, int argc, char **argv);
	const char *summary;
	const char *usage;
	const char *details;	/* more lines for 'help COMMAND', or NULL */
};

int ph_main(struct ph_ctx *ctx, int argc, char **argv);
const struct ph_command *ph_find_command(const char *name);
const struct ph_command *ph_commands(size_t *count);

int cmd_help(struct ph_ctx *ctx, int argc, char **argv);
int cmd_version(struct ph_ctx *ctx, int argc, char **argv);
int cmd_status(struct ph_ctx *ctx, int argc, char **argv);
int cmd_stats(struct ph_ctx *ctx, int argc, char **argv);
int cmd_enable(struct ph_ctx *ctx, int argc, char **argv);
int cmd_disable(struct ph_ctx *ctx, int argc, char **argv);
int cmd_set(struct ph_ctx *ctx, int argc, char **argv);
int cmd_reset_stats(struct ph_ctx *ctx, int argc, char **argv);
int cmd_monitor(struct ph_ctx *ctx, int argc, char **argv);
int cmd_apply(struct ph_ctx *ctx, int argc, char **argv);

/* module.c: facts about the loaded module, read from sysfs. */
int ph_module_version(const char *sysfs, char *buf, size_t len);

/* json.c: minimal JSON string output (escaping), enough for flat objects. */
void ph_json_string(FILE *out, const char *s);

/*
 * json.c: a streaming writer for nested objects. It tracks, per level,
 * whether a member was already written, so callers never place commas and
 * the output is valid JSON by construction. A NULL key means an array
 * element (or the top-level value); closing the top level ends the line.
 */
#define PH_JSON_DEPTH 8

struct ph_json {
	FILE *out;
	int depth;
	bool more[PH_JSON_DEPTH];	/* this level has a member: next needs a comma */
	char close[PH_JSON_DEPTH];	/* '}' or ']' */
};

void ph_json_init(struct ph_json *j, FILE *out);
void ph_json_obj(struct ph_json *j, const char *key);
void ph_json_arr(struct ph_json *j, const char *key);
void ph_json_end(struct ph_json *j);
void ph_json_str(struct ph_json *j, const char *key, const char *s);	/* NULL: null */
void ph_json_u64(struct ph_json *j, const char *key, uint64_t v);
void ph_json_bool(struct ph_json *j, const char *key, bool v);
void ph_json_double(struct ph_json *j, const char *key, double v, int decimals);

#endif /* PH_CLI_H */
