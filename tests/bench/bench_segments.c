/* Benchmark: ft_segment_count_text over a corpus of messages (tests/vectors/corpus.jsonl).
 * Prints one JSON object: messages, mean UTF-16 units, ns per message without and with Smart
 * Encoding. Not a test: scripts/bench-segments runs it next to the JS peers.
 *   bench_segments [corpus.jsonl] [min_seconds]
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cJSON.h"
#include "fieldtext/segment.h"

typedef struct {
    char *text;
    size_t len;
} message;

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine may be shared */
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

/* Passes over every message until min_ns have elapsed; returns ns per message of the fastest pass
 * (the machine may be shared: the minimum is the least disturbed figure). Adds segments to *sum. */
static double run(const message *m, size_t n, unsigned flags, double min_ns, unsigned long long *sum) {
    double best = 0, start = now_ns(), t1;
    do {
        double t0 = now_ns();
        for (size_t i = 0; i < n; i++) {
            ft_segment_count c;
            if (ft_segment_count_text(m[i].text, m[i].len, flags, &c, NULL) == FT_OK) *sum += c.segments;
        }
        t1 = now_ns();
        if (best == 0 || t1 - t0 < best) best = t1 - t0;
    } while (t1 - start < min_ns);
    return best / (double)n;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "tests/vectors/corpus.jsonl";
    double min_s = argc > 2 ? atof(argv[2]) : 1.0;
    size_t flen = 0;
    char *data = read_file(path, &flen);
    if (!data) {
        fprintf(stderr, "bench_segments: cannot read %s\n", path);
        return 1;
    }
    size_t cap = 1024, n = 0;
    unsigned long long units = 0;
    message *m = malloc(cap * sizeof *m);
    for (char *line = data, *next; m && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        cJSON *j = cJSON_Parse(line);
        cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "text");
        if (cJSON_IsString(t)) {
            if (n == cap) {
                message *nm = realloc(m, (cap *= 2) * sizeof *m);
                if (!nm) return 1;
                m = nm;
            }
            /* the corpus holds U+0000 only as "\u0000"; strlen stops there, as for any C string */
            m[n].len = strlen(t->valuestring);
            m[n].text = malloc(m[n].len + 1);
            if (!m[n].text) return 1;
            memcpy(m[n].text, t->valuestring, m[n].len + 1);
            ft_segment_count c;
            if (ft_segment_count_text(m[n].text, m[n].len, 0, &c, NULL) == FT_OK) units += c.characters;
            n++;
        }
        cJSON_Delete(j);
    }
    free(data);
    if (!m || n == 0) {
        fprintf(stderr, "bench_segments: no messages in %s\n", path);
        return 1;
    }
    unsigned long long sum = 0;
    run(m, n, 0, 0.1e9, &sum); /* warm-up */
    double plain = run(m, n, 0, min_s * 1e9, &sum);
    double smart = run(m, n, FT_SEG_SMART, min_s * 1e9, &sum);
    printf("{\"messages\":%zu,\"mean_units\":%.1f,\"ns_per_message\":%.1f,\"ns_per_message_smart\":%.1f,"
           "\"checksum\":%llu}\n",
           n, (double)units / (double)n, plain, smart, sum);
    for (size_t i = 0; i < n; i++) free(m[i].text);
    free(m);
    return 0;
}
