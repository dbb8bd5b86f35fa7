// SPDX-License-Identifier: GPL-2.0
/*
 * edgepin feed: SIP mirrored by a TLS-terminating proxy, passed to the
 * module (EDGEPIN_CMD_FEED). HEPv3 over UDP and TCP from listed senders
 * (and with the capture key, when one is set), or on a local datagram
 * socket either HEPv3 or "PROTO SRC DST\n" and the SIP message. What is
 * refused is counted and reported to the module once a second per
 * reason. Memory is fixed: one frame buffer per TCP connection, at most
 * FEED_MAX_CONNS of them.
 */
#define _GNU_SOURCE		/* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/genetlink.h>

#include "uapi/edgepin.h"
#include "edgepin.h"
#include "hep.h"
#include "print.h"

#define FEED_PORT		9060
#define FEED_SOCKET		"/run/edgepin/feed.sock"
#define FEED_MAX_LISTEN		8
#define FEED_MAX_SOURCES	64
#define FEED_MAX_CONNS		64
#define FEED_KEY_MAX		256
/* A local datagram: the "PROTO SRC DST\n" line, then the message. */
#define FEED_LINE_MAX		128
/* What fits in one EDGEPIN_A_FEED nest (its length is a u16). */
#define FEED_MSG_MAX		(65535 - 256)
/* Datagrams read at once from one socket, so none starves the others. */
#define FEED_BURST		64

/* The refusals edgepin feed counts itself, by EDGEPIN_STAT_*. */
enum feed_refusal { R_SENDER, R_KEY, R_MALFORMED, R_COUNT };

static const struct {
	unsigned int stat;
	const char *name;
} refusals[R_COUNT] = {
	[R_SENDER] = { EDGEPIN_STAT_FEED_REFUSED_SENDER, "sender" },
	[R_KEY] = { EDGEPIN_STAT_FEED_REFUSED_KEY, "key" },
	[R_MALFORMED] = { EDGEPIN_STAT_FEED_REFUSED_MALFORMED, "malformed" },
};

struct endpoint {
	uint8_t family;		/* AF_INET / AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
};

struct source {
	uint8_t family, plen;
	uint8_t addr[16];
};

/* A fed message: its transport, both ends, and the SIP bytes. */
struct feed_msg {
	uint8_t proto;		/* IPPROTO_UDP / IPPROTO_TCP */
	bool tls;
	struct endpoint src, dst;
	const uint8_t *sip;
	size_t len;
};

struct conn {
	int fd;			/* -1: free */
	struct endpoint peer;
	time_t last;		/* last read, for eviction */
	size_t len;
	uint8_t buf[HEP_MAX_LEN];
};

struct counters {
	uint64_t received, fed, no_master, refused_off, kernel_errors,
		 replies_lost, refused[R_COUNT];
};

struct feed {
	/* configuration */
	struct endpoint listen[FEED_MAX_LISTEN];
	size_t n_listen;
	struct source sources[FEED_MAX_SOURCES];
	size_t n_sources;
	uint8_t key[FEED_KEY_MAX];
	size_t key_len;		/* 0: no key */
	const char *sock_path;
	uint16_t zone;
	bool print;
	/* state */
	struct nl *nl;		/* NULL with --print */
	int udp[FEED_MAX_LISTEN], tcp[FEED_MAX_LISTEN], local;
	struct conn conns[FEED_MAX_CONNS];
	struct counters c;
	/* refusals not yet reported to the module, and the last sender */
	uint32_t pending[R_COUNT];
	struct endpoint last_sender[R_COUNT];
	bool last_local[R_COUNT];
	time_t last_report;
};

/*
 * Set by the handlers, which run only inside ppoll() (the signals are
 * blocked everywhere else): an opaque call, so no volatile is needed.
 */
static sig_atomic_t feed_stop, feed_dump;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		feed_dump = 1;
	else
		feed_stop = 1;
}

/*
 * "ADDR:PORT", "[V6]:PORT"; unless @need_port, also "ADDR" and "V6"
 * (port @dflt). Port 0 is refused.
 */
