// SPDX-License-Identifier: GPL-2.0
/* SIP start lines and the header fields pinholing needs. */
#include "kselftest_harness.h"
#include "vectors.h"

/* Parse a message held in an exact-size copy; the copy stays valid. */
struct parsed {
	struct blob b;
	struct sip_msg m;
	int err;
};

static struct parsed parse(const char *text)
{
	struct parsed p = { .b = blob_str(text) };

	p.err = sip_parse_message(p.b.p, p.b.len, &p.m);
	return p;
}

static struct parsed parse_n(const char *text, size_t len)
{
	struct parsed p = { .b = blob_copy(text, len) };

	p.err = sip_parse_message(p.b.p, p.b.len, &p.m);
	return p;
}

#define HDRS "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n" \
	"From: <sip:alice@example.com>;tag=f1\r\n" \
	"To: <sip:bob@example.com>;tag=t1\r\n" \
	"Call-ID: c1@192.0.2.10\r\n"

TEST(request_methods)
{
	static const struct { const char *name; int method; } m[] = {
		{ "INVITE", SIP_METHOD_INVITE }, { "ACK", SIP_METHOD_ACK },
		{ "BYE", SIP_METHOD_BYE }, { "CANCEL", SIP_METHOD_CANCEL },
		{ "OPTIONS", SIP_METHOD_OPTIONS },
		{ "REGISTER", SIP_METHOD_REGISTER },
		{ "PRACK", SIP_METHOD_PRACK }, { "UPDATE", SIP_METHOD_UPDATE },
		{ "INFO", SIP_METHOD_INFO },
		{ "SUBSCRIBE", SIP_METHOD_SUBSCRIBE },
		{ "NOTIFY", SIP_METHOD_NOTIFY },
		{ "BENOTIFY", SIP_METHOD_BENOTIFY },
		{ "PUBLISH", SIP_METHOD_PUBLISH }, { "REFER", SIP_METHOD_REFER },
		{ "MESSAGE", SIP_METHOD_MESSAGE },
		{ "FOO", SIP_METHOD_UNKNOWN }, { "invite", SIP_METHOD_UNKNOWN },
		{ "X-MS-TOKEN.1!", SIP_METHOD_UNKNOWN },
	};
	char msg[256];
	struct parsed p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		snprintf(msg, sizeof(msg), "%s sip:bob@example.com SIP/2.0\r\n"
			 HDRS "CSeq: 7 %s\r\n\r\n", m[i].name, m[i].name);
		p = parse(msg);
		ASSERT_EQ(0, p.err) TH_LOG("%s", m[i].name);
		EXPECT_EQ(m[i].method, p.m.method);
		EXPECT_EQ(m[i].method, p.m.cseq_method);
		EXPECT_EQ(0, p.m.status);
		EXPECT_TRUE(span_is(p.b.p, p.m.method_name, m[i].name));
		EXPECT_TRUE(span_is(p.b.p, p.m.uri, "sip:bob@example.com"));
		EXPECT_EQ(7, p.m.cseq);
		free(p.b.p);
	}
}

TEST(status_lines)
{
	static const struct { const char *line; int status; } s[] = {
		{ "SIP/2.0 100 Trying", 100 }, { "SIP/2.0 183 ", 183 },
		{ "SIP/2.0 200 OK", 200 }, { "sip/2.0 486 Busy Here", 486 },
		{ "SIP/2.0 699 Whatever", 699 }, { "SIP/2.0 200", 200 },
		{ "SIP/2.0 099 Low", -EINVAL }, { "SIP/2.0 700 High", -EINVAL },
		{ "SIP/2.0 2000 OK", -EINVAL }, { "SIP/2.0 20 OK", -EINVAL },
		{ "SIP/2.0 2x0 OK", -EINVAL }, { "SIP/3.0 200 OK", -EINVAL },
		{ "SIP/2.0  200 OK", -EINVAL }, { "HTTP/1.1 200 OK", -EINVAL },
	};
	char msg[256];
	struct parsed p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		snprintf(msg, sizeof(msg), "%s\r\n" HDRS "CSeq: 1 INVITE\r\n\r\n",
			 s[i].line);
		p = parse(msg);
		if (s[i].status < 0) {
			EXPECT_EQ(s[i].status, p.err) TH_LOG("%s", s[i].line);
		} else {
			EXPECT_EQ(0, p.err) TH_LOG("%s", s[i].line);
			EXPECT_EQ(s[i].status, p.m.status);
			EXPECT_EQ(SIP_METHOD_NONE, p.m.method);
		}
		free(p.b.p);
	}
}

