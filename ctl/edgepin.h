/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The edgepin tool's objects. Each object is a table of commands; usage
 * is generated from the tables. Only the *_main() functions print.
 */
#ifndef _EDGEPIN_CTL_H
#define _EDGEPIN_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses: 0 done, 1 failed, 2 bad command line. */
#define EXIT_USAGE 2

struct cmd {
	const char *name;	/* NULL: the command run with no word */
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

struct object {
	const char *name;
	const struct cmd *cmds;	/* ends with an entry without fn */
	const char *help;
	void (*more_help)(FILE *f);	/* optional: after the commands */
};

extern const struct object policy_object, pinhole_object, call_object,
	stats_object, monitor_object, ruleset_object, audit_object,
	feed_object;

/* Print "edgepin: @what: why" for @err (-errno) and return 1. */
int ctl_error(const struct nl *nl, const char *what, int err);
/*
 * After nl_dump(): if what it read was still changing, say so on stderr
 * (the output stays what it was, so that scripts and JSON readers get the
 * listing they asked for).
 */
void ctl_dump_warn(const struct nl *nl, const char *what);
/* Print a usage error for @o and return EXIT_USAGE. */
int ctl_usage(const struct object *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Open the netlink socket, or print why not; NULL on failure. */
struct nl *ctl_open(const char *what);

/*
 * Dump @nlh and print the nested @attr of each reply with @print, as one
 * JSON array (or one text line each); closes @nl. Returns the exit status.
 * A dump still interrupted after NL_DUMP_TRIES reads is printed, with
 * ctl_dump_warn()'s warning.
 */
int ctl_list(struct nl *nl, const char *what, struct nlmsghdr *nlh,
	     uint16_t attr,
	     int (*print)(const char *key, const struct nlattr *nest));

/* Numbers: only digits, no sign, no trailing garbage, at most @max. */
int parse_uint(const char *s, uint64_t max, uint64_t *v);

/* An IPv4/IPv6 address; @addr gets 4 or 16 bytes. */
int parse_addr(const char *s, uint8_t *family, uint8_t addr[16]);
/* @addr (4 or 16 bytes) as text into @buf of INET6_ADDRSTRLEN. */
const char *format_addr(const void *addr, size_t len, char *buf);
const char *family_name(uint8_t family);
const char *proto_name(uint8_t proto);
/* enum edgepin_origin: "wire", "feed", "turn" ("?" beyond). */
const char *origin_name(uint8_t origin);

/* Print a nested EDGEPIN_A_PINHOLE / EDGEPIN_A_CALL as object @key. */
int print_pinhole(const char *key, const struct nlattr *nest);
int print_call(const char *key, const struct nlattr *nest);
/* The counter's name (one table, in stats.c), or NULL. */
const char *stat_name(unsigned int stat);

#endif /* _EDGEPIN_CTL_H */
