/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types and helpers kmod/policy.h and kmod/pinning.[ch]
 * use, for building them in userspace (tests/unit, tests/fuzz), as
 * wireguard-tools builds kernel-style code with a u8/u32 shim. The
 * address predicates are those of the kernel's include/linux/in.h,
 * linux/inetdevice.h and net/ipv6.h (6.1), written out portably.
 */
#ifndef EDGEPIN_KSHIM_H
#define EDGEPIN_KSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include <linux/netfilter.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

struct rcu_head {
	void *next;
	void (*func)(struct rcu_head *head);
};

struct nlattr;
struct netlink_ext_ack;
struct sk_buff;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))

/* linux/bitmap.h, for the bitmaps of at most a few hundred bits used here */
#define BITS_PER_LONG		(8 * sizeof(long))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

static inline void bitmap_zero(unsigned long *map, unsigned int bits)
{
	memset(map, 0, BITS_TO_LONGS(bits) * sizeof(long));
}

static inline void __set_bit(unsigned int nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline bool test_bit(unsigned int nr, const unsigned long *map)
{
	return map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1;
}

static inline unsigned int find_next_bit(const unsigned long *map,
					 unsigned int size, unsigned int nr)
{
	while (nr < size && !test_bit(nr, map))
		nr++;
	return nr < size ? nr : size;
}

#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = find_next_bit((addr), (size), 0); (bit) < (size);	\
	     (bit) = find_next_bit((addr), (size), (bit) + 1))

/* linux/in.h */
static inline bool ipv4_is_loopback(__be32 addr)
{
	return (addr & htonl(0xff000000)) == htonl(0x7f000000);
}

static inline bool ipv4_is_multicast(__be32 addr)
{
	return (addr & htonl(0xf0000000)) == htonl(0xe0000000);
}

static inline bool ipv4_is_lbcast(__be32 addr)
{
	return addr == htonl(INADDR_BROADCAST);
}

static inline bool ipv4_is_zeronet(__be32 addr)
{
	return addr == 0;
}

static inline bool ipv4_is_linklocal_169(__be32 addr)
{
	return (addr & htonl(0xffff0000)) == htonl(0xa9fe0000);
}

/* linux/inetdevice.h */
static inline __be32 inet_make_mask(int logmask)
{
	if (logmask)
		return htonl(~((1U << (32 - logmask)) - 1));
	return 0;
}

/* net/ipv6.h */
#define IPV6_ADDR_LINKLOCAL	0x0020U

static inline bool ipv6_addr_any(const struct in6_addr *a)
{
	return (a->s6_addr32[0] | a->s6_addr32[1] |
		a->s6_addr32[2] | a->s6_addr32[3]) == 0;
}

static inline bool ipv6_addr_loopback(const struct in6_addr *a)
{
	return (a->s6_addr32[0] | a->s6_addr32[1] |
		a->s6_addr32[2] | (a->s6_addr32[3] ^ htonl(1))) == 0;
}

static inline bool ipv6_addr_v4mapped(const struct in6_addr *a)
{
	return (a->s6_addr32[0] | a->s6_addr32[1] |
		(a->s6_addr32[2] ^ htonl(0x0000ffff))) == 0;
}

static inline bool ipv6_addr_is_multicast(const struct in6_addr *a)
{
	return (a->s6_addr32[0] & htonl(0xFF000000)) == htonl(0xFF000000);
}

/*
 * Only the IPV6_ADDR_LINKLOCAL bit of the kernel's ipv6_addr_type(): set
 * for unicast fe80::/10 and for link-local scope multicast (ff02::/16).
 */
static inline unsigned int ipv6_addr_type(const struct in6_addr *a)
{
	__be32 st = a->s6_addr32[0];

	if ((st & htonl(0xFF000000)) == htonl(0xFF000000))
		return (st & htonl(0x000F0000)) == htonl(0x00020000) ?
		       IPV6_ADDR_LINKLOCAL : 0;
	return (st & htonl(0xFFC00000)) == htonl(0xFE800000) ?
	       IPV6_ADDR_LINKLOCAL : 0;
}

static inline bool ipv6_prefix_equal(const struct in6_addr *a1,
				     const struct in6_addr *a2,
				     unsigned int plen)
{
	unsigned int pdw = plen >> 5, pbi = plen & 0x1f;

	if (pdw && memcmp(a1, a2, pdw << 2))
		return false;
	if (pbi && ((a1->s6_addr32[pdw] ^ a2->s6_addr32[pdw]) &
		    htonl((0xffffffff) << (32 - pbi))))
		return false;
	return true;
}

/* linux/netfilter.h */
static inline bool nf_inet_addr_cmp(const union nf_inet_addr *a1,
				    const union nf_inet_addr *a2)
{
	return a1->all[0] == a2->all[0] && a1->all[1] == a2->all[1] &&
	       a1->all[2] == a2->all[2] && a1->all[3] == a2->all[3];
}

#endif
