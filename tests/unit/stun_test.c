// SPDX-License-Identifier: GPL-2.0
/*
 * The STUN/TURN parser (kmod/stun.c): RFC 5769's test vectors byte for
 * byte, RFC 8656 / RFC 6062 messages, MS-TURN messages built from
 * [MS-TURN]'s layouts, hostile input and TURN-over-TCP framing.
 */
#include <stdlib.h>
#include "kselftest_harness.h"
#include "stun.h"
#include "stun_build.h"

/* Every parse is of an exact-size heap copy, so ASan sees one byte over. */
static int parse(const uint8_t *p, size_t len, struct stun_msg *m)
{
	uint8_t *c = malloc(len ? len : 1);
	int r;

	memcpy(c, p, len);
	r = stun_parse(c, len, m);
	free(c);
	return r;
}

static int frame(const uint8_t *p, size_t len, bool ms, struct stun_frame *f)
{
	uint8_t *c = malloc(len ? len : 1);
	int r;

	memcpy(c, p, len);
	r = stun_tcp_frame(c, len, ms, f);
	free(c);
	return r;
}

static int parse_sb(const struct stun_build *s, struct stun_msg *m)
{
	return parse(s->b, s->len, m);
}

static const uint8_t v4_a[4] = { 192, 0, 2, 15 };
static const uint8_t v6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56,
				  0x78, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
				  0x66, 0x77 };

/* RFC 5769 section 2.1: sample request (ICE, short-term credentials). */
static const uint8_t rfc5769_req[] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
	0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74,
	0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
	0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
	0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
	0x59, 0x20, 0x20, 0x20,
	0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56,
	0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2,
	0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 section 2.2: sample IPv4 response. */
