/*
 * floor.c - the benchmark floor: reads every /proc/PID/maps once,
 * single-threaded, with large reads, and does nothing with the text.
 * Any tool answering the in-use question must at least do this.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	static char buf[1 << 20];
	DIR *d = opendir("/proc");
	struct dirent *de;
	unsigned long long bytes = 0, files = 0;

	if (!d)
		return 1;
	while ((de = readdir(d))) {
		char path[300];
		ssize_t n;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/maps", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		while ((n = read(fd, buf, sizeof buf)) > 0)
			bytes += (unsigned long long)n;
		close(fd);
		files++;
	}
	closedir(d);
	printf("%llu maps files, %llu bytes\n", files, bytes);
	return 0;
}
