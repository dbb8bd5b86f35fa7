/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIP, SDP and ICE parser shared by the edgepin module and userspace.
 *
 * It reads untrusted bytes that are not NUL terminated, allocates nothing,
 * prints nothing and keeps no state between calls. Results are offsets,
 * lengths and decoded values in structures the caller provides; every bound
 * below is checked and hitting one is reported, never silently dropped.
 */
#ifndef EDGEPIN_PARSER_H
#define EDGEPIN_PARSER_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#endif

/* A SIP message (headers and body) never exceeds 64 KiB - 1 bytes. */
#define SIP_MAX_MSG_LEN		65535
/* A longer start line (its CR included) is not framed as SIP (TCP). */
#define SIP_MAX_START_LINE	2048
/* Longest request method and multipart boundary (RFC 2046) accepted. */
#define SIP_MAX_METHOD_LEN	32
#define SIP_MAX_BOUNDARY_LEN	70
/* CSeq numbers are below 2^31 (RFC 3261 section 8.1.1.5). */
#define SIP_MAX_CSEQ		0x7fffffffU

/* Position of a field, relative to the buffer given to the parser. */
struct sip_span {
	uint16_t off;
	uint16_t len;
};

enum sip_method {
	SIP_METHOD_NONE,	/* a response */
	SIP_METHOD_UNKNOWN,	/* a valid token this parser does not know */
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_REGISTER,
	SIP_METHOD_PRACK,
	SIP_METHOD_UPDATE,
	SIP_METHOD_INFO,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_BENOTIFY,
	SIP_METHOD_PUBLISH,
	SIP_METHOD_REFER,
	SIP_METHOD_MESSAGE,
};

enum sip_body_type {
	SIP_BODY_NONE,		/* no Content-Type */
	SIP_BODY_SDP,		/* application/sdp */
	SIP_BODY_MULTIPART,	/* multipart/alternative or multipart/mixed */
	SIP_BODY_OTHER,
};

/* sip_msg.flags */
#define SIP_MSG_CLEN_SHORT	0x01	/* bytes after the body were ignored */

/* sip_msg.seen: which of the single-valued headers were present */
#define SIP_SEEN_CALL_ID	0x01
#define SIP_SEEN_FROM		0x02
#define SIP_SEEN_TO		0x04
#define SIP_SEEN_CSEQ		0x08
#define SIP_SEEN_CTYPE		0x10
#define SIP_SEEN_CLEN		0x20

/* One SIP message; 48 bytes. Spans are relative to the message start. */
struct sip_msg {
	struct sip_span method_name;	/* request method token */
	struct sip_span uri;		/* Request-URI */
	struct sip_span call_id;
	struct sip_span from_tag;
	struct sip_span to_tag;
	struct sip_span content_type;	/* "type/subtype" without params */
	struct sip_span boundary;	/* multipart boundary, quotes removed */
	struct sip_span body;
	uint32_t cseq;
	uint16_t status;		/* 100-699, or 0 for a request */
	uint16_t content_length;
	uint8_t method;			/* enum sip_method, requests only */
	uint8_t cseq_method;		/* enum sip_method */
	uint8_t body_type;		/* enum sip_body_type */
	uint8_t multipart_mixed;	/* 1 for multipart/mixed */
	uint8_t flags;			/* SIP_MSG_* */
	uint8_t seen;			/* SIP_SEEN_* */
};

/*
 * sip_frame() results: the first @len bytes of a TCP stream are one
 * message, keep-alive CRLFs to consume, or bytes to throw away to get back
 * to a start line; or more bytes are needed (@len is then the total message
 * length when the headers are complete, else 0).
 */
enum sip_frame_kind {
	SIP_FRAME_MESSAGE,
	SIP_FRAME_NEED_MORE,
	SIP_FRAME_KEEPALIVE,
	SIP_FRAME_RESYNC,
};

struct sip_frame {
	uint32_t len;
	uint8_t kind;			/* enum sip_frame_kind */
};

/* 0, or -EINVAL/-EMSGSIZE for a message that cannot be framed (RESYNC). */
int sip_frame(const char *buf, size_t len, struct sip_frame *frame);

