/* SPDX-License-Identifier: GPL-2.0 */
/*
 * STUN/TURN parser shared by the edgepin module (helper edgepin-turn) and
 * userspace: RFC 8489 (STUN), RFC 8656 (TURN), RFC 6062 (TURN over TCP
 * relays) and MS-TURN ([MS-TURN], the TURN dialect of Lync / Skype for
 * Business Edge servers, built on draft-rosenberg-midcom-turn-08).
 *
 * It has parser.c's contract: it reads untrusted bytes, allocates nothing,
 * prints nothing and keeps no state between calls. It checks the message's
 * structure only; MESSAGE-INTEGRITY cannot be verified without the
 * credentials, so a message's worth comes from who sent it, which is the
 * caller's business (a success response must come from the server side).
 */
#ifndef EDGEPIN_STUN_H
#define EDGEPIN_STUN_H

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

#define STUN_HDR_LEN		20
#define STUN_MAGIC_COOKIE	0x2112A442U	/* RFC 8489, header bytes 4..7 */
#define MSTURN_MAGIC_COOKIE	0x72C64BC6U	/* [MS-TURN] MAGIC-COOKIE attribute */
/* A STUN message is at most 64 KiB of attributes after its header. */
#define STUN_MAX_MSG_LEN	(STUN_HDR_LEN + 65535)
/* Peer addresses kept of one message; more are counted as capped. */
#define STUN_MAX_PEERS		8
/* RFC 8656 section 12: the channel numbers a ChannelBind may bind. */
#define STUN_CHANNEL_MIN	0x4000
#define STUN_CHANNEL_MAX	0x4FFF

enum stun_dialect {
	STUN_DIALECT_RFC = 1,		/* magic cookie in the header */
	STUN_DIALECT_MSTURN,		/* 16-byte transaction ID, MAGIC-COOKIE attribute */
};

enum stun_class {
	STUN_CLASS_REQUEST,
	STUN_CLASS_INDICATION,
	STUN_CLASS_SUCCESS,
	STUN_CLASS_ERROR,
};

/* Methods, whatever the dialect's numbering. */
enum stun_method {
	STUN_METHOD_OTHER,
	STUN_METHOD_BINDING,
	STUN_METHOD_ALLOCATE,
	STUN_METHOD_REFRESH,
	STUN_METHOD_SEND,		/* RFC indication; MS-TURN Send request */
	STUN_METHOD_DATA,		/* RFC indication; MS-TURN Data Indication */
	STUN_METHOD_CREATE_PERMISSION,
	STUN_METHOD_CHANNEL_BIND,
	STUN_METHOD_CONNECT,		/* RFC 6062 */
	STUN_METHOD_CONNECTION_BIND,
	STUN_METHOD_CONNECTION_ATTEMPT,
	STUN_METHOD_SET_ACTIVE_DEST,	/* MS-TURN Set Active Destination */
};

enum stun_family {
	STUN_FAMILY_IPV4 = 1,		/* the wire's address family codes */
	STUN_FAMILY_IPV6 = 2,
};

/* A transport address, decoded (the XOR undone). */
struct stun_addr {
	uint8_t family;			/* enum stun_family */
	uint16_t port;
	uint8_t addr[16];		/* IPv4 in the first 4 bytes */
};

struct stun_msg {
	uint16_t type;			/* as on the wire */
	uint16_t len;			/* attribute bytes after the header */
	uint8_t dialect;		/* enum stun_dialect */
	uint8_t cls;			/* enum stun_class */
	uint8_t method;			/* enum stun_method */
	uint8_t txid_len;		/* 12 (RFC) or 16 (MS-TURN) */
	uint8_t txid[16];

	/*
	 * The relayed transport address(es) of an Allocate success: RFC
	 * 8656's XOR-RELAYED-ADDRESS (up to two, one per family); MS-TURN's
	 * MAPPED-ADDRESS (0x0001) and MS-Alternate Mapped Address (0x8090,
	 * IPv6, for MS-Version >= 4 dual allocations). [MS-TURN] 3.2.5.1:
	 * the relay is the Mapped Address whatever the MS-Version; the XOR
	 * Mapped Address (0x8020) an MS-TURN response MUST carry is the
	 * client's reflexive address ([MS-TURN] 2.2.2.16), kept in @mapped.
	 * Taken from any message that carries them: the caller checks that
	 * it is an Allocate success.
	 */
	uint8_t n_relayed;
	struct stun_addr relayed[2];

