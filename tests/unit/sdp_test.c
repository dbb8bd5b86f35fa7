// SPDX-License-Identifier: GPL-2.0
/* SDP: connection data, media lines, attributes and every candidate form. */
#include <arpa/inet.h>
#include "kselftest_harness.h"
#include "vectors.h"

static struct sdp_session sdp;

static int parse_sdp(const char *text)
{
	struct blob b = blob_str(text);
	int r = sdp_parse(b.p, b.len, &sdp);

	free(b.p);
	return r;
}

#define SDP_HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
#define AUDIO "m=audio 50000 RTP/AVP 0\r\n"

static bool addr_is(const uint8_t *bin, int family, const char *text)
{
	uint8_t want[16] = { 0 };

	if (family == SDP_ADDR_IP4)
		return inet_pton(AF_INET, text, want) == 1 &&
		       !memcmp(bin, want, 4);
	return inet_pton(AF_INET6, text, want) == 1 && !memcmp(bin, want, 16);
}

struct want_cand {
	int media, comp, transport, tcptype, type, dialect, family;
	const char *addr;
	int port;
	unsigned int prio;
};

static void expect_cand(struct __test_metadata *_metadata,
			const struct sdp_candidate *c, const struct want_cand *w)
{
	EXPECT_EQ(w->media, c->media);
	EXPECT_EQ(w->comp, c->component);
	EXPECT_EQ(w->transport, c->transport);
	EXPECT_EQ(w->tcptype, c->tcptype);
	EXPECT_EQ(w->type, c->type);
	EXPECT_EQ(w->dialect, c->dialect);
	EXPECT_EQ(w->family, c->family);
	EXPECT_EQ(w->port, c->port);
	EXPECT_EQ(w->prio, c->priority);
	if (w->addr)
		EXPECT_TRUE(addr_is(c->addr, w->family, w->addr)) TH_LOG("%s", w->addr);
}

#define U SDP_TRANSPORT_UDP
#define T SDP_TRANSPORT_TCP
#define V4 SDP_ADDR_IP4
#define V6 SDP_ADDR_IP6

TEST(every_candidate_form)
{
	static const struct want_cand w[] = {
		{ 0, 1, U, 0, SDP_CAND_HOST, SDP_DIALECT_RFC, V4, "203.0.113.50", 50500, 2130706431 },
		{ 0, 1, U, 0, SDP_CAND_HOST, SDP_DIALECT_RFC, V6, "2001:db8::50", 50502, 2130706431 },
		{ 0, 1, T, SDP_TCP_ACTIVE, SDP_CAND_HOST, SDP_DIALECT_RFC, V4, "203.0.113.50", 9, 1518280447 },
		{ 0, 1, T, SDP_TCP_PASSIVE, SDP_CAND_RELAY, SDP_DIALECT_RFC, V4, "203.0.113.52", 50510, 174456319 },
		{ 0, 1, T, SDP_TCP_ACTIVE, SDP_CAND_RELAY, SDP_DIALECT_RFC, V4, "203.0.113.52", 50510, 174848511 },
		{ 0, 1, U, 0, SDP_CAND_HOST, SDP_DIALECT_RFC, SDP_ADDR_MDNS, NULL, 50520, 2122262783 },
		{ 0, 1, U, 0, SDP_CAND_RELAY, SDP_DIALECT_RFC, SDP_ADDR_FQDN, NULL, 50530, 1686055167 },
		{ 0, 1, U, 0, SDP_CAND_RELAY, SDP_DIALECT_X, V4, "203.0.113.53", 50540, 184548351 },
		{ 0, 1, U, 0, SDP_CAND_RELAY, SDP_DIALECT_X_IPV6, V6, "2001:db8:202b:a::24", 50550, 33553407 },
		{ 0, 1, U, SDP_TCP_SO, SDP_CAND_PRFLX, SDP_DIALECT_RFC, V4, "203.0.113.54", 50560, 1 },
		{ 0, 1, U, 0, SDP_CAND_OTHER, SDP_DIALECT_RFC, V4, "203.0.113.55", 50570, 1 },
		{ 0, 1, U, 0, SDP_CAND_NONE, SDP_DIALECT_DRAFT6, V4, "203.0.113.56", 50580, 830 },
		{ 0, 1, U, 0, SDP_CAND_NONE, SDP_DIALECT_REMOTE, V4, "198.51.100.60", 7000, 0 },
		{ 0, 2, U, 0, SDP_CAND_NONE, SDP_DIALECT_REMOTE, V4, "198.51.100.60", 7001, 0 },
		{ 1, 1, T, SDP_TCP_PASSIVE, SDP_CAND_HOST, SDP_DIALECT_RFC, V6, "2001:db8::57", 49170, 2128609279 },
		{ 3, 1, U, 0, SDP_CAND_HOST, SDP_DIALECT_RFC, V4, "203.0.113.58", 50600, 2130706431 },
		{ 7, 1, SDP_TRANSPORT_UNKNOWN, 0, SDP_CAND_HOST, SDP_DIALECT_RFC, V4, "203.0.113.59", 50640, 1 },
	};
	struct blob b = vector_read("sip-invite-every-candidate-form-ipv6.sip");
	struct sip_msg m;
	size_t i;

	ASSERT_EQ(0, sip_parse_message(b.p, b.len, &m));
	ASSERT_EQ(0, sdp_parse(b.p + m.body.off, m.body.len, &sdp));
	EXPECT_EQ(0, sdp.bad_lines);
	EXPECT_EQ(SDP_ADDR_IP6, sdp.family);
	EXPECT_EQ(SDP_DIR_INACTIVE, sdp.direction);
	ASSERT_EQ(ARRAY_SIZE(w), sdp.cand_count);
	for (i = 0; i < sdp.cand_count; i++)
		expect_cand(_metadata, &sdp.cand[i], &w[i]);
	free(b.p);
}

