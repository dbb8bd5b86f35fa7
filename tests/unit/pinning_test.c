// SPDX-License-Identifier: GPL-2.0
/*
 * The pinning decision (kmod/pinning.c) on offer/answer pairs: the keys
 * and refusals expected of hand-written pairs, of the corpus samples with
 * realistic answers, and of hostile ones. Every run is also held against
 * tests/shim/pinning_oracle.h: the same keys in the same order, the same
 * refusal counts, and no key breaking a security invariant.
 */
#include <arpa/inet.h>
#include "kselftest_harness.h"
#include "vectors.h"
#include "pinning_oracle.h"

static struct edgepin_sdp_builder offer_b, answer_b;
#define OFFER	(&offer_b.sum)
#define ANSWER	(&answer_b.sum)

static struct edgepin_policy pol;
static struct pin_oracle oracle;

/* DESIGN.md's defaults, as kmod/policy.c has them. */
static void policy_default(struct edgepin_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->max_calls = 16384;
	p->max_calls_per_source = 1024;
	p->max_pinholes = 65536;
	p->max_per_call = 64;
	p->pinhole_timeout = 60;
	p->call_timeout = 14400;
	p->transports = EDGEPIN_PROTO_UDP | EDGEPIN_PROTO_TCP;
	p->peer_match = EDGEPIN_PEER_MATCH_ADDRESS;
	p->mode = EDGEPIN_MODE_ENFORCE;
	p->n_ranges = 1;
	p->ranges[0].lo = 50000;
	p->ranges[0].hi = 59999;
	p->n_excludes = 1;
	p->excludes[0].lo = 50001;
	p->excludes[0].hi = 50003;
	p->excludes[0].protos = EDGEPIN_PROTO_TCP;
}

static int addr_of(const char *text, union nf_inet_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, text, a) == 1)
		return AF_INET6;
	return 0;
}

static void policy_edge(struct edgepin_policy *p, const char *addr, int plen)
{
	struct edgepin_prefix *e = &p->edges[p->n_edges++];

	e->family = addr_of(addr, &e->addr);
	e->plen = plen;
}

static int add_part(const char *sdp, size_t len, int part, void *arg)
{
	static struct sdp_session s;

	if (!sdp_parse(sdp, len, &s))
		edgepin_sdp_add(arg, &s);
	return 0;
}

static void finish(struct edgepin_sdp_builder *b, const char *sig,
		   bool from_edge)
{
	edgepin_sdp_end(b);
	b->sum.sig_family = addr_of(sig, &b->sum.sig);
	b->sum.from_edge = from_edge;
}

/* A bare SDP, sent from @sig. */
static void sdp_from(struct edgepin_sdp_builder *b, const char *text,
		     const char *sig, bool from_edge)
{
	struct blob x = blob_str(text);

	edgepin_sdp_begin(b);
	add_part(x.p, x.len, 0, b);
	finish(b, sig, from_edge);
	free(x.p);
}

/* The SDP of a tests/vectors message, sent from @sig; its SDP part count. */
static int vector_from(struct edgepin_sdp_builder *b, const char *file,
		       const char *sig, bool from_edge)
{
	struct blob x = vector_read(file);
	int n;

	if (!x.p)
		return -1;
	edgepin_sdp_begin(b);
	n = sip_for_each_sdp(x.p, x.len, add_part, b);
	finish(b, sig, from_edge);
	free(x.p);
	return n;
}

/*
 * What the call layer would do with the keys: keep the distinct ones and
 * stop at the first that would exceed @max (its max-pinholes-per-call;
 * 0: none).
 */
struct run {
	struct edgepin_pin_key key[ORACLE_MAX_KEYS];
	unsigned int n, wants, max;
	unsigned int refused[__EDGEPIN_REFUSED_MAX];
	bool stopped;
};

static struct run r;

static bool run_want(void *arg, const struct edgepin_pin_key *k)
{
	struct run *x = arg;
	unsigned int i;

	x->wants++;
	for (i = 0; i < x->n; i++)
		if (edgepin_pin_key_eq(&x->key[i], k))
			return false;
	if (x->max && x->n >= x->max) {
		x->stopped = true;
		return true;
	}
	x->key[x->n++] = *k;
	return false;
}

static void run_refused(void *arg, enum edgepin_refusal why)
{
	struct run *x = arg;

	if ((unsigned int)why < __EDGEPIN_REFUSED_MAX)
		x->refused[why]++;
}

