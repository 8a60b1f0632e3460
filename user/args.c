// SPDX-License-Identifier: GPL-2.0
/*
 * Options and values shared by the policy subcommands. No getopt: its
 * global state (optind) would leak between the runs of one unit-test
 * process, and every option here takes exactly one value.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "preempthint.h"

static struct ph_opt *ph_opt_find(struct ph_opt *opts, size_t n, const char *arg,
				  size_t namelen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(opts[i].name) == namelen && !strncmp(opts[i].name, arg, namelen))
			return &opts[i];
	return NULL;
}

int ph_opts_parse(struct ph_ctx *ctx, const char *cmd, int argc, char **argv,
		  struct ph_opt *opts, size_t n)
{
	struct ph_opt *opt;
	const char *arg, *eq, *value;
	int i;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strncmp(arg, "--", 2) || !arg[2]) {
			fprintf(ctx->err, "preempthint: %s: unexpected argument '%s'; run 'preempthint help %s'\n",
				cmd, arg, cmd);
			return PH_EXIT_USAGE;
		}
		eq = strchr(arg, '=');
		opt = ph_opt_find(opts, n, arg, eq ? (size_t)(eq - arg) : strlen(arg));
		if (!opt) {
			fprintf(ctx->err, "preempthint: %s: unknown option '%.*s'; run 'preempthint help %s'\n",
				cmd, eq ? (int)(eq - arg) : (int)strlen(arg), arg, cmd);
			return PH_EXIT_USAGE;
		}
		if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
			value = argv[++i];
		} else {
			/* "--cgroup --grace-us 5": a forgotten value, not a cgroup "--grace-us". */
			fprintf(ctx->err, "preempthint: %s: option '%s' needs a value\n", cmd, opt->name);
			return PH_EXIT_USAGE;
		}
		if (opt->value) {
			fprintf(ctx->err, "preempthint: %s: option '%s' given twice\n", cmd, opt->name);
			return PH_EXIT_USAGE;
		}
		opt->value = value;
	}
	return PH_EXIT_OK;
}

/* Decimal digits only: strtoul alone would take " 5", "+5", "-5" and "0x5". */
static int ph_u32_parse(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || n > UINT32_MAX)
		return -ERANGE;
	*v = (uint32_t)n;
	return 0;
}

int ph_grace_parse(const char *s, uint32_t *grace_us)
{
	uint32_t v;
	int ret = ph_u32_parse(s, &v);

	if (ret)
		return ret;
	if (v < PREEMPTHINT_GRACE_US_MIN || v > PREEMPTHINT_GRACE_US_MAX)
		return -ERANGE;
	*grace_us = v;
	return 0;
}

static const struct {
	const char *name;
	uint32_t mode;
} ph_modes[] = {
	{ "hint", PREEMPTHINT_MODE_HINT },
	{ "kernel", PREEMPTHINT_MODE_KERNEL },
	{ "both", PREEMPTHINT_MODE_ALL },
};

int ph_mode_parse(const char *s, uint32_t *mode)
{
	size_t i;

	for (i = 0; i < sizeof(ph_modes) / sizeof(ph_modes[0]); i++) {
		if (!strcmp(s, ph_modes[i].name)) {
			*mode = ph_modes[i].mode;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ph_mode_name(uint32_t mode)
{
	size_t i;

	for (i = 0; i < sizeof(ph_modes) / sizeof(ph_modes[0]); i++)
		if (ph_modes[i].mode == mode)
			return ph_modes[i].name;
	return "?";
}

int ph_switch_parse(const char *s, bool *on)
{
	if (!strcmp(s, "0") || !strcmp(s, "1")) {
		*on = s[0] == '1';
		return 0;
	}
	return -EINVAL;
}

int ph_count_parse(const char *s, uint32_t *n)
{
	uint32_t v;
	int ret = ph_u32_parse(s, &v);

	if (ret)
		return ret;
	if (!v)
		return -ERANGE;
	*n = v;
	return 0;
}

int ph_arg_grace(struct ph_ctx *ctx, const char *opt, const char *s, uint32_t *grace_us)
{
	int ret = ph_grace_parse(s, grace_us);

	if (ret == -EINVAL)
		fprintf(ctx->err, "preempthint: %s wants microseconds, not '%s'\n", opt, s);
	else if (ret)
		fprintf(ctx->err, "preempthint: %s %s is out of range (%u..%u us)\n", opt, s,
			PREEMPTHINT_GRACE_US_MIN, PREEMPTHINT_GRACE_US_MAX);
	return ret ? PH_EXIT_USAGE : PH_EXIT_OK;
}

int ph_arg_mode(struct ph_ctx *ctx, const char *opt, const char *s, uint32_t *mode)
{
	if (!ph_mode_parse(s, mode))
		return PH_EXIT_OK;
	fprintf(ctx->err, "preempthint: %s must be hint, kernel or both, not '%s'\n", opt, s);
	return PH_EXIT_USAGE;
}

int ph_arg_switch(struct ph_ctx *ctx, const char *opt, const char *s, bool *on)
{
	if (!ph_switch_parse(s, on))
		return PH_EXIT_OK;
	fprintf(ctx->err, "preempthint: %s must be 0 or 1, not '%s'\n", opt, s);
	return PH_EXIT_USAGE;
}

int ph_arg_count(struct ph_ctx *ctx, const char *opt, const char *s, uint32_t *n)
{
	int ret = ph_count_parse(s, n);

	if (ret == -EINVAL)
		fprintf(ctx->err, "preempthint: %s wants a number, not '%s'\n", opt, s);
	else if (ret)
		fprintf(ctx->err, "preempthint: %s %s is out of range (1..%u)\n", opt, s, UINT32_MAX);
	return ret ? PH_EXIT_USAGE : PH_EXIT_OK;
}

int ph_cgroup_args_parse(struct ph_ctx *ctx, const char *cmd, int argc, char **argv,
			 bool required, struct ph_cgroup_args *a)
{
	struct ph_opt opt = { .name = "--cgroup" };
	int ret;

	memset(a, 0, sizeof(*a));
	ret = ph_opts_parse(ctx, cmd, argc, argv, &opt, 1);
	if (ret)
		return ret;
	if (!opt.value) {
		if (!required)
			return PH_EXIT_OK;
		fprintf(ctx->err, "preempthint: %s: --cgroup PATH is required\n", cmd);
		return PH_EXIT_USAGE;
	}
	a->has_cgroup = true;
	return ph_arg_cgroup(ctx, opt.value, a->cgroup, sizeof(a->cgroup));
}
