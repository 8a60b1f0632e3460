// SPDX-License-Identifier: GPL-2.0
/*
 * ph_failalloc: make one module's own allocations fail on demand, and count
 * what that module holds, for tests/guest/t/88-nomem.sh.
 *
 * Debian's 7.x kernels are built without CONFIG_FAULT_INJECTION (no
 * failslab, fail_page_alloc or fail_function) and without
 * CONFIG_DEBUG_KMEMLEAK. This test module stands in for both, for the
 * target module only. Kretprobes sit on the allocators preempthint calls
 * directly (kmalloc, kstrdup, the per-CPU allocator, alloc_skb,
 * pin_user_pages_fast, alloc_workqueue); a call whose return address lies
 * in the target's text, made by a task of the chosen name, is eligible, and
 * may be made to fail: the object is released again and NULL (or -ENOMEM)
 * returned, which is all the caller can see. What the target's callees
 * allocate inside the kernel (rhashtable buckets, misc_register, genetlink,
 * fprobe) is left alone: failing those would test the kernel.
 *
 * What the target allocated this way is remembered by address until it is
 * given back (the kfree tracepoint, probes on free_percpu, unpin_user_page
 * and destroy_workqueue, whoever calls them: an RCU callback, or a tail
 * call that hides the target as the caller): after the target unloads, or
 * fails to load, nothing must be left.
 *
 * Load it before the target: the target's text is learnt from the module
 * notifier when the target is loaded.
 *
 * Parameters (/sys/module/ph_failalloc/parameters/):
 *   target       the module whose calls are eligible (preempthint)
 *   comm         only calls by tasks of this name ("" = any task)
 *   probability  percent of eligible calls that fail (100)
 *   interval     only every interval-th eligible call may fail (1)
 *   times        failures left: -1 = no limit, 0 = none (the default)
 *   eligible     eligible calls seen; write 0 to count afresh
 *   failed       calls made to fail
 *   kmalloc_live, percpu_live, pins_live, wq_live
 *                what the target holds of what it allocated itself
 *   missed       return probes lost (the counts above are then unsure)
 *   set_full     allocations not remembered, the table being full (ditto)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

static char *target = "preempthint";
module_param(target, charp, 0444);
MODULE_PARM_DESC(target, "module whose own allocations are eligible");

static char comm[TASK_COMM_LEN];
module_param_string(comm, comm, sizeof(comm), 0644);
MODULE_PARM_DESC(comm, "only calls by tasks of this name (empty: any)");

static unsigned int probability = 100;
module_param(probability, uint, 0644);
MODULE_PARM_DESC(probability, "percent of eligible calls that fail");

static unsigned int interval = 1;
module_param(interval, uint, 0644);
MODULE_PARM_DESC(interval, "only every interval-th eligible call may fail");

static int times;
module_param(times, int, 0644);
MODULE_PARM_DESC(times, "failures left: -1 no limit, 0 none");

static unsigned long eligible;
module_param(eligible, ulong, 0644);
MODULE_PARM_DESC(eligible, "eligible calls seen (write 0 to restart)");

static unsigned long failed;
module_param(failed, ulong, 0444);
MODULE_PARM_DESC(failed, "calls made to fail");

static DEFINE_SPINLOCK(decide_lock);

/* ---- what the target holds: a multiset of addresses, by kind ---- */

enum held { HELD_KMALLOC, HELD_PERCPU, HELD_PIN, HELD_WQ, HELD_KINDS };

#define SET_BITS 13
#define SET_SIZE (1U << SET_BITS)

static struct {
	unsigned long key;	/* 0: empty */
	enum held kind;
} set[SET_SIZE];
static unsigned int set_count;
static long held[HELD_KINDS];
static unsigned long set_full;	/* additions refused: the counts are then unsure */
static DEFINE_SPINLOCK(set_lock);

static unsigned int set_home(unsigned long key)
{
	return hash_long(key, SET_BITS);
}

