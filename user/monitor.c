// SPDX-License-Identifier: GPL-2.0
/*
 * monitor's arithmetic: cumulative samples in, per-interval differences out.
 * No I/O and no clock of its own, so the unit tests drive every case with
 * made-up samples.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

/* A counter that went down was reset (reset-stats, disable and enable): it counted from 0. */
uint64_t ph_counter_delta(uint64_t prev, uint64_t cur)
{
	return cur >= prev ? cur - prev : cur;
}

/* GRANT_NS_MAX is a high-water mark, not a count: it has no difference. */
bool ph_stat_is_counter(int stat)
{
	return stat > PREEMPTHINT_STAT_UNSPEC && stat < PREEMPTHINT_STAT_PAD &&
	       stat != PREEMPTHINT_STAT_GRANT_NS_MAX;
}

void ph_stats_delta(const struct ph_stats *prev, const struct ph_stats *cur, struct ph_stats *delta)
{
	int i;

	memset(delta, 0, sizeof(*delta));
	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++)
		delta->v[i] = ph_stat_is_counter(i) ? ph_counter_delta(prev->v[i], cur->v[i])
						    : cur->v[i];
}

/* Per second; @interval_ns is never 0 (ph_monitor_feed makes sure). */
double ph_rate(uint64_t delta, uint64_t interval_ns)
{
	return interval_ns ? (double)delta * 1e9 / (double)interval_ns : 0.0;
}

void ph_monitor_init(struct ph_monitor *m, const char *filter, uint64_t start_ns)
{
	memset(m, 0, sizeof(*m));
	m->filter = filter;
	m->start_ns = start_ns;
}

static struct ph_baseline *ph_monitor_find(const struct ph_monitor *m, const char *path)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].path, path))
			return &m->v[i];
	return NULL;
}

bool ph_monitor_seen(const struct ph_monitor *m, const char *path)
{
	return ph_monitor_find(m, path) != NULL;
}

static struct ph_baseline *ph_monitor_add(struct ph_monitor *m, const char *path)
{
	struct ph_baseline *v = realloc(m->v, (m->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	m->v = v;
	memset(&v[m->n], 0, sizeof(v[m->n]));
	v[m->n].path = strdup(path);
	if (!v[m->n].path)
		return NULL;
	return &v[m->n++];
}

/* Fill @iv with what happened between @b and @ev, then make @ev the baseline. */
static void ph_monitor_step(struct ph_baseline *b, const struct ph_event *ev,
			    struct ph_interval *iv)
{
	memset(iv, 0, sizeof(*iv));
	iv->path = ev->path;
	iv->cgroup_id = ev->cgroup_id;
	iv->time_ns = ev->time_ns;
	iv->interval_ns = ev->time_ns - b->time_ns;
	iv->registered = ev->registered;
	ph_stats_delta(&b->stats, &ev->stats, &iv->delta);
}

static void ph_monitor_keep(struct ph_baseline *b, const struct ph_event *ev)
{
	b->time_ns = ev->time_ns;
	b->stats = ev->stats;
}

/*
 * Take one sample. Returns 1 when @iv holds an interval to print, 0 when
 * there is nothing to print (a first sample only sets the baseline), or
 * -ENOMEM. Whatever it returns, m->intervals counts the rounds ended.
 */
int ph_monitor_feed(struct ph_monitor *m, const struct ph_event *ev, struct ph_interval *iv)
{
	struct ph_baseline *b;
	bool fresh;

	/*
	 * A round the kernel began before we joined may lack its first
	 * cgroups: leave it out, so that every cgroup starts in the same
	 * round and --count N gives each N lines.
	 */
	if (m->start_ns && ev->time_ns < m->start_ns &&
	    m->start_ns - ev->time_ns < PH_MONITOR_SKEW_NS)
		return 0;

	if (!ev->path) {
		fresh = m->have_global && ev->time_ns > m->global.time_ns;
		if (fresh) {
			ph_monitor_step(&m->global, ev, iv);
			m->intervals++;
		}
		ph_monitor_keep(&m->global, ev);
		m->have_global = true;
		m->round_ns = ev->time_ns;
		return fresh && !m->filter;
	}

	if (m->filter && strcmp(ev->path, m->filter))
		return 0;
	b = ph_monitor_find(m, ev->path);
	if (!b) {
		b = ph_monitor_add(m, ev->path);
		if (!b)
			return -ENOMEM;
		ph_monitor_keep(b, ev);
		return 0;
	}
	/*
	 * Absent from the last round (disabled meanwhile, or its message
	 * lost): its counters may have started again from an unrelated
	 * value, so start over rather than print a made-up rate.
	 */
	fresh = ev->time_ns > b->time_ns && b->time_ns >= m->round_ns;
	if (fresh)
		ph_monitor_step(b, ev, iv);
	ph_monitor_keep(b, ev);
	return fresh;
}

void ph_monitor_free(struct ph_monitor *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