TEST(media_sections_of_every_kind)
{
	static const struct {
		int type, port, count, transport, family, dir, flags;
	} w[] = {
		{ SDP_MEDIA_AUDIO, 50500, 1, U, V4, SDP_DIR_SENDONLY,
		  SDP_MEDIA_HAS_C | SDP_MEDIA_HAS_RTCP | SDP_MEDIA_END_OF_CANDS },
		{ SDP_MEDIA_VIDEO, 49170, 2, T, V6, SDP_DIR_RECVONLY,
		  SDP_MEDIA_RTCP_MUX },
		{ SDP_MEDIA_TEXT, 0, 1, U, V6, 0, 0 },
		{ SDP_MEDIA_APPLICATION, 50600, 1, T, V6, 0, 0 },
		{ SDP_MEDIA_IMAGE, 50610, 1, U, V6, 0, 0 },
		{ SDP_MEDIA_MESSAGE, 50620, 1, T, V6, 0, 0 },
		{ SDP_MEDIA_AUDIO, 50630, 1, U, V6, 0, SDP_MEDIA_HAS_RTCP },
		{ SDP_MEDIA_AUDIO, 50640, 1, SDP_TRANSPORT_UNKNOWN, V6, 0, 0 },
	};
	struct blob b = vector_read("sip-invite-every-candidate-form-ipv6.sip");
	struct sip_msg m;
	size_t i;

	ASSERT_EQ(0, sip_parse_message(b.p, b.len, &m));
	ASSERT_EQ(0, sdp_parse(b.p + m.body.off, m.body.len, &sdp));
	ASSERT_EQ(8, sdp.media_count);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(w[i].type, sdp.media[i].type) TH_LOG("m%zu", i);
		EXPECT_EQ(w[i].port, sdp.media[i].port);
		EXPECT_EQ(w[i].count, sdp.media[i].port_count);
		EXPECT_EQ(w[i].transport, sdp.media[i].transport) TH_LOG("m%zu", i);
		EXPECT_EQ(w[i].family, sdp.media[i].family);
		EXPECT_EQ(w[i].dir, sdp.media[i].direction);
		EXPECT_EQ(w[i].flags, sdp.media[i].flags) TH_LOG("m%zu", i);
	}
	EXPECT_EQ(14, sdp.media[0].candidates);
	EXPECT_TRUE(addr_is(sdp.media[0].addr, V4, "203.0.113.50"));
	EXPECT_EQ(50501, sdp.media[0].rtcp_port);
	EXPECT_EQ(V4, sdp.media[0].rtcp_family);
	EXPECT_TRUE(addr_is(sdp.media[0].rtcp_addr, V4, "203.0.113.51"));
	EXPECT_TRUE(addr_is(sdp.media[1].addr, V6, "2001:db8::10"));
	EXPECT_EQ(V6, sdp.media[6].rtcp_family);
	EXPECT_EQ(9, sdp.media[6].rtcp_port);
	free(b.p);
}