TEST(bad_request_lines)
{
	static const char * const bad[] = {
		"INVITE sip:bob@example.com SIP/2.0 ", "INVITE  sip:b SIP/2.0",
		"INVITE sip:b  SIP/2.0", "INVITE sip:b", "INVITE SIP/2.0",
		" INVITE sip:b SIP/2.0", "INV(ITE sip:b SIP/2.0",
		"INVITE sip:b SIP/2.1",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG sip:b SIP/2.0",
	};
	char msg[256];
	struct parsed p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(msg, sizeof(msg), "%s\r\n" HDRS "\r\n", bad[i]);
		p = parse(msg);
		EXPECT_EQ(-EINVAL, p.err) TH_LOG("'%s'", bad[i]);
		free(p.b.p);
	}
}

TEST(compact_and_case_insensitive_headers)
{
	struct parsed p = parse(
		"BYE sip:bob@198.51.100.20 SIP/2.0\r\n"
		"v: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK2\r\n"
		"F: <sip:alice@example.com>;TAG=abc\r\n"
		"t:<sip:bob@example.com>;tag=def\r\n"
		"I:x1@example.com\r\n"
		"cseq: 2 BYE\r\n"
		"L: 0\r\n\r\n");

	ASSERT_EQ(0, p.err);
	EXPECT_TRUE(span_is(p.b.p, p.m.call_id, "x1@example.com"));
	EXPECT_TRUE(span_is(p.b.p, p.m.from_tag, "abc"));
	EXPECT_TRUE(span_is(p.b.p, p.m.to_tag, "def"));
	EXPECT_EQ(2, p.m.cseq);
	EXPECT_EQ(SIP_METHOD_BYE, p.m.cseq_method);
	EXPECT_EQ(SIP_SEEN_CALL_ID | SIP_SEEN_FROM | SIP_SEEN_TO |
		  SIP_SEEN_CSEQ | SIP_SEEN_CLEN, p.m.seen);
	EXPECT_EQ(0, p.m.body.len);
	free(p.b.p);
}

TEST(folded_headers)
{
	struct parsed p = parse(
		"INVITE sip:bob@example.com SIP/2.0\r\n"
		"From: \"Alice\"\r\n <sip:alice@example.com>\r\n\t;tag=folded1\r\n"
		"To: <sip:bob@example.com>\r\n"
		"Call-ID:\r\n   fold@example.com  \r\n"
		"CSeq: 99\r\n INVITE\r\n"
		"Content-Type: multipart/alternative;\r\n"
		"  boundary=\"b1 with space\"\r\n"
		"Subject: a folded\r\n  unknown header\r\n"
		"Content-Length: 0\r\n\r\n");

	ASSERT_EQ(0, p.err);
	EXPECT_TRUE(span_is(p.b.p, p.m.from_tag, "folded1"));
	EXPECT_TRUE(span_is(p.b.p, p.m.call_id, "fold@example.com"));
	EXPECT_EQ(99, p.m.cseq);
	EXPECT_EQ(SIP_METHOD_INVITE, p.m.cseq_method);
	EXPECT_TRUE(span_is(p.b.p, p.m.boundary, "b1 with space"));
	EXPECT_EQ(SIP_BODY_MULTIPART, p.m.body_type);
	free(p.b.p);
}

TEST(bare_lf_message)
{
	struct parsed p = parse(
		"SIP/2.0 180 Ringing\n"
		"From: <sip:alice@example.com>;tag=lf1\n"
		"To: <sip:bob@example.com>;tag=lf2\n"
		"Call-ID: lf@example.com\n"
		"CSeq: 1 INVITE\n"
		"Content-Type: application/sdp\n"
		"Content-Length: 4\n\n"
		"v=0\n");

	ASSERT_EQ(0, p.err);
	EXPECT_EQ(180, p.m.status);
	EXPECT_TRUE(span_is(p.b.p, p.m.to_tag, "lf2"));
	EXPECT_TRUE(span_is(p.b.p, p.m.body, "v=0\n"));
	EXPECT_EQ(SIP_BODY_SDP, p.m.body_type);
	free(p.b.p);
}

