// SPDX-License-Identifier: GPL-2.0
/*
 * A deliberately broken module for the debug kernel's self-test: on load it
 * commits one bug of each kind the debug kernel exists to catch, so that
 * `make check-debug` can prove each one reaches the kernel log and fails
 * the run (tests/lab/check-log.sh). Each is harmless to the guest: the
 * out-of-bounds read stays inside KASAN's redzone, the lock inversion
 * happens in one thread and cannot deadlock, and might_sleep() with
 * preemption off reports without sleeping.
 *
 * On a kernel without the debug options it loads and does nothing visible
 * (the self-test then fails: it expects the reports).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/slab.h>

static DEFINE_MUTEX(ph_selftest_a);
static DEFINE_MUTEX(ph_selftest_b);

/*
 * Only kmemleak's scan can find these: nothing points to them once we
 * return. Several, because a stale copy of the last pointer may survive on
 * a kernel stack, which kmemleak scans whole.
 */
static void ph_selftest_leak(void)
{
	void *p;
	int i;

	for (i = 0; i < 8; i++) {
		p = kmalloc(96 + 32 * i, GFP_KERNEL);
		OPTIMIZER_HIDE_VAR(p);
		if (!p)
			break;
	}
	pr_info("deliberately leaked %d objects\n", i);
}

/*
 * One byte past a 13-byte object: KASAN's slab-out-of-bounds (the rest of
 * the 16-byte granule is poisoned, so the granule size cannot hide it).
 */
static void ph_selftest_out_of_bounds(void)
{
	char *p = kmalloc(13, GFP_KERNEL);
	size_t i = 13;

	if (!p)
		return;
	/* Hide the index so the compiler cannot warn or fold the access. */
	OPTIMIZER_HIDE_VAR(i);
	pr_info("deliberate out-of-bounds read: %d\n", READ_ONCE(p[i]));
	kfree(p);
}

/* A then B, later B then A: lockdep's circular locking dependency. */
static void ph_selftest_lock_inversion(void)
{
	mutex_lock(&ph_selftest_a);
	mutex_lock(&ph_selftest_b);
	mutex_unlock(&ph_selftest_b);
	mutex_unlock(&ph_selftest_a);

	mutex_lock(&ph_selftest_b);
	mutex_lock(&ph_selftest_a);
	mutex_unlock(&ph_selftest_a);
	mutex_unlock(&ph_selftest_b);
}

/* A sleeping call with preemption off: DEBUG_ATOMIC_SLEEP's report. */
static void ph_selftest_sleep_in_atomic(void)
{
	preempt_disable();
	might_sleep();
	preempt_enable();
}

static int __init ph_selftest_debug_init(void)
{
	pr_info("committing deliberate bugs for the debug kernel's self-test\n");
	ph_selftest_leak();
	ph_selftest_out_of_bounds();
	ph_selftest_lock_inversion();
	ph_selftest_sleep_in_atomic();
	return 0;
}

static void __exit ph_selftest_debug_exit(void)
{
}

module_init(ph_selftest_debug_init);
module_exit(ph_selftest_debug_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("preempthint lab self-test: bugs for KASAN, lockdep, kmemleak, atomic-sleep checks");
