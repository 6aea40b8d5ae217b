/* fieldtext command-line tool: one file per command group; main.c dispatches. */
#ifndef FT_CLI_H
#define FT_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Each command: argc/argv after the command name; returns the process exit status
 * (0 success, 1 refused input, 2 usage). Output is JSON on stdout, one object (or one per line). */
typedef int (*ft_cli_fn)(int argc, char **argv);

int ft_cmd_estimate(int argc, char **argv);
int ft_cmd_smart_map(int argc, char **argv);
int ft_cmd_phone(int argc, char **argv);        /* cmd_phone.c */
int ft_cmd_keyword(int argc, char **argv);      /* cmd_phone.c */
int ft_cmd_consent(int argc, char **argv);      /* cmd_phone.c */
int ft_cmd_render(int argc, char **argv);       /* cmd_render.c */
int ft_cmd_registration(int argc, char **argv); /* cmd_registration.c */
int ft_cmd_reminders(int argc, char **argv);    /* cmd_schedule.c */
int ft_cmd_tz(int argc, char **argv);           /* cmd_schedule.c */
int ft_cmd_gateway(int argc, char **argv);      /* cmd_schedule.c */

/* Reads all of stdin (up to cap bytes) into a malloc'd buffer; NULL on failure or overflow. */
char *ft_cli_read_stdin(size_t cap, size_t *len);
/* Prints a JSON string followed by a newline, frees it. Returns 0, or 1 when s is NULL. */
int ft_cli_print(char *s);

#endif
