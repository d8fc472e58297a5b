/*
 * gen.h - forksafe-gen: the build-time program that writes forksafe's man
 * pages and bash completion from the CLI's tables (../table.c) and the
 * configuration's keys (fs_config_keys), so none of them can drift from
 * what forksafe parses.  Built for the build machine, never installed.
 */
#ifndef FS_GEN_H
#define FS_GEN_H

#include "../cli.h"

#include <stdio.h>

/* forksafe(1): every command, its options and exit statuses. */
int gen_man1(FILE *f, const char *date);
/* forksafe.conf(5): every key of /etc/forksafe.conf. */
int gen_man5(FILE *f, const char *date);
/* The bash completion function _forksafe. */
int gen_bash(FILE *f);

#endif
