/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One STUN/TURN message builder for the unit tests, the fuzz seeds and the
 * bench: RFC 8489 messages (magic cookie in the header) and MS-TURN ones
 * (16-byte transaction ID, MAGIC-COOKIE attribute first). Its CRC-32 is
 * the plain bitwise one, independent of the parser's table.
 */
#ifndef EDGEPIN_STUN_BUILD_H
#define EDGEPIN_STUN_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct stun_build {
	uint8_t b[4096];
	size_t len;
	bool ms;
};

static inline void sb_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void sb_put32(uint8_t *p, uint32_t v)
{
	sb_put16(p, v >> 16);
	sb_put16(p + 2, v & 0xffff);
}

/* The header's length field follows every attribute added. */
static inline void sb_fix_len(struct stun_build *s)
{
	sb_put16(s->b + 2, (uint16_t)(s->len - 20));
}

/* An RFC 8489 message of @type; @txid is 12 bytes, or NULL for 0xA5... */
static inline void sb_rfc(struct stun_build *s, uint16_t type,
			  const uint8_t *txid)
{
	memset(s, 0, sizeof(*s));
	sb_put16(s->b, type);
	sb_put32(s->b + 4, 0x2112A442U);
	if (txid)
		memcpy(s->b + 8, txid, 12);
	else
		memset(s->b + 8, 0xA5, 12);
	s->len = 20;
}

/* Any attribute; the value is padded with zeros to 4 bytes. */
static inline void sb_attr(struct stun_build *s, uint16_t type,
			   const void *v, uint16_t len)
{
	uint8_t *p = s->b + s->len;

	sb_put16(p, type);
	sb_put16(p + 2, len);
	if (len)
		memcpy(p + 4, v, len);
	while (len % 4)
		p[4 + len++] = 0;
	s->len += 4 + len;
	sb_fix_len(s);
}

static inline void sb_u32(struct stun_build *s, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	sb_put32(b, v);
	sb_attr(s, type, b, 4);
}

/* An MS-TURN message of @type: 16-byte @txid (NULL: 0x5A...), cookie. */
static inline void sb_ms(struct stun_build *s, uint16_t type,
			 const uint8_t *txid)
{
	memset(s, 0, sizeof(*s));
	s->ms = true;
	sb_put16(s->b, type);
	if (txid)
		memcpy(s->b + 4, txid, 16);
	else
		memset(s->b + 4, 0x5A, 16);
	s->len = 20;
	sb_u32(s, 0x000F, 0x72C64BC6U);
}

/*
 * An address attribute: @family 1 (4 bytes of @addr) or 2 (16 bytes).
 * With @xor, XORed as the dialect says: RFC with the cookie and txid,
 * MS-TURN with the transaction ID.
 */
static inline void sb_addr(struct stun_build *s, uint16_t type,
			   uint8_t family, const uint8_t *addr, uint16_t port,
			   bool xor)
{
	uint8_t v[20] = { 0, family };
	const uint8_t *key = s->b + 4;
	unsigned int i, n = family == 2 ? 16 : 4;

	if (xor)
		port ^= (uint16_t)(key[0] << 8 | key[1]);
	sb_put16(v + 2, port);
	for (i = 0; i < n; i++)
		v[4 + i] = addr[i] ^ (xor ? key[i] : 0);
	sb_attr(s, type, v, (uint16_t)(4 + n));
}

static inline void sb_addr4(struct stun_build *s, uint16_t type,
			    uint8_t a, uint8_t b, uint8_t c, uint8_t d,
			    uint16_t port, bool xor)
{
	const uint8_t addr[4] = { a, b, c, d };

	sb_addr(s, type, 1, addr, port, xor);
}

static inline uint32_t sb_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFU;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320U & (0U - (c & 1)));
	}
	return ~c;
}

/* FINGERPRINT over the message so far, its own length counted. */
static inline void sb_fingerprint(struct stun_build *s)
{
	uint32_t crc;

	s->len += 8;
	sb_fix_len(s);
	s->len -= 8;
	crc = sb_crc32(s->b, s->len) ^ 0x5354554eU;
	sb_u32(s, 0x8028, crc);
}

/* A dummy MESSAGE-INTEGRITY of @len bytes (20: SHA-1). */
static inline void sb_integrity(struct stun_build *s, uint16_t type,
				uint16_t len)
{
	uint8_t v[32];

	memset(v, 0x11, sizeof(v));
	sb_attr(s, type, v, len);
}

/* ERROR-CODE @code with a short reason phrase. */
static inline void sb_error(struct stun_build *s, uint16_t code)
{
	uint8_t v[12] = { 0, 0, code / 100, code % 100, 'e', 'r', 'r' };

	sb_attr(s, 0x0009, v, 7);
}

/* RFC 8656 ChannelData (no padding: the caller adds it for TCP). */
static inline size_t sb_channel_data(uint8_t *p, uint16_t ch,
				     const void *data, uint16_t len)
{
	sb_put16(p, ch);
	sb_put16(p + 2, len);
	memcpy(p + 4, data, len);
	return 4 + (size_t)len;
}

