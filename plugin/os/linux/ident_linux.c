/* ident_linux.c - how a Linux file identity is written for people. */
#include "linux.h"

#include <stdio.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

void fs_id_dev_str(fs_id id, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%u", major((dev_t)id.dev), minor((dev_t)id.dev));
}
