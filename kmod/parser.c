// SPDX-License-Identifier: GPL-2.0
/*
 * SIP, SDP and ICE parser of edgepin; the interface is in parser.h.
 *
 * Every function reads only inside the [p, end) range it is given and
 * every number is checked against an explicit maximum while it is read.
 */
#include "parser.h"

#ifdef __KERNEL__
#include <linux/bitops.h>
#define ctz64(x)	__ffs64(x)
#else
#define ctz64(x)	__builtin_ctzll(x)
#endif

/* Character classes, one table lookup per byte. */
#define CH_DIGIT	0x01
#define CH_HEX		0x02
#define CH_ALPHA	0x04
#define CH_TOKEN	0x08	/* RFC 3261 token */
#define CH_HOST		0x10	/* host name: letters, digits, '-' and '.' */
#define CH_WS		0x20	/* SP and HT */
#define CH_LWS		0x40	/* SP, HT, CR and LF: folded header space */

#define CH_DEC	(CH_DIGIT | CH_HEX | CH_TOKEN | CH_HOST)
#define CH_XAL	(CH_ALPHA | CH_HEX | CH_TOKEN | CH_HOST)
#define CH_AL	(CH_ALPHA | CH_TOKEN | CH_HOST)

static const uint8_t ch_class[256] = {
	['\t'] = CH_WS | CH_LWS, [' '] = CH_WS | CH_LWS,
	['\r'] = CH_LWS, ['\n'] = CH_LWS,
	['0' ... '9'] = CH_DEC,
	['a' ... 'f'] = CH_XAL, ['A' ... 'F'] = CH_XAL,
	['g' ... 'z'] = CH_AL, ['G' ... 'Z'] = CH_AL,
	['-'] = CH_TOKEN | CH_HOST, ['.'] = CH_TOKEN | CH_HOST,
	['!'] = CH_TOKEN, ['%'] = CH_TOKEN, ['*'] = CH_TOKEN,
	['_'] = CH_TOKEN, ['+'] = CH_TOKEN, ['`'] = CH_TOKEN,
	['\''] = CH_TOKEN, ['~'] = CH_TOKEN,
};

static bool ch_is(char c, uint8_t cls)
{
	return ch_class[(uint8_t)c] & cls;
}

/* Printable and not space: bytes of URIs, Call-IDs and words. */
static bool ch_visible(char c)
{
	return (uint8_t)c > 0x20 && (uint8_t)c != 0x7f;
}

static char ch_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/*
 * [p, p + len) equals the lower-case @name of @name_len bytes, ignoring
 * case; the lengths are compared first, so most misses cost one compare.
 */
static bool ieq_name(const char *p, size_t len, const char *name,
		     size_t name_len)
{
	size_t i;

	if (len != name_len)
		return false;
	for (i = 0; i < len; i++)
		if (p[i] != name[i] && ch_lower(p[i]) != name[i])
			return false;
	return true;
}

/* The same for a string literal ("" lit "" admits nothing else). */
#define ieq_lit(p, len, lit)	ieq_name(p, len, "" lit "", sizeof(lit) - 1)

static const char *skip_class(const char *p, const char *end, uint8_t cls)
{
	while (p < end && ch_is(*p, cls))
		p++;
	return p;
}

static const char *trim_lws(const char *p, const char *end)
{
	while (end > p && ch_is(end[-1], CH_LWS))
		end--;
	return end;
}

/*
 * Read decimal digits at *pp up to the first non-digit. The value must not
 * exceed @max; it is checked after every digit, in 64 bits, so it can never
 * wrap.
 */
static int parse_u32(const char **pp, const char *end, uint32_t max,
		     uint32_t *val)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (p >= end || !ch_is(*p, CH_DIGIT))
		return -EINVAL;
	do {
		/* v <= max < 2^32 here, so v * 10 + 9 fits in 64 bits */
		v = v * 10 + (*p++ - '0');
		if (v > max)
			return -ERANGE;
	} while (p < end && ch_is(*p, CH_DIGIT));
	*pp = p;
	*val = v;
	return 0;
}

/* A whole field of digits with a value of at most @max. */
static int parse_number(const char *p, size_t len, uint32_t max,
			uint32_t *val)
{
	const char *end = p + len;
	int err = parse_u32(&p, end, max, val);

	if (err)
		return err;
	return p == end ? 0 : -EINVAL;
}

/* A whitespace-separated word of an SDP line. */
struct word {
	const char *p;
	size_t len;
};

