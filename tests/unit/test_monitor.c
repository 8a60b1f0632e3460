// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of monitor: the interval arithmetic (counter differences,
 * resets, rounds, --cgroup, --count), its text and JSON Lines output, and
 * the parsing of EVENT_STATS messages built the way the kernel builds them.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include <netlink/genl/ctrl.h>

#include "args.h"
#include "nl.h"
#include "run.h"
#include "state.h"
#include "tap.h"

#define SEC 1000000000ULL

static void test_delta(void)
{
	struct ph_stats prev = { 0 }, cur = { 0 }, d;

	TAP_CHECK(ph_counter_delta(10, 15) == 5, "a counter that went up: the difference");
	TAP_CHECK(ph_counter_delta(7, 7) == 0, "a counter that did not move: 0");
	TAP_CHECK(ph_counter_delta(100, 3) == 3,
		  "a counter that went down was reset: the new value is the delta");
	TAP_CHECK(ph_counter_delta(0, UINT64_MAX) == UINT64_MAX &&
		  ph_counter_delta(UINT64_MAX, 0) == 0, "u64 extremes neither wrap nor overflow");

	prev.v[PREEMPTHINT_STAT_GRANTS] = 10;
	prev.v[PREEMPTHINT_STAT_YIELDS] = 50;
	prev.v[PREEMPTHINT_STAT_GRANT_NS_MAX] = 9000;
	prev.v[PREEMPTHINT_STAT_GRANT_NS_SUM] = 1000;
	cur.v[PREEMPTHINT_STAT_GRANTS] = 25;
	cur.v[PREEMPTHINT_STAT_YIELDS] = 4;
	cur.v[PREEMPTHINT_STAT_GRANT_NS_MAX] = 7000;
	cur.v[PREEMPTHINT_STAT_GRANT_NS_SUM] = 1500;
	ph_stats_delta(&prev, &cur, &d);
	TAP_CHECK(d.v[PREEMPTHINT_STAT_GRANTS] == 15 && d.v[PREEMPTHINT_STAT_YIELDS] == 4 &&
		  d.v[PREEMPTHINT_STAT_GRANT_NS_SUM] == 500 && d.v[PREEMPTHINT_STAT_EXPIRIES] == 0,
		  "stats delta: per counter, each reset on its own");
	TAP_CHECK(d.v[PREEMPTHINT_STAT_GRANT_NS_MAX] == 7000,
		  "grant_ns_max is a high-water mark: its current value, not a difference");
	TAP_CHECK(!ph_stat_is_counter(PREEMPTHINT_STAT_GRANT_NS_MAX) &&
		  ph_stat_is_counter(PREEMPTHINT_STAT_GRANT_NS_SUM) &&
		  !ph_stat_is_counter(PREEMPTHINT_STAT_PAD) &&
		  !ph_stat_is_counter(PREEMPTHINT_STAT_UNSPEC), "which stats are counters");

	TAP_CHECK(ph_rate(100, SEC) == 100.0, "100 in 1 s is 100/s");
	TAP_CHECK(ph_rate(50, SEC / 2) == 100.0, "50 in 0.5 s is 100/s");
	TAP_CHECK(ph_rate(3, 1004000000ULL) > 2.988 && ph_rate(3, 1004000000ULL) < 2.989,
		  "a late tick stretches the interval: 3 in 1.004 s is 2.988/s");
	TAP_CHECK(ph_rate(5, 0) == 0.0, "no division by a zero interval");
}

static struct ph_event ev_cg(const char *path, uint64_t t, uint64_t grants)
{
	struct ph_event ev = { .path = path, .cgroup_id = 40 + strlen(path), .time_ns = t };

	ev.stats.v[PREEMPTHINT_STAT_GRANTS] = grants;
	ev.stats.v[PREEMPTHINT_STAT_YIELDS] = grants / 2;
	return ev;
}

static struct ph_event ev_global(uint64_t t, uint64_t grants)
{
	struct ph_event ev = ev_cg("", t, grants);

	ev.path = NULL;
	ev.cgroup_id = 0;
	ev.registered = 3;
	return ev;
}

static int feed(struct ph_monitor *m, struct ph_event ev, struct ph_interval *iv)
{
	return ph_monitor_feed(m, &ev, iv);
}