static const struct edgepin_pinning_ops run_ops = {
	.want = run_want,
	.refused = run_refused,
};

/* Decide, and hold the outcome against the oracle. */
static void decide(struct __test_metadata *_metadata, unsigned int max)
{
	unsigned int i;

	memset(&r, 0, sizeof(r));
	r.max = max;
	edgepin_pinning(OFFER, ANSWER, &pol, &run_ops, &r);
	for (i = 0; i < r.n; i++) {
		const char *bad = pin_oracle_violation(OFFER, ANSWER, &pol,
						       &r.key[i]);

		EXPECT_EQ(NULL, bad) TH_LOG("key %u: %s", i, bad);
	}
	EXPECT_EQ(0, r.refused[EDGEPIN_REFUSED_NONE]);
	if (r.stopped)
		return;
	pin_oracle_keys(&oracle, OFFER, ANSWER, &pol);
	ASSERT_EQ(oracle.n, r.n);
	for (i = 0; i < r.n; i++) {
		EXPECT_EQ(0, memcmp(&oracle.key[i], &r.key[i], sizeof(r.key[i])))
			TH_LOG("key %u differs from the oracle's", i);
	}
	for (i = 0; i < __EDGEPIN_REFUSED_MAX; i++)
		EXPECT_EQ(oracle.refused[i], r.refused[i])
			TH_LOG("refusal %u", i);
}

static unsigned int refusals(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < __EDGEPIN_REFUSED_MAX; i++)
		n += r.refused[i];
	return n;
}

/* Is r.key[@i] edge @edge:@eport from @peer(:@pport), of these kinds? */
static bool key_is(unsigned int i, int proto, const char *edge, int eport,
		   const char *peer, int pport, int ekind, int pkind)
{
	union nf_inet_addr e, p;
	const struct edgepin_pin_key *k = &r.key[i];
	int fam = addr_of(edge, &e);

	addr_of(peer, &p);
	return i < r.n && k->family == fam && k->proto == proto &&
	       !memcmp(&k->edge_addr, &e, sizeof(e)) && k->edge_port == eport &&
	       !memcmp(&k->peer_addr, &p, sizeof(p)) && k->peer_port == pport &&
	       k->edge_kind == ekind && k->peer_kind == pkind;
}

#define UDP	IPPROTO_UDP
#define TCP	IPPROTO_TCP
#define DEF	EDGEPIN_CAND_DEFAULT
#define RTCP	EDGEPIN_CAND_RTCP
#define HOST	EDGEPIN_CAND_HOST
#define SRFLX	EDGEPIN_CAND_SRFLX
#define RELAY	EDGEPIN_CAND_RELAY

#define HEAD(addr) "v=0\r\no=- 1 1 IN IP4 " addr "\r\ns=-\r\nt=0 0\r\n"
#define PEER	"198.51.100.7"
#define EDGE	"203.0.113.10"
/* an internet peer's offer, and the Edge's answer (no ICE) */
#define PEER_AUDIO HEAD(PEER) "c=IN IP4 " PEER "\r\nm=audio 40000 RTP/AVP 0\r\n"
#define EDGE_AUDIO(port) HEAD(EDGE) "c=IN IP4 " EDGE "\r\n" \
	"m=audio " port " RTP/AVP 0\r\n"

static void setup(void)
{
	policy_default(&pol);
	policy_edge(&pol, "203.0.113.0", 24);
}

/* The peer's plain offer, and the Edge's answer @answer. */
static void peer_offers(const char *answer)
{
	sdp_from(&offer_b, PEER_AUDIO, PEER, false);
	sdp_from(&answer_b, answer, EDGE, true);
}

TEST(plain_call_pins_rtp_and_rtcp_from_the_peer)
{
	setup();
	peer_offers(EDGE_AUDIO("50000"));
	decide(_metadata, 0);
	ASSERT_EQ(2, r.n);
	EXPECT_TRUE(key_is(0, UDP, EDGE, 50000, PEER, 0, DEF, DEF));
	EXPECT_TRUE(key_is(1, UDP, EDGE, 50001, PEER, 0, RTCP, DEF));
	EXPECT_EQ(0, refusals());
	/* the same with the Edge offering */
	sdp_from(&offer_b, EDGE_AUDIO("50000"), EDGE, true);
	sdp_from(&answer_b, PEER_AUDIO, PEER, false);
	decide(_metadata, 0);
	ASSERT_EQ(2, r.n);
	EXPECT_TRUE(key_is(0, UDP, EDGE, 50000, PEER, 0, DEF, DEF));
}

