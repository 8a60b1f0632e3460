// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's preemption mode, from debugfs: the file lists every mode and
 * puts the selected one in parentheses ("none voluntary full (lazy)"). The
 * boot parameter is not enough: 7.x silently ignores preempt=none.
 */
#include <stdio.h>
#include <string.h>

#include "state.h"

void ph_preempt_parse(const char *line, char *buf, size_t len)
{
	const char *open = strchr(line, '('), *close;

	close = open ? strchr(open, ')') : NULL;
	if (!close || close == open + 1 || (size_t)(close - open - 1) >= len) {
		snprintf(buf, len, "unknown");
		return;
	}
	snprintf(buf, len, "%.*s", (int)(close - open - 1), open + 1);
}

void ph_preempt_mode(const char *sysfs, char *buf, size_t len)
{
	char path[512], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kernel/debug/sched/preempt", sysfs);
	f = fopen(path, "re");
	if (!f || !fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (f)
		fclose(f);
	ph_preempt_parse(line, buf, len);
}
