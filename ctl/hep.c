// SPDX-License-Identifier: GPL-2.0
/*
 * HEPv3: "HEP3", a u16 total length, then chunks of {u16 vendor, u16
 * type, u16 length incl. these 6 bytes}, all in network order. Generic
 * chunks (vendor 0) are a table of fixed lengths; unknown and vendor
 * chunks are skipped. Every length is checked against the frame; what
 * is decoded must name one SIP message, its transport and both ends.
 */
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "hep.h"

enum hep_chunk {
	CH_FAMILY = 1,
	CH_PROTO,
	CH_SRC4,
	CH_DST4,
	CH_SRC6,
	CH_DST6,
	CH_SPORT,
	CH_DPORT,
	CH_TS_SEC,
	CH_TS_USEC,
	CH_TYPE,
	CH_AGENT,
	CH_KEEPALIVE,		/* not ours: skipped */
	CH_KEY,
	CH_PAYLOAD,
	CH_COMPRESSED,
	CH_CORRELATION,
	CH_MAX = CH_CORRELATION
};

#define HEP_TYPE_SIP	1
#define BIT(n)		(1u << (n))

/* The payload length of each fixed-size chunk; 0: any length. */
static const uint8_t chunk_len[CH_MAX + 1] = {
	[CH_FAMILY] = 1, [CH_PROTO] = 1,
	[CH_SRC4] = 4, [CH_DST4] = 4, [CH_SRC6] = 16, [CH_DST6] = 16,
	[CH_SPORT] = 2, [CH_DPORT] = 2,
	[CH_TS_SEC] = 4, [CH_TS_USEC] = 4,
	[CH_TYPE] = 1, [CH_AGENT] = 4,
};

static const char *const reason_names[HEP_REASON_COUNT] = {
	[HEP_OK] = "ok",
	[HEP_SHORT] = "short",
	[HEP_BAD_MAGIC] = "bad-magic",
	[HEP_BAD_LENGTH] = "bad-length",
	[HEP_BAD_CHUNK] = "bad-chunk",
	[HEP_DUPLICATE] = "duplicate-chunk",
	[HEP_BAD_FAMILY] = "bad-family",
	[HEP_BAD_PROTO] = "bad-proto",
	[HEP_NO_ADDRESS] = "no-address",
	[HEP_BAD_PORT] = "bad-port",
	[HEP_NOT_SIP] = "not-sip",
	[HEP_COMPRESSED] = "compressed",
	[HEP_NO_PAYLOAD] = "no-payload",
};

/* What the chunks said, before it is checked as a whole. */
struct hep_state {
	struct hep_msg *m;
	uint32_t seen;		/* BIT(chunk type) */
	uint8_t family, type;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

const char *hep_reason_name(enum hep_reason r)
{
	return (unsigned int)r < HEP_REASON_COUNT ? reason_names[r] :
	       "unknown";
}

/* One generic chunk's @len payload bytes at @p, @off into the frame. */
static enum hep_reason chunk_take(struct hep_state *s, unsigned int type,
				  const uint8_t *p, uint16_t len, uint16_t off)
{
	struct hep_msg *m = s->m;

	if (chunk_len[type] && len != chunk_len[type])
		return HEP_BAD_CHUNK;
	switch (type) {
	case CH_FAMILY:
		s->family = p[0];
		break;
	case CH_PROTO:
		m->proto = p[0];
		break;
	case CH_SRC4:
	case CH_SRC6:
		memcpy(m->src, p, len);
		break;
	case CH_DST4:
	case CH_DST6:
		memcpy(m->dst, p, len);
		break;
	case CH_SPORT:
		m->sport = get16(p);
		break;
	case CH_DPORT:
		m->dport = get16(p);
		break;
	case CH_TS_SEC:
		m->ts_sec = get32(p);
		break;
	case CH_TS_USEC:
		m->ts_usec = get32(p);
		break;
	case CH_TYPE:
		s->type = p[0];
		break;
	case CH_AGENT:
		m->agent_id = get32(p);
		break;
	case CH_KEY:
		m->has_key = true;
		m->key_off = off;
		m->key_len = len;
		break;
	case CH_PAYLOAD:
		m->payload_off = off;
		m->payload_len = len;
		break;
	case CH_COMPRESSED:
		return HEP_COMPRESSED;
	case CH_CORRELATION:
		m->corr_off = off;
		m->corr_len = len;
		break;
	}
	return HEP_OK;
}

/* The family, and exactly its two address chunks. */
static enum hep_reason check_family(const struct hep_state *s)
{
	uint32_t mine, other;

