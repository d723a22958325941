/* trawl users — the capture server's users, managed on its catalog file
 * directly (the daemon may be running: SQLite lets both at it, and the
 * daemon reads users from the catalog on every login). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "server/auth.h"
#include "server/catalog.h"
#include "server/server.h"

static const char usage_text[] =
    "usage: trawl users add NAME [--role admin|user] [--password-file FILE]\n"
    "       trawl users passwd NAME [--password-file FILE]\n"
    "       trawl users role NAME admin|user\n"
    "       trawl users del NAME\n"
    "       trawl users list\n"
    "       (each takes --data-dir DIR, as trawl serve does)\n"
    "\n"
    "Manages the users of the capture server. Passwords are stored only as\n"
    "salted yescrypt hashes. A password is read from --password-file (its\n"
    "first line), else asked for twice on a terminal, else read from the\n"
    "first line of standard input. It must have at least 8 characters.\n"
    "The last admin cannot be deleted or made a user.\n"
    "\n"
    "examples:\n"
    "  trawl users add alice\n"
    "  echo 'correct horse battery' | trawl users passwd admin\n"
    "  trawl users list --data-dir /srv/trawl\n";

static int read_line(FILE *f, char *buf, size_t n) {
    if (!fgets(buf, (int)n, f))
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* Asks on the terminal with echo off. */
static int prompt(const char *what, char *buf, size_t n) {
    struct termios old, quiet;
    bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    fprintf(stderr, "%s: ", what);
    int rc = read_line(stdin, buf, n);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    return rc;
}

static int get_password(const char *file, char *pw, size_t n) {
    if (file) {
        FILE *f = fopen(file, "re");
        if (!f) {
            cli_error("%s: cannot read: %s", file, strerror(errno));
            return CLI_FAIL;
        }
        int rc = read_line(f, pw, n);
        fclose(f);
        if (rc < 0)
            pw[0] = '\0';
    } else if (isatty(STDIN_FILENO)) {
        char again[1100];
        if (prompt("new password", pw, n) < 0 ||
            prompt("again", again, sizeof again) < 0)
            return CLI_FAIL;
        bool same = strcmp(pw, again) == 0;
        explicit_bzero(again, sizeof again);
        if (!same) {
            cli_error("the passwords differ");
            return CLI_FAIL;
        }
    } else if (read_line(stdin, pw, n) < 0) {
        cli_error("no password on standard input");
        return CLI_FAIL;
    }
    size_t len = strlen(pw);
    if (len < 8 || len > 1024) {
        cli_error("a password must have 8 to 1024 characters");
        return CLI_FAIL;
    }
    return CLI_OK;
}

static int hash_password(const char *file, char *hash, size_t n) {
    char pw[1100], err[TRAWL_ERRBUF_SIZE];
    int rc = get_password(file, pw, sizeof pw);
    if (rc == CLI_OK && auth_hash(pw, hash, n, err, sizeof err) < 0) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    explicit_bzero(pw, sizeof pw);
    return rc;
}

static int open_catalog(const char *dir, struct catalog **cat) {
    char def[PATH_MAX], path[PATH_MAX + 16], err[TRAWL_ERRBUF_SIZE];
    if (!dir) {
        if (srv_default_data_dir(def, sizeof def, err, sizeof err) < 0) {
            cli_error("%s", err);
            return CLI_FAIL;
        }
        dir = def;
    }
    if (srv_make_dirs(dir, err, sizeof err) < 0) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    snprintf(path, sizeof path, "%s/catalog.db", dir);
    if (catalog_open(cat, path, err, sizeof err) < 0) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    return CLI_OK;
}

static int list_users(struct catalog *cat) {
    char err[TRAWL_ERRBUF_SIZE];
    json_t *rows = catalog_user_list(cat, err, sizeof err);
    if (!rows) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    size_t i;
    json_t *u;
    printf("%-24s %s\n", "NAME", "ROLE");
    json_array_foreach(rows, i, u)
        printf("%-24s %s\n", json_string_value(json_object_get(u, "name")),
               json_string_value(json_object_get(u, "role")));
    json_decref(rows);
    return CLI_OK;
}

