// SPDX-License-Identifier: GPL-2.0
/* Multipart bodies: boundaries, preamble, epilogue, unclosed, fallback. */
#include "kselftest_harness.h"
#include "vectors.h"

#define MAX_PARTS 8

struct parts {
	struct sip_part part[MAX_PARTS];
	int count;
	int end;			/* what the iterator returned last */
};

static int iterate(const char *body, size_t len, const char *bnd,
		   struct parts *out)
{
	struct sip_multipart mp;
	struct blob b = blob_copy(body, len), k = blob_str(bnd);
	int r;

	memset(out, 0, sizeof(*out));
	r = sip_multipart_init(&mp, b.p, len, k.p, k.len);
	if (!r) {
		while (out->count < MAX_PARTS - 1 &&
		       (r = sip_multipart_next(&mp, &out->part[out->count])) > 0)
			out->count++;
		/* After the end, the iterator keeps saying how it ended. */
		out->end = r;
		r = sip_multipart_next(&mp, &out->part[MAX_PARTS - 1]);
	} else {
		out->end = r;
	}
	free(b.p);
	free(k.p);
	return r;
}

static bool part_body_is(const char *body, const struct sip_part *p,
			 const char *want)
{
	return span_is(body, p->body, want);
}

/* A message vector, parsed, with the parts of its multipart body. */
struct mp_vector {
	struct blob b;
	struct sip_msg m;
	const char *body;
	char boundary[SIP_MAX_BOUNDARY_LEN + 1];
	struct parts ps;
	int last;
};

static int mp_vector_load(struct mp_vector *v, const char *file)
{
	v->b = vector_read(file);
	if (!v->b.p || sip_parse_message(v->b.p, v->b.len, &v->m))
		return -1;
	v->body = v->b.p + v->m.body.off;
	memcpy(v->boundary, v->b.p + v->m.boundary.off, v->m.boundary.len);
	v->boundary[v->m.boundary.len] = 0;
	v->last = iterate(v->body, v->m.body.len, v->boundary, &v->ps);
	return 0;
}

TEST(quoted_boundary_lync)
{
	struct mp_vector v;

	ASSERT_EQ(0, mp_vector_load(&v,
		  "corpus-01-lync2013-invite-multipart-draft6.sip"));
	ASSERT_EQ(SIP_BODY_MULTIPART, v.m.body_type);
	ASSERT_STREQ("----=_NextPart_000_001C_01D282D0.D2055920", v.boundary);
	ASSERT_EQ(0, v.ps.end);
	ASSERT_EQ(2, v.ps.count);
	EXPECT_EQ(SIP_PART_FALLBACK, v.ps.part[0].flags);
	EXPECT_EQ(0, v.ps.part[1].flags);
	EXPECT_EQ(SIP_BODY_SDP, v.ps.part[0].body_type);
	EXPECT_EQ(SIP_BODY_SDP, v.ps.part[1].body_type);
	EXPECT_EQ(0, memcmp(v.body + v.ps.part[1].body.off, "v=0\r\n", 5));
	free(v.b.p);
}

TEST(unquoted_boundary_with_preamble)
{
	struct mp_vector v;

	ASSERT_EQ(0, mp_vector_load(&v,
		  "corpus-05-sfb-online-multipart-unquoted.sip"));
	ASSERT_STREQ("d38d183e-6415-438f-8ff5-4ed634919226", v.boundary);
	ASSERT_EQ(0, v.ps.end);
	ASSERT_EQ(2, v.ps.count);
	EXPECT_EQ(SIP_PART_FALLBACK, v.ps.part[0].flags);
	EXPECT_EQ(0, v.ps.part[1].flags);
	free(v.b.p);
}

TEST(mixed_with_epilogue_and_other_part)
{
	struct mp_vector v;

	ASSERT_EQ(0, mp_vector_load(&v, "sip-invite-multipart-mixed-preamble.sip"));
	EXPECT_EQ(1, v.m.multipart_mixed);
	ASSERT_EQ(0, v.ps.end);
	ASSERT_EQ(2, v.ps.count);
	EXPECT_EQ(SIP_PART_FALLBACK, v.ps.part[0].flags);
	EXPECT_EQ(SIP_BODY_SDP, v.ps.part[0].body_type);
	EXPECT_EQ(SIP_BODY_OTHER, v.ps.part[1].body_type);
	EXPECT_TRUE(span_is(v.body, v.ps.part[1].content_type,
			    "application/pidf+xml"));
	EXPECT_TRUE(part_body_is(v.body, &v.ps.part[1],
		"<?xml version=\"1.0\"?><presence entity=\"sip:alice@example.com\"/>"));
	free(v.b.p);
}

