// SPDX-License-Identifier: GPL-2.0
/* TCP framing: messages out of a byte stream however it is segmented. */
#include "kselftest_harness.h"
#include "vectors.h"

struct frame_rec {
	size_t off;
	size_t len;
};

struct stream_result {
	struct frame_rec msg[32];
	int count;
	int resyncs;
	int errors;
};

/* One sip_frame() call on an exact-size copy of the window. */
static int frame_at(const char *p, size_t len, struct sip_frame *f)
{
	struct blob b = blob_copy(p, len);
	int r = sip_frame(b.p, len, f);

	free(b.p);
	return r;
}

/*
 * Feed the stream in segments ending at each cut (the last cut must be
 * len), as a reassembly buffer would, and record what comes out. With
 * @gated, sip_frame() is only asked when sip_frame_ready() says it could
 * say more, as the helper does. Returns how many times it was asked, and
 * in *scanned how many bytes it was given in all.
 */
static int run_frames(const char *s, size_t len, const size_t *cuts,
		      int ncuts, struct stream_result *res, bool gated,
		      size_t *scanned)
{
	struct sip_frame_state st = { 0 };
	size_t pos = 0, fed = cuts[0];
	struct sip_frame f;
	int c = 0, calls = 0;

	memset(res, 0, sizeof(*res));
	*scanned = 0;
	while (pos < len) {
		if (gated && !sip_frame_ready(&st, s + pos, fed - pos)) {
			if (++c >= ncuts)
				break;
			fed = cuts[c];
			continue;
		}
		calls++;
		*scanned += fed - pos;
		if (frame_at(s + pos, fed - pos, &f))
			res->errors++;
		if (f.kind == SIP_FRAME_NEED_MORE) {
			sip_frame_wait(&st, &f);
			if (++c >= ncuts)
				break;
			fed = cuts[c];
			continue;
		}
		if (f.kind == SIP_FRAME_MESSAGE && res->count < 32) {
			res->msg[res->count].off = pos;
			res->msg[res->count++].len = f.len;
		}
		if (f.kind == SIP_FRAME_RESYNC)
			res->resyncs++;
		if (!f.len || f.len > fed - pos)
			break;
		pos += f.len;
		memset(&st, 0, sizeof(st));
	}
	return calls;
}

static void run_stream(const char *s, size_t len, const size_t *cuts,
		       int ncuts, struct stream_result *res)
{
	size_t scanned;

	run_frames(s, len, cuts, ncuts, res, false, &scanned);
}

/* Header end and Content-Length found with libc, not with the parser. */
static size_t message_len(const char *text, size_t len)
{
	const char *crlf = strstr(text, "\r\n\r\n"), *lf = strstr(text, "\n\n");
	const char *cl = strstr(text, "Content-Length:");
	size_t hdr;

	if (!cl)
		cl = strstr(text, "\nl:") ? strstr(text, "\nl:") + 1 : NULL;
	if (crlf && (!lf || crlf < lf))
		hdr = crlf + 4 - text;
	else
		hdr = lf + 2 - text;
	return hdr + (cl ? strtoul(strchr(cl, ':') + 1, NULL, 10) : 0);
}

struct stream {
	char buf[65536];
	size_t len;
	struct frame_rec want[16];
	int count;
};

static void stream_add(struct stream *st, const char *text, size_t len,
		       bool message)
{
	char *z = malloc(len + 1);

	memcpy(z, text, len);
	z[len] = 0;
	if (message) {
		st->want[st->count].off = st->len;
		st->want[st->count++].len = message_len(z, len);
	}
	memcpy(st->buf + st->len, text, len);
	st->len += len;
	free(z);
}

static void stream_add_file(struct stream *st, const char *name)
{
	struct blob b = vector_read(name);

	stream_add(st, b.p, b.len, true);
	free(b.p);
}

