// SPDX-License-Identifier: GPL-2.0
/*
 * Parser benchmark: the same bytes through edgepin (message, multipart,
 * every SDP body) and through libosip2 (osip_message_parse, then
 * sdp_message_parse on every SDP body). Under callgrind each (message,
 * parser) pair is one dump named "edgepin:FILE" or "osip:FILE", taken over
 * ITERATIONS parses after one warm-up parse; report.sh makes the table.
 * Without callgrind it just checks that both parsers accept every message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>
#include "parser.h"
#include "bench.h"

#define ITERATIONS 20

static struct sdp_session session;

static int edgepin_sdp(const char *p, size_t len)
{
	return sdp_parse(p, len, &session) ? -1 : session.cand_count;
}

/* Returns the number of candidates found, or -1. */
static int edgepin_parse(const char *buf, size_t len)
{
	struct sip_multipart mp;
	struct sip_part part;
	struct sip_msg msg;
	const char *body;
	int n = 0, r;

	if (sip_parse_message(buf, len, &msg))
		return -1;
	body = buf + msg.body.off;
	if (msg.body_type == SIP_BODY_SDP)
		return edgepin_sdp(body, msg.body.len);
	if (msg.body_type != SIP_BODY_MULTIPART)
		return 0;
	if (sip_multipart_init(&mp, body, msg.body.len,
			       buf + msg.boundary.off, msg.boundary.len))
		return -1;
	while ((r = sip_multipart_next(&mp, &part)) > 0)
		if (part.body_type == SIP_BODY_SDP)
			n += edgepin_sdp(body + part.body.off, part.body.len);
	return r ? -1 : n;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(f);
	*len = n;
	return buf;
}

static int measure(const char *name, const char *buf, size_t len,
		   int (*parse)(const char *, size_t), const char *tag)
{
	char label[512];
	int i, r = parse(buf, len);

	snprintf(label, sizeof(label), "%s:%s:%zu", tag, name, len);
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	for (i = 0; i < ITERATIONS; i++)
		parse(buf, len);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(label);
	return r;
}

int main(int argc, char **argv)
{
	const char *name;
	size_t len;
	char *buf;
	int a, e, o, rc = 0;

	osip_setup();
	for (a = 1; a < argc; a++) {
		buf = read_file(argv[a], &len);
		if (!buf) {
			perror(argv[a]);
			return 1;
		}
		name = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
		e = measure(name, buf, len, edgepin_parse, "edgepin");
		o = measure(name, buf, len, osip_parse, "osip");
		printf("# %s: %zu bytes, edgepin %d candidates, osip %d SDP bodies\n",
		       name, len, e, o);
		if (e < 0 || o < 0)
			rc = 1;
		free(buf);
	}
	return rc;
}
