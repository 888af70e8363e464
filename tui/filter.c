#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/model/event.h"
#include "core/model/model.h"
#include "core/store/triage.h"
#include "tui/filter.h"

#define FILTER_MAX_TERMS 32
#define FILTER_MAX_EXPR  1024

void filter_init(struct filter *f)
{
	memset(f, 0, sizeof *f);
}

static void term_done(struct filter_term *t)
{
	for (size_t i = 0; i < t->n_values; i++)
		free(t->values[i]);
	free(t->values);
	free(t->tag_value);
}

void filter_done(struct filter *f)
{
	const struct model *m = f->m;
	const struct triage *tr = f->tr;

	for (size_t i = 0; i < f->n; i++)
		term_done(&f->terms[i]);
	free(f->terms);
	free(f->expr);
	filter_init(f);
	f->m = m; /* not owned: what state: reads stays */
	f->tr = tr;
}

bool filter_empty(const struct filter *f)
{
	return f->n == 0;
}

/* Splits on whitespace, honouring double quotes; returns the number of words
 * or -1. Words point into buf. */
static int split_words(char *buf, char **words, int max, char *err, size_t errlen)
{
	int n = 0;
	char *p = buf;

	for (;;) {
		char *out;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == max) {
			snprintf(err, errlen, "too many terms (at most %d)", max);
			return -1;
		}
		words[n++] = out = p;
		bool quoted = false;

		while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
			if (*p == '"') {
				quoted = !quoted;
				p++;
				continue;
			}
			*out++ = *p++;
		}
		if (quoted) {
			snprintf(err, errlen, "unterminated quote");
			return -1;
		}
		if (*p)
			p++;
		*out = '\0';
	}
}

static int add_value(struct filter_term *t, const char *v)
{
	char **nv = realloc(t->values, (t->n_values + 1) * sizeof *nv);

	if (!nv)
		return -1;
	t->values = nv;
	if (!(t->values[t->n_values] = strdup(v)))
		return -1;
	t->n_values++;
	return 0;
}