static uint64_t load_le64(const char *p)
{
	const uint8_t *b = (const uint8_t *)p;

	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
	       (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 |
	       (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 |
	       (uint64_t)b[7] << 56;
}

/* The first SP or HT in [p, end), or end. */
static const char *find_ws(const char *p, const char *end)
{
	uint64_t v, low;

	while (end - p >= 8) {
		v = load_le64(p);
		low = (v - 0x2121212121212121ULL) & ~v & 0x8080808080808080ULL;
		if (!low) {
			p += 8;
			continue;
		}
		p += ctz64(low) / 8;
		if (ch_is(*p, CH_WS))
			return p;
		p++;
	}
	while (p < end && !ch_is(*p, CH_WS))
		p++;
	return p;
}

static bool next_word(const char **pp, const char *end, struct word *w)
{
	const char *p = skip_class(*pp, end, CH_WS);

	w->p = p;
	p = find_ws(p, end);
	w->len = p - w->p;
	*pp = p;
	return w->len;
}

#define word_is(w, lit)		ieq_lit((w)->p, (w)->len, lit)

static void span_set(struct sip_span *s, const char *base, const char *p,
		     const char *end)
{
	s->off = p - base;
	s->len = end - p;
}

/* Addresses: the exact grammar of inet_pton(3), no zones, no prefixes. */

int inet_text_ip4(const char *s, size_t len, uint8_t out[4])
{
	const char *p = s, *end = s + len;
	uint8_t tmp[4];
	uint32_t v;
	int i, n;

	for (i = 0; i < 4; i++) {
		if (i && (p >= end || *p++ != '.'))
			return -EINVAL;
		/* 1-3 digits, no leading zero, at most 255 */
		for (n = 0, v = 0; n < 3 && p < end && ch_is(*p, CH_DIGIT); n++)
			v = v * 10 + (*p++ - '0');
		if (!n || v > 255 || (n > 1 && p[-n] == '0'))
			return -EINVAL;
		tmp[i] = v;
	}
	if (p != end)
		return -EINVAL;
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

static int hex_value(char c)
{
	if (ch_is(c, CH_DIGIT))
		return c - '0';
	if (ch_is(c, CH_HEX))
		return ch_lower(c) - 'a' + 10;
	return -1;
}

/* IPv6 in tmp[16]: @gap is where "::" stood or -1; n bytes were written. */
static int ip6_expand(uint8_t *tmp, int n, int gap, uint8_t out[16])
{
	if (gap >= 0) {
		if (n == 16)
			return -EINVAL;
		memmove(tmp + 16 - (n - gap), tmp + gap, n - gap);
		memset(tmp + gap, 0, 16 - n);
		n = 16;
	}
	if (n != 16)
		return -EINVAL;
	memcpy(out, tmp, 16);
	return 0;
}

int inet_text_ip6(const char *s, size_t len, uint8_t out[16])
{
	const char *p = s, *end = s + len, *group;
	uint8_t tmp[16] = { 0 };
	int n = 0, gap = -1, digits = 0, d;
	uint32_t val = 0;
	char c;

	if (p < end && *p == ':' && (++p >= end || *p != ':'))
		return -EINVAL;
	for (group = p; p < end; ) {
		c = *p++;
		d = hex_value(c);
		if (d >= 0) {
			if (digits++ == 4)
				return -EINVAL;
			val = (val << 4) | d;
			continue;
		}
		if (c == '.') {
			if (n > 12 || inet_text_ip4(group, end - group, tmp + n))
				return -EINVAL;
			return ip6_expand(tmp, n + 4, gap, out);
		}
		if (c != ':')
			return -EINVAL;
		group = p;
		if (!digits) {
			if (gap >= 0)
				return -EINVAL;
			gap = n;
			continue;
		}
		if (p == end || n > 14)
			return -EINVAL;
		tmp[n++] = val >> 8;
		tmp[n++] = val;
		digits = 0;
		val = 0;
	}
	if (len == 0)
		return -EINVAL;
	if (digits) {
		if (n > 14)
			return -EINVAL;
		tmp[n++] = val >> 8;
		tmp[n++] = val;
	}
	return ip6_expand(tmp, n, gap, out);
}

/* A DNS name: labels of 1-63 host chars, 253 in all, not all-numeric TLD. */
static bool host_name_valid(const char *s, size_t len)
{
	size_t i, label = 0;
	bool numeric = true;

	if (len == 0 || len > 253 || s[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		if (!ch_is(s[i], CH_HOST))
			return false;
		if (s[i] != '.') {
			if (++label > 63)
				return false;
			numeric &= ch_is(s[i], CH_DIGIT);
			continue;
		}
		if (!label)
			return false;
		label = 0;
		numeric = true;
	}
	return !numeric;
}

/* Returns the enum sdp_family of @s, or -EINVAL. */
int sdp_parse_address(const char *s, size_t len, uint8_t out[16])
{
	memset(out, 0, 16);
	if (!inet_text_ip4(s, len, out))
		return SDP_ADDR_IP4;
	if (!inet_text_ip6(s, len, out))
		return SDP_ADDR_IP6;
	if (!host_name_valid(s, len))
		return -EINVAL;
	if (len > 6 && ieq_lit(s + len - 6, 6, ".local"))
		return SDP_ADDR_MDNS;
	return SDP_ADDR_FQDN;
}

/* SIP: methods, start line, header fields. */

/* Keyword tables end with an empty entry. */
struct name_value {
	const char *name;
	uint8_t len;
	uint8_t value;
};

/* A table keyword and its length, from a string literal only. */
#define KEYWORD(lit)		"" lit "", sizeof(lit) - 1
#define NAME_VALUE(lit, v)	{ KEYWORD(lit), v }

static const struct name_value sip_methods[] = {
	NAME_VALUE("INVITE", SIP_METHOD_INVITE),
	NAME_VALUE("ACK", SIP_METHOD_ACK),
	NAME_VALUE("BYE", SIP_METHOD_BYE),
	NAME_VALUE("CANCEL", SIP_METHOD_CANCEL),
	NAME_VALUE("OPTIONS", SIP_METHOD_OPTIONS),
	NAME_VALUE("REGISTER", SIP_METHOD_REGISTER),
	NAME_VALUE("PRACK", SIP_METHOD_PRACK),
	NAME_VALUE("UPDATE", SIP_METHOD_UPDATE),
	NAME_VALUE("INFO", SIP_METHOD_INFO),
	NAME_VALUE("SUBSCRIBE", SIP_METHOD_SUBSCRIBE),
	NAME_VALUE("NOTIFY", SIP_METHOD_NOTIFY),
	NAME_VALUE("BENOTIFY", SIP_METHOD_BENOTIFY),
	NAME_VALUE("PUBLISH", SIP_METHOD_PUBLISH),
	NAME_VALUE("REFER", SIP_METHOD_REFER),
	NAME_VALUE("MESSAGE", SIP_METHOD_MESSAGE),
	{ }
};

/* Methods are case-sensitive (RFC 3261 section 7.1). */
int sip_method_lookup(const char *name, size_t len)
{
	const struct name_value *m;

	for (m = sip_methods; m->name; m++)
		if (len == m->len && !memcmp(name, m->name, len))
			return m->value;
	return SIP_METHOD_UNKNOWN;
}

/* "SIP/2.0 200 OK": the status code must be 100-699. */
static int sip_parse_status_line(const char *p, const char *end,
				 struct sip_msg *msg)
{
	uint32_t status;
	const char *q = p + 8;

	if (end - q < 3 || parse_u32(&q, q + 3, 699, &status) ||
	    q != p + 11 || status < 100)
		return -EINVAL;
	if (q < end && *q != ' ')
		return -EINVAL;
	msg->status = status;
	return 0;
}

/* "METHOD Request-URI SIP/2.0" with single spaces (RFC 3261 7.1). */
static int sip_parse_request_line(const char *base, const char *end,
				  struct sip_msg *msg)
{
	const char *p = skip_class(base, end, CH_TOKEN), *uri;

	if (p == base || p - base > SIP_MAX_METHOD_LEN || p >= end ||
	    *p != ' ')
		return -EINVAL;
	span_set(&msg->method_name, base, base, p);
	msg->method = sip_method_lookup(base, p - base);
	uri = ++p;
	while (p < end && ch_visible(*p))
		p++;
	if (p == uri || end - p != 8 || !ieq_lit(p, 8, " sip/2.0"))
		return -EINVAL;
	span_set(&msg->uri, base, uri, p);
	return 0;
}

static int sip_parse_start_line(const char *base, const char *end,
				struct sip_msg *msg)
{
	if (end - base >= 8 && ieq_lit(base, 8, "sip/2.0 "))
		return sip_parse_status_line(base, end, msg);
	return sip_parse_request_line(base, end, msg);
}

/* One header field; value may span folded lines (CR and LF inside). */
struct sip_field {
	const char *name;
	const char *value;
	const char *vend;
	size_t name_len;
};

/*
 * Read the field at *pp. Returns 1 and the field, 0 at the empty line that
 * ends the header section, -ENODATA if the buffer ends first, -EINVAL for a
 * line that is not "name: value".
 */
static int sip_next_field(const char **pp, const char *end,
			  struct sip_field *f)
{
	const char *p = *pp, *lf, *q;

	if (p < end && *p == '\n') {
		*pp = p + 1;
		return 0;
	}
	if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
		*pp = p + 2;
		return 0;
	}
	lf = p < end ? memchr(p, '\n', end - p) : NULL;
	if (!lf)
		return -ENODATA;
	q = skip_class(p, lf, CH_TOKEN);
	f->name = p;
	f->name_len = q - p;
	q = skip_class(q, lf, CH_WS);
	if (!f->name_len || q == lf || *q != ':')
		return -EINVAL;
	f->value = q + 1;
	while (end - lf > 1 && ch_is(lf[1], CH_WS)) {
		lf = memchr(lf + 1, '\n', end - lf - 1);
		if (!lf)
			return -ENODATA;
	}
	f->vend = lf;
	*pp = lf + 1;
	return 1;
}

/* Skip a quoted-string whose opening quote is at p[-1]. */
static const char *skip_quoted(const char *p, const char *end)
{
	while (p < end) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\' && ++p == end)
			break;
		p++;
	}
	return NULL;
}

static int sip_parse_call_id(const char *base, const char *p,
			     const char *end, struct sip_msg *msg)
{
	const char *q;

	p = skip_class(p, end, CH_LWS);
	end = trim_lws(p, end);
	for (q = p; q < end; q++)
		if (!ch_visible(*q))
			return -EINVAL;
	if (p == end)
		return -EINVAL;
	span_set(&msg->call_id, base, p, end);
	return 0;
}

/* At p just after a ';': if the parameter is "tag", record its value. */
static const char *sip_param_tag(const char *base, const char *p,
				 const char *end, struct sip_span *tag)
{
	const char *name = skip_class(p, end, CH_LWS), *v;

	p = skip_class(name, end, CH_TOKEN);
	if (!ieq_lit(name, p - name, "tag"))
		return p;
	p = skip_class(p, end, CH_LWS);
	if (p == end || *p != '=')
		return NULL;
	v = skip_class(p + 1, end, CH_LWS);
	p = skip_class(v, end, CH_TOKEN);
	if (p == v)
		return NULL;
	if (!tag->len)
		span_set(tag, base, v, p);
	return p;
}

/* From/To: name-addr or addr-spec, then header parameters (tag). */
static int sip_parse_tag(const char *base, const char *p, const char *end,
			 struct sip_span *tag)
{
	bool angle = false;
	char c;

	while (p && p < end) {
		c = *p++;
		if (c == '"' && !angle)
			p = skip_quoted(p, end);
		else if (c == '<' || c == '>')
			angle = c == '<';
		else if (c == ';' && !angle)
			p = sip_param_tag(base, p, end, tag);
	}
	return p && !angle ? 0 : -EINVAL;
}

static int sip_parse_from(const char *base, const char *p, const char *end,
			  struct sip_msg *msg)
{
	return sip_parse_tag(base, p, end, &msg->from_tag);
}

static int sip_parse_to(const char *base, const char *p, const char *end,
			struct sip_msg *msg)
{
	return sip_parse_tag(base, p, end, &msg->to_tag);
}

static int sip_parse_cseq(const char *base, const char *p, const char *end,
			  struct sip_msg *msg)
{
	const char *m;
	uint32_t n;

	p = skip_class(p, end, CH_LWS);
	if (parse_u32(&p, end, SIP_MAX_CSEQ, &n))
		return -EINVAL;
	m = skip_class(p, end, CH_LWS);
	p = skip_class(m, end, CH_TOKEN);
	if (p == m || trim_lws(p, end) != p || !ch_is(m[-1], CH_LWS))
		return -EINVAL;
	msg->cseq = n;
	msg->cseq_method = sip_method_lookup(m, p - m);
	return 0;
}

/* A Content-Type value: "type/subtype" and the boundary parameter. */
struct media_type {
	const char *type;
	const char *type_end;
	const char *boundary;
	const char *boundary_end;
	uint8_t body_type;
	uint8_t mixed;
};

static bool boundary_valid(const char *p, const char *end)
{
	if (p == end || end - p > SIP_MAX_BOUNDARY_LEN)
		return false;
	for (; p < end; p++)
		if ((!ch_visible(*p) && *p != ' ') || *p == '\\' || *p == '"')
			return false;
	return true;
}

/* One ";name=value" parameter after the ';'; returns the end or NULL. */
static const char *media_type_param(const char *p, const char *end,
				    struct media_type *mt)
{
	const char *name = skip_class(p, end, CH_LWS), *v, *v_end, *next;

	p = skip_class(name, end, CH_TOKEN);
	if (p == name)
		return NULL;
	v = skip_class(p, end, CH_LWS);
	if (v == end || *v != '=')
		return NULL;
	v = skip_class(v + 1, end, CH_LWS);
	if (v < end && *v == '"') {
		next = skip_quoted(++v, end);
		if (!next)
			return NULL;
		v_end = next - 1;
	} else {
		next = skip_class(v, end, CH_TOKEN);
		if (next == v)
			return NULL;
		v_end = next;
	}
	if (ieq_lit(name, p - name, "boundary")) {
		if (!boundary_valid(v, v_end))
			return NULL;
		mt->boundary = v;
		mt->boundary_end = v_end;
	}
	return next;
}

static void media_type_classify(struct media_type *mt)
{
	const char *t = mt->type;
	size_t len = mt->type_end - t;

	mt->mixed = ieq_lit(t, len, "multipart/mixed");
	if (ieq_lit(t, len, "application/sdp"))
		mt->body_type = SIP_BODY_SDP;
	else if (mt->mixed || ieq_lit(t, len, "multipart/alternative"))
		mt->body_type = SIP_BODY_MULTIPART;
	else
		mt->body_type = SIP_BODY_OTHER;
}

static int parse_media_type(const char *p, const char *end,
			    struct media_type *mt)
{
	const char *sub;

	mt->type = skip_class(p, end, CH_LWS);
	p = skip_class(mt->type, end, CH_TOKEN);
	if (p == mt->type || p == end || *p != '/')
		return -EINVAL;
	sub = p + 1;
	p = skip_class(sub, end, CH_TOKEN);
	if (p == sub)
		return -EINVAL;
	mt->type_end = p;
	mt->boundary = NULL;
	mt->boundary_end = NULL;
	media_type_classify(mt);
	while ((p = skip_class(p, end, CH_LWS)) < end) {
		if (*p != ';')
			return -EINVAL;
		p = media_type_param(p + 1, end, mt);
		if (!p)
			return -EINVAL;
	}
	return 0;
}

static int sip_parse_content_type(const char *base, const char *p,
				  const char *end, struct sip_msg *msg)
{
	struct media_type mt;
	int err = parse_media_type(p, end, &mt);

	if (err)
		return err;
	span_set(&msg->content_type, base, mt.type, mt.type_end);
	if (mt.boundary)
		span_set(&msg->boundary, base, mt.boundary, mt.boundary_end);
	msg->body_type = mt.body_type;
	msg->multipart_mixed = mt.mixed;
	return 0;
}

/* Never truncated: a value above the message bound is an error. */
static int parse_content_length(const char *p, const char *end,
				uint32_t *len)
{
	int err;

	p = skip_class(p, end, CH_LWS);
	err = parse_u32(&p, end, SIP_MAX_MSG_LEN, len);
	if (err)
		return err == -ERANGE ? -EMSGSIZE : err;
	return trim_lws(p, end) == p ? 0 : -EINVAL;
}

static int sip_parse_content_length(const char *base, const char *p,
				    const char *end, struct sip_msg *msg)
{
	uint32_t len;
	int err = parse_content_length(p, end, &len);

	if (!err)
		msg->content_length = len;
	return err;
}

struct sip_header {
	const char *name;		/* lower case */
	uint8_t len;
	char compact;			/* RFC 3261 section 7.3.3 */
	uint8_t seen;
	int (*parse)(const char *base, const char *p, const char *end,
		     struct sip_msg *msg);
};

static const struct sip_header sip_headers[] = {
	{ KEYWORD("call-id"), 'i', SIP_SEEN_CALL_ID, sip_parse_call_id },
	{ KEYWORD("from"), 'f', SIP_SEEN_FROM, sip_parse_from },
	{ KEYWORD("to"), 't', SIP_SEEN_TO, sip_parse_to },
	{ KEYWORD("cseq"), 0, SIP_SEEN_CSEQ, sip_parse_cseq },
	{ KEYWORD("content-type"), 'c', SIP_SEEN_CTYPE,
	  sip_parse_content_type },
	{ KEYWORD("content-length"), 'l', SIP_SEEN_CLEN,
	  sip_parse_content_length },
	{ }
};

static const struct sip_header *sip_header_lookup(const char *name,
						  size_t len)
{
	const struct sip_header *h;
	char compact;

	if (len == 1) {
		compact = ch_lower(*name);
		for (h = sip_headers; h->name; h++)
			if (compact == h->compact)
				return h;
		return NULL;
	}
	for (h = sip_headers; h->name; h++)
		if (ieq_name(name, len, h->name, h->len))
			return h;
	return NULL;
}

/* Fields pinholing does not need are skipped; a repeated one is invalid. */
static int sip_parse_field(const char *base, const struct sip_field *f,
			   struct sip_msg *msg)
{
	const struct sip_header *h = sip_header_lookup(f->name, f->name_len);

	if (!h)
		return 0;
	if (msg->seen & h->seen)
		return -EINVAL;
	msg->seen |= h->seen;
	return h->parse(base, f->value, f->vend, msg);
}

/* Body: Content-Length bytes after the headers, else the rest. */
static int sip_set_body(const char *buf, const char *p, const char *end,
			struct sip_msg *msg)
{
	size_t avail = end - p;

	if (msg->seen & SIP_SEEN_CLEN) {
		if (msg->content_length > avail)
			return -EMSGSIZE;
		if (msg->content_length < avail)
			msg->flags |= SIP_MSG_CLEN_SHORT;
		end = p + msg->content_length;
	}
	span_set(&msg->body, buf, p, end);
	return 0;
}

/*
 * One whole message, e.g. a UDP datagram or a frame from sip_frame().
 * Returns 0, -ENODATA without the empty line that ends the headers,
 * -EMSGSIZE if the body is shorter than Content-Length, else -EINVAL.
 */
int sip_parse_message(const char *buf, size_t len, struct sip_msg *msg)
{
	const char *end = buf + len, *p, *eol;
	struct sip_field f;
	int err;

	memset(msg, 0, sizeof(*msg));
	if (len > SIP_MAX_MSG_LEN)
		return -EMSGSIZE;
	p = memchr(buf, '\n', len);
	if (!p)
		return -EINVAL;
	eol = p > buf && p[-1] == '\r' ? p - 1 : p;
	err = sip_parse_start_line(buf, eol, msg);
	for (p++; !err; ) {
		err = sip_next_field(&p, end, &f);
		if (err <= 0)
			break;
		err = sip_parse_field(buf, &f, msg);
	}
	return err ? err : sip_set_body(buf, p, end, msg);
}

/* TCP framing. */

/* [p, p + len) is a prefix of the lower-case literal @lit, ignoring case. */
static bool ieq_prefix(const char *p, size_t len, const char *lit)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!lit[i] || ch_lower(p[i]) != lit[i])
			return false;
	return true;
}

