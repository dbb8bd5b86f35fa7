// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output from the same calls. JSON goes to stdout as one
 * document per print_end(); strings are escaped so that any bytes (a
 * Call-ID is whatever the attacker sent) give valid JSON, and text output
 * escapes control, space, backslash and non-ASCII bytes as \xNN so that
 * it stays one token per field and cannot drive the terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print.h"

#define JSON_MAX_DEPTH 16

static bool json;
static unsigned int depth;
static bool need_comma[JSON_MAX_DEPTH];

void print_set_json(bool on)
{
	json = on;
}

bool print_is_json(void)
{
	return json;
}

static bool wanted(enum output_type t)
{
	return json ? t & PRINT_JSON : t & PRINT_FP;
}

/* Length of the valid UTF-8 sequence at @p, or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned int c, min;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, c = p[0] & 0x1f, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, c = p[0] & 0x0f, min = 0x800;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, c = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

static void json_string(const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t i = 0, l;

	putchar('"');
	while (i < n) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", stdout);
		} else if (c == '\t') {
			fputs("\\t", stdout);
		} else if (c < 0x20 || c == 0x7f) {
			printf("\\u%04x", c);
		} else if (c >= 0x80) {
			l = utf8_len(p + i, n - i);
			if (!l) {
				/* Not UTF-8: keep the byte, as U+00XX. */
				printf("\\u%04x", c);
			} else {
				fwrite(p + i, 1, l, stdout);
				i += l;
				continue;
			}
		} else {
			putchar(c);
		}
		i++;
	}
	putchar('"');
}

/* The "key": (or the comma) before a JSON value. */
static void json_key(const char *key)
{
	bool *comma = depth && depth <= JSON_MAX_DEPTH ?
		      &need_comma[depth - 1] : NULL;

	if (comma && *comma)
		putchar(',');
	if (comma)
		*comma = true;
	if (key) {
		json_string(key, strlen(key));
		putchar(':');
	}
}

static void json_open(const char *key, char c)
{
	json_key(key);
	putchar(c);
	if (depth < JSON_MAX_DEPTH)
		need_comma[depth] = false;
	depth++;
}

static void json_close(char c)
{
	if (depth)
		depth--;
	putchar(c);
}

void open_json_object(const char *key)
{
	if (json)
		json_open(key, '{');
}

void close_json_object(void)
{
	if (json)
		json_close('}');
}

void open_json_array(const char *key)
{
	if (json)
		json_open(key, '[');
}

void close_json_array(void)
{
	if (json)
		json_close(']');
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *s)
{
	if (!wanted(t))
		return;
	if (json) {
		json_key(key);
		json_string(s, strlen(s));
	} else {
		printf(fmt, s);
	}
}

/* Text form of arbitrary bytes: printable ASCII kept, the rest \xNN. */
static char *text_escape(const unsigned char *p, size_t n)
{
	char *s = malloc(4 * n + 1), *o = s;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		if (p[i] > 0x20 && p[i] < 0x7f && p[i] != '\\')
			*o++ = p[i];
		else
			o += sprintf(o, "\\x%02x", p[i]);
	}
	*o = '\0';
	return s;
}

void print_bytes(enum output_type t, const char *key, const char *fmt,
		 const void *buf, size_t len)
{
	char *s;

	if (!wanted(t))
		return;
	if (json) {
		json_key(key);
		json_string(buf, len);
		return;
	}
	s = text_escape(buf, len);
	printf(fmt, s ? s : "?");
	free(s);
}

void print_uint(enum output_type t, const char *key, const char *fmt,
		uint64_t v)
{
	if (!wanted(t))
		return;
	if (json) {
		json_key(key);
		printf("%llu", (unsigned long long)v);
	} else {
		printf(fmt, (unsigned long long)v);
	}
}

void print_int(enum output_type t, const char *key, const char *fmt,
	       int64_t v)
{
	if (!wanted(t))
		return;
	if (json) {
		json_key(key);
		printf("%lld", (long long)v);
	} else {
		printf(fmt, (long long)v);
	}
}

void print_bool(enum output_type t, const char *key, const char *fmt,
		bool v)
{
	if (!wanted(t))
		return;
	if (json) {
		json_key(key);
		fputs(v ? "true" : "false", stdout);
	} else {
		printf(fmt, v ? "true" : "false");
	}
}

void print_null(enum output_type t, const char *key, const char *fmt,
		const char *text)
{
	if (!wanted(t))
		return;
	if (json) {
		json_key(key);
		fputs("null", stdout);
	} else {
		printf(fmt, text);
	}
}

void print_nl(void)
{
	if (!json)
		putchar('\n');
}

void print_end(void)
{
	if (json)
		putchar('\n');
	fflush(stdout);
}
