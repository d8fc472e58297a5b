/*
 * forecast.h - the fork verdicts a transaction will leave (forecast.c),
 * judged before anything is replaced: guard's and the hook's warning,
 * plan's lines.  On Linux there is none to make.
 */
#ifndef FS_FORECAST_H
#define FS_FORECAST_H

#include "verdict.h"

/* Each process of the installation's verdict once the transaction has
 * replaced its targets, judged before anything is replaced. */
typedef struct fs_fork_forecast {
	fs_fork_info *now;    /* the verdicts now (its processes, retry) */
	fs_fork_proc *v;      /* after: now->n of them, in now's order */
	size_t count[4];      /* after, by FS_FORK_* */
	char *problem;        /* no forecast could be made: why (else NULL) */
} fs_fork_forecast;

/* The forecast for targets (NULL, as with --all-in-use: none is made) of
 * opts's root: 1 with *out, 0 when there is none to make (Linux, no
 * installation, no targets); -1 with err. */
int fs_fork_predict(const fs_targets *t, const fs_store_opts *opts, fs_fork_forecast **out,
		    fs_err *err);
void fs_fork_forecast_free(fs_fork_forecast *fc);
/* guard's part: the forecast into r->fork; a failure to make one is said
 * there (problem), never fails guard.  -1 only when out of memory. */
int fs_guard_forecast(const fs_targets *t, const fs_store_opts *opts, fs_guard_result *r,
		      fs_err *err);
/* "; fork after it: N will fail, M must restart" for the hook's line (nothing
 * when none will), and guard's member "fork". */
void fs_fork_forecast_text(FILE *f, const fs_fork_forecast *fc);
void fs_fork_forecast_json(fs_json *j, const fs_fork_forecast *fc);
/* plan's lines: the counts, then each process that will fail or must restart. */
void fs_fork_forecast_lines(FILE *f, const fs_fork_forecast *fc);

#endif
