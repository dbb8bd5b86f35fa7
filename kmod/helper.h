/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _EDGEPIN_HELPER_H
#define _EDGEPIN_HELPER_H

#define EDGEPIN_HELPER_NAME "edgepin"

int edgepin_helper_init(void);
void edgepin_helper_exit(void);

#endif /* _EDGEPIN_HELPER_H */