	if (!(s->seen & BIT(CH_FAMILY)))
		return HEP_BAD_FAMILY;
	if (s->family == AF_INET) {
		mine = BIT(CH_SRC4) | BIT(CH_DST4);
		other = BIT(CH_SRC6) | BIT(CH_DST6);
	} else if (s->family == AF_INET6) {
		mine = BIT(CH_SRC6) | BIT(CH_DST6);
		other = BIT(CH_SRC4) | BIT(CH_DST4);
	} else {
		return HEP_BAD_FAMILY;
	}
	if (s->seen & other)
		return HEP_BAD_FAMILY;
	if ((s->seen & mine) != mine)
		return HEP_NO_ADDRESS;
	s->m->family = s->family;
	return HEP_OK;
}

static enum hep_reason check_msg(const struct hep_state *s)
{
	struct hep_msg *m = s->m;
	enum hep_reason r = check_family(s);

	if (r)
		return r;
	if (m->proto == HEP_PROTO_TLS) {
		m->proto = IPPROTO_TCP;
		m->tls = true;
	}
	if (m->proto != IPPROTO_TCP && m->proto != IPPROTO_UDP)
		return HEP_BAD_PROTO;
	if (!m->sport || !m->dport)
		return HEP_BAD_PORT;
	if (!(s->seen & BIT(CH_TYPE)) || s->type != HEP_TYPE_SIP)
		return HEP_NOT_SIP;
	if (!m->payload_len)
		return HEP_NO_PAYLOAD;
	return HEP_OK;
}

enum hep_reason hep_parse(const uint8_t *buf, size_t len, struct hep_msg *m)
{
	struct hep_state s = { .m = m };
	uint16_t type, clen;
	size_t off;
	enum hep_reason r;

	memset(m, 0, sizeof(*m));
	if (len < HEP_HDR_LEN)
		return HEP_SHORT;
	if (memcmp(buf, "HEP3", 4))
		return HEP_BAD_MAGIC;
	if (len > HEP_MAX_LEN || get16(buf + 4) != len)
		return HEP_BAD_LENGTH;
	for (off = HEP_HDR_LEN; off < len; off += clen) {
		if (len - off < HEP_CHUNK_HDR_LEN)
			return HEP_BAD_CHUNK;
		type = get16(buf + off + 2);
		clen = get16(buf + off + 4);
		if (clen < HEP_CHUNK_HDR_LEN || clen > len - off)
			return HEP_BAD_CHUNK;
		/* vendor chunks and unknown types are not ours */
		if (get16(buf + off) || !type || type > CH_MAX ||
		    type == CH_KEEPALIVE)
			continue;
		if (s.seen & BIT(type))
			return HEP_DUPLICATE;
		s.seen |= BIT(type);
		r = chunk_take(&s, type, buf + off + HEP_CHUNK_HDR_LEN,
			       clen - HEP_CHUNK_HDR_LEN,
			       off + HEP_CHUNK_HDR_LEN);
		if (r)
			return r;
	}
	return check_msg(&s);
}

enum hep_reason hep_frame(const uint8_t *buf, size_t len, size_t *frame_len)
{
	*frame_len = 0;
	if (memcmp(buf, "HEP3", len < 4 ? len : 4))
		return HEP_BAD_MAGIC;
	if (len < HEP_HDR_LEN)
		return HEP_OK;
	if (get16(buf + 4) < HEP_HDR_LEN)
		return HEP_BAD_LENGTH;
	*frame_len = get16(buf + 4);
	return HEP_OK;
}
