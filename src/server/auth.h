/* server/auth — who is asking: password hashes, the verification cache,
 * browser sessions.
 *
 * Passwords are stored only as yescrypt hashes ("$y$", salted and slow, from
 * libcrypt). Checking one costs tens of milliseconds and megabytes of
 * memory by design, so checks run one at a time (a burst of 64 scripts
 * cannot take 64 times that memory), and a correct user:password is
 * remembered for a few minutes as a keyed SHA-256 digest, valid only while
 * the user's stored hash is unchanged (a new password or a deleted user
 * ends it at once).
 *
 * Browser sessions are random tokens held in memory (a restart logs
 * browsers out), each with its own CSRF token that state-changing requests
 * must echo in a header. */
#ifndef TRAWL_SERVER_AUTH_H
#define TRAWL_SERVER_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/catalog.h"

struct auth;

/* Who a request is, once authenticated. */
struct auth_who {
    char user[64];
    bool admin;
    bool cookie;   /* authenticated by a session cookie (a browser) */
    char csrf[65]; /* the session's CSRF token, when cookie */
};

/* Session tokens are 32 random bytes in hex; sessions end after this long
 * without use. */
#define AUTH_TOKEN_LEN 64
#define AUTH_SESSION_IDLE_S (12 * 3600)

int auth_new(struct auth **out, struct catalog *cat, char *err, size_t errlen);
void auth_free(struct auth *a);

/* A new salted yescrypt hash of pw into out. */
int auth_hash(const char *pw, char *out, size_t outlen, char *err,
              size_t errlen);
/* Whether pw matches the stored hash (any crypt(3) method libcrypt knows). */
bool auth_check_hash(const char *pw, const char *hash);
/* A random password of letters and digits (n - 1 characters). */
bool auth_random_password(char *out, size_t n);
/* Names are 1-63 characters of letters, digits, '.', '_', '-', not
 * starting with '-' or '.'. */
bool auth_valid_name(const char *name);
bool auth_valid_role(const char *role);

/* Checks user:password against the catalog; fills *who on success.
 * Returns 1 when they match, 0 when not, negative on a catalog error. */
int auth_password(struct auth *a, const char *user, const char *pw,
                  struct auth_who *who);

/* Starts a browser session for who->user; token receives the cookie
 * value, who->csrf the CSRF token. */
int auth_session_new(struct auth *a, struct auth_who *who,
                     char token[AUTH_TOKEN_LEN + 1]);
/* 1 and *who for a live session token, 0 otherwise (the user's role is
 * read again, so a demoted or deleted user loses the session at once). */
int auth_session_get(struct auth *a, const char *token, struct auth_who *who);
void auth_session_end(struct auth *a, const char *token);
/* Ends every session of a user (after a password change or deletion). */
void auth_session_end_user(struct auth *a, const char *user);

#endif
