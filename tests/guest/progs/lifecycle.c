// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle: registration corner cases for the guest suite. Each subcommand
 * prints "ok - ..." / "not ok - ..." lines (TAP without numbers) and exits 0
 * only if all of its checks passed.
 *
 *   lifecycle api            register/unregister errors and re-registration
 *   lifecycle threads N      N threads register, some exit while hinted
 *   lifecycle fork           the child of a hinted thread is not registered
 *   lifecycle exec           exec drops the registration
 *   lifecycle hold SECONDS [STOP_FILE]
 *                            register, set the hint and spin (for kill -9 and
 *                            unload tests) for SECONDS, or until STOP_FILE
 *                            exists; prints the slot flags at the end
 *   lifecycle garbage        garbage in the hint word revokes the extension
 *   lifecycle flood N MS     N threads register at once and hold their slots
 *                            MS ms; prints registered=, enospc=, enomem=,
 *                            other= lines (not TAP: the caller judges them)
 *   lifecycle churn N        register and unregister N times in a row;
 *                            prints the same counts
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "preempthint_api.h"

static int failures;

static void check(int cond, const char *what)
{
	printf("%sok - %s\n", cond ? "" : "not ", what);
	if (!cond)
		failures++;
	fflush(stdout);
}

static int register_at(uint64_t addr)
{
	struct preempthint_register req = { .slot = addr, .size = sizeof(struct preempthint_slot) };
	int fd = open(PREEMPTHINT_DEVICE, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, PREEMPTHINT_IOC_REGISTER, &req) ? -errno : 0;
	close(fd);
	return ret;
}

static void spin_ms(int ms)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static int cmd_api(void)
{
	static struct preempthint_slot spare;
	void *unmapped;

	check(register_at(0) == -EINVAL, "registering a NULL slot fails with EINVAL");
	check(register_at((uintptr_t)&spare + 4) == -EINVAL,
	      "registering a misaligned slot fails with EINVAL");
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(unmapped, 4096);
	check(register_at((uintptr_t)unmapped) == -EFAULT,
	      "registering an unmapped address fails with EFAULT");
	check(preempthint_unregister() == -ENOENT, "unregistering when not registered gives ENOENT");
	check(preempthint_register() == 0, "register succeeds");
	check(preempthint_slot()->flags & PREEMPTHINT_F_REGISTERED,
	      "the kernel marks the slot registered");
	check(preempthint_register() == -EBUSY, "a second register gives EBUSY");
	check(preempthint_unregister() == 0, "unregister succeeds");
	check(!(preempthint_slot()->flags & PREEMPTHINT_F_REGISTERED),
	      "unregister clears the registered flag");
	check(preempthint_register() == 0, "register again after unregister succeeds");
	preempthint_enter();
	preempthint_enter();
	check(preempthint_slot()->nest == 2, "sections nest (nest=2)");
	preempthint_leave();
	preempthint_leave();
	preempthint_leave();
	check(preempthint_slot()->nest == 0, "an unbalanced leave does not wrap the count");
	return failures ? 1 : 0;
}

static void *thread_body(void *arg)
{
	long i = (long)arg;

	if (preempthint_register())
		return (void *)1;
	preempthint_enter();
	spin_ms(2);
	if (i % 2)
		return NULL;	/* exit while hinted */
	preempthint_leave();
	return NULL;
}

static int cmd_threads(int n)
{
	pthread_t *t = calloc(n, sizeof(*t));
	int i, bad = 0;
	void *res;

	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, thread_body, (void *)(long)i);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], &res);
		bad += res != NULL;
	}
	check(bad == 0, "every thread registered its own slot");
	free(t);
	return failures ? 1 : 0;
}

struct flood {
	pthread_barrier_t registered, release;
	int counts[4];	/* registered, ENOSPC, ENOMEM, other */
	pthread_mutex_t lock;
};

/* The index in counts[] of a registration's outcome. */
static int outcome(int ret)
{
	return !ret ? 0 : ret == -ENOSPC ? 1 : ret == -ENOMEM ? 2 : 3;
}

static void flood_count(struct flood *f, int ret)
{
	pthread_mutex_lock(&f->lock);
	f->counts[outcome(ret)]++;
	pthread_mutex_unlock(&f->lock);
}

static void print_counts(const int c[4])
{
	printf("registered=%d\nenospc=%d\nenomem=%d\nother=%d\n", c[0], c[1], c[2], c[3]);
	fflush(stdout);
}