/*
 * Framing a reassembly buffer that starts at a message start and only
 * grows at its end between calls: sip_frame_feed() is given the bytes
 * appended since it was last given any (in as many pieces as they are
 * stored in) and says whether sip_frame() could now say more than the
 * NEED_MORE it last gave (the headers had not ended: did an empty line
 * arrive? the body was short: is it whole now?); sip_frame_wait()
 * records that NEED_MORE. sip_frame_ready() is sip_frame_feed() for a
 * buffer in one piece. A message fed a byte at a time is then framed
 * once, each byte looked at a bounded number of times, instead of being
 * scanned again from its start for every segment. Until an empty line
 * arrives, bytes that are not SIP are held rather than resynchronised
 * over, up to SIP_MAX_MSG_LEN; a reassembler that wants them dropped
 * sooner asks sip_frame() while @lines is 0 (the start line is still
 * incomplete: at most SIP_MAX_START_LINE bytes) and bounds what it holds
 * after that. A zeroed state starts a new message.
 */
struct sip_frame_state {
	uint32_t want;			/* message length, its headers whole */
	uint32_t scanned;		/* bytes fed */
	uint8_t nl;			/* they end in "\n" (1), "\n\r" (2) */
	uint8_t lines;			/* a line end was fed */
	uint8_t eoh;			/* an empty line was fed */
};

bool sip_frame_feed(struct sip_frame_state *st, const char *p, size_t n);
bool sip_frame_ready(struct sip_frame_state *st, const char *buf,
		     size_t len);
void sip_frame_wait(struct sip_frame_state *st, const struct sip_frame *f);
/* 0, -ENODATA (no end of headers), -EMSGSIZE (short body), -EINVAL. */
int sip_parse_message(const char *buf, size_t len, struct sip_msg *msg);
/* enum sip_method of a method token; case-sensitive. */
int sip_method_lookup(const char *name, size_t len);

/* sip_part.flags */
#define SIP_PART_FALLBACK	0x01	/* Disposition ms-proxy-2007fallback */
#define SIP_PART_UNCLOSED	0x02	/* body ended before the next boundary */
#define SIP_PART_NO_EOH		0x04	/* no empty line after part headers */

/* One body part; spans are relative to the multipart body start. */
struct sip_part {
	struct sip_span content_type;
	struct sip_span body;
	uint8_t body_type;		/* enum sip_body_type */
	uint8_t flags;			/* SIP_PART_* */
};

/* Iterator over the parts of a multipart body. */
struct sip_multipart {
	const char *body;
	const char *boundary;
	uint16_t len;
	uint16_t pos;
	uint8_t boundary_len;
	uint8_t state;
};

int sip_multipart_init(struct sip_multipart *mp, const char *body,
		       size_t len, const char *boundary, size_t boundary_len);
/* 1 and a part, 0 at the end, -EBADMSG never (or never again) closed. */
int sip_multipart_next(struct sip_multipart *mp, struct sip_part *part);

/* Limits of one SDP description (one body or one body part). */
#define SDP_MAX_MEDIA		16
#define SDP_MAX_CANDIDATES	128	/* in total, over all media */
#define SDP_MAX_COMPONENT	256	/* ICE component ids (RFC 8839) */
#define SDP_MAX_FOUNDATION	64	/* chars; draft-6 usernames are 44 */

enum sdp_family {
	SDP_ADDR_NONE,
	SDP_ADDR_IP4,
	SDP_ADDR_IP6,
	SDP_ADDR_FQDN,			/* a host name: no binary address */
	SDP_ADDR_MDNS,			/* a ".local" name: no binary address */
};

enum sdp_transport {
	SDP_TRANSPORT_UNKNOWN,
	SDP_TRANSPORT_UDP,
	SDP_TRANSPORT_TCP,
};

enum sdp_media_type {
	SDP_MEDIA_OTHER,
	SDP_MEDIA_AUDIO,
	SDP_MEDIA_VIDEO,
	SDP_MEDIA_APPLICATION,
	SDP_MEDIA_TEXT,
	SDP_MEDIA_MESSAGE,
	SDP_MEDIA_IMAGE,
};

enum sdp_direction {
	SDP_DIR_UNSET,
	SDP_DIR_SENDRECV,
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};

