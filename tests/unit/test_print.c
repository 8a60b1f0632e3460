// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of what the netlink commands print, from filled-in structs,
 * and of reply parsing, from messages built here the way the kernel builds
 * them: the formats are checked without a module.
 */
#include <errno.h>
#include <stdint.h>

#include "nl.h"
#include "run.h"
#include "state.h"
#include "tap.h"

#define ZERO_STATS \
	"{\"grants\":0,\"expiries\":0,\"yields\":0,\"refusals\":0,\"lh_preemptions\":0," \
	"\"kernel_grants\":0,\"grant_ns_max\":0,\"grant_ns_sum\":0,\"waiter_refusals\":0," \
	"\"arrival_refusals\":0,\"registration_refusals\":0}"

static void fill_stats(struct ph_stats *s, uint64_t base)
{
	int i;

	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++)
		s->v[i] = base ? base + (uint64_t)i : 0;
}

static void fill_status(struct ph_status *st, struct ph_policy_info *pols, size_t n)
{
	memset(st, 0, sizeof(*st));
	strcpy(st->module, "0.1.0");
	strcpy(st->preempt, "lazy");
	strcpy(st->global.version, "0.1.0");
	st->global.enabled = true;
	st->global.grace_us = 50;
	st->global.registered = 3;
	fill_stats(&st->global.stats, 0);
	st->global.stats.v[PREEMPTHINT_STAT_GRANTS] = 1;
	st->global.stats.v[PREEMPTHINT_STAT_GRANT_NS_SUM] = UINT64_MAX;
	st->policies.v = pols;
	st->policies.n = n;
}

static struct run print_status(const struct ph_status *st, bool json)
{
	struct ph_ctx ctx = { .json = json };
	struct run r;

	run_begin(&r, &ctx);
	ph_print_status(&ctx, st);
	run_end(&ctx);
	return r;
}

static void test_json_writer(void)
{
	struct ph_ctx ctx = { 0 };
	struct ph_json j;
	struct run r;

	run_begin(&r, &ctx);
	ph_json_init(&j, ctx.out);
	ph_json_obj(&j, NULL);
	ph_json_arr(&j, "empty");
	ph_json_end(&j);
	ph_json_arr(&j, "a");
	ph_json_u64(&j, NULL, 1);
	ph_json_obj(&j, NULL);
	ph_json_end(&j);
	ph_json_str(&j, NULL, NULL);
	ph_json_end(&j);
	ph_json_bool(&j, "t", true);
	ph_json_str(&j, "k\"ey", "v\n");
	ph_json_end(&j);
	run_end(&ctx);
	TAP_CHECK(!strcmp(r.out, "{\"empty\":[],\"a\":[1,{},null],\"t\":true,\"k\\\"ey\":\"v\\n\"}\n"),
		  "the JSON writer places commas, escapes keys and ends the document with a newline (%s)",
		  flat(r.out));
	run_free(&r);
}

static void test_status(void)
{
	struct ph_policy_info pols[2] = {
		{ .path = "/system.slice/postgresql@17-main.service", .cgroup_id = 1234,
		  .grace_us = 200, .mode = PREEMPTHINT_MODE_HINT },
		{ .path = "/ph \"q\"", .cgroup_id = 5, .grace_us = 5, .mode = PREEMPTHINT_MODE_ALL },
	};
	struct ph_status st;
	struct run r;
	bool ok, ok2;

	fill_stats(&pols[0].stats, 100);
	fill_status(&st, pols, 2);
	r = print_status(&st, true);
	TAP_CHECK(!strcmp(r.out,
		"{\"module\":\"0.1.0\",\"preempt\":\"lazy\",\"enabled\":true,\"default_grace_us\":50,"
		"\"registered\":3,\"stats\":{\"grants\":1,\"expiries\":0,\"yields\":0,\"refusals\":0,"
		"\"lh_preemptions\":0,\"kernel_grants\":0,\"grant_ns_max\":0,"
		"\"grant_ns_sum\":18446744073709551615,\"waiter_refusals\":0,\"arrival_refusals\":0,"
		"\"registration_refusals\":0},"
		"\"cgroups\":["
		"{\"path\":\"/system.slice/postgresql@17-main.service\",\"id\":1234,\"grace_us\":200,"
		"\"mode\":\"hint\",\"stats\":{\"grants\":101,\"expiries\":102,\"yields\":103,"
		"\"refusals\":104,\"lh_preemptions\":105,\"kernel_grants\":106,\"grant_ns_max\":107,"
		"\"grant_ns_sum\":108,\"waiter_refusals\":109,\"arrival_refusals\":110,"
		"\"registration_refusals\":111}},"
		"{\"path\":\"/ph \\\"q\\\"\",\"id\":5,\"grace_us\":5,\"mode\":\"both\",\"stats\":"
		ZERO_STATS "}]}\n"),
		  "status -j: one JSON object, u64 exact, paths escaped (%s)", flat(r.out));
	run_free(&r);

	fill_status(&st, NULL, 0);
	st.global.enabled = false;
	strcpy(st.preempt, "unknown");
	r = print_status(&st, true);
	TAP_CHECK(strstr(r.out, "\"preempt\":\"unknown\",\"enabled\":false,") &&
		  strstr(r.out, ",\"cgroups\":[]}\n"),
		  "status -j with no cgroup: an empty array, the switch off, preempt unknown");
	run_free(&r);

	fill_status(&st, pols, 2);
	r = print_status(&st, false);
	ok = strstr(r.out, "module:           0.1.0\n") &&
		  strstr(r.out, "preemption:       lazy\n") &&
		  strstr(r.out, "enabled:          yes\n") &&
		  strstr(r.out, "default grace:    50 us\n") &&
		  strstr(r.out, "registered:       3 threads\n") &&
		  strstr(r.out, "counters:\n  grants:         1\n") &&
		  strstr(r.out, "  grant_ns_sum:   18446744073709551615\n");
	TAP_CHECK(ok, "status text: module, kernel mode, global settings and counters");
	ok2 = strstr(r.out, "cgroup /system.slice/postgresql@17-main.service (id 1234):\n"
			    "  grace:          200 us\n  mode:           hint\n  grants:         101\n") &&
	      strstr(r.out, "cgroup /ph \"q\" (id 5):\n  grace:          5 us\n  mode:           both\n");
	TAP_CHECK(ok2, "status text: each enabled cgroup with grace, mode and counters");
	if (!ok || !ok2)
		diag_text(r.out);
	run_free(&r);

	fill_status(&st, NULL, 0);
	r = print_status(&st, false);
	TAP_CHECK(strstr(r.out, "no cgroup enabled\n") != NULL,
		  "status text says when no cgroup is enabled");
	run_free(&r);
}

