/* SPDX-License-Identifier: GPL-2.0 */
/*
 * All netlink I/O of the tool: the edgepin generic netlink family over
 * libmnl. Functions return 0 or -errno; after a failed request, the
 * kernel's extended ACK (message, offending attribute, allowed range) is
 * kept in struct nl for the caller to print.
 */
#ifndef _EDGEPIN_NL_H
#define _EDGEPIN_NL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#define NL_BUF_SIZE 32768
/* Requests: room for one SIP message of up to 64 KiB (EDGEPIN_CMD_FEED). */
#define NL_TX_SIZE (NL_BUF_SIZE + 65536)
/* Reads of a dump that the kernel keeps marking interrupted (nl_dump). */
#define NL_DUMP_TRIES 3

struct nl_extack {
	char msg[256];		/* "" if the kernel gave none */
	uint32_t off;		/* of the bad attribute in the request, or 0 */
	bool has_range;
	uint64_t min, max;	/* allowed values of the bad attribute */
};

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint32_t events_group;
	struct nl_extack ext;
	/*
	 * The last dump read was marked NLM_F_DUMP_INTR: what it listed
	 * changed while it was read, so entries that came or went meanwhile
	 * may be missing or still there.
	 */
	bool dump_intr;
	char tx[NL_TX_SIZE];
	char rx[NL_BUF_SIZE];
};

/* What an attribute must look like; type MNL_TYPE_UNSPEC = ignored. */
struct nl_spec {
	enum mnl_attr_data_type type;
	uint16_t min_len, max_len;	/* MNL_TYPE_BINARY, MNL_TYPE_STRING */
};

/* Open a socket and find the edgepin family (-ENOENT: no module). */
int nl_open(struct nl **nlp);
void nl_close(struct nl *nl);

/* Start a request of @cmd in nl->tx; NLM_F_REQUEST is added. */
struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags);

/*
 * Send @nlh and read replies until the ACK or the end of the dump; @cb
 * (may be NULL) sees each reply message.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/*
 * Send @nlh without waiting for an answer: one asked without NLM_F_ACK
 * is answered only when it fails, and nl_drain() reads those.
 */
int nl_send(struct nl *nl, struct nlmsghdr *nlh);
/*
 * Read the error answers waiting on the socket, without blocking: @err
 * sees each one's -errno. Returns 0, or -ENOBUFS when some were lost.
 */
int nl_drain(struct nl *nl, void (*err)(int error, void *data), void *data);

/*
 * Read the dump @nlh asks for to its end, then pass each of its messages
 * to @cb. A dump marked interrupted is asked for again, NL_DUMP_TRIES
 * times in all; nl->dump_intr says whether the one @cb saw still was.
 */
int nl_dump(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Join the events group (with a receive buffer for bursts); 0 or -errno. */
int nl_subscribe(struct nl *nl);
/*
 * After nl_subscribe(), pass each event to @cb until a signal (returns
 * 0). The caller blocks the signals that should end it; they are let
 * through, with @waitmask, only while waiting (ppoll), so none is lost
 * between two receives. -ENOBUFS: events were lost; calling again goes
 * on.
 */
int nl_listen(struct nl *nl, mnl_cb_t cb, void *data,
	      const sigset_t *waitmask);

/*
 * Validate the attributes of a nest (or, with nl_parse_msg, of a generic
 * netlink message) against @spec[0..@max] into @tb[0..@max]. Unknown and
 * padding attributes are skipped: the UAPI only grows by appending.
 */
int nl_parse_nest(const struct nlattr *nest, const struct nl_spec *spec,
		  unsigned int max, const struct nlattr **tb);
int nl_parse_msg(const struct nlmsghdr *nlh, const struct nl_spec *spec,
		 unsigned int max, const struct nlattr **tb);

#endif /* _EDGEPIN_NL_H */