TEST(peer_match_address_port_names_each_source_port)
{
	setup();
	pol.peer_match = EDGEPIN_PEER_MATCH_ADDRESS_PORT;
	peer_offers(EDGE_AUDIO("50000"));
	decide(_metadata, 0);
	ASSERT_EQ(4, r.n);
	EXPECT_TRUE(key_is(0, UDP, EDGE, 50000, PEER, 40000, DEF, DEF));
	EXPECT_TRUE(key_is(1, UDP, EDGE, 50000, PEER, 40001, DEF, RTCP));
	EXPECT_TRUE(key_is(2, UDP, EDGE, 50001, PEER, 40000, RTCP, DEF));
	EXPECT_TRUE(key_is(3, UDP, EDGE, 50001, PEER, 40001, RTCP, RTCP));
}

TEST(destination_not_on_the_edge_side)
{
	setup();
	/* the Edge's answer pointing at an inside host */
	peer_offers(HEAD(EDGE) "c=IN IP4 10.0.0.5\r\nm=audio 50000 RTP/AVP 0\r\n");
	decide(_metadata, 0);
	EXPECT_EQ(0, r.n);
	EXPECT_EQ(2, r.refused[EDGEPIN_REFUSED_NOT_EDGE]);
	/* the peer's own SDP naming an edge address: not its side */
	sdp_from(&offer_b, HEAD(PEER) "c=IN IP4 " EDGE "\r\n"
		 "m=audio 50000 RTP/AVP 0\r\n", PEER, false);
	sdp_from(&answer_b, PEER_AUDIO, "192.0.2.9", false);
	decide(_metadata, 0);
	EXPECT_EQ(0, r.n);
	EXPECT_EQ(0, refusals());
}

TEST(edge_ports_outside_range_or_excluded)
{
	setup();
	peer_offers(EDGE_AUDIO("40000"));
	decide(_metadata, 0);
	EXPECT_EQ(0, r.n);
	EXPECT_EQ(2, r.refused[EDGEPIN_REFUSED_RANGE]);
	/* 59999 is in range, its RTCP port 60000 is not */
	sdp_from(&answer_b, EDGE_AUDIO("59999"), EDGE, true);
	decide(_metadata, 0);
	ASSERT_EQ(1, r.n);
	EXPECT_TRUE(key_is(0, UDP, EDGE, 59999, PEER, 0, DEF, DEF));
	EXPECT_EQ(1, r.refused[EDGEPIN_REFUSED_RANGE]);
	/* excluded for UDP: 50000 only */
	pol.n_excludes = 1;
	pol.excludes[0].lo = 50000;
	pol.excludes[0].hi = 50000;
	pol.excludes[0].protos = EDGEPIN_PROTO_UDP;
	sdp_from(&answer_b, EDGE_AUDIO("50000"), EDGE, true);
	decide(_metadata, 0);
	ASSERT_EQ(1, r.n);
	EXPECT_TRUE(key_is(0, UDP, EDGE, 50001, PEER, 0, RTCP, DEF));
	EXPECT_EQ(1, r.refused[EDGEPIN_REFUSED_EXCLUDED]);
}

#define TCP_PEER HEAD(PEER) "c=IN IP4 " PEER "\r\nm=audio 9 TCP/RTP/AVP 0\r\n" \
	"a=candidate:1 1 tcp 1 " PEER " 40000 typ host tcptype active\r\n"
#define TCP_EDGE(port, tcptype) HEAD(EDGE) "c=IN IP4 " EDGE "\r\n"	\
	"m=audio 9 TCP/RTP/AVP 0\r\n"					\
	"a=candidate:1 1 tcp 1 " EDGE " " port " typ host tcptype " tcptype "\r\n"

