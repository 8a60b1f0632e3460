/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Arguments of the policy subcommands, parsed and checked without a netlink
 * socket so that the unit tests can drive every path. Parsers print their
 * one-line error to ctx->err and return an exit code (PH_EXIT_OK on success).
 */
#ifndef PH_ARGS_H
#define PH_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* The kernel accepts 4095 bytes plus the NUL (NLA_NUL_STRING, .len = 4095). */
#define PH_CGROUP_PATH_MAX 4096

/* One "--name VALUE" or "--name=VALUE" option; value stays NULL if absent. */
struct ph_opt {
	const char *name;
	const char *value;
};

/*
 * Fill @opts from argv[1..]: every argument must be one of @opts (each at
 * most once) with its value. Anything else is a usage error naming @cmd.
 */
int ph_opts_parse(struct ph_ctx *ctx, const char *cmd, int argc, char **argv,
		  struct ph_opt *opts, size_t n);

/* Pure value parsers: 0, -EINVAL (not a valid word/number) or -ERANGE. */
int ph_grace_parse(const char *s, uint32_t *grace_us);
int ph_mode_parse(const char *s, uint32_t *mode);
int ph_switch_parse(const char *s, bool *on);
int ph_count_parse(const char *s, uint32_t *n);	/* 1..UINT32_MAX */
const char *ph_mode_name(uint32_t mode);	/* "hint", "kernel", "both" or "?" */

/* The same, printing the error for option @opt: an exit code. */
int ph_arg_grace(struct ph_ctx *ctx, const char *opt, const char *s, uint32_t *grace_us);
int ph_arg_mode(struct ph_ctx *ctx, const char *opt, const char *s, uint32_t *mode);
int ph_arg_switch(struct ph_ctx *ctx, const char *opt, const char *s, bool *on);
int ph_arg_count(struct ph_ctx *ctx, const char *opt, const char *s, uint32_t *n);

/* cgroup.c: cgroup paths as the kernel wants them ("/a/b", relative to the v2 root). */
const char *ph_cgroup_normalise(const char *root, const char *in, char *out, size_t len);
int ph_arg_cgroup(struct ph_ctx *ctx, const char *s, char *out, size_t len);
/* "db.service", ".scope", ".slice" with no slash: a systemd unit, not a path. */
bool ph_is_unit_name(const char *s);
int ph_cgroup_check(struct ph_ctx *ctx, const char *path);

/*
 * cgroup.c: a systemd unit's cgroup, from "systemctl show -P ControlGroup
 * UNIT". The program run is $PREEMPTHINT_SYSTEMCTL if set (unit tests point
 * it at a script), else systemctl from PATH. 0 and the path in @out, or
 * -errno: -ENOENT if it printed nothing (the unit is not running), -EIO if
 * it failed or could not be run, -ENAMETOOLONG.
 */
#define PH_SYSTEMCTL_ENV "PREEMPTHINT_SYSTEMCTL"
int ph_systemd_cgroup(const char *unit, char *out, size_t len);

struct ph_enable_args {
	char cgroup[PH_CGROUP_PATH_MAX];
	bool has_grace;
	uint32_t grace_us;
	bool has_mode;
	uint32_t mode;
};

/* disable --cgroup PATH, stats [--cgroup PATH] */
struct ph_cgroup_args {
	bool has_cgroup;
	char cgroup[PH_CGROUP_PATH_MAX];
};

/* monitor [--cgroup PATH] [--count N] */
struct ph_monitor_args {
	bool has_cgroup;
	char cgroup[PH_CGROUP_PATH_MAX];
	uint32_t count;		/* intervals to print; 0: until SIGINT or SIGTERM */
};

struct ph_set_args {
	bool has_enabled;
	bool enabled;
	bool has_grace;
	uint32_t grace_us;
};

/* --cgroup PATH as the only option: shared by disable (@required) and stats. */
int ph_cgroup_args_parse(struct ph_ctx *ctx, const char *cmd, int argc, char **argv,
			 bool required, struct ph_cgroup_args *a);

int ph_enable_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_enable_args *a);
int ph_disable_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_cgroup_args *a);
int ph_stats_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_cgroup_args *a);
int ph_set_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_set_args *a);
int ph_monitor_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_monitor_args *a);

#endif /* PH_ARGS_H */
