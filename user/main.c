// SPDX-License-Identifier: GPL-2.0
#include "cli.h"

int main(int argc, char **argv)
{
	struct ph_ctx ctx = { .out = stdout, .err = stderr, .sysfs = "/sys",
			      .cgroup_root = PH_CGROUP_ROOT };

	return ph_main(&ctx, argc, argv);
}