static void set_add(unsigned long key, enum held kind)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&set_lock, flags);
	if (set_count >= SET_SIZE / 2) {
		set_full++;
	} else {
		for (i = set_home(key); set[i].key; i = (i + 1) % SET_SIZE)
			;
		set[i].key = key;
		set[i].kind = kind;
		set_count++;
		held[kind]++;
	}
	spin_unlock_irqrestore(&set_lock, flags);
}

/* Linear probing; deletion shifts the run back instead of leaving marks. */
static void set_del(unsigned long key)
{
	unsigned int i, j, home;
	unsigned long flags;

	if (!READ_ONCE(set_count))
		return;
	spin_lock_irqsave(&set_lock, flags);
	for (i = set_home(key); set[i].key && set[i].key != key; i = (i + 1) % SET_SIZE)
		;
	if (set[i].key) {
		held[set[i].kind]--;
		set_count--;
		for (j = (i + 1) % SET_SIZE; set[j].key; j = (j + 1) % SET_SIZE) {
			home = set_home(set[j].key);
			/* Move j back to i unless its home lies in (i, j]. */
			if ((i < j) ? (home <= i || home > j) : (home <= i && home > j)) {
				set[i] = set[j];
				i = j;
			}
		}
		set[i].key = 0;
	}
	spin_unlock_irqrestore(&set_lock, flags);
}

static int held_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", READ_ONCE(held[(uintptr_t)kp->arg]));
}

static const struct kernel_param_ops held_ops = { .get = held_get };
module_param_cb(kmalloc_live, &held_ops, (void *)HELD_KMALLOC, 0444);
module_param_cb(percpu_live, &held_ops, (void *)HELD_PERCPU, 0444);
module_param_cb(pins_live, &held_ops, (void *)HELD_PIN, 0444);
module_param_cb(wq_live, &held_ops, (void *)HELD_WQ, 0444);
module_param(set_full, ulong, 0444);
MODULE_PARM_DESC(set_full, "allocations not remembered (table full)");

/* ---- the target's text, from the module notifier ---- */

static struct {
	unsigned long text, text_size, init, init_size;
} range;

static bool in_target(unsigned long addr)
{
	unsigned long base = READ_ONCE(range.text);

	if (base && addr - base < READ_ONCE(range.text_size))
		return true;
	base = READ_ONCE(range.init);
	return base && addr - base < READ_ONCE(range.init_size);
}

static int module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, target))
		return NOTIFY_DONE;
	switch (state) {
	case MODULE_STATE_COMING:
		WRITE_ONCE(range.text_size, mod->mem[MOD_TEXT].size);
		WRITE_ONCE(range.text, (unsigned long)mod->mem[MOD_TEXT].base);
		WRITE_ONCE(range.init_size, mod->mem[MOD_INIT_TEXT].size);
		WRITE_ONCE(range.init, (unsigned long)mod->mem[MOD_INIT_TEXT].base);
		break;
	case MODULE_STATE_LIVE:
		WRITE_ONCE(range.init, 0);	/* init text is freed now */
		break;
	case MODULE_STATE_GOING:
		WRITE_ONCE(range.init, 0);
		WRITE_ONCE(range.text, 0);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block module_nb = { .notifier_call = module_event };

/* ---- the decision ---- */

static bool should_fail(void)
{
	unsigned long flags;
	bool fail = false;
	size_t len = strcspn(comm, "\n");	/* sysfs writes keep the newline */

	if (len && (strncmp(current->comm, comm, len) || current->comm[len]))
		return false;
	spin_lock_irqsave(&decide_lock, flags);
	eligible++;
	if (times && (interval <= 1 || eligible % interval == 0) &&
	    (probability >= 100 || get_random_u32_below(100) < probability)) {
		fail = true;
		failed++;
		if (times > 0)
			times--;
	}
	spin_unlock_irqrestore(&decide_lock, flags);
	return fail;
}

/* ---- workqueues cannot be destroyed where the probe runs ---- */

static struct workqueue_struct *doomed[16];
static DEFINE_SPINLOCK(doomed_lock);

static void destroy_doomed(struct work_struct *work)
{
	struct workqueue_struct *wq;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(doomed); i++) {
		spin_lock(&doomed_lock);
		wq = doomed[i];
		doomed[i] = NULL;
		spin_unlock(&doomed_lock);
		if (wq)
			destroy_workqueue(wq);
	}
}

