/*
 * render_hook.c - the one line each package-manager hook prints, in the
 * style of pacman's hook output (docs/hooks.md).
 */
#include "forksafe.h"
#include "forecast.h"

static const char *s_(size_t n) { return n == 1 ? "" : "s"; }
static const char *es(size_t n) { return n == 1 ? "" : "es"; }

int fs_guard_write_summary(const fs_guard_result *r, FILE *f)
{
	size_t kept = r->kept.n + r->already_kept;

	if (r->in_use == 0)
		fputs("forksafe: no file of this transaction is in use", f);
	else
		fprintf(f, "forksafe: kept %zu in-use file%s for running processes", kept,
			s_(kept));
	if (r->runtime_in_use)
		fputs("; the runtime DLL is in use and never kept (its users must restart if it "
		      "changes)", f);
	if (r->failed)
		fprintf(f, "; %zu could not be kept (forksafe status)", r->failed);
	if (!r->complete)
		fprintf(f, "; %zu process%s could not be read", r->unreadable, es(r->unreadable));
	fs_fork_forecast_text(f, r->fork); /* Cygwin/MSYS2 only */
	putc('\n', f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int fs_guard_write_skipped(const fs_guard_result *r, FILE *f, size_t max)
{
	for (size_t i = 0; i < r->nskipped && i < max; i++)
		fs_text_line(f, "forksafe: warning: skipped %s: %s", r->skipped[i].request,
			     r->skipped[i].problem);
	if (r->nskipped > max)
		fprintf(f, "forksafe: warning: %zu more target%s skipped (forksafe guard --json "
			"lists them)\n", r->nskipped - max, s_(r->nskipped - max));
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int fs_post_write_summary(const fs_retire_result *rt, const fs_report_result *rp, FILE *f)
{
	size_t held = 0, alone = rt->nleftovers_failed;

	for (size_t i = 0; i < rt->n; i++) {
		held += rt->v[i].kept;
		alone += rt->v[i].problem != NULL;
	}
	if (held)
		fprintf(f, "forksafe: %zu replaced file%s kept for running processes", held,
			s_(held));
	else
		fputs("forksafe: no replaced file needs keeping", f);
	if (alone)
		fprintf(f, "; %zu left alone (forksafe retire)", alone);
	/* the root's files only: a container's own are not the transaction's */
	if (rp && rp->root_affected) {
		size_t n = rp->root_affected;

		fprintf(f, "; %zu process%s run%s replaced images", n, es(n), n == 1 ? "s" : "");
		if (rp->root_must_restart)
			fprintf(f, ", %zu must restart", rp->root_must_restart);
		fputs(" (forksafe report)", f);
	}
	putc('\n', f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