static const char bye[] =
	"BYE sip:bob@198.51.100.20:5060;transport=tcp SIP/2.0\r\n"
	"Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-bye1\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:alice@example.com>;tag=a07\r\n"
	"To: <sip:bob@example.com>;tag=b07\r\n"
	"Call-ID: corpus-07@192.0.2.10\r\n"
	"CSeq: 2 BYE\r\n"
	"Content-Length: 0\r\n\r\n";

static void build_stream(struct stream *st, bool with_lf)
{
	memset(st, 0, sizeof(*st));
	stream_add_file(st, "corpus-07-webrtc-chrome-answer.sip");
	stream_add(st, "\r\n\r\n", 4, false);
	stream_add_file(st, "corpus-08-rtpengine-remote-candidates.sip");
	stream_add_file(st, "corpus-01-lync2013-invite-multipart-draft6.sip");
	stream_add(st, bye, sizeof(bye) - 1, true);
	if (with_lf)
		stream_add_file(st, "corpus-04-sfb2016-invite-audio-video-lf.sip");
	stream_add(st, "\r\n", 2, false);
}

static void expect_same(struct __test_metadata *_metadata,
			const struct stream *st, const struct stream_result *r,
			size_t split)
{
	int i;

	ASSERT_EQ(st->count, r->count) TH_LOG("split at %zu", split);
	ASSERT_EQ(0, r->resyncs) TH_LOG("split at %zu", split);
	ASSERT_EQ(0, r->errors);
	for (i = 0; i < st->count; i++) {
		ASSERT_EQ(st->want[i].off, r->msg[i].off);
		ASSERT_EQ(st->want[i].len, r->msg[i].len) TH_LOG("split %zu", split);
	}
}

TEST(stream_split_at_every_byte)
{
	static struct stream st;
	struct stream_result r;
	size_t cuts[2], k;

	build_stream(&st, false);
	ASSERT_EQ(4, st.count);
	for (k = 0; k <= st.len; k++) {
		cuts[0] = k;
		cuts[1] = st.len;
		run_stream(st.buf, st.len, cuts, 2, &r);
		expect_same(_metadata, &st, &r, k);
	}
}

TEST(stream_random_segments)
{
	static struct stream st;
	struct stream_result r;
	size_t cuts[20000];
	unsigned int seed = 1;
	int i, n;

	build_stream(&st, true);
	ASSERT_EQ(5, st.count);
	for (i = 0; i < 300; i++) {
		n = 0;
		cuts[0] = 0;
		do {
			seed = seed * 1103515245 + 12345;
			cuts[n] = (n ? cuts[n - 1] : 0) + 1 + (seed >> 16) % 1460;
			if (cuts[n] > st.len)
				cuts[n] = st.len;
		} while (cuts[n++] < st.len);
		run_stream(st.buf, st.len, cuts, n, &r);
		expect_same(_metadata, &st, &r, i);
	}
}

/*
 * The stream a byte at a time: the same messages as framing it whole,
 * with sip_frame() asked a few times a message (not once a byte) and
 * given a few times the stream's length in all (not its square).
 */
TEST(gated_byte_by_byte)
{
	static struct stream st;
	struct stream_result r;
	size_t *cuts, k, scanned, ungated_scanned;
	int calls, ungated;

	build_stream(&st, true);
	cuts = malloc(st.len * sizeof(*cuts));
	ASSERT_NE(NULL, cuts);
	for (k = 0; k < st.len; k++)
		cuts[k] = k + 1;
	calls = run_frames(st.buf, st.len, cuts, st.len, &r, true, &scanned);
	expect_same(_metadata, &st, &r, 1);
	TH_LOG("%zu bytes a byte at a time: %d sip_frame() calls, %zu bytes given it",
	       st.len, calls, scanned);
	ungated = run_frames(st.buf, st.len, cuts, st.len, &r, false,
			     &ungated_scanned);
	expect_same(_metadata, &st, &r, 1);
	TH_LOG("without sip_frame_ready(): %d calls, %zu bytes", ungated,
	       ungated_scanned);
	EXPECT_LE(calls, 4 * (st.count + 2));
	EXPECT_LE(scanned, 4 * st.len);
	free(cuts);
}

