// SPDX-License-Identifier: GPL-2.0
/*
 * holder: a thread that takes a userspace spinlock over and over, each time
 * for --section-us, pinned to one CPU next to a CPU hog (a forked child).
 * Prints key=value lines a test script can check:
 *
 *   sections          critical sections completed
 *   lh_observed       sections during which the hog ran: the hog counts its
 *                     loops in shared memory and the holder compares the
 *                     count before and after each section (measured here,
 *                     without the module, and blind to the host pausing the
 *                     guest's vCPU, which a wall clock is not)
 *   slow_sections     sections that took > section + --slack-us of wall time
 *                     (lost the CPU to anyone, or the vCPU was not run)
 *   slot_preempted    the module's count of switch-outs while hinted
 *   slot_grants       the module's count of extensions granted
 *   holder_pct/hog_pct  CPU shares over the run (from /proc/PID/schedstat)
 *   max_section_us    the longest section seen
 *
 * --forever enters once and spins with the hint set for the whole run (a
 * misbehaving holder); --no-hint runs the same loop without the hint.
 *
 * --fault touches a fresh page inside every section: the holder runs part
 * of its critical section in the kernel (minor page faults).
 *
 * --wake-us U adds wakeup preemption from another CPU: a sleeper pinned to
 * the holder's CPU blocks on a pipe that a waker on --waker-cpu writes every
 * U us. --wake-rt makes the sleeper SCHED_FIFO. The sleeper's wakeup latency
 * (write to read) is printed as wake_p50_us/wake_p99_us/wake_max_us.
 * --sleeper-cgroup DIR moves the sleeper into that cgroup v2 directory
 * before the first wakeup: another service's task waking next to the holder.
 * --hog-rt makes the hog SCHED_FIFO: the holder then runs only in what the
 * fair deadline server grants fair tasks, and hog_max_gap_us is the longest
 * the hog went without the CPU (what an extension would add to).
 * --hog-cgroup DIR does the same with the hog: another service's task
 * queued on the holder's CPU whenever the holder runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "preempthint_api.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(2);
	}
}

/* Nanoseconds task @pid has run, from /proc/PID/schedstat. */
static uint64_t cpu_time_ns(pid_t pid)
{
	unsigned long long ns = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	if (f)
		fclose(f);
	return ns;
}

static volatile int spin_lock_word;

/*
 * The hog's loop count, shared with the holder: it moves only while the hog
 * runs, and the hog shares the holder's CPU.
 */
static volatile uint64_t *hog_loops;	/* [0] loops, [1] longest gap (ns, --hog-rt) */

static uint64_t hog_progress(void)
{
	return __atomic_load_n(hog_loops, __ATOMIC_RELAXED);
}

