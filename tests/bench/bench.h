/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EDGEPIN_BENCH_H
#define EDGEPIN_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* libosip2: message, then every SDP body; SDP bodies parsed, or -1. */
void osip_setup(void);
int osip_parse(const char *buf, size_t len);

/* libre: stun_msg_decode, FINGERPRINT checked; the message type, or -1. */
int libre_stun_parse(const uint8_t *buf, size_t len);

#endif
