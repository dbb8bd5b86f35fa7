// SPDX-License-Identifier: GPL-2.0
/*
 * Address parsing: fixed vectors, and a differential test against the C
 * library's inet_pton() on random and adversarial strings.
 */
#include <arpa/inet.h>
#include "kselftest_harness.h"
#include "vectors.h"

static int ip4(const char *s, uint8_t out[4])
{
	struct blob b = blob_str(s);
	int r = inet_text_ip4(b.p, b.len, out);

	free(b.p);
	return r;
}

static int ip6(const char *s, uint8_t out[16])
{
	struct blob b = blob_str(s);
	int r = inet_text_ip6(b.p, b.len, out);

	free(b.p);
	return r;
}

static int family(const char *s)
{
	uint8_t out[16];
	struct blob b = blob_str(s);
	int r = sdp_parse_address(b.p, b.len, out);

	free(b.p);
	return r;
}

TEST(ip4_valid)
{
	static const char * const ok[] = {
		"0.0.0.0", "255.255.255.255", "192.0.2.1", "10.0.1.1",
		"203.0.113.200", "1.2.3.4",
	};
	uint8_t out[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		ASSERT_EQ(0, ip4(ok[i], out)) TH_LOG("%s", ok[i]);
	ASSERT_EQ(0, ip4("198.51.100.254", out));
	ASSERT_EQ(0, memcmp(out, "\xc6\x33\x64\xfe", 4));
}

TEST(ip4_invalid)
{
	static const char * const bad[] = {
		"", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256",
		"01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3", "1.2.3.4.",
		"1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "0x1.2.3.4", "1.2.3.4/24",
		"99999999999999999999.1.1.1", "1.2.3.4294967297",
	};
	uint8_t out[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_EQ(-EINVAL, ip4(bad[i], out)) TH_LOG("'%s'", bad[i]);
}

TEST(ip6_valid)
{
	static const char * const ok[] = {
		"::", "::1", "1::", "1::2", "2001:db8::1", "fe80::6676:baff:fe9c:ee4a",
		"2001:0:5ef5:79fd:34b2:244d:fa66:7cf9", "::ffff:192.0.2.1",
		"64:ff9b::198.51.100.1", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7::",
		"::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", "FD00:7:495:1::4C",
		"0000:0000:0000:0000:0000:0000:0000:0001", "::0.0.0.0",
	};
	uint8_t out[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		ASSERT_EQ(0, ip6(ok[i], out)) TH_LOG("%s", ok[i]);
	ASSERT_EQ(0, ip6("::ffff:192.0.2.1", out));
	ASSERT_EQ(0, memcmp(out, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\0\2\1", 16));
}

TEST(ip6_invalid)
{
	static const char * const bad[] = {
		"", ":", ":::", "1:::2", "1::2::3", ":1::", "1:", ":1",
		"12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
		"::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7", "::1.2.3", "::1.2.3.04",
		"::1.2.3.4.5", "1.2.3.4::", "::1.2.3.4:5", "fe80::1%eth0",
		"2001:db8::/32", " ::1", "::1 ", "g::1", "1:2:3:4:5:6:7:1.2.3.4",
		"::ffff:256.1.1.1", "[::1]",
	};
	uint8_t out[16];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_EQ(-EINVAL, ip6(bad[i], out)) TH_LOG("'%s'", bad[i]);
}

TEST(address_families)
{
	char long_label[80], long_name[300];

	ASSERT_EQ(SDP_ADDR_IP4, family("192.0.2.1"));
	ASSERT_EQ(SDP_ADDR_IP6, family("2001:db8::1"));
	ASSERT_EQ(SDP_ADDR_MDNS,
		  family("9b36eaac-bb2e-49bb-bb78-21c41c499900.local"));
	ASSERT_EQ(SDP_ADDR_MDNS, family("host.LOCAL"));
	ASSERT_EQ(SDP_ADDR_FQDN, family("relay.example.com"));
	ASSERT_EQ(SDP_ADDR_FQDN, family("localhost"));
	ASSERT_EQ(-EINVAL, family(""));
	ASSERT_EQ(-EINVAL, family("a..b"));
	ASSERT_EQ(-EINVAL, family("host_name.example"));
	ASSERT_EQ(-EINVAL, family("1.2.3.256"));
	ASSERT_EQ(-EINVAL, family("example.com."));
	ASSERT_EQ(-EINVAL, family("fe80::1%eth0"));
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".example");
	ASSERT_EQ(-EINVAL, family(long_label));
	memset(long_name, 'a', 254);
	long_name[254] = 0;
	long_name[100] = '.';
	ASSERT_EQ(-EINVAL, family(long_name));
}

/* xorshift: reproducible pseudo-random numbers. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state >> 32;
}

/* Compare with inet_pton on the NUL-terminated copy; returns mismatches. */
static int differ(const char *s, size_t len)
{
	uint8_t a[16], b[16];
	struct blob copy = blob_copy(s, len);
	char z[64];
	int mine4, libc4, mine6, libc6, bad = 0;

	memcpy(z, s, len);
	z[len] = 0;
	mine4 = inet_text_ip4(copy.p, len, a) == 0;
	libc4 = inet_pton(AF_INET, z, b) == 1;
	if (mine4 != libc4 || (mine4 && memcmp(a, b, 4)))
		bad++;
	mine6 = inet_text_ip6(copy.p, len, a) == 0;
	libc6 = inet_pton(AF_INET6, z, b) == 1;
	if (mine6 != libc6 || (mine6 && memcmp(a, b, 16)))
		bad++;
	if (bad)
		fprintf(stderr, "# differs from inet_pton: '%s'\n", z);
	free(copy.p);
	return bad;
}

TEST(differential_random)
{
	static const char alphabet[] = "0123456789abcdefABCDEF::..x% ";
	char s[48];
	int i, len, j, bad = 0;

	for (i = 0; i < 1000000; i++) {
		len = rnd() % 46;
		for (j = 0; j < len; j++)
			s[j] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		bad += differ(s, len);
	}
	ASSERT_EQ(0, bad);
}

/* Valid addresses printed by inet_ntop, then cut, grown and mutated. */
static void mutate(char *s, size_t *len)
{
	static const char edits[] = "0:.f9:1.:";
	size_t pos = *len ? rnd() % (*len + 1) : 0;

	switch (rnd() % 4) {
	case 0:
		if (*len) {
			memmove(s + pos, s + pos + 1, *len - pos);
			(*len)--;
		}
		break;
	case 1:
		if (*len < 45) {
			memmove(s + pos + 1, s + pos, *len - pos);
			s[pos] = edits[rnd() % (sizeof(edits) - 1)];
			(*len)++;
		}
		break;
	case 2:
		if (pos < *len)
			s[pos] = edits[rnd() % (sizeof(edits) - 1)];
		break;
	default:
		*len = pos;
	}
}

TEST(differential_adversarial)
{
	uint8_t bin[16];
	char s[64];
	size_t len;
	int i, j, k, bad = 0;

	for (i = 0; i < 200000; i++) {
		for (j = 0; j < 16; j++)
			bin[j] = (rnd() % 3) ? 0 : rnd();
		if (rnd() % 4 == 0) {
			memset(bin, 0, 10);
			bin[10] = bin[11] = 0xff;
		}
		inet_ntop(i & 1 ? AF_INET6 : AF_INET, bin, s, sizeof(s));
		len = strlen(s);
		bad += differ(s, len);
		for (k = rnd() % 4; k >= 0; k--) {
			mutate(s, &len);
			bad += differ(s, len);
		}
	}
	ASSERT_EQ(0, bad);
}

TEST_HARNESS_MAIN