/* Could [p, end), which holds no line end yet, become a start line? */
static bool sip_start_prefix(const char *p, const char *end)
{
	size_t n = end - p;
	const char *q;

	if (ieq_prefix(p, n < 8 ? n : 8, "sip/2.0 ")) {
		q = p + 8;
		while (q < end && q < p + 11 && ch_is(*q, CH_DIGIT))
			q++;
		return q >= end || q == p + 11;
	}
	q = skip_class(p, end, CH_TOKEN);
	if (q == end)
		return n <= SIP_MAX_METHOD_LEN;
	if (q == p || q - p > SIP_MAX_METHOD_LEN || *q != ' ')
		return false;
	for (q++; q < end && ch_visible(*q); )
		q++;
	return q == end || ieq_prefix(q, end - q, " sip/2.0\r");
}

enum { START_BAD, START_PARTIAL, START_OK };

/* Is there a start line at p? On START_OK, *next is the line after it. */
static int sip_start_state(const char *p, const char *end,
			   const char **next)
{
	const char *lf = memchr(p, '\n', end - p), *eol;
	struct sip_msg tmp;

	if (!lf)
		return end - p <= SIP_MAX_START_LINE &&
		       sip_start_prefix(p, end) ? START_PARTIAL : START_BAD;
	if (lf - p > SIP_MAX_START_LINE)
		return START_BAD;
	eol = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
	*next = lf + 1;
	memset(&tmp, 0, sizeof(tmp));
	return sip_parse_start_line(p, eol, &tmp) ? START_BAD : START_OK;
}