static void test_stats(void)
{
	struct ph_policy_info pol = { .path = "/ph-db", .cgroup_id = 77 };
	struct ph_ctx ctx = { .json = true };
	struct ph_stats s;
	struct run r;

	fill_stats(&s, 0);
	run_begin(&r, &ctx);
	ph_print_stats(&ctx, &s, NULL);
	run_end(&ctx);
	TAP_CHECK(!strcmp(r.out, "{\"cgroup\":null,\"stats\":" ZERO_STATS "}\n"),
		  "stats -j: the global counters under \"stats\" (%s)", flat(r.out));
	run_free(&r);

	fill_stats(&s, 10);
	run_begin(&r, &ctx);
	ph_print_stats(&ctx, &s, &pol);
	run_end(&ctx);
	TAP_CHECK(!strcmp(r.out, "{\"cgroup\":\"/ph-db\",\"id\":77,\"stats\":{\"grants\":11,"
			  "\"expiries\":12,\"yields\":13,\"refusals\":14,\"lh_preemptions\":15,"
			  "\"kernel_grants\":16,\"grant_ns_max\":17,\"grant_ns_sum\":18,"
			  "\"waiter_refusals\":19,\"arrival_refusals\":20,"
			  "\"registration_refusals\":21}}\n"),
		  "stats -j --cgroup: the cgroup's path, id and counters (%s)", flat(r.out));
	run_free(&r);

	ctx.json = false;
	run_begin(&r, &ctx);
	ph_print_stats(&ctx, &s, &pol);
	run_end(&ctx);
	TAP_CHECK(!strncmp(r.out, "grants:           11\nexpiries:         12\n", 40) &&
		  strstr(r.out, "grant_ns_sum:     18\n"),
		  "stats text: one 'name: value' line per counter (%s)", flat(r.out));
	run_free(&r);

	TAP_CHECK(!strcmp(ph_stat_name(PREEMPTHINT_STAT_LH_PREEMPTIONS), "lh_preemptions") &&
		  !ph_stat_name(PREEMPTHINT_STAT_PAD) && !ph_stat_name(0),
		  "every counter has a name; padding and UNSPEC have none");
}

static void check_preempt(const char *line, const char *want)
{
	char buf[32];

	ph_preempt_parse(line, buf, sizeof(buf));
	TAP_CHECK(!strcmp(buf, want), "preempt '%s' is '%s' (got '%s')", flat(line), want, buf);
}

static void test_preempt(void)
{
	char *sysfs = temp_dir("sysfs");
	char buf[32];

	check_preempt("none voluntary full (lazy)\n", "lazy");
	check_preempt("full (lazy)", "lazy");
	check_preempt("none voluntary (full) lazy\n", "full");
	check_preempt("none voluntary full lazy\n", "unknown");
	check_preempt("()", "unknown");
	check_preempt("", "unknown");

	ph_preempt_mode(sysfs, buf, sizeof(buf));
	TAP_CHECK(!strcmp(buf, "unknown"), "an unreadable preempt file means 'unknown'");
	mkdirf(sysfs, "kernel");
	mkdirf(sysfs, "kernel/debug");
	mkdirf(sysfs, "kernel/debug/sched");
	writef(sysfs, "kernel/debug/sched/preempt", "none voluntary (full) lazy\n");
	ph_preempt_mode(sysfs, buf, sizeof(buf));
	TAP_CHECK(!strcmp(buf, "full"), "the mode is read from <sysfs>/kernel/debug/sched/preempt");
}

