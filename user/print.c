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
