/* SPDX-License-Identifier: GPL-2.0 */
/* The one place the edgepin version is defined (module and CLI). */
#ifndef _EDGEPIN_VERSION_H
#define _EDGEPIN_VERSION_H

#define EDGEPIN_VERSION "0.1.0"

#endif /* _EDGEPIN_VERSION_H */
