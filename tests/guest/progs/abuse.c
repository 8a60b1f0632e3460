// SPDX-License-Identifier: GPL-2.0
/*
 * abuse: many threads that register a hint slot and abuse it, to show the
 * module keeps its bounds however many ask. Each thread sets the hint and
 * spins for --section-us (longer than any sane grace, so every extension
 * runs out), drops it for --gap-us, and again, until SIGTERM or SIGINT.
 * --forever sets the hint once and never drops it. Every thread registers,
 * then waits at a start line: nothing spins until all have registered (a
 * thousand spinners would otherwise starve the ones still starting). Just
 * before the start --ready FILE is written, so a test need not poll
 * anything while they hog the CPUs. At the end the main thread reports:
 *
 *   threads      threads started
 *   registered   of which registered a slot (0 without the module)
 *   grants       extensions the kernel granted them, summed over the slots
 *   preempted    their switch-outs while hinted, summed over the slots
 *   penalized    threads whose slot was flagged PENALIZED at the end
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "preempthint_api.h"

static uint64_t section_ns = 2000000, gap_ns = 5000;
static int forever;
static volatile int stop;

/* The start line: threads check in after registering and wait for "go". */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;
static int checked_in, go;

struct abuser {
	pthread_t tid;
	int registered;
	uint32_t grants, preempted, flags;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void spin_for(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end && !stop)
		;
}

static void *abuse(void *arg)
{
	struct abuser *a = arg;
	struct preempthint_slot *slot = preempthint_slot();

	a->registered = preempthint_register() == 0;
	pthread_mutex_lock(&start_lock);
	checked_in++;
	pthread_cond_broadcast(&start_cond);
	while (!go)
		pthread_cond_wait(&start_cond, &start_lock);
	pthread_mutex_unlock(&start_lock);
	if (forever) {
		preempthint_enter();
		while (!stop)
			;
	} else {
		while (!stop) {
			preempthint_enter();
			spin_for(section_ns);
			preempthint_leave();
			spin_for(gap_ns);
		}
	}
	/* Read the module's counters before the thread's TLS goes away. */
	a->grants = __atomic_load_n(&slot->grants, __ATOMIC_RELAXED);
	a->preempted = __atomic_load_n(&slot->preempted, __ATOMIC_RELAXED);
	a->flags = __atomic_load_n(&slot->flags, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "ready", required_argument, NULL, 'r' },
		{ "section-us", required_argument, NULL, 'u' },
		{ "gap-us", required_argument, NULL, 'g' },
		{ "forever", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long grants = 0, preempted = 0;
	int nthreads = 1000, registered = 0, penalized = 0, started, sig;
	const char *ready = NULL;
	struct abuser *a;
	pthread_attr_t attr;
	sigset_t stop_sigs;
	FILE *f;
	int c, i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': nthreads = atoi(optarg); break;
		case 'r': ready = optarg; break;
		case 'u': section_ns = strtoull(optarg, NULL, 0) * 1000; break;
		case 'g': gap_ns = strtoull(optarg, NULL, 0) * 1000; break;
		case 'f': forever = 1; break;
		default:
			fprintf(stderr, "usage: abuse [--threads N] [--ready FILE] "
				"[--section-us U] [--gap-us U] [--forever]\n");
			return 2;
		}
	}
	a = calloc(nthreads, sizeof(*a));
	if (!a || nthreads < 1) {
		perror("abuse");
		return 2;
	}
	/* Threads inherit the mask: only sigwait() below takes these. */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);
	/* Small stacks: a thousand threads in a 2 GB guest. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (started = 0; started < nthreads; started++) {
		if (pthread_create(&a[started].tid, &attr, abuse, &a[started])) {
			perror("pthread_create");
			break;
		}
	}
	pthread_mutex_lock(&start_lock);
	while (checked_in < started)
		pthread_cond_wait(&start_cond, &start_lock);
	/*
	 * Say so before the start: once a thousand threads spin, this one is
	 * a thousandth of its cgroup and may take seconds to write a file.
	 */
	if (ready) {
		f = fopen(ready, "w");
		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
	}
	go = 1;
	pthread_cond_broadcast(&start_cond);
	pthread_mutex_unlock(&start_lock);
	sigwait(&stop_sigs, &sig);
	stop = 1;
	for (i = 0; i < started; i++) {
		pthread_join(a[i].tid, NULL);
		registered += a[i].registered;
		grants += a[i].grants;
		preempted += a[i].preempted;
		penalized += !!(a[i].flags & PREEMPTHINT_F_PENALIZED);
	}
	printf("threads=%d\nregistered=%d\ngrants=%llu\npreempted=%llu\npenalized=%d\n",
	       started, registered, grants, preempted, penalized);
	return started == nthreads ? 0 : 1;
}
