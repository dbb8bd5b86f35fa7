// SPDX-License-Identifier: GPL-2.0
/*
 * For each vector modelled on a real sample of ../shared/sdp-corpus, the
 * parser finds exactly the candidates tests/vectors/gen-expect.py found.
 */
#include <arpa/inet.h>
#include "kselftest_harness.h"
#include "vectors.h"

struct corpus_cand {
	uint8_t part, media;
	uint16_t component;
	uint8_t transport, tcptype, type, dialect, family;
	const char *addr;
	uint16_t port;
};

struct corpus_vector {
	const char *file;
	const struct corpus_cand *cands;
	size_t count;
};

#include "corpus_expect.h"

/* Every candidate parsed, with the index of the SDP part it came from. */
struct found {
	struct sdp_candidate cand[512];
	uint8_t part[512];
	size_t count;
	int overflow;
};

static int collect(const char *sdp, size_t len, int part, void *arg)
{
	static struct sdp_session s;
	struct found *f = arg;
	int i;

	if (sdp_parse(sdp, len, &s))
		return -1;
	f->overflow += s.cand_overflow + s.media_overflow + s.bad_lines;
	for (i = 0; i < s.cand_count && f->count < 512; i++) {
		f->part[f->count] = part;
		f->cand[f->count++] = s.cand[i];
	}
	return 0;
}

static bool cand_matches(const struct corpus_cand *e,
			 const struct sdp_candidate *c, int part)
{
	uint8_t bin[16] = { 0 };

	if (e->part != part || e->media != c->media ||
	    e->component != c->component || e->transport != c->transport ||
	    e->tcptype != c->tcptype || e->type != c->type ||
	    e->dialect != c->dialect || e->family != c->family ||
	    e->port != c->port)
		return false;
	if (!e->addr)
		return true;
	if (inet_pton(e->family == SDP_ADDR_IP6 ? AF_INET6 : AF_INET,
		      e->addr, bin) != 1)
		return false;
	return !memcmp(bin, c->addr, e->family == SDP_ADDR_IP6 ? 16 : 4);
}

static void check_vector(struct __test_metadata *_metadata,
			 const struct corpus_vector *v)
{
	static struct found f;
	bool used[512] = { false };
	struct blob b = vector_read(v->file);
	size_t i, j;

	memset(&f, 0, sizeof(f));
	ASSERT_NE(NULL, b.p) TH_LOG("cannot read %s", v->file);
	ASSERT_LT(0, sip_for_each_sdp(b.p, b.len, collect, &f));
	EXPECT_EQ(0, f.overflow);
	ASSERT_EQ(v->count, f.count) TH_LOG("%s", v->file);
	for (i = 0; i < v->count; i++) {
		for (j = 0; j < f.count; j++)
			if (!used[j] && cand_matches(&v->cands[i], &f.cand[j],
						     f.part[j]))
				break;
		ASSERT_LT(j, f.count) TH_LOG("%s: candidate %zu (%s %u) missing",
					     v->file, i, v->cands[i].addr,
					     v->cands[i].port);
		used[j] = true;
	}
	free(b.p);
}

#define CORPUS_TEST(n, idx) \
	TEST(corpus_##n) { check_vector(_metadata, &corpus_vectors[idx]); }

CORPUS_TEST(01_lync2013_invite_multipart_draft6, 0)
CORPUS_TEST(02_lync2013_200ok_x_candidate_ipv6, 1)
CORPUS_TEST(03_sfb2016_invite_edge_relay, 2)
CORPUS_TEST(04_sfb2016_invite_audio_video_lf, 3)
CORPUS_TEST(05_sfb_online_multipart_unquoted, 4)
CORPUS_TEST(06_webrtc_chrome_offer_ipv6, 5)
CORPUS_TEST(07_webrtc_chrome_answer, 6)
CORPUS_TEST(08_rtpengine_remote_candidates, 7)
CORPUS_TEST(09_rfc8839_ice2_srflx, 8)
CORPUS_TEST(10_rfc8839_offer_ipv6, 9)
CORPUS_TEST(11_rfc8839_answer_ipv4, 10)
CORPUS_TEST(12a_mdns_offer, 11)
CORPUS_TEST(12b_mdns_answer, 12)
CORPUS_TEST(13_jsep_bundle_relay, 13)
CORPUS_TEST(14_msn_ice19_relay, 14)
CORPUS_TEST(15_msn_draft6_padded, 15)
CORPUS_TEST(16_libre_rfc6544_tcptype, 16)
CORPUS_TEST(17_pjsip_rtcp_address, 17)
CORPUS_TEST(18_pjsip_ice_mismatch, 18)
CORPUS_TEST(19_sdp_transform_network_cost, 19)
CORPUS_TEST(20_sdp_transform_hacky, 20)
CORPUS_TEST(21_sdp_transform_icelite, 21)
CORPUS_TEST(22_sfb_trace_edge_relay, 22)

TEST(corpus_table_covers_every_vector)
{
	ASSERT_EQ(23, ARRAY_SIZE(corpus_vectors));
}

TEST_HARNESS_MAIN
