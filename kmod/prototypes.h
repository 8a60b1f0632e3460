/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_PROTOTYPES_H
#define _PREEMPTHINT_PROTOTYPES_H

#include <linux/types.h>

#define PH_PROTOTYPE_MAX_ARGS 6

/*
 * What a hook assumes of a function it fprobes: its arity, and for each
 * argument it reads, the struct that argument points to (NULL: unread).
 */
struct ph_prototype {
	const char *func;
	unsigned int nr_args;
	const char *arg_struct[PH_PROTOTYPE_MAX_ARGS];
};

/* 0 when the running kernel's BTF matches every entry; -EOPNOTSUPP if not. */
int ph_prototypes_check(const struct ph_prototype *expect, size_t n);

#endif /* _PREEMPTHINT_PROTOTYPES_H */
