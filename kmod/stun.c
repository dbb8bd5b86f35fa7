// SPDX-License-Identifier: GPL-2.0
/*
 * STUN/TURN parser of edgepin; the interface is in stun.h.
 *
 * Every read is of bytes inside [buf, buf + len), each length is checked
 * before the bytes it covers are read, and multi-byte fields are read one
 * byte at a time (network order, no alignment assumed).
 */
#include "stun.h"

/* Attribute types, RFC 8489 section 18.3 and RFC 8656 section 18. */
#define ATTR_XOR_PEER_ADDRESS		0x0012
#define ATTR_XOR_RELAYED_ADDRESS	0x0016
#define ATTR_XOR_MAPPED_ADDRESS		0x0020
#define ATTR_LIFETIME			0x000D
#define ATTR_CHANNEL_NUMBER		0x000C
#define ATTR_REQUESTED_TRANSPORT	0x0019
#define ATTR_ERROR_CODE			0x0009
#define ATTR_CONNECTION_ID		0x002A	/* RFC 6062 section 6.2.1 */
#define ATTR_MESSAGE_INTEGRITY		0x0008
#define ATTR_MESSAGE_INTEGRITY_SHA256	0x001C
#define ATTR_FINGERPRINT		0x8028
#define FINGERPRINT_XOR			0x5354554eU	/* RFC 8489 14.7 */

/* [MS-TURN] 2.2.2: the attribute types of the MS-TURN dialect. */
#define MS_ATTR_MAPPED_ADDRESS		0x0001	/* 2.2.2.1 */
#define MS_ATTR_MESSAGE_INTEGRITY	0x0008	/* 2.2.2.3 */
#define MS_ATTR_ERROR_CODE		0x0009	/* 2.2.2.4 */
#define MS_ATTR_LIFETIME		0x000D	/* 2.2.2.6 */
#define MS_ATTR_MAGIC_COOKIE		0x000F	/* 2.2.2.8 */
#define MS_ATTR_DESTINATION_ADDRESS	0x0011	/* 2.2.2.10 */
#define MS_ATTR_REMOTE_ADDRESS		0x0012	/* 2.2.2 list; layout as 2.2.2.10 */
#define MS_ATTR_MS_VERSION		0x8008	/* 2.2.2.17 */
#define MS_ATTR_XOR_MAPPED_ADDRESS	0x8020	/* 2.2.2.16 */
#define MS_ATTR_ALT_MAPPED_ADDRESS	0x8090	/* 2.2.2.23 */