TEST(proto_transports)
{
	static const struct { const char *proto; int transport; } p[] = {
		{ "RTP/AVP", U }, { "RTP/SAVP", U }, { "RTP/SAVPF", U },
		{ "UDP/TLS/RTP/SAVPF", U }, { "udp", U }, { "udptl", U },
		{ "DTLS/SCTP", U }, { "UDP/DTLS/SCTP", U },
		{ "TCP/RTP/AVP", T }, { "TCP/DTLS/RTP/SAVPF", T },
		{ "TCP/TLS/RTP/AVP", T }, { "TCP/MSRP", T }, { "tcp", T },
		{ "DCCP/RTP/AVP", SDP_TRANSPORT_UNKNOWN },
		{ "SCTP", SDP_TRANSPORT_UNKNOWN },
	};
	char text[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		snprintf(text, sizeof(text), SDP_HEAD "m=audio 5 %s 0\r\n",
			 p[i].proto);
		ASSERT_EQ(0, parse_sdp(text));
		EXPECT_EQ(p[i].transport, sdp.media[0].transport)
			TH_LOG("%s", p[i].proto);
	}
}

TEST(connection_inherited_and_mixed_family)
{
	ASSERT_EQ(0, parse_sdp(SDP_HEAD "c=IN IP4 203.0.113.1/127\r\n"
			       AUDIO "m=video 50002 RTP/AVP 31\r\n"
			       "c=IN IP6 2001:db8::2\r\n"
			       "m=audio 50004 RTP/AVP 0\r\n"
			       "c=IN IP4 relay.example.com\r\n"));
	ASSERT_EQ(3, sdp.media_count);
	EXPECT_EQ(V4, sdp.family);
	EXPECT_EQ(V4, sdp.media[0].family);
	EXPECT_EQ(0, sdp.media[0].flags & SDP_MEDIA_HAS_C);
	EXPECT_TRUE(addr_is(sdp.media[0].addr, V4, "203.0.113.1"));
	EXPECT_EQ(V6, sdp.media[1].family);
	EXPECT_TRUE(addr_is(sdp.media[1].addr, V6, "2001:db8::2"));
	EXPECT_EQ(SDP_ADDR_FQDN, sdp.media[2].family);
	EXPECT_EQ(0, sdp.bad_lines);
}

TEST(bad_connection_lines)
{
	static const char * const bad[] = {
		"c=IN IP4 2001:db8::1", "c=IN IP6 192.0.2.1", "c=IN IP4",
		"c=ATM NSAP 47.0091", "c=IN IP5 192.0.2.1",
		"c=IN IP4 192.0.2.256", "c=IN IP4 192.0.2.1 extra",
	};
	char text[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), SDP_HEAD "%s\r\n" AUDIO, bad[i]);
		ASSERT_EQ(0, parse_sdp(text));
		EXPECT_EQ(1, sdp.bad_lines) TH_LOG("%s", bad[i]);
		EXPECT_EQ(SDP_ADDR_NONE, sdp.family);
	}
}