static DECLARE_WORK(doomed_work, destroy_doomed);

static bool doom(struct workqueue_struct *wq)
{
	unsigned int i;
	bool ok = false;

	spin_lock(&doomed_lock);
	for (i = 0; i < ARRAY_SIZE(doomed) && !ok; i++) {
		if (!doomed[i]) {
			doomed[i] = wq;
			ok = true;
		}
	}
	spin_unlock(&doomed_lock);
	if (ok)
		schedule_work(&doomed_work);
	return ok;
}

/* ---- the probes ---- */

enum kind { KMALLOC, PERCPU, SKB, PIN, WQ };

struct probe {
	const char *symbol;
	enum kind kind;
	int arg;		/* argument kept for the return: -1 none */
	struct kretprobe rp;
	bool registered;
};

struct probe_data {
	unsigned long arg;
};

/* The caller's address at the probed function's entry, as rethook sees it. */
static unsigned long entry_caller(struct pt_regs *regs)
{
#if defined(CONFIG_X86_64)
	return *(unsigned long *)kernel_stack_pointer(regs);
#elif defined(CONFIG_ARM64)
	return procedure_link_pointer(regs);
#else
#error "ph_failalloc knows x86_64 and arm64 only"
#endif
}

static int on_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct probe *p = container_of(get_kretprobe(ri), struct probe, rp);
	struct probe_data *d = (struct probe_data *)ri->data;

	if (!in_target(entry_caller(regs)))
		return 1;	/* not the target's call: no return probe */
	d->arg = p->arg >= 0 ? regs_get_kernel_argument(regs, p->arg) : 0;
	return 0;
}

static int on_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct probe *p = container_of(get_kretprobe(ri), struct probe, rp);
	struct probe_data *d = (struct probe_data *)ri->data;
	unsigned long ret = regs_return_value(regs);

	switch (p->kind) {
	case KMALLOC:
		if (ZERO_OR_NULL_PTR((void *)ret))
			break;
		if (should_fail()) {
			kfree((void *)ret);
			regs_set_return_value(regs, 0);
		} else {
			set_add(ret, HELD_KMALLOC);
		}
		break;
	case PERCPU:
		if (!ret)
			break;
		if (should_fail()) {
			free_percpu((void __percpu *)ret);
			regs_set_return_value(regs, 0);
		} else {
			set_add(ret, HELD_PERCPU);
		}
		break;
	case SKB:
		if (ret && should_fail()) {
			consume_skb((struct sk_buff *)ret);
			regs_set_return_value(regs, 0);
		}
		break;
	case PIN: {
		struct page **pages = (struct page **)d->arg;
		long i;

		if ((long)ret <= 0)
			break;
		if (should_fail()) {
			unpin_user_pages(pages, ret);
			regs_set_return_value(regs, -ENOMEM);
		} else {
			for (i = 0; i < (long)ret; i++)
				set_add((unsigned long)pages[i], HELD_PIN);
		}
		break;
	}
	case WQ:
		if (!ret)
			break;
		if (should_fail() && doom((struct workqueue_struct *)ret))
			regs_set_return_value(regs, 0);
		else
			set_add(ret, HELD_WQ);
		break;
	}
	return 0;
}

/* Given back, by whoever: forget it (unknown addresses are ignored). */
static int on_release(struct kprobe *kp, struct pt_regs *regs)
{
	set_del(regs_get_kernel_argument(regs, 0));
	return 0;
}

