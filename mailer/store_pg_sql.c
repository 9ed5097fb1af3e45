/*
 * store_pg_sql: what PostgreSQL calls differently, in one place: the statements' placeholders
 * and one function's name, and the migrations' types, rowids and ids. The store's SQL is
 * written once, in words both understand; store_pg.c hands every statement through here.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

/* SQLite's ? and ?N as $N, counted as SQLite counts them (a bare ? is one more than the
 * largest number so far), and the one function whose name differs. */
char *
store_pg_sql(const char *sql)
{
	GString *out = g_string_sized_new(strlen(sql) + 16);
	gboolean quoted = FALSE;
	long last = 0;

	for (const char *p = sql; *p != '\0'; p++) {
		char *end;

		if (*p == '\'')
			quoted = !quoted;
		if (!quoted && g_str_has_prefix(p, "instr(") &&
		    (p == sql || !(g_ascii_isalnum(p[-1]) || p[-1] == '_'))) {
			g_string_append(out, "strpos(");
			p += strlen("instr(") - 1;
		} else if (quoted || *p != '?') {
			g_string_append_c(out, *p);
		} else if (g_ascii_isdigit(p[1])) {
			long k = strtol(p + 1, &end, 10);

			last = MAX(last, k);
			g_string_append_printf(out, "$%ld", k);
			p = end - 1;
		} else {
			g_string_append_printf(out, "$%ld", ++last);
		}
	}
	return g_string_free(out, FALSE);
}

/* The ids SQLite gives: the largest plus one, so that a rolled-back transaction (a message
 * tried again, `explain`) leaves no gap in the incident numbers, as a sequence would. Writers
 * take turns (begin_sql), so the largest is the latest. */
static const char pg_next_id[] =
    "CREATE OR REPLACE FUNCTION sevmail_next_id() RETURNS trigger LANGUAGE plpgsql AS $f$"
    " BEGIN IF NEW.id IS NULL THEN EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %I',"
    " TG_TABLE_NAME) INTO NEW.id; END IF; RETURN NEW; END $f$;";

/* A migration in PostgreSQL's types. Every table gets a rowid column, as SQLite's have one
 * (queries order rows by it, and store-copy keeps it); an id is numbered as SQLite numbers
 * it (pg_next_id); foreign keys are left out, since the first migration names a table
 * before creating it, which only SQLite allows. */
char *
store_pg_schema(const char *migration)
{
	static const struct {
		const char *pattern, *replacement;
	} rules[] = {
	    {"\\bINTEGER PRIMARY KEY\\b", "BIGINT PRIMARY KEY"},
	    {"\\bINTEGER\\b", "BIGINT"},
	    {"\\bBLOB\\b", "BYTEA"},
	    {" REFERENCES \\w+\\(\\w+\\)", ""},
	    {"\\binstr\\(", "strpos("},
	    /* rowid goes last: INSERT INTO t SELECT fills the same columns as in SQLite */
	    {"CREATE TABLE (\\w+) \\((.*?)\\);",
	     "CREATE TABLE \\1 (\\2, rowid BIGSERIAL NOT NULL);"},
	};
	g_autoptr(GRegex) with_id =
	    g_regex_new("CREATE TABLE (\\w+) \\(\\s*id INTEGER PRIMARY KEY", 0, 0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	GString *sql = g_string_new(migration);

	for (gsize i = 0; i < G_N_ELEMENTS(rules); i++) {
		g_autoptr(GRegex) re = g_regex_new(rules[i].pattern, G_REGEX_DOTALL, 0, NULL);
		char *next = g_regex_replace(re, sql->str, -1, 0, rules[i].replacement, 0, NULL);

		g_string_assign(sql, next);
		g_free(next);
	}
	for (g_regex_match(with_id, migration, 0, &m); g_match_info_matches(m);
	     g_match_info_next(m, NULL)) {
		g_autofree char *table = g_match_info_fetch(m, 1);

		if (strstr(sql->str, "sevmail_next_id()") == NULL)
			g_string_prepend(sql, pg_next_id);
		g_string_append_printf(sql,
		                       "; CREATE TRIGGER %s_id BEFORE INSERT ON %s FOR EACH ROW"
		                       " EXECUTE FUNCTION sevmail_next_id()",
		                       table, table);
	}
	return g_string_free(sql, FALSE);
}