static void test_rounds(void)
{
	struct ph_monitor m;
	struct ph_interval iv;
	int r1, r2, r3;

	/* Joined at 10 s; the kernel's round of 9.6 s was half sent by then. */
	ph_monitor_init(&m, NULL, 10 * SEC);
	r1 = feed(&m, ev_cg("/b", 9 * SEC + SEC / 2, 5), &iv);
	r2 = feed(&m, ev_global(9 * SEC + SEC / 2, 5), &iv);
	TAP_CHECK(r1 == 0 && r2 == 0 && !m.have_global && !ph_monitor_seen(&m, "/b"),
		  "a round begun before we joined is left out, even its global message");

	r1 = feed(&m, ev_cg("/a", 10 * SEC + SEC / 2, 100), &iv);
	r2 = feed(&m, ev_cg("/b", 10 * SEC + SEC / 2, 10), &iv);
	r3 = feed(&m, ev_global(10 * SEC + SEC / 2, 110), &iv);
	TAP_CHECK(r1 == 0 && r2 == 0 && r3 == 0 && m.intervals == 0,
		  "the first message of each cgroup and the first global one only prime");

	r1 = feed(&m, ev_cg("/a", 11 * SEC + SEC / 2, 250), &iv);
	TAP_CHECK(r1 == 1 && !strcmp(iv.path, "/a") && iv.cgroup_id == 42 &&
		  iv.time_ns == 11 * SEC + SEC / 2 && iv.interval_ns == SEC &&
		  iv.delta.v[PREEMPTHINT_STAT_GRANTS] == 150 &&
		  iv.delta.v[PREEMPTHINT_STAT_YIELDS] == 75,
		  "the second message of a cgroup gives its interval (delta %llu over %llu ns)",
		  (unsigned long long)iv.delta.v[PREEMPTHINT_STAT_GRANTS],
		  (unsigned long long)iv.interval_ns);
	r2 = feed(&m, ev_cg("/b", 11 * SEC + SEC / 2, 4), &iv);
	TAP_CHECK(r2 == 1 && iv.delta.v[PREEMPTHINT_STAT_GRANTS] == 4 &&
		  iv.delta.v[PREEMPTHINT_STAT_YIELDS] == 2,
		  "counters that went down (reset-stats) count from zero");
	TAP_CHECK(m.intervals == 0, "an interval is counted when its round ends, not before");
	r3 = feed(&m, ev_global(11 * SEC + SEC / 2, 254), &iv);
	TAP_CHECK(r3 == 1 && !iv.path && iv.registered == 3 &&
		  iv.delta.v[PREEMPTHINT_STAT_GRANTS] == 144 && m.intervals == 1,
		  "the global message gives the global interval and ends the round");

	/* /b is disabled for a round, then enabled again with fresh counters. */
	feed(&m, ev_cg("/a", 12 * SEC + SEC / 2, 260), &iv);
	feed(&m, ev_global(12 * SEC + SEC / 2, 264), &iv);
	r1 = feed(&m, ev_cg("/b", 13 * SEC + SEC / 2, 1000), &iv);
	TAP_CHECK(r1 == 0, "a cgroup absent from the last round primes again: no made-up rate");
	feed(&m, ev_cg("/a", 13 * SEC + SEC / 2, 270), &iv);
	feed(&m, ev_global(13 * SEC + SEC / 2, 270), &iv);
	r1 = feed(&m, ev_cg("/b", 14 * SEC + SEC / 2, 1010), &iv);
	TAP_CHECK(r1 == 1 && iv.delta.v[PREEMPTHINT_STAT_GRANTS] == 10 && m.intervals == 3,
		  "... and gives intervals again from the round after");

	r1 = feed(&m, ev_cg("/b", 14 * SEC + SEC / 2, 1020), &iv);
	TAP_CHECK(r1 == 0, "a second sample with the same time gives no interval");

	/* The global message of round 15 is lost (ENOBUFS): cgroups go on. */
	feed(&m, ev_global(14 * SEC + SEC / 2, 300), &iv);
	feed(&m, ev_cg("/a", 15 * SEC + SEC / 2, 280), &iv);
	r1 = feed(&m, ev_cg("/a", 16 * SEC + SEC / 2, 290), &iv);
	r2 = feed(&m, ev_global(16 * SEC + SEC / 2, 320), &iv);
	TAP_CHECK(r1 == 1 && r2 == 1 && iv.interval_ns == 2 * SEC &&
		  iv.delta.v[PREEMPTHINT_STAT_GRANTS] == 20,
		  "a lost global message: the next global interval spans both seconds");
	ph_monitor_free(&m);
}