static int parse_endpoint(const char *s, bool need_port, uint16_t dflt,
			  struct endpoint *ep)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *port = NULL, *colon = strchr(s, ':');
	uint64_t v = dflt;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');

		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		*end = '\0';
		if (end[1])
			port = end + 2;
		memmove(buf, buf + 1, strlen(buf + 1) + 1);
	} else if (colon && colon == strrchr(s, ':')) {
		buf[colon - s] = '\0';	/* one colon: IPv4:PORT */
		port = buf + (colon - s) + 1;
	}
	if (parse_addr(buf, &ep->family, ep->addr))
		return -EINVAL;
	if (port && parse_uint(port, 65535, &v))
		return -EINVAL;
	if ((need_port && !port) || !v)
		return -EINVAL;
	ep->port = v;
	return 0;
}

/* "ADDR[/LEN]" */
static int parse_source(const char *s, struct source *x)
{
	const char *slash = strchr(s, '/');
	char buf[INET6_ADDRSTRLEN + 8];
	uint64_t plen;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (slash)
		buf[slash - s] = '\0';
	if (parse_addr(buf, &x->family, x->addr))
		return -EINVAL;
	plen = x->family == AF_INET ? 32 : 128;
	if (slash && parse_uint(slash + 1, plen, &plen))
		return -EINVAL;
	x->plen = plen;
	return 0;
}

static bool source_match(const struct source *x, const struct endpoint *ep)
{
	unsigned int full = x->plen / 8, rest = x->plen % 8;

	if (x->family != ep->family || memcmp(x->addr, ep->addr, full))
		return false;
	return !rest || !((x->addr[full] ^ ep->addr[full]) &
			  (0xff00 >> rest));
}

static bool source_listed(const struct feed *f, const struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < f->n_sources; i++)
		if (source_match(&f->sources[i], ep))
			return true;
	return false;
}

/* The time taken depends on the configured key's length only. */
static bool key_equal(const struct feed *f, const uint8_t *k, size_t len)
{
	uint8_t d = len != f->key_len;
	size_t i;

	for (i = 0; i < f->key_len; i++)
		d |= f->key[i] ^ (i < len ? k[i] : 0);
	return !d;
}

static void sa_to_endpoint(const struct sockaddr_storage *ss,
			   struct endpoint *ep)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	memset(ep, 0, sizeof(*ep));
	ep->family = ss->ss_family;
	if (ss->ss_family == AF_INET) {
		memcpy(ep->addr, &in4->sin_addr, 4);
		ep->port = ntohs(in4->sin_port);
	} else if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		ep->family = AF_INET;
		memcpy(ep->addr, in6->sin6_addr.s6_addr + 12, 4);
		ep->port = ntohs(in6->sin6_port);
	} else {
		memcpy(ep->addr, &in6->sin6_addr, 16);
		ep->port = ntohs(in6->sin6_port);
	}
}

static socklen_t endpoint_to_sa(const struct endpoint *ep,
				struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ep->family == AF_INET) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(ep->port);
		memcpy(&in4->sin_addr, ep->addr, 4);
		return sizeof(*in4);
	}
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(ep->port);
	memcpy(&in6->sin6_addr, ep->addr, 16);
	return sizeof(*in6);
}

static size_t addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

/* ADDR:PORT or [V6]:PORT into @buf of INET6_ADDRSTRLEN + 8. */
static const char *format_endpoint(const struct endpoint *ep, char *buf)
{
	char a[INET6_ADDRSTRLEN];

	format_addr(ep->addr, addr_len(ep->family), a);
	snprintf(buf, INET6_ADDRSTRLEN + 8,
		 ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, ep->port);
	return buf;
}

/* The answers to fed messages: only failures come back. */
static void feed_error(int error, void *data)
{
	struct counters *c = data;

	if (error == -ENOENT)
		c->no_master++;
	else if (error == -EOPNOTSUPP)
		c->refused_off++;
	else
		c->kernel_errors++;
}

