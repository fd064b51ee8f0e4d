/* cmd_run.c - `gptq-harness run` and `gptq-harness devices`. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/peakmem.h"
#include "util/escape.h"
#include "util/strbuf.h"
#include "backends/backend_cl.h"
#include "adapters/adapter_exec.h"
#include "backends/backends.h"
#include "backends/worker.h"
#include "cases/batch.h"
#include "cli/cli_help.h"
#include "cli/commands.h"
#include "util/datapath.h"
#include "cli/console.h"
#include "cli/exit_guard.h"
#include "cli/inproc_watchdog.h"
#include "adapters/faults.h"
#include "util/interrupt.h"
#include "results/outputs.h"
#include "cli/perf_mode.h"
#include "cli/progress.h"
#include "results/runenv.h"
#include "verdict/runner.h"
#include "results/runout.h"
#include "results/saver.h"
#include "cases/prng.h"
#include "cases/randcase.h"
#include "cases/shard.h"

#define DEFAULT_MAX_BYTES ((int64_t)8 << 30)
#define DEFAULT_MAX_HANGS 3

struct run_opts {
    int perf;            /* --mode perf: also time each case's kernel */
    int profile;         /* --profile: print where the time went */
    double case_timeout; /* watchdog, seconds (0: none) */
    int max_hangs;       /* after this many hangs in a row the rest is not run (0: no limit) */
    int in_process;      /* --no-isolation: the backend in this process */
    int repeats;         /* timed launches per case in perf mode */
    const char *kernel;
    const char *adapter; /* --adapter exec:CMD (every case's adapter becomes exec) */
    const char *layer;   /* --layer exec:CMD (the runner is the kernel under test) */
    const char *device;
    const char *shard; /* --shard I/N | auto */
    int verbose;       /* -1 quiet, 0 normal, 1 verbose */
    struct run_settings s;
    struct outputs_cfg out;
    struct case_list cases;
    char batches[2048];   /* the --batch files, ", "-separated (for the reports) */
    const char *save_dir; /* --save-failures / --save-all DIR */
    int save_all;
    long random;   /* --random N: N random descriptors (randcase.h) */
    uint64_t seed; /* --seed S */
    int have_seed;
    double budget; /* --budget SECONDS: no case starts after this (0: none) */
};

/* Long-only options (no short letter). */
enum {
    OPT_SAVE_FAILURES = 256,
    OPT_SAVE_ALL,
    OPT_REPEAT,
    OPT_CASE_TIMEOUT,
    OPT_NO_ISOLATION,
    OPT_MAX_HANGS,
    OPT_ADAPTER,
    OPT_LAYER,
    OPT_RANDOM,
    OPT_SEED,
    OPT_BUDGET
};

/* --adapter exec:CMD makes every case's adapter the runner (descriptors say
 * adapter=exec, so the repro line, which carries --adapter, reproduces it);
 * a case that says adapter=exec without it is a usage error. */
static int external_adapters(struct run_opts *o, char *err, size_t errlen) {
    for (size_t i = 0; i < o->cases.n; i++) {
        struct case_desc *d = &o->cases.v[i];
        if (d->adapter == ADAPTER_EXEC && !o->adapter) {
            snprintf(err, errlen, "adapter=exec needs --adapter exec:COMMAND (docs/runners.md)");
            return -1;
        }
        if (!o->adapter) continue;
        d->adapter = ADAPTER_EXEC;
        d->zproute = ZPROUTE_AUTO;
    }
    return 0;
}

/* --random N: N descriptors drawn from the whole case space (randcase.h),
 * after any given ones. Without --seed the seed comes from the clock and the
 * process id; it is printed either way, so the run can be repeated. */