/*
 * Bytes to drop to reach the next line that is, or may become once more
 * bytes arrive, a start line. Always at least 1 when len is not 0.
 */
static size_t sip_resync(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *lf, *next;

	while ((lf = memchr(p, '\n', end - p))) {
		p = lf + 1;
		if (p < end && sip_start_state(p, end, &next) != START_BAD)
			return p - buf;
	}
	return len;
}

static int sip_frame_resync(const char *buf, size_t len,
			    struct sip_frame *frame, int err)
{
	frame->kind = SIP_FRAME_RESYNC;
	frame->len = sip_resync(buf, len);
	return err;
}

static bool sip_field_is_clen(const struct sip_field *f)
{
	const struct sip_header *h = sip_header_lookup(f->name, f->name_len);

	return h && h->seen == SIP_SEEN_CLEN;
}

/* Length of the header section at p, with its Content-Length. */
static int sip_frame_headers(const char *p, const char *end,
			     const char **eoh, uint32_t *clen)
{
	struct sip_field f;
	bool seen = false;
	int err;

	*clen = 0;
	while ((err = sip_next_field(&p, end, &f)) > 0) {
		if (!sip_field_is_clen(&f))
			continue;
		if (seen)
			return -EINVAL;
		seen = true;
		err = parse_content_length(f.value, f.vend, clen);
		if (err)
			return err;
	}
	*eoh = p;
	return err;
}