static int run_users(int argc, char **argv) {
    enum { OPT_DATA = 1000, OPT_ROLE, OPT_PWFILE };
    static const struct option longopts[] = {
        {"data-dir", required_argument, NULL, OPT_DATA},
        {"role", required_argument, NULL, OPT_ROLE},
        {"password-file", required_argument, NULL, OPT_PWFILE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *role = "user", *pwfile = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DATA: dir = optarg; break;
        case OPT_ROLE: role = optarg; break;
        case OPT_PWFILE: pwfile = optarg; break;
        case 'h': cli_print_usage(&cli_cmd_users, stdout); return CLI_OK;
        case ':':
            return cli_usage_error(&cli_cmd_users, "%s needs an argument",
                                   argv[optind - 1]);
        default:
            return cli_usage_error(&cli_cmd_users, "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    char **args = argv + optind;
    int nargs = argc - optind;
    if (nargs < 1)
        return cli_usage_error(
            &cli_cmd_users, "say what to do: add, passwd, role, del or list");
    const char *what = args[0];
    int want = strcmp(what, "list") == 0   ? 1
               : strcmp(what, "role") == 0 ? 3
                                           : 2;
    if (strcmp(what, "list") && strcmp(what, "add") && strcmp(what, "passwd") &&
        strcmp(what, "del") && strcmp(what, "role"))
        return cli_usage_error(&cli_cmd_users, "no action '%s'", what);
    if (nargs != want)
        return cli_usage_error(&cli_cmd_users, "'%s' takes %d argument%s", what,
                               want - 1, want == 2 ? "" : "s");
    const char *name = nargs > 1 ? args[1] : NULL;
    if (name && !auth_valid_name(name))
        return cli_usage_error(&cli_cmd_users,
                               "'%s' is not a user name: 1 to 63 letters, "
                               "digits, '.', '_' or '-'",
                               name);
    if (strcmp(what, "role") == 0)
        role = args[2];
    if (!auth_valid_role(role))
        return cli_usage_error(&cli_cmd_users,
                               "a role is admin or user, not "
                               "'%s'",
                               role);
    struct catalog *cat;
    if (open_catalog(dir, &cat) != CLI_OK)
        return CLI_FAIL;
    char hash[256], err[TRAWL_ERRBUF_SIZE];
    int rc = CLI_OK;
    if (strcmp(what, "list") == 0) {
        rc = list_users(cat);
    } else if (strcmp(what, "del") == 0) {
        if (catalog_user_del(cat, name, err, sizeof err) < 0) {
            cli_error("%s", err);
            rc = CLI_FAIL;
        }
    } else if (strcmp(what, "role") == 0) {
        if (catalog_user_update(cat, name, role, NULL, err, sizeof err) < 0) {
            cli_error("%s", err);
            rc = CLI_FAIL;
        }
    } else {
        struct cat_user u;
        bool exists = catalog_user_get(cat, name, &u, NULL, 0) == 1;
        if (strcmp(what, "add") == 0 && exists) {
            cli_error("user '%s' already exists (use passwd)", name);
            rc = CLI_FAIL;
        } else if (strcmp(what, "passwd") == 0 && !exists) {
            cli_error("no user '%s'", name);
            rc = CLI_FAIL;
        } else {
            rc = hash_password(pwfile, hash, sizeof hash);
        }
        if (rc == CLI_OK &&
            (strcmp(what, "add") == 0
                 ? catalog_user_add(cat, name, role, hash, err, sizeof err)
                 : catalog_user_update(cat, name, NULL, hash, err,
                                       sizeof err)) < 0) {
            cli_error("%s", err);
            rc = CLI_FAIL;
        }
    }
    catalog_close(cat);
    return rc;
}

const struct cli_command cli_cmd_users = {
    .name = "users",
    .summary = "manage the capture server's users (offline)",
    .run = run_users,
    .usage = usage_text,
};
