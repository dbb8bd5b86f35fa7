// SPDX-License-Identifier: GPL-2.0
/*
 * All nftables netlink I/O: dumps into libnftnl lists, and transactions
 * sent as one batch. Every message of a batch asks for an ACK and every
 * ACK is read, so a refused message is named, not guessed; the kernel
 * applies all of a batch or none of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>

#include "nft.h"

#define NFT_BUF_SIZE	(1 << 16)
#define NFT_TX_MAX	256	/* messages in one transaction */
#define NFT_ACK_WAIT	5	/* seconds to wait for the ACKs */

struct nft_sock {
	struct mnl_socket *s;
	uint32_t portid, seq;
	char buf[NFT_BUF_SIZE];
};

static int sock_open(struct nft_sock *n)
{
	struct timeval tv = { .tv_sec = NFT_ACK_WAIT };

	n->s = mnl_socket_open(NETLINK_NETFILTER);
	if (!n->s)
		return -errno;
	if (mnl_socket_bind(n->s, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(n->s), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)) < 0) {
		int ret = -errno;

		mnl_socket_close(n->s);
		return ret;
	}
	n->portid = mnl_socket_get_portid(n->s);
	n->seq = time(NULL);
	return 0;
}

/* Send the request in n->buf and run @cb on each reply until the end. */
static int sock_dump(struct nft_sock *n, mnl_cb_t cb, void *data)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)n->buf;
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t len;
	int ret;

	if (mnl_socket_sendto(n->s, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(n->s, n->buf, sizeof(n->buf));
		if (len < 0)
			return -errno;
		ret = mnl_cb_run(n->buf, len, seq, n->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *dump_req(struct nft_sock *n, uint16_t type,
				 uint16_t family)
{
	return nftnl_nlmsg_build_hdr(n->buf, type, family, NLM_F_DUMP,
				     ++n->seq);
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0)
		goto bad;
	nftnl_table_list_add_tail(t, data);
	return MNL_CB_OK;
bad:
	nftnl_table_free(t);
	errno = EPROTO;
	return MNL_CB_ERROR;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0)
		goto bad;
	nftnl_chain_list_add_tail(c, data);
	return MNL_CB_OK;
bad:
	nftnl_chain_free(c);
	errno = EPROTO;
	return MNL_CB_ERROR;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto bad;
	nftnl_rule_list_add_tail(r, data);
	return MNL_CB_OK;
bad:
	nftnl_rule_free(r);
	errno = EPROTO;
	return MNL_CB_ERROR;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s || nftnl_set_nlmsg_parse(nlh, s) < 0)
		goto bad;
	nftnl_set_list_add_tail(s, data);
	return MNL_CB_OK;
bad:
	nftnl_set_free(s);
	errno = EPROTO;
	return MNL_CB_ERROR;
}

static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o || nftnl_obj_nlmsg_parse(nlh, o) < 0)
		goto bad;
	nftnl_obj_list_add_tail(o, data);
	return MNL_CB_OK;
bad:
	nftnl_obj_free(o);
	errno = EPROTO;
	return MNL_CB_ERROR;
}

static int elems_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nftnl_set_elems_nlmsg_parse(nlh, data) < 0) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* Fill each set of @rs with its elements. */
static int get_elems(struct nft_sock *n, struct nft_ruleset *rs)
{
	struct nftnl_set_list_iter *it;
	struct nftnl_set *s;
	struct nlmsghdr *nlh;
	int ret = 0;

	it = nftnl_set_list_iter_create(rs->sets);
	if (!it)
		return -ENOMEM;
	for (s = nftnl_set_list_iter_next(it); s && !ret;
	     s = nftnl_set_list_iter_next(it)) {
		nlh = dump_req(n, NFT_MSG_GETSETELEM,
			       nftnl_set_get_u32(s, NFTNL_SET_FAMILY));
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		ret = sock_dump(n, elems_cb, s);
	}
	nftnl_set_list_iter_destroy(it);
	return ret;
}

