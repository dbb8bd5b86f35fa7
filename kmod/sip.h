/* SPDX-License-Identifier: GPL-2.0 */
/* From SIP bytes to what the call layer needs. */
#ifndef _EDGEPIN_SIP_H
#define _EDGEPIN_SIP_H

#include <net/netfilter/nf_conntrack.h>

struct edgepin_net;

/*
 * Parse one whole SIP message sent in direction @dir of @ct and feed it
 * to the call layer; @origin (enum edgepin_origin) says whether the
 * helper read it on the wire or the SIP feed passed it. Returns how long
 * (seconds) the calls it belongs to want @ct kept, 0 if none (see struct
 * edgepin_msg's hold).
 */
u32 edgepin_sip_message(struct edgepin_net *en, struct nf_conn *ct,
			 enum ip_conntrack_dir dir, const char *buf,
			 size_t len, u8 origin);

int edgepin_sip_init(void);
void edgepin_sip_exit(void);

#endif /* _EDGEPIN_SIP_H */
