/*
 * meter.c — mote_meter (mote.h section 9): what a piece of work cost in
 * time, CPU, memory and energy. Chooses the energy source (energy_source.h)
 * once, at mote_meter_new, and keeps the reasons the better ones were not
 * used; while an interval runs, a sampling thread reads power sensors (and
 * counters, so that a wrap-around between start and stop is never missed).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/error.h"
#include "measure/energy_source.h"
#include "mote.h"

struct mote_meter {
    mote_meter_params p;
    char sysfs_root[512], vcgencmd[512];
    energy_source src;
    bool have_sensor, declared;
    char source[40];
    char notes[2048];
    /* the running interval */
    bool running;
    int64_t t0_ns;
    struct rusage ru0;
    /* sensor state, guarded by mu while the sampling thread runs */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool thread_on, stop_flag, read_failed;
    double counter0, counter_last; /* ENERGY_COUNTER: joules at start, at the last reading */
    double power_j, last_w;        /* ENERGY_POWER: integrated joules, last reading */
    int64_t first_ns, last_ns;     /* times of the first and the last reading */
};

mote_meter_params mote_meter_default_params(void) {
    mote_meter_params p = {0};
    return p;
}

static void add_note(mote_meter *m, const char *line) {
    size_t len = strlen(m->notes);
    snprintf(m->notes + len, sizeof m->notes - len, "%s\n", line);
}

const char *mote_meter_source(const mote_meter *m) { return m->source; }
const char *mote_meter_notes(const mote_meter *m) { return m->notes; }

/* Try the named sensor; on success it is the meter's source. */
static bool try_sensor(mote_meter *m, const char *which, char *why, size_t why_size) {
    energy_probe_env env = {m->sysfs_root, m->vcgencmd};
    int rc = !strcmp(which, "rapl")       ? energy_rapl_open(&env, &m->src, why, why_size)
             : !strcmp(which, "hwmon")    ? energy_hwmon_open(&env, &m->src, why, why_size)
                                          : energy_pi5_pmic_open(&env, &m->src, why, why_size);
    if (rc) return false;
    m->have_sensor = true;
    snprintf(m->source, sizeof m->source, "%s", m->src.name);
    return true;
}

int mote_meter_new(const mote_meter_params *p, mote_meter **out) {
    *out = NULL;
    mote_meter_params def = mote_meter_default_params();
    if (!p) p = &def;
    if (p->idle_watts < 0 || p->busy_watts < 0 || (p->busy_watts > 0 && p->busy_watts < p->idle_watts))
        return mote_fail(MOTE_ERR_INVALID_ARG, "declared power: need 0 <= IDLE <= BUSY watts (got %g, %g)",
                         p->idle_watts, p->busy_watts);
    const char *want = p->source && *p->source ? p->source : "auto";
    static const char *const names[] = {"auto", "rapl", "hwmon", "pi5-pmic", "declared", "none"};
    bool known = false;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) known |= !strcmp(want, names[i]);
    if (!known)
        return mote_fail(MOTE_ERR_INVALID_ARG,
                         "unknown energy source '%s' (auto, rapl, hwmon, pi5-pmic, declared or none)", want);
    mote_meter *m = calloc(1, sizeof *m);
    if (!m) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    m->p = *p;
    const char *root = p->sysfs_root ? p->sysfs_root : getenv("MOTE_SYSFS_ROOT");
    const char *vc = p->vcgencmd ? p->vcgencmd : getenv("MOTE_VCGENCMD");
    snprintf(m->sysfs_root, sizeof m->sysfs_root, "%s", root && *root ? root : "/sys");
    snprintf(m->vcgencmd, sizeof m->vcgencmd, "%s", vc && *vc ? vc : "vcgencmd");
    m->p.sysfs_root = m->sysfs_root;
    m->p.vcgencmd = m->vcgencmd;
    m->p.source = NULL;
    snprintf(m->source, sizeof m->source, "none");
    pthread_mutex_init(&m->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cv, &ca);
    pthread_condattr_destroy(&ca);

    char why[800];
    bool is_auto = !strcmp(want, "auto");
    if (is_auto) {
        static const char *const sensors[] = {"rapl", "hwmon", "pi5-pmic"};
        for (int i = 0; i < 3 && !m->have_sensor; i++)
            if (!try_sensor(m, sensors[i], why, sizeof why)) add_note(m, why);
        if (!m->have_sensor && p->busy_watts > 0) m->declared = true;
        else if (!m->have_sensor) add_note(m, "declared: no power model given (--watts IDLE,BUSY)");
        else if (p->busy_watts > 0) {
            snprintf(why, sizeof why, "declared: not used, %s measures", m->source);
            add_note(m, why);
        }
    } else if (!strcmp(want, "declared")) {
        if (p->busy_watts <= 0) {
            mote_meter_free(m);
            return mote_fail(MOTE_ERR_INVALID_ARG, "energy source 'declared' needs a power model (--watts IDLE,BUSY)");
        }
        m->declared = true;
    } else if (strcmp(want, "none")) {
        if (!try_sensor(m, want, why, sizeof why)) {
            mote_meter_free(m);
            return mote_fail(MOTE_ERR_NOT_FOUND, "%s", why);
        }
    }
    if (m->declared) snprintf(m->source, sizeof m->source, "declared");
    *out = m;
    return MOTE_OK;
}

