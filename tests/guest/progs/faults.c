// SPDX-License-Identifier: GPL-2.0
/*
 * faults: what a buggy or hostile program can do to its own hint slot, for
 * the fault tests (tests/guest/t/87-faults.sh and the ones after it). The
 * slot is registered with the raw ioctl, in memory this program maps itself
 * (not the TLS slot of preempthint_api.h), so that it can unmap, move or
 * share that memory. Each subcommand prints key=value lines, or TAP lines
 * ("ok - ..." / "not ok - ..."), and exits 0 unless its own checks failed.
 *
 *   badreg HOLD_FILE        registrations with bad arguments, each must fail
 *                           with its errno; then create HOLD_FILE and wait
 *                           until it is removed (the test reads the module's
 *                           count of registered threads meanwhile)
 *   unmap munmap|dontneed|mremap CPU SECONDS [READY_FILE]
 *                           register, set the hint, take the page away (or
 *                           move it), spin next to a hog pinned to CPU;
 *                           READY_FILE is created once the page is gone
 *   fork private|shared CPU SECONDS OUTFILE
 *                           register, set the hint, fork; the parent exits
 *                           at once, the child spins next to a hog and
 *                           writes its figures to OUTFILE
 *   garbage-flip THREADS SECONDS
 *                           threads flip their hint word between valid
 *                           depths and garbage; none may get an extension
 *                           once the kernel has revoked it
 *   garbage-random THREADS SECONDS
 *                           threads write random words into every field of
 *                           their slot and of each other's
 *   spin THREADS READY_FILE STOP_FILE [SECTION_MAX_US [SLEEP_US]]
 *                           hinted sections until STOP_FILE exists, each
 *                           followed by a 50 us spin or a SLEEP_US sleep;
 *                           registers again whenever the slot reads
 *                           unregistered (module unloaded and reloaded);
 *                           READY_FILE.count holds the registrations made
 *   hog SPIN_US SLEEP_US     spin, sleep, and again, until killed
 *   timerprobe PRIO STOP_FILE
 *                           a SCHED_FIFO thread sleeps 2 ms at a time until
 *                           STOP_FILE exists; prints how late it woke
 *   register-many THREADS   start THREADS threads, print "ready", wait for
 *                           SIGUSR1 (the test moves us into a cgroup with a
 *                           small memory.max meanwhile), register them all,
 *                           wait for SIGUSR2 (limit lifted), report, wait
 *                           for SIGUSR1 and exit
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "preempthint.h"

#define PAGE 4096UL

static int failures;

static void check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok - ", cond ? "" : "not ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	failures += !cond;
}

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

/* Nanoseconds a task has run, from /proc/PID/task/TID/schedstat. */
static uint64_t cpu_time_ns(pid_t pid, pid_t tid)
{
	unsigned long long ns = 0;
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

static pid_t fork_hog(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			;	/* affinity and cgroup inherited */
	}
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	return pid;
}

static void kill_hog(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0)
		close(fd);
}

/* The raw ioctl on a fresh fd: 0 or -errno. */
static int reg_raw(uint64_t addr, uint32_t size, uint32_t flags)
{
	struct preempthint_register req = { .slot = addr, .size = size, .flags = flags };
	int fd = open(PREEMPTHINT_DEVICE, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, PREEMPTHINT_IOC_REGISTER, &req) ? -errno : 0;
	close(fd);
	return ret;
}

static int reg(void *slot)
{
	return reg_raw((uintptr_t)slot, sizeof(struct preempthint_slot), 0);
}

