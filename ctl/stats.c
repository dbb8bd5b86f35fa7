// SPDX-License-Identifier: GPL-2.0
/* edgepin stats [reset]: the module's counters, named in one table. */
#include <errno.h>
#include <stdio.h>
#include <linux/genetlink.h>

#include "uapi/edgepin.h"
#include "edgepin.h"
#include "print.h"

static const char *const stat_names[] = {
	[EDGEPIN_STAT_MESSAGES] = "messages",
	[EDGEPIN_STAT_PARSE_ERRORS] = "parse_errors",
	[EDGEPIN_STAT_TCP_RESYNCS] = "tcp_resyncs",
	[EDGEPIN_STAT_CALLS_STARTED] = "calls_started",
	[EDGEPIN_STAT_CALLS_ENDED] = "calls_ended",
	[EDGEPIN_STAT_CALLS_TIMED_OUT] = "calls_timed_out",
	[EDGEPIN_STAT_PINHOLES_OPENED] = "pinholes_opened",
	[EDGEPIN_STAT_PINHOLES_CLOSED] = "pinholes_closed",
	[EDGEPIN_STAT_PINHOLES_EXPIRED] = "pinholes_expired",
	[EDGEPIN_STAT_FLOWS_ADMITTED] = "flows_admitted",
	[EDGEPIN_STAT_FLOWS_REMOVED] = "flows_removed",
	[EDGEPIN_STAT_REFUSED_RANGE] = "refused_range",
	[EDGEPIN_STAT_REFUSED_EXCLUDED] = "refused_excluded",
	[EDGEPIN_STAT_REFUSED_NOT_EDGE] = "refused_not_edge",
	[EDGEPIN_STAT_REFUSED_TRANSPORT] = "refused_transport",
	[EDGEPIN_STAT_REFUSED_TCP_ACTIVE] = "refused_tcp_active",
	[EDGEPIN_STAT_REFUSED_SOURCE] = "refused_source",
	[EDGEPIN_STAT_REFUSED_MAX_CALLS] = "refused_max_calls",
	[EDGEPIN_STAT_REFUSED_MAX_PINHOLES] = "refused_max_pinholes",
	[EDGEPIN_STAT_REFUSED_MAX_PER_CALL] = "refused_max_per_call",
	[EDGEPIN_STAT_REFUSED_EXPECT_FULL] = "refused_expect_full",
	[EDGEPIN_STAT_REFUSED_TCP_MEMORY] = "refused_tcp_memory",
	[EDGEPIN_STAT_REFUSED_OTHER] = "refused_other",
	[EDGEPIN_STAT_MONITOR_WOULD_PIN] = "monitor_would_pin",
	[EDGEPIN_STAT_REFUSED_SPOOFED] = "refused_spoofed",
	[EDGEPIN_STAT_TCP_OUT_OF_ORDER] = "tcp_out_of_order",
	[EDGEPIN_STAT_REFUSED_CALLS_PER_SOURCE] = "refused_calls_per_source",
	[EDGEPIN_STAT_CALLS_EVICTED] = "calls_evicted",
	[EDGEPIN_STAT_REFUSED_NOT_IN_CALL] = "refused_not_in_call",
	[EDGEPIN_STAT_REFUSED_OFFER_MEMORY] = "refused_offer_memory",
	[EDGEPIN_STAT_FEED_MESSAGES] = "feed_messages",
	[EDGEPIN_STAT_FEED_NO_MASTER] = "feed_no_master",
	[EDGEPIN_STAT_REFUSED_OTHER_SOURCE] = "refused_other_source",
	[EDGEPIN_STAT_FEED_REFUSED_SENDER] = "feed_refused_sender",
	[EDGEPIN_STAT_FEED_REFUSED_KEY] = "feed_refused_key",
	[EDGEPIN_STAT_FEED_REFUSED_MALFORMED] = "feed_refused_malformed",
	[EDGEPIN_STAT_TLS_STREAMS] = "tls_streams",
	[EDGEPIN_STAT_TURN_MESSAGES] = "turn_messages",
	[EDGEPIN_STAT_TURN_PARSE_ERRORS] = "turn_parse_errors",
	[EDGEPIN_STAT_TURN_ALLOCATIONS] = "turn_allocations",
	[EDGEPIN_STAT_TURN_ALLOCATIONS_ENDED] = "turn_allocations_ended",
	[EDGEPIN_STAT_TURN_UNMATCHED] = "turn_unmatched",
	[EDGEPIN_STAT_TURN_REQUESTS_DROPPED] = "turn_requests_dropped",
};

