// SPDX-License-Identifier: GPL-2.0
/*
 * hint_cost: what preempthint_enter()+preempthint_leave() cost per pair,
 * beside an empty loop and beside the cheapest syscall, measured side by
 * side in one run (best of several rounds, to shed noise). Runs anywhere:
 * without the module the pair does the same stores (leave only makes a
 * syscall when the kernel granted an extension).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "preempthint_api.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile unsigned long sink;

static double bare(long n)
{
	double t = now_ns();

	for (long i = 0; i < n; i++)
		sink = i;
	return (now_ns() - t) / n;
}

static double hinted(long n)
{
	double t = now_ns();

	for (long i = 0; i < n; i++) {
		preempthint_enter();
		sink = i;
		preempthint_leave();
	}
	return (now_ns() - t) / n;
}

static double with_syscall(long n)
{
	double t = now_ns();

	for (long i = 0; i < n; i++) {
		sink = i;
		syscall(SYS_getppid);
	}
	return (now_ns() - t) / n;
}

static double best(double (*fn)(long), long n, int rounds)
{
	double b = 1e18;

	for (int r = 0; r < rounds; r++) {
		double v = fn(n);

		if (v < b)
			b = v;
	}
	return b;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000000;
	int registered = preempthint_register() == 0;
	double b = best(bare, n, 5), h = best(hinted, n, 5), s = best(with_syscall, n / 20, 5);

	printf("hint cost, %ld iterations, best of 5 (%s)\n", n,
	       registered ? "slot registered with the module" : "module not loaded: same stores");
	printf("%-28s %8.2f ns/iter\n", "bare loop", b);
	printf("%-28s %8.2f ns/iter  (+%.2f ns per enter/leave pair)\n", "enter + leave", h, h - b);
	printf("%-28s %8.2f ns/iter  (+%.2f ns per syscall)\n", "getppid() syscall", s, s - b);
	printf("a syscall costs %.0fx an enter/leave pair\n", (s - b) / (h - b > 0.01 ? h - b : 0.01));
	return 0;
}