static void *flood_body(void *arg)
{
	struct flood *f = arg;

	flood_count(f, preempthint_register());
	pthread_barrier_wait(&f->registered);
	pthread_barrier_wait(&f->release);
	return NULL;
}

/* Every thread registers before any leaves, so none gives its place back early. */
static int cmd_flood(int n, int hold_ms)
{
	pthread_t *t = calloc(n, sizeof(*t));
	struct flood f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	int i;

	pthread_barrier_init(&f.registered, NULL, n + 1);
	pthread_barrier_init(&f.release, NULL, n + 1);
	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, flood_body, &f))
			return 2;
	pthread_barrier_wait(&f.registered);
	print_counts(f.counts);
	usleep(hold_ms * 1000);
	pthread_barrier_wait(&f.release);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}

static int cmd_churn(int n)
{
	int c[4] = { 0 }, i, ret;

	for (i = 0; i < n; i++) {
		ret = preempthint_register();
		c[outcome(ret)]++;
		if (!ret)
			preempthint_unregister();
	}
	print_counts(c);
	return 0;
}

static int cmd_fork(void)
{
	int status;
	pid_t pid;

	check(preempthint_register() == 0, "parent registers");
	preempthint_enter();
	pid = fork();
	if (pid == 0) {
		/* The slot was copied; the registration was not. */
		if (preempthint_unregister() != -ENOENT)
			_exit(1);
		if (preempthint_slot()->flags != 0)
			_exit(2);
		if (preempthint_register() != 0)
			_exit(3);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the forked child is unregistered, has clean flags and can register itself");
	preempthint_leave();
	check(preempthint_slot()->flags & PREEMPTHINT_F_REGISTERED,
	      "the parent is still registered after the child exited");
	return failures ? 1 : 0;
}

static int cmd_exec(const char *self, int after)
{
	if (after) {
		check(preempthint_unregister() == -ENOENT, "exec dropped the registration");
		return failures ? 1 : 0;
	}
	check(preempthint_register() == 0, "register before exec");
	preempthint_enter();
	fflush(stdout);
	execl(self, self, "exec", "after", (char *)NULL);
	perror("execl");
	return 1;
}

static int cmd_hold(int seconds, const char *stop)
{
	int ms;

	if (preempthint_register()) {
		check(0, "hold: register");
		return 1;
	}
	preempthint_enter();
	/*
	 * With a stop file the test decides when to look (after an unload,
	 * however long that takes on a slow kernel); SECONDS is then a limit.
	 */
	for (ms = 0; ms < seconds * 1000; ms += 10) {
		spin_ms(10);
		if (stop && access(stop, F_OK) == 0)
			break;
	}
	printf("flags=%#x grants=%u preempted=%u\n", preempthint_slot()->flags,
	       preempthint_slot()->grants, preempthint_slot()->preempted);
	preempthint_leave();
	return 0;
}

static int cmd_garbage(void)
{
	check(preempthint_register() == 0, "register");
	__atomic_store_n(&preempthint_slot()->nest, 0xdeadbeef, __ATOMIC_RELAXED);
	spin_ms(1500);	/* a few ticks: requests arrive and read the word */
	check(preempthint_slot()->flags & PREEMPTHINT_F_REVOKED,
	      "garbage in the hint word revokes the extension");
	check(preempthint_slot()->grants == 0, "no extension was granted on garbage");
	preempthint_slot()->nest = 0;
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "api"))
		return cmd_api();
	if (!strcmp(cmd, "threads") && argc > 2)
		return cmd_threads(atoi(argv[2]));
	if (!strcmp(cmd, "fork"))
		return cmd_fork();
	if (!strcmp(cmd, "exec"))
		return cmd_exec(argv[0], argc > 2);
	if (!strcmp(cmd, "hold") && argc > 2)
		return cmd_hold(atoi(argv[2]), argc > 3 ? argv[3] : NULL);
	if (!strcmp(cmd, "garbage"))
		return cmd_garbage();
	if (!strcmp(cmd, "flood") && argc > 3)
		return cmd_flood(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(cmd, "churn") && argc > 2)
		return cmd_churn(atoi(argv[2]));
	fprintf(stderr, "usage: lifecycle api|threads N|fork|exec|hold S [STOP]|garbage|flood N MS|churn N\n");
	return 2;
}
