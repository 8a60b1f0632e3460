// SPDX-License-Identifier: GPL-2.0
/*
 * preempthint monitor [--cgroup PATH] [--count N]: rates from the counters
 * the module multicasts once a second. The netlink side is ph_nl_subscribe
 * and ph_nl_listen, the arithmetic ph_monitor_feed, the output
 * ph_print_interval; this file only wires them together.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "nl.h"

enum { OPT_CGROUP, OPT_COUNT, OPT_N };

/*
 * No local check that the cgroup exists, as for disable and stats: the
 * policy of a removed cgroup goes on, and one may be enabled later.
 */
int ph_monitor_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_monitor_args *a)
{
	struct ph_opt opts[OPT_N] = {
		[OPT_CGROUP] = { .name = "--cgroup" },
		[OPT_COUNT] = { .name = "--count" },
	};
	int ret;

	memset(a, 0, sizeof(*a));
	ret = ph_opts_parse(ctx, "monitor", argc, argv, opts, OPT_N);
	if (!ret && opts[OPT_COUNT].value)
		ret = ph_arg_count(ctx, "--count", opts[OPT_COUNT].value, &a->count);
	if (!ret && opts[OPT_CGROUP].value) {
		a->has_cgroup = true;
		ret = ph_arg_cgroup(ctx, opts[OPT_CGROUP].value, a->cgroup, sizeof(a->cgroup));
	}
	return ret;
}

struct ph_monitor_run {
	struct ph_ctx *ctx;
	const struct ph_monitor_args *args;
	struct ph_monitor mon;
	bool header;		/* the text header is out */
	bool warned;		/* said the --cgroup is not enabled */
	uint64_t round_ns;	/* the round "wall" belongs to */
	time_t wall;		/* when its first message came in */
};

static volatile sig_atomic_t ph_monitor_stop;

static void ph_monitor_signal(int sig)
{
	(void)sig;
	ph_monitor_stop = 1;
}

static uint64_t ph_monotonic_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One EVENT_STATS message: > 0 once --count intervals are out. */
static int ph_monitor_on_event(struct nlattr **tb, void *arg)
{
	struct ph_monitor_run *run = arg;
	struct ph_ctx *ctx = run->ctx;
	struct ph_interval iv;
	struct ph_event ev;
	int ret;

	ret = ph_event_parse(tb, &ev);
	if (ret)
		return ret;
	/* One time per round, so that a round's lines agree even across a second. */
	if (ev.time_ns != run->round_ns) {
		run->round_ns = ev.time_ns;
		run->wall = time(NULL);
	}
	ret = ph_monitor_feed(&run->mon, &ev, &iv);
	if (ret < 0)
		return ret;
	if (ret) {
		if (!run->header)
			ph_print_monitor_header(ctx);
		run->header = true;
		ph_print_interval(ctx, &iv, run->wall);
		fflush(ctx->out);
	}
	/* After a whole round, a cgroup we wait for and did not see is not enabled. */
	if (!ev.path && run->args->has_cgroup && !run->warned && run->mon.have_global &&
	    !ph_monitor_seen(&run->mon, run->args->cgroup)) {
		fprintf(ctx->err, "preempthint: monitor: cgroup %s is not enabled (yet); waiting\n",
			run->args->cgroup);
		run->warned = true;
	}
	return run->args->count && run->mon.intervals >= run->args->count;
}

int cmd_monitor(struct ph_ctx *ctx, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = ph_monitor_signal }, old_int, old_term;
	struct ph_monitor_run run = { .ctx = ctx };
	struct ph_monitor_args a;
	sigset_t block, old_mask, wait_mask;
	struct ph_nl nl;
	int ret, err;

	ret = ph_monitor_args_parse(ctx, argc, argv, &a);
	if (!ret)
		ret = ph_nl_open(ctx, &nl);
	if (ret)
		return ret;
	ret = ph_nl_subscribe(ctx, &nl, PREEMPTHINT_GENL_MCGRP);
	if (ret) {
		ph_nl_close(&nl);
		return ret;
	}
	run.args = &a;
	ph_monitor_init(&run.mon, a.has_cgroup ? a.cgroup : NULL, ph_monotonic_ns());

	/*
	 * SIGINT and SIGTERM end the monitor normally (exit 0). They are
	 * blocked but while ph_nl_listen waits, so none is lost between its
	 * check of the flag and its wait; no SA_RESTART, so the wait ends.
	 */
	ph_monitor_stop = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	wait_mask = old_mask;
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);

	err = ph_nl_listen(&nl, PREEMPTHINT_CMD_EVENT_STATS, ph_monitor_on_event, &run, &wait_mask,
			   &ph_monitor_stop);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	ph_monitor_free(&run.mon);
	ph_nl_close(&nl);

	if (err == -ENODEV) {
		fprintf(ctx->err, "preempthint: monitor: the module was unloaded\n");
		return PH_EXIT_UNAVAILABLE;
	}
	return err ? ph_nl_fail(ctx, &nl, "monitor", err) : PH_EXIT_OK;
}
