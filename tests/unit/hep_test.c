// SPDX-License-Identifier: GPL-2.0
/*
 * The HEPv3 parser of edgepin feed: exact vectors, every truncation,
 * bad lengths, wrong families, duplicated and refused chunks. Each frame
 * is parsed from an exact-size copy, so ASan sees a one-byte over-read.
 */
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "hep.h"
#include "hep_build.h"

#define SIP "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n"

static enum hep_reason parse(const void *p, size_t len, struct hep_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum hep_reason r;

	memcpy(copy, p, len);
	r = hep_parse(copy, len, m);
	free(copy);
	return r;
}

static enum hep_reason parse_h(const struct hep_build *h)
{
	struct hep_msg m;

	return parse(h->b, h->len, &m);
}

/* A frame as Kamailio's siptrace sends it, byte for byte. */
TEST(exact_vector)
{
	static const uint8_t v[] = {
		'H', 'E', 'P', '3', 0x00, 0x63,
		0, 0, 0, 1, 0, 7, 2,			/* family AF_INET */
		0, 0, 0, 2, 0, 7, 6,			/* TCP (TLS) */
		0, 0, 0, 3, 0, 10, 10, 0, 0, 1,		/* src 10.0.0.1 */
		0, 0, 0, 4, 0, 10, 10, 0, 0, 2,		/* dst 10.0.0.2 */
		0, 0, 0, 7, 0, 8, 0x13, 0xc5,		/* sport 5061 */
		0, 0, 0, 8, 0, 8, 0xc3, 0x50,		/* dport 50000 */
		0, 0, 0, 11, 0, 7, 1,			/* SIP */
		0, 0, 0, 12, 0, 10, 0, 0, 0, 42,	/* agent 42 */
		0, 0, 0, 14, 0, 9, 'k', 'e', 'y',	/* auth key */
		0, 0, 0, 15, 0, 17, 'B', 'Y', 'E', ' ', 's', 'i', 'p',
		':', 'x', '\r', '\n',			/* payload */
	};
	struct hep_msg m;

	ASSERT_EQ(sizeof(v), 0x63);
	ASSERT_EQ(HEP_OK, parse(v, sizeof(v), &m));
	EXPECT_EQ(2, m.family);
	EXPECT_EQ(6, m.proto);
	EXPECT_EQ(0, memcmp(m.src, "\x0a\0\0\x01", 4));
	EXPECT_EQ(0, memcmp(m.dst, "\x0a\0\0\x02", 4));
	EXPECT_EQ(5061, m.sport);
	EXPECT_EQ(50000, m.dport);
	EXPECT_EQ(42, m.agent_id);
	EXPECT_TRUE(m.has_key);
	EXPECT_EQ(3, m.key_len);
	EXPECT_EQ(0, memcmp(v + m.key_off, "key", 3));
	EXPECT_EQ(11, m.payload_len);
	EXPECT_EQ(0, memcmp(v + m.payload_off, "BYE sip:x\r\n", 11));
	EXPECT_EQ(0, m.corr_len);
}

TEST(ipv4_udp)
{
	struct hep_build h;
	struct hep_msg m;

	hb_sip4(&h, SIP, NULL);
	ASSERT_EQ(HEP_OK, parse(h.b, h.len, &m));
	EXPECT_EQ(2, m.family);
	EXPECT_EQ(17, m.proto);
	EXPECT_EQ(5060, m.sport);
	EXPECT_EQ(5061, m.dport);
	EXPECT_EQ(1765000000, m.ts_sec);
	EXPECT_EQ(123456, m.ts_usec);
	EXPECT_FALSE(m.has_key);
	EXPECT_EQ(strlen(SIP), m.payload_len);
	EXPECT_EQ(0, memcmp(h.b + m.payload_off, SIP, strlen(SIP)));
}

