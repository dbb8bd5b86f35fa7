/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls, pinholes, SDP summaries and TCP streams are counted, so that
 * module unload can prove none leaked (a WARN the VM runner catches).
 */
#ifndef _EDGEPIN_OBJECTS_H
#define _EDGEPIN_OBJECTS_H

#include <linux/atomic.h>
#include <linux/slab.h>

extern atomic_t edgepin_objects;

static inline void *edgepin_obj_alloc(size_t size)
{
	void *p = kzalloc(size, GFP_ATOMIC);

	if (p)
		atomic_inc(&edgepin_objects);
	return p;
}

static inline void *edgepin_obj_dup(const void *src, size_t size)
{
	void *p = kmemdup(src, size, GFP_ATOMIC);

	if (p)
		atomic_inc(&edgepin_objects);
	return p;
}

static inline void edgepin_obj_free(const void *p)
{
	if (!p)
		return;
	atomic_dec(&edgepin_objects);
	kfree(p);
}

#endif /* _EDGEPIN_OBJECTS_H */
