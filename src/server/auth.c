/* Password hashes, the verification cache and browser sessions. */
#include <crypt.h>
#include <ctype.h>
#include <gnutls/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "server/auth.h"
#include "server/util.h"

/* A verified user:password is trusted again without rehashing for this
 * long. */
#define CACHE_TTL_MS (5u * 60u * 1000u)
#define CACHE_SLOTS 128
#define MAX_SESSIONS 1024

struct cache_slot {
    unsigned char digest[32];
    uint64_t expires_ms;
};

struct session_slot {
    char token[AUTH_TOKEN_LEN + 1];
    char user[64];
    char csrf[65];
    uint64_t last_ms;
};

struct auth {
    struct catalog *cat;
    /* Only one password hash is computed at a time (see auth.h). */
    pthread_mutex_t hash_lock;
    pthread_mutex_t lock;  /* cache and sessions */
    unsigned char key[32]; /* keys the cache digests; never leaves memory */
    /* A hash of a random password, checked for names that do not exist so
     * that they cost as much time as a wrong password. */
    char decoy[256];
    struct cache_slot cache[CACHE_SLOTS];
    size_t cache_next;
    struct session_slot *sessions;
    size_t nsessions;
};

int auth_new(struct auth **out, struct catalog *cat, char *err, size_t errlen) {
    struct auth *a = calloc(1, sizeof *a);
    if (!a)
        return util_err(err, errlen, TRAWL_ENOMEM, "auth: out of memory");
    a->sessions = calloc(MAX_SESSIONS, sizeof *a->sessions);
    if (!a->sessions) {
        free(a);
        return util_err(err, errlen, TRAWL_ENOMEM, "auth: out of memory");
    }
    if (getrandom(a->key, sizeof a->key, 0) != (ssize_t)sizeof a->key) {
        free(a->sessions);
        free(a);
        return util_err(err, errlen, TRAWL_EIO,
                        "auth: the kernel gave no random bytes");
    }
    char pw[24];
    if (!auth_random_password(pw, sizeof pw) ||
        auth_hash(pw, a->decoy, sizeof a->decoy, err, errlen) < 0) {
        free(a->sessions);
        free(a);
        return util_err(err, errlen, TRAWL_EIO,
                        "auth: cannot hash passwords with yescrypt");
    }
    a->cat = cat;
    pthread_mutex_init(&a->hash_lock, NULL);
    pthread_mutex_init(&a->lock, NULL);
    *out = a;
    return 0;
}

void auth_free(struct auth *a) {
    if (!a)
        return;
    pthread_mutex_destroy(&a->hash_lock);
    pthread_mutex_destroy(&a->lock);
    explicit_bzero(a->key, sizeof a->key);
    explicit_bzero(a->sessions, MAX_SESSIONS * sizeof *a->sessions);
    free(a->sessions);
    free(a);
}

int auth_hash(const char *pw, char *out, size_t outlen, char *err,
              size_t errlen) {
    char *setting = crypt_gensalt_ra("$y$", 0, NULL, 0);
    if (!setting)
        return util_err(err, errlen, TRAWL_EIO,
                        "password hash: libcrypt cannot make a yescrypt salt");
    struct crypt_data *cd = calloc(1, sizeof *cd);
    const char *h = cd ? crypt_r(pw, setting, cd) : NULL;
    int rc = 0;
    if (!h || h[0] == '*' || strlen(h) >= outlen)
        rc = util_err(err, errlen, TRAWL_EIO,
                      "password hash: libcrypt failed to hash");
    else
        snprintf(out, outlen, "%s", h);
    if (cd)
        explicit_bzero(cd, sizeof *cd);
    free(cd);
    free(setting);
    return rc;
}

bool auth_check_hash(const char *pw, const char *hash) {
    if (!hash[0] || hash[0] == '*' || hash[0] == '!')
        return false;
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return false;
    const char *h = crypt_r(pw, hash, cd);
    bool ok = h && h[0] != '*' && util_secret_equal(h, hash);
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    return ok;
}

bool auth_random_password(char *out, size_t n) {
    static const char alphabet[] =
        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char b[64];
    if (n < 2 || n - 1 > sizeof b || getrandom(b, n - 1, 0) != (ssize_t)(n - 1))
        return false;
    /* 57 symbols; the modulo bias (256 % 57) is far below what matters for
     * a password this long. */
    for (size_t i = 0; i + 1 < n; i++)
        out[i] = alphabet[b[i] % (sizeof alphabet - 1)];
    out[n - 1] = '\0';
    return true;
}

bool auth_valid_name(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n > 63 || name[0] == '-' || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!isalnum(ch) && ch != '.' && ch != '_' && ch != '-')
            return false;
    }
    return true;
}

bool auth_valid_role(const char *role) {
    return strcmp(role, "admin") == 0 || strcmp(role, "user") == 0;
}

/* SHA-256 of the cache key, user, password and stored hash. */
static bool cache_digest(const struct auth *a, const char *user, const char *pw,
                         const char *hash, unsigned char out[32]) {
    gnutls_hash_hd_t h;
    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
        return false;
    gnutls_hash(h, a->key, sizeof a->key);
    gnutls_hash(h, user, strlen(user) + 1);
    gnutls_hash(h, pw, strlen(pw) + 1);
    gnutls_hash(h, hash, strlen(hash) + 1);
    gnutls_hash_deinit(h, out);
    return true;
}