TEST(gated_split_at_every_byte)
{
	static struct stream st;
	struct stream_result r;
	size_t cuts[2], k, scanned;

	build_stream(&st, true);
	for (k = 0; k <= st.len; k++) {
		cuts[0] = k;
		cuts[1] = st.len;
		run_frames(st.buf, st.len, cuts, 2, &r, true, &scanned);
		expect_same(_metadata, &st, &r, k);
	}
}

static struct sip_frame frame_str(const char *s, int *ret)
{
	struct sip_frame f;

	*ret = frame_at(s, strlen(s), &f);
	return f;
}

TEST(keepalive)
{
	struct sip_frame f;
	int r;

	f = frame_str("\r\n\r\nINVITE", &r);
	EXPECT_EQ(SIP_FRAME_KEEPALIVE, f.kind);
	EXPECT_EQ(4, f.len);
	f = frame_str("\n", &r);
	EXPECT_EQ(SIP_FRAME_KEEPALIVE, f.kind);
	EXPECT_EQ(1, f.len);
	f = frame_str("", &r);
	EXPECT_EQ(SIP_FRAME_NEED_MORE, f.kind);
	EXPECT_EQ(0, r);
}

TEST(need_more)
{
	static const char * const partial[] = {
		"I", "INV", "INVITE", "INVITE ", "INVITE sip:bob@exa",
		"INVITE sip:bob@example.com SIP/2",
		"INVITE sip:bob@example.com SIP/2.0\r",
		"S", "SIP/2.0", "SIP/2.0 2", "SIP/2.0 200 O",
		"ACK sip:b SIP/2.0\r\nCall-ID: x\r\n",
		"ACK sip:b SIP/2.0\r\nCall-ID: x\r\n\r",
	};
	struct sip_frame f;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(partial); i++) {
		f = frame_str(partial[i], &r);
		EXPECT_EQ(SIP_FRAME_NEED_MORE, f.kind) TH_LOG("'%s'", partial[i]);
		EXPECT_EQ(0, f.len);
		EXPECT_EQ(0, r);
	}
	f = frame_str("ACK sip:b SIP/2.0\r\nl: 100\r\n\r\n0123456789", &r);
	EXPECT_EQ(SIP_FRAME_NEED_MORE, f.kind);
	EXPECT_EQ(29 + 100, f.len);
}

TEST(resync_after_garbage)
{
	static const char junk[] = "HTTP/1.1 200 OK\r\nfoo bar\r\n\r\n"
		"v=0\r\nINVITE sip:b SIP/2.0 extra\r\n";
	char buf[512];
	struct sip_frame f;
	int r;

	snprintf(buf, sizeof(buf), "%s%s", junk, bye);
	f = frame_str(buf, &r);
	EXPECT_EQ(0, r);
	EXPECT_EQ(SIP_FRAME_RESYNC, f.kind);
	EXPECT_EQ(sizeof(junk) - 1, f.len);
	f = frame_str(buf + f.len, &r);
	EXPECT_EQ(SIP_FRAME_MESSAGE, f.kind);
	EXPECT_EQ(sizeof(bye) - 1, f.len);
}

TEST(resync_keeps_a_partial_start_line)
{
	static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc";
	struct sip_frame f;
	int r;

	f = frame_str("garbage\r\nSIP/2.0 1", &r);
	EXPECT_EQ(SIP_FRAME_RESYNC, f.kind);
	EXPECT_EQ(9, f.len);
	r = frame_at(tls, sizeof(tls) - 1, &f);
	EXPECT_EQ(SIP_FRAME_RESYNC, f.kind);
	EXPECT_EQ(sizeof(tls) - 1, f.len);
}

