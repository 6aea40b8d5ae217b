/* A minimal test harness for the C unit tests (native and WASM). Each test is a function named
 * after the behaviour it checks; main() lists them with RUN(). Prints TAP-like lines and exits
 * non-zero when any check failed. */
#ifndef FT_TEST_H
#define FT_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ft_test_failures;
static int ft_test_checks;
static const char *ft_test_current;

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        ft_test_checks++;                                                                         \
        if (!(cond)) {                                                                            \
            ft_test_failures++;                                                                   \
            fprintf(stderr, "  FAIL %s:%d in %s: %s\n", __FILE__, __LINE__, ft_test_current, #cond); \
        }                                                                                         \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long ft_a_ = (long long)(a), ft_b_ = (long long)(b);                                  \
        ft_test_checks++;                                                                          \
        if (ft_a_ != ft_b_) {                                                                      \
            ft_test_failures++;                                                                    \
            fprintf(stderr, "  FAIL %s:%d in %s: %s == %lld, expected %lld\n", __FILE__, __LINE__,   \
                    ft_test_current, #a, ft_a_, ft_b_);                                            \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *ft_a_ = (a), *ft_b_ = (b);                                                     \
        ft_test_checks++;                                                                          \
        if (!ft_a_ || !ft_b_ || strcmp(ft_a_, ft_b_) != 0) {                                        \
            ft_test_failures++;                                                                    \
            fprintf(stderr, "  FAIL %s:%d in %s: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
                    ft_test_current, #a, ft_a_ ? ft_a_ : "(null)", ft_b_ ? ft_b_ : "(null)");        \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int ft_before_ = ft_test_failures;                                                         \
        ft_test_current = #fn;                                                                     \
        fn();                                                                                      \
        printf("%s - %s\n", ft_test_failures == ft_before_ ? "ok" : "not ok", #fn);                \
    } while (0)

#define TEST_MAIN_END()                                                                            \
    do {                                                                                           \
        printf("# %d checks, %d failed\n", ft_test_checks, ft_test_failures);                      \
        return ft_test_failures ? 1 : (ft_test_checks ? 0 : 2);                                     \
    } while (0)

/* Reads a whole file from tests/vectors (malloc'd, NUL-terminated); NULL if missing. */
static inline char *ft_test_read_vector(const char *name, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", FT_VECTORS_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len) *len = (size_t)n;
    }
    return buf;
}

#endif
