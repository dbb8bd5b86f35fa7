/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What other objects (ruleset, audit) read of and write to the netns
 * policy, through policy.c's own parser and table of keys.
 */
#ifndef _EDGEPIN_POLICY_H
#define _EDGEPIN_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"

#define POLICY_VIEW_MAX 64

struct policy_view {
	size_t n_ranges, n_edges;
	struct {
		uint16_t lo, hi;
	} ranges[POLICY_VIEW_MAX];
	struct {
		uint8_t family, plen;
		uint8_t addr[16];
	} edges[POLICY_VIEW_MAX];
	uint32_t max_calls, max_pinholes, max_per_call;
	bool monitor;
	/* TCP 50001-50003 (the Edge's logging service) can be pinned:
	 * TCP allowed, in range, not excluded
	 */
	bool logging_pinnable;
};

/* The module's policy for this netns; 0 or -errno (see nl->ext). */
int policy_fetch(struct nl *nl, struct policy_view *v);
/*
 * @n lines of KEY VALUE... (argc[i], argv[i]) as "edgepin policy set"
 * takes them, set in one request for the command @what: prints errors,
 * returns the exit status (EXIT_USAGE for a syntax error); a rejected
 * line changes nothing.
 */
int policy_set_words(const char *what, int n, const int *argc,
		     char **const *argv);

/*
 * The ranges and edges that FILE (when not NULL) and then @n lines of
 * KEY VALUE... set, over those already in @v; the other keys are
 * checked and ignored. Reads no module: for what is printed, not
 * applied. Prints errors; returns 0 or EXIT_USAGE.
 */
int policy_view_apply(const char *what, const char *file, int n,
		      const int *argc, char **const *argv,
		      struct policy_view *v);

#endif /* _EDGEPIN_POLICY_H */