static int unreg(void)
{
	int fd = open(PREEMPTHINT_DEVICE, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = ioctl(fd, PREEMPTHINT_IOC_UNREGISTER) ? -errno : 0;
	close(fd);
	return ret;
}

static void *map(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

static uint32_t load32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static const char *errname(int err)
{
	switch (err) {
	case 0: return "success";
	case -EINVAL: return "EINVAL";
	case -EFAULT: return "EFAULT";
	case -ENOTTY: return "ENOTTY";
	case -EBUSY: return "EBUSY";
	case -ENOENT: return "ENOENT";
	case -ENOMEM: return "ENOMEM";
	case -EPERM: return "EPERM";
	default: return strerror(-err);
	}
}

/* ---- badreg ---- */

static void expect(int got, int want, const char *what)
{
	check(got == want, "%s: %s (expected %s)", what, errname(got), errname(want));
	if (got == 0)
		unreg();	/* never leave a wrongly accepted slot behind */
}

static uint64_t vdso_base(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	unsigned long lo, found = 0;
	char line[256];

	while (maps && fgets(line, sizeof(line), maps))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-", &lo) == 1)
			found = lo;
	if (maps)
		fclose(maps);
	return found;
}

static int cmd_badreg(const char *hold)
{
	const uint32_t size = sizeof(struct preempthint_slot);
	struct preempthint_register req = { .size = size };
	char *rw, *ro, *none, *edge, *file;
	uint64_t vdso;
	const uint32_t sizes[] = { 0, 1, 16, size - 1, size + 1, 64, PAGE, 0xffffffffu };
	int fd, memfd, ret;
	char what[96];
	size_t i;

	rw = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	ro = map(PAGE, PROT_READ, MAP_PRIVATE);
	none = map(PAGE, PROT_NONE, MAP_PRIVATE);
	/* Two pages, the second one taken away: a slot right at the end fits. */
	edge = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	munmap(edge + PAGE, PAGE);
	rw[0] = ro[0] + 1;	/* fault in the pages: refusals must not be "not present" */
	edge[0] = 1;

	expect(reg_raw(0, size, 0), -EINVAL, "NULL slot");
	expect(reg_raw((uintptr_t)rw + 8, size, 0), -EINVAL, "slot 8-byte aligned only");
	expect(reg_raw((uintptr_t)rw + 1, size, 0), -EINVAL, "slot at an odd address");
	expect(reg_raw((uintptr_t)edge + PAGE - 16, size, 0), -EINVAL,
	       "slot that would straddle the page end (16 bytes before it)");
	expect(reg_raw((uintptr_t)edge + PAGE, size, 0), -EFAULT, "slot just past the mapping's end");
	expect(reg_raw((uintptr_t)ro, size, 0), -EFAULT, "slot in a read-only mapping (FOLL_WRITE)");
	expect(reg_raw((uintptr_t)none, size, 0), -EFAULT, "slot in a PROT_NONE mapping");
	munmap(none, PAGE);
	expect(reg_raw((uintptr_t)none, size, 0), -EFAULT, "slot in an unmapped page");
	expect(reg_raw(0xffffffffffffe000ull, size, 0), -EFAULT, "slot at a kernel address (top page)");
	expect(reg_raw(0xffff800000000000ull, size, 0), -EFAULT,
	       "slot at a kernel address (start of the kernel half)");
	expect(reg_raw(0x8000000000000000ull, size, 0), -EFAULT, "slot at a non-canonical address");
	expect(reg_raw(0x00007ffffffff000ull, size, 0), -EFAULT, "slot in the last page below 128 TiB");

	/* The vDSO is mapped into every process, and not writable. */
	vdso = vdso_base();
	if (vdso)
		expect(reg_raw(vdso, size, 0), -EFAULT, "slot in the vDSO");

	/* A read-only shared file mapping (a memfd opened again read-only). */
	memfd = memfd_create("ph-ro", MFD_CLOEXEC);
	if (memfd >= 0 && ftruncate(memfd, PAGE) == 0) {
		snprintf(what, sizeof(what), "/proc/self/fd/%d", memfd);
		fd = open(what, O_RDONLY | O_CLOEXEC);
		file = fd >= 0 ? mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
		if (file != MAP_FAILED)
			expect(reg_raw((uintptr_t)file, size, 0), -EFAULT,
			       "slot in a read-only shared file mapping");
		if (fd >= 0)
			close(fd);
	}

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(what, sizeof(what), "size field %u (the slot is %u bytes)", sizes[i], size);
		expect(reg_raw((uintptr_t)rw, sizes[i], 0), -EINVAL, what);
	}
	expect(reg_raw((uintptr_t)rw, size, 1), -EINVAL, "flags field 1");
	expect(reg_raw((uintptr_t)rw, size, 0x80000000u), -EINVAL, "flags field 0x80000000");

	fd = open(PREEMPTHINT_DEVICE, O_RDONLY | O_CLOEXEC);
	ret = ioctl(fd, PREEMPTHINT_IOC_REGISTER, NULL) ? -errno : 0;
	expect(ret, -EFAULT, "request pointer NULL");
	ret = ioctl(fd, PREEMPTHINT_IOC_REGISTER, (void *)0xffffffffffff0000ull) ? -errno : 0;
	expect(ret, -EFAULT, "request pointer into the kernel");
	req.slot = (uintptr_t)rw;
	ret = ioctl(fd, _IOW(PREEMPTHINT_IOC_MAGIC, 1, uint64_t), &req) ? -errno : 0;
	expect(ret, -ENOTTY, "register command encoded with the wrong size");
	ret = ioctl(fd, _IO(PREEMPTHINT_IOC_MAGIC, 99)) ? -errno : 0;
	expect(ret, -ENOTTY, "unknown command");
	close(fd);

	/* What must work: the last slot of a page, a shared memfd page. */
	ret = reg_raw((uintptr_t)edge + PAGE - size, size, 0);
	check(ret == 0, "the last %u bytes of a page before a hole register: %s", size,
	      errname(ret));
	check(unreg() == 0, "... and unregister");
	file = memfd >= 0 ? mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0)
			  : MAP_FAILED;
	ret = file != MAP_FAILED ? reg(file) : -ENOMEM;
	check(ret == 0, "a slot in a shared memfd page registers: %s", errname(ret));
	check(unreg() == 0, "... and unregisters");

	/* Hold: nothing of the above may be registered while we are alive. */
	touch(hold);
	while (access(hold, F_OK) == 0)
		usleep(20000);
	return failures ? 1 : 0;
}

