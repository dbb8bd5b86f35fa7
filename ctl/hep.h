/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HEPv3 (the Homer/sipcapture encapsulation; Kamailio siptrace) as edgepin
 * feed reads it. The parser is pure: no I/O, no allocation; it reports
 * what it found as values and offsets into the caller's buffer, or why
 * the frame was refused.
 */
#ifndef _EDGEPIN_HEP_H
#define _EDGEPIN_HEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEP_HDR_LEN		6	/* "HEP3" and the u16 total length */
#define HEP_CHUNK_HDR_LEN	6	/* vendor, type, length */
#define HEP_MAX_LEN		65535	/* the total length is a u16 */
/*
 * The IP protocol Kamailio's siptrace gives TLS, WS and WSS (IPPROTO_IDP,
 * its "fake proto type"); others send TLS as TCP.
 */
#define HEP_PROTO_TLS		22

/* Why a frame was refused; 0 is none. */
enum hep_reason {
	HEP_OK,
	HEP_SHORT,		/* fewer bytes than the header needs */
	HEP_BAD_MAGIC,		/* not "HEP3" */
	HEP_BAD_LENGTH,		/* total length not the bytes given */
	HEP_BAD_CHUNK,		/* a chunk's length is wrong or overruns */
	HEP_DUPLICATE,		/* a chunk given twice */
	HEP_BAD_FAMILY,		/* not 2 or 10, or not the addresses' */
	HEP_BAD_PROTO,		/* not TCP, UDP or HEP_PROTO_TLS */
	HEP_NO_ADDRESS,		/* source or destination missing */
	HEP_BAD_PORT,		/* missing or zero */
	HEP_NOT_SIP,		/* protocol type missing or not SIP */
	HEP_COMPRESSED,		/* compressed payload: not read */
	HEP_NO_PAYLOAD,		/* missing or empty */
	HEP_REASON_COUNT
};

struct hep_msg {
	uint8_t family;		/* AF_INET / AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	bool tls;		/* sent as HEP_PROTO_TLS: TLS (or WebSocket),
				 * over TCP */
	uint8_t src[16], dst[16];	/* 4 or 16 bytes used */
	uint16_t sport, dport;
	uint32_t ts_sec, ts_usec;	/* 0 if not given */
	uint32_t agent_id;		/* 0 if not given */
	bool has_key;
	uint16_t key_off, key_len;	/* the auth key chunk's bytes */
	uint16_t payload_off, payload_len;	/* the SIP message */
	uint16_t corr_off, corr_len;	/* correlation id; 0 length: none */
};

/*
 * Parse the HEPv3 frame of exactly @len bytes at @buf into @m. Returns
 * HEP_OK, or the reason it was refused (@m then means nothing).
 */
enum hep_reason hep_parse(const uint8_t *buf, size_t len, struct hep_msg *m);

/*
 * Frame a stream: the length of the frame that begins the @len bytes at
 * @buf into *@frame_len (it may be longer than @len: read on), or 0 there
 * while the header is incomplete. Returns HEP_OK, or the reason the
 * stream cannot be framed (close it).
 */
enum hep_reason hep_frame(const uint8_t *buf, size_t len, size_t *frame_len);

/* "bad-magic", ...; "ok" for HEP_OK, "unknown" beyond the table. */
const char *hep_reason_name(enum hep_reason r);

#endif /* _EDGEPIN_HEP_H */
