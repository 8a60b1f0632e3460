/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal TAP producer for the host unit tests. */
#ifndef PH_TAP_H
#define PH_TAP_H

#include <stdio.h>

static int tap_n, tap_failed;

#define TAP_CHECK(cond, ...)                                          \
	do {                                                          \
		int tap_ok_ = !!(cond);                               \
		tap_n++;                                              \
		if (!tap_ok_)                                         \
			tap_failed++;                                 \
		printf("%sok %d - ", tap_ok_ ? "" : "not ", tap_n);   \
		printf(__VA_ARGS__);                                  \
		printf("\n");                                         \
		if (!tap_ok_)                                         \
			printf("#   failed: %s (%s:%d)\n", #cond,         \
			       __FILE__, __LINE__);                   \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n%d passed, %d failed\n", tap_n, tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif /* PH_TAP_H */