/* ---- unmap ---- */

struct run {
	uint64_t lh;		/* gaps > 1 ms while spinning: lost the CPU */
	double me_pct, hog_pct;
};

/* Spin for @ns next to @hog (both on this CPU); count lost-CPU gaps. */
static void spin_beside(pid_t hog, uint64_t ns, struct run *r)
{
	uint64_t start = now_ns(), t0, t1, hog0, me0;

	hog0 = cpu_time_ns(hog, hog);
	me0 = cpu_time_ns(getpid(), gettid());
	r->lh = 0;
	for (t0 = start; t0 - start < ns; t0 = t1) {
		t1 = now_ns();
		if (t1 - t0 > 1000000)
			r->lh++;
	}
	t1 = now_ns() - start;
	r->hog_pct = 100.0 * (double)(cpu_time_ns(hog, hog) - hog0) / (double)t1;
	r->me_pct = 100.0 * (double)(cpu_time_ns(getpid(), gettid()) - me0) / (double)t1;
}

static void print_run(const char *prefix, const struct run *r)
{
	printf("%slh=%llu\n%sme_pct=%.1f\n%shog_pct=%.1f\n", prefix, (unsigned long long)r->lh,
	       prefix, r->me_pct, prefix, r->hog_pct);
}

static int cmd_unmap(const char *how, int cpu, int seconds, const char *ready)
{
	struct preempthint_slot *slot;
	char *page, *dest;
	struct run r;
	uint64_t end;
	pid_t hog;
	int ret;

	pin(cpu);
	page = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	slot = (struct preempthint_slot *)page;
	ret = reg(slot);
	if (ret) {
		printf("register=%s\n", errname(ret));
		return 1;
	}
	printf("register=success\n");
	hog = fork_hog();
	usleep(50000);

	if (!strcmp(how, "mremap")) {
		/*
		 * The page moves, the pin follows it: the kernel must still see
		 * this thread's writes and the thread the kernel's.
		 */
		dest = map(PAGE, PROT_NONE, MAP_PRIVATE);
		slot = mremap(page, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dest);
		if (slot == MAP_FAILED) {
			perror("mremap");
			return 2;
		}
		store32(&slot->nest, 1);
		spin_beside(hog, (uint64_t)seconds * 500000000ull, &r);
		print_run("stuck_", &r);
		printf("stuck_grants=%u\nstuck_flags=%#x\n", load32(&slot->grants),
		       load32(&slot->flags));
		store32(&slot->nest, 0);
		sched_yield();	/* left the section: the penalty ends here */
		printf("yield_flags=%#x\n", load32(&slot->flags));
		end = now_ns() + (uint64_t)seconds * 500000000ull;
		while (now_ns() < end) {
			uint64_t t = now_ns() + 20000;

			store32(&slot->nest, 1);
			while (now_ns() < t)
				;
			store32(&slot->nest, 0);
			if (load32(&slot->flags) & PREEMPTHINT_F_GRANTED)
				sched_yield();
			t = now_ns() + 20000;
			while (now_ns() < t)
				;
		}
		printf("sections_grants=%u\nsections_flags=%#x\n", load32(&slot->grants),
		       load32(&slot->flags));
		kill_hog(hog);
		return 0;
	}

	store32(&slot->nest, 1);	/* hint on, and then the page is gone */
	if (!strcmp(how, "munmap")) {
		munmap(page, PAGE);
	} else if (!strcmp(how, "dontneed")) {
		madvise(page, PAGE, MADV_DONTNEED);
		/* A fresh zero page now: the kernel's copy is not this one. */
		printf("flags_after=%#x\nnest_after=%u\n", load32(&slot->flags),
		       load32(&slot->nest));
	} else {
		fprintf(stderr, "unmap: munmap, dontneed or mremap\n");
		return 2;
	}
	if (ready)
		touch(ready);
	spin_beside(hog, (uint64_t)seconds * 1000000000ull, &r);
	print_run("", &r);
	kill_hog(hog);
	return 0;
}