TEST(tcp_only_listeners_are_destinations)
{
	setup();
	sdp_from(&offer_b, TCP_PEER, PEER, false);
	/* passive: pinned; the m= default (port 9) is not a listener */
	sdp_from(&answer_b, TCP_EDGE("50010", "passive"), EDGE, true);
	decide(_metadata, 0);
	ASSERT_EQ(1, r.n);
	EXPECT_TRUE(key_is(0, TCP, EDGE, 50010, PEER, 0, HOST, HOST));
	EXPECT_EQ(1, r.refused[EDGEPIN_REFUSED_TCP_ACTIVE]);
	/* active: nothing */
	sdp_from(&answer_b, TCP_EDGE("50010", "active"), EDGE, true);
	decide(_metadata, 0);
	EXPECT_EQ(0, r.n);
	EXPECT_EQ(2, r.refused[EDGEPIN_REFUSED_TCP_ACTIVE]);
	/* TCP 50002 is excluded by default */
	sdp_from(&answer_b, TCP_EDGE("50002", "so"), EDGE, true);
	decide(_metadata, 0);
	EXPECT_EQ(0, r.n);
	EXPECT_EQ(1, r.refused[EDGEPIN_REFUSED_EXCLUDED]);
	/* TCP not pinned at all */
	pol.transports = EDGEPIN_PROTO_UDP;
	sdp_from(&answer_b, TCP_EDGE("50010", "passive"), EDGE, true);
	decide(_metadata, 0);
	EXPECT_EQ(0, r.n);
	EXPECT_EQ(1, r.refused[EDGEPIN_REFUSED_TRANSPORT]);
}

/* Every source a peer may not give, each once, and one it may. */
#define HOSTILE(addr, fam) "a=candidate:1 1 udp 1 " addr " 40002 typ host\r\n"
TEST(hostile_sources)
{
	setup();
	sdp_from(&offer_b, PEER_AUDIO
		 HOSTILE("0.0.0.0", 4) HOSTILE("127.0.0.1", 4)
		 HOSTILE("224.0.0.1", 4) HOSTILE("239.255.255.250", 4)
		 HOSTILE("255.255.255.255", 4) HOSTILE("169.254.1.1", 4)
		 HOSTILE("203.0.113.99", 4) HOSTILE("::", 6) HOSTILE("::1", 6)
		 HOSTILE("ff02::1", 6) HOSTILE("ff0e::1", 6)
		 HOSTILE("::ffff:198.51.100.7", 6) HOSTILE("fe80::1", 6)
		 HOSTILE("febf::1", 6)
		 "a=candidate:2 1 udp 1 192.0.2.55 40004 typ srflx\r\n",
		 PEER, false);
	sdp_from(&answer_b, EDGE_AUDIO("50000"), EDGE, true);
	decide(_metadata, 0);
	EXPECT_EQ(14, r.refused[EDGEPIN_REFUSED_SOURCE]);
	/* with candidates there is no default RTCP port on the peer's side */
	ASSERT_EQ(4, r.n);
	EXPECT_TRUE(key_is(0, UDP, EDGE, 50000, "192.0.2.55", 0, DEF, SRFLX));
	EXPECT_TRUE(key_is(1, UDP, EDGE, 50000, PEER, 0, DEF, DEF));
	EXPECT_TRUE(key_is(2, UDP, EDGE, 50001, "192.0.2.55", 0, RTCP, SRFLX));
	EXPECT_TRUE(key_is(3, UDP, EDGE, 50001, PEER, 0, RTCP, DEF));
}

TEST(ipv6_edge_and_sources)
{
	setup();
	policy_edge(&pol, "2001:db8:e::", 48);
	sdp_from(&offer_b, "v=0\r\no=- 1 1 IN IP6 2001:db8:1::7\r\ns=-\r\n"
		 "t=0 0\r\nc=IN IP6 2001:db8:1::7\r\nm=audio 40000 RTP/AVP 0\r\n"
		 "a=rtcp-mux\r\n"
		 "a=candidate:1 1 udp 1 fe80::7 40000 typ host\r\n"
		 "a=candidate:1 1 udp 1 2001:db8:e::66 40000 typ host\r\n",
		 "2001:db8:1::7", false);
	sdp_from(&answer_b, "v=0\r\no=- 1 1 IN IP6 2001:db8:e::1\r\ns=-\r\n"
		 "t=0 0\r\nc=IN IP6 2001:db8:e::1\r\nm=audio 50000 RTP/AVP 0\r\n"
		 "a=rtcp-mux\r\n", "2001:db8:e::1", true);
	decide(_metadata, 0);
	ASSERT_EQ(1, r.n);
	EXPECT_TRUE(key_is(0, UDP, "2001:db8:e::1", 50000, "2001:db8:1::7", 0,
			   DEF, DEF));
	EXPECT_EQ(2, r.refused[EDGEPIN_REFUSED_SOURCE]);
}