TEST(from_to_tags)
{
	static const struct { const char *hdr, *tag; int err; } t[] = {
		{ "From: \"A;tag=no\" <sip:a@b;tag=notme>;tag=real", "real", 0 },
		{ "From: sip:a@example.com;tag=addrspec", "addrspec", 0 },
		{ "From: <sip:a@b>;epid=1;tag=second;tag=third", "second", 0 },
		{ "From: <sip:a@b> ; tag = spaced ", "spaced", 0 },
		{ "From: \"\\\"q;tag=x\" <sip:a@b>;tag=esc", "esc", 0 },
		{ "From: <sip:a@b>", "", 0 },
		{ "From: <sip:a@b>;tagx=1", "", 0 },
		{ "From: <sip:a@b;tag=x", NULL, -EINVAL },
		{ "From: \"unterminated <sip:a@b>;tag=x", NULL, -EINVAL },
		{ "From: <sip:a@b>;tag=", NULL, -EINVAL },
		{ "From: <sip:a@b>;tag", NULL, -EINVAL },
		{ "From: \"ends in a backslash\\", NULL, -EINVAL },
	};
	char msg[256];
	struct parsed p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(msg, sizeof(msg), "ACK sip:b SIP/2.0\r\n%s\r\n\r\n",
			 t[i].hdr);
		p = parse(msg);
		EXPECT_EQ(t[i].err, p.err) TH_LOG("%s", t[i].hdr);
		if (!t[i].err)
			EXPECT_TRUE(span_is(p.b.p, p.m.from_tag, t[i].tag))
				TH_LOG("%s", t[i].hdr);
		free(p.b.p);
	}
}

TEST(cseq)
{
	static const struct { const char *v; unsigned int n; int err; } c[] = {
		{ "1 INVITE", 1, 0 }, { "2147483647 ACK", 2147483647U, 0 },
		{ "  5\t UPDATE  ", 5, 0 }, { "007 PRACK", 7, 0 },
		{ "2147483648 INVITE", 0, -EINVAL },
		{ "99999999999999999999 INVITE", 0, -EINVAL },
		{ "1", 0, -EINVAL }, { "INVITE", 0, -EINVAL },
		{ "1INVITE", 0, -EINVAL }, { "1 INVITE x", 0, -EINVAL },
		{ "-1 INVITE", 0, -EINVAL },
	};
	char msg[256];
	struct parsed p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(msg, sizeof(msg), "ACK sip:b SIP/2.0\r\nCSeq:%s\r\n\r\n",
			 c[i].v);
		p = parse(msg);
		EXPECT_EQ(c[i].err, p.err) TH_LOG("'%s'", c[i].v);
		if (!c[i].err)
			EXPECT_EQ(c[i].n, p.m.cseq);
		free(p.b.p);
	}
}

TEST(content_type_and_boundary)
{
	static const struct {
		const char *v, *type, *boundary;
		int body_type, mixed, err;
	} c[] = {
		{ "application/sdp", "application/sdp", "", SIP_BODY_SDP, 0, 0 },
		{ "Application/SDP ; charset=utf-8", "Application/SDP", "",
		  SIP_BODY_SDP, 0, 0 },
		{ "multipart/alternative;boundary=\"----=_NextPart_0.D205\"",
		  "multipart/alternative", "----=_NextPart_0.D205",
		  SIP_BODY_MULTIPART, 0, 0 },
		{ "multipart/alternative;charset=utf-8;boundary=d38d-183e",
		  "multipart/alternative", "d38d-183e", SIP_BODY_MULTIPART, 0, 0 },
		{ "multipart/mixed; boundary=unique-boundary-1",
		  "multipart/mixed", "unique-boundary-1", SIP_BODY_MULTIPART,
		  1, 0 },
		{ "multipart/related;boundary=x", "multipart/related", "x",
		  SIP_BODY_OTHER, 0, 0 },
		{ "text/plain", "text/plain", "", SIP_BODY_OTHER, 0, 0 },
		{ "multipart/mixed;boundary=\"\"", NULL, NULL, 0, 0, -EINVAL },
		{ "multipart/mixed;boundary=\"a\\\"b\"", NULL, NULL, 0, 0,
		  -EINVAL },
		{ "multipart/mixed;boundary=\"abc", NULL, NULL, 0, 0, -EINVAL },
		{ "multipart/mixed;boundary=", NULL, NULL, 0, 0, -EINVAL },
		{ "multipart/mixed;boundary=a=b", NULL, NULL, 0, 0, -EINVAL },
		{ "multipart/mixed;boundary=12345678901234567890123456789012345"
		  "678901234567890123456789012345678901", NULL, NULL, 0, 0,
		  -EINVAL },
		{ "application", NULL, NULL, 0, 0, -EINVAL },
		{ "application/", NULL, NULL, 0, 0, -EINVAL },
		{ "application/sdp x", NULL, NULL, 0, 0, -EINVAL },
		{ "application/sdp;=x", NULL, NULL, 0, 0, -EINVAL },
		{ "application/sdp;charset", NULL, NULL, 0, 0, -EINVAL },
	};
	char msg[512];
	struct parsed p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(msg, sizeof(msg), "ACK sip:b SIP/2.0\r\n"
			 "Content-Type: %s\r\n\r\n", c[i].v);
		p = parse(msg);
		EXPECT_EQ(c[i].err, p.err) TH_LOG("'%s'", c[i].v);
		if (!c[i].err) {
			EXPECT_TRUE(span_is(p.b.p, p.m.content_type, c[i].type));
			EXPECT_TRUE(span_is(p.b.p, p.m.boundary, c[i].boundary))
				TH_LOG("'%s'", c[i].v);
			EXPECT_EQ(c[i].body_type, p.m.body_type);
			EXPECT_EQ(c[i].mixed, p.m.multipart_mixed);
		}
		free(p.b.p);
	}
}