static const uint8_t rfc5769_resp4[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
	0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
	0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 section 2.3: sample IPv6 response. */
static const uint8_t rfc5769_resp6[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
	0x74, 0x6f, 0x72, 0x20,
	0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
	0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
	0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

/* RFC 5769 section 2.4: request with long-term authentication. */
static const uint8_t rfc5769_lt[] = {
	0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42,
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e,
	0x00, 0x06, 0x00, 0x12, 0xe3, 0x83, 0x9e, 0xe3, 0x83, 0x88, 0xe3, 0x83,
	0xaa, 0xe3, 0x83, 0x83, 0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00,
	0x00, 0x15, 0x00, 0x1c, 0x66, 0x2f, 0x2f, 0x34, 0x39, 0x39, 0x6b, 0x39,
	0x35, 0x34, 0x64, 0x36, 0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46,
	0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73, 0x41,
	0x00, 0x14, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e,
	0x6f, 0x72, 0x67, 0x00,
	0x00, 0x08, 0x00, 0x14, 0xf6, 0x70, 0x24, 0x65, 0x6d, 0xd6, 0x4a, 0x3e,
	0x02, 0xb8, 0xe0, 0x71, 0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66,
};

TEST(rfc5769_sample_request)
{
	struct stun_msg m;

	ASSERT_EQ(108, sizeof(rfc5769_req));
	ASSERT_EQ(0, parse(rfc5769_req, sizeof(rfc5769_req), &m));
	EXPECT_EQ(STUN_DIALECT_RFC, m.dialect);
	EXPECT_EQ(STUN_CLASS_REQUEST, m.cls);
	EXPECT_EQ(STUN_METHOD_BINDING, m.method);
	EXPECT_EQ(12, m.txid_len);
	EXPECT_EQ(0, memcmp(m.txid, rfc5769_req + 8, 12));
	EXPECT_TRUE(m.has_integrity);
	EXPECT_TRUE(m.has_fingerprint);
	EXPECT_FALSE(m.has_mapped);
}

TEST(rfc5769_ipv4_response)
{
	static const uint8_t want[4] = { 192, 0, 2, 1 };
	struct stun_msg m;

	ASSERT_EQ(80, sizeof(rfc5769_resp4));
	ASSERT_EQ(0, parse(rfc5769_resp4, sizeof(rfc5769_resp4), &m));
	EXPECT_EQ(STUN_CLASS_SUCCESS, m.cls);
	EXPECT_EQ(STUN_METHOD_BINDING, m.method);
	EXPECT_TRUE(m.has_fingerprint);
	ASSERT_TRUE(m.has_mapped);
	EXPECT_EQ(STUN_FAMILY_IPV4, m.mapped.family);
	EXPECT_EQ(32853, m.mapped.port);
	EXPECT_EQ(0, memcmp(m.mapped.addr, want, 4));
}

TEST(rfc5769_ipv6_response)
{
	static const uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34,
		0x56, 0x78, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	struct stun_msg m;

	ASSERT_EQ(92, sizeof(rfc5769_resp6));
	ASSERT_EQ(0, parse(rfc5769_resp6, sizeof(rfc5769_resp6), &m));
	EXPECT_TRUE(m.has_fingerprint);
	ASSERT_TRUE(m.has_mapped);
	EXPECT_EQ(STUN_FAMILY_IPV6, m.mapped.family);
	EXPECT_EQ(32853, m.mapped.port);
	EXPECT_EQ(0, memcmp(m.mapped.addr, want, 16));
}

TEST(rfc5769_long_term_request)
{
	struct stun_msg m;

	ASSERT_EQ(116, sizeof(rfc5769_lt));
	ASSERT_EQ(0, parse(rfc5769_lt, sizeof(rfc5769_lt), &m));
	EXPECT_EQ(STUN_METHOD_BINDING, m.method);
	EXPECT_EQ(STUN_CLASS_REQUEST, m.cls);
	EXPECT_TRUE(m.has_integrity);
	EXPECT_FALSE(m.has_fingerprint);
}

/*
 * Flipping any bit of a fingerprinted vector before its FINGERPRINT breaks
 * it; flipping the FINGERPRINT's type makes it an unknown attribute.
 */
TEST(rfc5769_fingerprint_bit_flips)
{
	uint8_t b[sizeof(rfc5769_resp4)];
	struct stun_msg m;
	size_t i;

	memcpy(b, rfc5769_resp4, sizeof(b));
	b[sizeof(b) - 8] ^= 0x01;
	ASSERT_EQ(0, parse(b, sizeof(b), &m));
	EXPECT_FALSE(m.has_fingerprint);
	for (i = 0; i < sizeof(b) - 8; i++) {
		memcpy(b, rfc5769_resp4, sizeof(b));
		b[i] ^= 0x01;
		/* a flip in a length may also make it overrun: either way */
		EXPECT_EQ(-EINVAL, parse(b, sizeof(b), &m));
	}
	memcpy(b, rfc5769_resp4, sizeof(b));
	b[sizeof(b) - 1] ^= 0x80;
	EXPECT_EQ(-EINVAL, parse(b, sizeof(b), &m));
}

TEST(rfc_method_class_layout)
{
	static const struct {
		uint16_t type;
		uint8_t method, cls;
	} t[] = {
		{ 0x0003, STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST },
		{ 0x0103, STUN_METHOD_ALLOCATE, STUN_CLASS_SUCCESS },
		{ 0x0113, STUN_METHOD_ALLOCATE, STUN_CLASS_ERROR },
		{ 0x0004, STUN_METHOD_REFRESH, STUN_CLASS_REQUEST },
		{ 0x0016, STUN_METHOD_SEND, STUN_CLASS_INDICATION },
		{ 0x0017, STUN_METHOD_DATA, STUN_CLASS_INDICATION },
		{ 0x0108, STUN_METHOD_CREATE_PERMISSION, STUN_CLASS_SUCCESS },
		{ 0x0009, STUN_METHOD_CHANNEL_BIND, STUN_CLASS_REQUEST },
		{ 0x000a, STUN_METHOD_CONNECT, STUN_CLASS_REQUEST },
		{ 0x010b, STUN_METHOD_CONNECTION_BIND, STUN_CLASS_SUCCESS },
		{ 0x001c, STUN_METHOD_CONNECTION_ATTEMPT,
		  STUN_CLASS_INDICATION },
		{ 0x0011, STUN_METHOD_BINDING, STUN_CLASS_INDICATION },
		{ 0x0002, STUN_METHOD_OTHER, STUN_CLASS_REQUEST },
		{ 0x3eff, STUN_METHOD_OTHER, STUN_CLASS_INDICATION },
	};
	struct stun_build s;
	struct stun_msg m;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sb_rfc(&s, t[i].type, NULL);
		ASSERT_EQ(0, parse_sb(&s, &m));
		EXPECT_EQ(t[i].method, m.method);
		EXPECT_EQ(t[i].cls, m.cls);
		EXPECT_EQ(t[i].type, m.type);
	}
}

/* RFC 8656 section 7.3: an Allocate success. */
TEST(rfc8656_allocate_success)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x0103, NULL);
	sb_u32(&s, 0x000D, 1200);
	sb_addr(&s, 0x0016, 1, v4_a, 50000, true);
	sb_addr4(&s, 0x0020, 192, 0, 2, 1, 7000, true);
	sb_integrity(&s, 0x001C, 32);
	sb_fingerprint(&s);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_ALLOCATE, m.method);
	EXPECT_EQ(STUN_CLASS_SUCCESS, m.cls);
	EXPECT_TRUE(m.has_lifetime);
	EXPECT_EQ(1200, m.lifetime);
	ASSERT_EQ(1, m.n_relayed);
	EXPECT_EQ(STUN_FAMILY_IPV4, m.relayed[0].family);
	EXPECT_EQ(50000, m.relayed[0].port);
	EXPECT_EQ(0, memcmp(m.relayed[0].addr, v4_a, 4));
	ASSERT_TRUE(m.has_mapped);
	EXPECT_EQ(7000, m.mapped.port);
	EXPECT_TRUE(m.has_integrity);
	EXPECT_TRUE(m.has_fingerprint);
	EXPECT_EQ(0, m.n_peers);
}

