/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_hdr.c -- building and checking the pool header.
 */
#include <elf.h>
#include <errno.h>
#include <stdalign.h>
#include <string.h>
#include <sys/random.h>

#include "checksum.h"
#include "out.h"
#include "pool_hdr.h"

int
pool_uuid_generate(uint8_t uuid[POOL_UUID_LEN])
{
	size_t got = 0;
	while (got < POOL_UUID_LEN) {
		ssize_t n = getrandom(uuid + got, POOL_UUID_LEN - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_sys("getrandom");
		}
		got += (size_t)n;
	}
	/*
	 * PMDK stores the first three text groups little-endian, so the
	 * version nibble lands in byte 7 and the variant bits in byte 8.
	 */
	uuid[7] = (uint8_t)((uuid[7] & 0x0F) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3F) | 0x80);
	return 0;
}

/* Nibble i holds (alignment - 1) of the i-th type, as PMDK packs it. */
#define ALIGN_NIBBLE(type, i) ((uint64_t)(alignof(type) - 1) << (4 * (i)))

static void
host_arch_flags(struct arch_flags *arch)
{
	memset(arch, 0, sizeof(*arch));
	arch->alignment_desc = ALIGN_NIBBLE(char, 0) |
		ALIGN_NIBBLE(short, 1) | ALIGN_NIBBLE(int, 2) |
		ALIGN_NIBBLE(long, 3) | ALIGN_NIBBLE(long long, 4) |
		ALIGN_NIBBLE(size_t, 5) | ALIGN_NIBBLE(off_t, 6) |
		ALIGN_NIBBLE(float, 7) | ALIGN_NIBBLE(double, 8) |
		ALIGN_NIBBLE(long double, 9) | ALIGN_NIBBLE(void *, 10);
	arch->machine_class = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
	arch->data = ELFDATA2LSB;
#if defined(__x86_64__)
	arch->machine = EM_X86_64;
#elif defined(__aarch64__)
	arch->machine = EM_AARCH64;
#elif defined(__riscv)
	arch->machine = EM_RISCV;
#else
#error "unsupported architecture"
#endif
}

size_t
pool_hdr_csum_end(uint32_t incompat)
{
	return (incompat & POOL_FEAT_CKSUM_2K) ? POOL_HDR_CSUM_2K_END :
		POOL_HDR_CSUM_OFF;
}

void
pool_hdr_init(struct pool_hdr *hdr, const char *signature, uint32_t compat,
	uint32_t incompat, uint64_t crtime)
{
	memset(hdr, 0, sizeof(*hdr));
	memcpy(hdr->signature, signature, POOL_HDR_SIG_LEN);
	hdr->major = 1;
	hdr->compat = compat;
	hdr->incompat = incompat;
	/* getrandom cannot fail for 16 bytes once the pool is seeded */
	pool_uuid_generate(hdr->poolset_uuid);
	pool_uuid_generate(hdr->uuid);
	memcpy(hdr->prev_part_uuid, hdr->uuid, POOL_UUID_LEN);
	memcpy(hdr->next_part_uuid, hdr->uuid, POOL_UUID_LEN);
	memcpy(hdr->prev_repl_uuid, hdr->uuid, POOL_UUID_LEN);
	memcpy(hdr->next_repl_uuid, hdr->uuid, POOL_UUID_LEN);
	hdr->crtime = crtime;
	host_arch_flags(&hdr->arch);
	checksum_store(hdr, sizeof(*hdr), POOL_HDR_CSUM_OFF,
		pool_hdr_csum_end(incompat));
}