	/*
	 * Peers: XOR-PEER-ADDRESS (RFC; CreatePermission may carry several),
	 * MS-TURN's DESTINATION-ADDRESS (Send, Set Active Destination) and
	 * REMOTE-ADDRESS (Data Indication).
	 */
	uint8_t n_peers;
	bool peers_capped;		/* more than STUN_MAX_PEERS were given */
	struct stun_addr peers[STUN_MAX_PEERS];

	bool has_lifetime;
	uint32_t lifetime;		/* seconds */
	bool has_channel;
	uint16_t channel;		/* CHANNEL-NUMBER */
	bool has_transport;
	uint8_t transport;		/* REQUESTED-TRANSPORT: 17 UDP, 6 TCP */
	bool has_connection_id;
	uint32_t connection_id;		/* RFC 6062 CONNECTION-ID */
	uint16_t error_code;		/* class * 100 + number, 0 if absent */
	bool has_integrity;		/* MESSAGE-INTEGRITY(-SHA256) present */
	bool has_fingerprint;		/* FINGERPRINT present and correct */
	uint8_t ms_version;		/* MS-Version, 0 if absent, 255 if more */

	/*
	 * The client's reflexive address: XOR-MAPPED-ADDRESS (RFC 0x0020,
	 * MS-TURN 0x8020, whose XOR is with the transaction ID's first bytes,
	 * [MS-TURN] 2.2.2.16).
	 */
	bool has_mapped;
	struct stun_addr mapped;
};

/*
 * Parse the STUN or MS-TURN message at @buf (exactly @len bytes: one UDP
 * payload, or one frame stun_tcp_frame() delimited). Returns 0, -EINVAL
 * if it is not a well-formed message of either dialect (attributes that
 * overrun, a known attribute of the wrong size or family, a bad
 * FINGERPRINT, attributes after FINGERPRINT). MS-TURN's Destination,
 * Remote and XOR Mapped Address of an unknown family are ignored, as
 * [MS-TURN] 2.2.2.10 and 2.2.2.16 say. Unknown attributes are skipped;
 * of an attribute that may only appear once, the first one counts.
 * Attributes after MESSAGE-INTEGRITY other than -SHA256 and FINGERPRINT
 * (RFC 8489 14.5/14.6), and all after MS-TURN's, are bounds-checked and
 * otherwise ignored: the integrity does not cover them.
 */
int stun_parse(const uint8_t *buf, size_t len, struct stun_msg *m);

/* What stun_tcp_frame() found at the head of a TCP stream. */
enum stun_frame_kind {
	STUN_FRAME_STUN = 1,		/* a STUN message, unframed (RFC 8656) */
	STUN_FRAME_CHANNEL_DATA,	/* RFC 8656 ChannelData, padded to 4 */
	STUN_FRAME_MS_CONTROL,		/* MS-TURN TCP framing, type 2: a message */
	STUN_FRAME_MS_DATA,		/* MS-TURN TCP framing, type 3: media */
};

struct stun_frame {
	uint8_t kind;			/* enum stun_frame_kind */
	uint32_t len;			/* whole frame, framing and padding */
	uint32_t msg_off;		/* where the message (or data) starts, */
	uint32_t msg_len;		/* and its length (0 for data frames) */
};

/*
 * Delimit the frame at the head of a TURN-over-TCP byte stream (@len bytes
 * available). @ms selects MS-TURN's framing ([MS-TURN] 2.1.4: one type
 * byte, 2 control or 3 end-to-end data, one reserved byte that MUST be
 * zero, a 16-bit length of what follows the length), else RFC 8656's
 * (STUN messages and ChannelData back to back, section 12.5; only the
 * channels 0x4000-0x4FFF of section 12 are TURN). Returns 1 and fills @f when the frame's
 * length is known (it may extend past @len), 0 if more bytes are needed to
 * know it, -EINVAL if the stream is not TURN.
 */
int stun_tcp_frame(const uint8_t *buf, size_t len, bool ms,
		   struct stun_frame *f);

#endif /* EDGEPIN_STUN_H */
