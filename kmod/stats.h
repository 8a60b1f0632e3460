/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters: per-CPU so the scheduler hooks never share a cache line, summed
 * when someone asks. Indexed by enum preempthint_stat.
 */
#ifndef _PREEMPTHINT_STATS_H
#define _PREEMPTHINT_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>

#include "preempthint.h"

struct ph_counters {
	u64 v[PREEMPTHINT_STAT_MAX + 1];
};

struct ph_stats {
	struct ph_counters __percpu *pcpu;
};

extern struct ph_stats ph_global_stats;

int ph_stats_alloc(struct ph_stats *s);
void ph_stats_free(struct ph_stats *s);
void ph_stats_read(const struct ph_stats *s, u64 out[PREEMPTHINT_STAT_MAX + 1]);
void ph_stats_reset(struct ph_stats *s);

static inline void ph_stat_inc(struct ph_stats *s, int id)
{
	if (s)
		this_cpu_inc(s->pcpu->v[id]);
}

/* Account one finished extension of @ns nanoseconds. */
static inline void ph_stat_grant_time(struct ph_stats *s, u64 ns)
{
	u64 *max;

	if (!s)
		return;
	this_cpu_add(s->pcpu->v[PREEMPTHINT_STAT_GRANT_NS_SUM], ns);
	max = this_cpu_ptr(&s->pcpu->v[PREEMPTHINT_STAT_GRANT_NS_MAX]);
	if (ns > READ_ONCE(*max))
		WRITE_ONCE(*max, ns);
}

#endif /* _PREEMPTHINT_STATS_H */