/* ---- fork ---- */

static int cmd_fork(const char *how, int cpu, int seconds, const char *outfile)
{
	int shared = !strcmp(how, "shared");
	struct preempthint_slot *slot;
	uint32_t flags_start, flags_end;
	pid_t parent = getpid(), child, hog;
	struct run r;
	FILE *out;
	int ret;

	pin(cpu);
	slot = map(PAGE, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE);
	ret = reg(slot);
	printf("register=%s\n", errname(ret));
	if (ret)
		return 1;
	store32(&slot->nest, 1);
	printf("parent_flags=%#x\n", load32(&slot->flags));
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child > 0) {
		/* The parent exits with its hint set, the child still spinning. */
		printf("child=%d\n", (int)child);
		return 0;
	}
	while (getppid() == parent)
		usleep(1000);
	flags_start = load32(&slot->flags);
	hog = fork_hog();
	usleep(50000);
	spin_beside(hog, (uint64_t)seconds * 1000000000ull, &r);
	flags_end = load32(&slot->flags);
	kill_hog(hog);
	out = fopen(outfile, "w");
	if (!out)
		_exit(2);
	fprintf(out, "child_flags_start=%#x\nchild_flags_end=%#x\nchild_grants=%u\n", flags_start,
		flags_end, load32(&slot->grants));
	fprintf(out, "lh=%llu\nme_pct=%.1f\nhog_pct=%.1f\n", (unsigned long long)r.lh, r.me_pct,
		r.hog_pct);
	fclose(out);
	_exit(0);
}

/* ---- threads: garbage, spin, register-many ---- */