static struct kprobe releases[] = {
	{ .symbol_name = "free_percpu", .pre_handler = on_release },
	{ .symbol_name = "unpin_user_page", .pre_handler = on_release },
	{ .symbol_name = "destroy_workqueue", .pre_handler = on_release },
};
static bool releases_registered[ARRAY_SIZE(releases)];

static struct probe probes[] = {
	{ "__kmalloc_cache_noprof", KMALLOC, -1 },
	{ "__kmalloc_noprof", KMALLOC, -1 },
	{ "kstrdup", KMALLOC, -1 },
	{ "pcpu_alloc_noprof", PERCPU, -1 },
	{ "__alloc_skb", SKB, -1 },
	{ "pin_user_pages_fast", PIN, 3 },	/* (start, nr, flags, pages) */
	{ "alloc_workqueue_noprof", WQ, -1 },
};

/* Return probes lost for want of an instance: the live counts drift then. */
static int missed_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i;
	long n = 0;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		n += READ_ONCE(probes[i].rp.nmissed);
	return sysfs_emit(buf, "%ld\n", n);
}

static const struct kernel_param_ops missed_ops = { .get = missed_get };
module_param_cb(missed, &missed_ops, NULL, 0444);

/* kmem:kfree fires for every kfree(). */
static void on_kfree(void *data, unsigned long call_site, const void *ptr)
{
	if (!ZERO_OR_NULL_PTR(ptr))
		set_del((unsigned long)ptr);
}

static struct tracepoint *kfree_tp;

static void find_kfree(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "kfree"))
		kfree_tp = tp;
}

static void unregister_all(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (probes[i].registered)
			unregister_kretprobe(&probes[i].rp);
		probes[i].registered = false;
	}
	for (i = 0; i < ARRAY_SIZE(releases); i++) {
		if (releases_registered[i])
			unregister_kprobe(&releases[i]);
		releases_registered[i] = false;
	}
	if (kfree_tp)
		tracepoint_probe_unregister(kfree_tp, on_kfree, NULL);
	tracepoint_synchronize_unregister();
}

static int __init ph_failalloc_init(void)
{
	unsigned int i;
	int ret;

	for_each_kernel_tracepoint(find_kfree, NULL);
	if (!kfree_tp) {
		pr_err("no kmem:kfree tracepoint\n");
		return -EOPNOTSUPP;
	}
	ret = tracepoint_probe_register(kfree_tp, on_kfree, NULL);
	if (ret) {
		kfree_tp = NULL;
		return ret;
	}
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		struct probe *p = &probes[i];

		p->rp.kp.symbol_name = p->symbol;
		p->rp.entry_handler = on_entry;
		p->rp.handler = on_return;
		p->rp.data_size = sizeof(struct probe_data);
		/*
		 * Hundreds of threads may be preempted inside a (slow, on a
		 * debug kernel) allocator at once, each holding an instance.
		 */
		p->rp.maxactive = 1024;
		ret = register_kretprobe(&p->rp);
		if (ret) {
			pr_err("cannot probe %s: %d\n", p->symbol, ret);
			goto err;
		}
		p->registered = true;
	}
	for (i = 0; i < ARRAY_SIZE(releases); i++) {
		ret = register_kprobe(&releases[i]);
		if (ret) {
			pr_err("cannot probe %s: %d\n", releases[i].symbol_name, ret);
			goto err;
		}
		releases_registered[i] = true;
	}
	ret = register_module_notifier(&module_nb);
	if (ret)
		goto err;
	pr_info("failing allocations of module %s on demand\n", target);
	return 0;

err:
	unregister_all();
	return ret;
}

static void __exit ph_failalloc_exit(void)
{
	unregister_module_notifier(&module_nb);
	unregister_all();
	flush_work(&doomed_work);
	destroy_doomed(NULL);
}

module_init(ph_failalloc_init);
module_exit(ph_failalloc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("preempthint lab: fail a module's own allocations on demand, count what it holds");