TEST(content_length)
{
	static const struct { const char *v; int err; unsigned int len; } c[] = {
		{ "4", 0, 4 }, { "0004", 0, 4 }, { " 4 ", 0, 4 },
		{ "5", -EMSGSIZE, 0 }, { "65535", -EMSGSIZE, 0 },
		{ "65536", -EMSGSIZE, 0 }, { "4294967296", -EMSGSIZE, 0 },
		{ "4294967300", -EMSGSIZE, 0 },
		{ "18446744073709551620", -EMSGSIZE, 0 },
		{ "99999999999999999999999999999999", -EMSGSIZE, 0 },
		{ "-1", -EINVAL, 0 }, { "4x", -EINVAL, 0 }, { "", -EINVAL, 0 },
		{ "0x4", -EINVAL, 0 }, { "4 4", -EINVAL, 0 },
	};
	char msg[256];
	struct parsed p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		snprintf(msg, sizeof(msg), "ACK sip:b SIP/2.0\r\n"
			 "Content-Length: %s\r\n\r\nv=0\n", c[i].v);
		p = parse(msg);
		EXPECT_EQ(c[i].err, p.err) TH_LOG("'%s'", c[i].v);
		if (!c[i].err)
			EXPECT_EQ(c[i].len, p.m.body.len);
		free(p.b.p);
	}
}

TEST(empty_call_id_and_open_quote)
{
	struct parsed p = parse("ACK sip:b SIP/2.0\r\nCall-ID: \t \r\n\r\n");

	EXPECT_EQ(-EINVAL, p.err);
	free(p.b.p);
	p = parse("ACK sip:b SIP/2.0\nFrom: \"x\\\n\n");
	EXPECT_EQ(-EINVAL, p.err);
	free(p.b.p);
}

TEST(content_length_smaller_than_body)
{
	struct parsed p = parse("ACK sip:b SIP/2.0\r\nl: 2\r\n\r\nv=0\r\n");

	ASSERT_EQ(0, p.err);
	EXPECT_TRUE(span_is(p.b.p, p.m.body, "v="));
	EXPECT_EQ(SIP_MSG_CLEN_SHORT, p.m.flags & SIP_MSG_CLEN_SHORT);
	free(p.b.p);
}

TEST(no_content_length_takes_the_rest)
{
	struct parsed p = parse("ACK sip:b SIP/2.0\r\nc: application/sdp\r\n"
				"\r\nv=0\r\n");

	ASSERT_EQ(0, p.err);
	EXPECT_TRUE(span_is(p.b.p, p.m.body, "v=0\r\n"));
	EXPECT_EQ(0, p.m.seen & SIP_SEEN_CLEN);
	free(p.b.p);
}

TEST(repeated_headers_are_invalid)
{
	static const char * const dup[] = {
		"Call-ID: a\r\ni: b", "From: <sip:a@b>;tag=1\r\nf: <sip:a@b>",
		"To: <sip:a@b>\r\nTo: <sip:a@b>", "CSeq: 1 ACK\r\nCSeq: 1 ACK",
		"Content-Length: 0\r\nl: 0", "c: text/plain\r\nc: text/plain",
	};
	char msg[256];
	struct parsed p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dup); i++) {
		snprintf(msg, sizeof(msg), "ACK sip:b SIP/2.0\r\n%s\r\n\r\n",
			 dup[i]);
		p = parse(msg);
		EXPECT_EQ(-EINVAL, p.err) TH_LOG("%s", dup[i]);
		free(p.b.p);
	}
}

