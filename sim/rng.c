#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/rng.h"

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void simrng_seed(struct simrng *r, uint64_t seed, uint64_t stream)
{
	r->state = mix(seed ^ mix(stream + 0x9e3779b97f4a7c15ULL));
}

uint64_t simrng_next(struct simrng *r)
{
	r->state += 0x9e3779b97f4a7c15ULL;
	return mix(r->state);
}

double simrng_unit(struct simrng *r)
{
	return (double)(simrng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int64_t simrng_range(struct simrng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = (uint64_t)(hi - lo) + 1;
	return lo + (int64_t)(simrng_next(r) % span);
}

double simrng_exp(struct simrng *r, double mean)
{
	return -mean * log(1.0 - simrng_unit(r));
}

void simrng_id(struct simrng *r, const char *prefix, char *out, size_t len)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char tail[23];
	for (int i = 0; i < 22; i++)
		tail[i] = b62[simrng_next(r) % 62];
	tail[22] = '\0';
	snprintf(out, len, "%s%s", prefix, tail);
}

void simrng_ulid(struct simrng *r, const char *prefix, int64_t now_ms, char *out, size_t len)
{
	static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char u[27];
	uint64_t t = now_ms < 0 ? 0 : (uint64_t)now_ms;
	for (int i = 9; i >= 0; i--) {
		u[i] = b32[t & 31];
		t >>= 5;
	}
	for (int i = 10; i < 26; i++)
		u[i] = b32[simrng_next(r) & 31];
	u[26] = '\0';
	snprintf(out, len, "%s%s", prefix, u);
}