TEST(media_lines)
{
	static const struct { const char *m; int port, count, bad; } c[] = {
		{ "m=audio 0 RTP/AVP 0", 0, 1, 0 },
		{ "m=audio 65535 RTP/AVP 0", 65535, 1, 0 },
		{ "m=video 49170/2 RTP/AVP 31", 49170, 2, 0 },
		{ "m=audio 65536 RTP/AVP 0", 0, 1, 1 },
		{ "m=audio 99999999999 RTP/AVP 0", 0, 1, 1 },
		{ "m=audio 5/0 RTP/AVP 0", 5, 1, 1 },
		{ "m=audio 5/ RTP/AVP 0", 5, 1, 1 },
		{ "m=audio -5 RTP/AVP 0", 0, 1, 1 },
		{ "m=audio 5", 0, 1, 1 },
		{ "m=", 0, 1, 1 },
		{ "m=a\x95\x9b 83 RTP/AVP 0", 83, 1, 0 },
		/* found by fuzz-sdp: port_count was left 0 */
		{ "m=a\x95\x9b\x96\x90\xdf\xca\xcb\xce" "83 RTP/AVP 0 101", 0, 1, 1 },
	};
	char text[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(text, sizeof(text), SDP_HEAD "%s\r\n"
			 "a=candidate:1 1 UDP 1 192.0.2.1 5 typ host\r\n", c[i].m);
		ASSERT_EQ(0, parse_sdp(text));
		ASSERT_EQ(1, sdp.media_count);
		EXPECT_EQ(c[i].bad, sdp.bad_lines) TH_LOG("%s", c[i].m);
		EXPECT_EQ(c[i].bad ? SDP_MEDIA_BAD_M : 0, sdp.media[0].flags);
		EXPECT_EQ(c[i].count, sdp.media[0].port_count) TH_LOG("%s", c[i].m);
		if (!c[i].bad)
			EXPECT_EQ(c[i].port, sdp.media[0].port);
		EXPECT_EQ(1, sdp.cand_count);
		EXPECT_EQ(0, sdp.cand[0].media);
	}
}

TEST(rtcp_attributes)
{
	ASSERT_EQ(0, parse_sdp(SDP_HEAD AUDIO "a=rtcp:53020\r\n"
			       "m=audio 2 RTP/AVP 0\r\na=rtcp:53020 IN IP4 126.16.64.4\r\n"
			       "m=audio 3 RTP/AVP 0\r\na=rtcp:70000\r\n"
			       "m=audio 4 RTP/AVP 0\r\na=rtcp:9 IN IP4 ::1\r\n"
			       "a=rtcp-mux\r\n"));
	ASSERT_EQ(4, sdp.media_count);
	EXPECT_EQ(53020, sdp.media[0].rtcp_port);
	EXPECT_EQ(SDP_ADDR_NONE, sdp.media[0].rtcp_family);
	EXPECT_EQ(SDP_MEDIA_HAS_RTCP, sdp.media[0].flags);
	EXPECT_EQ(V4, sdp.media[1].rtcp_family);
	EXPECT_TRUE(addr_is(sdp.media[1].rtcp_addr, V4, "126.16.64.4"));
	EXPECT_EQ(0, sdp.media[2].flags);
	EXPECT_EQ(SDP_MEDIA_HAS_RTCP | SDP_MEDIA_RTCP_MUX, sdp.media[3].flags);
	EXPECT_EQ(SDP_ADDR_NONE, sdp.media[3].rtcp_family);
	EXPECT_EQ(2, sdp.bad_lines);
}

TEST(directions)
{
	ASSERT_EQ(0, parse_sdp(SDP_HEAD "a=sendonly\r\n" AUDIO
			       "m=audio 2 RTP/AVP 0\r\na=recvonly\r\n"
			       "m=audio 3 RTP/AVP 0\r\na=sendrecv\r\n"
			       "m=audio 4 RTP/AVP 0\r\na=inactive\r\n"));
	EXPECT_EQ(SDP_DIR_SENDONLY, sdp.direction);
	EXPECT_EQ(SDP_DIR_UNSET, sdp.media[0].direction);
	EXPECT_EQ(SDP_DIR_RECVONLY, sdp.media[1].direction);
	EXPECT_EQ(SDP_DIR_SENDRECV, sdp.media[2].direction);
	EXPECT_EQ(SDP_DIR_INACTIVE, sdp.media[3].direction);
}