TEST(nul_bytes)
{
	static const char start[] = "INVITE sip:b\0x SIP/2.0\r\n\r\n";
	static const char callid[] = "ACK sip:b SIP/2.0\r\nCall-ID: a\0b\r\n\r\n";
	static const char name[] = "ACK sip:b SIP/2.0\r\nCall\0ID: a\r\n\r\n";
	static const char body[] = "ACK sip:b SIP/2.0\r\nl: 3\r\n\r\na\0b";
	struct parsed p;

	p = parse_n(start, sizeof(start) - 1);
	EXPECT_EQ(-EINVAL, p.err);
	free(p.b.p);
	p = parse_n(callid, sizeof(callid) - 1);
	EXPECT_EQ(-EINVAL, p.err);
	free(p.b.p);
	p = parse_n(name, sizeof(name) - 1);
	EXPECT_EQ(-EINVAL, p.err);
	free(p.b.p);
	p = parse_n(body, sizeof(body) - 1);
	EXPECT_EQ(0, p.err);
	EXPECT_EQ(3, p.m.body.len);
	free(p.b.p);
}

TEST(missing_line_ends)
{
	struct parsed p;

	p = parse("OPTIONS sip:b SIP/2.0");
	EXPECT_EQ(-EINVAL, p.err);
	free(p.b.p);
	p = parse("OPTIONS sip:b SIP/2.0\r\nCall-ID: x\r\n");
	EXPECT_EQ(-ENODATA, p.err);
	free(p.b.p);
	p = parse("OPTIONS sip:b SIP/2.0\r\nCall-ID: x");
	EXPECT_EQ(-ENODATA, p.err);
	free(p.b.p);
	p = parse("OPTIONS sip:b SIP/2.0\r\nCall-ID: x\r\n\r");
	EXPECT_EQ(-ENODATA, p.err);
	free(p.b.p);
	p = parse("OPTIONS sip:b SIP/2.0\r\nNoColonHere\r\n\r\n");
	EXPECT_EQ(-EINVAL, p.err);
	free(p.b.p);
	p = parse("OPTIONS sip:b SIP/2.0\r\n folded-first: x\r\n\r\n");
	EXPECT_EQ(-EINVAL, p.err);
	free(p.b.p);
}

TEST(over_long_lines)
{
	size_t n = 70000, hdr;
	char *msg = malloc(n + 1);
	struct parsed p;

	hdr = sprintf(msg, "ACK sip:b SIP/2.0\r\nX-Long: ");
	memset(msg + hdr, 'a', 60000);
	strcpy(msg + hdr + 60000, "\r\nCall-ID: after-long\r\n\r\n");
	p = parse(msg);
	ASSERT_EQ(0, p.err);
	EXPECT_TRUE(span_is(p.b.p, p.m.call_id, "after-long"));
	free(p.b.p);
	memset(msg + hdr, 'a', n - hdr);
	msg[n] = 0;
	p = parse(msg);
	EXPECT_EQ(-EMSGSIZE, p.err);
	free(p.b.p);
	free(msg);
}

/* Every prefix of every message: no crash, and no message is accepted
 * before all Content-Length bytes are there.
 */
TEST(truncated_everywhere)
{
	static const char * const files[] = {
		"corpus-01-lync2013-invite-multipart-draft6.sip",
		"corpus-04-sfb2016-invite-audio-video-lf.sip",
		"corpus-05-sfb-online-multipart-unquoted.sip",
		"corpus-07-webrtc-chrome-answer.sip",
		"corpus-22-sfb-trace-edge-relay.sip",
	};
	struct sip_msg full, m;
	struct blob b, cut;
	size_t i, n, need;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		b = vector_read(files[i]);
		ASSERT_NE(NULL, b.p);
		ASSERT_EQ(0, sip_parse_message(b.p, b.len, &full));
		need = full.body.off + full.body.len;
		for (n = 0; n < b.len; n++) {
			cut = blob_copy(b.p, n);
			if (n < need) {
				ASSERT_NE(0, sip_parse_message(cut.p, n, &m))
					TH_LOG("%s cut at %zu", files[i], n);
			} else {
				ASSERT_EQ(0, sip_parse_message(cut.p, n, &m));
			}
			free(cut.p);
		}
		free(b.p);
	}
}

TEST(struct_sizes)
{
	EXPECT_EQ(48, sizeof(struct sip_msg));
	EXPECT_EQ(10, sizeof(struct sip_part));
}

TEST_HARNESS_MAIN
