// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * For the unit tests under qemu-user (`make unit-qemu`): libargon2 computes
 * the lanes on as many threads as there are lanes, and its threaded path
 * spins without end under qemu-user's emulation.  The tests link with
 * -Wl,--wrap=argon2_hash, which lands here: the same computation on the
 * calling thread (the result does not depend on the threads).
 */
#include <argon2.h>
#include <stdint.h>

int __real_argon2_hash(const uint32_t t_cost, const uint32_t m_cost, const uint32_t parallelism,
		       const void *pwd, const size_t pwdlen, const void *salt,
		       const size_t saltlen, void *hash, const size_t hashlen, char *encoded,
		       const size_t encodedlen, argon2_type type, const uint32_t version);
int __wrap_argon2_hash(const uint32_t t_cost, const uint32_t m_cost, const uint32_t parallelism,
		       const void *pwd, const size_t pwdlen, const void *salt,
		       const size_t saltlen, void *hash, const size_t hashlen, char *encoded,
		       const size_t encodedlen, argon2_type type, const uint32_t version);

int __wrap_argon2_hash(const uint32_t t_cost, const uint32_t m_cost, const uint32_t parallelism,
		       const void *pwd, const size_t pwdlen, const void *salt,
		       const size_t saltlen, void *hash, const size_t hashlen, char *encoded,
		       const size_t encodedlen, argon2_type type, const uint32_t version)
{
	argon2_context c = { 0 };

	if (encoded || encodedlen || pwdlen > UINT32_MAX || saltlen > UINT32_MAX ||
	    hashlen > UINT32_MAX)
		return __real_argon2_hash(t_cost, m_cost, parallelism, pwd, pwdlen, salt, saltlen,
					  hash, hashlen, encoded, encodedlen, type, version);
	c.out = hash;
	c.outlen = (uint32_t)hashlen;
	c.pwd = (uint8_t *)(uintptr_t)pwd;
	c.pwdlen = (uint32_t)pwdlen;
	c.salt = (uint8_t *)(uintptr_t)salt;
	c.saltlen = (uint32_t)saltlen;
	c.t_cost = t_cost;
	c.m_cost = m_cost;
	c.lanes = parallelism;
	c.threads = 1;
	c.version = version;
	return argon2_ctx(&c, type);
}
