// SPDX-License-Identifier: GPL-2.0
/*
 * The libosip2 side of the benchmark, in a file of its own: libosip2's
 * sdp_message.h and edgepin's parser.h both define struct sdp_media.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/sdp_message.h>
#include "bench.h"

void osip_setup(void)
{
	parser_init();
}

static int osip_sdp(const char *text)
{
	sdp_message_t *sdp;
	int r;

	if (sdp_message_init(&sdp))
		return -1;
	r = sdp_message_parse(sdp, text) ? -1 : 0;
	sdp_message_free(sdp);
	return r;
}

static bool osip_is_sdp(osip_content_type_t *ct)
{
	return ct && ct->type && ct->subtype &&
	       !strcasecmp(ct->type, "application") &&
	       !strcasecmp(ct->subtype, "sdp");
}

/* Returns the number of SDP bodies parsed, or -1. */
int osip_parse(const char *buf, size_t len)
{
	osip_message_t *msg;
	osip_body_t *body;
	int i = 0, n = 0;

	if (osip_message_init(&msg))
		return -1;
	if (osip_message_parse(msg, buf, len)) {
		osip_message_free(msg);
		return -1;
	}
	while (!osip_list_eol(&msg->bodies, i)) {
		body = osip_list_get(&msg->bodies, i++);
		if (!osip_is_sdp(body->content_type) &&
		    !osip_is_sdp(msg->content_type))
			continue;
		if (osip_sdp(body->body) < 0)
			n = -1;
		else if (n >= 0)
			n++;
	}
	osip_message_free(msg);
	return n;
}