_Static_assert(ARRAY_SIZE(stat_names) == __EDGEPIN_STAT_MAX,
	       "every counter in the UAPI has a name");

const char *stat_name(unsigned int stat)
{
	return stat < ARRAY_SIZE(stat_names) ? stat_names[stat] : NULL;
}

/* The counters of a reply; absent ones (an older module) stay unset. */
struct counters {
	bool has[__EDGEPIN_STAT_MAX];
	uint64_t v[__EDGEPIN_STAT_MAX];
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	static const struct nl_spec top[EDGEPIN_A_MAX + 1] = {
		[EDGEPIN_A_STATS] = { MNL_TYPE_NESTED },
	};
	struct nl_spec spec[__EDGEPIN_STAT_MAX + 1] = {};
	const struct nlattr *tb[EDGEPIN_A_MAX + 1];
	const struct nlattr *st[__EDGEPIN_STAT_MAX + 1];
	struct counters *c = data;
	unsigned int s;

	for (s = 1; s <= __EDGEPIN_STAT_MAX; s++)
		spec[s].type = MNL_TYPE_U64;
	if (nl_parse_msg(nlh, top, EDGEPIN_A_MAX, tb) || !tb[EDGEPIN_A_STATS] ||
	    nl_parse_nest(tb[EDGEPIN_A_STATS], spec, __EDGEPIN_STAT_MAX, st)) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	for (s = 0; s < __EDGEPIN_STAT_MAX; s++) {
		c->has[s] = st[s + 1];
		c->v[s] = c->has[s] ? mnl_attr_get_u64(st[s + 1]) : 0;
	}
	return MNL_CB_OK;
}

static int stats_do(const char *what, uint8_t cmd, struct counters *c)
{
	struct nl *nl = ctl_open(what);
	int ret;

	if (!nl)
		return 1;
	ret = nl_talk(nl, nl_request(nl, cmd, NLM_F_ACK), c ? stats_cb : NULL,
		      c);
	if (ret)
		ret = ctl_error(nl, what, ret);
	nl_close(nl);
	return ret;
}

static int stats_show_main(int argc, char **argv)
{
	struct counters c = {};
	unsigned int s;
	int ret;

	if (argc)
		return ctl_usage(&stats_object, "stats %s: unknown command",
				 argv[0]);
	ret = stats_do("stats", EDGEPIN_CMD_STATS_GET, &c);
	if (ret)
		return ret;
	open_json_object(NULL);
	for (s = 0; s < __EDGEPIN_STAT_MAX; s++) {
		if (!c.has[s])
			continue;
		print_string(PRINT_FP, NULL, "%-25s ", stat_names[s]);
		print_uint(PRINT_ANY, stat_names[s], "%llu", c.v[s]);
		print_nl();
	}
	close_json_object();
	print_end();
	return 0;
}

static int stats_reset_main(int argc, char **argv)
{
	(void)argv;
	if (argc)
		return ctl_usage(&stats_object, "stats reset: takes no arguments");
	return stats_do("stats reset", EDGEPIN_CMD_STATS_RESET, NULL);
}

static const struct cmd stats_cmds[] = {
	{ NULL, stats_show_main, "", "the counters" },
	{ "reset", stats_reset_main, "", "zero the counters" },
	{ NULL, NULL, NULL, NULL },
};

const struct object stats_object = {
	.name = "stats",
	.cmds = stats_cmds,
	.help = "counters",
};