struct worker {
	pthread_t tid;
	pid_t os_tid;
	struct preempthint_slot *slot;
	uint64_t seed;
	/* results */
	int registered, err;
	int revoked;
	uint64_t revoke_ns;
	uint32_t grants_before, grants_after;
	uint64_t registrations, detaches, grants_total, sections, max_section_ns;
	uint64_t errors;
};

static struct worker *workers;
static int nworkers;
static volatile int stop;
static uint64_t start_ns;

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64*: cheap, no locks, one state per thread */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end && !stop)
		;
}

static struct preempthint_slot *own_slot(void)
{
	/* One page per thread: nothing else of ours shares it. */
	return map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}

static void *flip_body(void *arg)
{
	struct worker *w = arg;
	struct preempthint_slot *s = w->slot;
	uint64_t i, warm = start_ns + 300000000ull;

	w->os_tid = gettid();
	w->err = reg(s);
	w->registered = !w->err;
	for (i = 0; !stop; i++) {
		uint32_t flags = load32(&s->flags);

		if ((flags & PREEMPTHINT_F_REVOKED) && !w->revoked) {
			w->revoked = 1;
			w->revoke_ns = now_ns() - start_ns;
			w->grants_before = load32(&s->grants);
		}
		if (now_ns() > warm && rnd(&w->seed) % 4 == 0) {
			/* garbage: any word above the deepest nesting */
			store32(&s->nest, PREEMPTHINT_NEST_MAX + 1 +
					  (uint32_t)(rnd(&w->seed) % (0xffffffffu - PREEMPTHINT_NEST_MAX)));
			s->reserved[rnd(&w->seed) & 1] = rnd(&w->seed);
			spin_ns(100000);
			store32(&s->nest, 0);
		} else {
			store32(&s->nest, 1 + (uint32_t)(rnd(&w->seed) % PREEMPTHINT_NEST_MAX));
			spin_ns(100000);
			store32(&s->nest, 0);
			if (load32(&s->flags) & PREEMPTHINT_F_GRANTED)
				sched_yield();
		}
		spin_ns(50000);
	}
	w->grants_after = load32(&s->grants) - (w->revoked ? w->grants_before : 0);
	if (!w->revoked)
		w->grants_before = load32(&s->grants);
	return NULL;
}

static void *random_body(void *arg)
{
	struct worker *w = arg;
	struct preempthint_slot *s = w->slot;
	uint64_t i;

	w->os_tid = gettid();
	w->err = reg(s);
	w->registered = !w->err;
	for (i = 0; !stop; i++) {
		/* Our own slot: every field, the nest word most often. */
		store32(&s->nest, (uint32_t)rnd(&w->seed));
		s->reserved[i & 1] = rnd(&w->seed);
		if (i % 16 == 0) {
			store32(&s->flags, (uint32_t)rnd(&w->seed));
			store32(&s->grants, (uint32_t)rnd(&w->seed));
			store32(&s->preempted, (uint32_t)rnd(&w->seed));
		}
		/* And another thread's: the kernel updates its flags meanwhile. */
		if (i % 4 == 0) {
			struct preempthint_slot *o = workers[rnd(&w->seed) % nworkers].slot;

			store32(&o->flags, (uint32_t)rnd(&w->seed));
			store32(&o->nest, (uint32_t)rnd(&w->seed));
		}
	}
	return NULL;
}

static void start_workers(int n, void *(*body)(void *))
{
	int i;

	nworkers = n;
	workers = calloc(n, sizeof(*workers));
	for (i = 0; i < n; i++) {
		workers[i].slot = own_slot();
		workers[i].seed = 0x9e3779b97f4a7c15ull * (i + 1) ^ (uint64_t)getpid();
	}
	start_ns = now_ns();
	for (i = 0; i < n; i++)
		pthread_create(&workers[i].tid, NULL, body, &workers[i]);
}

static void join_workers(void)
{
	int i;

	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i].tid, NULL);
}

