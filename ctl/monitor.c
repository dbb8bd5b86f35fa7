// SPDX-License-Identifier: GPL-2.0
/*
 * edgepin monitor: live events until SIGINT/SIGTERM, one line (or one
 * JSON object) per event, flushed as it comes. Each event carries the
 * time it was read (UTC, RFC 3339, microseconds): always in JSON as
 * "time", in text with -t (as ip -ts).
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>

#include "uapi/edgepin.h"
#include "edgepin.h"
#include "print.h"

static const char *const event_names[] = {
	[EDGEPIN_EVENT_PINHOLE_OPEN] = "pinhole_open",
	[EDGEPIN_EVENT_PINHOLE_CLOSE] = "pinhole_close",
	[EDGEPIN_EVENT_PINHOLE_EXPIRE] = "pinhole_expire",
	[EDGEPIN_EVENT_CALL_START] = "call_start",
	[EDGEPIN_EVENT_CALL_END] = "call_end",
	[EDGEPIN_EVENT_REFUSED] = "refused",
	[EDGEPIN_EVENT_FEED_REFUSED] = "feed_refused",
};

/* Now as 2026-12-05T15:22:52.123456Z into @buf of 32. */
static const char *timestamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ldZ", ts.tv_nsec / 1000);
	return buf;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	static const struct nl_spec spec[EDGEPIN_A_MAX + 1] = {
		[EDGEPIN_A_EVENT] = { MNL_TYPE_U8 },
		[EDGEPIN_A_PINHOLE] = { MNL_TYPE_NESTED },
		[EDGEPIN_A_CALL] = { MNL_TYPE_NESTED },
		[EDGEPIN_A_REASON] = { MNL_TYPE_U32 },
		[EDGEPIN_A_COUNT] = { MNL_TYPE_U32 },
		[EDGEPIN_A_PEER_ADDR] = { MNL_TYPE_BINARY, 4, 16 },
		[EDGEPIN_A_IIF] = { MNL_TYPE_NUL_STRING, 1, IF_NAMESIZE },
	};
	char buf[INET6_ADDRSTRLEN], iif[IF_NAMESIZE + 1], now[32];
	const bool *text_time = data;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[EDGEPIN_A_MAX + 1];
	const char *reason;
	uint8_t ev;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*g)) ||
	    g->cmd != EDGEPIN_CMD_EVENT)
		return MNL_CB_OK;
	if (nl_parse_msg(nlh, spec, EDGEPIN_A_MAX, tb) || !tb[EDGEPIN_A_EVENT])
		goto bad;
	ev = mnl_attr_get_u8(tb[EDGEPIN_A_EVENT]);
	open_json_object(NULL);
	print_string(*text_time ? PRINT_ANY : PRINT_JSON, "time", "%s ",
		     timestamp(now, sizeof(now)));
	print_string(PRINT_ANY, "event", "%s",
		     ev < ARRAY_SIZE(event_names) ? event_names[ev] : "unknown");
	if (tb[EDGEPIN_A_REASON]) {
		reason = stat_name(mnl_attr_get_u32(tb[EDGEPIN_A_REASON]));
		print_string(PRINT_ANY, "reason", " %s",
			     reason ? reason : "unknown");
	}
	/* how many edgepin feed refused for this reason */
	if (tb[EDGEPIN_A_COUNT])
		print_uint(PRINT_ANY, "count", " count %llu",
			   mnl_attr_get_u32(tb[EDGEPIN_A_COUNT]));
	/* a message refused as spoofed: the source it claimed, and where
	 * it came in; a feed refusal: its (last) sender
	 */
	if (tb[EDGEPIN_A_PEER_ADDR])
		print_string(PRINT_ANY, "source", " source %s",
			     format_addr(mnl_attr_get_payload(tb[EDGEPIN_A_PEER_ADDR]),
					 mnl_attr_get_payload_len(tb[EDGEPIN_A_PEER_ADDR]),
					 buf));
	if (tb[EDGEPIN_A_IIF]) {
		snprintf(iif, sizeof(iif), "%.*s",
			 (int)mnl_attr_get_payload_len(tb[EDGEPIN_A_IIF]),
			 (const char *)mnl_attr_get_payload(tb[EDGEPIN_A_IIF]));
		print_string(PRINT_ANY, "iif", " iif %s", iif);
	}
	print_string(PRINT_FP, NULL, "%s", " ");
	if (tb[EDGEPIN_A_PINHOLE] &&
	    print_pinhole("pinhole", tb[EDGEPIN_A_PINHOLE]))
		goto bad;
	if (tb[EDGEPIN_A_CALL] && print_call("call", tb[EDGEPIN_A_CALL]))
		goto bad;
	close_json_object();
	print_nl();
	print_end();
	return MNL_CB_OK;
bad:
	errno = EPROTO;
	return MNL_CB_ERROR;
}

static void on_signal(int sig)
{
	(void)sig;
}

static int monitor_main(int argc, char **argv)
{
	bool text_time = argc == 1 && (!strcmp(argv[0], "-t") ||
				       !strcmp(argv[0], "--timestamp"));
	struct sigaction sa;
	sigset_t stop, orig;
	struct nl *nl;
	int ret;

	if (argc && !text_time)
		return ctl_usage(&monitor_object, "monitor: bad argument '%s'",
				 argv[0]);
	/*
	 * Blocked from here, so a SIGINT during setup waits for the first
	 * ppoll(); caught, not ignored (as a background job's may be). The
	 * handler is installed once subscribed: a caller that sees SIGINT
	 * caught (SigCgt in /proc/PID/status) knows no event is missed.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &orig);
	nl = ctl_open("monitor");
	if (!nl)
		return 1;
	ret = nl_subscribe(nl);
	if (ret) {
		ret = ctl_error(nl, "monitor", ret);
		nl_close(nl);
		return ret;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while ((ret = nl_listen(nl, event_cb, &text_time, &orig)) ==
	       -ENOBUFS)
		fprintf(stderr, "edgepin: monitor: events lost (receive buffer overrun)\n");
	if (ret)
		ret = ctl_error(nl, "monitor", ret);
	nl_close(nl);
	return ret;
}

static const struct cmd monitor_cmds[] = {
	{ NULL, monitor_main, "[-t|--timestamp]",
	  "live events until interrupted (-t: with the time)" },
	{ NULL, NULL, NULL, NULL },
};

const struct object monitor_object = {
	.name = "monitor",
	.cmds = monitor_cmds,
	.help = "live events",
};