/*
 * Where does the first message of a TCP stream end? Returns 0, or -errno
 * for a message that cannot be framed; in both cases frame says what to
 * do with the first frame->len bytes (see enum sip_frame_kind).
 */
int sip_frame(const char *buf, size_t len, struct sip_frame *frame)
{
	const char *end = buf + len, *p = buf;
	uint32_t clen;
	size_t total;
	int err;

	/* No message is longer, so no answer needs to look further. */
	if (len > SIP_MAX_MSG_LEN) {
		len = SIP_MAX_MSG_LEN;
		end = buf + len;
	}
	frame->kind = SIP_FRAME_NEED_MORE;
	frame->len = 0;
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (p > buf) {
		frame->kind = SIP_FRAME_KEEPALIVE;
		frame->len = p - buf;
		return 0;
	}
	if (!len)
		return 0;
	err = sip_start_state(buf, end, &p);
	if (err == START_PARTIAL && len < SIP_MAX_MSG_LEN)
		return 0;
	if (err != START_OK)
		return sip_frame_resync(buf, len, frame, 0);
	err = sip_frame_headers(p, end, &p, &clen);
	if (err == -ENODATA && len < SIP_MAX_MSG_LEN)
		return 0;
	if (err)
		return sip_frame_resync(buf, len, frame,
					err == -ENODATA ? -EMSGSIZE : err);
	total = (p - buf) + (size_t)clen;
	if (total > SIP_MAX_MSG_LEN)
		return sip_frame_resync(buf, len, frame, -EMSGSIZE);
	frame->len = total;
	frame->kind = total <= len ? SIP_FRAME_MESSAGE : SIP_FRAME_NEED_MORE;
	return 0;
}

bool sip_frame_feed(struct sip_frame_state *st, const char *p, size_t n)
{
	bool keepalive = !st->scanned && n && (p[0] == '\r' || p[0] == '\n');
	size_t i;

	/* an empty line is "\n\n" or "\n\r\n", maybe over two pieces */
	for (i = 0; i < n && !st->eoh; i++) {
		if (p[i] == '\n') {
			st->eoh = st->nl != 0;
			st->nl = 1;
			st->lines = 1;
		} else {
			st->nl = p[i] == '\r' && st->nl == 1 ? 2 : 0;
		}
	}
	st->scanned = n > SIP_MAX_MSG_LEN - st->scanned ?
		      SIP_MAX_MSG_LEN : st->scanned + n;
	if (st->want)
		return st->scanned >= st->want;
	/* a keep-alive, or sip_frame() resynchronises */
	return keepalive || st->eoh || st->scanned >= SIP_MAX_MSG_LEN;
}

bool sip_frame_ready(struct sip_frame_state *st, const char *buf,
		     size_t len)
{
	size_t fed = st->scanned < len ? st->scanned : len;

	return sip_frame_feed(st, buf + fed, len - fed);
}

void sip_frame_wait(struct sip_frame_state *st, const struct sip_frame *f)
{
	st->want = f->len;
	/* sip_frame() saw that empty line: only a new one can help */
	st->eoh = 0;
}

/* Multipart bodies (RFC 2046 section 5.1). */

enum { MP_START, MP_PART, MP_END, MP_BROKEN };

/* A delimiter line: "--" boundary ["--"] *WS line-end. */
struct mp_delim {
	size_t start;
	size_t next;			/* the byte after its line end */
	bool close;
};

int sip_multipart_init(struct sip_multipart *mp, const char *body,
		       size_t len, const char *boundary, size_t boundary_len)
{
	if (len > SIP_MAX_MSG_LEN || !boundary_len ||
	    boundary_len > SIP_MAX_BOUNDARY_LEN)
		return -EINVAL;
	mp->body = body;
	mp->len = len;
	mp->boundary = boundary;
	mp->boundary_len = boundary_len;
	mp->pos = 0;
	mp->state = MP_START;
	return 0;
}

static bool mp_delim_at(const struct sip_multipart *mp, size_t off,
			struct mp_delim *d)
{
	const char *p = mp->body + off, *end = mp->body + mp->len;

	if ((size_t)(end - p) < 2u + mp->boundary_len || p[0] != '-' ||
	    p[1] != '-' || memcmp(p + 2, mp->boundary, mp->boundary_len))
		return false;
	p += 2 + mp->boundary_len;
	d->close = end - p >= 2 && p[0] == '-' && p[1] == '-';
	if (d->close)
		p += 2;
	p = skip_class(p, end, CH_WS);
	if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
		p += 2;
	else if (p < end && *p == '\n')
		p++;
	else if (p != end)
		return false;
	d->start = off;
	d->next = p - mp->body;
	return true;
}

/* The first delimiter at a line start at or after @from. */
static bool mp_find_delim(const struct sip_multipart *mp, size_t from,
			  struct mp_delim *d)
{
	const char *lf;

	if ((!from || mp->body[from - 1] == '\n') && mp_delim_at(mp, from, d))
		return true;
	while (from < mp->len &&
	       (lf = memchr(mp->body + from, '\n', mp->len - from))) {
		from = lf - mp->body + 1;
		/* most lines are not delimiters: one byte tells */
		if (from < mp->len && mp->body[from] == '-' &&
		    mp_delim_at(mp, from, d))
			return true;
	}
	return false;
}

/* The line end before a delimiter belongs to the delimiter. */
static size_t mp_content_end(const struct sip_multipart *mp, size_t start,
			     size_t delim)
{
	if (delim > start && mp->body[delim - 1] == '\n')
		delim--;
	if (delim > start && mp->body[delim - 1] == '\r')
		delim--;
	return delim;
}

static bool disposition_is_fallback(const char *p, const char *end)
{
	const char *param;

	while (p < end) {
		param = skip_class(p, end, CH_LWS);
		for (p = param; p < end && *p != ';'; )
			p++;
		if (ieq_lit(param, trim_lws(param, p) - param,
			    "ms-proxy-2007fallback"))
			return true;
		if (p < end)
			p++;
	}
	return false;
}

static int mp_part_field(const char *body, const struct sip_field *f,
			 struct sip_part *part)
{
	struct media_type mt;

	if (ieq_lit(f->name, f->name_len, "content-disposition")) {
		if (disposition_is_fallback(f->value, f->vend))
			part->flags |= SIP_PART_FALLBACK;
	} else if (ieq_lit(f->name, f->name_len, "content-type")) {
		if (parse_media_type(f->value, f->vend, &mt))
			return -EINVAL;
		span_set(&part->content_type, body, mt.type, mt.type_end);
		part->body_type = mt.body_type;
	}
	return 0;
}

static int mp_parse_part(const char *body, size_t start, size_t end,
			 struct sip_part *part)
{
	const char *p = body + start, *e = body + end;
	struct sip_field f;
	int err;

	while ((err = sip_next_field(&p, e, &f)) > 0) {
		err = mp_part_field(body, &f, part);
		if (err)
			return err;
	}
	if (err == -ENODATA) {
		part->flags |= SIP_PART_NO_EOH;
		p = e;
		err = 0;
	}
	span_set(&part->body, body, p, e);
	return err;
}

