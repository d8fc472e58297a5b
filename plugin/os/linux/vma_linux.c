/*
 * vma_linux.c - a process's mappings of files asked one at a time of the
 * kernel (PROCMAP_QUERY, an ioctl on an open /proc/PID/maps, Linux 6.11+),
 * instead of read as maps text.
 *
 * The text names every mapping (the kernel builds each path, for every
 * region of every file); a query gives a mapping's identity without its
 * name, and its name only when asked.  A scan asks the name of a file once
 * per process, and never of files it does not look for.  The name comes as
 * the bytes of the path (a newline is a newline, not "\012"), with
 * " (deleted)" appended when the mapped name was removed, as in the text.
 *
 * The structure is the kernel's ABI (include/uapi/linux/fs.h), declared
 * here because the C library's kernel headers may predate it.
 */
#define _GNU_SOURCE
#include "linux.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

struct vma_query {
	uint64_t size;          /* of this structure */
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;     /* out */
	uint64_t vma_end;       /* out */
	uint64_t vma_flags;     /* out */
	uint64_t vma_page_size; /* out */
	uint64_t vma_offset;    /* out */
	uint64_t inode;         /* out */
	uint32_t dev_major;     /* out */
	uint32_t dev_minor;     /* out */
	uint32_t vma_name_size; /* in: room at vma_name_addr; out: bytes with NUL */
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};

_Static_assert(sizeof(struct vma_query) == 104, "struct procmap_query is 104 bytes");

#define VMA_QUERY _IOWR('f', 17, struct vma_query)
#define COVERING_OR_NEXT 0x10
#define FILE_BACKED 0x20

int fs_vma_query(int maps_fd, uint64_t addr, fs_vma *out, char *name, size_t size)
{
	struct vma_query q;

	memset(&q, 0, sizeof q);
	q.size = sizeof q;
	q.query_flags = COVERING_OR_NEXT | FILE_BACKED;
	q.query_addr = addr;
	if (name) {
		if (size < 2 || size > UINT32_MAX) {
			errno = EINVAL;
			return -1;
		}
		q.vma_name_size = (uint32_t)size;
		q.vma_name_addr = (uint64_t)(uintptr_t)name;
	}
	if (ioctl(maps_fd, VMA_QUERY, &q) < 0)
		return errno == ENOENT ? 0 : -1;
	if (q.vma_end <= addr || q.vma_start >= q.vma_end) {
		errno = EIO; /* not what the kernel's contract says */
		return -1;
	}
	out->id.dev = (unsigned long long)makedev(q.dev_major, q.dev_minor);
	out->id.ino = q.inode;
	out->start = q.vma_start;
	out->end = q.vma_end;
	out->name_len = 0;
	out->deleted = 0;
	if (!name)
		return 1;
	if (q.vma_name_size == 0 || q.vma_name_size > size || name[q.vma_name_size - 1] != '\0') {
		errno = EIO;
		return -1;
	}
	out->name_len = q.vma_name_size - 1;
	out->deleted = fs_name_deleted(name, &out->name_len);
	return 1;
}