int nft_ruleset_get(struct nft_ruleset *rs)
{
	struct nft_sock *n = calloc(1, sizeof(*n));
	int ret;

	memset(rs, 0, sizeof(*rs));
	rs->tables = nftnl_table_list_alloc();
	rs->chains = nftnl_chain_list_alloc();
	rs->rules = nftnl_rule_list_alloc();
	rs->sets = nftnl_set_list_alloc();
	rs->objs = nftnl_obj_list_alloc();
	if (!n || !rs->tables || !rs->chains || !rs->rules || !rs->sets ||
	    !rs->objs) {
		ret = -ENOMEM;
		goto out;
	}
	ret = sock_open(n);
	if (ret)
		goto out;
	dump_req(n, NFT_MSG_GETTABLE, NFPROTO_UNSPEC);
	ret = sock_dump(n, table_cb, rs->tables);
	if (!ret) {
		dump_req(n, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC);
		ret = sock_dump(n, chain_cb, rs->chains);
	}
	if (!ret) {
		dump_req(n, NFT_MSG_GETRULE, NFPROTO_UNSPEC);
		ret = sock_dump(n, rule_cb, rs->rules);
	}
	if (!ret) {
		dump_req(n, NFT_MSG_GETSET, NFPROTO_UNSPEC);
		ret = sock_dump(n, set_cb, rs->sets);
	}
	if (!ret) {
		dump_req(n, NFT_MSG_GETOBJ, NFPROTO_UNSPEC);
		ret = sock_dump(n, obj_cb, rs->objs);
	}
	if (!ret)
		ret = get_elems(n, rs);
	mnl_socket_close(n->s);
out:
	free(n);
	if (ret)
		nft_ruleset_free(rs);
	return ret;
}

void nft_ruleset_free(struct nft_ruleset *rs)
{
	if (rs->tables)
		nftnl_table_list_free(rs->tables);
	if (rs->chains)
		nftnl_chain_list_free(rs->chains);
	if (rs->rules)
		nftnl_rule_list_free(rs->rules);
	if (rs->sets)
		nftnl_set_list_free(rs->sets);
	if (rs->objs)
		nftnl_obj_list_free(rs->objs);
	memset(rs, 0, sizeof(*rs));
}

struct nftnl_set *nft_ruleset_set(const struct nft_ruleset *rs,
				  uint32_t family, const char *table,
				  const char *name)
{
	struct nftnl_set_list_iter *it;
	struct nftnl_set *s;

	it = nftnl_set_list_iter_create(rs->sets);
	if (!it)
		return NULL;
	for (s = nftnl_set_list_iter_next(it); s;
	     s = nftnl_set_list_iter_next(it))
		if (nftnl_set_get_u32(s, NFTNL_SET_FAMILY) == family &&
		    !strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), table) &&
		    !strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), name))
			break;
	nftnl_set_list_iter_destroy(it);
	return s;
}

struct nft_tx {
	struct nft_sock n;
	struct mnl_nlmsg_batch *b;
	uint32_t first;			/* seq of the first message */
	unsigned int count;
	int err;			/* -E2BIG: did not fit */
	char what[NFT_TX_MAX][64];	/* each message, for errors */
	char batch[NFT_BUF_SIZE];
};

struct nft_tx *nft_tx_new(void)
{
	struct nft_tx *tx = calloc(1, sizeof(*tx));

	if (!tx)
		return NULL;
	tx->b = mnl_nlmsg_batch_start(tx->batch, sizeof(tx->batch));
	if (!tx->b) {
		free(tx);
		return NULL;
	}
	tx->n.seq = time(NULL);
	nftnl_batch_begin(mnl_nlmsg_batch_current(tx->b), tx->n.seq++);
	mnl_nlmsg_batch_next(tx->b);
	tx->first = tx->n.seq;
	return tx;
}

void nft_tx_free(struct nft_tx *tx)
{
	if (!tx)
		return;
	mnl_nlmsg_batch_stop(tx->b);
	free(tx);
}

/* The next message's header, or NULL when the batch is full. */
static struct nlmsghdr *tx_msg(struct nft_tx *tx, uint16_t type,
			       uint16_t family, uint16_t flags,
			       const char *what, const char *name)
{
	struct nlmsghdr *nlh;

	/* Room for the largest message we build, and the batch end. */
	if (tx->err || tx->count == NFT_TX_MAX ||
	    mnl_nlmsg_batch_size(tx->b) + 4096 > sizeof(tx->batch)) {
		tx->err = -E2BIG;
		return NULL;
	}
	snprintf(tx->what[tx->count++], sizeof(tx->what[0]), "%s %s", what,
		 name ? name : "");
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(tx->b), type,
				    family, flags | NLM_F_ACK, tx->n.seq++);
	return nlh;
}

