/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One HEPv3 frame builder for the unit tests and the fuzz seeds: a valid
 * SIP message frame by default, and the chunk-level pieces to make any
 * malformed one.
 */
#ifndef EDGEPIN_HEP_BUILD_H
#define EDGEPIN_HEP_BUILD_H

#include <stdint.h>
#include <string.h>

struct hep_build {
	uint8_t b[70000];	/* room for a frame longer than HEP allows */
	size_t len;
};

static inline void hb_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void hb_start(struct hep_build *h)
{
	memcpy(h->b, "HEP3\0\0", 6);
	h->len = 6;
}

/* A chunk of @vendor/@type with @len bytes of @data. */
static inline void hb_vchunk(struct hep_build *h, uint16_t vendor,
			     uint16_t type, const void *data, size_t len)
{
	hb_put16(h->b + h->len, vendor);
	hb_put16(h->b + h->len + 2, type);
	hb_put16(h->b + h->len + 4, (uint16_t)(len + 6));
	memcpy(h->b + h->len + 6, data, len);
	h->len += 6 + len;
}

static inline void hb_chunk(struct hep_build *h, uint16_t type,
			    const void *data, size_t len)
{
	hb_vchunk(h, 0, type, data, len);
}

static inline void hb_u8(struct hep_build *h, uint16_t type, uint8_t v)
{
	hb_chunk(h, type, &v, 1);
}

static inline void hb_u16(struct hep_build *h, uint16_t type, uint16_t v)
{
	uint8_t b[2];

	hb_put16(b, v);
	hb_chunk(h, type, b, 2);
}

static inline void hb_u32(struct hep_build *h, uint16_t type, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	hb_chunk(h, type, b, 4);
}

/* The total length in the header: what was built. */
static inline void hb_end(struct hep_build *h)
{
	hb_put16(h->b + 4, (uint16_t)h->len);
}

/*
 * The chunks of a message from @src:@sport to @dst:@dport (4 or 16 byte
 * addresses, as @family 2 or 10 says) over @proto, with @key (may be
 * NULL), without the payload: tests add theirs last.
 */
static inline void hb_head(struct hep_build *h, uint8_t family, uint8_t proto,
			   const void *src, uint16_t sport,
			   const void *dst, uint16_t dport, const char *key)
{
	size_t alen = family == 10 ? 16 : 4;

	hb_start(h);
	hb_u8(h, 1, family);
	hb_u8(h, 2, proto);
	hb_chunk(h, family == 10 ? 5 : 3, src, alen);
	hb_chunk(h, family == 10 ? 6 : 4, dst, alen);
	hb_u16(h, 7, sport);
	hb_u16(h, 8, dport);
	hb_u32(h, 9, 1765000000);
	hb_u32(h, 10, 123456);
	hb_u8(h, 11, 1);
	hb_u32(h, 12, 2001);
	if (key)
		hb_chunk(h, 14, key, strlen(key));
}

/* A whole valid frame of @payload, IPv4 UDP 192.0.2.10:5060 -> .20:5061. */
static inline void hb_sip4(struct hep_build *h, const char *payload,
			   const char *key)
{
	hb_head(h, 2, 17, "\xc0\x00\x02\x0a", 5060, "\xc0\x00\x02\x14", 5061,
		key);
	hb_chunk(h, 15, payload, strlen(payload));
	hb_end(h);
}

#endif
