// SPDX-License-Identifier: GPL-2.0
/*
 * latprobe: a cyclictest-like wakeup latency probe. One thread sleeps until
 * an absolute time every --interval-us and records how late it woke up, for
 * --seconds of wall-clock time; --fifo PRIO makes it SCHED_FIFO, else it is
 * SCHED_OTHER.
 * Prints its pid (to find it in a trace), samples, p50_us, p99_us and max_us.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + ts->tv_nsec;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "interval-us", required_argument, NULL, 'i' },
		{ "fifo", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t interval_ns = 1000000, end_ns, *lat;
	int seconds = 5, fifo = 0, c;
	size_t n = 0, cap;
	struct timespec next, now;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': seconds = atoi(optarg); break;
		case 'i': interval_ns = strtoull(optarg, NULL, 0) * 1000; break;
		case 'f': fifo = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: latprobe [--seconds S] [--interval-us U] [--fifo PRIO]\n");
			return 2;
		}
	}
	if (fifo) {
		struct sched_param sp = { .sched_priority = fifo };

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			perror("sched_setscheduler");
			return 2;
		}
	}
	cap = (size_t)seconds * 1000000000ull / interval_ns + 1;
	lat = calloc(cap, sizeof(*lat));
	if (!lat) {
		perror("latprobe");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	/*
	 * Stop at the deadline, not after a number of samples: a starved probe
	 * must report its latency, not run for samples x latency.
	 */
	end_ns = ts_ns(&next) + (uint64_t)seconds * 1000000000ull;
	while (n < cap && ts_ns(&next) < end_ns) {
		uint64_t t = ts_ns(&next) + interval_ns;

		next.tv_sec = t / 1000000000ull;
		next.tv_nsec = t % 1000000000ull;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		lat[n++] = ts_ns(&now) > t ? ts_ns(&now) - t : 0;
		/* A late wakeup must not turn into a burst of catch-up samples. */
		if (ts_ns(&now) > t + interval_ns)
			next = now;
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("pid=%d\nsamples=%zu\np50_us=%.1f\np99_us=%.1f\nmax_us=%.1f\n", (int)getpid(), n,
	       lat[n / 2] / 1000.0, lat[n * 99 / 100] / 1000.0, lat[n - 1] / 1000.0);
	free(lat);
	return 0;
}
