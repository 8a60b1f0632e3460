// SPDX-License-Identifier: GPL-2.0
/* Per-CPU counters, global and per enabled cgroup. */
#include <linux/cpumask.h>
#include <linux/string.h>

#include "stats.h"

struct ph_stats ph_global_stats;

int ph_stats_alloc(struct ph_stats *s)
{
	s->pcpu = alloc_percpu(struct ph_counters);
	return s->pcpu ? 0 : -ENOMEM;
}

void ph_stats_free(struct ph_stats *s)
{
	free_percpu(s->pcpu);
	s->pcpu = NULL;
}

void ph_stats_read(const struct ph_stats *s, u64 out[PREEMPTHINT_STAT_MAX + 1])
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * (PREEMPTHINT_STAT_MAX + 1));
	for_each_possible_cpu(cpu) {
		const struct ph_counters *c = per_cpu_ptr(s->pcpu, cpu);

		for (i = 0; i <= PREEMPTHINT_STAT_MAX; i++) {
			u64 v = READ_ONCE(c->v[i]);

			if (i == PREEMPTHINT_STAT_GRANT_NS_MAX)
				out[i] = max(out[i], v);
			else
				out[i] += v;
		}
	}
}

/* Racy against concurrent increments by design: a reset is approximate. */
void ph_stats_reset(struct ph_stats *s)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(s->pcpu, cpu), 0, sizeof(struct ph_counters));
}