static int parse_status(struct filter_term *t, char *v, char *err, size_t errlen)
{
	char *save = NULL;

	for (char *s = strtok_r(v, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		enum fax_status st;

		if (strcasecmp(s, "retrying") == 0) {
			t->status_mask |= FILTER_STATUS_RETRYING;
			continue;
		}
		if (strcasecmp(s, "active") == 0) {
			t->status_mask |= FILTER_STATUS_ACTIVE;
			continue;
		}
		if (strcasecmp(s, "anomaly") == 0) {
			t->status_mask |= FILTER_STATUS_ANOMALY;
			continue;
		}
		st = fax_status_from_name(s);
		if (st == FAX_STATUS_NONE) {
			snprintf(err, errlen,
				 "status:%s: unknown status (queued, submitted, "
				 "in_progress, delivered, failed, retrying, active, anomaly)",
				 s);
			return -1;
		}
		t->status_mask |= 1u << st;
	}
	if (!t->status_mask) {
		snprintf(err, errlen, "status: needs a value");
		return -1;
	}
	return 0;
}

static int parse_term(struct filter_term *t, char *w, char *err, size_t errlen)
{
	char *colon, *v;

	memset(t, 0, sizeof *t);
	if (*w == '!' && w[1]) {
		t->negate = true;
		w++;
	}
	colon = strchr(w, ':');
	if (!colon || colon == w) {
		t->field = FF_TEXT;
		return add_value(t, w) < 0 ? (snprintf(err, errlen, "out of memory"), -1) : 0;
	}
	*colon = '\0';
	v = colon + 1;
	if (!*v) {
		snprintf(err, errlen, "%s: needs a value", w);
		return -1;
	}
	if (strcasecmp(w, "status") == 0) {
		t->field = FF_STATUS;
		return parse_status(t, v, err, errlen);
	}
	if (strcasecmp(w, "code") == 0) {
		char *save = NULL;

		t->field = FF_CODE;
		for (char *s = strtok_r(v, ",", &save); s; s = strtok_r(NULL, ",", &save))
			if (add_value(t, s) < 0)
				goto oom;
		return 0;
	}
	if (strcasecmp(w, "to") == 0 || strcasecmp(w, "id") == 0) {
		t->field = strcasecmp(w, "to") == 0 ? FF_TO : FF_ID;
		return add_value(t, v) < 0 ? (snprintf(err, errlen, "out of memory"), -1) : 0;
	}
	if (strcasecmp(w, "tag") == 0) {
		char *eq = strchr(v, '=');

		t->field = FF_TAG;
		if (eq) {
			*eq = '\0';
			if (!(t->tag_value = strdup(eq + 1)))
				goto oom;
		}
		if (!*v) {
			snprintf(err, errlen, "tag: needs a key (tag:KEY or tag:KEY=VALUE)");
			return -1;
		}
		return add_value(t, v) < 0 ? (snprintf(err, errlen, "out of memory"), -1) : 0;
	}
	if (strcasecmp(w, "state") == 0) {
		char *save = NULL;

		t->field = FF_STATE;
		for (char *s = strtok_r(v, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
			int st = triage_state_from_name(s);

			if (st <= TRIAGE_NONE) {
				snprintf(err, errlen,
					 "state:%s: unknown state (unresolved, resending, "
					 "resent, dismissed)",
					 s);
				return -1;
			}
			t->status_mask |= 1u << st;
		}
		return 0;
	}
	snprintf(err, errlen, "unknown field '%s' (fields: status state code to tag id)", w);
	return -1;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int filter_parse(struct filter *f, const char *expr, char *err, size_t errlen)
{
	char buf[FILTER_MAX_EXPR], *words[FILTER_MAX_TERMS];
	struct filter nf;
	int n;

	if (!expr)
		expr = "";
	if (strlen(expr) >= sizeof buf) {
		snprintf(err, errlen, "filter too long (at most %d bytes)", FILTER_MAX_EXPR - 1);
		return -1;
	}
	strcpy(buf, expr);
	n = split_words(buf, words, FILTER_MAX_TERMS, err, errlen);
	if (n < 0)
		return -1;
	filter_init(&nf);
	if (n > 0 && !(nf.terms = calloc((size_t)n, sizeof *nf.terms)))
		goto oom;
	for (int i = 0; i < n; i++) {
		char e[160];

		if (parse_term(&nf.terms[i], words[i], e, sizeof e) < 0) {
			nf.n = (size_t)i + 1;
			snprintf(err, errlen, "%s", e);
			filter_done(&nf);
			return -1;
		}
		nf.n = (size_t)i + 1;
		if (nf.terms[i].n_values) {
			struct filter_term *t = &nf.terms[i];
			unsigned char c0 = (unsigned char)t->values[0][0];

			t->len0 = strlen(t->values[0]);
			t->first[0] = (char)tolower(c0);
			t->first[1] = (char)toupper(c0);
			if (t->first[1] == t->first[0])
				t->first[1] = '\0';
		}
	}
	if (!(nf.expr = strdup(expr)))
		goto oom;
	nf.m = f->m;
	nf.tr = f->tr;
	filter_done(f);
	*f = nf;
	return 0;
oom:
	filter_done(&nf);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Case-insensitive substring search: strpbrk finds candidate starts fast,
 * which matters when a filter runs over a million faxes. */
static bool contains(const char *hay, const struct filter_term *t)
{
	if (!hay)
		return false;
	if (!t->len0)
		return true;
	for (const char *p = hay; (p = strpbrk(p, t->first)); p++)
		if (strncasecmp(p, t->values[0], t->len0) == 0)
			return true;
	return false;
}

/* A tag as the list shows it, "key=value": free text typed from the
 * screen finds it. */
static bool tag_pair_match(const struct fax_tag *tag, const struct filter_term *t)
{
	char pair[512];
	int n;

	if (!tag->key || !tag->value || !strchr(t->values[0], '='))
		return false;
	n = snprintf(pair, sizeof pair, "%s=%s", tag->key, tag->value);
	return n > 0 && (size_t)n < sizeof pair && contains(pair, t);
}

static bool text_match(const struct fax *f, const struct filter_term *t)
{
	if (contains(f->id, t) || contains(f->to, t) || contains(f->error_code, t) ||
	    contains(f->error_message, t) || contains(f->csid, t) ||
	    contains(fax_status_name(f->status), t))
		return true;
	for (size_t i = 0; i < f->n_tags; i++)
		if (contains(f->tags[i].key, t) || contains(f->tags[i].value, t) ||
		    tag_pair_match(&f->tags[i], t))
			return true;
	return false;
}

static bool term_match(const struct filter_term *t, const struct model_fax *mf)
{
	const struct fax *f = &mf->fax;

	switch (t->field) {
	case FF_TEXT:
		/* The list shows "retrying" for a fax between attempts. */
		return text_match(f, t) || (mf->retrying && contains("retrying", t));
	case FF_STATUS:
		if ((t->status_mask & FILTER_STATUS_RETRYING) && mf->retrying)
			return true;
		if ((t->status_mask & FILTER_STATUS_ACTIVE) && f->status != FAX_STATUS_NONE &&
		    !fax_status_terminal(f->status))
			return true;
		if ((t->status_mask & FILTER_STATUS_ANOMALY) && mf->anomalies)
			return true;
		return (unsigned)f->status < 28 && (t->status_mask & (1u << f->status));
	case FF_CODE:
		for (size_t i = 0; i < t->n_values; i++) {
			if (strcasecmp(t->values[i], "none") == 0 &&
			    (!f->error_code || !*f->error_code))
				return true;
			if (f->error_code && strcasecmp(f->error_code, t->values[i]) == 0)
				return true;
		}
		return false;
	case FF_TO:
		return contains(f->to, t);
	case FF_ID:
		return contains(f->id, t);
	case FF_STATE:
		return false; /* filter_match: it needs the model and the triage */
	case FF_TAG:
		for (size_t i = 0; i < f->n_tags; i++) {
			if (!f->tags[i].key || strcasecmp(f->tags[i].key, t->values[0]) != 0)
				continue;
			if (!t->tag_value ||
			    (f->tags[i].value && strcasecmp(f->tags[i].value, t->tag_value) == 0))
				return true;
		}
		return false;
	}
	return false;
}

bool filter_match(const struct filter *f, const struct model_fax *mf)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct filter_term *t = &f->terms[i];
		bool hit;

		if (t->field == FF_STATE) {
			struct triage_info ti;

			triage_of(f->tr, f->m, mf, &ti);
			hit = (t->status_mask >> ti.state) & 1u;
		} else {
			hit = term_match(t, mf);
		}
		if (hit == t->negate)
			return false;
	}
	return true;
}