static void test_filter(void)
{
	struct ph_monitor m;
	struct ph_interval iv;
	int r1, r2, r3, lines = 0;
	uint64_t t;

	ph_monitor_init(&m, "/a", 0);
	for (t = 1; t <= 4; t++) {
		r1 = feed(&m, ev_cg("/a", t * SEC, 10 * t), &iv);
		r2 = feed(&m, ev_cg("/b", t * SEC, 20 * t), &iv);
		r3 = feed(&m, ev_global(t * SEC, 30 * t), &iv);
		lines += r1 + r2 + r3;
		TAP_CHECK(r2 == 0 && r3 == 0 && r1 == (t > 1),
			  "--cgroup /a, round %llu: only /a's line (%d %d %d)",
			  (unsigned long long)t, r1, r2, r3);
	}
	TAP_CHECK(lines == 3 && m.intervals == 3 && m.n == 1 && !ph_monitor_seen(&m, "/b"),
		  "--cgroup: other cgroups are not even kept; rounds still count (%lu)",
		  m.intervals);
	ph_monitor_free(&m);

	/* A monitor in a time namespace: its clock seconds away from the kernel's. */
	ph_monitor_init(&m, NULL, 1000 * SEC);
	r1 = feed(&m, ev_cg("/a", 5 * SEC, 1), &iv);
	TAP_CHECK(r1 == 0 && ph_monitor_seen(&m, "/a"),
		  "messages far older than our start are not taken for a half round");
	ph_monitor_free(&m);
}

static struct run print_iv(const struct ph_interval *iv, bool json, bool header)
{
	struct ph_ctx ctx = { .json = json };
	struct run r;

	run_begin(&r, &ctx);
	if (header)
		ph_print_monitor_header(&ctx);
	ph_print_interval(&ctx, iv, 1700000000);	/* 2023-11-14 22:13:20 UTC */
	run_end(&ctx);
	return r;
}

static void test_print(void)
{
	struct ph_interval iv = {
		.path = "/system.slice/postgresql@17-main.service", .cgroup_id = 77,
		.time_ns = 5 * SEC, .interval_ns = SEC / 2,
	};
	struct run r;

	iv.delta.v[PREEMPTHINT_STAT_GRANTS] = 60;
	iv.delta.v[PREEMPTHINT_STAT_EXPIRIES] = 1;
	iv.delta.v[PREEMPTHINT_STAT_YIELDS] = 59;
	iv.delta.v[PREEMPTHINT_STAT_REFUSALS] = 2;
	iv.delta.v[PREEMPTHINT_STAT_LH_PREEMPTIONS] = 3;
	iv.delta.v[PREEMPTHINT_STAT_KERNEL_GRANTS] = 0;
	iv.delta.v[PREEMPTHINT_STAT_GRANT_NS_MAX] = 40000;
	iv.delta.v[PREEMPTHINT_STAT_GRANT_NS_SUM] = 1234567;

	setenv("TZ", "UTC0", 1);
	tzset();
	r = print_iv(&iv, false, true);
	TAP_CHECK(!strcmp(r.out,
		"time         grants/s   expiries/s     yields/s   refusals/s lh_preempt/s    kgrants/s  cgroup\n"
		"22:13:20        120.0          2.0        118.0          4.0          6.0          0.0  /system.slice/postgresql@17-main.service\n"),
		  "monitor text: a header, then time, six rates per second and the cgroup");
	if (strncmp(r.out, "time ", 5))
		diag_text(r.out);
	run_free(&r);

	iv.path = NULL;
	iv.registered = 9;
	r = print_iv(&iv, false, false);
	TAP_CHECK(strstr(r.out, "  (global)\n") && !strstr(r.out, "time "),
		  "monitor text: the global line says (global); no header unless asked (%s)",
		  flat(r.out));
	run_free(&r);

	r = print_iv(&iv, true, true);
	TAP_CHECK(!strcmp(r.out,
		"{\"time\":\"2023-11-14T22:13:20Z\",\"time_ns\":5000000000,\"interval_ns\":500000000,"
		"\"cgroup\":null,\"registered\":9,\"rates\":{\"grants\":120.000,\"expiries\":2.000,"
		"\"yields\":118.000,\"refusals\":4.000,\"lh_preemptions\":6.000,"
		"\"kernel_grants\":0.000,\"waiter_refusals\":0.000,\"arrival_refusals\":0.000,"
		"\"registration_refusals\":0.000},"
		"\"deltas\":{\"grants\":60,"
		"\"expiries\":1,\"yields\":59,\"refusals\":2,\"lh_preemptions\":3,\"kernel_grants\":0,"
		"\"grant_ns_sum\":1234567,\"waiter_refusals\":0,\"arrival_refusals\":0,"
		"\"registration_refusals\":0}}\n"),
		  "monitor -j: one JSON object per line, no header, global with registered (%s)",
		  flat(r.out));
	run_free(&r);

	iv.path = "/q\"x";
	r = print_iv(&iv, true, false);
	TAP_CHECK(strstr(r.out, "\"cgroup\":\"/q\\\"x\",\"id\":77,\"rates\":{") &&
		  !strstr(r.out, "registered"),
		  "monitor -j: a cgroup line has its path (escaped) and id (%s)", flat(r.out));
	run_free(&r);
}

