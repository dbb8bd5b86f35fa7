// SPDX-License-Identifier: GPL-2.0
/*
 * edgepin: show and steer the edgepin conntrack helper.
 *
 * edgepin [-j|--json] [-h] [-V] OBJECT COMMAND [ARGS]. Objects and their
 * commands are tables; usage is generated from them, and keywords match
 * exactly (no prefixes).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/edgepin.h"
#include "edgepin.h"
#include "print.h"
#include "version.h"

static const struct object *const objects[] = {
	&policy_object,
	&pinhole_object,
	&call_object,
	&stats_object,
	&monitor_object,
	&ruleset_object,
	&audit_object,
};

static void usage_object(FILE *f, const struct object *o)
{
	const struct cmd *c;
	char line[80];

	for (c = o->cmds; c->fn; c++) {
		snprintf(line, sizeof(line), "%s%s%s%s%s", o->name,
			 c->name ? " " : "", c->name ? c->name : "",
			 *c->args ? " " : "", c->args);
		/* Two spaces at least between command and help, always. */
		if (strlen(line) > 35)
			fprintf(f, "  edgepin %s\n  %-44s %s\n", line, "",
				c->help);
		else
			fprintf(f, "  edgepin %-36s %s\n", line, c->help);
	}
	if (o->more_help)
		o->more_help(f);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: edgepin [-j|--json] [-h] [-V] OBJECT COMMAND [ARGS]\n");
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		usage_object(f, objects[i]);
}

int ctl_usage(const struct object *o, const char *fmt, ...)
{
	va_list ap;

	fputs("edgepin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage:\n", stderr);
	usage_object(stderr, o);
	return EXIT_USAGE;
}

int ctl_error(const struct nl *nl, const char *what, int err)
{
	const struct nl_extack *ext = nl ? &nl->ext : NULL;

	fprintf(stderr, "edgepin: %s: ", what);
	if (ext && ext->msg[0]) {
		fputs(ext->msg, stderr);
		if (ext->has_range)
			fprintf(stderr, " (allowed %llu-%llu)",
				(unsigned long long)ext->min,
				(unsigned long long)ext->max);
	} else {
		fputs(strerror(-err), stderr);
	}
	/* the module's own EPERMs explain themselves in the extack */
	if (err == -EPERM && !(ext && ext->msg[0]))
		fputs(" (needs CAP_NET_ADMIN in this network namespace)",
		      stderr);
	fputc('\n', stderr);
	return 1;
}

void ctl_dump_warn(const struct nl *nl, const char *what)
{
	if (nl->dump_intr)
		fprintf(stderr, "edgepin: %s: warning: calls and pinholes kept changing while they were read (%d tries): any that came or went meanwhile may be missing, or listed though gone; the others are listed once\n",
			what, NL_DUMP_TRIES);
}

struct nl *ctl_open(const char *what)
{
	struct nl *nl;
	int ret;

	ret = nl_open(&nl);
	if (!ret)
		return nl;
	if (ret == -ENOENT)
		fprintf(stderr, "edgepin: %s: netlink family %s not found (is nf_conntrack_edgepin loaded?)\n",
			what, EDGEPIN_GENL_NAME);
	else
		ctl_error(NULL, what, ret);
	return NULL;
}

struct list_ctx {
	uint16_t attr;
	int (*print)(const char *key, const struct nlattr *nest);
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct list_ctx *c = data;
	struct nl_spec spec[EDGEPIN_A_MAX + 1] = {};
	const struct nlattr *tb[EDGEPIN_A_MAX + 1];

	spec[c->attr].type = MNL_TYPE_NESTED;
	if (nl_parse_msg(nlh, spec, EDGEPIN_A_MAX, tb) || !tb[c->attr] ||
	    c->print(NULL, tb[c->attr])) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	print_nl();
	return MNL_CB_OK;
}

int ctl_list(struct nl *nl, const char *what, struct nlmsghdr *nlh,
	     uint16_t attr,
	     int (*print)(const char *key, const struct nlattr *nest))
{
	struct list_ctx c = { attr, print };
	int ret;

	open_json_array(NULL);
	ret = nl_dump(nl, nlh, list_cb, &c);
	close_json_array();
	print_end();
	if (ret)
		ret = ctl_error(nl, what, ret);
	else
		ctl_dump_warn(nl, what);
	nl_close(nl);
	return ret;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

/* Run @o's command named by argv[0], or its bare command. */
static int run_object(const struct object *o, int argc, char **argv)
{
	const struct cmd *c, *bare = NULL;

	if (argc && is_help(argv[0])) {
		printf("%s: %s\nusage:\n", o->name, o->help);
		usage_object(stdout, o);
		return 0;
	}
	for (c = o->cmds; c->fn; c++) {
		if (!c->name)
			bare = c;
		else if (argc && !strcmp(c->name, argv[0]))
			return c->fn(argc - 1, argv + 1);
	}
	if (bare)
		return bare->fn(argc, argv);
	if (!argc)
		return ctl_usage(o, "%s: missing command", o->name);
	return ctl_usage(o, "%s %s: unknown command", o->name, argv[0]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c;

	opterr = 0;	/* our own message, in our own format */
	while ((c = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			print_set_json(true);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("edgepin %s\n", EDGEPIN_VERSION);
			return 0;
		default:
			if (optopt)
				fprintf(stderr, "edgepin: -%c: unknown option\n",
					optopt);
			else
				fprintf(stderr, "edgepin: %s: unknown option\n",
					argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!strcmp(objects[i]->name, argv[optind]))
			return run_object(objects[i], argc - optind - 1,
					  argv + optind + 1);
	fprintf(stderr, "edgepin: %s: unknown object\n", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