static int add_random(struct run_opts *o) {
    if (!o->have_seed)
        o->seed = prng_u64((uint64_t)(now_seconds() * 1e6), RT_RANDCASE, (uint64_t)getpid());
    printf("random: %ld case(s), seed %llu (repeat: --random %ld --seed %llu)\n", o->random,
           (unsigned long long)o->seed, o->random, (unsigned long long)o->seed);
    fflush(stdout);
    for (long i = 0; i < o->random; i++) {
        struct case_desc d;
        randcase_draw(o->seed, (uint64_t)i, RANDCASE_DEFAULT_MACS, &d);
        char line[512], err[512];
        desc_print(&d, line, sizeof line);
        if (batch_expand_line(line, &o->cases, err, sizeof err) != 0) {
            fprintf(stderr, "gptq-harness run: internal error: random case '%s': %s\n", line, err);
            return -1;
        }
    }
    return 0;
}

/* The descriptors given on the command line, argv[first..argc). Each quoted
 * descriptor ('m=1 n=64 ...', a word with spaces) is one line; words
 * without spaces (run m=1 n=64 k=256, the shell split an unquoted
 * descriptor) are joined into one line; a mix of the two is refused, since
 * which words belong to which descriptor cannot be told. */
static int positional_descriptors(int first, int argc, char **argv, struct case_list *l) {
    char err[1024];
    int spaced = 0, words = 0;
    for (int i = first; i < argc; i++) {
        if (strpbrk(argv[i], " \t"))
            spaced++;
        else
            words++;
    }
    if (spaced && words) {
        fprintf(stderr,
                "gptq-harness run: descriptors mix quoted lines and single words (e.g. "
                "'%s'); quote each descriptor as one argument\n",
                argv[first]);
        return -1;
    }
    if (!words) {
        for (int i = first; i < argc; i++)
            if (batch_expand_line(argv[i], l, err, sizeof err) != 0) {
                fprintf(stderr, "gptq-harness run: bad descriptor '%s': %s\n", argv[i], err);
                return -1;
            }
        return 0;
    }
    size_t len = 1;
    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *line = malloc(len);
    if (!line) {
        fprintf(stderr, "gptq-harness run: out of memory\n");
        return -1;
    }
    line[0] = 0;
    for (int i = first; i < argc; i++) {
        if (i > first) strcat(line, " ");
        strcat(line, argv[i]);
    }
    int rc = batch_expand_line(line, l, err, sizeof err);
    if (rc != 0) fprintf(stderr, "gptq-harness run: bad descriptor '%s': %s\n", line, err);
    free(line);
    return rc;
}