static struct nl_msg *event(void)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 0, 0x20, 0, 0, PREEMPTHINT_CMD_EVENT_STATS,
				 PREEMPTHINT_GENL_VERSION))
		abort();
	return msg;
}

static void put_stats(struct nl_msg *msg, uint64_t base)
{
	struct nlattr *nest = nla_nest_start(msg, PREEMPTHINT_A_STATS);
	int i;

	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++)
		nla_put_u64(msg, i, base + (uint64_t)i);
	nla_nest_end(msg, nest);
}

static void test_parse(void)
{
	struct nl_msg *msg;
	struct ph_event ev;
	int ret;

	msg = event();
	nla_put_string(msg, PREEMPTHINT_A_CGROUP_PATH, "/ph-db");
	nla_put_u64(msg, PREEMPTHINT_A_CGROUP_ID, 4242);
	nla_put_u32(msg, PREEMPTHINT_A_GRACE_US, 50);
	nla_put_u32(msg, PREEMPTHINT_A_MODE, PREEMPTHINT_MODE_HINT);
	nla_put_u64(msg, PREEMPTHINT_A_TIME_NS, 123456789012ULL);
	put_stats(msg, 100);
	ret = ph_nl_parse(nlmsg_hdr(msg), ph_event_parse, &ev);
	TAP_CHECK(ret == 0 && ev.path && !strcmp(ev.path, "/ph-db") && ev.cgroup_id == 4242 &&
		  ev.time_ns == 123456789012ULL && ev.stats.v[PREEMPTHINT_STAT_GRANTS] == 101 &&
		  ev.stats.v[PREEMPTHINT_STAT_GRANT_NS_SUM] == 108,
		  "a cgroup's EVENT_STATS message parses into struct ph_event (ret %d)", ret);
	nlmsg_free(msg);

	msg = event();
	nla_put_u64(msg, PREEMPTHINT_A_TIME_NS, 5);
	nla_put_u32(msg, PREEMPTHINT_A_REGISTERED, 12);
	put_stats(msg, 0);
	ret = ph_nl_parse(nlmsg_hdr(msg), ph_event_parse, &ev);
	TAP_CHECK(ret == 0 && !ev.path && ev.registered == 12 && ev.time_ns == 5,
		  "the global EVENT_STATS message: no path, threads registered (ret %d)", ret);
	nlmsg_free(msg);

	msg = event();
	nla_put_u32(msg, PREEMPTHINT_A_REGISTERED, 12);
	put_stats(msg, 0);
	ret = ph_nl_parse(nlmsg_hdr(msg), ph_event_parse, &ev);
	TAP_CHECK(ret == -EBADMSG, "an event without TIME_NS is a bad message (%d)", ret);
	nlmsg_free(msg);

	msg = event();
	nla_put_u32(msg, PREEMPTHINT_A_TIME_NS, 5);
	put_stats(msg, 0);
	ret = ph_nl_parse(nlmsg_hdr(msg), ph_event_parse, &ev);
	TAP_CHECK(ret == -EBADMSG, "a 32-bit TIME_NS is refused (%d)", ret);
	nlmsg_free(msg);
}

