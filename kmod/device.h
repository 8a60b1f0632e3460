/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_DEVICE_H
#define _PREEMPTHINT_DEVICE_H

int ph_device_init(void);
void ph_device_exit(void);

#endif /* _PREEMPTHINT_DEVICE_H */