/* Two hogs, unpinned, beside THREADS workers; their CPU share is printed. */
static int cmd_garbage(int flip, int n, int seconds)
{
	uint64_t hog0[2], hog1[2], t, sum_before = 0, sum_after = 0, max_rev = 0;
	int i, revoked = 0, registered = 0;
	pid_t hogs[2];

	hogs[0] = fork_hog();
	hogs[1] = fork_hog();
	start_workers(n, flip ? flip_body : random_body);
	t = now_ns();
	hog0[0] = cpu_time_ns(hogs[0], hogs[0]);
	hog0[1] = cpu_time_ns(hogs[1], hogs[1]);
	sleep(seconds);
	hog1[0] = cpu_time_ns(hogs[0], hogs[0]);
	hog1[1] = cpu_time_ns(hogs[1], hogs[1]);
	t = now_ns() - t;
	stop = 1;
	join_workers();
	kill_hog(hogs[0]);
	kill_hog(hogs[1]);
	for (i = 0; i < n; i++) {
		registered += workers[i].registered;
		revoked += workers[i].revoked;
		sum_before += workers[i].grants_before;
		sum_after += workers[i].grants_after;
		if (workers[i].revoke_ns > max_rev)
			max_rev = workers[i].revoke_ns;
	}
	printf("threads=%d\nregistered=%d\n", n, registered);
	if (flip) {
		printf("revoked=%d\ngrants_before_revoke=%llu\ngrants_after_revoke=%llu\n", revoked,
		       (unsigned long long)sum_before, (unsigned long long)sum_after);
		printf("revoke_max_ms=%.1f\n", max_rev / 1e6);
	}
	/* A hog's fair share is 2 CPUs over (threads + 2 hogs). */
	printf("hog_pct=%.1f %.1f\nhog_fair_pct=%.1f\n", 100.0 * (hog1[0] - hog0[0]) / t,
	       100.0 * (hog1[1] - hog0[1]) / t, 200.0 / (n + 2));
	return 0;
}

/* ---- spin: hinted sections that survive module unload and reload ---- */

static uint64_t section_max_ns = 200000, sleep_ns;

static void *spin_body(void *arg)
{
	struct worker *w = arg;
	struct preempthint_slot *s = w->slot;
	uint64_t next_try = 0, t0, d;
	int was_registered = 0, ret;

	w->os_tid = gettid();
	while (!stop) {
		uint32_t flags = load32(&s->flags);

		if (!(flags & PREEMPTHINT_F_REGISTERED)) {
			if (was_registered) {
				/* The module let go of us: unloaded. */
				w->detaches++;
				w->grants_total += load32(&s->grants);
				was_registered = 0;
			}
			if (now_ns() >= next_try) {
				ret = reg(s);
				if (ret == 0) {
					__atomic_store_n(&w->registrations, w->registrations + 1,
							 __ATOMIC_RELAXED);
					w->registered = was_registered = 1;
				} else if (ret != -ENOENT && ret != -ENODEV && ret != -ENXIO) {
					w->errors++;
					w->err = ret;
				}
				next_try = now_ns() + 1000000;
			}
		}
		t0 = now_ns();
		store32(&s->nest, 1);
		spin_ns(20000 + rnd(&w->seed) % section_max_ns);
		store32(&s->nest, 0);
		d = now_ns() - t0;
		if (d > w->max_section_ns)
			w->max_section_ns = d;
		w->sections++;
		if (load32(&s->flags) & PREEMPTHINT_F_GRANTED)
			sched_yield();
		if (sleep_ns)
			usleep(sleep_ns / 1000);
		else
			spin_ns(50000);
	}
	if (was_registered)
		w->grants_total += load32(&s->grants);
	return NULL;
}

/* Write @n to @path (replacing it), for a test to read without a fork. */
static void publish(const char *path, uint64_t n)
{
	char tmp[300], buf[32];
	int fd, len;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	len = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)n);
	if (write(fd, buf, len) != len)
		len = -1;
	close(fd);
	if (len > 0)
		rename(tmp, path);
}