/* [MS-TURN] 2.1.4 TCP framing: @type 2 (control) or 3 (data). */
static inline size_t sb_ms_frame(uint8_t *p, uint8_t type, const void *data,
				 uint16_t len)
{
	p[0] = type;
	p[1] = 0;
	sb_put16(p + 2, len);
	memcpy(p + 4, data, len);
	return 4 + (size_t)len;
}

/*
 * The sample messages shared by the fuzz seeds and the bench: @i from 0
 * on, false past the last. RFC 8656/6062 first, then MS-TURN.
 */
static inline bool sb_sample(unsigned int i, struct stun_build *s)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
	static const uint8_t payload[160] = { 0x80, 0x00, 0x12, 0x34 };

	switch (i) {
	case 0:		/* Binding request, ICE-like */
		sb_rfc(s, 0x0001, NULL);
		sb_attr(s, 0x8022, "edgepin test", 12);
		sb_u32(s, 0x0024, 0x6e0001ff);
		sb_attr(s, 0x0006, "evtj:h6vY", 9);
		sb_integrity(s, 0x0008, 20);
		sb_fingerprint(s);
		return true;
	case 1:		/* Allocate request */
		sb_rfc(s, 0x0003, NULL);
		sb_u32(s, 0x0019, 17U << 24);
		sb_u32(s, 0x000D, 3600);
		sb_attr(s, 0x0006, "George", 6);
		sb_attr(s, 0x0014, "example.com", 11);
		sb_attr(s, 0x0015, "obMatJos2gAAAadl7W7PeDU4hKE72jda", 32);
		sb_integrity(s, 0x001C, 32);
		sb_fingerprint(s);
		return true;
	case 2:		/* Allocate success, two families */
		sb_rfc(s, 0x0103, NULL);
		sb_u32(s, 0x000D, 1200);
		sb_addr4(s, 0x0016, 192, 0, 2, 15, 50000, true);
		sb_addr(s, 0x0016, 2, v6, 50002, true);
		sb_addr4(s, 0x0020, 192, 0, 2, 1, 7000, true);
		sb_integrity(s, 0x001C, 32);
		sb_fingerprint(s);
		return true;
	case 3:		/* CreatePermission, three peers */
		sb_rfc(s, 0x0008, NULL);
		sb_addr4(s, 0x0012, 192, 0, 2, 150, 0, true);
		sb_addr(s, 0x0012, 2, v6, 0, true);
		sb_addr4(s, 0x0012, 198, 51, 100, 7, 0, true);
		sb_integrity(s, 0x0008, 20);
		sb_fingerprint(s);
		return true;
	case 4:		/* ChannelBind */
		sb_rfc(s, 0x0009, NULL);
		sb_u32(s, 0x000C, 0x40010000U);
		sb_addr4(s, 0x0012, 192, 0, 2, 210, 49191, true);
		sb_integrity(s, 0x0008, 20);
		return true;
	case 5:		/* Refresh, lifetime 0 */
		sb_rfc(s, 0x0004, NULL);
		sb_u32(s, 0x000D, 0);
		sb_integrity(s, 0x0008, 20);
		sb_fingerprint(s);
		return true;
	case 6:		/* CreatePermission error 437 */
		sb_rfc(s, 0x0118, NULL);
		sb_error(s, 437);
		sb_fingerprint(s);
		return true;
	case 7:		/* RFC 6062 Connect success */
		sb_rfc(s, 0x010a, NULL);
		sb_u32(s, 0x002A, 0xdeadbeef);
		sb_integrity(s, 0x0008, 20);
		return true;
	case 8:		/* Send indication with media */
		sb_rfc(s, 0x0016, NULL);
		sb_addr4(s, 0x0012, 203, 0, 113, 5, 5004, true);
		sb_attr(s, 0x0013, payload, sizeof(payload));
		return true;
	case 9:		/* MS-TURN Allocate request, MS-Version 4 */
		sb_ms(s, 0x0003, NULL);
		sb_u32(s, 0x8008, 4);
		sb_u32(s, 0x000D, 480);
		sb_attr(s, 0x0006, "user@example.com", 16);
		sb_integrity(s, 0x0008, 32);
		return true;
	case 10:	/* MS-TURN Allocate response */
		sb_ms(s, 0x0103, NULL);
		sb_addr4(s, 0x0001, 192, 0, 2, 15, 50000, false);
		sb_addr4(s, 0x8020, 198, 51, 100, 1, 4000, true);
		sb_u32(s, 0x000D, 480);
		sb_u32(s, 0x8008, 4);
		sb_integrity(s, 0x0008, 32);
		return true;
	case 11:	/* MS-TURN Send request */
		sb_ms(s, 0x0004, NULL);
		sb_addr4(s, 0x0011, 203, 0, 113, 9, 3478, false);
		sb_attr(s, 0x0013, payload, sizeof(payload));
		return true;
	case 12:	/* MS-TURN Set Active Destination request */
		sb_ms(s, 0x0006, NULL);
		sb_addr4(s, 0x0011, 203, 0, 113, 9, 3478, false);
		sb_integrity(s, 0x0008, 32);
		return true;
	case 13:	/* MS-TURN Data Indication */
		sb_ms(s, 0x0115, NULL);
		sb_addr(s, 0x0012, 2, v6, 50011, false);
		sb_attr(s, 0x0013, payload, sizeof(payload));
		return true;
	}
	return false;
}

#endif /* EDGEPIN_STUN_BUILD_H */
