// SPDX-License-Identifier: GPL-2.0
/*
 * A deliberately broken module for the lab's self-test: it WARNs on load.
 * `make check` boots a guest with it loaded and expects the suite to fail,
 * which proves the harness reads the guest's kernel log.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
#include <linux/module.h>

static int __init ph_selftest_warn_init(void)
{
	WARN(1, "deliberate warning from the lab self-test\n");
	return 0;
}

static void __exit ph_selftest_warn_exit(void)
{
}

module_init(ph_selftest_warn_init);
module_exit(ph_selftest_warn_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("preempthint lab self-test: WARN on load");
