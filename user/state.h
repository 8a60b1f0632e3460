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
#include <time.h>

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
	char preempt[32];	/* the kernel's model, as the module reports it ("" if not) */
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

/*
 * One EVENT_STATS multicast message: an enabled cgroup's counters, or the
 * global ones (path NULL). Counters are cumulative since enable or reset.
 */
struct ph_event {
	const char *path;	/* NULL: the global message; else valid while it is handled */
	uint64_t cgroup_id;
	uint64_t time_ns;	/* CLOCK_MONOTONIC when the kernel read the counters */
	uint32_t registered;	/* global message only */
	struct ph_stats stats;
};

/* What monitor prints: one cgroup's (or the global) counters over one interval. */
struct ph_interval {
	const char *path;	/* NULL: global */
	uint64_t cgroup_id;
	uint64_t time_ns;	/* the end of the interval, as struct ph_event */
	uint64_t interval_ns;	/* never 0 */
	uint32_t registered;
	struct ph_stats delta;	/* each counter's increase; GRANT_NS_MAX: its value */
};

/* The previous sample of one cgroup (or of the global counters). */
struct ph_baseline {
	char *path;
	uint64_t time_ns;
	struct ph_stats stats;
};

/*
 * monitor.c: turns the stream of cumulative samples into intervals. The
 * kernel sends one round a second, every enabled cgroup then the global
 * message, all with the same TIME_NS; the global message ends a round.
 */
struct ph_monitor {
	const char *filter;	/* one cgroup's path; NULL: every cgroup and the global */
	uint64_t start_ns;	/* CLOCK_MONOTONIC when we joined the group; 0: unknown */
	uint64_t round_ns;	/* TIME_NS of the last round seen to its end; 0: none yet */
	unsigned long intervals; /* rounds ended since the first: intervals reported */
	bool have_global;
	struct ph_baseline global;
	struct ph_baseline *v;	/* cgroups, by path */
	size_t n;
};

/* A round that began this long before we joined was whole: clocks differ (time namespace). */
#define PH_MONITOR_SKEW_NS 2000000000ULL

uint64_t ph_counter_delta(uint64_t prev, uint64_t cur);
bool ph_stat_is_counter(int stat);
void ph_stats_delta(const struct ph_stats *prev, const struct ph_stats *cur,
		    struct ph_stats *delta);
double ph_rate(uint64_t delta, uint64_t interval_ns);
void ph_monitor_init(struct ph_monitor *m, const char *filter, uint64_t start_ns);
int ph_monitor_feed(struct ph_monitor *m, const struct ph_event *ev, struct ph_interval *iv);
bool ph_monitor_seen(const struct ph_monitor *m, const char *path);
void ph_monitor_free(struct ph_monitor *m);

/* print.c */
const char *ph_stat_name(int stat);
void ph_print_status(struct ph_ctx *ctx, const struct ph_status *st);
void ph_print_stats(struct ph_ctx *ctx, const struct ph_stats *stats,
		    const struct ph_policy_info *pol);
void ph_print_monitor_header(struct ph_ctx *ctx);
void ph_print_interval(struct ph_ctx *ctx, const struct ph_interval *iv, time_t wall);

/* preempt.c: the selected preemption mode ("lazy", "full", ...) or "unknown". */
void ph_preempt_parse(const char *line, char *buf, size_t len);
void ph_preempt_mode(const char *sysfs, char *buf, size_t len);

#endif /* PH_STATE_H */
