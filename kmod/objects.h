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

/* Calls and pinholes, the objects there are many of, have caches of their
 * own: no rounding up to a kmalloc size, and slabinfo shows each.
 */
static inline void *edgepin_cache_alloc(struct kmem_cache *cache)
{
	void *p = kmem_cache_zalloc(cache, GFP_ATOMIC);

	if (p)
		atomic_inc(&edgepin_objects);
	return p;
}

static inline void edgepin_cache_free(struct kmem_cache *cache, void *p)
{
	if (!p)
		return;
	atomic_dec(&edgepin_objects);
	kmem_cache_free(cache, p);
}

#endif /* _EDGEPIN_OBJECTS_H */