/* RFC 8656 section 7.3 with ADDITIONAL-ADDRESS-FAMILY: two relays. */
TEST(rfc8656_allocate_dual_relayed)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x0103, NULL);
	sb_addr(&s, 0x0016, 1, v4_a, 50000, true);
	sb_addr(&s, 0x0016, 2, v6_a, 50002, true);
	sb_u32(&s, 0x000D, 600);
	ASSERT_EQ(0, parse_sb(&s, &m));
	ASSERT_EQ(2, m.n_relayed);
	EXPECT_EQ(STUN_FAMILY_IPV6, m.relayed[1].family);
	EXPECT_EQ(50002, m.relayed[1].port);
	EXPECT_EQ(0, memcmp(m.relayed[1].addr, v6_a, 16));
	/* a third relayed address is malformed */
	sb_addr(&s, 0x0016, 1, v4_a, 50004, true);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
}

TEST(rfc8656_allocate_request)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x0003, NULL);
	sb_u32(&s, 0x0019, 17U << 24);
	sb_u32(&s, 0x000D, 3600);
	sb_attr(&s, 0x001A, NULL, 0);	/* DONT-FRAGMENT */
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_CLASS_REQUEST, m.cls);
	EXPECT_TRUE(m.has_transport);
	EXPECT_EQ(17, m.transport);
	EXPECT_EQ(3600, m.lifetime);
}

TEST(rfc8656_create_permission_peers)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x0008, NULL);
	sb_addr4(&s, 0x0012, 192, 0, 2, 150, 0, true);
	sb_addr(&s, 0x0012, 2, v6_a, 0, true);
	sb_addr4(&s, 0x0012, 198, 51, 100, 7, 40000, true);
	sb_integrity(&s, 0x0008, 20);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_CREATE_PERMISSION, m.method);
	ASSERT_EQ(3, m.n_peers);
	EXPECT_FALSE(m.peers_capped);
	EXPECT_EQ(STUN_FAMILY_IPV4, m.peers[0].family);
	EXPECT_EQ(150, m.peers[0].addr[3]);
	EXPECT_EQ(STUN_FAMILY_IPV6, m.peers[1].family);
	EXPECT_EQ(0, memcmp(m.peers[1].addr, v6_a, 16));
	EXPECT_EQ(40000, m.peers[2].port);
	EXPECT_EQ(7, m.peers[2].addr[3]);
	EXPECT_EQ(0, m.n_relayed);
}

TEST(rfc8656_channel_bind)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x0009, NULL);
	sb_u32(&s, 0x000C, 0x40010000U);
	sb_addr4(&s, 0x0012, 192, 0, 2, 210, 49191, true);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_CHANNEL_BIND, m.method);
	EXPECT_TRUE(m.has_channel);
	EXPECT_EQ(0x4001, m.channel);
	ASSERT_EQ(1, m.n_peers);
	EXPECT_EQ(49191, m.peers[0].port);
	/* CHANNEL-NUMBER is 4 bytes */
	sb_rfc(&s, 0x0009, NULL);
	sb_attr(&s, 0x000C, "\x40\x01", 2);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
}

TEST(rfc8656_refresh_zero)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x0004, NULL);
	sb_u32(&s, 0x000D, 0);
	sb_fingerprint(&s);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_REFRESH, m.method);
	EXPECT_TRUE(m.has_lifetime);
	EXPECT_EQ(0, m.lifetime);
	EXPECT_TRUE(m.has_fingerprint);
}

