// SPDX-License-Identifier: GPL-2.0
/*
 * pingpong: two threads pass a byte back and forth through two pipes, like
 * `perf bench sched pipe -T`: every round is two wakeups and, on one CPU, two
 * context switches, so the time a round takes carries the scheduler hooks'
 * cost. --cpus A,B pins the two threads (default 1,1: one CPU); --register
 * registers both threads' hint slots, hint never raised (an enabled
 * service's threads between their critical sections).
 * Prints rounds, ns_per_round, and the voluntary switches counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "preempthint_api.h"

struct side {
	int cpu;
	int in, out;		/* read from in, write to out */
	long rounds;
	int err;		/* first failure, as an errno */
};

static int do_register;

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static int setup_thread(struct side *s)
{
	int ret = pin(s->cpu);

	if (ret)
		return ret;
	if (do_register) {
		ret = preempthint_register();
		if (ret)
			return -ret;
	}
	return 0;
}

/* The echoing side: read a byte, send it back. */
static void *echo_main(void *arg)
{
	struct side *s = arg;
	char c;
	long i;

	s->err = setup_thread(s);
	for (i = 0; !s->err && i < s->rounds; i++)
		if (read(s->in, &c, 1) != 1 || write(s->out, &c, 1) != 1)
			s->err = errno ? errno : EIO;
	if (do_register)
		preempthint_unregister();
	close(s->out);	/* a failed echo must not leave the other side blocked */
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'n' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "register", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct side me = { .cpu = 1, .rounds = 20000 }, peer = { .cpu = 1 };
	int ping[2], pong[2], c, ret;
	struct rusage before, after;
	uint64_t start, elapsed;
	pthread_t tid;
	char byte = 'x';
	long i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			me.rounds = strtol(optarg, NULL, 0);
			break;
		case 'c':
			if (sscanf(optarg, "%d,%d", &me.cpu, &peer.cpu) != 2)
				goto usage;
			break;
		case 'r':
			do_register = 1;
			break;
		default:
			goto usage;
		}
	}
	if (me.rounds <= 0 || optind != argc)
		goto usage;
	if (pipe(ping) || pipe(pong)) {
		perror("pingpong: pipe");
		return 1;
	}
	peer.rounds = me.rounds;
	peer.in = ping[0];
	peer.out = pong[1];
	me.in = pong[0];
	me.out = ping[1];

	me.err = setup_thread(&me);
	if (me.err) {
		fprintf(stderr, "pingpong: setup: %s\n", strerror(me.err));
		return 1;
	}
	ret = pthread_create(&tid, NULL, echo_main, &peer);
	if (ret) {
		fprintf(stderr, "pingpong: thread: %s\n", strerror(ret));
		return 1;
	}
	getrusage(RUSAGE_SELF, &before);
	start = now_ns();
	for (i = 0; i < me.rounds; i++) {
		if (write(me.out, &byte, 1) != 1 || read(me.in, &byte, 1) != 1) {
			me.err = errno ? errno : EIO;
			break;
		}
	}
	elapsed = now_ns() - start;
	getrusage(RUSAGE_SELF, &after);
	if (me.err)
		close(me.out);	/* the peer's read sees the end and stops */
	pthread_join(tid, NULL);
	if (do_register)
		preempthint_unregister();
	if (me.err || peer.err) {
		fprintf(stderr, "pingpong: %s\n", strerror(me.err ? me.err : peer.err));
		return 1;
	}
	printf("rounds=%ld\nns_per_round=%.0f\nvoluntary_switches=%ld\n", me.rounds,
	       (double)elapsed / me.rounds, after.ru_nvcsw - before.ru_nvcsw);
	return 0;
usage:
	fprintf(stderr, "usage: pingpong [--rounds N] [--cpus A,B] [--register]\n");
	return 2;
}
