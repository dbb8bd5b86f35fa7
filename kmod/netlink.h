/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "edgepin": control plane and events. */
#ifndef _EDGEPIN_NETLINK_H
#define _EDGEPIN_NETLINK_H

int edgepin_genl_init(void);
void edgepin_genl_exit(void);

#endif /* _EDGEPIN_NETLINK_H */