TEST(rfc8656_error_responses)
{
	static const uint16_t codes[] = { 403, 437, 401, 300, 699 };
	struct stun_build s;
	struct stun_msg m;
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		sb_rfc(&s, 0x0113, NULL);
		sb_error(&s, codes[i]);
		ASSERT_EQ(0, parse_sb(&s, &m));
		EXPECT_EQ(STUN_CLASS_ERROR, m.cls);
		EXPECT_EQ(codes[i], m.error_code);
	}
	sb_rfc(&s, 0x0118, NULL);	/* CreatePermission error, 437 */
	sb_error(&s, 437);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_CREATE_PERMISSION, m.method);
	EXPECT_EQ(437, m.error_code);
	/* class 2 and number 100 are not RFC 8489 error codes */
	sb_rfc(&s, 0x0113, NULL);
	sb_error(&s, 299);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	sb_rfc(&s, 0x0113, NULL);
	sb_attr(&s, 0x0009, "\0\0\4\144", 4);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
}

/* RFC 6062 sections 4.3-4.4 and 6.2.1. */
TEST(rfc6062_tcp_allocations)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x000a, NULL);		/* Connect request */
	sb_addr4(&s, 0x0012, 192, 0, 2, 99, 443, true);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_CONNECT, m.method);
	EXPECT_EQ(1, m.n_peers);

	sb_rfc(&s, 0x010a, NULL);		/* Connect success */
	sb_u32(&s, 0x002A, 0xdeadbeef);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_CLASS_SUCCESS, m.cls);
	EXPECT_TRUE(m.has_connection_id);
	EXPECT_EQ(0xdeadbeef, m.connection_id);

	sb_rfc(&s, 0x000b, NULL);		/* ConnectionBind request */
	sb_u32(&s, 0x002A, 7);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_CONNECTION_BIND, m.method);
	EXPECT_EQ(7, m.connection_id);

	sb_rfc(&s, 0x001c, NULL);		/* ConnectionAttempt indication */
	sb_u32(&s, 0x002A, 9);
	sb_addr4(&s, 0x0012, 203, 0, 113, 5, 5060, true);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_CONNECTION_ATTEMPT, m.method);
	EXPECT_EQ(STUN_CLASS_INDICATION, m.cls);
	EXPECT_EQ(9, m.connection_id);
	EXPECT_EQ(5060, m.peers[0].port);

	sb_rfc(&s, 0x000b, NULL);		/* CONNECTION-ID is 4 bytes */
	sb_attr(&s, 0x002A, "\0\0\0\1\0\0\0\2", 8);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
}

/* [MS-TURN] 2.2.1 message types and their meaning per dialect. */
TEST(msturn_types)
{
	static const struct {
		uint16_t type;
		uint8_t method, cls;
	} t[] = {
		{ 0x0003, STUN_METHOD_ALLOCATE, STUN_CLASS_REQUEST },
		{ 0x0103, STUN_METHOD_ALLOCATE, STUN_CLASS_SUCCESS },
		{ 0x0113, STUN_METHOD_ALLOCATE, STUN_CLASS_ERROR },
		{ 0x0004, STUN_METHOD_SEND, STUN_CLASS_REQUEST },
		{ 0x0115, STUN_METHOD_DATA, STUN_CLASS_INDICATION },
		{ 0x0006, STUN_METHOD_SET_ACTIVE_DEST, STUN_CLASS_REQUEST },
		{ 0x0106, STUN_METHOD_SET_ACTIVE_DEST, STUN_CLASS_SUCCESS },
		{ 0x0116, STUN_METHOD_SET_ACTIVE_DEST, STUN_CLASS_ERROR },
		{ 0x0001, STUN_METHOD_BINDING, STUN_CLASS_REQUEST },
		{ 0x0002, STUN_METHOD_OTHER, STUN_CLASS_REQUEST },
	};
	struct stun_build s;
	struct stun_msg m;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sb_ms(&s, t[i].type, NULL);
		ASSERT_EQ(0, parse_sb(&s, &m));
		EXPECT_EQ(STUN_DIALECT_MSTURN, m.dialect);
		EXPECT_EQ(16, m.txid_len);
		EXPECT_EQ(t[i].method, m.method);
		EXPECT_EQ(t[i].cls, m.cls);
	}
}

TEST(msturn_allocate_request_refresh)
{
	struct stun_build s;
	struct stun_msg m;

	sb_ms(&s, 0x0003, NULL);
	sb_u32(&s, 0x8008, 4);			/* MS-Version */
	sb_u32(&s, 0x000D, 0);			/* LIFETIME 0: release */
	sb_attr(&s, 0x0006, "user@example", 12);
	sb_integrity(&s, 0x0008, 20);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_ALLOCATE, m.method);
	EXPECT_EQ(4, m.ms_version);
	EXPECT_TRUE(m.has_lifetime);
	EXPECT_EQ(0, m.lifetime);
	EXPECT_EQ(0, memcmp(m.txid, s.b + 4, 16));
}