/* One candidate value: its fields, or -1 when it must be refused. */
TEST(candidate_values)
{
	static const struct {
		const char *v;
		int ok, transport, tcptype, type, port;
		unsigned int prio;
	} c[] = {
		{ "1 1 UDP 2130706431 192.0.2.1 5000 typ host", 1, U, 0, SDP_CAND_HOST, 5000, 2130706431 },
		{ "1 1 udp 4294967295 192.0.2.1 65535 typ srflx raddr 10.0.0.1 rport 0", 1, U, 0, SDP_CAND_SRFLX, 65535, 4294967295U },
		{ "H76f0ae12 256 UDP 1 192.0.2.1 0 typ relay", 1, U, 0, SDP_CAND_RELAY, 0, 1 },
		{ "1 1 TCP 1 192.0.2.1 9 typ host tcptype active", 1, T, SDP_TCP_ACTIVE, SDP_CAND_HOST, 9, 1 },
		{ "1 1 tcp 1 192.0.2.1 9 typ host", 1, T, 0, SDP_CAND_HOST, 9, 1 },
		{ "1 1 TCP-PASS 1 192.0.2.1 9 typ relay", 1, T, SDP_TCP_PASSIVE, SDP_CAND_RELAY, 9, 1 },
		{ "1 1 tcp-act 1 192.0.2.1 9 typ srflx", 1, T, SDP_TCP_ACTIVE, SDP_CAND_SRFLX, 9, 1 },
		{ "1 1 UDP 1 192.0.2.1 7 typ host unknown ext generation 0 ufrag x", 1, U, 0, SDP_CAND_HOST, 7, 1 },
		{ "1 1 UDP 1 192.0.2.1 7 typ host dangling", 1, U, 0, SDP_CAND_HOST, 7, 1 },
		{ "1\t1  UDP 1   192.0.2.1 7 typ host   ", 1, U, 0, SDP_CAND_HOST, 7, 1 },
		{ "u 1 p== UDP 0.830 192.0.2.1 7 ", 1, U, 0, SDP_CAND_NONE, 7, 830 },
		{ "u 2 p UDP 1 192.0.2.1 7", 1, U, 0, SDP_CAND_NONE, 7, 1000 },
		{ "u 2 p TCP 1.0 192.0.2.1 7", 1, T, 0, SDP_CAND_NONE, 7, 1000 },
		{ "u 2 p UDP 0.5 192.0.2.1 7", 1, U, 0, SDP_CAND_NONE, 7, 500 },
		{ "u 2 p UDP 0. 192.0.2.1 7", 1, U, 0, SDP_CAND_NONE, 7, 0 },
		{ "u 2 p UDP 1.5 192.0.2.1 7", 0 },
		{ "u 2 p UDP 2 192.0.2.1 7", 0 },
		{ "u 2 p UDP 0.8301 192.0.2.1 7", 0 },
		{ "u 2 p UDP .8 192.0.2.1 7", 0 },
		{ "u 2 p UDP 5.0 192.0.2.1 7", 0 },
		{ "u 2 p UDP 0x5 192.0.2.1 7", 0 },
		{ "u 2 p UDP 0.8x 192.0.2.1 7", 0 },
		{ "1 0 UDP 1 192.0.2.1 7 typ host", 0 },
		{ "1 257 UDP 1 192.0.2.1 7 typ host", 0 },
		{ "1 1 UDP 4294967296 192.0.2.1 7 typ host", 0 },
		{ "1 1 UDP 1 192.0.2.1 65536 typ host", 0 },
		{ "1 1 UDP 1 192.0.2.1 7 type host", 0 },
		{ "1 1 UDP 1 192.0.2.1 7 typ", 0 },
		{ "1 1 UDP 1 192.0.2.1 7", 0 },
		{ "1 1 UDP 1 192.0.2 7 typ host", 0 },
		{ "1 1 UDP 1 bad_host 7 typ host", 0 },
		{ "1 1 UDP 1 192.0.2.1 7 typ host raddr 10.0.0.256 rport 1", 0 },
		{ "1 1 UDP 1 192.0.2.1 7 typ host raddr 10.0.0.1 rport 65536", 0 },
		{ "1 1 TCP 1 192.0.2.1 7 typ host tcptype bogus", 0 },
		{ "1 1 ZZZ 1 192.0.2.1 7 x host", 0 },
		{ "0123456789012345678901234567890123456789012345678901234567890123"
		  "4 1 UDP 1 192.0.2.1 7 typ host", 0 },
		{ "", 0 },
	};
	char text[512];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(text, sizeof(text), SDP_HEAD AUDIO "a=candidate:%s\r\n",
			 c[i].v);
		ASSERT_EQ(0, parse_sdp(text));
		EXPECT_EQ(c[i].ok, sdp.cand_count) TH_LOG("'%s'", c[i].v);
		EXPECT_EQ(!c[i].ok, sdp.bad_lines) TH_LOG("'%s'", c[i].v);
		if (!c[i].ok || !sdp.cand_count)
			continue;
		EXPECT_EQ(c[i].transport, sdp.cand[0].transport) TH_LOG("'%s'", c[i].v);
		EXPECT_EQ(c[i].tcptype, sdp.cand[0].tcptype) TH_LOG("'%s'", c[i].v);
		EXPECT_EQ(c[i].type, sdp.cand[0].type);
		EXPECT_EQ(c[i].port, sdp.cand[0].port);
		EXPECT_EQ(c[i].prio, sdp.cand[0].priority) TH_LOG("'%s'", c[i].v);
	}
}

