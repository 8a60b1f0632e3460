/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/preempthint.conf: the policies to (re)apply at boot, after a module
 * reload and when a service starts. One policy per line:
 *
 *	TARGET [grace-us=N] [mode=hint|kernel|both]	# comment
 *
 * TARGET is a systemd unit (NAME.service, .scope, .slice) or a cgroup v2
 * path, in any form 'enable --cgroup' takes. Blank lines and '#' comments
 * are ignored. The whole file is parsed before anything is applied: one bad
 * line is reported as FILE:LINE and nothing changes.
 */
#ifndef PH_CONFIG_H
#define PH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "cli.h"

#ifndef PH_CONFIG_DEFAULT
#define PH_CONFIG_DEFAULT "/etc/preempthint.conf"
#endif

/* More policies than this in one file is a mistake, not a configuration. */
#define PH_CONFIG_MAX 256

struct ph_config_entry {
	unsigned int line;
	bool unit;			/* target is a systemd unit name */
	char target[PH_CGROUP_PATH_MAX];	/* the unit, or the canonical cgroup path */
	bool has_grace;
	uint32_t grace_us;
	bool has_mode;
	uint32_t mode;
};

struct ph_config {
	size_t n;
	struct ph_config_entry *v;
};

/*
 * Parse @text, the contents of @file (named in messages only). Returns
 * PH_EXIT_OK, or PH_EXIT_USAGE having printed one line
 * "preempthint: FILE:LINE: why" to ctx->err; @cfg is then empty.
 */
int ph_config_parse(struct ph_ctx *ctx, const char *file, const char *text,
		    struct ph_config *cfg);

/* Read and parse @file: PH_EXIT_FAIL if it cannot be read. */
int ph_config_load(struct ph_ctx *ctx, const char *file, struct ph_config *cfg);

void ph_config_free(struct ph_config *cfg);

#endif /* PH_CONFIG_H */