void mote_meter_free(mote_meter *m) {
    if (!m) return;
    if (m->running) {
        mote_meter_report r;
        mote_meter_stop(m, &r);
    }
    if (m->have_sensor && m->src.close) m->src.close(&m->src);
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* One sensor reading folded into the interval's energy (mu held or no thread). */
static void sample(mote_meter *m) {
    double v;
    int64_t now = mote_now_ns();
    if (m->src.read(&m->src, &v)) {
        m->read_failed = true;
        return;
    }
    if (m->src.kind == ENERGY_COUNTER) {
        m->counter_last = v;
    } else {
        m->power_j += 0.5 * (m->last_w + v) * (double)(now - m->last_ns) * 1e-9; /* trapezoid */
        m->last_w = v;
    }
    m->last_ns = now;
}

static void *sampler_main(void *arg) {
    mote_meter *m = arg;
    int period = m->p.sample_ms > 0 ? m->p.sample_ms : 200;
    if (period < m->src.min_period_ms) period = m->src.min_period_ms;
    pthread_mutex_lock(&m->mu);
    while (!m->stop_flag) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += period / 1000;
        until.tv_nsec += (long)(period % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        int rc = 0;
        while (!m->stop_flag && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&m->cv, &m->mu, &until);
        if (!m->stop_flag) sample(m);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

int mote_meter_start(mote_meter *m) {
    if (m->running) return mote_fail(MOTE_ERR_INVALID_ARG, "meter already running");
    m->read_failed = false;
    m->power_j = 0;
    if (m->have_sensor) {
        double v = 0;
        if (m->src.read(&m->src, &v)) m->read_failed = true;
        m->counter0 = m->counter_last = m->last_w = v;
        m->first_ns = m->last_ns = mote_now_ns();
        m->stop_flag = false;
        m->thread_on = m->p.sample_ms >= 0 && pthread_create(&m->thread, NULL, sampler_main, m) == 0;
    }
    getrusage(RUSAGE_SELF, &m->ru0);
    m->t0_ns = mote_now_ns();
    m->running = true;
    return MOTE_OK;
}

static double tv_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6; }

int mote_meter_stop(mote_meter *m, mote_meter_report *r) {
    if (!m->running) return mote_fail(MOTE_ERR_INVALID_ARG, "meter not running");
    int64_t t1 = mote_now_ns();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    m->running = false;
    if (m->thread_on) {
        pthread_mutex_lock(&m->mu);
        m->stop_flag = true;
        pthread_cond_signal(&m->cv);
        pthread_mutex_unlock(&m->mu);
        pthread_join(m->thread, NULL);
        m->thread_on = false;
    }
    memset(r, 0, sizeof *r);
    r->wall_s = (double)(t1 - m->t0_ns) * 1e-9;
    r->cpu_user_s = tv_s(ru.ru_utime) - tv_s(m->ru0.ru_utime);
    r->cpu_sys_s = tv_s(ru.ru_stime) - tv_s(m->ru0.ru_stime);
    r->cpu_s = r->cpu_user_s + r->cpu_sys_s;
    r->cpu_percent = r->wall_s > 0 ? 100.0 * r->cpu_s / r->wall_s : 0;
    r->peak_rss_bytes = (uint64_t)ru.ru_maxrss * 1024; /* Linux: KiB */
    r->minor_faults = ru.ru_minflt - m->ru0.ru_minflt;
    r->major_faults = ru.ru_majflt - m->ru0.ru_majflt;
    snprintf(r->source, sizeof r->source, "%s", m->source);
    r->co2_g = -1;
    if (m->have_sensor) {
        sample(m);
        if (!m->read_failed) {
            r->has_energy = true;
            if (m->src.kind == ENERGY_COUNTER) {
                r->joules = m->counter_last - m->counter0;
            } else {
                /* the mean power over the readings, over the wall interval */
                double span = (double)(m->last_ns - m->first_ns) * 1e-9;
                r->joules = (span > 0 ? m->power_j / span : m->last_w) * r->wall_s;
            }
        } else {
            snprintf(r->source, sizeof r->source, "none");
        }
    } else if (m->declared) {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        r->has_energy = true;
        r->joules = declared_watts(m->p.idle_watts, m->p.busy_watts, r->cpu_s, r->wall_s, ncpu > 0 ? (int)ncpu : 1) *
                    r->wall_s;
    }
    if (r->has_energy) {
        r->watts = r->wall_s > 0 ? r->joules / r->wall_s : 0;
        if (m->p.grid_g_per_kwh > 0) r->co2_g = r->joules / 3.6e6 * m->p.grid_g_per_kwh;
    }
    return MOTE_OK;
}

double mote_meter_joules_per_token(const mote_meter_report *r, int64_t n_tokens) {
    return r->has_energy && n_tokens > 0 ? r->joules / (double)n_tokens : 0.0;
}

void mote_meter_format(const mote_meter_report *r, char *buf, size_t size) {
    int n = snprintf(buf, size, "wall %.3f s, cpu %.3f s (%.0f%%), peak RSS %.1f MiB, faults %lld minor / %lld major",
                     r->wall_s, r->cpu_s, r->cpu_percent, (double)r->peak_rss_bytes / 1048576.0,
                     (long long)r->minor_faults, (long long)r->major_faults);
    if (n < 0 || (size_t)n >= size) return;
    if (!r->has_energy) {
        snprintf(buf + n, size - (size_t)n, ", energy not measured");
        return;
    }
    int k = snprintf(buf + n, size - (size_t)n, ", energy %.3f J at %.2f W (%s)", r->joules, r->watts, r->source);
    if (k < 0 || (size_t)(n + k) >= size) return;
    if (r->co2_g >= 0) snprintf(buf + n + k, size - (size_t)(n + k), ", %.3g g CO2", r->co2_g);
}