/*
 * The next part: 1 and the part, 0 after the close delimiter, -EBADMSG if
 * the boundary never appears or is never closed (the unclosed last part is
 * still returned once, flagged), -EINVAL for bad part headers.
 */
int sip_multipart_next(struct sip_multipart *mp, struct sip_part *part)
{
	struct mp_delim d;
	size_t start, end;
	int err;

	memset(part, 0, sizeof(*part));
	if (mp->state == MP_START) {
		mp->state = MP_BROKEN;
		if (mp_find_delim(mp, 0, &d)) {
			mp->pos = d.next;
			mp->state = d.close ? MP_END : MP_PART;
		}
	}
	if (mp->state != MP_PART)
		return mp->state == MP_END ? 0 : -EBADMSG;
	start = mp->pos;
	if (mp_find_delim(mp, start, &d)) {
		end = mp_content_end(mp, start, d.start);
		mp->pos = d.next;
		mp->state = d.close ? MP_END : MP_PART;
	} else {
		end = mp->len;
		part->flags |= SIP_PART_UNCLOSED;
		mp->state = MP_BROKEN;
	}
	err = mp_parse_part(mp->body, start, end, part);
	if (err)
		mp->state = MP_BROKEN;
	return err ? err : 1;
}

/* SDP (RFC 8866) with ICE candidates in every dialect seen in the wild. */

static const struct name_value sdp_media_types[] = {
	NAME_VALUE("audio", SDP_MEDIA_AUDIO),
	NAME_VALUE("video", SDP_MEDIA_VIDEO),
	NAME_VALUE("application", SDP_MEDIA_APPLICATION),
	NAME_VALUE("text", SDP_MEDIA_TEXT),
	NAME_VALUE("message", SDP_MEDIA_MESSAGE),
	NAME_VALUE("image", SDP_MEDIA_IMAGE),
	{ }
};

/* The first element of the m= proto says what carries the media. */
static const struct name_value sdp_proto_transports[] = {
	NAME_VALUE("rtp", SDP_TRANSPORT_UDP),
	NAME_VALUE("udp", SDP_TRANSPORT_UDP),
	NAME_VALUE("dtls", SDP_TRANSPORT_UDP),
	NAME_VALUE("udptl", SDP_TRANSPORT_UDP),
	NAME_VALUE("tcp", SDP_TRANSPORT_TCP),
	{ }
};

static const struct name_value sdp_cand_types[] = {
	NAME_VALUE("host", SDP_CAND_HOST),
	NAME_VALUE("srflx", SDP_CAND_SRFLX),
	NAME_VALUE("prflx", SDP_CAND_PRFLX),
	NAME_VALUE("relay", SDP_CAND_RELAY),
	{ }
};

static const struct name_value sdp_tcptypes[] = {
	NAME_VALUE("active", SDP_TCP_ACTIVE),
	NAME_VALUE("passive", SDP_TCP_PASSIVE),
	NAME_VALUE("so", SDP_TCP_SO),
	{ }
};

static uint8_t sdp_lookup(const struct name_value *t,
			  const struct word *w, uint8_t unknown)
{
	for (; t->name; t++)
		if (ieq_name(w->p, w->len, t->name, t->len))
			return t->value;
	return unknown;
}

struct sdp_cand_transport {
	const char *name;
	uint8_t len;
	uint8_t transport;
	uint8_t tcptype;
};

/* MS-ICE2 names TCP candidates by their direction. */
static const struct sdp_cand_transport sdp_cand_transports[] = {
	{ KEYWORD("udp"), SDP_TRANSPORT_UDP, SDP_TCP_NONE },
	{ KEYWORD("tcp"), SDP_TRANSPORT_TCP, SDP_TCP_NONE },
	{ KEYWORD("tcp-pass"), SDP_TRANSPORT_TCP, SDP_TCP_PASSIVE },
	{ KEYWORD("tcp-act"), SDP_TRANSPORT_TCP, SDP_TCP_ACTIVE },
	{ }
};

static bool sdp_cand_transport(const struct word *w,
			       struct sdp_candidate *cand)
{
	const struct sdp_cand_transport *t;

	for (t = sdp_cand_transports; t->name; t++) {
		if (ieq_name(w->p, w->len, t->name, t->len)) {
			cand->transport = t->transport;
			cand->tcptype = t->tcptype;
			return true;
		}
	}
	return false;
}

static void saturating_inc(uint16_t *counter)
{
	if (*counter < 0xffff)
		(*counter)++;
}

static int sdp_port(const struct word *w, uint16_t *port)
{
	uint32_t v;

	if (parse_number(w->p, w->len, 65535, &v))
		return -EINVAL;
	*port = v;
	return 0;
}

static int sdp_cand_addr_port(const struct word *addr,
			      const struct word *port,
			      struct sdp_candidate *cand)
{
	int family = sdp_parse_address(addr->p, addr->len, cand->addr);

	if (family < 0 || sdp_port(port, &cand->port))
		return -EINVAL;
	cand->family = family;
	return 0;
}

/* Known extensions are checked; unknown ones are skipped (RFC 8839). */
static int sdp_cand_extension(const struct word *name,
			      const struct word *value,
			      struct sdp_candidate *cand)
{
	uint8_t raddr[16];
	uint16_t rport;

	if (word_is(name, "raddr"))
		return sdp_parse_address(value->p, value->len, raddr) < 0 ?
		       -EINVAL : 0;
	if (word_is(name, "rport"))
		return sdp_port(value, &rport);
	if (word_is(name, "tcptype")) {
		cand->tcptype = sdp_lookup(sdp_tcptypes, value, SDP_TCP_NONE);
		return cand->tcptype == SDP_TCP_NONE ? -EINVAL : 0;
	}
	return 0;
}

/* RFC: foundation comp transport prio addr port "typ" type *(ext val). */
static int sdp_cand_rfc(const struct word *w, const char *p,
			const char *end, struct sdp_candidate *cand)
{
	struct word type, name, value;
	uint32_t prio;

	if (parse_number(w[3].p, w[3].len, 0xffffffffU, &prio) ||
	    sdp_cand_addr_port(&w[4], &w[5], cand) ||
	    !word_is(&w[6], "typ") || !next_word(&p, end, &type))
		return -EINVAL;
	cand->priority = prio;
	cand->type = sdp_lookup(sdp_cand_types, &type, SDP_CAND_OTHER);
	while (next_word(&p, end, &name) && next_word(&p, end, &value))
		if (sdp_cand_extension(&name, &value, cand))
			return -EINVAL;
	return 0;
}