/* Kamailio's siptrace gives TLS IP protocol 22: TCP, over TLS. */
TEST(kamailio_tls)
{
	struct hep_build h;
	struct hep_msg m;

	hb_head(&h, 2, 22, "\1\2\3\4", 5061, "\1\2\3\5", 40000, NULL);
	hb_chunk(&h, 15, SIP, strlen(SIP));
	hb_end(&h);
	ASSERT_EQ(HEP_OK, parse(h.b, h.len, &m));
	EXPECT_EQ(6, m.proto);
	EXPECT_TRUE(m.tls);
	hb_sip4(&h, SIP, NULL);
	ASSERT_EQ(HEP_OK, parse(h.b, h.len, &m));
	EXPECT_FALSE(m.tls);
}

TEST(ipv6_tcp_correlation)
{
	static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct hep_build h;
	struct hep_msg m;

	hb_head(&h, 10, 6, a, 5061, b, 443, "secret");
	hb_chunk(&h, 17, "call-1", 6);
	hb_chunk(&h, 15, SIP, strlen(SIP));
	hb_end(&h);
	ASSERT_EQ(HEP_OK, parse(h.b, h.len, &m));
	EXPECT_EQ(10, m.family);
	EXPECT_EQ(6, m.proto);
	EXPECT_EQ(0, memcmp(m.src, a, 16));
	EXPECT_EQ(0, memcmp(m.dst, b, 16));
	EXPECT_EQ(443, m.dport);
	EXPECT_EQ(6, m.key_len);
	EXPECT_EQ(0, memcmp(h.b + m.corr_off, "call-1", 6));
}

/* Every prefix is refused: as it is, and with the length made to fit. */
TEST(every_truncation)
{
	struct hep_build h, t;
	size_t n;

	hb_sip4(&h, SIP, "k");
	ASSERT_EQ(HEP_OK, parse_h(&h));
	for (n = 0; n < h.len; n++) {
		struct hep_msg m;

		EXPECT_NE(HEP_OK, parse(h.b, n, &m)) TH_LOG("at %zu", n);
		if (n < 6)
			continue;
		memcpy(t.b, h.b, n);
		t.len = n;
		hb_end(&t);
		EXPECT_NE(HEP_OK, parse_h(&t)) TH_LOG("fitted at %zu", n);
	}
}

TEST(bad_lengths)
{
	struct hep_build h;

	hb_sip4(&h, SIP, NULL);
	hb_put16(h.b + 4, h.len + 1);
	EXPECT_EQ(HEP_BAD_LENGTH, parse_h(&h));
	hb_put16(h.b + 4, h.len - 1);
	EXPECT_EQ(HEP_BAD_LENGTH, parse_h(&h));
	hb_put16(h.b + 4, 0);
	EXPECT_EQ(HEP_BAD_LENGTH, parse_h(&h));

	/* the first chunk's length: below its header, past the frame */
	hb_sip4(&h, SIP, NULL);
	hb_put16(h.b + 10, 5);
	EXPECT_EQ(HEP_BAD_CHUNK, parse_h(&h));
	hb_put16(h.b + 10, 0);
	EXPECT_EQ(HEP_BAD_CHUNK, parse_h(&h));
	hb_put16(h.b + 10, h.len);
	EXPECT_EQ(HEP_BAD_CHUNK, parse_h(&h));
	/* the family chunk two bytes long */
	hb_put16(h.b + 10, 8);
	EXPECT_NE(HEP_OK, parse_h(&h));

	/* fixed-size chunks of the wrong size */
	hb_start(&h);
	hb_u16(&h, 1, 2);
	hb_end(&h);
	EXPECT_EQ(HEP_BAD_CHUNK, parse_h(&h));
	hb_start(&h);
	hb_chunk(&h, 3, "\1\2\3", 3);
	hb_end(&h);
	EXPECT_EQ(HEP_BAD_CHUNK, parse_h(&h));
	hb_start(&h);
	hb_u8(&h, 7, 1);
	hb_end(&h);
	EXPECT_EQ(HEP_BAD_CHUNK, parse_h(&h));

	/* a stray byte after the last chunk */
	hb_sip4(&h, SIP, NULL);
	h.b[h.len++] = 0;
	hb_end(&h);
	EXPECT_EQ(HEP_BAD_CHUNK, parse_h(&h));
}

