// SPDX-License-Identifier: GPL-2.0
/*
 * All netlink I/O: the socket, family lookup, requests with their ACKs
 * and extended ACKs, dumps and the events group. Every reply is checked
 * for sequence number and port id (mnl_cb_run2), and every attribute is
 * checked for type and length before anyone reads it.
 */
#define _GNU_SOURCE		/* ppoll */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "uapi/edgepin.h"
#include "nl.h"

static const uint16_t fixed_len[MNL_TYPE_MAX] = {
	[MNL_TYPE_U8] = 1, [MNL_TYPE_U16] = 2, [MNL_TYPE_U32] = 4,
	[MNL_TYPE_U64] = 8,
};

struct parse_ctx {
	const struct nl_spec *spec;
	unsigned int max;
	const struct nlattr **tb;
};

static int parse_attr(const struct nlattr *a, void *data)
{
	const struct parse_ctx *c = data;
	unsigned int type = mnl_attr_get_type(a);
	uint16_t len = mnl_attr_get_payload_len(a);
	const struct nl_spec *s;

	if (!type || type > c->max)
		return MNL_CB_OK;
	s = &c->spec[type];
	switch (s->type) {
	case MNL_TYPE_UNSPEC:
		return MNL_CB_OK;
	case MNL_TYPE_U8:
	case MNL_TYPE_U16:
	case MNL_TYPE_U32:
	case MNL_TYPE_U64:
		if (len != fixed_len[s->type])
			goto bad;
		break;
	case MNL_TYPE_FLAG:
		if (len)
			goto bad;
		break;
	case MNL_TYPE_NESTED:
		if (len && len < MNL_ATTR_HDRLEN)
			goto bad;
		break;
	default:
		if (len < s->min_len || len > s->max_len)
			goto bad;
		break;
	}
	c->tb[type] = a;
	return MNL_CB_OK;
bad:
	errno = EPROTO;
	return MNL_CB_ERROR;
}

int nl_parse_nest(const struct nlattr *nest, const struct nl_spec *spec,
		  unsigned int max, const struct nlattr **tb)
{
	struct parse_ctx c = { spec, max, tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse_nested(nest, parse_attr, &c) < 0)
		return -EPROTO;
	return 0;
}

int nl_parse_msg(const struct nlmsghdr *nlh, const struct nl_spec *spec,
		 unsigned int max, const struct nlattr **tb)
{
	struct parse_ctx c = { spec, max, tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse(nlh, GENL_HDRLEN, parse_attr, &c) < 0)
		return -EPROTO;
	return 0;
}

/* What nl_talk's callbacks see: the socket, then the caller's @cb. */
struct talk {
	struct nl *nl;
	mnl_cb_t cb;
	void *data;
};

static void extack_range(struct nl_extack *ext, const struct nlattr *pol)
{
	const struct nlattr *a;
	bool lo = false, hi = false;

	mnl_attr_for_each_nested(a, pol) {
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			continue;
		if (mnl_attr_get_type(a) == NL_POLICY_TYPE_ATTR_MIN_VALUE_U) {
			ext->min = mnl_attr_get_u64(a);
			lo = true;
		} else if (mnl_attr_get_type(a) ==
			   NL_POLICY_TYPE_ATTR_MAX_VALUE_U) {
			ext->max = mnl_attr_get_u64(a);
			hi = true;
		}
	}
	ext->has_range = lo && hi;
}

/* NLMSG_ERROR: an ACK, or an error with its extended ACK. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl *nl = ((struct talk *)data)->nl;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS && off < nlh->nlmsg_len) {
		mnl_attr_for_each(a, nlh, off) {
			switch (mnl_attr_get_type(a)) {
			case NLMSGERR_ATTR_MSG:
				if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
					break;
				snprintf(nl->ext.msg, sizeof(nl->ext.msg),
					 "%s", mnl_attr_get_str(a));
				break;
			case NLMSGERR_ATTR_OFFS:
				if (!mnl_attr_validate(a, MNL_TYPE_U32))
					nl->ext.off = mnl_attr_get_u32(a);
				break;
			case NLMSGERR_ATTR_POLICY:
				if (!mnl_attr_validate(a, MNL_TYPE_NESTED))
					extack_range(&nl->ext, a);
				break;
			}
		}
	}
	errno = e->error > -4096 && e->error < 0 ? -e->error : EPROTO;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

/* Given this table, libmnl leaves every control message to it. */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

/*
 * Note and clear NLM_F_DUMP_INTR in the @len bytes at nl->rx: libmnl
 * fails a receive that has it with EINTR, before the messages after it,
 * which would leave the rest of the dump unread on the socket.
 */
static void take_dump_intr(struct nl *nl, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)nl->rx;
	int left = len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			nl->dump_intr = true;
			nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
		}
	}
}

/* One receive and its messages: 1 more to read, 0 done, or -errno. */
static int recv_once(struct nl *nl, uint32_t seq, uint32_t portid,
		     mnl_cb_t cb, void *data)
{
	struct talk t = { nl, cb, data };
	ssize_t n;
	int ret;

	n = mnl_socket_recvfrom(nl->sock, nl->rx, sizeof(nl->rx));
	if (n < 0)
		return -errno;
	take_dump_intr(nl, n);
	ret = mnl_cb_run2(nl->rx, n, seq, portid, data_cb, &t, ctl_cbs,
			  NLMSG_MIN_TYPE);
	return ret < 0 ? -errno : ret > MNL_CB_STOP;
}