TEST(boundary_never_closed)
{
	struct mp_vector v;

	ASSERT_EQ(0, mp_vector_load(&v, "sip-invite-multipart-unclosed.sip"));
	EXPECT_EQ(-EBADMSG, v.last);
	EXPECT_EQ(-EBADMSG, v.ps.end);
	ASSERT_EQ(2, v.ps.count);
	EXPECT_EQ(0, v.ps.part[0].flags);
	EXPECT_EQ(SIP_PART_UNCLOSED, v.ps.part[1].flags);
	free(v.b.p);
}

TEST(boundary_never_seen)
{
	struct parts ps;

	EXPECT_EQ(-EBADMSG, iterate("no delimiter\r\n-b\r\n", 18, "b", &ps));
	EXPECT_EQ(-EBADMSG, ps.end);
	EXPECT_EQ(0, ps.count);
	EXPECT_EQ(-EBADMSG, iterate("", 0, "b", &ps));
}

TEST(delimiters_must_start_a_line_and_end_it)
{
	static const char body[] =
		"--bx\r\nnot a delimiter\r\n"
		"--b\r\n\r\nfirst --b in text\r\n--bb\r\n"
		"--b \t\r\n\r\nsecond\r\n--b--";
	struct parts ps;

	iterate(body, sizeof(body) - 1, "b", &ps);
	EXPECT_EQ(0, ps.end);
	ASSERT_EQ(2, ps.count);
	EXPECT_TRUE(part_body_is(body, &ps.part[0], "first --b in text\r\n--bb"));
	EXPECT_TRUE(part_body_is(body, &ps.part[1], "second"));
}

TEST(bare_lf_and_empty_parts)
{
	static const char body[] =
		"--b\n\nlf part\n--b\n--b\nContent-Type: application/sdp\n\nv=0\n"
		"\n--b--\n";
	struct parts ps;

	iterate(body, sizeof(body) - 1, "b", &ps);
	EXPECT_EQ(0, ps.end);
	ASSERT_EQ(3, ps.count);
	EXPECT_TRUE(part_body_is(body, &ps.part[0], "lf part"));
	EXPECT_EQ(0, ps.part[1].body.len);
	EXPECT_EQ(SIP_BODY_SDP, ps.part[2].body_type);
	EXPECT_TRUE(part_body_is(body, &ps.part[2], "v=0\n"));
}

TEST(part_without_header_end)
{
	static const char body[] = "--b\r\nContent-Type: text/plain\r\n--b--\r\n";
	struct parts ps;

	iterate(body, sizeof(body) - 1, "b", &ps);
	EXPECT_EQ(0, ps.end);
	ASSERT_EQ(1, ps.count);
	EXPECT_EQ(SIP_PART_NO_EOH, ps.part[0].flags);
	EXPECT_EQ(0, ps.part[0].body.len);
}

TEST(bad_part_headers)
{
	static const char body[] =
		"--b\r\nContent-Type: application\r\n\r\nx\r\n--b--\r\n";
	static const char noname[] = "--b\r\n: x\r\n\r\nx\r\n--b--\r\n";
	struct parts ps;

	EXPECT_EQ(-EBADMSG, iterate(body, sizeof(body) - 1, "b", &ps));
	EXPECT_EQ(-EINVAL, ps.end);
	iterate(noname, sizeof(noname) - 1, "b", &ps);
	EXPECT_EQ(-EINVAL, ps.end);
}

TEST(init_bounds)
{
	struct sip_multipart mp;
	char bnd[SIP_MAX_BOUNDARY_LEN + 1];

	memset(bnd, 'b', sizeof(bnd));
	EXPECT_EQ(-EINVAL, sip_multipart_init(&mp, "x", 1, bnd, 0));
	EXPECT_EQ(-EINVAL, sip_multipart_init(&mp, "x", 1, bnd, sizeof(bnd)));
	EXPECT_EQ(0, sip_multipart_init(&mp, "x", 1, bnd, sizeof(bnd) - 1));
	EXPECT_EQ(-EINVAL, sip_multipart_init(&mp, "x", 65536, bnd, 1));
}

/* Every prefix of a body: no crash, and only the whole body ends well. */
TEST(truncated_everywhere)
{
	struct blob b = vector_read("corpus-01-lync2013-invite-multipart-draft6.sip");
	const char *bnd = "----=_NextPart_000_001C_01D282D0.D2055920";
	struct sip_msg m;
	struct parts ps;
	size_t n, close;

	ASSERT_EQ(0, sip_parse_message(b.p, b.len, &m));
	/*
	 * The body ends "--boundary--\r\n": it ends well without the CRLF,
	 * not with a lone CR.
	 */
	close = m.body.len - 2;
	for (n = 0; n <= m.body.len; n++) {
		iterate(b.p + m.body.off, n, bnd, &ps);
		if (n != close && n != m.body.len) {
			ASSERT_NE(0, ps.end) TH_LOG("cut at %zu", n);
		} else {
			ASSERT_EQ(0, ps.end) TH_LOG("cut at %zu", n);
		}
	}
	free(b.p);
}

TEST_HARNESS_MAIN
