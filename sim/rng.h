/* A small seeded random generator (splitmix64). Independent streams are
 * derived from (seed, stream) so that, for instance, chaos decisions never
 * shift the traffic a seed produces. */
#ifndef FAXTOP_SIM_RNG_H
#define FAXTOP_SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

struct simrng {
	uint64_t state;
};

void simrng_seed(struct simrng *r, uint64_t seed, uint64_t stream);
uint64_t simrng_next(struct simrng *r);
double simrng_unit(struct simrng *r); /* [0, 1) */
/* Uniform in [lo, hi]; lo when hi < lo. */
int64_t simrng_range(struct simrng *r, int64_t lo, int64_t hi);
double simrng_exp(struct simrng *r, double mean); /* exponential */
/* prefix + 22 base62 characters ("fax_8aZq…"); out needs strlen(prefix)+23. */
void simrng_id(struct simrng *r, const char *prefix, char *out, size_t len);
/* prefix + a 26-character ULID (48-bit ms time, 80 random bits). */
void simrng_ulid(struct simrng *r, const char *prefix, int64_t now_ms, char *out, size_t len);

#endif