/*
 * [MS-TURN] 3.2.5.1, MS-Version <= 3: the relay is the Mapped Address;
 * the XOR Mapped Address (reflexive, XORed with the txid) is not.
 */
TEST(msturn_allocate_response_v3)
{
	static const uint8_t txid[16] = { 0x44, 0x55, 0x01, 0x02, 3, 4, 5, 6,
					  7, 8, 9, 10, 11, 12, 13, 14 };
	struct stun_build s;
	struct stun_msg m;

	sb_ms(&s, 0x0103, txid);
	sb_addr(&s, 0x0001, 1, v4_a, 50000, false);
	sb_addr4(&s, 0x8020, 198, 51, 100, 1, 0x1122, true);
	sb_u32(&s, 0x000D, 480);
	sb_u32(&s, 0x8008, 3);
	sb_integrity(&s, 0x0008, 20);
	/* 2.2.2.16's example: port 0x1122 ^ 0x4455 = 0x5577 on the wire */
	EXPECT_EQ(0x55, s.b[20 + 8 + 12 + 6]);
	EXPECT_EQ(0x77, s.b[20 + 8 + 12 + 7]);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_CLASS_SUCCESS, m.cls);
	ASSERT_EQ(1, m.n_relayed);
	EXPECT_EQ(50000, m.relayed[0].port);
	EXPECT_EQ(0, memcmp(m.relayed[0].addr, v4_a, 4));
	ASSERT_TRUE(m.has_mapped);
	EXPECT_EQ(0x1122, m.mapped.port);
	EXPECT_EQ(198, m.mapped.addr[0]);
	EXPECT_EQ(1, m.mapped.addr[3]);
	EXPECT_EQ(480, m.lifetime);
	EXPECT_EQ(3, m.ms_version);
}

/* MS-Version >= 4 with both families: Mapped + MS-Alternate Mapped. */
TEST(msturn_allocate_response_v4_dual)
{
	struct stun_build s;
	struct stun_msg m;

	sb_ms(&s, 0x0103, NULL);
	sb_u32(&s, 0x8008, 4);
	sb_addr(&s, 0x0001, 1, v4_a, 50000, false);
	sb_addr(&s, 0x8090, 2, v6_a, 50002, false);
	sb_addr(&s, 0x8020, 2, v6_a, 40000, true);
	ASSERT_EQ(0, parse_sb(&s, &m));
	ASSERT_EQ(2, m.n_relayed);
	EXPECT_EQ(STUN_FAMILY_IPV6, m.relayed[1].family);
	EXPECT_EQ(0, memcmp(m.relayed[1].addr, v6_a, 16));
	ASSERT_TRUE(m.has_mapped);
	EXPECT_EQ(STUN_FAMILY_IPV6, m.mapped.family);
	EXPECT_EQ(40000, m.mapped.port);
	EXPECT_EQ(0, memcmp(m.mapped.addr, v6_a, 16));
	EXPECT_EQ(4, m.ms_version);
}

TEST(msturn_send_request)
{
	struct stun_build s;
	struct stun_msg m;

	sb_ms(&s, 0x0004, NULL);
	sb_addr4(&s, 0x0011, 203, 0, 113, 9, 3478, false);
	sb_attr(&s, 0x0013, "media", 5);	/* DATA, last: unpadded ok */
	s.len -= 3;
	sb_fix_len(&s);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_SEND, m.method);
	EXPECT_EQ(STUN_CLASS_REQUEST, m.cls);
	ASSERT_EQ(1, m.n_peers);
	EXPECT_EQ(3478, m.peers[0].port);
	EXPECT_EQ(9, m.peers[0].addr[3]);
}

TEST(msturn_set_active_destination)
{
	struct stun_build s;
	struct stun_msg m;

	sb_ms(&s, 0x0006, NULL);
	sb_addr4(&s, 0x0011, 203, 0, 113, 10, 50010, false);
	sb_integrity(&s, 0x0008, 32);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_SET_ACTIVE_DEST, m.method);
	EXPECT_EQ(1, m.n_peers);
	EXPECT_TRUE(m.has_integrity);

	sb_ms(&s, 0x0106, NULL);
	sb_integrity(&s, 0x0008, 20);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_CLASS_SUCCESS, m.cls);
	EXPECT_EQ(0, m.n_peers);

	sb_ms(&s, 0x0116, NULL);
	sb_error(&s, 437);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_CLASS_ERROR, m.cls);
	EXPECT_EQ(437, m.error_code);
}