static bool cache_hit(struct auth *a, const unsigned char d[32]) {
    uint64_t now = util_mono_ms();
    bool hit = false;
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < CACHE_SLOTS && !hit; i++)
        hit = a->cache[i].expires_ms > now &&
              memcmp(a->cache[i].digest, d, 32) == 0;
    pthread_mutex_unlock(&a->lock);
    return hit;
}

static void cache_put(struct auth *a, const unsigned char d[32]) {
    pthread_mutex_lock(&a->lock);
    struct cache_slot *s = &a->cache[a->cache_next++ % CACHE_SLOTS];
    memcpy(s->digest, d, 32);
    s->expires_ms = util_mono_ms() + CACHE_TTL_MS;
    pthread_mutex_unlock(&a->lock);
}

static void fill_who(struct auth_who *who, const struct cat_user *u) {
    memset(who, 0, sizeof *who);
    snprintf(who->user, sizeof who->user, "%s", u->name);
    who->admin = strcmp(u->role, "admin") == 0;
}

int auth_password(struct auth *a, const char *user, const char *pw,
                  struct auth_who *who) {
    struct cat_user u;
    int rc = catalog_user_get(a->cat, user, &u, NULL, 0);
    if (rc <= 0) {
        /* An unknown name costs a hash too, so that timing does not tell
         * which names exist. */
        if (rc == 0) {
            pthread_mutex_lock(&a->hash_lock);
            auth_check_hash(pw, a->decoy);
            pthread_mutex_unlock(&a->hash_lock);
        }
        return rc;
    }
    unsigned char d[32];
    bool have_digest = cache_digest(a, user, pw, u.hash, d);
    if (have_digest && cache_hit(a, d)) {
        fill_who(who, &u);
        return 1;
    }
    pthread_mutex_lock(&a->hash_lock);
    bool ok = auth_check_hash(pw, u.hash);
    pthread_mutex_unlock(&a->hash_lock);
    explicit_bzero(&u.hash, sizeof u.hash);
    if (!ok)
        return 0;
    if (have_digest)
        cache_put(a, d);
    fill_who(who, &u);
    return 1;
}

/* ---- sessions ------------------------------------------------------------ */

int auth_session_new(struct auth *a, struct auth_who *who,
                     char token[AUTH_TOKEN_LEN + 1]) {
    char csrf[65];
    if (!util_random_hex(token, AUTH_TOKEN_LEN / 2) ||
        !util_random_hex(csrf, 32))
        return TRAWL_EIO;
    uint64_t now = util_mono_ms();
    pthread_mutex_lock(&a->lock);
    /* A free or expired slot, else the one unused the longest. */
    struct session_slot *slot = &a->sessions[0];
    for (size_t i = 0; i < MAX_SESSIONS; i++) {
        struct session_slot *s = &a->sessions[i];
        if (!s->token[0] || now - s->last_ms > AUTH_SESSION_IDLE_S * 1000ull) {
            slot = s;
            break;
        }
        if (s->last_ms < slot->last_ms)
            slot = s;
    }
    snprintf(slot->token, sizeof slot->token, "%s", token);
    snprintf(slot->user, sizeof slot->user, "%s", who->user);
    snprintf(slot->csrf, sizeof slot->csrf, "%s", csrf);
    slot->last_ms = now;
    pthread_mutex_unlock(&a->lock);
    who->cookie = true;
    snprintf(who->csrf, sizeof who->csrf, "%s", csrf);
    return 0;
}

int auth_session_get(struct auth *a, const char *token, struct auth_who *who) {
    if (strlen(token) != AUTH_TOKEN_LEN)
        return 0;
    char user[64] = "", csrf[65] = "";
    uint64_t now = util_mono_ms();
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < MAX_SESSIONS; i++) {
        struct session_slot *s = &a->sessions[i];
        if (!s->token[0] || !util_secret_equal(s->token, token))
            continue;
        if (now - s->last_ms > AUTH_SESSION_IDLE_S * 1000ull) {
            memset(s, 0, sizeof *s);
            break;
        }
        s->last_ms = now;
        snprintf(user, sizeof user, "%s", s->user);
        snprintf(csrf, sizeof csrf, "%s", s->csrf);
        break;
    }
    pthread_mutex_unlock(&a->lock);
    if (!user[0])
        return 0;
    struct cat_user u;
    if (catalog_user_get(a->cat, user, &u, NULL, 0) != 1)
        return 0;
    fill_who(who, &u);
    who->cookie = true;
    snprintf(who->csrf, sizeof who->csrf, "%s", csrf);
    return 1;
}

void auth_session_end(struct auth *a, const char *token) {
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < MAX_SESSIONS; i++)
        if (a->sessions[i].token[0] &&
            util_secret_equal(a->sessions[i].token, token))
            memset(&a->sessions[i], 0, sizeof a->sessions[i]);
    pthread_mutex_unlock(&a->lock);
}

void auth_session_end_user(struct auth *a, const char *user) {
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < MAX_SESSIONS; i++)
        if (a->sessions[i].token[0] && strcmp(a->sessions[i].user, user) == 0)
            memset(&a->sessions[i], 0, sizeof a->sessions[i]);
    pthread_mutex_unlock(&a->lock);
}