/* Run ph_monitor_args_parse on a NULL-terminated list. */
static struct run parse(struct ph_monitor_args *a, ...)
{
	struct ph_ctx ctx = { .sysfs = "/nonexistent", .cgroup_root = PH_CGROUP_ROOT };
	char *argv[16];
	int argc = 0;
	struct run r;
	va_list ap;

	argv[argc++] = "monitor";
	va_start(ap, a);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	run_begin(&r, &ctx);
	r.rc = ph_monitor_args_parse(&ctx, argc, argv, a);
	run_end(&ctx);
	return r;
}

static void test_args(void)
{
	struct ph_monitor_args a;
	struct run r;

	r = parse(&a, NULL);
	TAP_CHECK(r.rc == 0 && !a.has_cgroup && a.count == 0,
		  "monitor alone: every cgroup, until interrupted");
	run_free(&r);

	r = parse(&a, "--count", "3", "--cgroup=/sys/fs/cgroup/ph-db/", NULL);
	TAP_CHECK(r.rc == 0 && a.has_cgroup && !strcmp(a.cgroup, "/ph-db") && a.count == 3,
		  "monitor --count 3 --cgroup=PATH: path normalised");
	run_free(&r);

	r = parse(&a, "--count", "0", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE &&
		  !strcmp(r.err, "preempthint: --count 0 is out of range (1..4294967295)\n"),
		  "--count 0 is a usage error (%s)", flat(r.err));
	run_free(&r);

	r = parse(&a, "--count", "ten", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "--count wants a number, not 'ten'"),
		  "--count ten is a usage error (%s)", flat(r.err));
	run_free(&r);

	r = parse(&a, "--count", "4294967296", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "out of range"),
		  "--count beyond u32 is out of range");
	run_free(&r);

	r = parse(&a, "--grace-us", "5", NULL);
	TAP_CHECK(r.rc == PH_EXIT_USAGE && strstr(r.err, "monitor: unknown option '--grace-us'"),
		  "monitor refuses another command's option (%s)", flat(r.err));
	run_free(&r);
}

/* What test_listen's callback saw. */
struct seen {
	int n, stop_at;
	uint64_t last_time;
	const char *last_path_kind;
};

static int on_event(struct nlattr **tb, void *arg)
{
	struct seen *s = arg;
	struct ph_event ev;
	int ret = ph_event_parse(tb, &ev);

	if (ret)
		return ret;
	s->n++;
	s->last_time = ev.time_ns;
	s->last_path_kind = ev.path ? "cgroup" : "global";
	return s->stop_at && s->n >= s->stop_at;
}

static volatile sig_atomic_t alarm_stop;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_stop = 1;
}

/* Unicast @msg (consumed) from @tx to the listener, as the kernel would multicast it. */
static int send_to(struct nl_sock *tx, struct nl_msg *msg)
{
	int ret = nl_send(tx, msg);

	nlmsg_free(msg);
	return ret;
}

static struct nl_msg *event_for(int family, uint8_t cmd, uint64_t t, const char *path)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, 0, 0, family, 0, 0, cmd, PREEMPTHINT_GENL_VERSION))
		abort();
	if (path)
		nla_put_string(msg, PREEMPTHINT_A_CGROUP_PATH, path);
	nla_put_u64(msg, PREEMPTHINT_A_TIME_NS, t);
	put_stats(msg, t);
	return msg;
}

/*
 * ph_nl_listen on a real socket, fed by a second one: no module needed, but
 * sending to another socket's port needs CAP_NET_ADMIN (skipped without).
 */