TEST(remote_candidates)
{
	ASSERT_EQ(0, parse_sdp(SDP_HEAD "m=audio 5 TCP/RTP/AVP 0\r\n"
			       "a=remote-candidates:1 192.0.2.7 7 2 2001:db8::7 8\r\n"
			       "a=remote-candidates:1 192.0.2.9\r\n"
			       "a=remote-candidates:\r\n"));
	ASSERT_EQ(2, sdp.cand_count);
	EXPECT_EQ(SDP_DIALECT_REMOTE, sdp.cand[0].dialect);
	EXPECT_EQ(T, sdp.cand[0].transport);
	EXPECT_EQ(2, sdp.cand[1].component);
	EXPECT_EQ(V6, sdp.cand[1].family);
	EXPECT_EQ(8, sdp.cand[1].port);
	EXPECT_EQ(2, sdp.bad_lines);
}

TEST(candidates_outside_media)
{
	ASSERT_EQ(0, parse_sdp(SDP_HEAD
			       "a=candidate:1 1 UDP 1 192.0.2.1 7 typ host\r\n"
			       "a=remote-candidates:1 192.0.2.7 7\r\n"
			       "a=ice-lite\r\n" "a=rtcp:9\r\n"
			       AUDIO "a=ice-lite\r\n"));
	EXPECT_EQ(0, sdp.cand_count);
	EXPECT_EQ(SDP_SESSION_ICE_LITE, sdp.flags);
	EXPECT_EQ(4, sdp.bad_lines);
}

TEST(media_overflow_is_counted)
{
	char *text = malloc(8192);
	size_t n = sprintf(text, SDP_HEAD);
	int i;

	for (i = 0; i < SDP_MAX_MEDIA + 2; i++)
		n += sprintf(text + n, "m=audio %d RTP/AVP 0\r\n"
			     "c=IN IP4 192.0.2.%d\r\n"
			     "a=candidate:1 1 UDP 1 192.0.2.1 %d typ host\r\n"
			     "a=rtcp:9\r\na=rtcp-mux\r\n", 1000 + i, i, 2000 + i);
	ASSERT_EQ(0, parse_sdp(text));
	EXPECT_EQ(SDP_MAX_MEDIA, sdp.media_count);
	EXPECT_EQ(2, sdp.media_overflow);
	EXPECT_EQ(SDP_MAX_MEDIA, sdp.cand_count);
	EXPECT_EQ(2, sdp.cand_overflow);
	EXPECT_EQ(2000 + SDP_MAX_MEDIA - 1, sdp.cand[SDP_MAX_MEDIA - 1].port);
	EXPECT_EQ(SDP_MAX_MEDIA - 1, sdp.cand[SDP_MAX_MEDIA - 1].media);
	EXPECT_TRUE(addr_is(sdp.media[SDP_MAX_MEDIA - 1].addr, V4, "192.0.2.15"));
	EXPECT_EQ(0, sdp.bad_lines);
	free(text);
}