TEST(content_length_bounds)
{
	static const struct { const char *msg; int err; } c[] = {
		{ "ACK sip:b SIP/2.0\r\nl: 70000\r\n\r\n", -EMSGSIZE },
		{ "ACK sip:b SIP/2.0\r\nl: 4294967296\r\n\r\n", -EMSGSIZE },
		{ "ACK sip:b SIP/2.0\r\nl: 65535\r\n\r\n", -EMSGSIZE },
		{ "ACK sip:b SIP/2.0\r\nl: x\r\n\r\n", -EINVAL },
		{ "ACK sip:b SIP/2.0\r\nl: 0\r\nContent-Length: 0\r\n\r\n",
		  -EINVAL },
		{ "ACK sip:b SIP/2.0\r\nno colon\r\n\r\n", -EINVAL },
	};
	struct sip_frame f;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		f = frame_str(c[i].msg, &r);
		EXPECT_EQ(c[i].err, r) TH_LOG("%s", c[i].msg);
		EXPECT_EQ(SIP_FRAME_RESYNC, f.kind);
		EXPECT_EQ(strlen(c[i].msg), f.len);
	}
	f = frame_str("ACK sip:b SIP/2.0\r\nl: 65000\r\n\r\n", &r);
	EXPECT_EQ(0, r);
	EXPECT_EQ(SIP_FRAME_NEED_MORE, f.kind);
	EXPECT_EQ(65000 + 31, f.len);
	f = frame_str("ACK sip:b SIP/2.0\r\n\r\nrest", &r);
	EXPECT_EQ(SIP_FRAME_MESSAGE, f.kind);
	EXPECT_EQ(21, f.len);
}

TEST(headers_that_never_end)
{
	size_t n = 70000, i;
	char *buf = malloc(n + 1);
	struct sip_frame f;
	int r;

	i = sprintf(buf, "INVITE sip:b SIP/2.0\r\n");
	while (i + 16 < n)
		i += sprintf(buf + i, "X-Pad: 0123456\r\n");
	f = frame_str(buf, &r);
	EXPECT_EQ(-EMSGSIZE, r);
	EXPECT_EQ(SIP_FRAME_RESYNC, f.kind);
	EXPECT_EQ(SIP_MAX_MSG_LEN, f.len);
	memset(buf, 'a', n);
	memcpy(buf, "INVITE sip:", 11);
	buf[n] = 0;
	f = frame_str(buf, &r);
	EXPECT_EQ(SIP_FRAME_RESYNC, f.kind);
	EXPECT_EQ(SIP_MAX_MSG_LEN, f.len);
	free(buf);
}

/* Buffers longer than any message: only the first 64 KiB are looked at. */
TEST(long_buffers)
{
	size_t n = 0, one, pos;
	char *buf = malloc(3 * 31000), *body = malloc(30001);
	struct sip_frame f;
	int i;

	memset(body, 'x', 30000);
	body[30000] = 0;
	for (i = 0; i < 3; i++)
		n += sprintf(buf + n, "INFO sip:b SIP/2.0\r\nl: 30000\r\n\r\n%s",
			     body);
	one = n / 3;
	for (pos = 0, i = 0; pos < n; pos += f.len, i++) {
		ASSERT_EQ(0, frame_at(buf + pos, n - pos, &f));
		ASSERT_EQ(SIP_FRAME_MESSAGE, f.kind);
		ASSERT_EQ(one, f.len);
	}
	EXPECT_EQ(3, i);
	memset(buf, 'x', n);
	ASSERT_EQ(0, frame_at(buf, n, &f));
	EXPECT_EQ(SIP_FRAME_RESYNC, f.kind);
	EXPECT_EQ(SIP_MAX_MSG_LEN, f.len);
	free(body);
	free(buf);
}

