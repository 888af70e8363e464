/* The drill-down screen for one fax: every field, the attempts table, the
 * resend links, its event history and (toggle) the raw JSON. Lines are
 * produced in order and only those in the visible window are drawn. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/options.h"
#include "core/base/errors.h"
#include "core/wire/event_parse.h"
#include "core/store/triage.h"
#include "tui/panes/pane.h"
#include "tui/render.h"
#include "tui/session.h"
#include "tui/state.h"
#include "tui/worklist.h"
#include "tui/widgets/format.h"

/* The detail screen's own state. */
struct detail {
	bool raw; /* the raw JSON instead of the fields */
};

struct lines {
	struct tui *t;
	struct rect r;
	int scroll, n;
};

static void emit(struct lines *l, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void emit(struct lines *l, enum tui_role role, const char *fmt, ...)
{
	int row = l->n++ - l->scroll;
	char buf[1024];
	va_list ap;

	if (row < 0 || row >= l->r.h)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	render_text(l->t, l->r.y + row, l->r.x, l->r.w, role, buf);
}

static void field(struct lines *l, const char *name, const char *value)
{
	emit(l, ROLE_NORMAL, "%-16s %s", name, value && *value ? value : "-");
}

static void field_ts(struct lines *l, const char *name, int64_t ms)
{
	char buf[32];

	fmt_timestamp(ms, buf, sizeof buf);
	field(l, name, buf);
}

static void raw_json(struct lines *l, const struct fax *f)
{
	char *json = wire_fax_to_json(f), line[1024];
	size_t len = 0;
	int indent = 0;
	bool in_str = false, esc = false;

	if (!json) {
		emit(l, ROLE_ERROR, "(could not serialise this fax)");
		return;
	}
#define FLUSH()                                                     \
	do {                                                        \
		line[len] = '\0';                                   \
		if (len)                                            \
			emit(l, ROLE_NORMAL, "%s", line);           \
		len = 0;                                            \
		for (int i_ = 0; i_ < indent * 2 && len < 64; i_++) \
			line[len++] = ' ';                          \
	} while (0)
	for (const char *p = json; *p; p++) {
		char c = *p;

		if (len > sizeof line - 8)
			FLUSH();
		if (in_str) {
			line[len++] = c;
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			line[len++] = c;
			break;
		case '{':
		case '[':
			line[len++] = c;
			indent++;
			FLUSH();
			break;
		case '}':
		case ']':
			indent--;
			FLUSH();
			line[len++] = c;
			break;
		case ',':
			line[len++] = c;
			FLUSH();
			break;
		case ':':
			line[len++] = ':';
			line[len++] = ' ';
			break;
		case ' ':
		case '\n':
			break;
		default:
			line[len++] = c;
		}
	}
	indent = 0;
	FLUSH();
#undef FLUSH
	free(json);
}

/* The fields an operator reads first: what, where, how it went, when. */
static void details_head(struct lines *l, const struct model_fax *mf, int64_t now)
{
	struct tui *t = l->t;
	const struct fax *f = &mf->fax;
	const struct fax_code_info *info = f->error_code ? errors_fax_code(f->error_code) : NULL;
	const char *word;
	enum tui_role srole;
	const char *sym = fax_state_symbol(t, mf, &word, &srole);
	int64_t since = worklist_state_since(mf);
	bool stuck = worklist_stuck(mf, now, t->cfg ? t->cfg->stuck_after * 1000LL : 0);
	char buf[512], age[24], in_state[24];

	emit(l, srole, "%s %s", sym, word);
	field(l, "id", f->id);
	field(l, "to", f->to);
	snprintf(buf, sizeof buf, "%d", f->pages);
	field(l, "pages", f->pages >= 0 ? buf : NULL);
	snprintf(buf, sizeof buf, "%zu of %d", f->n_attempts, f->max_attempts);
	field(l, "attempts", buf);
	worklist_trail(f, t->term.utf8 ? "\u203a" : ">", buf, sizeof buf);
	if (*buf)
		field(l, "trail", buf);
	if (info) {
		emit(l, info->cls == CODE_TERMINAL ? ROLE_CODE_TERMINAL : ROLE_CODE_RETRYABLE,
		     "%-16s %s%s%s%s (%s)", "error code",
		     info->cls == CODE_TERMINAL ? t->term.g->terminal : "", f->error_code,
		     f->error_subcode ? "/" : "", f->error_subcode ? f->error_subcode : "",
		     errors_class_name(info->cls));
		field(l, "  meaning", info->meaning);
		field(l, "  action", info->action);
		field(l, "  message", f->error_message);
	}
	if (mf->anomalies)
		emit(l, ROLE_LOG_ANOMALY, "%-16s %u (%s)", "anomalies", mf->anomalies,
		     mf->anomaly ? mf->anomaly : "");
	fmt_age(f->created_at != TS_NONE ? now - f->created_at : TS_NONE, age, sizeof age);
	fmt_age(since != TS_NONE ? now - since : TS_NONE, in_state, sizeof in_state);
	emit(l, stuck ? ROLE_WARN : ROLE_NORMAL, "%-16s %s, %s in this state%s", "age", age,
	     in_state, stuck ? " (stuck)" : "");
	field_ts(l, "created", f->created_at);
	field_ts(l, "submitted", f->submitted_at);
	field_ts(l, "completed", f->completed_at);
	field_ts(l, "updated", f->updated_at);
	for (size_t i = 0; i < f->n_tags; i++) {
		snprintf(buf, sizeof buf, "%s=%s", f->tags[i].key ? f->tags[i].key : "",
			 f->tags[i].value ? f->tags[i].value : "");
		field(l, i == 0 ? "tags" : "", buf);
	}
}

/* The original and the resends, with the keys that open them. */
static void details_links(struct lines *l, const struct model_fax *mf)
{
	struct tui *t = l->t;
	const struct fax *f = &mf->fax;
	char keys[64];

	if (f->resent_from) {
		const struct model_fax *o = model_get(t->m, f->resent_from);

		if (!keymap_keys_for(t->km, ACT_ORIGINAL, keys, sizeof keys))
			snprintf(keys, sizeof keys, "-");
		emit(l, ROLE_TITLE, "resent from %s (%s; %s opens it)", f->resent_from,
		     o ? fax_status_name(o->fax.status) : "not in view", keys);
	}
	if (mf->n_resends) {
		if (!keymap_keys_for(t->km, ACT_NEXT_RESEND, keys, sizeof keys))
			snprintf(keys, sizeof keys, "-");
		emit(l, ROLE_TITLE, "resends of this fax (%s walks the chain):", keys);
		for (size_t i = 0; i < mf->n_resends; i++) {
			const struct model_fax *o = model_get(t->m, mf->resends[i]);

			emit(l, ROLE_NORMAL, "  %s %s", mf->resends[i],
			     o ? fax_status_name(o->fax.status) : "");
		}
	}
}

/* What the operators did about a failed fax, and who: the dismissal (with
 * its note) and the newest resend, from this desk or another. */
static void details_case(struct lines *l, const struct model_fax *mf)
{
	struct tui *t = l->t;
	struct triage_info ti;
	struct triage_who w;
	char when[32], buf[400];

	triage_of(t->act.triage, t->m, mf, &ti);
	if (ti.state == TRIAGE_NONE || !ti.orig)
		return;
	triage_who(t->act.triage, ti.orig->fax.id, &w);
	snprintf(buf, sizeof buf, "%s", triage_state_name(ti.state));
	field(l, "case", buf);
	if (ti.state == TRIAGE_DISMISSED) {
		fmt_timestamp(w.dismissed_at_ms, when, sizeof when);
		snprintf(buf, sizeof buf, "by %s at %s%s%s", w.dismissed_by ? w.dismissed_by : "?",
			 when, ti.note ? ": " : "", ti.note ? ti.note : "");
		field(l, "  dismissed", buf);
	}
	if (w.resent_by) {
		fmt_timestamp(w.resent_at_ms, when, sizeof when);
		snprintf(buf, sizeof buf, "by %s at %s", w.resent_by, when);
		field(l, "  resent", buf);
	}
}

static void details_attempts(struct lines *l, const struct fax *f)
{
	emit(l, ROLE_TITLE, "attempts (%zu)", f->n_attempts);
	if (!f->n_attempts)
		return;
	emit(l, ROLE_COLUMN,
	     " #  started              completed            duration  code/subcode  message");
	for (size_t i = 0; i < f->n_attempts; i++) {
		const struct fax_attempt *a = &f->attempts[i];
		char st[32], done[32], dur[24], code[160];

		fmt_timestamp(a->started_at, st, sizeof st);
		fmt_timestamp(a->completed_at, done, sizeof done);
		fmt_duration(a->duration_ms, dur, sizeof dur);
		snprintf(code, sizeof code, "%s%s%s", a->error_code ? a->error_code : "-",
			 a->error_subcode ? "/" : "", a->error_subcode ? a->error_subcode : "");
		emit(l, a->error_code ? ROLE_FAX_FAILED : ROLE_NORMAL,
		     "%2d  %-19s  %-19s  %-8s  %-13s %s", a->number, st,
		     a->completed_at == TS_NONE ? "in progress" : done, dur, code,
		     a->error_message ? a->error_message : "");
	}
}

static void details_events(struct lines *l, const struct fax *f, int64_t now)
{
	const struct model *m = l->t->m;
	size_t nlog = model_log_count(m), shown = 0;

	emit(l, ROLE_TITLE, "event history (newest first)");
	for (size_t i = 0; i < nlog; i++) {
		const struct model_log_entry *e = model_log_at(m, i);
		char when[32];

		if (!f->id || strcmp(e->fax_id, f->id) != 0)
			continue;
		fmt_when(e->at_ms, now, when, sizeof when);
		emit(l, e->outcome == APPLY_OK ? ROLE_NORMAL : ROLE_WARN,
		     "  %-11s %-20s %-8s %-9s %s", when, e->type, event_source_name(e->source),
		     apply_outcome_name(e->outcome), e->detail);
		shown++;
	}
	if (!shown)
		emit(l, ROLE_DIM, "  (none in the event log)");
}

/* Fields rarely set or rarely needed come last. */
static void details_rare(struct lines *l, const struct model_fax *mf)
{
	const struct fax *f = &mf->fax;
	char buf[64];

	field(l, "csid", f->csid);
	field(l, "page size", f->page_size);
	field(l, "resolution", f->resolution);
	field(l, "optimize for", f->optimize_for);
	field(l, "webhook url", f->webhook_url);
	field(l, "idempotency key", f->idempotency_key);
	fmt_timestamp(mf->last_update_ms, buf, sizeof buf);
	emit(l, ROLE_DIM, "%-16s %s via %s", "last change", buf,
	     event_source_name(mf->last_source));
}

static void details(struct lines *l, const struct model_fax *mf)
{
	int64_t now = tui_now_ms(l->t);

	details_head(l, mf, now);
	emit(l, ROLE_NORMAL, " ");
	details_links(l, mf);
	details_case(l, mf);
	details_attempts(l, &mf->fax);
	emit(l, ROLE_NORMAL, " ");
	details_events(l, &mf->fax, now);
	emit(l, ROLE_NORMAL, " ");
	details_rare(l, mf);
}

static void detail_draw(struct tui *t, struct pane *p, const struct rect *r, bool focused)
{
	const struct model_fax *mf = model_get(t->m, t->detail_id);
	const struct detail *d = p->priv;
	int page = t->layout.body.h > 3 ? t->layout.body.h - 3 : 1;
	char crumbs[256];
	struct rect in;
	struct lines l;

	snprintf(crumbs, sizeof crumbs, "faxes > %s%s", t->detail_id, d->raw ? " > raw JSON" : "");
	(void)focused;
	in = render_box(t, r, crumbs, render_border_role(t, true));
	if (in.h < 1 || in.w < 4)
		return;
	l = (struct lines){ .t = t, .r = in, .scroll = p->sc.off, .n = 0 };
	if (!mf) {
		emit(&l, ROLE_DIM, "this fax is not in the model (yet)");
		return;
	}
	if (d->raw)
		raw_json(&l, &mf->fax);
	else
		details(&l, mf);
	/* Down goes on while a line is left; End shows the last page. */
	p->sc.max = l.n > 0 ? l.n - 1 : 0;
	p->sc.end = l.n > page ? l.n - page : 0;
	if (l.n > in.h)
		render_textf(t, r->y + r->h - 1, r->x + r->w - 20, 18, ROLE_BORDER, " %d-%d/%d ",
			     l.scroll + 1, l.scroll + in.h < l.n ? l.scroll + in.h : l.n, l.n);
}

void detail_open(struct tui *t, const char *fax_id)
{
	struct pane *p = &t->screen_pane[SCREEN_DETAIL];

	snprintf(t->detail_id, sizeof t->detail_id, "%s", fax_id);
	t->screen = SCREEN_DETAIL;
	p->sc.off = 0;
	((struct detail *)p->priv)->raw = false;
	if (t->act.refresh)
		(*t->act.refresh)(t->act.ctx, t->detail_id);
}

/* o: the original of the fax shown; O: the next fax of its resend chain. */
static void detail_jump(struct tui *t, enum tui_action a)
{
	const struct model_fax *mf = model_get(t->m, t->detail_id);
	const char *to;

	if (!mf) {
		tui_flash(t, true, "this fax is not in the model");
		return;
	}
	if (a == ACT_ORIGINAL) {
		to = mf->fax.resent_from;
		if (!to || !*to) {
			tui_flash(t, true,
				  "this fax is an original: it was not resent from another");
			return;
		}
		if (!model_get(t->m, to)) {
			tui_flash(t, true, "its original %s is not in the model", to);
			return;
		}
	} else if (!(to = worklist_chain_next(t->m, t->detail_id))) {
		tui_flash(t, true,
			  mf->n_resends || mf->fax.resent_from ? "the last fax of this resend chain"
							       : "this fax has no resends");
		return;
	}
	detail_open(t, to);
}

static bool detail_action(struct tui *t, struct pane *p, enum tui_action a)
{
	struct detail *d = p->priv;
	int page = t->layout.body.h > 3 ? t->layout.body.h - 3 : 1;

	switch (a) {
	case ACT_RAW:
		d->raw = !d->raw;
		p->sc.off = 0;
		return true;
	case ACT_ORIGINAL:
	case ACT_NEXT_RESEND:
		detail_jump(t, a);
		return true;
	default:
		return scroller_action(&p->sc, a, page);
	}
}

bool detail_back(struct tui *t)
{
	struct pane *p = &t->screen_pane[SCREEN_DETAIL];
	struct detail *d = p->priv;

	if (!d->raw)
		return false;
	d->raw = false;
	p->sc.off = 0;
	return true;
}

bool detail_showing_raw(const struct tui *t)
{
	const struct detail *d = t->screen_pane[SCREEN_DETAIL].priv;

	return d && d->raw;
}

const struct pane_ops pane_detail = {
	.name = "detail",
	.draw = detail_draw,
	.action = detail_action,
	.priv_size = sizeof(struct detail),
};
