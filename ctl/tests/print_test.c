// SPDX-License-Identifier: GPL-2.0
/*
 * Feed print_bytes() what an attacker can put in a Call-ID: every single
 * byte, UTF-8 edge cases (overlong, surrogates, beyond U+10FFFF,
 * truncated) and pseudo-random byte strings. One line per case, first in
 * JSON as {"hex": input, "s": printed}, then in text; the selftest
 * 14-print-escape.sh checks that each JSON line parses and each printed
 * string decodes back to its input.
 */
#include <stdio.h>
#include <string.h>

#include "../print.h"

static const char *const cases[] = {
	"", "plain@host", "quote\"back\\slash", "\xc3\xa9t\xc3\xa9",
	"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc0\xaf", "\xe0\x80\xaf",
	"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
	"\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc3(", "\x80\xbf", "\xfe\xff",
	"\x7f\x1b[31m", "a\r\nb\tc", "sp ace",
};

static unsigned int seed = 12345;

static unsigned int rnd(void)
{
	seed = seed * 1103515245 + 12345;
	return seed >> 16;
}

static void one(const unsigned char *buf, size_t len, int json)
{
	char hex[2 * 256 + 1];
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", buf[i]);
	hex[2 * len] = '\0';
	if (json) {
		open_json_object(NULL);
		print_string(PRINT_JSON, "hex", NULL, hex);
		print_bytes(PRINT_JSON, "s", NULL, buf, len);
		close_json_object();
		print_end();
	} else {
		print_string(PRINT_FP, NULL, "%s ", hex[0] ? hex : "-");
		print_bytes(PRINT_FP, NULL, "%s", buf, len);
		print_nl();
	}
}

static void all(int json)
{
	unsigned char buf[64];
	size_t i, j, len;

	print_set_json(json);
	for (i = 0; i < 256; i++) {
		buf[0] = i;
		one(buf, 1, json);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		one((const unsigned char *)cases[i], strlen(cases[i]), json);
	seed = 12345;
	for (i = 0; i < 3000; i++) {
		len = rnd() % sizeof(buf);
		for (j = 0; j < len; j++)
			/* Half the bytes from the high half: UTF-8 lookalikes. */
			buf[j] = rnd() % 2 ? 0x80 | rnd() : rnd();
		one(buf, len, json);
	}
}

int main(void)
{
	all(1);
	all(0);
	return 0;
}