void nft_tx_table(struct nft_tx *tx, uint16_t type, uint16_t family,
		  const char *name)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t) {
		tx->err = -ENOMEM;
		return;
	}
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nlh = tx_msg(tx, type, family,
		     type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0,
		     type == NFT_MSG_NEWTABLE ? "add table" : "delete table",
		     name);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		mnl_nlmsg_batch_next(tx->b);
	}
	nftnl_table_free(t);
}

void nft_tx_obj(struct nft_tx *tx, struct nftnl_obj *o)
{
	struct nlmsghdr *nlh;

	nlh = tx_msg(tx, NFT_MSG_NEWOBJ, nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY),
		     NLM_F_CREATE | NLM_F_EXCL, "add object",
		     nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
	if (nlh) {
		nftnl_obj_nlmsg_build_payload(nlh, o);
		mnl_nlmsg_batch_next(tx->b);
	}
	nftnl_obj_free(o);
}

void nft_tx_chain(struct nft_tx *tx, struct nftnl_chain *c)
{
	struct nlmsghdr *nlh;

	nlh = tx_msg(tx, NFT_MSG_NEWCHAIN,
		     nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY),
		     NLM_F_CREATE | NLM_F_EXCL, "add chain",
		     nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		mnl_nlmsg_batch_next(tx->b);
	}
	nftnl_chain_free(c);
}

void nft_tx_rule(struct nft_tx *tx, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh;

	nlh = tx_msg(tx, NFT_MSG_NEWRULE,
		     nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY),
		     NLM_F_CREATE | NLM_F_APPEND, "add rule to chain",
		     nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	if (nlh) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		mnl_nlmsg_batch_next(tx->b);
	}
	nftnl_rule_free(r);
}

/*
 * One reply: an ACK (error 0) or an error for message @seq. An error for
 * a seq outside the batch (the batch as a whole was refused, e.g. EPERM)
 * ends the wait.
 */
static int tx_reply(struct nft_tx *tx, const struct nlmsghdr *nlh,
		    unsigned int *acked, int *err, int *bad)
{
	const struct nlmsgerr *e;
	uint32_t i = nlh->nlmsg_seq - tx->first;

	if (nlh->nlmsg_type != NLMSG_ERROR)
		return 0;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return -EBADMSG;
	e = mnl_nlmsg_get_payload(nlh);
	if (i >= tx->count)
		return e->error < 0 ? e->error : -EPROTO;
	++*acked;
	if (e->error && !*err) {
		*err = e->error < 0 ? e->error : -EPROTO;
		*bad = i;
	}
	return 0;
}

int nft_tx_commit(struct nft_tx *tx, char *what, size_t len)
{
	struct nlmsghdr *nlh;
	unsigned int acked = 0;
	int ret, err = 0, bad = -1;
	ssize_t n;
	int left;

	snprintf(what, len, "nftables");
	if (tx->err)
		return tx->err;
	nftnl_batch_end(mnl_nlmsg_batch_current(tx->b), tx->n.seq++);
	mnl_nlmsg_batch_next(tx->b);
	ret = sock_open(&tx->n);
	if (ret)
		return ret;
	if (mnl_socket_sendto(tx->n.s, mnl_nlmsg_batch_head(tx->b),
			      mnl_nlmsg_batch_size(tx->b)) < 0) {
		ret = -errno;
		goto out;
	}
	while (acked < tx->count) {
		n = mnl_socket_recvfrom(tx->n.s, tx->n.buf, sizeof(tx->n.buf));
		if (n < 0) {
			ret = errno == EAGAIN && err ? err : -errno;
			goto out;
		}
		left = n;
		for (nlh = (struct nlmsghdr *)tx->n.buf;
		     mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_pid != tx->n.portid)
				continue;
			ret = tx_reply(tx, nlh, &acked, &err, &bad);
			if (ret)
				goto out;
		}
	}
	ret = err;
	if (bad >= 0)
		snprintf(what, len, "%s", tx->what[bad]);
out:
	mnl_socket_close(tx->n.s);
	return ret;
}
