/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_HOOKS_H
#define _PREEMPTHINT_HOOKS_H

int ph_hooks_check(const char *extra);

#endif /* _PREEMPTHINT_HOOKS_H */