TEST(header)
{
	struct hep_build h;

	hb_sip4(&h, SIP, NULL);
	h.b[3] = '2';
	EXPECT_EQ(HEP_BAD_MAGIC, parse_h(&h));
	EXPECT_EQ(HEP_SHORT, parse("HEP3\0", 5, &(struct hep_msg){}));
	EXPECT_EQ(HEP_BAD_FAMILY, parse("HEP3\0\6", 6, &(struct hep_msg){}));
}

/*
 * A frame of chunks by numbers: @family and @type (-1: no such chunk),
 * the address chunks in @addrs (bits 3..6), then @extra (type, bytes)
 * and the payload (@payload_len bytes of SIP, -1: none).
 */
struct variant {
	const char *what;
	int family, proto, sport, dport, type;
	unsigned int addrs;
	int extra;
	const char *extra_data;
	int payload_len;
	enum hep_reason want;
};

#define V4 (1u << 3 | 1u << 4)
#define V6 (1u << 5 | 1u << 6)
#define P ((int)sizeof(SIP) - 1)

static const struct variant variant_table[] = {
	/* what, family, proto, ports, type, addrs, extra, payload, want */
	{ "valid", 2, 17, 1, 2, 1, V4, 0, NULL, P, HEP_OK },
	{ "AF_INET6 with IPv4 addresses", 10, 17, 1, 2, 1, V4, 0, NULL, P,
	  HEP_BAD_FAMILY },
	{ "AF_INET with IPv6 addresses", 2, 17, 1, 2, 1, V6, 0, NULL, P,
	  HEP_BAD_FAMILY },
	{ "AF_INET, an IPv6 source too", 2, 17, 1, 2, 1, V4 | 1u << 5, 0,
	  NULL, P, HEP_BAD_FAMILY },
	{ "family 3", 3, 17, 1, 2, 1, V4, 0, NULL, P, HEP_BAD_FAMILY },
	{ "no family", -1, 17, 1, 2, 1, V4, 0, NULL, P, HEP_BAD_FAMILY },
	{ "no destination", 2, 17, 1, 2, 1, 1u << 3, 0, NULL, P,
	  HEP_NO_ADDRESS },
	{ "no source", 10, 17, 1, 2, 1, 1u << 6, 0, NULL, P, HEP_NO_ADDRESS },
	{ "SCTP", 2, 132, 1, 2, 1, V4, 0, NULL, P, HEP_BAD_PROTO },
	{ "source port 0", 2, 17, 0, 2, 1, V4, 0, NULL, P, HEP_BAD_PORT },
	{ "destination port 0", 2, 6, 1, 0, 1, V4, 0, NULL, P, HEP_BAD_PORT },
	{ "RTCP, not SIP", 2, 17, 1, 2, 5, V4, 0, NULL, P, HEP_NOT_SIP },
	{ "no protocol type", 2, 17, 1, 2, -1, V4, 0, NULL, P, HEP_NOT_SIP },
	{ "empty payload", 2, 17, 1, 2, 1, V4, 0, NULL, 0, HEP_NO_PAYLOAD },
	{ "no payload", 2, 17, 1, 2, 1, V4, 0, NULL, -1, HEP_NO_PAYLOAD },
	{ "compressed", 2, 17, 1, 2, 1, V4, 16, "x", P, HEP_COMPRESSED },
	{ "two sources", 2, 17, 1, 2, 1, V4, 3, "\11\11\11\11", P,
	  HEP_DUPLICATE },
	{ "two payloads", 2, 17, 1, 2, 1, V4, 15, "ACK", P, HEP_DUPLICATE },
	{ "two families", 2, 17, 1, 2, 1, V4, 1, "\2", P, HEP_DUPLICATE },
	{ "IPv6 TCP", 10, 6, 5061, 443, 1, V6, 17, "corr", P, HEP_OK },
	{ "Kamailio's TLS", 2, 22, 5061, 40000, 1, V4, 0, NULL, P, HEP_OK },
	{ "IP protocol 0", 2, 0, 1, 2, 1, V4, 0, NULL, P, HEP_BAD_PROTO },
};