TEST(without_edges_a_side_opens_only_its_signalling_address)
{
	policy_default(&pol);
	sdp_from(&offer_b, HEAD(PEER) "c=IN IP4 " PEER "\r\n"
		 "m=audio 50010 RTP/AVP 0\r\n"
		 "a=candidate:1 1 udp 1 10.1.1.1 50012 typ host\r\n",
		 PEER, false);
	sdp_from(&answer_b, HEAD("192.0.2.20") "c=IN IP4 192.0.2.20\r\n"
		 "m=audio 50020 RTP/AVP 0\r\n", "192.0.2.20", false);
	decide(_metadata, 0);
	ASSERT_EQ(5, r.n);
	EXPECT_TRUE(key_is(0, UDP, PEER, 50010, "192.0.2.20", 0, DEF, DEF));
	EXPECT_TRUE(key_is(1, UDP, "192.0.2.20", 50020, "10.1.1.1", 0, DEF, HOST));
	EXPECT_TRUE(key_is(2, UDP, "192.0.2.20", 50020, PEER, 0, DEF, DEF));
	EXPECT_TRUE(key_is(3, UDP, "192.0.2.20", 50021, "10.1.1.1", 0, RTCP, HOST));
	EXPECT_TRUE(key_is(4, UDP, "192.0.2.20", 50021, PEER, 0, RTCP, DEF));
	EXPECT_EQ(1, r.refused[EDGEPIN_REFUSED_NOT_EDGE]);
}

TEST(only_streams_both_sides_accepted)
{
	setup();
	sdp_from(&offer_b, PEER_AUDIO "m=video 40002 RTP/AVP 96\r\n",
		 PEER, false);
	sdp_from(&answer_b, EDGE_AUDIO("50000") "m=video 0 RTP/AVP 96\r\n",
		 EDGE, true);
	decide(_metadata, 0);
	ASSERT_EQ(2, r.n);
	EXPECT_EQ(0, r.key[0].media);
	EXPECT_EQ(0, r.key[1].media);
	/* an answer with fewer m= lines */
	sdp_from(&offer_b, PEER_AUDIO "m=video 40002 RTP/AVP 96\r\n",
		 PEER, false);
	sdp_from(&answer_b, HEAD(EDGE) "c=IN IP4 " EDGE "\r\n"
		 "m=audio 0 RTP/AVP 0\r\nm=video 50002 RTP/AVP 96\r\n",
		 EDGE, true);
	decide(_metadata, 0);
	ASSERT_EQ(2, r.n);
	EXPECT_TRUE(key_is(0, UDP, EDGE, 50002, PEER, 0, DEF, DEF));
	EXPECT_EQ(1, r.key[0].media);
	EXPECT_EQ(SDP_MEDIA_VIDEO, r.key[0].media_type);
}

/* Many candidates on one m= line: capped, and the keys bounded. */
TEST(endpoint_caps_and_max_per_call)
{
	static char offer[16384], answer[16384];
	size_t o, a;
	int i;

	setup();
	o = snprintf(offer, sizeof(offer), "%s", PEER_AUDIO "a=rtcp-mux\r\n");
	a = snprintf(answer, sizeof(answer), "%s",
		     EDGE_AUDIO("50000") "a=rtcp-mux\r\n");
	for (i = 0; i < 100; i++) {
		o += snprintf(offer + o, sizeof(offer) - o,
			      "a=candidate:%d 1 udp 1 198.51.%d.%d %d typ host\r\n",
			      i, 101 + i / 200, 1 + i % 200, 40000 + i);
		a += snprintf(answer + a, sizeof(answer) - a,
			      "a=candidate:%d 1 udp 1 203.0.113.%d %d typ relay\r\n",
			      i, 1 + i % 200, 50000 + 2 * i);
	}
	sdp_from(&offer_b, offer, PEER, false);
	sdp_from(&answer_b, answer, EDGE, true);
	EXPECT_TRUE(offer_b.capped);
	EXPECT_TRUE(answer_b.capped);
	EXPECT_EQ(EDGEPIN_SDP_MAX_EPS_MEDIA, OFFER->n_ep);
	EXPECT_EQ(EDGEPIN_SDP_MAX_EPS_MEDIA, ANSWER->n_ep);
	decide(_metadata, 0);
	EXPECT_EQ(64 * 64, r.n);
	EXPECT_EQ(64 * 64, r.wants);
	/* the call layer's max-pinholes-per-call stops the decision */
	decide(_metadata, 64);
	EXPECT_TRUE(r.stopped);
	EXPECT_EQ(64, r.n);
	EXPECT_EQ(65, r.wants);
	/* candidates first: the defaults of both come last */
	EXPECT_EQ(HOST, OFFER->ep[0].kind);
	EXPECT_EQ(RELAY, ANSWER->ep[0].kind);
}

