// SPDX-License-Identifier: GPL-2.0
/*
 * Output of status and stats, text or JSON, from fetched structs only: no
 * I/O but ctx->out, so the unit tests check the formats byte for byte.
 */
#include <inttypes.h>

#include "args.h"
#include "state.h"

/* The JSON keys too: scripts (and the guest suite) read counters by these names. */
static const char *const ph_stat_names[PREEMPTHINT_STAT_PAD] = {
	[PREEMPTHINT_STAT_GRANTS] = "grants",
	[PREEMPTHINT_STAT_EXPIRIES] = "expiries",
	[PREEMPTHINT_STAT_YIELDS] = "yields",
	[PREEMPTHINT_STAT_REFUSALS] = "refusals",
	[PREEMPTHINT_STAT_LH_PREEMPTIONS] = "lh_preemptions",
	[PREEMPTHINT_STAT_KERNEL_GRANTS] = "kernel_grants",
	[PREEMPTHINT_STAT_GRANT_NS_MAX] = "grant_ns_max",
	[PREEMPTHINT_STAT_GRANT_NS_SUM] = "grant_ns_sum",
	[PREEMPTHINT_STAT_WAITER_REFUSALS] = "waiter_refusals",
	[PREEMPTHINT_STAT_ARRIVAL_REFUSALS] = "arrival_refusals",
	[PREEMPTHINT_STAT_REGISTRATION_REFUSALS] = "registration_refusals",
};

const char *ph_stat_name(int stat)
{
	if (stat <= PREEMPTHINT_STAT_UNSPEC || stat >= PREEMPTHINT_STAT_PAD)
		return NULL;
	return ph_stat_names[stat];
}

/* "label:" padded so that values line up in one column. */
static void ph_text_label(FILE *out, const char *indent, const char *label)
{
	int n = fprintf(out, "%s%s:", indent, label);

	fprintf(out, "%*s", n < 18 ? 18 - n : 1, "");
}

static void ph_text_stats(FILE *out, const char *indent, const struct ph_stats *s)
{
	int i;

	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++) {
		ph_text_label(out, indent, ph_stat_names[i]);
		fprintf(out, "%" PRIu64 "\n", s->v[i]);
	}
}

static void ph_json_stats(struct ph_json *j, const struct ph_stats *s)
{
	int i;

	ph_json_obj(j, "stats");
	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++)
		ph_json_u64(j, ph_stat_names[i], s->v[i]);
	ph_json_end(j);
}

static void ph_status_json(FILE *out, const struct ph_status *st)
{
	const struct ph_policy_info *pol;
	struct ph_json j;
	size_t i;

	ph_json_init(&j, out);
	ph_json_obj(&j, NULL);
	ph_json_str(&j, "module", st->module);
	ph_json_str(&j, "preempt", st->preempt);
	ph_json_bool(&j, "enabled", st->global.enabled);
	ph_json_u64(&j, "default_grace_us", st->global.grace_us);
	ph_json_u64(&j, "registered", st->global.registered);
	ph_json_stats(&j, &st->global.stats);
	ph_json_arr(&j, "cgroups");
	for (i = 0; i < st->policies.n; i++) {
		pol = &st->policies.v[i];
		ph_json_obj(&j, NULL);
		ph_json_str(&j, "path", pol->path);
		ph_json_u64(&j, "id", pol->cgroup_id);
		ph_json_u64(&j, "grace_us", pol->grace_us);
		ph_json_str(&j, "mode", ph_mode_name(pol->mode));
		ph_json_stats(&j, &pol->stats);
		ph_json_end(&j);
	}
	ph_json_end(&j);
	ph_json_end(&j);
}

static void ph_status_text(FILE *out, const struct ph_status *st)
{
	const struct ph_policy_info *pol;
	size_t i;

	ph_text_label(out, "", "module");
	fprintf(out, "%s\n", st->module);
	ph_text_label(out, "", "preemption");
	fprintf(out, "%s\n", st->preempt);
	ph_text_label(out, "", "enabled");
	fprintf(out, "%s\n", st->global.enabled ? "yes" : "no");
	ph_text_label(out, "", "default grace");
	fprintf(out, "%" PRIu32 " us\n", st->global.grace_us);
	ph_text_label(out, "", "registered");
	fprintf(out, "%" PRIu32 " threads\n", st->global.registered);
	fprintf(out, "counters:\n");
	ph_text_stats(out, "  ", &st->global.stats);
	if (!st->policies.n)
		fprintf(out, "no cgroup enabled\n");
	for (i = 0; i < st->policies.n; i++) {
		pol = &st->policies.v[i];
		fprintf(out, "cgroup %s (id %" PRIu64 "):\n", pol->path, pol->cgroup_id);
		ph_text_label(out, "  ", "grace");
		fprintf(out, "%" PRIu32 " us\n", pol->grace_us);
		ph_text_label(out, "  ", "mode");
		fprintf(out, "%s\n", ph_mode_name(pol->mode));
		ph_text_stats(out, "  ", &pol->stats);
	}
}

