/*
 * noise: the timers of noise control (DESIGN.md, "Noise control"): maintenance windows that
 * are over declare what they held back, heartbeats that stopped declare their silence, and
 * sevmail's own heartbeat goes out. Everything is computed from the stored state and the
 * time, so a restart loses nothing and repeats nothing.
 */
#ifndef SEVMAIL_NOISE_H
#define SEVMAIL_NOISE_H

#include "config.h"
#include "store.h"

/* Releases every maintenance window over at now (one transaction each): its alerts still
 * firing declare. Returns how many declared; a failure is logged and tried again later. */
int noise_release(const struct config *cfg, struct store *s, gint64 now);

/* noise_release, then each [heartbeat:] silent for every + grace declares its incident
 * (once per silence), then sevmail's own heartbeat to [general] heartbeat_to when
 * heartbeat_every has passed since the last one was queued. Returns how many incidents
 * were declared; failures are logged and tried again at the next tick. */
int noise_run(const struct config *cfg, struct store *s, gint64 now);

#endif
