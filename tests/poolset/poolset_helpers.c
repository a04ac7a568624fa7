/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset_helpers.c -- pool set files and child processes for the tests.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pattern.h"
#include "poolset_helpers.h"

static char *scratch;
static pid_t scratch_owner;

static void
scratch_remove(void)
{
	/* a forked child exiting must not delete the parent's files */
	if (scratch != NULL && getpid() == scratch_owner)
		scratch_dir_remove(scratch);
}

const char *
ps_path(const char *fmt, ...)
{
	static char bufs[16][PS_PATH_MAX];
	static unsigned next;
	if (scratch == NULL) {
		scratch = scratch_dir_create("pmemblk-poolset");
		scratch_owner = getpid();
		atexit(scratch_remove);
	}
	char name[PS_PATH_MAX / 2];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	char *buf = bufs[next++ % 16];
	snprintf(buf, PS_PATH_MAX, "%s/%s", scratch, name);
	return buf;
}

void
ps_text_write(const char *path, const char *fmt, ...)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		UT_FAIL("fopen %s: %s", path, strerror(errno));
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) != 0)
		UT_FAIL("write %s: %s", path, strerror(errno));
}

void
ps_set_write(const char *set, bool singlehdr, unsigned nparts,
	const size_t *sizes, const char *prefix, char parts[][PS_PATH_MAX])
{
	FILE *f = fopen(set, "w");
	if (f == NULL)
		UT_FAIL("fopen %s: %s", set, strerror(errno));
	fprintf(f, "PMEMPOOLSET\n");
	if (singlehdr)
		fprintf(f, "OPTION SINGLEHDR\n");
	for (unsigned k = 0; k < nparts; k++) {
		const char *part = ps_path("%s%u", prefix, k);
		fprintf(f, "%zu %s\n", sizes[k], part);
		if (parts != NULL)
			snprintf(parts[k], PS_PATH_MAX, "%s", part);
	}
	if (fclose(f) != 0)
		UT_FAIL("write %s: %s", set, strerror(errno));
}

/* The whole contents of an open file, from offset 0, NUL-terminated. */
static char *
slurp(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	if (buf == NULL)
		UT_FAIL("out of memory");
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2 && (buf = realloc(buf, cap *= 2)) == NULL)
			UT_FAIL("out of memory");
	}
	buf[len] = '\0';
	return buf;
}

static int
capture_fd(void)
{
	char name[] = "/tmp/pmemblk-ps-out-XXXXXX";
	int fd = mkstemp(name);
	if (fd < 0)
		UT_FAIL("mkstemp: %s", strerror(errno));
	unlink(name);
	return fd;
}

int
ps_run(const char *const argv[], const struct ps_env *env, size_t nenv,
	char **out, char **err)
{
	int out_fd = capture_fd(), err_fd = capture_fd();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		UT_FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		for (size_t i = 0; i < nenv; i++) {
			if (env[i].value != NULL)
				setenv(env[i].name, env[i].value, 1);
			else
				unsetenv(env[i].name);
		}
		dup2(out_fd, STDOUT_FILENO);
		dup2(err_fd, STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "execv %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			UT_FAIL("waitpid: %s", strerror(errno));
	char *o = slurp(out_fd), *e = slurp(err_fd);
	close(out_fd);
	close(err_fd);
	if (out != NULL)
		*out = o;
	else
		free(o);
	if (err != NULL)
		*err = e;
	else
		free(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) :
		128 + WTERMSIG(status);
}

const char *
ps_self(void)
{
	static char self[PATH_MAX];
	if (self[0] == '\0') {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			UT_FAIL("readlink /proc/self/exe: %s", strerror(errno));
		self[n] = '\0';
	}
	return self;
}

const char *
ps_need_env(const char *name)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0') {
		printf("SKIP: %s not set (run through ctest)\n", name);
		exit(77);
	}
	return v;
}

struct ps_env
ps_lib_env(enum ps_lib lib)
{
	struct ps_env e = {"LD_LIBRARY_PATH", NULL};
	if (lib == PS_OURS)
		e.value = ps_need_env("OURS_LIBDIR");
	return e;
}

unsigned long long
ps_file_allocated(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		UT_FAIL("stat %s: %s", path, strerror(errno));
	return (unsigned long long)st.st_blocks * 512;
}
