/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * preempthint UAPI: shared by the kernel module (kmod/) and the userspace
 * programs (user/). Everything a program needs to talk to the module is here,
 * and nothing else: no kernel-internal types.
 */
#ifndef _UAPI_PREEMPTHINT_H
#define _UAPI_PREEMPTHINT_H

/* The one place the version is set; dkms.conf and the Makefile read it here. */
#define PREEMPTHINT_VERSION "0.1.0"

/* Module name, as in /sys/module/<name>/ and modprobe. */
#define PREEMPTHINT_MODNAME "preempthint"

#endif /* _UAPI_PREEMPTHINT_H */