/* A draft-6 q-value: "0" or "1", then up to 3 decimals; times 1000. */
static int sdp_parse_qvalue(const struct word *w, uint32_t *q)
{
	const char *p = w->p, *end = w->p + w->len;
	uint32_t v, scale;

	if (p == end || (*p != '0' && *p != '1'))
		return -EINVAL;
	v = (*p++ - '0') * 1000;
	if (p < end && *p++ != '.')
		return -EINVAL;
	for (scale = 100; p < end && scale; scale /= 10, p++) {
		if (!ch_is(*p, CH_DIGIT))
			return -EINVAL;
		v += (*p - '0') * scale;
	}
	if (p != end || v > 1000)
		return -EINVAL;
	*q = v;
	return 0;
}

/* Draft 6: username comp password transport q-value addr port. */
static int sdp_cand_draft6(const struct word *w, struct sdp_candidate *cand)
{
	uint32_t q;

	if (sdp_parse_qvalue(&w[4], &q) ||
	    sdp_cand_addr_port(&w[5], &w[6], cand))
		return -EINVAL;
	cand->priority = q;
	cand->dialect = SDP_DIALECT_DRAFT6;
	return 0;
}

/*
 * The value of a=candidate, a=x-candidate or a=x-candidate-ipv6. The RFC
 * form has its transport third, draft 6 fourth; a transport this parser
 * does not know is accepted in the RFC form and reported as unknown.
 */
static int sdp_parse_candidate(const char *p, const char *end,
			       uint8_t dialect, struct sdp_candidate *cand)
{
	struct word w[7];
	uint32_t comp;
	int i;

	memset(cand, 0, sizeof(*cand));
	cand->dialect = dialect;
	for (i = 0; i < 7; i++)
		if (!next_word(&p, end, &w[i]))
			return -EINVAL;
	if (w[0].len > SDP_MAX_FOUNDATION ||
	    parse_number(w[1].p, w[1].len, SDP_MAX_COMPONENT, &comp) || !comp)
		return -EINVAL;
	cand->component = comp;
	if (sdp_cand_transport(&w[2], cand))
		return sdp_cand_rfc(w, p, end, cand);
	if (dialect == SDP_DIALECT_RFC && sdp_cand_transport(&w[3], cand))
		return sdp_cand_draft6(w, cand);
	if (word_is(&w[6], "typ"))
		return sdp_cand_rfc(w, p, end, cand);
	return -EINVAL;
}

/* Where the parser is: session level, an m= section, or a dropped one. */
struct sdp_cursor {
	struct sdp_session *sdp;
	struct sdp_media *media;
	bool dropped;
};

static void sdp_add_candidate(struct sdp_cursor *c,
			      struct sdp_candidate *cand)
{
	struct sdp_session *s = c->sdp;

	if (c->dropped || s->cand_count >= SDP_MAX_CANDIDATES) {
		saturating_inc(&s->cand_overflow);
		return;
	}
	cand->media = c->media - s->media;
	s->cand[s->cand_count++] = *cand;
	c->media->candidates++;
}

static int sdp_attr_candidate(struct sdp_cursor *c, const char *p,
			      const char *end, uint8_t dialect)
{
	struct sdp_candidate cand;

	if (!c->media && !c->dropped)
		return -EINVAL;
	if (sdp_parse_candidate(p, end, dialect, &cand))
		return -EINVAL;
	sdp_add_candidate(c, &cand);
	return 0;
}

/* RFC 8839: "a=remote-candidates:" 1*(component SP addr SP port). */
static int sdp_attr_remote_candidates(struct sdp_cursor *c, const char *p,
				      const char *end, uint8_t unused)
{
	struct word comp, addr, port;
	struct sdp_candidate cand;
	uint32_t v;
	int n = 0;

	if (!c->media && !c->dropped)
		return -EINVAL;
	while (next_word(&p, end, &comp)) {
		memset(&cand, 0, sizeof(cand));
		if (!next_word(&p, end, &addr) || !next_word(&p, end, &port) ||
		    parse_number(comp.p, comp.len, SDP_MAX_COMPONENT, &v) ||
		    !v || sdp_cand_addr_port(&addr, &port, &cand))
			return -EINVAL;
		cand.component = v;
		cand.dialect = SDP_DIALECT_REMOTE;
		cand.transport = c->media ? c->media->transport : 0;
		sdp_add_candidate(c, &cand);
		n++;
	}
	return n ? 0 : -EINVAL;
}

/* "IN IP4|IP6 address[/ttl[/count]]": the family, or -EINVAL. */
static int sdp_parse_conn_addr(const char *p, const char *end,
			       uint8_t addr[16])
{
	struct word net, type, a, extra;
	const char *slash;
	int family;

	if (!next_word(&p, end, &net) || !next_word(&p, end, &type) ||
	    !next_word(&p, end, &a) || next_word(&p, end, &extra) ||
	    !word_is(&net, "in"))
		return -EINVAL;
	slash = memchr(a.p, '/', a.len);
	if (slash)
		a.len = slash - a.p;
	family = sdp_parse_address(a.p, a.len, addr);
	if (family < 0)
		return family;
	if (word_is(&type, "ip4") ? family == SDP_ADDR_IP6 :
	    !word_is(&type, "ip6") || family == SDP_ADDR_IP4)
		return -EINVAL;
	return family;
}

/* "a=rtcp:" port [nettype addrtype address] (RFC 3605). */
static int sdp_attr_rtcp(struct sdp_cursor *c, const char *p,
			 const char *end, uint8_t unused)
{
	struct sdp_media *m = c->media;
	struct word port;
	int family;

	if (!m)
		return c->dropped ? 0 : -EINVAL;
	if (!next_word(&p, end, &port) || sdp_port(&port, &m->rtcp_port))
		return -EINVAL;
	m->flags |= SDP_MEDIA_HAS_RTCP;
	if (skip_class(p, end, CH_WS) == end)
		return 0;
	family = sdp_parse_conn_addr(p, end, m->rtcp_addr);
	if (family < 0)
		return family;
	m->rtcp_family = family;
	return 0;
}

/* Media-level flags; meaningless at session level, so ignored there. */
static int sdp_attr_media_flag(struct sdp_cursor *c, const char *p,
			       const char *end, uint8_t flag)
{
	if (c->media)
		c->media->flags |= flag;
	return 0;
}

static int sdp_attr_direction(struct sdp_cursor *c, const char *p,
			      const char *end, uint8_t dir)
{
	if (c->media)
		c->media->direction = dir;
	else if (!c->dropped)
		c->sdp->direction = dir;
	return 0;
}

static int sdp_attr_ice_lite(struct sdp_cursor *c, const char *p,
			     const char *end, uint8_t unused)
{
	if (c->media || c->dropped)
		return -EINVAL;
	c->sdp->flags |= SDP_SESSION_ICE_LITE;
	return 0;
}

struct sdp_attribute {
	const char *name;
	uint8_t len;
	int (*parse)(struct sdp_cursor *c, const char *p, const char *end,
		     uint8_t arg);
	uint8_t arg;
};

/*
 * Attributes not listed here are ignored. They are grouped by their first
 * letter, so that an a= line is compared with the few names that start
 * like it; a name must be in the group of its first letter.
 */
static const struct sdp_attribute sdp_attrs_c[] = {
	{ KEYWORD("candidate"), sdp_attr_candidate, SDP_DIALECT_RFC },
	{ }
};

