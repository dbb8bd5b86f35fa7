/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print layer for text and JSON (iproute2's json_print idea): each
 * call names both the JSON key and the text format, so the two outputs
 * come from the same code and cannot drift apart.
 */
#ifndef _EDGEPIN_PRINT_H
#define _EDGEPIN_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum output_type {
	PRINT_FP = 1,		/* text only */
	PRINT_JSON = 2,		/* JSON only */
	PRINT_ANY = 3,		/* both */
};

void print_set_json(bool json);
bool print_is_json(void);

/* A JSON object or array; @key is NULL inside an array or at top level. */
void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

/* In text, printf(@fmt, value); in JSON, "key": value. */
void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *s);
/* A byte string that may hold anything (Call-IDs come off the wire). */
void print_bytes(enum output_type t, const char *key, const char *fmt,
		 const void *buf, size_t len);
void print_uint(enum output_type t, const char *key, const char *fmt,
		uint64_t v);
void print_int(enum output_type t, const char *key, const char *fmt,
	       int64_t v);
/* JSON true/false; in text, printf(@fmt, "true"/"false"). */
void print_bool(enum output_type t, const char *key, const char *fmt,
		bool v);
/* JSON null; in text, printf(@fmt, @text). */
void print_null(enum output_type t, const char *key, const char *fmt,
		const char *text);
/* End of a text line (nothing in JSON). */
void print_nl(void);
/* End of one JSON document (a newline); flushes either way. */
void print_end(void);

#endif /* _EDGEPIN_PRINT_H */