static int cmd_spin(int n, const char *ready, const char *stopfile)
{
	uint64_t reg_min = ~0ull, reg_max = 0, det_min = ~0ull, det_max = 0;
	uint64_t grants = 0, sections = 0, errors = 0, max_sec = 0, regs, last = ~0ull;
	char count_file[256];
	int i, all;

	/* READY_FILE.count: registrations so far, summed over the threads. */
	snprintf(count_file, sizeof(count_file), "%s.count", ready);
	start_workers(n, spin_body);
	do {
		usleep(10000);
		for (i = 0, all = 1; i < n; i++)
			all &= workers[i].registered;
	} while (!all && access(stopfile, F_OK) != 0);
	touch(ready);
	while (access(stopfile, F_OK) != 0) {
		for (i = 0, regs = 0; i < n; i++)
			regs += __atomic_load_n(&workers[i].registrations, __ATOMIC_RELAXED);
		if (regs != last)
			publish(count_file, regs);
		last = regs;
		usleep(20000);
	}
	stop = 1;
	join_workers();
	for (i = 0; i < n; i++) {
		struct worker *w = &workers[i];

		reg_min = w->registrations < reg_min ? w->registrations : reg_min;
		reg_max = w->registrations > reg_max ? w->registrations : reg_max;
		det_min = w->detaches < det_min ? w->detaches : det_min;
		det_max = w->detaches > det_max ? w->detaches : det_max;
		grants += w->grants_total;
		sections += w->sections;
		errors += w->errors;
		if (w->max_section_ns > max_sec)
			max_sec = w->max_section_ns;
		if (w->errors)
			printf("error=%s\n", errname(w->err));
	}
	printf("threads=%d\nregistrations=%llu..%llu\ndetaches=%llu..%llu\n", n,
	       (unsigned long long)reg_min, (unsigned long long)reg_max,
	       (unsigned long long)det_min, (unsigned long long)det_max);
	printf("grants=%llu\nsections=%llu\nregister_errors=%llu\nmax_section_us=%.0f\n",
	       (unsigned long long)grants, (unsigned long long)sections,
	       (unsigned long long)errors, max_sec / 1e3);
	return 0;
}

/* ---- hog: spin, sleep, again, until killed ---- */

static int cmd_hog(uint64_t spin_us, uint64_t sleep_us)
{
	for (;;) {
		spin_ns(spin_us * 1000);
		usleep(sleep_us);
	}
	return 0;
}

/* ---- timerprobe: how late a SCHED_FIFO sleeper wakes, until told ---- */

static int cmd_timerprobe(int prio, const char *stopfile)
{
	struct sched_param sp = { .sched_priority = prio };
	uint64_t next, now, late, max = 0, sum = 0, n = 0;
	struct timespec ts;

	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("sched_setscheduler");
		return 2;
	}
	next = now_ns();
	while (n % 16 || access(stopfile, F_OK) != 0) {
		next += 2000000;
		ts.tv_sec = next / 1000000000ull;
		ts.tv_nsec = next % 1000000000ull;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		now = now_ns();
		late = now > next ? now - next : 0;
		max = late > max ? late : max;
		sum += late;
		n++;
		if (now > next + 2000000)
			next = now;	/* no burst of catch-up samples */
	}
	printf("samples=%llu\nmean_us=%.1f\nmax_us=%.1f\n", (unsigned long long)n,
	       sum / 1e3 / n, max / 1e3);
	return 0;
}

/* ---- register-many: registrations under a memory limit ---- */

static pthread_barrier_t bar_ready, bar_go, bar_done;
static int many_results[4];	/* success, ENOMEM, other, the other errno */
static int many_fd;

static void *many_body(void *arg)
{
	struct worker *w = arg;
	struct preempthint_register req = {
		.slot = (uintptr_t)w->slot,
		.size = sizeof(struct preempthint_slot),
	};

	pthread_barrier_wait(&bar_ready);
	pthread_barrier_wait(&bar_go);
	/*
	 * One fd, opened before the limit: opening a file allocates memory
	 * the cgroup is charged for, and only the module's own allocation
	 * may meet the limit here.
	 */
	w->err = ioctl(many_fd, PREEMPTHINT_IOC_REGISTER, &req) ? -errno : 0;
	pthread_barrier_wait(&bar_done);
	/* Stay alive, registered, until the report is out. */
	while (!stop)
		usleep(10000);
	return NULL;
}