/* A stop in the first direction is a stop: no second direction at all. */
TEST(stop_ends_both_directions)
{
	policy_default(&pol);
	sdp_from(&offer_b, HEAD(PEER) "c=IN IP4 " PEER "\r\n"
		 "m=audio 50010 RTP/AVP 0\r\n", PEER, false);
	sdp_from(&answer_b, HEAD("192.0.2.20") "c=IN IP4 192.0.2.20\r\n"
		 "m=audio 50020 RTP/AVP 0\r\n"
		 "a=candidate:1 1 udp 1 0.0.0.0 50022 typ host\r\n",
		 "192.0.2.20", false);
	decide(_metadata, 1);
	EXPECT_EQ(1, r.n);
	EXPECT_EQ(2, r.wants);
	/* 50011 refused never reached: only the offer's own pass ran */
	EXPECT_EQ(1, r.refused[EDGEPIN_REFUSED_SOURCE]);
	EXPECT_EQ(0, r.refused[EDGEPIN_REFUSED_NOT_EDGE]);
}

TEST(refusal_table_and_port_predicate)
{
	bool seen[__EDGEPIN_STAT_MAX] = { false };
	unsigned int i, stat;

	/* one counter each, a refusal counter, and never two refusals' */
	EXPECT_EQ(0, EDGEPIN_REFUSED_NONE);
	for (i = 1; i < __EDGEPIN_REFUSED_MAX; i++) {
		stat = edgepin_refusal_stat(i);
		ASSERT_LE(EDGEPIN_STAT_REFUSED_RANGE, stat);
		ASSERT_GE(EDGEPIN_STAT_REFUSED_OTHER, stat);
		EXPECT_FALSE(seen[stat]) TH_LOG("refusal %u", i);
		seen[stat] = true;
	}
	EXPECT_EQ(EDGEPIN_STAT_REFUSED_SOURCE,
		  edgepin_refusal_stat(EDGEPIN_REFUSED_SOURCE));
	EXPECT_EQ(EDGEPIN_STAT_REFUSED_MAX_PER_CALL,
		  edgepin_refusal_stat(EDGEPIN_REFUSED_MAX_PER_CALL));
	EXPECT_EQ(EDGEPIN_STAT_REFUSED_OTHER,
		  edgepin_refusal_stat(__EDGEPIN_REFUSED_MAX));

	policy_default(&pol);
	EXPECT_EQ(EDGEPIN_REFUSED_NONE,
		  edgepin_policy_check_port(&pol, IPPROTO_UDP, 50002));
	EXPECT_EQ(EDGEPIN_REFUSED_EXCLUDED,
		  edgepin_policy_check_port(&pol, IPPROTO_TCP, 50002));
	EXPECT_EQ(EDGEPIN_REFUSED_RANGE,
		  edgepin_policy_check_port(&pol, IPPROTO_UDP, 49999));
	EXPECT_EQ(EDGEPIN_REFUSED_RANGE,
		  edgepin_policy_check_port(&pol, IPPROTO_UDP, 60000));
	EXPECT_EQ(EDGEPIN_REFUSED_TRANSPORT,
		  edgepin_policy_check_port(&pol, IPPROTO_SCTP, 50000));
}

static bool is_edge(int family, const char *text)
{
	union nf_inet_addr a;

	addr_of(text, &a);
	return edgepin_policy_is_edge(&pol, family, &a);
}

TEST(edge_prefixes)
{
	union nf_inet_addr a;

	policy_default(&pol);
	policy_edge(&pol, "203.0.113.0", 25);
	policy_edge(&pol, "2001:db8:e::", 47);
	policy_edge(&pol, "192.0.2.1", 32);
	EXPECT_TRUE(is_edge(AF_INET, "203.0.113.127"));
	EXPECT_FALSE(is_edge(AF_INET, "203.0.113.128"));
	EXPECT_TRUE(is_edge(AF_INET, "192.0.2.1"));
	EXPECT_FALSE(is_edge(AF_INET, "192.0.2.2"));
	EXPECT_TRUE(is_edge(AF_INET6, "2001:db8:f::1"));
	EXPECT_FALSE(is_edge(AF_INET6, "2001:db8:10::1"));
	/* an IPv4 edge says nothing of IPv6 and back */
	addr_of("203.0.113.1", &a);
	EXPECT_FALSE(edgepin_policy_is_edge(&pol, AF_INET6, &a));
}