static void test_listen(void)
{
	const int family = 0x7e0;	/* any id no family of the host has */
	struct sigaction sa = { .sa_handler = on_alarm }, old_sa;
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	volatile sig_atomic_t stop = 0;
	struct ph_nl nl = { .family = family };
	struct seen seen = { .stop_at = 3 };
	sigset_t block, old_mask, wait_mask;
	struct nl_sock *tx;
	struct nl_msg *msg;
	int ret, i;

	nl.sk = nl_socket_alloc();
	tx = nl_socket_alloc();
	if (!nl.sk || !tx || nl_connect(nl.sk, NETLINK_GENERIC) || nl_connect(tx, NETLINK_GENERIC))
		abort();
	nl_socket_set_peer_port(tx, nl_socket_get_local_port(nl.sk));

	ret = send_to(tx, event_for(family, PREEMPTHINT_CMD_EVENT_STATS, 1, "/a"));
	if (ret == -NLE_PERM) {
		TAP_CHECK(1, "# SKIP no CAP_NET_ADMIN: cannot send to another netlink socket");
		goto out;
	}
	/* Noise the listener must pass over: another family, another command. */
	send_to(tx, event_for(family + 1, PREEMPTHINT_CMD_EVENT_STATS, 90, "/x"));
	send_to(tx, event_for(family, PREEMPTHINT_CMD_GET_POLICY, 91, "/y"));
	send_to(tx, event_for(family, PREEMPTHINT_CMD_EVENT_STATS, 1, NULL));
	send_to(tx, event_for(family, PREEMPTHINT_CMD_EVENT_STATS, 2, "/a"));
	send_to(tx, event_for(family, PREEMPTHINT_CMD_EVENT_STATS, 2, NULL));
	sigemptyset(&wait_mask);
	ret = ph_nl_listen(&nl, PREEMPTHINT_CMD_EVENT_STATS, on_event, &seen, &wait_mask, &stop);
	TAP_CHECK(ret == 0 && seen.n == 3 && seen.last_time == 2 &&
		  !strcmp(seen.last_path_kind, "cgroup"),
		  "listen: only the family's EVENT_STATS reach the callback; > 0 stops it (ret %d, n %d)",
		  ret, seen.n);

	/* The rest is still queued: a callback error ends the listen with it. */
	msg = nlmsg_alloc();
	genlmsg_put(msg, 0, 0, family, 0, 0, PREEMPTHINT_CMD_EVENT_STATS, 1);
	send_to(tx, msg);
	seen.stop_at = 0;
	ret = ph_nl_listen(&nl, PREEMPTHINT_CMD_EVENT_STATS, on_event, &seen, &wait_mask, &stop);
	TAP_CHECK(ret == -EBADMSG && seen.n == 4,
		  "listen: a bad message stops it with the callback's error (%d)", ret);

	/* nlctrl says our family was unregistered: the module went away. */
	for (i = 0; i < 2; i++) {
		msg = nlmsg_alloc();
		genlmsg_put(msg, 0, 0, GENL_ID_CTRL, 0, 0, CTRL_CMD_DELFAMILY, 2);
		nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, i ? family : family + 1);
		nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, i ? "preempthint" : "other");
		send_to(tx, msg);
	}
	ret = ph_nl_listen(&nl, PREEMPTHINT_CMD_EVENT_STATS, on_event, &seen, &wait_mask, &stop);
	TAP_CHECK(ret == -ENODEV, "listen: the family's DELFAMILY ends it with -ENODEV (%d)", ret);

	stop = 1;
	ret = ph_nl_listen(&nl, PREEMPTHINT_CMD_EVENT_STATS, on_event, &seen, &wait_mask, &stop);
	TAP_CHECK(ret == 0, "listen: a stop already asked for returns 0 at once");

	/* A signal while it waits: blocked outside the wait, let in by @waitmask. */
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);
	wait_mask = old_mask;
	sigdelset(&wait_mask, SIGALRM);
	setitimer(ITIMER_REAL, &it, NULL);
	ret = ph_nl_listen(&nl, PREEMPTHINT_CMD_EVENT_STATS, on_event, &seen, &wait_mask,
			   &alarm_stop);
	sigaction(SIGALRM, &old_sa, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	TAP_CHECK(ret == 0 && alarm_stop, "listen: a signal during the wait ends it with 0 (%d)",
		  ret);
out:
	nl_socket_free(tx);
	ph_nl_close(&nl);
}

int main(void)
{
	test_delta();
	test_rounds();
	test_filter();
	test_print();
	test_parse();
	test_args();
	test_listen();
	temp_cleanup();
	return tap_done();
}
