// SPDX-License-Identifier: GPL-2.0
/*
 * abuse: many threads that register a hint slot and abuse it, to show the
 * module keeps its bounds however many ask. Each thread sets the hint and
 * spins for --section-us (longer than any sane grace, so every extension
 * runs out), drops it for --gap-us, and again, until SIGTERM or SIGINT.
 * --forever sets the hint once and never drops it. --no-yield drops it with
 * a plain store instead of preempthint_leave(), which yields when granted or
 * penalized: an experiment's knob, to tell the yields' cost from the
 * extensions' (a penalized thread then stays penalized). --always-yield
 * calls sched_yield() after every section, granted or not: the yields'
 * load without the module's deferral, for a run with the cgroup disabled.
 * Every thread registers, then waits at a start line: nothing spins until
 * all have registered (a thousand spinners would otherwise starve the ones
 * still starting). Just before the start --ready FILE is written, so a test
 * need not poll anything while they hog the CPUs.
 *
 * Once they spin, a woken thread of this process waits its turn behind up
 * to a thousand spinners, seconds on an emulated guest. So nothing depends
 * on one thread waking another: the start line is a futex all threads
 * leave at one wake (a mutex and condition variable would let them through
 * one at a time, each behind the ones already spinning: minutes), and the
 * stop signal is blocked in the main thread, so the kernel hands it to a
 * spinner, which is on a CPU or soon will be. At the end the main thread
 * reports:
 *
 *   threads      threads started
 *   registered   of which registered a slot (0 without the module)
 *   grants       extensions the kernel granted them, summed over the slots
 *   preempted    their switch-outs while hinted, summed over the slots
 *   penalized    threads whose slot was flagged PENALIZED at the end of one
 *                of their sections (leaving it then yields, which lifts the
 *                penalty)
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "preempthint_api.h"

static uint64_t section_ns = 2000000, gap_ns = 5000;
static int forever, no_yield, always_yield;
static volatile sig_atomic_t stop;

/* The start line: threads check in after registering and wait for "go". */
static uint32_t checked_in, go;

struct abuser {
	pthread_t tid;
	int registered;
	uint32_t grants, preempted, flags;
	bool penalized;
};

static void on_stop_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void futex_wait(uint32_t *word, uint32_t seen)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void futex_wake_all(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

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
	__atomic_add_fetch(&checked_in, 1, __ATOMIC_RELEASE);
	futex_wake_all(&checked_in);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		futex_wait(&go, 0);
	if (forever) {
		preempthint_enter();
		while (!stop)
			;
	} else {
		while (!stop) {
			preempthint_enter();
			spin_for(section_ns);
			if (__atomic_load_n(&slot->flags, __ATOMIC_RELAXED) &
			    PREEMPTHINT_F_PENALIZED)
				a->penalized = true;
			if (no_yield)
				__atomic_store_n(&slot->nest, 0, __ATOMIC_RELAXED);
			else
				preempthint_leave();
			if (always_yield)
				sched_yield();
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
		{ "no-yield", no_argument, NULL, 'n' },
		{ "always-yield", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long grants = 0, preempted = 0;
	int nthreads = 1000, registered = 0, penalized = 0, started;
	struct sigaction on_stop = { .sa_handler = on_stop_signal };
	const char *ready = NULL;
	struct abuser *a;
	pthread_attr_t attr;
	sigset_t stop_sigs;
	uint32_t seen;
	FILE *f;
	int c, i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': nthreads = atoi(optarg); break;
		case 'r': ready = optarg; break;
		case 'u': section_ns = strtoull(optarg, NULL, 0) * 1000; break;
		case 'g': gap_ns = strtoull(optarg, NULL, 0) * 1000; break;
		case 'f': forever = 1; break;
		case 'n': no_yield = 1; break;
		case 'y': always_yield = 1; break;
		default:
			fprintf(stderr, "usage: abuse [--threads N] [--ready FILE] "
				"[--section-us U] [--gap-us U] [--forever] [--no-yield] "
				"[--always-yield]\n");
			return 2;
		}
	}
	a = calloc(nthreads, sizeof(*a));
	if (!a || nthreads < 1) {
		perror("abuse");
		return 2;
	}
	sigemptyset(&on_stop.sa_mask);
	if (sigaction(SIGTERM, &on_stop, NULL) || sigaction(SIGINT, &on_stop, NULL)) {
		perror("sigaction");
		return 2;
	}
	/* Small stacks: a thousand threads in a 2 GB guest. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (started = 0; started < nthreads; started++) {
		if (pthread_create(&a[started].tid, &attr, abuse, &a[started])) {
			perror("pthread_create");
			break;
		}
	}
	/* The threads take the stop signals from now on (see the top). */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);
	while ((seen = __atomic_load_n(&checked_in, __ATOMIC_ACQUIRE)) < (uint32_t)started)
		futex_wait(&checked_in, seen);
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
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	futex_wake_all(&go);
	/* The threads run until the stop signal; joining waits for it. */
	for (i = 0; i < started; i++) {
		pthread_join(a[i].tid, NULL);
		registered += a[i].registered;
		grants += a[i].grants;
		preempted += a[i].preempted;
		penalized += a[i].penalized || (a[i].flags & PREEMPTHINT_F_PENALIZED);
	}
	printf("threads=%d\nregistered=%d\ngrants=%llu\npreempted=%llu\npenalized=%d\n",
	       started, registered, grants, preempted, penalized);
	return started == nthreads ? 0 : 1;
}