/*
 * The corpus samples, paired: the INVITEs answered by an Edge at
 * 203.0.113.10 with one stream per offered m= line, the 200 OKs
 * answering an INVITE of a peer; real pairs as they are.
 */
struct corpus_pair {
	const char *offer, *answer;	/* a file or NULL: the Edge's SDP */
	const char *offer_sig, *answer_sig;
	bool edge_offers;
	const char *edge;		/* edge prefix, /32 or /128 */
	unsigned int keys;		/* distinct keys expected */
};

static const struct corpus_pair pairs[] = {
	{ "corpus-06-webrtc-chrome-offer-ipv6.sip",
	  "corpus-07-webrtc-chrome-answer.sip", "192.168.1.1",
	  "198.51.100.221", false, "198.51.100.221", 2 },
	{ "corpus-12a-mdns-offer.sip", "corpus-12b-mdns-answer.sip",
	  "192.0.2.1", "192.0.2.2", false, "192.0.2.2", 1 },
	/* an IPv6 offer, an IPv4 answer: no pinhole crosses families */
	{ "corpus-10-rfc8839-offer-ipv6.sip", "corpus-11-rfc8839-answer-ipv4.sip",
	  "2001:db8:8101:3a55:4858:a2a9:22ff:99b9", "192.0.2.1", false,
	  "192.0.2.1", 0 },
	{ "corpus-01-lync2013-invite-multipart-draft6.sip",
	  "corpus-02-lync2013-200ok-x-candidate-ipv6.sip", "192.168.56.1",
	  "192.168.66.57", false, "192.168.66.57", 4 },
	/* the UDP relay candidates, RTP and RTCP; no TCP source */
	{ "corpus-03-sfb2016-invite-edge-relay.sip", NULL, "203.0.113.67",
	  EDGE, true, "203.0.113.67", 2 },
	{ "corpus-22-sfb-trace-edge-relay.sip", NULL, "203.0.113.33",
	  EDGE, true, "203.0.113.33", 2 },
	/* 2 ports x 3 candidates of m=0, 2 x the default of the others */
	{ "corpus-13-jsep-bundle-relay.sip", NULL, "192.0.2.200", EDGE,
	  false, EDGE, 12 },
};

/* A peer's answer to the offer at hand: one stream per m= line. */
static void peer_answer(struct edgepin_sdp_builder *b, const char *sig)
{
	char text[4096];
	size_t n;
	int i;

	n = snprintf(text, sizeof(text), HEAD("%s") "c=IN IP4 %s\r\n", sig, sig);
	for (i = 0; i < OFFER->n_media; i++)
		n += snprintf(text + n, sizeof(text) - n,
			      "m=audio %d RTP/AVP 0\r\n", 30000 + 2 * i);
	sdp_from(b, text, sig, false);
}

/* The Edge's answer to the offer at hand: one stream per m= line. */
static void edge_answer(struct edgepin_sdp_builder *b)
{
	char text[4096];
	size_t n;
	int i;

	n = snprintf(text, sizeof(text), HEAD(EDGE) "c=IN IP4 " EDGE "\r\n");
	for (i = 0; i < OFFER->n_media; i++)
		n += snprintf(text + n, sizeof(text) - n,
			      "m=audio %d RTP/AVP 0\r\n", 50000 + 2 * i);
	sdp_from(b, text, EDGE, true);
}

TEST(corpus_pairs)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		const struct corpus_pair *c = &pairs[i];

		policy_default(&pol);
		pol.ranges[0].lo = 1024;
		pol.ranges[0].hi = 65535;
		policy_edge(&pol, c->edge, strchr(c->edge, ':') ? 128 : 32);
		ASSERT_LT(0, vector_from(&offer_b, c->offer, c->offer_sig,
					 c->edge_offers)) TH_LOG("%s", c->offer);
		if (c->answer) {
			ASSERT_LT(0, vector_from(&answer_b, c->answer,
						 c->answer_sig, !c->edge_offers));
		} else if (c->edge_offers)
			peer_answer(&answer_b, "198.51.100.7");
		else
			edge_answer(&answer_b);
		if (!c->answer && !c->edge_offers)
			policy_edge(&pol, EDGE, 32);
		decide(_metadata, 0);
		EXPECT_EQ(c->keys, r.n) TH_LOG("%s", c->offer);
	}
}