static void lock(void)
{
	while (__atomic_exchange_n(&spin_lock_word, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_store_n(&spin_lock_word, 0, __ATOMIC_RELEASE);
}

static void spin_until(uint64_t t)
{
	while (now_ns() < t)
		;
}

#define MAX_WAKES 200000

struct wake_log {
	uint64_t n;
	uint32_t us[MAX_WAKES];
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void stop_hog(pid_t hog)
{
	kill(hog, SIGKILL);
	waitpid(hog, NULL, 0);
}

static int move_to_cgroup(pid_t pid, const char *dir)
{
	char path[4096];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	bad = fprintf(f, "%d\n", (int)pid) < 0;
	bad |= fclose(f) != 0;
	if (bad)
		fprintf(stderr, "holder: cannot move %d to %s\n", (int)pid, dir);
	return bad ? -1 : 0;
}

/*
 * Fork the sleeper (on @cpu, in @cgroup unless NULL) and the waker (on
 * @waker_cpu) until @end. -1 if the sleeper cannot be moved (it is gone).
 */
static int start_wakeups(int cpu, int waker_cpu, int rt, const char *cgroup, uint64_t every_ns,
			  uint64_t end, struct wake_log *log, pid_t *sleeper, pid_t *waker)
{
	struct sched_param sp = { .sched_priority = 10 };
	int fds[2];
	uint64_t ts;

	if (pipe(fds)) {
		perror("pipe");
		exit(2);
	}
	*sleeper = fork();
	if (*sleeper == 0) {
		pin(cpu);
		if (rt && sched_setscheduler(0, SCHED_FIFO, &sp)) {
			perror("sched_setscheduler");
			_exit(2);
		}
		close(fds[1]);
		while (read(fds[0], &ts, sizeof(ts)) == sizeof(ts))
			if (log->n < MAX_WAKES)
				log->us[log->n++] = (uint32_t)((now_ns() - ts) / 1000);
		_exit(0);
	}
	if (cgroup && move_to_cgroup(*sleeper, cgroup)) {
		kill(*sleeper, SIGKILL);
		waitpid(*sleeper, NULL, 0);
		return -1;
	}
	*waker = fork();
	if (*waker == 0) {
		pin(waker_cpu);
		close(fds[0]);
		while ((ts = now_ns()) < end) {
			if (write(fds[1], &ts, sizeof(ts)) != sizeof(ts))
				break;
			spin_until(ts + every_ns);
		}
		_exit(0);
	}
	close(fds[0]);
	close(fds[1]);
	return 0;
}

int main(int argc, char **argv)
{
	int waker_cpu = 0, wake_rt = 0, fault = 0, hog_rt = 0;
	const char *sleeper_cgroup = NULL, *hog_cgroup = NULL;
	size_t fault_len = 64u << 20, fault_off = 0;
	char *fault_mem = NULL;
	uint64_t wake_ns = 0;
	struct wake_log *wlog = NULL;
	pid_t sleeper = 0, waker = 0;
	int cpu = 1, seconds = 5, hint = 1, forever = 0;
	uint64_t section_ns = 20000, gap_ns = 20000, slack_ns = 1000000;
	uint64_t start, end, t0, t1, d, max_ns = 0, sections = 0, lh = 0, slow = 0;
	uint64_t hog0, hog1, me0, me1, h0, h1;
	uint32_t flags_held = 0;
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "section-us", required_argument, NULL, 'l' },
		{ "gap-us", required_argument, NULL, 'g' },
		{ "slack-us", required_argument, NULL, 'k' },
		{ "no-hint", no_argument, NULL, 'n' },
		{ "forever", no_argument, NULL, 'f' },
		{ "wake-us", required_argument, NULL, 'w' },
		{ "waker-cpu", required_argument, NULL, 'W' },
		{ "wake-rt", no_argument, NULL, 'r' },
		{ "sleeper-cgroup", required_argument, NULL, 'C' },
		{ "hog-cgroup", required_argument, NULL, 'H' },
		{ "hog-rt", no_argument, NULL, 'R' },
		{ "fault", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	pid_t hog;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cpu = atoi(optarg); break;
		case 's': seconds = atoi(optarg); break;
		case 'l': section_ns = strtoull(optarg, NULL, 0) * 1000; break;
		case 'g': gap_ns = strtoull(optarg, NULL, 0) * 1000; break;
		case 'k': slack_ns = strtoull(optarg, NULL, 0) * 1000; break;
		case 'n': hint = 0; break;
		case 'f': forever = 1; break;
		case 'w': wake_ns = strtoull(optarg, NULL, 0) * 1000; break;
		case 'W': waker_cpu = atoi(optarg); break;
		case 'r': wake_rt = 1; break;
		case 'C': sleeper_cgroup = optarg; break;
		case 'H': hog_cgroup = optarg; break;
		case 'R': hog_rt = 1; break;
		case 'F': fault = 1; break;
		default:
			fprintf(stderr, "usage: holder [--cpu N] [--seconds S] [--section-us U] "
				"[--gap-us U] [--slack-us U] [--no-hint] [--forever] [--fault]\n"
				"              [--hog-cgroup DIR] [--hog-rt]\n"
				"              [--wake-us U [--waker-cpu N] [--wake-rt] "
				"[--sleeper-cgroup DIR]]\n");
			return 2;
		}
	}

	pin(cpu);
	if (hint) {
		ret = preempthint_register();
		if (ret) {
			fprintf(stderr, "holder: register: %s\n", strerror(-ret));
			return 1;
		}
	}

	if (fault) {
		fault_mem = mmap(NULL, fault_len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (fault_mem == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		/* 4 KiB faults: a huge page's first touch zeroes 2 MiB. */
		madvise(fault_mem, fault_len, MADV_NOHUGEPAGE);
	}

	hog_loops = mmap(NULL, 2 * sizeof(*hog_loops), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (hog_loops == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	hog = fork();
	if (hog == 0 && hog_rt) {
		struct sched_param sp = { .sched_priority = 1 };
		uint64_t last, t;

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			perror("holder: SCHED_FIFO hog");
			_exit(2);
		}
		for (last = now_ns();; last = t) {
			t = now_ns();
			if (t - last > hog_loops[1])
				hog_loops[1] = t - last;
			__atomic_store_n(hog_loops, *hog_loops + 1, __ATOMIC_RELAXED);
		}
	}
	if (hog == 0) {
		for (;;)	/* the CPU hog: pinned by inheritance */
			__atomic_store_n(hog_loops, *hog_loops + 1, __ATOMIC_RELAXED);
	}
	if (hog_cgroup && move_to_cgroup(hog, hog_cgroup)) {
		stop_hog(hog);
		return 2;
	}
	usleep(100000);	/* let the hog settle on the CPU */

	start = now_ns();
	end = start + (uint64_t)seconds * 1000000000ull;
	hog0 = cpu_time_ns(hog);
	me0 = cpu_time_ns(getpid());
	if (wake_ns) {
		wlog = mmap(NULL, sizeof(*wlog), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (wlog == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		if (start_wakeups(cpu, waker_cpu, wake_rt, sleeper_cgroup, wake_ns, end, wlog,
				  &sleeper, &waker)) {
			stop_hog(hog);
			return 2;
		}
	}

	if (forever) {
		preempthint_enter();
		lock();
		h0 = hog_progress();
		for (t0 = now_ns(); t0 < end; t0 = t1) {
			t1 = now_ns();
			if (t1 - t0 > slack_ns)
				slow++;
			h1 = hog_progress();
			if (h1 != h0)
				lh++;	/* the hog ran while we held the lock */
			h0 = h1;
		}
		/* What the kernel says while we still hold the lock. */
		flags_held = preempthint_slot()->flags;
		unlock();
		preempthint_leave();
	} else {
		while ((t0 = now_ns()) < end) {
			if (hint)
				preempthint_enter();
			h0 = hog_progress();
			lock();
			if (fault_mem) {
				fault_mem[fault_off] = 1;	/* a minor fault */
				fault_off += 4096;
			}
			spin_until(t0 + section_ns);
			unlock();
			t1 = now_ns();
			/*
			 * Read right after entering and right before leaving, so
			 * the count covers the window the module counts in
			 * (under TCG a now_ns() takes microseconds), and the
			 * yield owed on leaving falls outside.
			 */
			h1 = hog_progress();
			if (hint)
				preempthint_leave();
			d = t1 - t0;
			if (d > max_ns)
				max_ns = d;
			if (d > section_ns + slack_ns)
				slow++;
			if (h1 != h0)
				lh++;
			sections++;
			if (fault_mem && fault_off >= fault_len) {
				/* Outside the section: drop the pages to fault again. */
				madvise(fault_mem, fault_len, MADV_DONTNEED);
				fault_off = 0;
			}
			spin_until(now_ns() + gap_ns);
		}
	}

	hog1 = cpu_time_ns(hog);
	me1 = cpu_time_ns(getpid());
	d = now_ns() - start;
	stop_hog(hog);
	if (wlog) {
		waitpid(waker, NULL, 0);	/* it stops at the end time; EOF stops the sleeper */
		waitpid(sleeper, NULL, 0);
		qsort(wlog->us, wlog->n, sizeof(wlog->us[0]), cmp_u32);
		printf("wakeups=%llu\n", (unsigned long long)wlog->n);
		if (wlog->n) {
			printf("wake_p50_us=%u\n", wlog->us[wlog->n / 2]);
			printf("wake_p99_us=%u\n", wlog->us[wlog->n * 99 / 100]);
			printf("wake_max_us=%u\n", wlog->us[wlog->n - 1]);
		}
	}

	printf("pid=%d\n", (int)getpid());
	printf("sections=%llu\n", (unsigned long long)sections);
	printf("lh_observed=%llu\n", (unsigned long long)lh);
	printf("slow_sections=%llu\n", (unsigned long long)slow);
	printf("slot_preempted=%u\n", preempthint_slot()->preempted);
	printf("slot_grants=%u\n", preempthint_slot()->grants);
	printf("slot_flags=%#x\n", preempthint_slot()->flags);
	printf("flags_held=%#x\n", flags_held);
	printf("holder_pct=%.1f\n", 100.0 * (double)(me1 - me0) / (double)d);
	printf("hog_pct=%.1f\n", 100.0 * (double)(hog1 - hog0) / (double)d);
	printf("max_section_us=%.1f\n", max_ns / 1000.0);
	if (hog_rt)
		printf("hog_max_gap_us=%.1f\n", hog_loops[1] / 1000.0);
	return 0;
}
