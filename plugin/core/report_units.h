/* report_units.h - the units of a report's processes, and what to restart
 * by unit (report_units.c). */
#ifndef FS_REPORT_UNITS_H
#define FS_REPORT_UNITS_H

#include "forksafe.h"
#include "json.h"

#include <stdio.h>

/* The units of r's processes from their cgroups (fs_report()). */
void fs_report_units(fs_report_result *r);
/* " [x.service]", " [user 1000: x.service]"... after a process, for people. */
void fs_unit_text(FILE *f, const fs_unit *u);
/* "unit", "unit_type" and "unit_uid" of a process. */
void fs_unit_json(fs_json *j, const fs_unit *u);
/* What to restart, by unit: lines for people, and the "units" member. */
int fs_units_write_text(const fs_report_result *r, FILE *f);
int fs_units_json(fs_json *j, const fs_report_result *r);

#endif
