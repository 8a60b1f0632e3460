/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_NETLINK_H
#define _PREEMPTHINT_NETLINK_H

int ph_netlink_init(void);
void ph_netlink_exit(void);

#endif /* _PREEMPTHINT_NETLINK_H */