TEST(candidate_overflow_is_counted)
{
	char *text = malloc(65536);
	size_t n = sprintf(text, SDP_HEAD AUDIO);
	int i;

	for (i = 0; i < SDP_MAX_CANDIDATES + 5; i++)
		n += sprintf(text + n, "a=candidate:%d 1 UDP 1 192.0.2.1 %d typ host\r\n",
			     i, 10000 + i);
	ASSERT_EQ(0, parse_sdp(text));
	EXPECT_EQ(SDP_MAX_CANDIDATES, sdp.cand_count);
	EXPECT_EQ(5, sdp.cand_overflow);
	EXPECT_EQ(SDP_MAX_CANDIDATES, sdp.media[0].candidates);
	EXPECT_EQ(10000 + SDP_MAX_CANDIDATES - 1,
		  sdp.cand[SDP_MAX_CANDIDATES - 1].port);
	free(text);
}

/*
 * An attribute's name runs to its first ':' or the line end and is
 * matched without regard to case; anything else after a known name makes
 * it another, unknown, attribute.
 */
TEST(attribute_names)
{
	static const char text[] = SDP_HEAD AUDIO
		"a=RTCP-MUX\r\n" "a=Candidate:1 1 UDP 1 192.0.2.1 5 typ host\r\n"
		"a=X-CANDIDATE-IPV6:1 1 UDP 1 2001:db8::1 6 typ host\r\n"
		"a=x-Candidate:1 1 UDP 1 192.0.2.1 7 typ host\r\n"
		"m=audio 2 RTP/AVP 0\r\n" "a=rtcp-mux \r\n" "a=rtcp-muxx\r\n"
		"a=sendonly;x\r\n" "a=rtcp x:9\r\n" "a=rtc:9\r\n"
		"a=candidates:1 1 UDP 1 192.0.2.1 8 typ host\r\n"
		"a=1candidate:1 1 UDP 1 192.0.2.1 8 typ host\r\n"
		"a=\xe3" "candidate:1 1 UDP 1 192.0.2.1 8 typ host\r\n"
		"a=candidate\r\n" "a=rtcp:\r\n" "a=inactive:with value\r\n"
		"a=end-of-candidates";
	struct blob b = blob_copy(text, sizeof(text) - 1);

	ASSERT_EQ(0, sdp_parse(b.p, b.len, &sdp));
	ASSERT_EQ(2, sdp.media_count);
	EXPECT_EQ(SDP_MEDIA_RTCP_MUX, sdp.media[0].flags);
	ASSERT_EQ(3, sdp.cand_count);
	EXPECT_EQ(SDP_DIALECT_RFC, sdp.cand[0].dialect);
	EXPECT_EQ(SDP_DIALECT_X_IPV6, sdp.cand[1].dialect);
	EXPECT_EQ(SDP_DIALECT_X, sdp.cand[2].dialect);
	EXPECT_EQ(SDP_MEDIA_END_OF_CANDS, sdp.media[1].flags);
	EXPECT_EQ(SDP_DIR_INACTIVE, sdp.media[1].direction);
	EXPECT_EQ(2, sdp.bad_lines);
	free(b.p);
}

/*
 * Words end at SP or HT only, wherever they fall in a word of any length;
 * other control bytes and bytes above 0x7f are part of a word.
 */
TEST(word_ends)
{
	char text[512], found[SDP_MAX_FOUNDATION + 1];
	size_t len, i;

	for (len = 1; len <= SDP_MAX_FOUNDATION; len++) {
		for (i = 0; i < len; i++)
			found[i] = "a\x01\x1f\x7f\x80\xff+/"[(i * 7 + len) % 8];
		found[len] = 0;
		snprintf(text, sizeof(text), SDP_HEAD AUDIO
			 "a=candidate:%s%s1\x0b" "1 UDP 1 192.0.2.1 %zu typ host\r\n",
			 found, len % 2 ? " " : "\t", len);
		ASSERT_EQ(0, parse_sdp(text));
		EXPECT_EQ(1, sdp.bad_lines) TH_LOG("%zu", len);
		snprintf(text, sizeof(text), SDP_HEAD AUDIO
			 "a=candidate:%s%s1 \t 1 UDP 1 192.0.2.1 %zu typ host\r\n",
			 found, len % 2 ? " " : "\t", len);
		ASSERT_EQ(0, parse_sdp(text));
		ASSERT_EQ(1, sdp.cand_count) TH_LOG("%zu", len);
		EXPECT_EQ(len, sdp.cand[0].port);
		EXPECT_EQ(1, sdp.cand[0].component);
	}
}

