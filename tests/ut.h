/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ut.h -- the few assertion helpers every test uses.
 *
 * A failed check prints where and why, then exits 1, so ctest reports the
 * test as failed. No framework: one header, plain C.
 */
#ifndef PMEMBLK_UT_H
#define PMEMBLK_UT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UT_FAIL(...) do { \
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	exit(1); \
} while (0)

#define UT_ASSERT(cond) do { \
	if (!(cond)) \
		UT_FAIL("assertion failed: %s (errno %d: %s)", #cond, \
			errno, strerror(errno)); \
} while (0)

#define UT_ASSERT_EQ(a, b) do { \
	long long ut_a_ = (long long)(a), ut_b_ = (long long)(b); \
	if (ut_a_ != ut_b_) \
		UT_FAIL("%s == %s: %lld != %lld", #a, #b, ut_a_, ut_b_); \
} while (0)

/* A call that must fail with the given errno. */
#define UT_ASSERT_ERR(expr, err) do { \
	errno = 0; \
	long long ut_r_ = (long long)(expr); \
	if (ut_r_ != -1 || errno != (err)) \
		UT_FAIL("%s: returned %lld errno %d (%s), expected -1 errno %d", \
			#expr, ut_r_, errno, strerror(errno), (err)); \
} while (0)

#endif
