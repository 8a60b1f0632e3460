/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_HOOKS_H
#define _PREEMPTHINT_HOOKS_H

int ph_hooks_check(const char *extra);
int ph_hooks_attach(void);		/* at load: the hooks that never go */
int ph_hooks_arm(void);			/* a policy becomes active */
void ph_hooks_disarm(void);		/* none is; also the first step of unload */
void ph_hooks_detach_rest(void);	/* at unload */

#endif /* _PREEMPTHINT_HOOKS_H */
