// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The verity target's cache of verified hash blocks (verity_target.h): a
 * chained hash table over a fixed set of slots, sized once when the device
 * is made (dmb_ctx_mem.verity_cache_bytes), replaced by the clock (second
 * chance) algorithm, so that reads never allocate.
 */
#include "verity_target.h"

static uint32_t bucket_of(const struct verity_cache *c, uint64_t block)
{
	return (uint32_t)((block * 0x9e3779b97f4a7c15ull) >> 32) & (c->nbuckets - 1);
}

void dmbi_verity_cache_destroy(struct verity_cache *c)
{
	if (!c)
		return;
	dmb_port_free(c->slots);
	dmb_port_free(c->buckets);
	dmb_port_free(c->data);
	dmb_port_free(c);
}

struct verity_cache *dmbi_verity_cache_create(uint32_t nslots, size_t block_size)
{
	struct verity_cache *c = dmbi_calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->nslots = nslots;
	c->block_size = block_size;
	c->nbuckets = 1;
	while (c->nbuckets < 2 * nslots)
		c->nbuckets <<= 1;
	c->slots = dmbi_calloc(nslots, sizeof(*c->slots));
	c->buckets = dmbi_calloc(c->nbuckets, sizeof(*c->buckets));
	c->data = dmbi_calloc(nslots, block_size);
	if (!c->slots || !c->buckets || !c->data) {
		dmbi_verity_cache_destroy(c);
		return NULL;
	}
	for (uint32_t i = 0; i < c->nbuckets; i++)
		c->buckets[i] = -1;
	return c;
}

struct cache_slot *dmbi_verity_cache_find(struct verity_cache *c, uint64_t block)
{
	for (int32_t i = c->buckets[bucket_of(c, block)]; i >= 0; i = c->slots[i].next)
		if (c->slots[i].block == block) {
			c->slots[i].referenced = true;
			return &c->slots[i];
		}
	return NULL;
}

uint8_t *dmbi_verity_cache_data(struct verity_cache *c, const struct cache_slot *s)
{
	return c->data + (size_t)(s - c->slots) * c->block_size;
}

/* Forget what a slot holds. */
void dmbi_verity_cache_drop(struct verity_cache *c, struct cache_slot *s)
{
	int32_t *pp = &c->buckets[bucket_of(c, s->block)];
	int32_t self = (int32_t)(s - c->slots);

	while (*pp != self)
		pp = &c->slots[*pp].next;
	*pp = s->next;
	s->used = false;
}

/* Take a slot for block, evicting by the clock. */
struct cache_slot *dmbi_verity_cache_insert(struct verity_cache *c, uint64_t block)
{
	struct cache_slot *s;

	for (;;) {
		s = &c->slots[c->hand];
		c->hand = (c->hand + 1) % c->nslots;
		if (!s->used || !s->referenced)
			break;
		s->referenced = false;
	}
	if (s->used)
		dmbi_verity_cache_drop(c, s);
	s->block = block;
	s->used = true;
	s->verified = false;
	s->referenced = true;
	s->next = c->buckets[bucket_of(c, block)];
	c->buckets[bucket_of(c, block)] = (int32_t)(s - c->slots);
	return s;
}