/* In MS-TURN 0x0012 is a plain REMOTE-ADDRESS, not XOR-PEER-ADDRESS. */
TEST(msturn_data_indication)
{
	struct stun_build s;
	struct stun_msg m;

	sb_ms(&s, 0x0115, NULL);
	sb_addr4(&s, 0x0012, 203, 0, 113, 11, 50011, false);
	sb_attr(&s, 0x0013, "rtp packet", 10);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_METHOD_DATA, m.method);
	EXPECT_EQ(STUN_CLASS_INDICATION, m.cls);
	ASSERT_EQ(1, m.n_peers);
	EXPECT_EQ(50011, m.peers[0].port);
	EXPECT_EQ(203, m.peers[0].addr[0]);
	EXPECT_EQ(11, m.peers[0].addr[3]);
}

TEST(hostile_truncated)
{
	struct stun_build s;
	struct stun_msg m;
	size_t n;

	sb_rfc(&s, 0x0103, NULL);
	sb_addr(&s, 0x0016, 1, v4_a, 50000, true);
	sb_fingerprint(&s);
	for (n = 0; n < s.len; n++)
		EXPECT_EQ(-EINVAL, parse(s.b, n, &m));
	/* and a byte more than the header says */
	EXPECT_EQ(-EINVAL, parse(s.b, s.len + 1, &m));
	sb_ms(&s, 0x0004, NULL);
	sb_addr4(&s, 0x0011, 203, 0, 113, 9, 3478, false);
	for (n = 0; n < s.len; n++)
		EXPECT_EQ(-EINVAL, parse(s.b, n, &m));
}

TEST(hostile_attribute_overrun)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x0001, NULL);
	sb_u32(&s, 0x8022, 0x41414141);
	s.b[22] = 0x00;
	s.b[23] = 0x08;		/* 8 bytes claimed, 4 there */
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* the first of two attributes swallowing the second, or more */
	sb_rfc(&s, 0x0001, NULL);
	sb_u32(&s, 0x8022, 0x41414141);
	sb_u32(&s, 0x8023, 0);
	s.b[23] = 0x07;
	EXPECT_EQ(0, parse_sb(&s, &m));	/* 7 padded to 8: fits */
	s.b[23] = 0x0b;
	EXPECT_EQ(0, parse_sb(&s, &m));	/* 11 padded to 12: the end */
	s.b[23] = 0x0c;
	EXPECT_EQ(0, parse_sb(&s, &m));
	s.b[23] = 0x0d;
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* a dangling attribute header */
	sb_rfc(&s, 0x0001, NULL);
	sb_u32(&s, 0x8022, 0);
	s.b[3] = 4;
	EXPECT_EQ(-EINVAL, parse(s.b, 24, &m));
}

TEST(hostile_fingerprint)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x0001, NULL);
	sb_fingerprint(&s);
	ASSERT_EQ(0, parse_sb(&s, &m));
	s.b[s.len - 1] ^= 1;
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* attribute after FINGERPRINT */
	sb_rfc(&s, 0x0001, NULL);
	sb_fingerprint(&s);
	sb_u32(&s, 0x000D, 60);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* FINGERPRINT of the wrong size */
	sb_rfc(&s, 0x0001, NULL);
	sb_attr(&s, 0x8028, "\0\0\0\0\0\0\0\0", 8);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* MESSAGE-INTEGRITY of the wrong size */
	sb_rfc(&s, 0x0001, NULL);
	sb_integrity(&s, 0x0008, 16);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	sb_rfc(&s, 0x0001, NULL);
	sb_integrity(&s, 0x001C, 12);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
}

/*
 * RFC 8489 14.5/14.6: after MESSAGE-INTEGRITY only -SHA256 and FINGERPRINT
 * count; a peer appended after the integrity is not taken. MS-TURN: nothing
 * after Message Integrity counts.
 */