/* A reply as the kernel builds it: genl header, attributes, nested u64 counters. */
static struct nl_msg *reply(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 0, 0x20, 0, 0, cmd, PREEMPTHINT_GENL_VERSION))
		abort();
	return msg;
}

static void put_stats(struct nl_msg *msg, uint64_t base)
{
	struct nlattr *nest = nla_nest_start(msg, PREEMPTHINT_A_STATS | NLA_F_NESTED);
	int i;

	/* nla_put_u64_64bit pads with an empty PREEMPTHINT_STAT_PAD where it must. */
	nla_put(msg, PREEMPTHINT_STAT_PAD, 0, NULL);
	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++)
		nla_put_u64(msg, i, base + (uint64_t)i);
	nla_nest_end(msg, nest);
}

static void test_parse(void)
{
	struct ph_policies p = { 0 };
	struct ph_global g;
	struct nl_msg *msg;
	int ret;

	msg = reply(PREEMPTHINT_CMD_GET_STATS);
	nla_put_string(msg, PREEMPTHINT_A_VERSION, "0.1.0");
	nla_put_u8(msg, PREEMPTHINT_A_ENABLED, 1);
	nla_put_u32(msg, PREEMPTHINT_A_GRACE_US, 50);
	nla_put_u32(msg, PREEMPTHINT_A_REGISTERED, 7);
	put_stats(msg, 1000);
	memset(&g, 0, sizeof(g));
	ret = ph_nl_parse(nlmsg_hdr(msg), ph_global_parse, &g);
	TAP_CHECK(ret == 0 && !strcmp(g.version, "0.1.0") && g.enabled && g.grace_us == 50 &&
		  g.registered == 7 && g.stats.v[PREEMPTHINT_STAT_GRANTS] == 1001 &&
		  g.stats.v[PREEMPTHINT_STAT_GRANT_NS_SUM] == 1008,
		  "a GET_STATS reply parses into struct ph_global (ret %d)", ret);
	nlmsg_free(msg);

	msg = reply(PREEMPTHINT_CMD_GET_POLICY);
	nla_put_string(msg, PREEMPTHINT_A_CGROUP_PATH, "/ph-db");
	nla_put_u64(msg, PREEMPTHINT_A_CGROUP_ID, 4242);
	nla_put_u32(msg, PREEMPTHINT_A_GRACE_US, 200);
	nla_put_u32(msg, PREEMPTHINT_A_MODE, PREEMPTHINT_MODE_ALL);
	put_stats(msg, 0);
	ret = ph_nl_parse(nlmsg_hdr(msg), ph_policy_parse, &p);
	ret = ret ?: ph_nl_parse(nlmsg_hdr(msg), ph_policy_parse, &p);
	TAP_CHECK(ret == 0 && p.n == 2 && !strcmp(p.v[1].path, "/ph-db") &&
		  p.v[1].cgroup_id == 4242 && p.v[1].grace_us == 200 &&
		  p.v[1].mode == PREEMPTHINT_MODE_ALL &&
		  p.v[1].stats.v[PREEMPTHINT_STAT_YIELDS] == 3,
		  "GET_POLICY dump messages append to struct ph_policies (ret %d, n %zu)", ret, p.n);
	ph_policies_free(&p);
	nlmsg_free(msg);

	msg = reply(PREEMPTHINT_CMD_GET_POLICY);
	nla_put_u32(msg, PREEMPTHINT_A_GRACE_US, 200);
	ret = ph_nl_parse(nlmsg_hdr(msg), ph_policy_parse, &p);
	TAP_CHECK(ret == -EBADMSG && p.n == 0, "a policy without its path is a bad message");
	nlmsg_free(msg);

	msg = reply(PREEMPTHINT_CMD_GET_STATS);
	nla_put_u8(msg, PREEMPTHINT_A_GRACE_US, 50);
	ret = ph_nl_parse(nlmsg_hdr(msg), ph_global_parse, &g);
	TAP_CHECK(ret == -EBADMSG, "a u8 where the policy wants a u32 is refused (%d)", ret);
	nlmsg_free(msg);

	msg = reply(PREEMPTHINT_CMD_GET_STATS);
	{
		struct nlattr *nest = nla_nest_start(msg, PREEMPTHINT_A_STATS);

		nla_put_u32(msg, PREEMPTHINT_STAT_GRANTS, 1);
		nla_nest_end(msg, nest);
	}
	ret = ph_nl_parse(nlmsg_hdr(msg), ph_global_parse, &g);
	TAP_CHECK(ret == -EBADMSG, "a short counter inside STATS is refused (%d)", ret);
	nlmsg_free(msg);
}

int main(void)
{
	test_json_writer();
	test_status();
	test_stats();
	test_preempt();
	test_parse();
	temp_cleanup();
	return tap_done();
}