/*
 * The Chrome pair, whose answerer is the Edge: its srflx candidate is an
 * edge address and the m= default the same one; the host candidate, the
 * TCP active one and a=rtcp's 0.0.0.0 are refused, and so is the
 * offer's a=rtcp 0.0.0.0 as a source.
 */
TEST(corpus_chrome_pair_in_detail)
{
	policy_default(&pol);
	pol.ranges[0].lo = 40000;
	policy_edge(&pol, "198.51.100.221", 32);
	ASSERT_LT(0, vector_from(&offer_b, pairs[0].offer, "192.168.1.1",
				 false));
	ASSERT_LT(0, vector_from(&answer_b, pairs[0].answer,
				 "198.51.100.221", true));
	decide(_metadata, 0);
	ASSERT_EQ(2, r.n);
	EXPECT_TRUE(key_is(0, UDP, "198.51.100.221", 45907, "192.168.1.54", 0,
			   SRFLX, HOST));
	EXPECT_TRUE(key_is(1, UDP, "198.51.100.221", 45907, "192.168.1.1", 0,
			   SRFLX, SRFLX));
	EXPECT_EQ(1, r.refused[EDGEPIN_REFUSED_TCP_ACTIVE]);
	EXPECT_EQ(2, r.refused[EDGEPIN_REFUSED_NOT_EDGE]);
	EXPECT_EQ(1, r.refused[EDGEPIN_REFUSED_SOURCE]);
	EXPECT_EQ(4, r.wants);	/* the m= default pins the same twice */
}

/* Every corpus sample against every other, both ways, two policies. */
TEST(corpus_all_pairs_hold_the_invariants)
{
	static const char * const files[] = {
		"corpus-01-lync2013-invite-multipart-draft6.sip",
		"corpus-02-lync2013-200ok-x-candidate-ipv6.sip",
		"corpus-03-sfb2016-invite-edge-relay.sip",
		"corpus-04-sfb2016-invite-audio-video-lf.sip",
		"corpus-05-sfb-online-multipart-unquoted.sip",
		"corpus-06-webrtc-chrome-offer-ipv6.sip",
		"corpus-07-webrtc-chrome-answer.sip",
		"corpus-08-rtpengine-remote-candidates.sip",
		"corpus-09-rfc8839-ice2-srflx.sip",
		"corpus-10-rfc8839-offer-ipv6.sip",
		"corpus-11-rfc8839-answer-ipv4.sip",
		"corpus-12a-mdns-offer.sip",
		"corpus-12b-mdns-answer.sip",
		"corpus-13-jsep-bundle-relay.sip",
		"corpus-14-msn-ice19-relay.sip",
		"corpus-15-msn-draft6-padded.sip",
		"corpus-16-libre-rfc6544-tcptype.sip",
		"corpus-17-pjsip-rtcp-address.sip",
		"corpus-18-pjsip-ice-mismatch.sip",
		"corpus-19-sdp-transform-network-cost.sip",
		"corpus-20-sdp-transform-hacky.sip",
		"corpus-21-sdp-transform-icelite.sip",
		"corpus-22-sfb-trace-edge-relay.sip",
	};
	unsigned int i, j, pass, total = 0;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			for (j = 0; j < ARRAY_SIZE(files); j++) {
				policy_default(&pol);
				pol.ranges[0].lo = 1;
				pol.ranges[0].hi = 65535;
				/* pass 1: no edges; pass 0: the RFC 5737 ones */
				if (!pass) {
					policy_edge(&pol, "192.0.2.0", 24);
					policy_edge(&pol, "203.0.113.0", 24);
					pol.peer_match =
						EDGEPIN_PEER_MATCH_ADDRESS_PORT;
				}
				ASSERT_LT(0, vector_from(&offer_b, files[i],
							 "192.0.2.10", true));
				ASSERT_LT(0, vector_from(&answer_b, files[j],
							 "198.51.100.1", false));
				decide(_metadata, 0);
				total += r.n;
			}
		}
	}
	EXPECT_LT(0, total);
}

TEST_HARNESS_MAIN
