// SPDX-License-Identifier: GPL-2.0
/*
 * edgepin: show and steer the edgepin conntrack helper.
 *
 * Objects are dispatched from a table; usage is generated from it. The
 * objects arrive with the kernel's netlink family: until then the tool
 * knows only its global options.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

struct object {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct object objects[] = {
	{ NULL, NULL, NULL },
};

static bool json;

static void usage(FILE *f)
{
	const struct object *o;

	fprintf(f, "usage: edgepin [-j|--json] [-h] [-V] OBJECT COMMAND [ARGS]\n");
	for (o = objects; o->name; o++)
		fprintf(f, "  %-10s %s\n", o->name, o->help);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct object *o;
	int c;

	while ((c = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("edgepin %s\n", EDGEPIN_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (o = objects; o->name; o++)
		if (!strcmp(o->name, argv[optind]))
			return o->fn(argc - optind, argv + optind);
	fprintf(stderr, "edgepin: %s: unknown object\n", argv[optind]);
	return 2;
}
