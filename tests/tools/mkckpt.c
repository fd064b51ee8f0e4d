/* mkckpt.c - writes the test checkpoint and the damaged files of
 * tests/ckpt_build.c, for the end-to-end tests.
 *   mkckpt checkpoint PATH [CHECKPOINT_FORMAT]   multi-layer shard
 *   mkckpt damaged NAME PATH                     one damaged file
 *   mkckpt list-damaged                          "NAME<TAB>expected message" lines
 *   mkckpt bomb PATH                             gzip'd, 8 MiB of zeros inflated
 * Exit 0 on success, 1 on failure, 2 on bad usage. */
#include <stdio.h>
#include <string.h>

#include "../ckpt_build.h"

int main(int argc, char **argv) {
    char err[512] = "";
    if (argc >= 3 && argc <= 4 && strcmp(argv[1], "checkpoint") == 0) {
        if (testckpt_write(argv[2], argc == 4 ? argv[3] : NULL, err, sizeof err) != 0) {
            fprintf(stderr, "mkckpt: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "damaged") == 0) {
        for (int i = 0; i < testckpt_ndamaged(); i++)
            if (strcmp(testckpt_damaged_name(i), argv[2]) == 0)
                return testckpt_damaged_write(i, argv[3]) == 0 ? 0 : 1;
        fprintf(stderr, "mkckpt: no damaged file named '%s'\n", argv[2]);
        return 2;
    }
    if (argc == 3 && strcmp(argv[1], "bomb") == 0) {
        if (testckpt_write_bomb(argv[2], (size_t)8 << 20, err, sizeof err) != 0) {
            fprintf(stderr, "mkckpt: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "list-damaged") == 0) {
        for (int i = 0; i < testckpt_ndamaged(); i++)
            printf("%s\t%s\n", testckpt_damaged_name(i), testckpt_damaged_why(i));
        return 0;
    }
    fprintf(stderr, "usage: mkckpt checkpoint PATH [FORMAT] | damaged NAME PATH | list-damaged | "
                    "bomb PATH\n");
    return 2;
}
