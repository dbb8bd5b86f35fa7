// SPDX-License-Identifier: GPL-2.0
/*
 * STUN/TURN parser benchmark: the RFC 8489/8656/6062 samples of
 * stun_build.h through edgepin's stun_parse() and libre's
 * stun_msg_decode() (bench_libre.c). Under callgrind each (message,
 * parser) pair is one dump named "edgepin:NAME:BYTES" or "libre:...",
 * over ITERATIONS parses after a warm-up one; report-stun.sh makes the
 * table. Without callgrind it checks that both accept every sample.
 * MS-TURN samples are left out: libre does not speak that dialect.
 */
#include <stdio.h>
#include <valgrind/callgrind.h>
#include "stun.h"
#include "stun_build.h"
#include "bench.h"

#define ITERATIONS 200

static const char * const names[] = {
	"binding-request-ice", "allocate-request", "allocate-success-dual",
	"create-permission-3", "channel-bind", "refresh-0",
	"create-permission-437", "connect-success-6062", "send-indication",
};

static int edgepin_stun_parse(const uint8_t *buf, size_t len)
{
	struct stun_msg m;

	return stun_parse(buf, len, &m) ? -1 : m.type;
}

static int measure(const char *name, const struct stun_build *s,
		   int (*parse)(const uint8_t *, size_t), const char *tag)
{
	char label[256];
	int i, r = parse(s->b, s->len);

	snprintf(label, sizeof(label), "%s:%s:%zu", tag, name, s->len);
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	for (i = 0; i < ITERATIONS; i++)
		parse(s->b, s->len);
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(label);
	return r;
}

int main(void)
{
	static struct stun_build s;
	unsigned int i;
	int e, l, rc = 0;

	for (i = 0; sb_sample(i, &s) && !s.ms; i++) {
		if (i >= sizeof(names) / sizeof(names[0]))
			return 1;
		e = measure(names[i], &s, edgepin_stun_parse, "edgepin");
		l = measure(names[i], &s, libre_stun_parse, "libre");
		printf("# %s: %zu bytes, edgepin type %#x, libre type %#x\n",
		       names[i], s.len, e, l);
		if (e < 0 || l < 0 || e != l)
			rc = 1;
	}
	return rc;
}
