#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "core/base/xalloc.h"
#include "sim/submit.h"

void submit_req_init(struct submit_req *r)
{
	memset(r, 0, sizeof *r);
}

void submit_req_done(struct submit_req *r)
{
	free(r->to);
	free(r->webhook_url);
	free(r->csid);
	free(r->page_size);
	free(r->resolution);
	free(r->optimize_for);
	for (size_t i = 0; i < r->n_tags; i++) {
		free(r->tags[i].key);
		free(r->tags[i].value);
	}
	memset(r, 0, sizeof *r);
}

void submit_error(struct json_object *errors, const char *field, const char *msg)
{
	struct json_object *arr;
	if (!json_object_object_get_ex(errors, field, &arr)) {
		arr = json_object_new_array();
		json_object_object_add(errors, field, arr);
	}
	json_object_array_add(arr, json_object_new_string(msg));
}

bool submit_valid_e164(const char *s)
{
	if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return false;
	size_t n = strlen(s + 1);
	if (n < 2 || n > 15)
		return false;
	for (size_t i = 1; i <= n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool submit_valid_url(const char *s)
{
	const char *rest;
	if (strncasecmp(s, "http://", 7) == 0)
		rest = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		rest = s + 8;
	else
		return false;
	if (!*rest || *rest == '/' || *rest == '?' || *rest == '#')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static const char *const page_sizes[] = { "letter", "legal", "a4", "b4", NULL };
static const char *const resolutions[] = { "standard", "fine", NULL };
static const char *const optimizations[] = { "text", "photo", NULL };

static bool in_set(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

/* Well-formed UTF-8 without NUL (no overlongs, surrogates or values past
 * U+10FFFF), so every value faxsim echoes back is valid JSON text. */
static bool utf8_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned cp;
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* Copies a text value; refuses NUL bytes and malformed UTF-8. */
static char *text_dup(const char *data, size_t len)
{
	if (!utf8_ok((const unsigned char *)data, len))
		return NULL;
	/* len is bounded by the body limit: the heap alone can fail here */
	char *s = xmalloc(len + 1);
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

static int add_tag(struct submit_req *r, const char *k, size_t kl, const char *v, size_t vl,
		   struct json_object *errors)
{
	if (r->n_tags >= SUBMIT_MAX_TAGS) {
		submit_error(errors, "tags", "The tags field must not have more than 10 items.");
		return 1;
	}
	if (kl == 0) {
		submit_error(errors, "tags", "A tag must not be empty.");
		return 1;
	}
	if (kl > SUBMIT_MAX_TAG_LEN || vl > SUBMIT_MAX_TAG_LEN) {
		submit_error(errors, "tags", "Each tag must not be longer than 255 characters.");
		return 1;
	}
	for (size_t i = 0; i < r->n_tags; i++)
		if (strlen(r->tags[i].key) == kl && memcmp(r->tags[i].key, k, kl) == 0) {
			submit_error(errors, "tags", "Tag keys must be distinct.");
			return 1;
		}
	struct submit_tag *t = &r->tags[r->n_tags];
	t->key = text_dup(k, kl);
	t->value = text_dup(v, vl);
	if (!t->key || !t->value) {
		free(t->key);
		free(t->value);
		t->key = t->value = NULL;
		submit_error(errors, "tags", "Tags must be UTF-8 text without NUL bytes.");
		return 1;
	}
	r->n_tags++;
	return 0;
}

/* "key=value", "key:value" or a plain label (value ""). */
static int add_tag_item(struct submit_req *r, const char *s, size_t len, struct json_object *errors)
{
	const char *sep = NULL;
	for (size_t i = 0; i < len && !sep; i++)
		if (s[i] == '=' || s[i] == ':')
			sep = s + i;
	if (!sep)
		return add_tag(r, s, len, "", 0, errors);
	return add_tag(r, s, (size_t)(sep - s), sep + 1, len - (size_t)(sep - s) - 1, errors);
}

static int tags_from_json(struct submit_req *r, const char *s, size_t len,
			  struct json_object *errors)
{
	struct json_tokener *tok = json_tokener_new_ex(4);
	if (!tok)
		return -1;
	struct json_object *j = json_tokener_parse_ex(tok, s, (int)len);
	bool ok = j && json_tokener_get_error(tok) == json_tokener_success &&
		tok->char_offset == (int)len;
	json_tokener_free(tok);
	int errs = 0;
	if (!ok) {
		submit_error(errors, "tags", "The tags field is not valid JSON.");
		errs = 1;
	} else if (json_object_is_type(j, json_type_array)) {
		size_t n = json_object_array_length(j);
		for (size_t i = 0; i < n && !errs; i++) {
			struct json_object *it = json_object_array_get_idx(j, i);
			if (!json_object_is_type(it, json_type_string)) {
				submit_error(errors, "tags", "Each tag must be a string.");
				errs = 1;
			} else {
				errs = add_tag_item(r, json_object_get_string(it),
						    (size_t)json_object_get_string_len(it), errors);
			}
		}
	} else if (json_object_is_type(j, json_type_object)) {
		json_object_object_foreach(j, k, v)
		{
			if (errs)
				break;
			if (!json_object_is_type(v, json_type_string)) {
				submit_error(errors, "tags", "Each tag value must be a string.");
				errs = 1;
			} else {
				errs = add_tag(r, k, strlen(k), json_object_get_string(v),
					       (size_t)json_object_get_string_len(v), errors);
			}
		}
	} else {
		submit_error(errors, "tags", "The tags field must be an array of strings.");
		errs = 1;
	}
	json_object_put(j);
	return errs;
}

static int set_text(char **dst, const char *field, const char *data, size_t len,
		    struct json_object *errors)
{
	char msg[160];
	if (*dst) {
		snprintf(msg, sizeof msg, "The %s field was given more than once.", field);
		submit_error(errors, field, msg);
		return 1;
	}
	*dst = text_dup(data, len);
	if (!*dst) {
		snprintf(msg, sizeof msg, "The %s field must be UTF-8 text without NUL bytes.",
			 field);
		submit_error(errors, field, msg);
		return 1;
	}
	return 0;
}

static int check_fields(struct submit_req *r, struct json_object *errors, bool need_to)
{
	int errs = 0;
	char msg[160];
	if (!r->to) {
		if (need_to) {
			submit_error(errors, "to", "The to field is required.");
			errs++;
		}
	} else if (!submit_valid_e164(r->to)) {
		submit_error(errors, "to",
			     "The to field must be an E.164 number such as +12125551234.");
		errs++;
	}
	if (r->webhook_url && r->webhook_url[0]) {
		if (strlen(r->webhook_url) > SUBMIT_MAX_URL) {
			submit_error(
				errors, "webhook_url",
				"The webhook_url field must not be longer than 2048 characters.");
			errs++;
		} else if (!submit_valid_url(r->webhook_url)) {
			submit_error(errors, "webhook_url",
				     "The webhook_url field must be an http or https URL.");
			errs++;
		}
	} else if (r->webhook_url) {
		free(r->webhook_url);
		r->webhook_url = NULL;
	}
	if (r->csid && strlen(r->csid) > SUBMIT_MAX_CSID) {
		submit_error(errors, "csid",
			     "The csid field must not be longer than 20 characters.");
		errs++;
	}
	struct {
		const char *field;
		char *v;
		const char *const *set;
		const char *list;
	} enums[] = {
		{ "page_size", r->page_size, page_sizes, "letter, legal, a4, b4" },
		{ "resolution", r->resolution, resolutions, "standard, fine" },
		{ "optimize_for", r->optimize_for, optimizations, "text, photo" },
	};
	for (size_t i = 0; i < 3; i++) {
		if (enums[i].v && !in_set(enums[i].v, enums[i].set)) {
			snprintf(msg, sizeof msg, "The %s field must be one of: %s.",
				 enums[i].field, enums[i].list);
			submit_error(errors, enums[i].field, msg);
			errs++;
		}
	}
	return errs;
}

static int parse_max_attempts(const char *s, size_t len, struct json_object *errors)
{
	char buf[16];
	if (len == 0 || len >= sizeof buf)
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)buf[i]))
			goto bad;
	long v = strtol(buf, NULL, 10);
	if (v < 1 || v > 5)
		goto bad;
	return (int)v;
bad:
	submit_error(errors, "max_attempts",
		     "The max_attempts field must be an integer from 1 to 5.");
	return -1;
}

int submit_from_multipart(struct submit_req *r, const struct multipart_part *parts, size_t n,
			  struct json_object *errors)
{
	int errs = 0;
	bool seen_max = false;
	for (size_t i = 0; i < n; i++) {
		const struct multipart_part *p = &parts[i];
		const char *nm = p->name;
		if (strcmp(nm, "file") == 0) {
			if (r->has_file) {
				submit_error(errors, "file", "Only one file may be sent.");
				errs++;
			} else if (p->len > SUBMIT_MAX_FILE) {
				submit_error(errors, "file",
					     "The file must not be larger than 10 MB.");
				errs++;
				r->has_file = true;
			} else if (p->len == 0) {
				submit_error(errors, "file", "The file is empty.");
				errs++;
				r->has_file = true;
			} else {
				r->file = p->data;
				r->file_len = p->len;
				r->has_file = true;
			}
			continue;
		}
		if (p->has_filename) {
			char msg[200];
			snprintf(msg, sizeof msg, "The %.64s field must be text, not a file.", nm);
			submit_error(errors, "file", msg);
			errs++;
			continue;
		}
		if (strcmp(nm, "to") == 0)
			errs += set_text(&r->to, "to", p->data, p->len, errors);
		else if (strcmp(nm, "webhook_url") == 0) {
			errs += set_text(&r->webhook_url, "webhook_url", p->data, p->len, errors);
			r->has_webhook_url = true;
		} else if (strcmp(nm, "csid") == 0)
			errs += set_text(&r->csid, "csid", p->data, p->len, errors);
		else if (strcmp(nm, "page_size") == 0)
			errs += set_text(&r->page_size, "page_size", p->data, p->len, errors);
		else if (strcmp(nm, "resolution") == 0)
			errs += set_text(&r->resolution, "resolution", p->data, p->len, errors);
		else if (strcmp(nm, "optimize_for") == 0)
			errs += set_text(&r->optimize_for, "optimize_for", p->data, p->len, errors);
		else if (strcmp(nm, "max_attempts") == 0) {
			if (seen_max) {
				submit_error(errors, "max_attempts",
					     "The max_attempts field was given more than once.");
				errs++;
				continue;
			}
			seen_max = true;
			if (p->len == 0)
				continue;
			int v = parse_max_attempts(p->data, p->len, errors);
			if (v < 0)
				errs++;
			else
				r->max_attempts = v;
		} else if (strcmp(nm, "tags") == 0 || strcmp(nm, "tags[]") == 0) {
			if (p->len > 0 && (p->data[0] == '[' || p->data[0] == '{'))
				errs += tags_from_json(r, p->data, p->len, errors);
			else
				errs += add_tag_item(r, p->data, p->len, errors);
		} else if (strncmp(nm, "tags[", 5) == 0 && nm[strlen(nm) - 1] == ']') {
			errs += add_tag(r, nm + 5, strlen(nm) - 6, p->data, p->len, errors);
		}
		/* Unknown fields are ignored, as the live API does with extra form data. */
	}
	if (!r->has_file) {
		submit_error(errors, "file", "The file field is required.");
		errs++;
	}
	errs += check_fields(r, errors, true);
	return errs;
}

int submit_from_resend_json(struct submit_req *r, const char *body, size_t len,
			    struct json_object *errors)
{
	size_t i = 0;
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (i == len)
		return 0;
	struct json_tokener *tok = json_tokener_new_ex(16);
	if (!tok)
		return -1;
	struct json_object *j = json_tokener_parse_ex(tok, body, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t used = (size_t)tok->char_offset;
	json_tokener_free(tok);
	while (jerr == json_tokener_success && used < len && isspace((unsigned char)body[used]))
		used++;
	if (!j || jerr != json_tokener_success || used != len) {
		char msg[200];
		snprintf(msg, sizeof msg, "The body is not valid JSON (%s).",
			 jerr != json_tokener_success ? json_tokener_error_desc(jerr)
						      : "trailing data after the object");
		submit_error(errors, "body", msg);
		json_object_put(j);
		return 1;
	}
	int errs = 0;
	if (!json_object_is_type(j, json_type_object)) {
		submit_error(errors, "body", "The body must be a JSON object.");
		json_object_put(j);
		return 1;
	}
	struct json_object *v;
	if (json_object_object_get_ex(j, "to", &v) && v) {
		if (!json_object_is_type(v, json_type_string)) {
			submit_error(errors, "to", "The to field must be a string.");
			errs++;
		} else {
			r->to = xstrdup(json_object_get_string(v));
		}
	}
	if (json_object_object_get_ex(j, "webhook_url", &v)) {
		r->has_webhook_url = true;
		if (v && !json_object_is_type(v, json_type_string)) {
			submit_error(errors, "webhook_url",
				     "The webhook_url field must be a string.");
			errs++;
		} else if (v) {
			r->webhook_url = xstrdup(json_object_get_string(v));
		}
	}
	if (json_object_object_get_ex(j, "max_attempts", &v) && v) {
		int64_t m = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || m < 1 || m > 5) {
			submit_error(errors, "max_attempts",
				     "The max_attempts field must be an integer from 1 to 5.");
			errs++;
		} else {
			r->max_attempts = (int)m;
		}
	}
	json_object_put(j);
	errs += check_fields(r, errors, false);
	return errs;
}