TEST(after_integrity_ignored)
{
	struct stun_build s;
	struct stun_msg m;

	sb_rfc(&s, 0x0008, NULL);
	sb_addr4(&s, 0x0012, 192, 0, 2, 1, 0, true);
	sb_integrity(&s, 0x0008, 20);
	sb_addr4(&s, 0x0012, 192, 0, 2, 66, 0, true);
	sb_u32(&s, 0x000D, 99);
	sb_integrity(&s, 0x001C, 32);
	sb_fingerprint(&s);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(1, m.n_peers);
	EXPECT_EQ(1, m.peers[0].addr[3]);
	EXPECT_FALSE(m.has_lifetime);
	EXPECT_TRUE(m.has_integrity);
	EXPECT_TRUE(m.has_fingerprint);
	/* after -SHA256, not even MESSAGE-INTEGRITY; still bounds-checked */
	sb_rfc(&s, 0x0008, NULL);
	sb_integrity(&s, 0x001C, 32);
	sb_integrity(&s, 0x0008, 16);
	sb_addr4(&s, 0x0012, 192, 0, 2, 66, 0, true);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(0, m.n_peers);
	/* a skipped MESSAGE-INTEGRITY does not reopen -SHA256 */
	sb_integrity(&s, 0x001C, 12);
	ASSERT_EQ(0, parse_sb(&s, &m));
	s.len -= 16;
	sb_fix_len(&s);
	s.b[s.len - 9] = 0x20;			/* overrunning length */
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* a bad FINGERPRINT after the integrity still fails */
	sb_rfc(&s, 0x0001, NULL);
	sb_integrity(&s, 0x0008, 20);
	sb_fingerprint(&s);
	s.b[s.len - 1] ^= 1;
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));

	sb_ms(&s, 0x0004, NULL);
	sb_addr4(&s, 0x0011, 203, 0, 113, 9, 3478, false);
	sb_integrity(&s, 0x0008, 20);
	sb_addr4(&s, 0x0011, 203, 0, 113, 66, 3478, false);
	sb_u32(&s, 0x000D, 5);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(1, m.n_peers);
	EXPECT_EQ(9, m.peers[0].addr[3]);
	EXPECT_FALSE(m.has_lifetime);
}

TEST(hostile_address_shape)
{
	static const uint16_t types[] = { 0x0012, 0x0016, 0x0020 };
	struct stun_build s;
	struct stun_msg m;
	uint8_t v[20] = { 0, 1 };
	size_t i;

	for (i = 0; i < 3; i++) {
		sb_rfc(&s, 0x0103, NULL);
		sb_attr(&s, types[i], v, 20);	/* IPv4 family, 20 bytes */
		EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
		v[1] = 2;
		sb_rfc(&s, 0x0103, NULL);
		sb_attr(&s, types[i], v, 8);	/* IPv6 family, 8 bytes */
		EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
		v[1] = 3;
		sb_rfc(&s, 0x0103, NULL);
		sb_attr(&s, types[i], v, 8);	/* no such family */
		EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
		v[1] = 1;
	}
	sb_ms(&s, 0x0004, NULL);
	sb_attr(&s, 0x0011, v, 12);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	sb_ms(&s, 0x0103, NULL);
	sb_attr(&s, 0x0001, v, 20);		/* Mapped Address: error */
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* [MS-TURN] 2.2.2.10/2.2.2.16: other families silently ignored */
	v[1] = 3;
	sb_ms(&s, 0x0004, NULL);
	sb_attr(&s, 0x0011, v, 12);
	sb_attr(&s, 0x0012, v, 8);
	sb_attr(&s, 0x8020, v, 8);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(0, m.n_peers);
	EXPECT_FALSE(m.has_mapped);
	sb_ms(&s, 0x0103, NULL);
	sb_attr(&s, 0x0001, v, 8);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	v[1] = 1;
	sb_ms(&s, 0x0004, NULL);
	sb_attr(&s, 0x8008, "\0\0\0\4\0", 5);	/* MS-Version is 4 bytes */
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
}

TEST(hostile_peers_capped)
{
	struct stun_build s;
	struct stun_msg m;
	int i;

	sb_rfc(&s, 0x0008, NULL);
	for (i = 0; i < STUN_MAX_PEERS + 3; i++)
		sb_addr4(&s, 0x0012, 10, 0, 0, (uint8_t)i, 1000 + i, true);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(STUN_MAX_PEERS, m.n_peers);
	EXPECT_TRUE(m.peers_capped);
	EXPECT_EQ(STUN_MAX_PEERS - 1, m.peers[STUN_MAX_PEERS - 1].addr[3]);
	/* exactly the maximum is not capped */
	sb_rfc(&s, 0x0008, NULL);
	for (i = 0; i < STUN_MAX_PEERS; i++)
		sb_addr4(&s, 0x0012, 10, 0, 0, (uint8_t)i, 1000 + i, true);
	ASSERT_EQ(0, parse_sb(&s, &m));
	EXPECT_FALSE(m.peers_capped);
}