static int cmd_register_many(int n)
{
	pthread_attr_t attr;
	sigset_t set;
	int i, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pthread_barrier_init(&bar_ready, NULL, n + 1);
	pthread_barrier_init(&bar_go, NULL, n + 1);
	pthread_barrier_init(&bar_done, NULL, n + 1);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	many_fd = open(PREEMPTHINT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (many_fd < 0) {
		perror(PREEMPTHINT_DEVICE);
		return 2;
	}
	nworkers = n;
	workers = calloc(n, sizeof(*workers));
	/* Slots packed 128 to a page: every thread's own, all faulted in now. */
	{
		char *slots = map(((size_t)n * 32 + PAGE - 1) & ~(PAGE - 1),
				  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE);

		for (i = 0; i < n; i++)
			workers[i].slot = (struct preempthint_slot *)(slots + 32 * (size_t)i);
	}
	for (i = 0; i < n; i++)
		if (pthread_create(&workers[i].tid, &attr, many_body, &workers[i])) {
			printf("started=%d\n", i);
			return 2;
		}
	pthread_barrier_wait(&bar_ready);
	printf("ready pid=%d\n", (int)getpid());
	fflush(stdout);
	sigwait(&set, &sig);	/* SIGUSR1: moved into the limited cgroup */
	pthread_barrier_wait(&bar_go);
	pthread_barrier_wait(&bar_done);
	for (i = 0; i < n; i++) {
		int e = workers[i].err;

		many_results[e == 0 ? 0 : e == -ENOMEM ? 1 : 2]++;
		if (e && e != -ENOMEM)
			many_results[3] = e;
	}
	sigwait(&set, &sig);	/* SIGUSR2: the limit is lifted; report */
	printf("threads=%d\nregistered=%d\nenomem=%d\nother=%d\n", n, many_results[0],
	       many_results[1], many_results[2]);
	if (many_results[2])
		printf("other_errno=%s\n", errname(many_results[3]));
	fflush(stdout);
	/* Wait for SIGUSR1 again: the test reads the count while we live. */
	sigwait(&set, &sig);
	stop = 1;
	join_workers();
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "badreg") && argc > 2)
		return cmd_badreg(argv[2]);
	if (!strcmp(cmd, "unmap") && argc > 4)
		return cmd_unmap(argv[2], atoi(argv[3]), atoi(argv[4]), argc > 5 ? argv[5] : NULL);
	if (!strcmp(cmd, "fork") && argc > 5)
		return cmd_fork(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5]);
	if (!strcmp(cmd, "garbage-flip") && argc > 3)
		return cmd_garbage(1, atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(cmd, "garbage-random") && argc > 3)
		return cmd_garbage(0, atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(cmd, "spin") && argc > 4) {
		if (argc > 5)
			section_max_ns = strtoull(argv[5], NULL, 0) * 1000;
		if (argc > 6)
			sleep_ns = strtoull(argv[6], NULL, 0) * 1000;
		return cmd_spin(atoi(argv[2]), argv[3], argv[4]);
	}
	if (!strcmp(cmd, "hog") && argc > 3)
		return cmd_hog(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0));
	if (!strcmp(cmd, "timerprobe") && argc > 3)
		return cmd_timerprobe(atoi(argv[2]), argv[3]);
	if (!strcmp(cmd, "register-many") && argc > 2)
		return cmd_register_many(atoi(argv[2]));
	fprintf(stderr, "usage: faults badreg|unmap|fork|garbage-flip|garbage-random|spin|hog|"
		"timerprobe|register-many ... (see the top of faults.c)\n");
	return 2;
}