TEST(random_bytes_always_progress)
{
	static const char pieces[][12] = {
		"\r\n", "\n", "INVITE ", "sip:x ", "SIP/2.0", " 200 ",
		"l: 5", "\r\n\r\n", "x", ":", "\0",
	};
	char buf[256];
	size_t len, pos, n;
	struct sip_frame f;
	unsigned int seed = 7;
	int i, j, k;

	for (i = 0; i < 20000; i++) {
		len = 0;
		for (j = 0; j < 12; j++) {
			seed = seed * 1103515245 + 12345;
			k = (seed >> 16) % 11;
			n = pieces[k][0] ? strlen(pieces[k]) : 1;
			memcpy(buf + len, pieces[k], n);
			len += n;
		}
		for (pos = 0; pos < len; pos += f.len) {
			frame_at(buf + pos, len - pos, &f);
			if (f.kind == SIP_FRAME_NEED_MORE)
				break;
			ASSERT_LT(0, f.len);
			ASSERT_GE(len - pos, f.len);
		}
	}
}

/*
 * sip_frame_feed() given the bytes in pieces (as chunks hold them) says
 * what sip_frame_ready() says given them whole: an empty line split over
 * two pieces, "\n" + "\r\n" or "\n\r" + "\n", is seen.
 */
TEST(feed_in_pieces)
{
	static const char * const s[] = {
		"INVITE sip:b SIP/2.0\r\nCall-ID: x\r\n\r\n",
		"INVITE sip:b SIP/2.0\nCall-ID: x\n\n",
		"INVITE sip:b SIP/2.0\r\nCall-ID: x\r\n",
		"INVITE sip:b SIP/2.0\r\nX: a\n\r\r\n",
	};
	static const bool whole[] = { true, true, false, false };
	struct sip_frame_state st;
	size_t i, cut, len;
	bool ready, got;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		len = strlen(s[i]);
		memset(&st, 0, sizeof(st));
		EXPECT_EQ(whole[i], sip_frame_ready(&st, s[i], len));
		for (cut = 1; cut < len; cut++) {
			memset(&st, 0, sizeof(st));
			ready = sip_frame_feed(&st, s[i], cut);
			got = sip_frame_feed(&st, s[i] + cut, len - cut);
			EXPECT_EQ(whole[i], ready || got)
				TH_LOG("'%s' cut at %zu", s[i], cut);
			EXPECT_EQ(len, st.scanned);
			EXPECT_EQ(1, st.lines);
		}
	}
	/* a keep-alive is ready at once; a line end is noted */
	memset(&st, 0, sizeof(st));
	EXPECT_TRUE(sip_frame_feed(&st, "\r\n", 2));
	memset(&st, 0, sizeof(st));
	EXPECT_FALSE(sip_frame_feed(&st, "INVITE sip:b", 12));
	EXPECT_EQ(0, st.lines);
}

/* A start line longer than SIP_MAX_START_LINE is not waited for. */
TEST(start_line_bound)
{
	char *buf = malloc(SIP_MAX_START_LINE + 64);
	struct sip_frame f;
	size_t n;
	int r;

	ASSERT_NE(NULL, buf);
	n = sprintf(buf, "INVITE sip:");
	/* the line, its CR included, is SIP_MAX_START_LINE bytes */
	memset(buf + n, 'a', SIP_MAX_START_LINE - n - 9);
	n = SIP_MAX_START_LINE - 9;
	r = frame_at(buf, n, &f);
	EXPECT_EQ(SIP_FRAME_NEED_MORE, f.kind);
	memcpy(buf + n, " SIP/2.0\r\n\r\n", 12);
	r = frame_at(buf, n + 12, &f);
	EXPECT_EQ(0, r);
	EXPECT_EQ(SIP_FRAME_MESSAGE, f.kind);
	memset(buf + n, 'a', 64);
	r = frame_at(buf, n + 64, &f);
	EXPECT_EQ(SIP_FRAME_RESYNC, f.kind);
	EXPECT_EQ(n + 64, f.len);
	memcpy(buf + n + 40, " SIP/2.0\r\n\r\n", 12);
	r = frame_at(buf, n + 52, &f);
	EXPECT_EQ(SIP_FRAME_RESYNC, f.kind);
	free(buf);
}

TEST_HARNESS_MAIN