TEST(hostile_dialect)
{
	struct stun_build s;
	struct stun_msg m;

	/* MS-TURN with something before MAGIC-COOKIE */
	sb_ms(&s, 0x0003, NULL);
	s.len = 20;
	sb_u32(&s, 0x000D, 60);
	sb_u32(&s, 0x000F, 0x72C64BC6U);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* no MAGIC-COOKIE at all, or the wrong value */
	sb_ms(&s, 0x0003, NULL);
	s.len = 20;
	sb_u32(&s, 0x000F, 0x72C64BC7U);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	sb_ms(&s, 0x0003, NULL);
	s.len = 20;
	sb_fix_len(&s);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* top bits set, in either dialect */
	sb_rfc(&s, 0x4001, NULL);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	sb_ms(&s, 0x8003, NULL);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* RFC length not a multiple of 4 */
	sb_rfc(&s, 0x0001, NULL);
	sb_attr(&s, 0x8022, "ab", 2);
	s.len -= 2;
	sb_fix_len(&s);
	EXPECT_EQ(-EINVAL, parse_sb(&s, &m));
	/* an empty RFC message is fine */
	sb_rfc(&s, 0x0001, NULL);
	EXPECT_EQ(0, parse_sb(&s, &m));
	EXPECT_EQ(0, m.len);
}

TEST(tcp_frame_rfc)
{
	struct stun_build s;
	struct stun_frame f;
	uint8_t st[256];
	size_t n, i;

	sb_rfc(&s, 0x0003, NULL);
	sb_u32(&s, 0x000D, 60);
	memcpy(st, s.b, s.len);
	n = s.len;
	n += sb_channel_data(st + n, 0x4001, "abc", 3);
	st[n++] = 0;				/* padding to 4 over TCP */
	n += sb_channel_data(st + n, 0x4FFF, "abcd", 4);

	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, frame(st, i, false, &f));
	ASSERT_EQ(1, frame(st, 4, false, &f));	/* length known at 4 */
	EXPECT_EQ(STUN_FRAME_STUN, f.kind);
	EXPECT_EQ(s.len, f.len);
	EXPECT_EQ(0, f.msg_off);
	EXPECT_EQ(s.len, f.msg_len);

	ASSERT_EQ(1, frame(st + s.len, n - s.len, false, &f));
	EXPECT_EQ(STUN_FRAME_CHANNEL_DATA, f.kind);
	EXPECT_EQ(8, f.len);
	EXPECT_EQ(0, f.msg_len);
	EXPECT_EQ(0, frame(st + s.len, 3, false, &f));
	ASSERT_EQ(1, frame(st + s.len + 8, n - s.len - 8, false, &f));
	EXPECT_EQ(8, f.len);

	/* reserved channels, 0x5000 up, and the top bits 10/11 */
	st[0] = 0x50;
	st[1] = 0x00;
	EXPECT_EQ(-EINVAL, frame(st, 4, false, &f));
	st[0] = 0x80;
	EXPECT_EQ(-EINVAL, frame(st, 1, false, &f));
	st[0] = 0xC0;
	EXPECT_EQ(-EINVAL, frame(st, 4, false, &f));
	/* a STUN length not a multiple of 4 */
	sb_rfc(&s, 0x0001, NULL);
	s.b[3] = 6;
	EXPECT_EQ(-EINVAL, frame(s.b, 4, false, &f));
}

TEST(tcp_frame_msturn)
{
	struct stun_build s;
	struct stun_frame f;
	struct stun_msg m;
	uint8_t st[512];
	size_t n, i;

	sb_ms(&s, 0x0003, NULL);
	sb_u32(&s, 0x8008, 4);
	n = sb_ms_frame(st, 2, s.b, (uint16_t)s.len);
	n += sb_ms_frame(st + n, 3, "rtp", 3);

	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, frame(st, i, true, &f));
	ASSERT_EQ(1, frame(st, 4, true, &f));
	EXPECT_EQ(STUN_FRAME_MS_CONTROL, f.kind);
	EXPECT_EQ(4 + s.len, f.len);
	EXPECT_EQ(4, f.msg_off);
	EXPECT_EQ(s.len, f.msg_len);
	ASSERT_EQ(0, parse(st + f.msg_off, f.msg_len, &m));
	EXPECT_EQ(4, m.ms_version);

	ASSERT_EQ(1, frame(st + f.len, n - f.len, true, &f));
	EXPECT_EQ(STUN_FRAME_MS_DATA, f.kind);
	EXPECT_EQ(7, f.len);
	EXPECT_EQ(0, f.msg_len);

	st[0] = 1;
	EXPECT_EQ(-EINVAL, frame(st, 1, true, &f));
	st[0] = 2;
	st[1] = 1;				/* reserved MUST be zero */
	EXPECT_EQ(-EINVAL, frame(st, 2, true, &f));
	st[1] = 0;
	st[2] = 0;
	st[3] = 8;				/* too short for a message */
	EXPECT_EQ(-EINVAL, frame(st, 4, true, &f));
	/* an RFC stream is not MS framing and the other way round */
	EXPECT_EQ(-EINVAL, frame(s.b, s.len, true, &f));
}

TEST_HARNESS_MAIN