enum sdp_cand_type {
	SDP_CAND_NONE,			/* draft-6 and remote candidates */
	SDP_CAND_HOST,
	SDP_CAND_SRFLX,
	SDP_CAND_PRFLX,
	SDP_CAND_RELAY,
	SDP_CAND_OTHER,
};

enum sdp_tcptype {
	SDP_TCP_NONE,
	SDP_TCP_ACTIVE,			/* RFC 6544 active, MS-ICE2 TCP-ACT */
	SDP_TCP_PASSIVE,		/* RFC 6544 passive, MS-ICE2 TCP-PASS */
	SDP_TCP_SO,
};

enum sdp_dialect {
	SDP_DIALECT_RFC,		/* a=candidate, RFC 8839/5245/6544 */
	SDP_DIALECT_DRAFT6,		/* a=candidate, Microsoft ICE draft 6 */
	SDP_DIALECT_X,			/* a=x-candidate */
	SDP_DIALECT_X_IPV6,		/* a=x-candidate-ipv6 */
	SDP_DIALECT_REMOTE,		/* one entry of a=remote-candidates */
};

/* One ICE candidate; 32 bytes. */
struct sdp_candidate {
	uint8_t addr[16];		/* IPv4 in the first 4 bytes */
	uint32_t priority;		/* draft-6: the q-value times 1000 */
	uint16_t port;
	uint16_t component;
	uint8_t media;			/* index into sdp_session.media */
	uint8_t family;			/* enum sdp_family */
	uint8_t transport;		/* enum sdp_transport */
	uint8_t type;			/* enum sdp_cand_type */
	uint8_t tcptype;		/* enum sdp_tcptype */
	uint8_t dialect;		/* enum sdp_dialect */
};

/* sdp_media.flags */
#define SDP_MEDIA_HAS_C		0x01	/* media-level c= line */
#define SDP_MEDIA_HAS_RTCP	0x02	/* a=rtcp */
#define SDP_MEDIA_RTCP_MUX	0x04	/* a=rtcp-mux */
#define SDP_MEDIA_END_OF_CANDS	0x08	/* a=end-of-candidates */
#define SDP_MEDIA_BAD_M		0x10	/* the m= line did not parse */

/* One m= section; 48 bytes. */
struct sdp_media {
	uint8_t addr[16];		/* its c=, else the session's */
	uint8_t rtcp_addr[16];		/* a=rtcp address if given */
	uint16_t port;
	uint16_t port_count;		/* 1 unless "port/count" */
	uint16_t rtcp_port;
	uint8_t family;			/* enum sdp_family of addr */
	uint8_t rtcp_family;
	uint8_t type;			/* enum sdp_media_type */
	uint8_t transport;		/* enum sdp_transport of the proto */
	uint8_t direction;		/* enum sdp_direction */
	uint8_t flags;			/* SDP_MEDIA_* */
	uint8_t candidates;		/* how many candidates were recorded */
	uint8_t pad[3];
};

/* sdp_session.flags */
#define SDP_SESSION_ICE_LITE	0x01

/*
 * One SDP description: 4892 bytes with the limits above, too large for a
 * kernel stack, so callers keep it per-CPU or allocated. Overflow counts
 * what did not fit; bad_lines counts lines and values that did not parse.
 */
struct sdp_session {
	uint8_t addr[16];		/* session-level c= */
	uint8_t family;
	uint8_t direction;
	uint8_t flags;			/* SDP_SESSION_* */
	uint8_t media_count;
	uint16_t cand_count;
	uint16_t media_overflow;	/* m= sections not recorded */
	uint16_t cand_overflow;		/* candidates not recorded */
	uint16_t bad_lines;
	struct sdp_media media[SDP_MAX_MEDIA];
	struct sdp_candidate cand[SDP_MAX_CANDIDATES];
};

/* 0, or -EINVAL if it does not start with "v=", -EMSGSIZE if too long. */
int sdp_parse(const char *buf, size_t len, struct sdp_session *sdp);

/* 0 or -EINVAL; exactly what inet_pton(3) accepts. */
int inet_text_ip4(const char *s, size_t len, uint8_t out[4]);
int inet_text_ip6(const char *s, size_t len, uint8_t out[16]);
/* enum sdp_family of an address or host name, or -EINVAL. */
int sdp_parse_address(const char *s, size_t len, uint8_t out[16]);

#endif /* EDGEPIN_PARSER_H */
