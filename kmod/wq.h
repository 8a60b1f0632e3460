/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's own workqueue, for the policy refresh and the stats events.
 * Linux 7.x warns about new work on system_wq ("deprecated workqueue") and
 * its replacements do not exist on older kernels; a queue of our own needs
 * no version guard and is drained on unload. Created first, destroyed last.
 */
#ifndef _PREEMPTHINT_WQ_H
#define _PREEMPTHINT_WQ_H

#include <linux/workqueue.h>

extern struct workqueue_struct *ph_wq;

#endif /* _PREEMPTHINT_WQ_H */
