// SPDX-License-Identifier: GPL-2.0
/*
 * The pinning decision over (offer, answer, policy). The input is a
 * FUZZ_PINNING_HEAD-byte head (fuzz.h) that builds the policy, then the
 * offer's SDP and the answer's. Edge prefixes are cut from addresses the
 * two SDPs declare, so that edges, sources and destinations meet.
 *
 * Every key must hold the security invariants of tests/shim/
 * pinning_oracle.h: a destination the Edge's side declared, listening,
 * an edge address (or, with no edges, its side's signalling address),
 * its port in range and not excluded for its transport, in a stream both
 * sides accepted; a source the other side declared, never unspecified,
 * loopback, multicast, broadcast, link-local, v4-mapped or edge-owned.
 * Unstopped, the keys and refusals must be the oracle's, in order.
 */
#include "fuzz.h"
#include "pinning_oracle.h"

static struct edgepin_sdp_builder offer_b, answer_b;
static struct edgepin_policy pol;
/* The oracle's outcome, and the decision's (its distinct keys) */
static struct pin_oracle oracle, r;
/* what the call layer would stop at (max-pinholes-per-call; 0: none) */
static unsigned int r_max;
static bool r_stopped;

static bool run_want(void *arg, const struct edgepin_pin_key *k)
{
	const char *bad = pin_oracle_violation(&offer_b.sum, &answer_b.sum,
					       &pol, k);
	unsigned int slot;

	if (bad)
		fprintf(stderr, "invariant: %s\n", bad);
	FUZZ_CHECK(!bad);
	FUZZ_CHECK(!r_stopped);
	if (oracle_find(&r, k, &slot) >= 0)
		return false;
	if (r_max && r.n >= r_max) {
		r_stopped = true;
		return true;
	}
	FUZZ_CHECK(oracle_add(&r, k));
	return false;
}

static void run_refused(void *arg, enum edgepin_refusal why)
{
	FUZZ_CHECK(why > EDGEPIN_REFUSED_NONE && why < __EDGEPIN_REFUSED_MAX);
	FUZZ_CHECK(!r_stopped);
	r.refused[why]++;
}

static const struct edgepin_pinning_ops ops = {
	.want = run_want,
	.refused = run_refused,
};

static void summarise(struct edgepin_sdp_builder *b, const uint8_t *data,
		      size_t size)
{
	static struct sdp_session s;
	char *copy = fuzz_copy(data, size);

	edgepin_sdp_begin(b);
	if (!sdp_parse(copy, size, &s))
		edgepin_sdp_add(b, &s);
	edgepin_sdp_end(b);
	free(copy);
	FUZZ_CHECK(b->sum.n_ep <= EDGEPIN_SDP_MAX_EPS);
	FUZZ_CHECK(b->sum.n_media <= SDP_MAX_MEDIA);
}

/* Endpoint @sel of the two summaries (the offer's, then the answer's). */
static const struct edgepin_ep *pool(unsigned int sel)
{
	unsigned int n = offer_b.sum.n_ep + answer_b.sum.n_ep;

	if (!n)
		return NULL;
	sel %= n;
	if (sel < offer_b.sum.n_ep)
		return &offer_b.sum.ep[sel];
	return &answer_b.sum.ep[sel - offer_b.sum.n_ep];
}

/* An edge prefix around endpoint @sel, host bits zero as policy.c wants. */
static void edge_from(uint8_t sel, uint8_t len)
{
	static const uint8_t plen4[] = { 32, 24, 16, 0 };
	static const uint8_t plen6[] = { 128, 64, 48, 0 };
	const struct edgepin_ep *e = pool(sel);
	struct edgepin_prefix *p;
	uint8_t *a;
	unsigned int i;

	if (!e)
		return;
	p = &pol.edges[pol.n_edges++];
	p->family = e->family;
	p->plen = (e->family == AF_INET ? plen4 : plen6)[len & 3];
	p->addr = e->addr;
	a = (uint8_t *)&p->addr;
	for (i = p->plen; i < 128; i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
}

/* A side's signalling address: one of its endpoints, or none declared. */
static void sig_from(struct edgepin_sdp *sum, uint8_t sel)
{
	if (!sum->n_ep || sel == 0xff) {
		sum->sig_family = AF_INET;
		memset(&sum->sig, 0, sizeof(sum->sig));
		sum->sig.ip = htonl(0xc0000201);
		return;
	}
	sum->sig = sum->ep[sel % sum->n_ep].addr;
	sum->sig_family = sum->ep[sel % sum->n_ep].family;
}

static void policy_from(const uint8_t *h)
{
	unsigned int lo = h[4] << 8 | h[5], hi = h[6] << 8 | h[7];
	unsigned int xlo = h[8] << 8 | h[9];
	unsigned int i, t;

	memset(&pol, 0, sizeof(pol));
	pol.max_per_call = 64;
	pol.transports = (h[0] >> 1 & 3) ? (h[0] >> 1 & 3) :
			 EDGEPIN_PROTO_UDP | EDGEPIN_PROTO_TCP;
	pol.peer_match = h[0] & 1 ? EDGEPIN_PEER_MATCH_ADDRESS_PORT :
			 EDGEPIN_PEER_MATCH_ADDRESS;
	if (lo > hi) {
		t = lo;
		lo = hi;
		hi = t;
	}
	pol.n_ranges = 1;
	pol.ranges[0].lo = lo ? lo : 1;
	pol.ranges[0].hi = hi ? hi : 1;
	pol.n_excludes = h[11] & 3 ? 1 : 0;
	pol.excludes[0].lo = xlo ? xlo : 1;
	pol.excludes[0].hi = xlo + h[10] > 65535 ? 65535 : xlo + h[10];
	if (pol.excludes[0].hi < pol.excludes[0].lo)
		pol.excludes[0].hi = pol.excludes[0].lo;
	pol.excludes[0].protos = h[11] & 3;
	for (i = 0; i < (h[0] >> 5 & 3); i++)
		edge_from(h[1 + i], h[11] >> (2 + 2 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *h = data;
	size_t split, rest;
	unsigned int i;

	if (size < FUZZ_PINNING_HEAD)
		return 0;
	rest = size - FUZZ_PINNING_HEAD;
	split = (size_t)(h[14] << 8 | h[15]);
	if (split > rest)
		split = rest;
	summarise(&offer_b, data + FUZZ_PINNING_HEAD, split);
	summarise(&answer_b, data + FUZZ_PINNING_HEAD + split, rest - split);
	offer_b.sum.from_edge = h[0] >> 3 & 1;
	answer_b.sum.from_edge = h[0] >> 4 & 1;
	sig_from(&offer_b.sum, h[13]);
	sig_from(&answer_b.sum, h[13] * 7 + 3);
	policy_from(h);

	pin_oracle_reset(&r);
	r_max = h[12];
	r_stopped = false;
	edgepin_pinning(&offer_b.sum, &answer_b.sum, &pol, &ops, NULL);
	if (r_stopped)
		return 0;
	pin_oracle_keys(&oracle, &offer_b.sum, &answer_b.sum, &pol);
	FUZZ_CHECK(oracle.n == r.n);
	for (i = 0; i < r.n; i++)
		FUZZ_CHECK(!memcmp(&oracle.key[i], &r.key[i], sizeof(r.key[i])));
	for (i = 0; i < __EDGEPIN_REFUSED_MAX; i++)
		FUZZ_CHECK(oracle.refused[i] == r.refused[i]);
	return 0;
}