TEST(unknown_and_odd_lines)
{
	static const char text[] = SDP_HEAD AUDIO
		"a=x-unknown:anything at all\r\n" "a=candidatex:1 2 3\r\n"
		"a=\r\n" "k=clear:x\r\n" "z=0 0\r\n" "\r\n" "\n"
		"no equals sign\r\n" "x\r\n" "a=candidate:1 1 UDP 1 1.2.3.4\0 5 typ host\r\n"
		"a=candidate:1 1 UDP 1 192.0.2.1 6 typ host";
	struct blob b = blob_copy(text, sizeof(text) - 1);

	ASSERT_EQ(0, sdp_parse(b.p, b.len, &sdp));
	EXPECT_EQ(1, sdp.cand_count);
	EXPECT_EQ(6, sdp.cand[0].port);
	EXPECT_EQ(3, sdp.bad_lines);
	free(b.p);
}

TEST(over_long_lines)
{
	char *text = malloc(65536);
	size_t n = sprintf(text, SDP_HEAD AUDIO "a=x-long:");

	memset(text + n, 'x', 30000);
	n += 30000;
	n += sprintf(text + n, "\r\na=candidate:");
	memset(text + n, 'f', 30000);
	n += 30000;
	n += sprintf(text + n, " 1 UDP 1 192.0.2.1 7 typ host\r\n"
		     "a=candidate:1 1 UDP 1 192.0.2.1 8 typ host\r\n");
	ASSERT_EQ(0, parse_sdp(text));
	EXPECT_EQ(1, sdp.bad_lines);
	ASSERT_EQ(1, sdp.cand_count);
	EXPECT_EQ(8, sdp.cand[0].port);
	free(text);
}

TEST(not_sdp)
{
	struct blob big = blob_copy("", 0);

	EXPECT_EQ(-EINVAL, parse_sdp(""));
	EXPECT_EQ(-EINVAL, parse_sdp("v"));
	EXPECT_EQ(-EINVAL, parse_sdp("x=0\r\nv=0\r\n"));
	EXPECT_EQ(-EINVAL, parse_sdp("INVITE sip:b SIP/2.0\r\n"));
	EXPECT_EQ(0, parse_sdp("v=0"));
	free(big.p);
	big.p = calloc(1, 65536);
	memcpy(big.p, "v=0\r\n", 5);
	EXPECT_EQ(-EMSGSIZE, sdp_parse(big.p, 65536, &sdp));
	EXPECT_EQ(0, sdp_parse(big.p, 65535, &sdp));
	free(big.p);
}

/* Every prefix of the largest SDP: no crash, never more than all. */
TEST(truncated_everywhere)
{
	struct blob b = vector_read("corpus-04-sfb2016-invite-audio-video-lf.sip");
	struct sip_msg m;
	struct blob cut;
	size_t n;

	ASSERT_EQ(0, sip_parse_message(b.p, b.len, &m));
	for (n = 0; n <= m.body.len; n++) {
		cut = blob_copy(b.p + m.body.off, n);
		sdp_parse(cut.p, n, &sdp);
		ASSERT_GE(28, sdp.cand_count);
		ASSERT_GE(2, sdp.media_count);
		free(cut.p);
	}
	EXPECT_EQ(28, sdp.cand_count);
	free(b.p);
}

TEST(struct_sizes)
{
	EXPECT_EQ(32, sizeof(struct sdp_candidate));
	EXPECT_EQ(48, sizeof(struct sdp_media));
	EXPECT_EQ(4892, sizeof(struct sdp_session));
}

TEST_HARNESS_MAIN