void
pool_hdr_signature_str(const struct pool_hdr *hdr,
	char out[POOL_HDR_SIG_LEN + 1])
{
	int i;
	for (i = 0; i < POOL_HDR_SIG_LEN && hdr->signature[i] != '\0'; i++) {
		char c = hdr->signature[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? c : '.';
	}
	out[i] = '\0';
}

int
pool_hdr_check(const struct pool_hdr *hdr, const char *signature,
	const char *path, bool *rdonly)
{
	*rdonly = false;
	if (hdr->major == 0)
		return err_set(EINVAL, "%s: invalid major version (0)", path);
	if (memcmp(hdr->signature, signature, POOL_HDR_SIG_LEN) != 0) {
		char sig[POOL_HDR_SIG_LEN + 1];
		pool_hdr_signature_str(hdr, sig);
		return err_set(EINVAL,
			"%s: not a pmemblk pool: wrong pool type: \"%s\"",
			path, sig);
	}
	if (hdr->major != 1)
		return err_set(EINVAL,
			"%s: pool version %u (library expects 1)", path,
			hdr->major);

	uint32_t unknown = hdr->incompat & ~POOL_FEAT_INCOMPAT_KNOWN;
	if (unknown)
		return err_set(EINVAL,
			"%s: unsafe to continue due to unknown incompat features: 0x%x",
			path, unknown);
	if (hdr->ro_compat & ~POOL_FEAT_RO_COMPAT_KNOWN)
		*rdonly = true;

	if (!checksum_valid(hdr, sizeof(*hdr), POOL_HDR_CSUM_OFF,
			pool_hdr_csum_end(hdr->incompat)))
		return err_set(EINVAL, "%s: invalid checksum of pool header",
			path);

	struct arch_flags host;
	host_arch_flags(&host);
	if (memcmp(&hdr->arch, &host, sizeof(host)) != 0)
		return err_set(EINVAL,
			"%s: wrong architecture flags (pool made on another platform)",
			path);
	return 0;
}

bool
pool_hdr_sds_dirty(const struct pool_hdr *hdr)
{
	static const struct shutdown_state zero;
	return memcmp(&hdr->sds, &zero, sizeof(zero)) != 0;
}

bool
pool_hdr_sds_outside_csum(const struct pool_hdr *hdr)
{
	return pool_hdr_csum_end(hdr->incompat) <=
		offsetof(struct pool_hdr, sds);
}

void
pool_hdr_set_links(struct pool_hdr *hdr,
	const uint8_t poolset_uuid[POOL_UUID_LEN],
	const uint8_t prev_part[POOL_UUID_LEN],
	const uint8_t next_part[POOL_UUID_LEN],
	const uint8_t part0[POOL_UUID_LEN])
{
	memcpy(hdr->poolset_uuid, poolset_uuid, POOL_UUID_LEN);
	memcpy(hdr->prev_part_uuid, prev_part, POOL_UUID_LEN);
	memcpy(hdr->next_part_uuid, next_part, POOL_UUID_LEN);
	memcpy(hdr->prev_repl_uuid, part0, POOL_UUID_LEN);
	memcpy(hdr->next_repl_uuid, part0, POOL_UUID_LEN);
	checksum_store(hdr, sizeof(*hdr), POOL_HDR_CSUM_OFF,
		pool_hdr_csum_end(hdr->incompat));
}

static bool
uuid_eq(const uint8_t a[POOL_UUID_LEN], const uint8_t b[POOL_UUID_LEN])
{
	return memcmp(a, b, POOL_UUID_LEN) == 0;
}

/* What part k (k >= 1) must share with part 0. */
static int
check_same_pool(const struct pool_hdr *h0, const struct pool_hdr *h,
	const char *path)
{
	if (!uuid_eq(h->poolset_uuid, h0->poolset_uuid))
		return err_set(EINVAL, "%s: wrong pool set UUID", path);
	if (h->major != h0->major || h->compat != h0->compat ||
			h->incompat != h0->incompat ||
			h->ro_compat != h0->ro_compat)
		return err_set(EINVAL,
			"%s: features differ from those of the first part", path);
	return 0;
}

int
pool_hdr_check_set(const struct pool_hdr *hdrs, unsigned n, bool singlehdr,
	const char *signature, const char *const paths[], bool *rdonly)
{
	*rdonly = false;
	for (unsigned k = 0; k < n; k++) {
		bool ro;
		if (pool_hdr_check(&hdrs[k], signature, paths[k], &ro) != 0)
			return -1;
		*rdonly |= ro;
		if (k > 0 && check_same_pool(&hdrs[0], &hdrs[k], paths[k]) != 0)
			return -1;
	}
	for (unsigned k = 0; k < n; k++) {
		const struct pool_hdr *h = &hdrs[k];
		const struct pool_hdr *prev = &hdrs[(k + n - 1) % n];
		const struct pool_hdr *next = &hdrs[(k + 1) % n];
		if (!uuid_eq(h->prev_part_uuid, prev->uuid) ||
				!uuid_eq(h->next_part_uuid, next->uuid))
			return n == 1 ?
				err_set(EINVAL,
					"%s: wrong part UUID (a part of a pool set cannot be opened alone)",
					paths[k]) :
				err_set(EINVAL,
					"%s: wrong part UUID (not part %u of this pool set)",
					paths[k], k);
		if (!uuid_eq(h->prev_repl_uuid, hdrs[0].uuid) ||
				!uuid_eq(h->next_repl_uuid, hdrs[0].uuid))
			return err_set(EINVAL, "%s: wrong replica UUID", paths[k]);
	}
	bool hdr_single = (hdrs[0].incompat & POOL_FEAT_SINGLEHDR) != 0;
	if (hdr_single != singlehdr)
		return err_set(EINVAL,
			"%s: pool set options (%s) do not match incompat feature flags (0x%x)",
			paths[0], singlehdr ? "SINGLEHDR" : "none",
			hdrs[0].incompat);
	return 0;
}
