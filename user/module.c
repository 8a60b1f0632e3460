// SPDX-License-Identifier: GPL-2.0
/* Facts about the loaded module that sysfs publishes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "preempthint.h"

/* Copy /sys/module/preempthint/version into @buf; -ENOENT if not loaded. */
int ph_module_version(const char *sysfs, char *buf, size_t len)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/module/%s/version", sysfs, PREEMPTHINT_MODNAME);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	n = strcspn(buf, "\n");
	buf[n] = '\0';
	return 0;
}