static int run(struct nl *nl, uint32_t seq, uint32_t portid, mnl_cb_t cb,
	       void *data)
{
	int ret;

	do {
		ret = recv_once(nl, seq, portid, cb, data);
	} while (ret > 0);
	return ret;
}

static struct nlmsghdr *msg_start(struct nl *nl, uint16_t type, uint8_t cmd,
				  uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->tx);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	return msg_start(nl, nl->family, cmd, EDGEPIN_GENL_VERSION, flags);
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	memset(&nl->ext, 0, sizeof(nl->ext));
	nl->dump_intr = false;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return run(nl, nlh->nlmsg_seq, nl->portid, cb, data);
}

int nl_send(struct nl *nl, struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

int nl_drain(struct nl *nl, void (*err)(int error, void *data), void *data)
{
	const struct nlmsgerr *e;
	struct nlmsghdr *nlh;
	ssize_t n;
	int left;

	for (;;) {
		n = recv(mnl_socket_get_fd(nl->sock), nl->rx, sizeof(nl->rx),
			 MSG_DONTWAIT);
		if (n <= 0)
			return n < 0 && errno == ENOBUFS ? -ENOBUFS : 0;
		left = n;
		for (nlh = (struct nlmsghdr *)nl->rx; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error)
				err(e->error, data);
		}
	}
}

/* The messages of one dump, kept until it is known whole. */
struct kept {
	char *buf;
	size_t len, cap;
};

static int keep_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kept *k = data;
	size_t len = MNL_ALIGN(nlh->nlmsg_len);
	char *buf;

	if (k->len + len > k->cap) {
		k->cap = k->cap ? 2 * k->cap : NL_BUF_SIZE;
		while (k->cap < k->len + len)
			k->cap *= 2;
		buf = realloc(k->buf, k->cap);
		if (!buf) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		k->buf = buf;
	}
	memcpy(k->buf + k->len, nlh, nlh->nlmsg_len);
	memset(k->buf + k->len + nlh->nlmsg_len, 0, len - nlh->nlmsg_len);
	k->len += len;
	return MNL_CB_OK;
}

int nl_dump(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct kept k = { NULL, 0, 0 };
	int tries, ret;

	for (tries = 1;; tries++) {
		k.len = 0;
		ret = nl_talk(nl, nlh, keep_cb, &k);
		if (ret || !nl->dump_intr || tries == NL_DUMP_TRIES)
			break;
		nlh->nlmsg_seq = ++nl->seq;
	}
	/* seq and portid were checked as they came; 0 checks nothing */
	if (!ret && k.len && mnl_cb_run(k.buf, k.len, 0, 0, cb, data) < 0)
		ret = -errno;
	free(k.buf);
	return ret;
}

static int mcast_group_cb(const struct nlattr *grp, struct nl *nl)
{
	static const struct nl_spec spec[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
		[CTRL_ATTR_MCAST_GRP_NAME] = { MNL_TYPE_STRING, 1, 64 },
		[CTRL_ATTR_MCAST_GRP_ID] = { MNL_TYPE_U32 },
	};
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	const struct nlattr *name;

	if (nl_parse_nest(grp, spec, CTRL_ATTR_MCAST_GRP_MAX, tb))
		return -EPROTO;
	name = tb[CTRL_ATTR_MCAST_GRP_NAME];
	if (name && tb[CTRL_ATTR_MCAST_GRP_ID] &&
	    !strncmp(mnl_attr_get_payload(name), EDGEPIN_MCGRP_EVENTS,
		     mnl_attr_get_payload_len(name)))
		nl->events_group = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	static const struct nl_spec spec[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = { MNL_TYPE_U16 },
		[CTRL_ATTR_MCAST_GROUPS] = { MNL_TYPE_NESTED },
	};
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlattr *grp;
	struct nl *nl = data;

	if (nl_parse_msg(nlh, spec, CTRL_ATTR_MAX, tb) ||
	    !tb[CTRL_ATTR_FAMILY_ID])
		goto bad;
	nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS])
			if (mcast_group_cb(grp, nl))
				goto bad;
	return MNL_CB_OK;
bad:
	errno = EPROTO;
	return MNL_CB_ERROR;
}

static int resolve_family(struct nl *nl)
{
	struct nlmsghdr *nlh;

	nlh = msg_start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, EDGEPIN_GENL_NAME);
	return nl_talk(nl, nlh, family_cb, nl);
}

int nl_open(struct nl **nlp)
{
	struct nl *nl = calloc(1, sizeof(*nl));
	int one = 1, ret;

	if (!nl)
		return -ENOMEM;
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		ret = -errno;
		free(nl);
		return ret;
	}
	/* Best effort: older kernels just give no extended ACK. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	ret = resolve_family(nl);
	if (ret)
		goto err;
	*nlp = nl;
	return 0;
err:
	nl_close(nl);
	return ret;
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

int nl_subscribe(struct nl *nl)
{
	int grp = nl->events_group, fd = mnl_socket_get_fd(nl->sock);
	int rcvbuf = 4 << 20;

	if (!grp)
		return -ENOENT;
	/* Room for bursts (a flush closes thousands); best effort. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

int nl_listen(struct nl *nl, mnl_cb_t cb, void *data,
	      const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(nl->sock),
			      .events = POLLIN };
	int ret;

	for (;;) {
		if (ppoll(&pfd, 1, NULL, waitmask) < 0) {
			ret = errno == EINTR ? 0 : -errno;
			break;
		}
		ret = recv_once(nl, 0, 0, cb, data);
		if (ret < 0)
			break;
	}
	return ret;
}