static int parse_run_opts(int argc, char **argv, struct run_opts *o) {
    static const struct option longs[] = {
        {"batch", required_argument, 0, 'b'},
        {"kernel", required_argument, 0, 'k'},
        {"adapter", required_argument, 0, OPT_ADAPTER},
        {"layer", required_argument, 0, OPT_LAYER},
        {"device", required_argument, 0, 'd'},
        {"threads", required_argument, 0, 't'},
        {"max-bytes", required_argument, 0, 'M'},
        {"verbose", no_argument, 0, 'v'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {"mode", required_argument, 0, 'P'},
        {"perf-runs", required_argument, 0, 'R'},
        {"profile", no_argument, 0, 'F'},
        {"repeat", required_argument, 0, OPT_REPEAT},
        {"case-timeout", required_argument, 0, OPT_CASE_TIMEOUT},
        {"max-hangs", required_argument, 0, OPT_MAX_HANGS},
        {"no-isolation", no_argument, 0, OPT_NO_ISOLATION},
        {"save-failures", required_argument, 0, OPT_SAVE_FAILURES},
        {"save-all", required_argument, 0, OPT_SAVE_ALL},
        {"shard", required_argument, 0, 'S'},
        {"random", required_argument, 0, OPT_RANDOM},
        {"seed", required_argument, 0, OPT_SEED},
        {"budget", required_argument, 0, OPT_BUDGET},
        OUTPUTS_LONG_OPTIONS,
        {0, 0, 0, 0}};
    char err[1024];
    long v;
    int c;
    optind = 1;
    opterr = 0; /* help_bad_option says what was wrong */
    while ((c = getopt_long(argc, argv, "b:k:d:t:M:vqh", longs, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (batch_read_file(optarg, &o->cases, err, sizeof err) != 0) {
                fprintf(stderr, "gptq-harness run: %s\n", err);
                return -1;
            }
            size_t used = strlen(o->batches);
            snprintf(o->batches + used, sizeof o->batches - used, "%s%s", used ? ", " : "", optarg);
            break;
        case 'k':
            o->kernel = optarg;
            break;
        case 'd':
            o->device = optarg;
            break;
        case OPT_ADAPTER:
        case OPT_LAYER:
            if (strncmp(optarg, RP_EXEC_PREFIX, strlen(RP_EXEC_PREFIX)) != 0 ||
                !optarg[strlen(RP_EXEC_PREFIX)]) {
                fprintf(stderr,
                        "gptq-harness run: --%s wants exec:COMMAND (an external runner, "
                        "docs/runners.md)\n",
                        c == OPT_LAYER ? "layer" : "adapter");
                return -1;
            }
            *(c == OPT_LAYER ? &o->layer : &o->adapter) = optarg;
            break;
        case 't':
            if (parse_int(optarg, 1, 1024, &v) != 0) {
                fprintf(stderr, "gptq-harness run: --threads wants an integer in 1..1024\n");
                return -1;
            }
            o->s.threads = (int)v;
            break;
        case 'M':
            if (parse_size(optarg, &o->s.max_bytes) != 0) {
                fprintf(stderr, "gptq-harness run: --max-bytes wants a size like 4G\n");
                return -1;
            }
            break;
        case 'P':
            if (strcmp(optarg, "check") && strcmp(optarg, "perf")) {
                fprintf(stderr, "gptq-harness run: --mode wants check or perf\n");
                return -1;
            }
            o->perf = !strcmp(optarg, "perf");
            break;
        case 'R':
            if (parse_int(optarg, 1, 100000, &v) != 0) {
                fprintf(stderr, "gptq-harness run: --perf-runs wants an integer in 1..100000\n");
                return -1;
            }
            o->repeats = (int)v;
            break;
        case 'F':
            o->profile = 1;
            break;
        case OPT_REPEAT:
            if (parse_int(optarg, 1, 1000, &v) != 0) {
                fprintf(stderr, "gptq-harness run: --repeat wants an integer in 1..1000\n");
                return -1;
            }
            o->s.repeat = (int)v;
            break;
        case OPT_CASE_TIMEOUT:
            if (parse_case_timeout(optarg, &o->case_timeout) != 0) {
                fprintf(stderr, "gptq-harness run: " CASE_TIMEOUT_WANTS "\n");
                return -1;
            }
            break;
        case OPT_MAX_HANGS:
            if (parse_int(optarg, 0, 1000000, &v) != 0) {
                fprintf(stderr, "gptq-harness run: --max-hangs wants an integer >= 0 (0: no "
                                "limit)\n");
                return -1;
            }
            o->max_hangs = (int)v;
            break;
        case OPT_NO_ISOLATION:
            o->in_process = 1;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case 'q':
            o->verbose = -1;
            break;
        case OPT_SAVE_FAILURES:
        case OPT_SAVE_ALL:
            o->save_dir = optarg;
            o->save_all = c == OPT_SAVE_ALL;
            break;
        case 'S':
            o->shard = optarg;
            break;
        case OPT_RANDOM:
            if (parse_int(optarg, 1, 1000000, &v) != 0) {
                fprintf(stderr, "gptq-harness run: --random wants a case count in 1..1000000\n");
                return -1;
            }
            o->random = v;
            break;
        case OPT_SEED: {
            char *end;
            errno = 0;
            unsigned long long sv = strtoull(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end || errno) {
                fprintf(stderr, "gptq-harness run: --seed wants an unsigned 64-bit integer\n");
                return -1;
            }
            o->seed = (uint64_t)sv;
            o->have_seed = 1;
            break;
        }
        case OPT_BUDGET: {
            char *end;
            o->budget = strtod(optarg, &end);
            if (*optarg == 0 || *end || !(o->budget > 0) || o->budget > 7 * 86400) {
                fprintf(stderr, "gptq-harness run: --budget wants seconds > 0 (at most a week)\n");
                return -1;
            }
            break;
        }
        case 'h':
            printf("usage: gptq-harness run [options] [DESCRIPTOR...] [--batch FILE]...\n"
                   "  runs cases through adapter + kernel and compares with the reference\n"
                   "options:\n");
            help_run_options(stdout, 2);
            exit(0);
        case '?':
            help_bad_option("run", argc, argv, longs);
            return -1;
        default:
            if (outputs_option(&o->out, c, optarg, "run") != 1) return -1;
        }
    }
    if (optind < argc && positional_descriptors(optind, argc, argv, &o->cases) != 0) return -1;
    if (o->have_seed && !o->random) {
        fprintf(stderr, "gptq-harness run: --seed goes with --random N\n");
        return -1;
    }
    if (o->random && add_random(o) != 0) return -1;
    if (o->cases.n == 0) {
        fprintf(stderr,
                "gptq-harness run: no cases (give descriptors, --batch FILE or --random N)\n");
        return -1;
    }
    if (o->layer && o->kernel) {
        fprintf(stderr, "gptq-harness run: --layer runs the loader and the kernel in one runner; "
                        "it takes no --kernel\n");
        return -1;
    }
    if (external_adapters(o, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness run: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < o->cases.n; i++)
        if (fault_check_name(o->cases.v[i].fault, err, sizeof err) != 0) {
            fprintf(stderr, "gptq-harness run: %s\n", err);
            return -1;
        }
    return 0;
}

/* The command that reruns one case as it ran here: every option that can
 * change its verdict (the kernel, the device, --repeat, a watchdog or memory
 * cap other than the default, --no-isolation). */
static void repro_prefix(const struct run_opts *o, const char *prog, char *buf, size_t len) {
    char w[4200];
    struct strbuf b;
    sb_init(&b, buf, len);
    sb_add(&b, "%s run", shell_word(prog, w, sizeof w));
    if (o->kernel) sb_add(&b, " --kernel %s", shell_word(o->kernel, w, sizeof w));
    if (o->adapter) sb_add(&b, " --adapter %s", shell_word(o->adapter, w, sizeof w));
    if (o->layer) sb_add(&b, " --layer %s", shell_word(o->layer, w, sizeof w));
    if (o->device) sb_add(&b, " --device %s", shell_word(o->device, w, sizeof w));
    if (o->s.repeat > 1) sb_add(&b, " --repeat %d", o->s.repeat);
    if (o->case_timeout != KUT_DEFAULT_TIMEOUT) sb_add(&b, " --case-timeout %g", o->case_timeout);
    if (o->s.max_bytes != DEFAULT_MAX_BYTES)
        sb_add(&b, " --max-bytes %lld", (long long)o->s.max_bytes);
    if (o->in_process) sb_add(&b, " --no-isolation");
}

/* The per-case hooks a run uses (each optional), called in turn. */
struct run_hooks {
    struct runout *ro;
    struct perf_mode *pm;
    struct saver *sv;
    struct inproc_watchdog *wd; /* perf mode's timing runs are watched too */
};

static void run_hooks_call(void *ctx, const struct case_result *r, const struct case_work *w) {
    struct run_hooks *h = ctx;
    runout_hook(h->ro, r, w);
    if (h->sv) saver_hook(h->sv, r, w);
    if (h->pm) {
        inproc_watchdog_enter(h->wd);
        perf_mode_hook(h->pm, r, w);
        inproc_watchdog_leave(h->wd);
    }
}

/* A case that is not run is an ERROR saying why (recorded, so that CI sees
 * it): no device, or a kernel that hung in too many cases in a row. */
static void not_run(const struct case_desc *d, const char *why, struct case_result *r) {
    memset(r, 0, sizeof *r);
    r->d = *d;
    r->verdict = V_ERROR;
    snprintf(r->reason, sizeof r->reason, "%.1000s", why);
}

/* Opens the kernel under test: in a worker process (hangs and crashes stay
 * in their case) unless timing it (perf mode) or asked not to. */
static int open_kernel(const struct run_opts *o, const char *kernel, struct kernel_under_test *kut,
                       char *err, size_t errlen) {
    if (kut_is_exec(kernel)) /* a process of its own, with the watchdog */
        return kut_open_isolated(kernel, o->device, o->case_timeout, kut, err, errlen);
    if (!o->perf && !o->in_process)
        return kut_open_isolated(kernel, o->device, o->case_timeout, kut, err, errlen);
    if (inproc_open("run", kernel, o->device, o->case_timeout, kut, err, errlen) != 0) return -1;
    if (o->perf && !kut->cl) {
        snprintf(err, errlen,
                 "--mode perf times OpenCL kernels (a plugin reports its own kernel "
                 "time with -v)");
        kut_close(kut);
        return -1;
    }
    return 0;
}

/* --profile: the peak resident memory of this process and of the device
 * worker (waited for by now), beside the largest --max-bytes estimate. */
static void print_memory(const struct case_list *cases, const struct shard *sh, int64_t worker) {
    int64_t est = 0;
    for (size_t i = 0; i < cases->n; i++)
        if (shard_selects(sh, i) && problem_bytes(&cases->v[i]) > est)
            est = problem_bytes(&cases->v[i]);
    printf("memory: peak RSS harness %.1f MiB, device worker %.1f MiB; largest case estimate "
           "(--max-bytes) %.1f MiB\n",
           (double)peakmem_self() / 1048576.0, (double)worker / 1048576.0, (double)est / 1048576.0);
}

int cmd_run(const char *prog, int argc, char **argv) {
    struct run_opts o;
    memset(&o, 0, sizeof o);
    o.s.max_bytes = DEFAULT_MAX_BYTES;
    o.case_timeout = KUT_DEFAULT_TIMEOUT;
    o.max_hangs = DEFAULT_MAX_HANGS;
    outputs_defaults(&o.out);
    char kbuf[4200], err[1024], kut_err[1024], prefix[3072];
    struct shard sh = {0, 0};
    /* a closed stdout is a write error to report, not the end of the run */
    signal(SIGPIPE, SIG_IGN);
    int bad = parse_run_opts(argc, argv, &o) != 0;
    if (!bad && o.shard && shard_parse(o.shard, NULL, NULL, &sh, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness run: %s\n", err);
        bad = 1;
    }
    if (bad) {
        case_list_free(&o.cases);
        return 2;
    }
    char lbuf[4200];
    if (o.layer) snprintf(lbuf, sizeof lbuf, "%s%s", KUT_LAYER_PREFIX, o.layer);
    const char *kernel = o.layer    ? lbuf
                         : o.kernel ? o.kernel
                                    : datapath_find(DEFAULT_KERNEL, kbuf, sizeof kbuf);
    if (kut_check_kernel(kernel, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness run: %s\n", err);
        case_list_free(&o.cases);
        return 2;
    }
    struct tally t;
    memset(&t, 0, sizeof t);
    struct saver sv;
    if (o.save_dir && saver_init(&sv, o.save_dir, o.save_all, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness run: %s\n", err);
        case_list_free(&o.cases);
        return 2;
    }
    if (o.adapter) {
        o.s.adapter_exec = adapter_exec_open(o.adapter + strlen(RP_EXEC_PREFIX), o.case_timeout);
        if (!o.s.adapter_exec) {
            fprintf(stderr, "gptq-harness run: out of memory opening the adapter runner\n");
            case_list_free(&o.cases);
            return 2;
        }
    }
    if (o.layer) o.s.no_probe = 1; /* a layer runner takes no ABI tensors to probe with */
    struct kernel_under_test kut;
    const int have_kut = open_kernel(&o, kernel, &kut, kut_err, sizeof kut_err) == 0;
    if (!have_kut) fprintf(stderr, "gptq-harness run: %s\n", kut_err);
    repro_prefix(&o, prog, prefix, sizeof prefix);
    char wprog[4200];
    char *command = cli_command_line(shell_word(prog, wprog, sizeof wprog), argc, argv);
    o.out.command = command;
    o.out.batches = o.batches;
    struct runout_cfg rc = {
        .out = o.out, .sweep = {(int64_t)o.cases.n, sweep_hash(&o.cases)}, .repro_prefix = prefix};
    run_env_fill(&rc.env, have_kut ? kut.device : "unavailable",
                 have_kut && kut.platform[0] ? kut.platform : NULL,
                 have_kut && kut.driver[0] ? kut.driver : NULL, kernel);
    struct runout *ro = runout_open(&rc, err, sizeof err);
    if (!ro) {
        fprintf(stderr, "gptq-harness run: %s\n", err);
        free(command);
        if (have_kut) kut_close(&kut);
        case_list_free(&o.cases);
        return 2;
    }
    size_t selected = 0;
    for (size_t i = 0; i < o.cases.n; i++)
        selected += (size_t)shard_selects(&sh, i);
    char shname[64];
    shard_name(&sh, shname, sizeof shname);
    fprintf(stderr, "device: %s; kernel: %s; %zu case(s)%s%s%s\n", rc.env.device, kernel, selected,
            sh.count ? " (shard " : "", shname, sh.count ? ")" : "");
    if (o.save_dir) saver_set_target(&sv, rc.env.device, kernel);
    struct perf_mode pm;
    if (o.perf && have_kut && kut.exec)
        perf_mode_start_exec(&pm, kut.exec, o.repeats, stdout, runout_dir(ro));
    else if (o.perf && have_kut)
        perf_mode_start(&pm, kut.cl, o.repeats, stdout, runout_dir(ro));
    struct run_hooks hooks = {.ro = ro, .pm = o.perf ? &pm : NULL, .sv = o.save_dir ? &sv : NULL};
    struct profile prof;
    memset(&prof, 0, sizeof prof);
    struct progress pr;
    struct build_seen builds;
    memset(&builds, 0, sizeof builds);
    const double t0 = now_seconds();
    progress_start(&pr, stderr, selected, t0);
    size_t done = 0;
    int hangs = 0, gave_up = 0; /* kernels killed by the watchdog in a row; --max-hangs hit */
    char no_dev[1100], hung_out[256];
    snprintf(no_dev, sizeof no_dev, "no device: %.900s", kut_err);
    snprintf(hung_out, sizeof hung_out,
             "not run: the kernel hung (--case-timeout) in %d cases in a row; --max-hangs 0 runs "
             "every case",
             o.max_hangs);
    interrupt_install();
    struct exit_guard guard = {ro, &o.cases, &sh, 0};
    exit_guard_arm(&guard);
    /* a kernel in this process: a thread watches for hangs and signals */
    struct inproc_watchdog wd;
    memset(&wd, 0, sizeof wd);
    if (have_kut && (o.perf || o.in_process)) {
        (void)inproc_watchdog_start(&wd, &kut.kb, o.case_timeout, &guard);
        hooks.wd = &wd;
    }
    int over_budget = 0;
    size_t i;
    for (i = 0; i < o.cases.n; i++) {
        if (interrupt_requested()) break;
        if (!shard_selects(&sh, i)) continue;
        if (o.budget > 0 && now_seconds() - t0 >= o.budget) {
            over_budget = 1;
            break;
        }
        guard.current = i;
        struct case_result r;
        if (o.perf && have_kut) { /* until the perf hook says otherwise */
            pm.have = 0;
            snprintf(pm.err, sizeof pm.err, "not timed: the case was not run");
        }
        if (!have_kut)
            not_run(&o.cases.v[i], no_dev, &r);
        else if (gave_up)
            not_run(&o.cases.v[i], hung_out, &r);
        else {
            run_case(&o.cases.v[i], &o.s, &kut.kb, &r, run_hooks_call, &hooks);
            o.s.previous = &o.cases.v[i];
        }
        if (r.verdict != V_SKIPPED) hangs = r.hung ? hangs + 1 : 0;
        gave_up = gave_up || (o.max_hangs && hangs >= o.max_hangs);
        if (r.interrupted) { /* abandoned mid-kernel: no result, not recorded */
            case_result_free(&r);
            break;
        }
        tally_add(&t, r.verdict);
        profile_add(&prof, &r);
        runout_case(ro, (int64_t)i, &r);
        if (o.perf && have_kut) perf_mode_record(&pm, (int64_t)i, &r.d);
        const int build_repeat = build_seen_repeat(&builds, &r);
        if (o.verbose >= 0 || (r.verdict != V_PASSED && r.verdict != V_SKIPPED && !build_repeat)) {
            progress_clear(&pr);
            if (build_repeat)
                console_build_repeat(stdout, &r);
            else
                console_case(stdout, &r, prefix, o.verbose > 0);
            if (o.perf && have_kut) perf_mode_print(&pm, stdout);
            if (o.save_dir && sv.last[0] && r.verdict != V_PASSED)
                printf("    fixture: %s\n", sv.last);
            fflush(stdout);
        }
        case_result_free(&r);
        progress_update(&pr, ++done, now_seconds());
    }
    inproc_watchdog_stop(&wd);
    exit_guard_disarm();
    progress_clear(&pr);
    prof.wall = now_seconds() - t0;
    if (over_budget)
        printf("budget: %g s spent after %zu of %zu case(s); the rest was not started\n", o.budget,
               done, selected);
    if (o.profile) profile_print(stdout, &prof);
    build_seen_print(stdout, &builds);
    /* a signal that came after the last case finished cuts nothing short */
    const int sig = done < selected ? interrupt_requested() : 0;
    if (sig) {
        char note[128];
        snprintf(note, sizeof note, "interrupted by %s after %zu of %zu cases", interrupt_name(sig),
                 done, selected);
        fprintf(stderr, "gptq-harness run: %s; writing the partial results\n", note);
        runout_mark_partial(ro, note);
        for (; i < o.cases.n; i++) { /* the abandoned case and those after it */
            char desc[RECORD_DESC_MAX];
            desc_print(&o.cases.v[i], desc, sizeof desc);
            if (shard_selects(&sh, i) && runout_not_run(ro, (int64_t)i, desc) != 0)
                fprintf(stderr, "gptq-harness run: out of memory listing the cases not run\n");
        }
    }
    /* before the reports: gnuplot is a child too */
    const int64_t worker_peak = have_kut ? worker_peak_rss(kut.worker) : -1;
    int code = runout_finish(ro, tally_exit_code(&t), stdout);
    if (o.perf && have_kut && perf_mode_finish(&pm) != 0 && code == 0) code = 1;
    if (sig && code == 0) code = 1; /* an interrupted sweep is not a green one */
    if (!have_kut) code = 1;        /* no device is a failure even against a baseline */
    /* Cases ran and none was checked (every one SKIPPED: over --max-bytes,
     * past a device limit, a fault that does not apply): nothing vouches for
     * the kernel, so the run is not green, even against a baseline. */
    if (have_kut && t.n > 0 && t.by[V_SKIPPED] == t.n) {
        fprintf(stderr, "gptq-harness run: nothing was checked: all %ld case(s) were SKIPPED\n",
                t.n);
        if (code == 0) code = 1;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) { /* e.g. a pipe closed by its reader */
        fprintf(stderr,
                "gptq-harness run: writing to stdout failed (closed?); the results are in %s\n",
                runout_dir(ro));
        if (code == 0) code = 1;
    }
    runout_free(ro);
    free(command);
    if (have_kut) kut_close(&kut);
    adapter_exec_close(o.s.adapter_exec);
    if (o.profile) print_memory(&o.cases, &sh, worker_peak);
    case_list_free(&o.cases);
    if (o.save_dir) {
        fprintf(stderr, "fixtures: %ld written to %s%s\n", sv.saved, sv.dir,
                sv.errors ? " (some could not be written)" : "");
        if (sv.errors) code = 1;
    }
    tally_print(stdout, &t, code);
    return code;
}

int cmd_devices(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "gptq-harness devices: takes no arguments\n");
        return 2;
    }
    return clb_list_devices(stdout) == 0 ? 0 : 1;
}