static void feed_drain(struct feed *f)
{
	if (f->nl && nl_drain(f->nl, feed_error, &f->c) == -ENOBUFS)
		f->c.replies_lost++;
}

/*
 * One line: proto src dst length first-line (or a JSON object). The
 * first line is cut at 200 bytes, anything unprintable shown as '?'.
 */
static void print_msg(const struct feed_msg *m)
{
	char buf[INET6_ADDRSTRLEN + 8], first[201];
	size_t i;

	for (i = 0; i < m->len && i < sizeof(first) - 1 &&
	     m->sip[i] != '\r' && m->sip[i] != '\n'; i++)
		first[i] = m->sip[i] < 0x20 || m->sip[i] >= 0x7f ? '?' :
			   m->sip[i];
	first[i] = '\0';
	open_json_object(NULL);
	print_string(PRINT_ANY, "proto", "feed %s",
		     m->tls ? "tls" : proto_name(m->proto));
	print_string(PRINT_ANY, "src", " %s", format_endpoint(&m->src, buf));
	print_string(PRINT_ANY, "dst", " %s", format_endpoint(&m->dst, buf));
	print_uint(PRINT_ANY, "len", " %llu", m->len);
	print_string(PRINT_ANY, "first_line", " %s", first);
	close_json_object();
	print_nl();
	print_end();
}

static void feed_msg(struct feed *f, const struct feed_msg *m)
{
	size_t alen = addr_len(m->src.family);
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	f->c.received++;
	if (f->print) {
		print_msg(m);
		f->c.fed++;
		return;
	}
	nlh = nl_request(f->nl, EDGEPIN_CMD_FEED, 0);
	nest = mnl_attr_nest_start(nlh, EDGEPIN_A_FEED);
	mnl_attr_put_u8(nlh, EDGEPIN_A_FEED_PROTO, m->proto);
	mnl_attr_put_u8(nlh, EDGEPIN_A_FEED_FAMILY, m->src.family);
	mnl_attr_put(nlh, EDGEPIN_A_FEED_SRC_ADDR, alen, m->src.addr);
	mnl_attr_put_u16(nlh, EDGEPIN_A_FEED_SRC_PORT, m->src.port);
	mnl_attr_put(nlh, EDGEPIN_A_FEED_DST_ADDR, alen, m->dst.addr);
	mnl_attr_put_u16(nlh, EDGEPIN_A_FEED_DST_PORT, m->dst.port);
	if (f->zone)
		mnl_attr_put_u16(nlh, EDGEPIN_A_FEED_ZONE, f->zone);
	if (m->tls)
		mnl_attr_put(nlh, EDGEPIN_A_FEED_TLS, 0, NULL);
	mnl_attr_put(nlh, EDGEPIN_A_FEED_MSG, m->len, m->sip);
	mnl_attr_nest_end(nlh, nest);
	if (nl_send(f->nl, nlh))
		f->c.kernel_errors++;
	else
		f->c.fed++;
}

/* Count a refusal; @sender NULL: the local socket. */
static void refuse(struct feed *f, enum feed_refusal r,
		   const struct endpoint *sender, const char *why)
{
	char buf[INET6_ADDRSTRLEN + 8];

	f->c.refused[r]++;
	f->pending[r]++;
	f->last_local[r] = !sender;
	if (sender)
		f->last_sender[r] = *sender;
	if (!f->print)
		return;
	open_json_object(NULL);
	print_string(PRINT_ANY, "refused", "refused %s", refusals[r].name);
	print_string(PRINT_ANY, "sender", " %s",
		     sender ? format_endpoint(sender, buf) : "local");
	print_string(PRINT_ANY, "why", " %s", why);
	close_json_object();
	print_nl();
	print_end();
}