static enum hep_reason variant_parse(const struct variant *v)
{
	static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4 };
	struct hep_build h;
	unsigned int c;

	hb_start(&h);
	if (v->family >= 0)
		hb_u8(&h, 1, v->family);
	hb_u8(&h, 2, v->proto);
	for (c = 3; c <= 6; c++)
		if (v->addrs & 1u << c)
			hb_chunk(&h, c, a, c <= 4 ? 4 : 16);
	hb_u16(&h, 7, v->sport);
	hb_u16(&h, 8, v->dport);
	if (v->type >= 0)
		hb_u8(&h, 11, v->type);
	if (v->extra)
		hb_chunk(&h, v->extra, v->extra_data, strlen(v->extra_data));
	if (v->payload_len >= 0)
		hb_chunk(&h, 15, SIP, v->payload_len);
	hb_end(&h);
	return parse_h(&h);
}

TEST(variants)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variant_table); i++)
		EXPECT_EQ(variant_table[i].want,
			  variant_parse(&variant_table[i]))
			TH_LOG("%s", variant_table[i].what);
}

TEST(duplicate_key)
{
	struct hep_build h;

	hb_head(&h, 2, 17, "\1\2\3\4", 1, "\1\2\3\5", 2, "a");
	hb_chunk(&h, 14, "b", 1);
	hb_chunk(&h, 15, SIP, strlen(SIP));
	hb_end(&h);
	EXPECT_EQ(HEP_DUPLICATE, parse_h(&h));
}

/* Vendor chunks, unknown types and keep-alive are skipped. */
TEST(skipped_chunks)
{
	struct hep_build h;
	struct hep_msg m;

	hb_head(&h, 2, 6, "\1\2\3\4", 1, "\1\2\3\5", 2, NULL);
	hb_vchunk(&h, 0x0025, 15, "vendor payload", 14);
	hb_vchunk(&h, 0x0025, 15, "twice", 5);
	hb_chunk(&h, 0, "zero", 4);
	hb_chunk(&h, 13, "\0\1", 2);
	hb_chunk(&h, 99, "", 0);
	hb_chunk(&h, 99, "x", 1);
	hb_chunk(&h, 15, SIP, strlen(SIP));
	hb_end(&h);
	ASSERT_EQ(HEP_OK, parse(h.b, h.len, &m));
	EXPECT_EQ(strlen(SIP), m.payload_len);
}

/* The largest payload a frame can hold, and one byte too many. */
TEST(largest)
{
	static struct hep_build h;
	static char big[65536];
	size_t room;

	hb_head(&h, 2, 17, "\1\2\3\4", 1, "\1\2\3\5", 2, NULL);
	room = HEP_MAX_LEN - h.len - 6;
	memset(big, 'a', room + 1);
	hb_chunk(&h, 15, big, room);
	hb_end(&h);
	ASSERT_EQ(HEP_MAX_LEN, h.len);
	EXPECT_EQ(HEP_OK, parse_h(&h));
	h.b[h.len++] = 0;
	EXPECT_NE(HEP_OK, parse_h(&h));
}

TEST(stream_framing)
{
	struct hep_build h;
	size_t n, fl;

	hb_sip4(&h, SIP, NULL);
	for (n = 0; n < 6; n++) {
		EXPECT_EQ(HEP_OK, hep_frame(h.b, n, &fl));
		EXPECT_EQ(0, fl);
	}
	EXPECT_EQ(HEP_OK, hep_frame(h.b, 6, &fl));
	EXPECT_EQ(h.len, fl);
	EXPECT_EQ(HEP_BAD_MAGIC, hep_frame((const uint8_t *)"HEQ", 3, &fl));
	EXPECT_EQ(HEP_BAD_MAGIC, hep_frame((const uint8_t *)"INVITE", 6,
					   &fl));
	EXPECT_EQ(HEP_BAD_LENGTH, hep_frame((const uint8_t *)"HEP3\0\5", 6,
					    &fl));
}

TEST(reason_names)
{
	int r;

	for (r = 0; r < HEP_REASON_COUNT; r++)
		EXPECT_NE(NULL, hep_reason_name(r));
	EXPECT_STREQ("unknown", hep_reason_name(HEP_REASON_COUNT));
	EXPECT_STREQ("bad-magic", hep_reason_name(HEP_BAD_MAGIC));
}

TEST_HARNESS_MAIN
