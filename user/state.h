/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module reports, as plain structs. Commands fetch into these
 * (fetch.c, over netlink) and print from them (print.c), so the output
 * formats are unit-tested from filled-in structs without a kernel.
 */
#ifndef PH_STATE_H
#define PH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "preempthint.h"

/* Indexed by PREEMPTHINT_STAT_*; [0] (UNSPEC) is unused. */
struct ph_stats {
	uint64_t v[PREEMPTHINT_STAT_PAD];
};

/* One enabled cgroup (a GET_POLICY dump message). */
struct ph_policy_info {
	char *path;
	uint64_t cgroup_id;
	uint32_t grace_us;
	uint32_t mode;
	struct ph_stats stats;
};

struct ph_policies {
	struct ph_policy_info *v;
	size_t n;
};

/* The GET_STATS reply. */
struct ph_global {
	char version[64];
	bool enabled;
	uint32_t grace_us;	/* the default for newly enabled cgroups */
	uint32_t registered;
	struct ph_stats stats;
};

struct ph_status {
	char module[64];	/* module version, from sysfs */
	char preempt[32];	/* the kernel's preemption mode, or "unknown" */
	struct ph_global global;
	struct ph_policies policies;
};

void ph_policies_free(struct ph_policies *p);

/* print.c */
const char *ph_stat_name(int stat);
void ph_print_status(struct ph_ctx *ctx, const struct ph_status *st);
void ph_print_stats(struct ph_ctx *ctx, const struct ph_stats *stats,
		    const struct ph_policy_info *pol);

/* preempt.c: the selected preemption mode ("lazy", "full", ...) or "unknown". */
void ph_preempt_parse(const char *line, char *buf, size_t len);
void ph_preempt_mode(const char *sysfs, char *buf, size_t len);

#endif /* PH_STATE_H */