/* Tell the module what was refused since the last report. */
static void report_refusals(struct feed *f)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char buf[INET6_ADDRSTRLEN + 8];
	int r;

	f->last_report = time(NULL);
	for (r = 0; r < R_COUNT; r++) {
		if (!f->pending[r])
			continue;
		fprintf(stderr, "edgepin: feed: refused %u (%s), the last from %s\n",
			f->pending[r], refusals[r].name, f->last_local[r] ?
			"the local socket" :
			format_endpoint(&f->last_sender[r], buf));
		if (f->nl) {
			nlh = nl_request(f->nl, EDGEPIN_CMD_FEED, 0);
			nest = mnl_attr_nest_start(nlh, EDGEPIN_A_FEED_DROP);
			mnl_attr_put_u32(nlh, EDGEPIN_A_FEED_DROP_REASON,
					 refusals[r].stat);
			mnl_attr_put_u32(nlh, EDGEPIN_A_FEED_DROP_COUNT,
					 f->pending[r]);
			if (!f->last_local[r])
				mnl_attr_put(nlh, EDGEPIN_A_FEED_DROP_SENDER,
					     addr_len(f->last_sender[r].family),
					     f->last_sender[r].addr);
			mnl_attr_nest_end(nlh, nest);
			if (nl_send(f->nl, nlh))
				f->c.kernel_errors++;
		}
		f->pending[r] = 0;
	}
}

static void log_counters(const struct feed *f)
{
	const struct counters *c = &f->c;

	fprintf(stderr, "edgepin: feed: received %llu, fed %llu, no master %llu, refused by policy (sip-feed off) %llu, other kernel errors %llu, answers lost %llu; refused sender %llu, key %llu, malformed %llu\n",
		(unsigned long long)c->received, (unsigned long long)c->fed,
		(unsigned long long)c->no_master,
		(unsigned long long)c->refused_off,
		(unsigned long long)c->kernel_errors,
		(unsigned long long)c->replies_lost,
		(unsigned long long)c->refused[R_SENDER],
		(unsigned long long)c->refused[R_KEY],
		(unsigned long long)c->refused[R_MALFORMED]);
}

/*
 * One HEPv3 frame from @sender (NULL: the local socket, whose file mode
 * is its access control: no key asked). Returns 0, -EBADMSG when it was
 * malformed, or -EACCES when its key was not ours: a TCP connection is
 * then closed.
 */
static int take_hep(struct feed *f, const uint8_t *buf, size_t len,
		    const struct endpoint *sender)
{
	struct feed_msg m = { 0 };
	struct hep_msg h;
	enum hep_reason r = hep_parse(buf, len, &h);

	if (r) {
		refuse(f, R_MALFORMED, sender, hep_reason_name(r));
		return -EBADMSG;
	}
	if (sender && f->key_len &&
	    !(h.has_key && key_equal(f, buf + h.key_off, h.key_len))) {
		refuse(f, R_KEY, sender, h.has_key ? "wrong-key" : "no-key");
		/* a TCP sender that does not know the key guesses no more */
		return -EACCES;
	}
	if (h.payload_len > FEED_MSG_MAX) {
		refuse(f, R_MALFORMED, sender, "too-long");
		return -EBADMSG;
	}
	m.proto = h.proto;
	m.tls = h.tls;
	m.src.family = m.dst.family = h.family;
	memcpy(m.src.addr, h.src, 16);
	memcpy(m.dst.addr, h.dst, 16);
	m.src.port = h.sport;
	m.dst.port = h.dport;
	m.sip = buf + h.payload_off;
	m.len = h.payload_len;
	feed_msg(f, &m);
	return 0;
}

