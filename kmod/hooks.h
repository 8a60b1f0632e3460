/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_HOOKS_H
#define _PREEMPTHINT_HOOKS_H

int ph_hooks_check(const char *extra);
int ph_hooks_attach(void);
void ph_hooks_detach_granting(void);
void ph_hooks_detach_rest(void);

#endif /* _PREEMPTHINT_HOOKS_H */
