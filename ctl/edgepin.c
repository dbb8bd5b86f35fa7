// SPDX-License-Identifier: GPL-2.0
/*
 * edgepin: show and steer the edgepin conntrack helper.
 *
 * edgepin [-j|--json] [-h] [-V] OBJECT COMMAND [ARGS]. Objects and their
 * commands are tables; usage is generated from them, and keywords match
 * exactly (no prefixes).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	&feed_object,
};

static void usage_object(FILE *f, const struct object *o)
{
	const struct cmd *c;
	char line[192];

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

	fprintf(f, "usage: edgepin [-j|--json] [-h] [-V] OBJECT COMMAND [ARGS]\n"
		"       edgepin [-j] help|version\n");
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		usage_object(f, objects[i]);
}

/* A usage error is one line, then where to read more (as ip does). */
int ctl_usage(const struct object *o, const char *fmt, ...)
{
	va_list ap;

	fputs("edgepin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (o)
		fprintf(stderr, " (try 'edgepin %s help')\n", o->name);
	else
		fputs(" (try 'edgepin -h')\n", stderr);
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

/* The loaded module's version (sysfs, from MODULE_VERSION), or NULL. */
static const char *module_version(char *buf, size_t len)
{
	int fd = open("/sys/module/nf_conntrack_edgepin/version", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int version_main(void)
{
	const char *mod;
	char buf[64];

	mod = module_version(buf, sizeof(buf));
	open_json_object(NULL);
	print_string(PRINT_ANY, "version", "edgepin %s", EDGEPIN_VERSION);
	print_nl();
	print_string(PRINT_FP, NULL, "%s", "module nf_conntrack_edgepin ");
	if (mod)
		print_string(PRINT_ANY, "module_version", "%s", mod);
	else
		print_null(PRINT_ANY, "module_version", "%s", "not loaded");
	print_nl();
	close_json_object();
	print_end();
	return 0;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

/*
 * Does a command of @o take option @name (@len bytes, "--" included)?
 * Its usage says: "--name VALUE" (1), "--name" alone (0), absent (-1).
 */
static int opt_arity(const struct object *o, const char *name, size_t len)
{
	const struct cmd *c;
	const char *p;

	for (c = o->cmds; c->fn; c++)
		for (p = c->args; (p = strstr(p, "--")); p += 2)
			if (!strncmp(p, name, len) &&
			    (p == c->args || strchr("[ |", p[-1])) &&
			    (!p[len] || strchr(" ]|", p[len])))
				return p[len] == ' ' && p[len + 1] >= 'A' &&
				       p[len + 1] <= 'Z';
	return -1;
}

/*
 * GNU "--opt=value" as "--opt value", for the options @o's usage names
 * with a value; other words are left as they are (a Call-ID may begin
 * with "--"). @out holds 2 * @argc + 1 pointers, *@n of them used.
 * Returns 0, or EXIT_USAGE (said why) for a value to an option without.
 */
static int split_opts(const struct object *o, int argc, char **argv,
		      char **out, int *np)
{
	int i, n = 0;
	char *eq;

	for (i = 0; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (strncmp(argv[i], "--", 2) || !eq) {
			out[n++] = argv[i];
			continue;
		}
		switch (opt_arity(o, argv[i], eq - argv[i])) {
		case 1:
			*eq = '\0';
			out[n++] = argv[i];
			out[n++] = eq + 1;
			break;
		case 0:
			return ctl_usage(o, "%.*s takes no value",
					 (int)(eq - argv[i]), argv[i]);
		default:
			out[n++] = argv[i];
		}
	}
	out[n] = NULL;
	*np = n;
	return 0;
}

/* Run @o's command named by argv[0], or its bare command. */
static int run_cmd(const struct object *o, int argc, char **argv)
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

static bool is_global_opt(const char *s)
{
	return !strcmp(s, "-j") || !strcmp(s, "--json") ||
	       !strcmp(s, "-V") || !strcmp(s, "--version");
}

static int run_object(const struct object *o, int argc, char **argv)
{
	char **args = calloc(2 * argc + 1, sizeof(*args));
	int ret, i, n = 0;

	if (!args)
		return ctl_error(NULL, o->name, -ENOMEM);
	ret = split_opts(o, argc, argv, args, &n);
	if (!ret)
		ret = run_cmd(o, n, args);
	free(args);
	/* "edgepin pinhole list -j": say why it was refused */
	for (i = 0; ret == EXIT_USAGE && i < argc; i++)
		if (is_global_opt(argv[i])) {
			fprintf(stderr, "edgepin: %s: global options go before OBJECT\n",
				argv[i]);
			break;
		}
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool version = false;
	const char *word;
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
			version = true;	/* after the options: -V -j is JSON */
			break;
		default:
			/* a long option's name, not optopt's letter */
			word = argv[optind - 1];
			if (!strncmp(word, "--", 2) && optopt)
				return ctl_usage(NULL, "%.*s takes no value",
						 (int)strcspn(word, "="), word);
			if (!strncmp(word, "--", 2))
				return ctl_usage(NULL, "%.*s: unknown option",
						 (int)strcspn(word, "="), word);
			return ctl_usage(NULL, "-%c: unknown option", optopt);
		}
	}
	if (version)
		return version_main();
	if (optind >= argc)
		return ctl_usage(NULL, "missing OBJECT");
	word = argv[optind];
	if (is_help(word)) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(word, "version"))
		return optind + 1 < argc ?
		       ctl_usage(NULL, "version: takes no arguments") :
		       version_main();
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!strcmp(objects[i]->name, word))
			return run_object(objects[i], argc - optind - 1,
					  argv + optind + 1);
	return ctl_usage(NULL, "%s: unknown object", word);
}