void ph_print_status(struct ph_ctx *ctx, const struct ph_status *st)
{
	if (ctx->json)
		ph_status_json(ctx->out, st);
	else
		ph_status_text(ctx->out, st);
}

/* @pol: the enabled cgroup the counters belong to, or NULL for the global ones. */
void ph_print_stats(struct ph_ctx *ctx, const struct ph_stats *stats,
		    const struct ph_policy_info *pol)
{
	struct ph_json j;

	if (!ctx->json) {
		ph_text_stats(ctx->out, "", stats);
		return;
	}
	ph_json_init(&j, ctx->out);
	ph_json_obj(&j, NULL);
	ph_json_str(&j, "cgroup", pol ? pol->path : NULL);
	if (pol)
		ph_json_u64(&j, "id", pol->cgroup_id);
	ph_json_stats(&j, stats);
	ph_json_end(&j);
}

/* monitor's columns, in order: the counters a person watches, per second. */
static const struct {
	int stat;
	const char *head;
} ph_monitor_cols[] = {
	{ PREEMPTHINT_STAT_GRANTS, "grants/s" },
	{ PREEMPTHINT_STAT_EXPIRIES, "expiries/s" },
	{ PREEMPTHINT_STAT_YIELDS, "yields/s" },
	{ PREEMPTHINT_STAT_REFUSALS, "refusals/s" },
	{ PREEMPTHINT_STAT_LH_PREEMPTIONS, "lh_preempt/s" },
	{ PREEMPTHINT_STAT_KERNEL_GRANTS, "kgrants/s" },
};

#define PH_MONITOR_NCOLS (sizeof(ph_monitor_cols) / sizeof(ph_monitor_cols[0]))

/* Text mode only: JSON Lines have no header. */
void ph_print_monitor_header(struct ph_ctx *ctx)
{
	size_t i;

	if (ctx->json)
		return;
	fprintf(ctx->out, "%-8s", "time");
	for (i = 0; i < PH_MONITOR_NCOLS; i++)
		fprintf(ctx->out, " %12s", ph_monitor_cols[i].head);
	fprintf(ctx->out, "  cgroup\n");
}

static void ph_interval_text(FILE *out, const struct ph_interval *iv, time_t wall)
{
	char when[16];
	struct tm tm;
	size_t i;

	if (!localtime_r(&wall, &tm) || !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		snprintf(when, sizeof(when), "?");
	fprintf(out, "%-8s", when);
	for (i = 0; i < PH_MONITOR_NCOLS; i++)
		fprintf(out, " %12.1f",
			ph_rate(iv->delta.v[ph_monitor_cols[i].stat], iv->interval_ns));
	fprintf(out, "  %s\n", iv->path ? iv->path : "(global)");
}

/*
 * One object per line (JSON Lines). "rates" per second, "deltas" exact; both
 * under the counter names of status and stats. time_ns is the kernel's
 * CLOCK_MONOTONIC, "time" the wall clock (UTC) when the sample came in.
 */
static void ph_interval_json(FILE *out, const struct ph_interval *iv, time_t wall)
{
	char when[32];
	struct ph_json j;
	struct tm tm;
	double rate;
	int i;

	ph_json_init(&j, out);
	ph_json_obj(&j, NULL);
	if (gmtime_r(&wall, &tm) && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		ph_json_str(&j, "time", when);
	else
		ph_json_str(&j, "time", NULL);
	ph_json_u64(&j, "time_ns", iv->time_ns);
	ph_json_u64(&j, "interval_ns", iv->interval_ns);
	ph_json_str(&j, "cgroup", iv->path);
	if (iv->path)
		ph_json_u64(&j, "id", iv->cgroup_id);
	else
		ph_json_u64(&j, "registered", iv->registered);
	ph_json_obj(&j, "rates");
	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++) {
		if (!ph_stat_is_counter(i) || i == PREEMPTHINT_STAT_GRANT_NS_SUM)
			continue;
		rate = ph_rate(iv->delta.v[i], iv->interval_ns);
		ph_json_double(&j, ph_stat_names[i], rate, 3);
	}
	ph_json_end(&j);
	ph_json_obj(&j, "deltas");
	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++)
		if (ph_stat_is_counter(i))
			ph_json_u64(&j, ph_stat_names[i], iv->delta.v[i]);
	ph_json_end(&j);
	ph_json_end(&j);
}

/* @wall: when the sample arrived, for the time column. */
void ph_print_interval(struct ph_ctx *ctx, const struct ph_interval *iv, time_t wall)
{
	if (ctx->json)
		ph_interval_json(ctx->out, iv, wall);
	else
		ph_interval_text(ctx->out, iv, wall);
}
