/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * line_transfer.c -- how long one cache line takes to travel from one core
 * to another on this machine.
 *
 * Two threads take turns incrementing one counter: each waits until the
 * other's increment arrives, so every step is one transfer of the line.
 * The figure bounds what any hand-off between threads costs (a queue slot,
 * a completion flag): the async benchmark's threads mover pays a few of
 * these per operation on the polling thread (bench/README.md).
 *
 * usage: line_transfer [ROUND_TRIPS]   (default 2000000)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(64) atomic_ulong turn;
static unsigned long round_trips = 2000000;

/* Waits for `value`, then passes the turn on with value + 1. */
static void
take_turn(unsigned long value)
{
	while (atomic_load_explicit(&turn, memory_order_acquire) != value)
		;
	atomic_store_explicit(&turn, value + 1, memory_order_release);
}

static void *
partner(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; i < round_trips; i++)
		take_turn(2 * i + 1);
	return NULL;
}

static double
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int
main(int argc, char *argv[])
{
	if (argc > 1 && (round_trips = strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: %s [ROUND_TRIPS]\n", argv[0]);
		return 2;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, partner, NULL) != 0) {
		perror("pthread_create");
		return 1;
	}
	double start = now_ns();
	for (unsigned long i = 0; i < round_trips; i++)
		take_turn(2 * i);
	take_turn(2 * round_trips);	/* the partner's last step arrived */
	double elapsed = now_ns() - start;
	pthread_join(t, NULL);
	printf("one-way cache line transfer: %.0f ns (%lu round trips)\n",
		elapsed / (2.0 * round_trips), round_trips);
	return 0;
}