static const struct sdp_attribute sdp_attrs_e[] = {
	{ KEYWORD("end-of-candidates"), sdp_attr_media_flag,
	  SDP_MEDIA_END_OF_CANDS },
	{ }
};

static const struct sdp_attribute sdp_attrs_i[] = {
	{ KEYWORD("ice-lite"), sdp_attr_ice_lite, 0 },
	{ KEYWORD("inactive"), sdp_attr_direction, SDP_DIR_INACTIVE },
	{ }
};

static const struct sdp_attribute sdp_attrs_r[] = {
	{ KEYWORD("rtcp"), sdp_attr_rtcp, 0 },
	{ KEYWORD("rtcp-mux"), sdp_attr_media_flag, SDP_MEDIA_RTCP_MUX },
	{ KEYWORD("recvonly"), sdp_attr_direction, SDP_DIR_RECVONLY },
	{ KEYWORD("remote-candidates"), sdp_attr_remote_candidates, 0 },
	{ }
};

static const struct sdp_attribute sdp_attrs_s[] = {
	{ KEYWORD("sendrecv"), sdp_attr_direction, SDP_DIR_SENDRECV },
	{ KEYWORD("sendonly"), sdp_attr_direction, SDP_DIR_SENDONLY },
	{ }
};

static const struct sdp_attribute sdp_attrs_x[] = {
	{ KEYWORD("x-candidate"), sdp_attr_candidate, SDP_DIALECT_X },
	{ KEYWORD("x-candidate-ipv6"), sdp_attr_candidate,
	  SDP_DIALECT_X_IPV6 },
	{ }
};

static const struct sdp_attribute *const sdp_attributes['z' - 'a' + 1] = {
	['c' - 'a'] = sdp_attrs_c,
	['e' - 'a'] = sdp_attrs_e,
	['i' - 'a'] = sdp_attrs_i,
	['r' - 'a'] = sdp_attrs_r,
	['s' - 'a'] = sdp_attrs_s,
	['x' - 'a'] = sdp_attrs_x,
};

/*
 * The name of an a= line ends at its first ':' or at the line end; no
 * listed name holds a ':', so @a is named when its name is followed by
 * one of these two.
 */
static bool sdp_attr_named(const char *p, const char *end,
			   const struct sdp_attribute *a)
{
	size_t n = end - p;

	return n >= a->len && (n == a->len || p[a->len] == ':') &&
	       ieq_name(p, a->len, a->name, a->len);
}

static int sdp_line_attribute(struct sdp_cursor *c, const char *p,
			      const char *end)
{
	const struct sdp_attribute *a;
	const char *value;
	char first;

	if (p == end)
		return 0;
	first = ch_lower(*p);
	if (first < 'a' || first > 'z')
		return 0;
	for (a = sdp_attributes[first - 'a']; a && a->name; a++) {
		if (!sdp_attr_named(p, end, a))
			continue;
		value = p + a->len;
		if (value < end)
			value++;	/* the ':' */
		return a->parse(c, value, end, a->arg);
	}
	return 0;
}

static int sdp_line_connection(struct sdp_cursor *c, const char *p,
			       const char *end)
{
	uint8_t *addr = c->media ? c->media->addr : c->sdp->addr;
	int family;

	if (c->dropped)
		return 0;
	family = sdp_parse_conn_addr(p, end, addr);
	if (family < 0)
		return family;
	if (c->media) {
		c->media->family = family;
		c->media->flags |= SDP_MEDIA_HAS_C;
	} else {
		c->sdp->family = family;
	}
	return 0;
}

/* "m=" media port[/count] proto fmt... */
static int sdp_parse_m(const char *p, const char *end, struct sdp_media *m)
{
	struct word type, port, proto;
	const char *q, *port_end, *slash;
	uint32_t v;

	if (!next_word(&p, end, &type) || !next_word(&p, end, &port) ||
	    !next_word(&p, end, &proto))
		return -EINVAL;
	m->type = sdp_lookup(sdp_media_types, &type, SDP_MEDIA_OTHER);
	q = port.p;
	port_end = port.p + port.len;
	if (parse_u32(&q, port_end, 65535, &v))
		return -EINVAL;
	m->port = v;
	if (q < port_end && (*q++ != '/' ||
			     parse_number(q, port_end - q, 65535, &v) || !v))
		return -EINVAL;
	m->port_count = q < port_end ? v : 1;
	slash = memchr(proto.p, '/', proto.len);
	if (slash)
		proto.len = slash - proto.p;
	m->transport = sdp_lookup(sdp_proto_transports, &proto,
				  SDP_TRANSPORT_UNKNOWN);
	return 0;
}

/* A new m= section inherits the session's c=; one that does not fit is
 * dropped with everything under it, and counted.
 */
static int sdp_line_media(struct sdp_cursor *c, const char *p,
			  const char *end)
{
	struct sdp_session *s = c->sdp;
	struct sdp_media *m;

	if (s->media_count >= SDP_MAX_MEDIA) {
		saturating_inc(&s->media_overflow);
		c->media = NULL;
		c->dropped = true;
		return 0;
	}
	m = &s->media[s->media_count++];
	memset(m, 0, sizeof(*m));
	m->port_count = 1;
	memcpy(m->addr, s->addr, sizeof(m->addr));
	m->family = s->family;
	c->media = m;
	if (!sdp_parse_m(p, end, m))
		return 0;
	m->flags |= SDP_MEDIA_BAD_M;
	return -EINVAL;
}

/* Line types other than a=, c= and m= carry nothing a pinhole needs. */
static void sdp_parse_line(struct sdp_cursor *c, const char *p,
			   const char *end)
{
	int err;

	if (p == end)
		return;
	if (end - p < 2 || p[1] != '=') {
		saturating_inc(&c->sdp->bad_lines);
		return;
	}
	switch (p[0]) {
	case 'a':
		err = sdp_line_attribute(c, p + 2, end);
		break;
	case 'c':
		err = sdp_line_connection(c, p + 2, end);
		break;
	case 'm':
		err = sdp_line_media(c, p + 2, end);
		break;
	default:
		return;
	}
	if (err)
		saturating_inc(&c->sdp->bad_lines);
}

/* One SDP description; lines end in CRLF or LF. */
int sdp_parse(const char *buf, size_t len, struct sdp_session *sdp)
{
	struct sdp_cursor c = { .sdp = sdp };
	const char *p = buf, *end = buf + len, *lf, *eol;

	memset(sdp, 0, offsetof(struct sdp_session, media));
	if (len > SIP_MAX_MSG_LEN)
		return -EMSGSIZE;
	if (len < 2 || buf[0] != 'v' || buf[1] != '=')
		return -EINVAL;
	while (p < end) {
		lf = memchr(p, '\n', end - p);
		eol = lf ? lf : end;
		if (eol > p && eol[-1] == '\r')
			eol--;
		sdp_parse_line(&c, p, eol);
		p = lf ? lf + 1 : end;
	}
	return 0;
}