/* "PROTO SRC DST\n" and the message, from the local socket. */
static int take_line(struct feed *f, const uint8_t *buf, size_t len)
{
	const uint8_t *nl = memchr(buf, '\n', len < FEED_LINE_MAX ? len :
				   FEED_LINE_MAX);
	char line[FEED_LINE_MAX + 1], *proto, *src, *dst, *save;
	struct feed_msg m = { 0 };

	if (!nl)
		goto bad;
	memcpy(line, buf, nl - buf);
	line[nl - buf] = '\0';
	proto = strtok_r(line, " ", &save);
	src = strtok_r(NULL, " ", &save);
	dst = strtok_r(NULL, " ", &save);
	if (!proto || !dst || strtok_r(NULL, " ", &save) ||
	    parse_endpoint(src, true, 0, &m.src) ||
	    parse_endpoint(dst, true, 0, &m.dst) ||
	    m.src.family != m.dst.family)
		goto bad;
	m.tls = !strcmp(proto, "tls");
	if (!strcmp(proto, "udp"))
		m.proto = IPPROTO_UDP;
	else if (!strcmp(proto, "tcp") || m.tls)
		m.proto = IPPROTO_TCP;
	else
		goto bad;
	m.sip = nl + 1;
	m.len = len - (nl + 1 - buf);
	if (!m.len || m.len > FEED_MSG_MAX)
		goto bad;
	feed_msg(f, &m);
	return 0;
bad:
	refuse(f, R_MALFORMED, NULL, "bad-line");
	return -EBADMSG;
}

static void read_udp(struct feed *f, int fd)
{
	static uint8_t buf[HEP_MAX_LEN + 1];
	struct sockaddr_storage ss;
	struct endpoint sender;
	socklen_t sl;
	ssize_t n;
	int i;

	for (i = 0; i < FEED_BURST; i++) {
		sl = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;
		sa_to_endpoint(&ss, &sender);
		if (!source_listed(f, &sender))
			refuse(f, R_SENDER, &sender, "unlisted");
		else if ((size_t)n > HEP_MAX_LEN)
			refuse(f, R_MALFORMED, &sender, "too-long");
		else
			take_hep(f, buf, n, &sender);
	}
}