/* TURN method numbers, RFC 8656 section 17 and RFC 6062 section 6.1. */
static const uint8_t rfc_methods[13] = {
	[0x001] = STUN_METHOD_BINDING,
	[0x003] = STUN_METHOD_ALLOCATE,
	[0x004] = STUN_METHOD_REFRESH,
	[0x006] = STUN_METHOD_SEND,
	[0x007] = STUN_METHOD_DATA,
	[0x008] = STUN_METHOD_CREATE_PERMISSION,
	[0x009] = STUN_METHOD_CHANNEL_BIND,
	[0x00a] = STUN_METHOD_CONNECT,
	[0x00b] = STUN_METHOD_CONNECTION_BIND,
	[0x00c] = STUN_METHOD_CONNECTION_ATTEMPT,
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * CRC-32 of ISO 3309 / ITU-T V.42 (the one FINGERPRINT uses, RFC 8489
 * 14.7), reflected polynomial 0xEDB88320, four bits a step from a
 * 16-entry table: no dependency on the kernel's crc32 or zlib.
 */
static const uint32_t crc32_nibble[16] = {
	0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC,
	0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
	0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
	0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

static uint32_t stun_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFU;

	while (n--) {
		c ^= *p++;
		c = (c >> 4) ^ crc32_nibble[c & 15];
		c = (c >> 4) ^ crc32_nibble[c & 15];
	}
	return ~c;
}

/*
 * A transport address attribute: a reserved byte, the family, the port
 * and 4 or 16 address bytes (RFC 8489 14.1/14.2, [MS-TURN] 2.2.2.1).
 * @key, if given, is XORed over port and address (16 bytes: the first two
 * for the port, all for IPv6, the first four for IPv4). A length that
 * does not match the family, or a family other than IPv4 and IPv6, is an
 * error.
 */
static int stun_addr_decode(const uint8_t *v, uint16_t alen,
			    const uint8_t *key, struct stun_addr *a)
{
	unsigned int i, n;

	if (alen == 8 && v[1] == STUN_FAMILY_IPV4)
		n = 4;
	else if (alen == 20 && v[1] == STUN_FAMILY_IPV6)
		n = 16;
	else
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->family = v[1];
	a->port = rd16(v + 2);
	for (i = 0; i < n; i++)
		a->addr[i] = v[4 + i];
	if (key) {
		a->port ^= rd16(key);
		for (i = 0; i < n; i++)
			a->addr[i] ^= key[i];
	}
	return 0;
}

static int stun_add_peer(struct stun_msg *m, const uint8_t *v, uint16_t alen,
			 const uint8_t *key)
{
	struct stun_addr a;

	if (stun_addr_decode(v, alen, key, &a))
		return -EINVAL;
	if (m->n_peers >= STUN_MAX_PEERS) {
		m->peers_capped = true;
		return 0;
	}
	m->peers[m->n_peers++] = a;
	return 0;
}

/* More than two relayed addresses (one per family) is malformed. */
static int stun_add_relayed(struct stun_msg *m, const uint8_t *v,
			    uint16_t alen, const uint8_t *key)
{
	if (m->n_relayed >= 2)
		return -EINVAL;
	if (stun_addr_decode(v, alen, key, &m->relayed[m->n_relayed]))
		return -EINVAL;
	m->n_relayed++;
	return 0;
}

static int stun_set_mapped(struct stun_msg *m, const uint8_t *v,
			   uint16_t alen, const uint8_t *key)
{
	struct stun_addr a;

	if (stun_addr_decode(v, alen, key, &a))
		return -EINVAL;
	if (!m->has_mapped) {
		m->has_mapped = true;
		m->mapped = a;
	}
	return 0;
}

/*
 * ERROR-CODE (RFC 8489 14.8, [MS-TURN] 2.2.2.4): 21 reserved bits, the
 * class in 3 bits, the number 0-99, then a reason phrase. RFC classes are
 * 3 to 6; MS-TURN's draft-era STUN allows 1 to 6.
 */
static int stun_error_code(struct stun_msg *m, const uint8_t *v,
			   uint16_t alen, unsigned int min_class)
{
	unsigned int cls, num;

	if (alen < 4)
		return -EINVAL;
	cls = v[2] & 7;
	num = v[3];
	if (cls < min_class || cls > 6 || num > 99)
		return -EINVAL;
	if (!m->error_code)
		m->error_code = (uint16_t)(cls * 100 + num);
	return 0;
}

/* A 4-byte value, kept if it is the first of its type. */
static int stun_u32(const uint8_t *v, uint16_t alen, bool *has, uint32_t *val)
{
	if (alen != 4)
		return -EINVAL;
	if (!*has) {
		*has = true;
		*val = rd32(v);
	}
	return 0;
}

/*
 * RFC 8489/8656/6062 attributes. @off is where the attribute starts, so
 * that FINGERPRINT's CRC covers the message before it (its own header
 * length already counts it, as it is the last attribute).
 */
static int stun_rfc_attr(const uint8_t *buf, size_t off, uint16_t at,
			 const uint8_t *v, uint16_t alen, struct stun_msg *m)
{
	uint8_t key[16];
	uint32_t val = 0;
	bool has = false;
	unsigned int i;

	/* XOR key of RFC 8489 14.2: the magic cookie, then the txid. */
	for (i = 0; i < 16; i++)
		key[i] = buf[4 + i];

	switch (at) {
	case ATTR_XOR_MAPPED_ADDRESS:
		return stun_set_mapped(m, v, alen, key);
	case ATTR_XOR_PEER_ADDRESS:
		return stun_add_peer(m, v, alen, key);
	case ATTR_XOR_RELAYED_ADDRESS:
		return stun_add_relayed(m, v, alen, key);
	case ATTR_LIFETIME:
		return stun_u32(v, alen, &m->has_lifetime, &m->lifetime);
	case ATTR_CHANNEL_NUMBER:	/* RFC 8656 18.1: number, RFFU */
		if (stun_u32(v, alen, &has, &val))
			return -EINVAL;
		if (!m->has_channel) {
			m->has_channel = true;
			m->channel = (uint16_t)(val >> 16);
		}
		return 0;
	case ATTR_REQUESTED_TRANSPORT:	/* RFC 8656 18.7: protocol, RFFU */
		if (stun_u32(v, alen, &has, &val))
			return -EINVAL;
		if (!m->has_transport) {
			m->has_transport = true;
			m->transport = (uint8_t)(val >> 24);
		}
		return 0;
	case ATTR_ERROR_CODE:
		return stun_error_code(m, v, alen, 3);
	case ATTR_CONNECTION_ID:
		return stun_u32(v, alen, &m->has_connection_id,
				&m->connection_id);
	case ATTR_MESSAGE_INTEGRITY:	/* RFC 8489 14.5: HMAC-SHA1 */
		if (alen != 20)
			return -EINVAL;
		m->has_integrity = true;
		return 0;
	case ATTR_MESSAGE_INTEGRITY_SHA256:	/* 14.6: 16 to 32, by 4 */
		if (alen < 16 || alen > 32 || alen % 4)
			return -EINVAL;
		m->has_integrity = true;
		return 0;
	case ATTR_FINGERPRINT:
		if (alen != 4)
			return -EINVAL;
		if ((stun_crc32(buf, off) ^ FINGERPRINT_XOR) != rd32(v))
			return -EINVAL;
		m->has_fingerprint = true;
		return 0;
	}
	return 0;
}

/*
 * MS-TURN attributes ([MS-TURN] 2.2.2). Addresses are plain, except the
 * XOR Mapped Address: its port is XORed with the transaction ID's first
 * 16 bits and its IPv4 address with its first 32 (2.2.2.16); an IPv6
 * address is taken to be XORed with the whole 128-bit transaction ID.
 */
static int stun_ms_attr(const uint8_t *buf, uint16_t at, const uint8_t *v,
			uint16_t alen, struct stun_msg *m)
{
	bool has = false;
	uint32_t val = 0;

	/*
	 * A Destination Address (2.2.2.10) or XOR Mapped Address (2.2.2.16)
	 * of a family other than 1 or 2 "MUST be silently ignored"; Remote
	 * Address is taken to follow Destination Address. Any other shape
	 * of theirs is an error, as is any bad Mapped Address.
	 */
	if ((at == MS_ATTR_DESTINATION_ADDRESS ||
	     at == MS_ATTR_REMOTE_ADDRESS ||
	     at == MS_ATTR_XOR_MAPPED_ADDRESS) && alen >= 2 &&
	    v[1] != STUN_FAMILY_IPV4 && v[1] != STUN_FAMILY_IPV6)
		return 0;

	switch (at) {
	case MS_ATTR_MAGIC_COOKIE:
		if (alen != 4 || rd32(v) != MSTURN_MAGIC_COOKIE)
			return -EINVAL;
		return 0;
	case MS_ATTR_MAPPED_ADDRESS:
	case MS_ATTR_ALT_MAPPED_ADDRESS:
		return stun_add_relayed(m, v, alen, NULL);
	case MS_ATTR_XOR_MAPPED_ADDRESS:
		return stun_set_mapped(m, v, alen, buf + 4);
	case MS_ATTR_DESTINATION_ADDRESS:
	case MS_ATTR_REMOTE_ADDRESS:
		return stun_add_peer(m, v, alen, NULL);
	case MS_ATTR_LIFETIME:
		return stun_u32(v, alen, &m->has_lifetime, &m->lifetime);
	case MS_ATTR_ERROR_CODE:
		return stun_error_code(m, v, alen, 1);
	case MS_ATTR_MESSAGE_INTEGRITY:	/* HMAC-SHA1, or SHA-256 (v3+) */
		if (alen != 20 && alen != 32)
			return -EINVAL;
		m->has_integrity = true;
		return 0;
	case MS_ATTR_MS_VERSION:	/* 2.2.2.17: a 32-bit version */
		if (stun_u32(v, alen, &has, &val))
			return -EINVAL;
		if (!m->ms_version)
			m->ms_version = val > 255 ? 255 : (uint8_t)val;
		return 0;
	}
	return 0;
}

/*
 * [MS-TURN] 2.2.1 lists the message types of the dialect. They follow
 * RFC 3489's numbering (0x0100 a response, 0x0110 an error), not RFC
 * 8489's bit layout: 0x0004 is a Send request, 0x0115 a Data Indication.
 * [MS-TURN] has no Refresh method: an allocation is refreshed by another
 * Allocate request on it, its LIFETIME asking for the new time, and a
 * LIFETIME of 0 releases it (the draft-era TURN that [MS-TURN] builds
 * on; not checked against [MS-TURN]'s own section 3 text). The caller
 * sees method ALLOCATE with has_lifetime/lifetime either way.
 */
static void stun_ms_type(struct stun_msg *m)
{
	switch (m->type) {
	case 0x0115:
		m->method = STUN_METHOD_DATA;
		m->cls = STUN_CLASS_INDICATION;
		return;
	case 0x0004:
		m->method = STUN_METHOD_SEND;
		m->cls = STUN_CLASS_REQUEST;
		return;
	}
	switch (m->type & 0xFEEF) {
	case 0x0001:
		m->method = STUN_METHOD_BINDING;
		break;
	case 0x0003:
		m->method = STUN_METHOD_ALLOCATE;
		break;
	case 0x0006:
		m->method = STUN_METHOD_SET_ACTIVE_DEST;
		break;
	default:
		m->method = STUN_METHOD_OTHER;
		break;
	}
	if ((m->type & 0x0110) == 0x0110)
		m->cls = STUN_CLASS_ERROR;
	else if (m->type & 0x0100)
		m->cls = STUN_CLASS_SUCCESS;
	else if (m->type & 0x0010)
		m->cls = STUN_CLASS_INDICATION;
	else
		m->cls = STUN_CLASS_REQUEST;
}

/* RFC 8489 section 5: M11..M0 interleaved with C1 (bit 8) and C0 (bit 4). */
static void stun_rfc_type(struct stun_msg *m)
{
	unsigned int t = m->type;
	unsigned int method = (t & 0x000F) | ((t & 0x00E0) >> 1) |
			      ((t & 0x3E00) >> 2);

	m->cls = (uint8_t)(((t >> 4) & 1) | ((t >> 7) & 2));
	m->method = method < sizeof(rfc_methods) ? rfc_methods[method] :
		    STUN_METHOD_OTHER;
}

/*
 * Whether attribute @at is read, after the integrity attribute @mi (0:
 * none yet). RFC 8489 14.5/14.6: after MESSAGE-INTEGRITY only
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, after -SHA256 only
 * FINGERPRINT; agents ignore the rest, which the integrity does not
 * cover, so it must not feed a pinning either. In MS-TURN, whose Message
 * Integrity is the last attribute it covers, nothing after it is read.
 * What is not read is still bounds-checked.
 */
static bool stun_counts(bool ms, uint16_t mi, uint16_t at)
{
	if (!mi)
		return true;
	if (ms)
		return false;
	if (at == ATTR_FINGERPRINT)
		return true;
	return mi == ATTR_MESSAGE_INTEGRITY &&
	       at == ATTR_MESSAGE_INTEGRITY_SHA256;
}

int stun_parse(const uint8_t *buf, size_t len, struct stun_msg *m)
{
	size_t off, rest;
	uint16_t mi = 0;	/* the last integrity attribute seen */
	bool ms;

	memset(m, 0, sizeof(*m));
	if (len < STUN_HDR_LEN || len > STUN_MAX_MSG_LEN)
		return -EINVAL;
	m->type = rd16(buf);
	m->len = rd16(buf + 2);
	/* The top two bits are zero in both dialects ([MS-TURN] 2.2.1). */
	if ((m->type & 0xC000) || len != (size_t)STUN_HDR_LEN + m->len)
		return -EINVAL;
	if (rd32(buf + 4) == STUN_MAGIC_COOKIE) {
		if (m->len % 4)
			return -EINVAL;
		ms = false;
		m->dialect = STUN_DIALECT_RFC;
		m->txid_len = 12;
		memcpy(m->txid, buf + 8, 12);
		stun_rfc_type(m);
	} else {
		/* [MS-TURN] 3.1.10: MAGIC-COOKIE is the first attribute. */
		if (m->len < 8 || rd16(buf + 20) != MS_ATTR_MAGIC_COOKIE ||
		    rd16(buf + 22) != 4 || rd32(buf + 24) != MSTURN_MAGIC_COOKIE)
			return -EINVAL;
		ms = true;
		m->dialect = STUN_DIALECT_MSTURN;
		m->txid_len = 16;
		memcpy(m->txid, buf + 4, 16);
		stun_ms_type(m);
	}

	for (off = STUN_HDR_LEN; off < len; ) {
		uint16_t at, alen;
		size_t padded;
		int err;

		rest = len - off;
		if (rest < 4 || m->has_fingerprint)
			return -EINVAL;
		at = rd16(buf + off);
		alen = rd16(buf + off + 2);
		if (alen > rest - 4)
			return -EINVAL;
		padded = ((size_t)alen + 3) & ~(size_t)3;
		/*
		 * Values are padded to 4 bytes (RFC 8489 14); an MS-TURN
		 * message's last value may end unpadded with the message.
		 */
		if (padded > rest - 4) {
			if (!ms)
				return -EINVAL;
			padded = alen;
		}
		if (stun_counts(ms, mi, at)) {
			err = ms ? stun_ms_attr(buf, at, buf + off + 4, alen, m) :
			      stun_rfc_attr(buf, off, at, buf + off + 4, alen,
					    m);
			if (err)
				return err;
			if (at == ATTR_MESSAGE_INTEGRITY ||
			    (!ms && at == ATTR_MESSAGE_INTEGRITY_SHA256))
				mi = at;
		}
		off += 4 + padded;
	}
	return 0;
}

int stun_tcp_frame(const uint8_t *buf, size_t len, bool ms,
		   struct stun_frame *f)
{
	uint16_t n;

	memset(f, 0, sizeof(*f));
	if (len < 1)
		return 0;
	if (ms) {
		/* [MS-TURN] 2.1.4: type, reserved (zero), length. */
		if (buf[0] != 2 && buf[0] != 3)
			return -EINVAL;
		if (len >= 2 && buf[1])
			return -EINVAL;
		if (len < 4)
			return 0;
		n = rd16(buf + 2);
		f->len = 4 + (uint32_t)n;
		f->msg_off = 4;
		if (buf[0] == 3) {
			f->kind = STUN_FRAME_MS_DATA;
			return 1;
		}
		if (n < STUN_HDR_LEN)
			return -EINVAL;
		f->kind = STUN_FRAME_MS_CONTROL;
		f->msg_len = n;
		return 1;
	}
	switch (buf[0] >> 6) {
	case 0:		/* a STUN message: 20 bytes and its length */
		if (len < 4)
			return 0;
		n = rd16(buf + 2);
		if (n % 4)
			return -EINVAL;
		f->kind = STUN_FRAME_STUN;
		f->len = STUN_HDR_LEN + (uint32_t)n;
		f->msg_len = f->len;
		return 1;
	case 1:		/* ChannelData, RFC 8656 12.4/12.5 */
		if (len < 2)
			return 0;
		if (rd16(buf) > STUN_CHANNEL_MAX)
			return -EINVAL;
		if (len < 4)
			return 0;
		n = rd16(buf + 2);
		f->kind = STUN_FRAME_CHANNEL_DATA;
		f->len = 4 + (((uint32_t)n + 3) & ~3U);
		f->msg_off = 4;
		return 1;
	}
	return -EINVAL;
}
