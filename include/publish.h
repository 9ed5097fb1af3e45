/*
 * publish: writes the static HTML status page (statuspage.c renders it) into a directory,
 * on demand (`sevmail status-page`) and, with [status_page] output, after every change.
 */
#ifndef SEVMAIL_PUBLISH_H
#define SEVMAIL_PUBLISH_H

#include "config.h"
#include "store.h"

/* Writes dir/index.html and dir/inc-N.html for every incident on it; each file is
 * replaced atomically, so a web server never serves half a page. */
int publish_status_page(const struct config *cfg, struct store *s, const char *dir, GError **err);

#endif