static void read_local(struct feed *f)
{
	static uint8_t buf[FEED_LINE_MAX + HEP_MAX_LEN + 1];
	ssize_t n;
	int i;

	for (i = 0; i < FEED_BURST; i++) {
		n = recv(f->local, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			return;
		if ((size_t)n >= sizeof(buf))
			refuse(f, R_MALFORMED, NULL, "too-long");
		else if (n >= 4 && !memcmp(buf, "HEP3", 4))
			take_hep(f, buf, n, NULL);
		else
			take_line(f, buf, n);
	}
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* A free slot, or the one that was idle longest, closed. */
static struct conn *conn_slot(struct feed *f)
{
	struct conn *c, *oldest = &f->conns[0];

	for (c = f->conns; c < f->conns + FEED_MAX_CONNS; c++) {
		if (c->fd < 0)
			return c;
		if (c->last < oldest->last)
			oldest = c;
	}
	conn_close(oldest);
	return oldest;
}

static void accept_tcp(struct feed *f, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct endpoint sender;
	struct conn *c;
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	sa_to_endpoint(&ss, &sender);
	if (!source_listed(f, &sender)) {
		refuse(f, R_SENDER, &sender, "unlisted");
		close(fd);
		return;
	}
	c = conn_slot(f);
	c->fd = fd;
	c->peer = sender;
	c->last = time(NULL);
	c->len = 0;
}

/* Read, then take each whole frame; a stream that cannot be framed ends. */
static void read_tcp(struct feed *f, struct conn *c)
{
	size_t fl;
	ssize_t n;
	enum hep_reason r;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len,
		 MSG_DONTWAIT);
	if (n <= 0) {
		if (n && (errno == EAGAIN || errno == EINTR))
			return;
		/* a frame cut short by the end of the stream */
		if (c->len)
			refuse(f, R_MALFORMED, &c->peer, "truncated");
		conn_close(c);
		return;
	}
	c->len += n;
	c->last = time(NULL);
	for (;;) {
		r = hep_frame(c->buf, c->len, &fl);
		if (r) {
			refuse(f, R_MALFORMED, &c->peer, hep_reason_name(r));
			conn_close(c);
			return;
		}
		if (!fl || fl > c->len)
			return;
		if (take_hep(f, c->buf, fl, &c->peer)) {
			conn_close(c);
			return;
		}
		c->len -= fl;
		memmove(c->buf, c->buf + fl, c->len);
	}
}

static int open_listener(const struct endpoint *ep, int type)
{
	struct sockaddr_storage ss;
	socklen_t sl = endpoint_to_sa(ep, &ss);
	int one = 1, fd, err;

	fd = socket(ep->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ep->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) ||
	    (type == SOCK_STREAM && listen(fd, 16))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * The local socket, mode 0600. One left by a daemon that is gone is
 * replaced; one that a running daemon answers on is not.
 */
static int open_local(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if (!strcmp(path, FEED_SOCKET))
		mkdir("/run/edgepin", 0755);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(fd);
		return -EADDRINUSE;
	}
	/* a socket nobody answers on; never another kind of file */
	if (errno == ECONNREFUSED && !lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
	close(fd);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old = umask(0177);
	err = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ? -errno : 0;
	umask(old);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int feed_open(struct feed *f)
{
	size_t i;
	char buf[INET6_ADDRSTRLEN + 8];
	int fd;

	for (i = 0; i < FEED_MAX_CONNS; i++)
		f->conns[i].fd = -1;
	for (i = 0; i < f->n_listen; i++) {
		format_endpoint(&f->listen[i], buf);
		fd = open_listener(&f->listen[i], SOCK_DGRAM);
		if (fd < 0)
			goto err;
		f->udp[i] = fd;
		fd = open_listener(&f->listen[i], SOCK_STREAM);
		if (fd < 0)
			goto err;
		f->tcp[i] = fd;
	}
	fd = open_local(f->sock_path);
	if (fd < 0) {
		fprintf(stderr, "edgepin: feed: %s: %s\n", f->sock_path,
			strerror(-fd));
		return 1;
	}
	f->local = fd;
	return 0;
err:
	fprintf(stderr, "edgepin: feed: listen %s: %s\n", buf, strerror(-fd));
	return 1;
}

static void feed_close(struct feed *f)
{
	size_t i;

	for (i = 0; i < f->n_listen; i++) {
		if (f->udp[i] >= 0)
			close(f->udp[i]);
		if (f->tcp[i] >= 0)
			close(f->tcp[i]);
	}
	for (i = 0; i < FEED_MAX_CONNS; i++)
		if (f->conns[i].fd >= 0)
			conn_close(&f->conns[i]);
	if (f->local >= 0) {
		close(f->local);
		unlink(f->sock_path);
	}
	nl_close(f->nl);
}

/* What each pollfd is: a listener, the local socket or a connection. */
enum slot_kind { S_NL, S_UDP, S_TCP, S_LOCAL, S_CONN };

struct slot {
	enum slot_kind kind;
	int fd;
	struct conn *conn;
};

#define FEED_MAX_FDS (2 + 2 * FEED_MAX_LISTEN + FEED_MAX_CONNS)

static size_t feed_fds(struct feed *f, struct pollfd *pfd, struct slot *s)
{
	size_t i, n = 0;

#define ADD(k, d, c) do {						\
		s[n] = (struct slot){ (k), (d), (c) };			\
		pfd[n++] = (struct pollfd){ .fd = (d), .events = POLLIN }; \
	} while (0)
	if (f->nl)
		ADD(S_NL, mnl_socket_get_fd(f->nl->sock), NULL);
	ADD(S_LOCAL, f->local, NULL);
	for (i = 0; i < f->n_listen; i++) {
		ADD(S_UDP, f->udp[i], NULL);
		ADD(S_TCP, f->tcp[i], NULL);
	}
	for (i = 0; i < FEED_MAX_CONNS; i++)
		if (f->conns[i].fd >= 0)
			ADD(S_CONN, f->conns[i].fd, &f->conns[i]);
#undef ADD
	return n;
}

static void feed_event(struct feed *f, const struct slot *s)
{
	switch (s->kind) {
	case S_NL:
		break;
	case S_UDP:
		read_udp(f, s->fd);
		break;
	case S_TCP:
		accept_tcp(f, s->fd);
		break;
	case S_LOCAL:
		read_local(f);
		break;
	case S_CONN:
		if (s->conn->fd >= 0)
			read_tcp(f, s->conn);
		break;
	}
	feed_drain(f);
}

static int feed_loop(struct feed *f, const sigset_t *waitmask)
{
	struct pollfd pfd[FEED_MAX_FDS];
	struct slot slots[FEED_MAX_FDS];
	struct timespec tick = { 1, 0 };
	size_t i, n;
	int ret;

	while (!feed_stop) {
		n = feed_fds(f, pfd, slots);
		ret = ppoll(pfd, n, &tick, waitmask);
		if (ret < 0 && errno != EINTR) {
			fprintf(stderr, "edgepin: feed: poll: %s\n",
				strerror(errno));
			return 1;
		}
		for (i = 0; ret > 0 && i < n; i++)
			if (pfd[i].revents)
				feed_event(f, &slots[i]);
		if (feed_dump) {
			feed_dump = 0;
			log_counters(f);
		}
		if (time(NULL) != f->last_report)
			report_refusals(f);
	}
	return 0;
}

/* The key: the file's bytes, less a final newline. */
static int read_key(struct feed *f, const char *path)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (!fp) {
		fprintf(stderr, "edgepin: feed: %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	n = fread(f->key, 1, sizeof(f->key), fp);
	if (n == sizeof(f->key) && fgetc(fp) != EOF)
		n = 0;
	fclose(fp);
	while (n && (f->key[n - 1] == '\n' || f->key[n - 1] == '\r'))
		n--;
	if (!n) {
		fprintf(stderr, "edgepin: feed: %s: the key must be 1-%d bytes\n",
			path, FEED_KEY_MAX);
		return 1;
	}
	f->key_len = n;
	return 0;
}

static int feed_args(struct feed *f, int argc, char **argv)
{
	const struct object *o = &feed_object;
	uint64_t v;
	int i;

	for (i = 0; i < argc; i++) {
		const char *opt = argv[i], *val = argv[i + 1];

		if (!strcmp(opt, "--print")) {
			f->print = true;
			continue;
		}
		if (i + 1 >= argc)
			return ctl_usage(o, "feed: %s: missing value", opt);
		i++;
		if (!strcmp(opt, "--listen")) {
			if (f->n_listen == FEED_MAX_LISTEN)
				return ctl_usage(o, "feed: at most %d --listen",
						 FEED_MAX_LISTEN);
			if (parse_endpoint(val, false, FEED_PORT,
					   &f->listen[f->n_listen++]))
				return ctl_usage(o, "feed: bad --listen '%s'",
						 val);
		} else if (!strcmp(opt, "--source")) {
			if (f->n_sources == FEED_MAX_SOURCES)
				return ctl_usage(o, "feed: at most %d --source",
						 FEED_MAX_SOURCES);
			if (parse_source(val, &f->sources[f->n_sources++]))
				return ctl_usage(o, "feed: bad --source '%s'",
						 val);
		} else if (!strcmp(opt, "--key-file")) {
			if (read_key(f, val))
				return 1;
		} else if (!strcmp(opt, "--socket")) {
			f->sock_path = val;
		} else if (!strcmp(opt, "--zone")) {
			if (parse_uint(val, 65535, &v))
				return ctl_usage(o, "feed: bad --zone '%s'",
						 val);
			f->zone = v;
		} else {
			return ctl_usage(o, "feed: unknown option '%s'", opt);
		}
	}
	if (f->n_listen && !f->n_sources)
		return ctl_usage(o, "feed: --listen needs --source: whose HEP to accept");
	if (f->n_listen && !f->key_len)
		fprintf(stderr, "edgepin: feed: no --key-file: HEP is taken on its sender's address alone, which a UDP datagram can forge\n");
	return 0;
}

static int feed_main(int argc, char **argv)
{
	static struct feed f;
	struct sigaction sa;
	sigset_t stop, orig;
	int ret;

	memset(&f, 0, sizeof(f));
	memset(f.udp, -1, sizeof(f.udp));
	memset(f.tcp, -1, sizeof(f.tcp));
	f.local = -1;
	f.sock_path = FEED_SOCKET;
	ret = feed_args(&f, argc, argv);
	if (ret)
		return ret;
	/* blocked but while waiting, so none falls between two polls */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGUSR1);
	sigprocmask(SIG_BLOCK, &stop, &orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!f.print) {
		f.nl = ctl_open("feed");
		if (!f.nl)
			return 1;
	}
	ret = feed_open(&f);
	if (!ret) {
		f.last_report = time(NULL);
		ret = feed_loop(&f, &orig);
		report_refusals(&f);
		feed_drain(&f);
		log_counters(&f);
	}
	feed_close(&f);
	return ret;
}

/* edgepin feed send [--socket PATH] PROTO SRC DST [FILE] */
static int feed_send_main(int argc, char **argv)
{
	static char buf[FEED_LINE_MAX + HEP_MAX_LEN + 1];
	const struct object *o = &feed_object;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = FEED_SOCKET;
	struct endpoint src, dst;
	FILE *in = stdin;
	size_t n, len;
	int fd, ret = 0;

	if (argc >= 2 && !strcmp(argv[0], "--socket")) {
		path = argv[1];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || argc > 4)
		return ctl_usage(o, "feed send: want PROTO SRC DST [FILE]");
	if (strcmp(argv[0], "udp") && strcmp(argv[0], "tcp") &&
	    strcmp(argv[0], "tls"))
		return ctl_usage(o, "feed send: PROTO is udp, tcp or tls");
	if (parse_endpoint(argv[1], true, 0, &src) ||
	    parse_endpoint(argv[2], true, 0, &dst) ||
	    src.family != dst.family)
		return ctl_usage(o, "feed send: want SRC and DST as ADDR:PORT or [V6]:PORT, of one family");
	if (strlen(path) >= sizeof(sun.sun_path))
		return ctl_usage(o, "feed send: socket path too long");
	strcpy(sun.sun_path, path);
	len = snprintf(buf, FEED_LINE_MAX, "%s %s %s\n", argv[0], argv[1],
		       argv[2]);
	if (argc == 4 && strcmp(argv[3], "-")) {
		in = fopen(argv[3], "rb");
		if (!in) {
			fprintf(stderr, "edgepin: feed send: %s: %s\n",
				argv[3], strerror(errno));
			return 1;
		}
	}
	n = fread(buf + len, 1, FEED_MSG_MAX + 1, in);
	if (in != stdin)
		fclose(in);
	if (!n || n > FEED_MSG_MAX) {
		fprintf(stderr, "edgepin: feed send: the message must be 1-%d bytes\n",
			FEED_MSG_MAX);
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, buf, len + n, 0, (struct sockaddr *)&sun,
			     sizeof(sun)) < 0) {
		fprintf(stderr, "edgepin: feed send: %s: %s\n", path,
			strerror(errno));
		ret = 1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static void feed_more_help(FILE *fp)
{
	fprintf(fp, "    --listen: HEPv3 over UDP and TCP (port %d unless given) from the\n"
		"    --source senders only; the local socket (%s, mode\n"
		"    0600) takes HEPv3, or a line \"udp|tcp|tls SRC DST\" and the message\n",
		FEED_PORT, FEED_SOCKET);
}

static const struct cmd feed_cmds[] = {
	{ NULL, feed_main,
	  "[--listen ADDR[:PORT]]... [--source ADDR[/LEN]]... [--key-file FILE] [--socket PATH] [--zone N] [--print]",
	  "receive mirrored SIP until interrupted" },
	{ "send", feed_send_main, "[--socket PATH] PROTO SRC DST [FILE]",
	  "send one SIP message to the local socket" },
	{ NULL, NULL, NULL, NULL },
};

const struct object feed_object = {
	.name = "feed",
	.cmds = feed_cmds,
	.help = "SIP mirrored by a TLS-terminating proxy",
	.more_help = feed_more_help,
};
