/* SPDX-License-Identifier: MIT */
/* fuzz_file.h: a path for bytes, for the loaders that only take a path.
 *
 * A memfd per slot, created once and rewritten for each input, named through
 * /proc/self/fd: no disk, no temporary files left behind by a crash.
 */
#ifndef VTUI_FUZZ_FILE_H
#define VTUI_FUZZ_FILE_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define FZ_FILE_SLOTS 4

/* The memfd of `slot`, emptied; its path in `path` (32 bytes). Aborts when memfds fail:
 * a fuzzer that cannot write its input tests nothing. */
static inline int fz_file_open(unsigned slot, char path[32])
{
	static int fds[FZ_FILE_SLOTS];

	if (!fds[slot]) {
		fds[slot] = memfd_create("vtui-fuzz", MFD_CLOEXEC);
		if (fds[slot] < 0) {
			perror("memfd_create");
			abort();
		}
	}
	if (ftruncate(fds[slot], 0) || lseek(fds[slot], 0, SEEK_SET) < 0) {
		perror("ftruncate");
		abort();
	}
	snprintf(path, 32, "/proc/self/fd/%d", fds[slot]);
	return fds[slot];
}

/* Put `len` bytes into the memfd of `slot`; its path goes to `path`. */
static inline void fz_file_put(unsigned slot, const uint8_t *data, size_t len, char path[32])
{
	int fd = fz_file_open(slot, path);

	while (len) {
		ssize_t n = write(fd, data, len);
		if (n <= 0) {
			perror("write");
			abort();
		}
		data += n;
		len -= (size_t)n;
	}
}

#endif
