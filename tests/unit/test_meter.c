/*
 * test_meter.c — the meter (mote_meter, src/measure/) against fake sysfs
 * trees and a fake vcgencmd: each energy source read correctly (RAPL with
 * a counter wrap, hwmon power and energy, the Pi 5 PMIC rails), the order
 * in which they are tried, the reasons given for those skipped (a RAPL
 * counter readable only by root, a missing sensor), the declared model, and
 * bad parameters refused with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure/energy_source.h"
#include "testutil.h"

/* A fresh directory for one fake tree (world-readable, see no_permission). */
static const char *make_root(void) {
    static char root[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(root[k], sizeof root[k], "%s", temp_path("-sys"));
    assert_int_equal(mkdir(root[k], 0755), 0);
    return root[k];
}

/* Write `text` to root/rel, creating the directories on the way. */
static void put(const char *root, const char *rel, const char *text) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, 0644);
}

static void rm_tree(const char *root) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static mote_meter *meter_on(const char *root, const char *vcgencmd, const char *source) {
    mote_meter_params p = mote_meter_default_params();
    p.sysfs_root = root;
    p.vcgencmd = vcgencmd ? vcgencmd : "/nonexistent/vcgencmd";
    p.source = source;
    p.sample_ms = -1; /* readings only at start and stop: the tests change the files in between */
    mote_meter *m = NULL;
    assert_int_equal(mote_meter_new(&p, &m), MOTE_OK);
    return m;
}

static void rapl_counts_across_a_wrap(void **state) {
    (void)state;
    const char *root = make_root();
    put(root, "class/powercap/intel-rapl:0/name", "package-0\n");
    put(root, "class/powercap/intel-rapl:0/max_energy_range_uj", "1000000\n");
    put(root, "class/powercap/intel-rapl:0/energy_uj", "999900\n");
    /* a subzone is part of its package: never added */
    put(root, "class/powercap/intel-rapl:0:0/energy_uj", "5\n");
    put(root, "class/powercap/intel-rapl:1/max_energy_range_uj", "1000000\n");
    put(root, "class/powercap/intel-rapl:1/energy_uj", "1000\n");
    mote_meter *m = meter_on(root, NULL, NULL);
    assert_string_equal(mote_meter_source(m), "rapl");
    assert_int_equal(mote_meter_start(m), MOTE_OK);
    put(root, "class/powercap/intel-rapl:0/energy_uj", "400\n");    /* wrapped: +100 +400 */
    put(root, "class/powercap/intel-rapl:0:0/energy_uj", "999999\n");
    put(root, "class/powercap/intel-rapl:1/energy_uj", "3000\n");  /* +2000 */
    mote_meter_report r;
    assert_int_equal(mote_meter_stop(m, &r), MOTE_OK);
    assert_true(r.has_energy);
    assert_string_equal(r.source, "rapl");
    assert_true(r.joules > 2499e-6 && r.joules < 2501e-6);
    /* a second interval starts from the counters as they are now */
    assert_int_equal(mote_meter_start(m), MOTE_OK);
    put(root, "class/powercap/intel-rapl:1/energy_uj", "4000\n");
    assert_int_equal(mote_meter_stop(m, &r), MOTE_OK);
    assert_true(r.joules > 999e-6 && r.joules < 1001e-6);
    mote_meter_free(m);
    rm_tree(root);
}

static void hwmon_power_is_integrated(void **state) {
    (void)state;
    const char *root = make_root();
    put(root, "class/hwmon/hwmon0/name", "coretemp\n");
    put(root, "class/hwmon/hwmon1/name", "ina260\n");
    put(root, "class/hwmon/hwmon1/power1_input", "2500000\n"); /* 2.5 W */
    mote_meter *m = meter_on(root, NULL, NULL);
    assert_string_equal(mote_meter_source(m), "hwmon:ina260");
    /* why RAPL was not used is said */
    assert_non_null(strstr(mote_meter_notes(m), "rapl:"));
    mote_meter_report r;
    assert_int_equal(mote_meter_start(m), MOTE_OK);
    usleep(20000);
    assert_int_equal(mote_meter_stop(m, &r), MOTE_OK);
    assert_true(r.has_energy);
    assert_true(r.watts > 2.4999 && r.watts < 2.5001);
    assert_true(r.joules > 0);
    mote_meter_free(m);
    rm_tree(root);
}

static void hwmon_energy_counter_preferred(void **state) {
    (void)state;
    const char *root = make_root();
    put(root, "class/hwmon/hwmon3/name", "ina226\n");
    put(root, "class/hwmon/hwmon3/device/power1_input", "9000000\n");
    put(root, "class/hwmon/hwmon3/device/energy1_input", "5000000\n");
    mote_meter *m = meter_on(root, NULL, "hwmon");
    assert_string_equal(mote_meter_source(m), "hwmon:ina226");
    mote_meter_report r;
    assert_int_equal(mote_meter_start(m), MOTE_OK);
    put(root, "class/hwmon/hwmon3/device/energy1_input", "5750000\n");
    assert_int_equal(mote_meter_stop(m, &r), MOTE_OK);
    assert_true(r.joules > 0.7499 && r.joules < 0.7501);
    mote_meter_free(m);
    rm_tree(root);
}

/* A fake vcgencmd printing the PMIC's lines (two rails with both readings,
 * one current without a voltage, one voltage without a current). */
static const char *fake_vcgencmd(const char *dir, int exit_status) {
    static char path[512];
    snprintf(path, sizeof path, "%s/vcgencmd", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "#!/bin/sh\n"
            "[ \"$1\" = pmic_read_adc ] || exit 1\n"
            "echo '     VDD_CORE_A current(7)=2.00000000A'\n"
            "echo '       3V3_SYS_A current(1)=0.50000000A'\n"
            "echo '     3V7_WL_SW_A current(0)=0.10000000A'\n"
            "echo '     VDD_CORE_V volt(15)=0.75000000V'\n"
            "echo '       3V3_SYS_V volt(9)=3.30000000V'\n"
            "echo '       EXT5V_V volt(24)=5.10000000V'\n"
            "exit %d\n",
            exit_status);
    fclose(f);
    chmod(path, 0755);
    return path;
}

static void pi5_pmic_sums_rails(void **state) {
    (void)state;
    const char *root = make_root(); /* no powercap, no hwmon: the PMIC comes next */
    mote_meter *m = meter_on(root, fake_vcgencmd(root, 0), NULL);
    assert_string_equal(mote_meter_source(m), "pi5-pmic");
    const char *notes = mote_meter_notes(m);
    assert_non_null(strstr(notes, "rapl:"));
    assert_non_null(strstr(notes, "hwmon:"));
    mote_meter_report r;
    assert_int_equal(mote_meter_start(m), MOTE_OK);
    assert_int_equal(mote_meter_stop(m, &r), MOTE_OK);
    /* 2.0 x 0.75 + 0.5 x 3.3 = 3.15 W */
    assert_true(r.watts > 3.1499 && r.watts < 3.1501);
    mote_meter_free(m);
    rm_tree(root);
}

static void failing_vcgencmd_falls_through(void **state) {
    (void)state;
    const char *root = make_root();
    mote_meter_params p = mote_meter_default_params();
    p.sysfs_root = root;
    p.vcgencmd = fake_vcgencmd(root, 1);
    p.idle_watts = 2;
    p.busy_watts = 6;
    p.grid_g_per_kwh = 400;
    mote_meter *m;
    assert_int_equal(mote_meter_new(&p, &m), MOTE_OK);
    assert_string_equal(mote_meter_source(m), "declared");
    assert_non_null(strstr(mote_meter_notes(m), "pi5-pmic:"));
    mote_meter_report r;
    assert_int_equal(mote_meter_start(m), MOTE_OK);
    usleep(10000);
    assert_int_equal(mote_meter_stop(m, &r), MOTE_OK);
    assert_true(r.has_energy);
    assert_true(r.watts >= 2 - 1e-9 && r.watts <= 6 + 1e-9);
    assert_true(r.co2_g > 0);
    assert_true(r.co2_g - r.joules / 3.6e6 * 400 < 1e-12);
    char line[400];
    mote_meter_format(&r, line, sizeof line);
    assert_non_null(strstr(line, "(declared)"));
    assert_non_null(strstr(line, "g CO2"));
    mote_meter_free(m);
    /* the explicit source that is not there is an error naming why */
    p.source = "pi5-pmic";
    assert_int_equal(mote_meter_new(&p, &m), MOTE_ERR_NOT_FOUND);
    assert_non_null(strstr(mote_last_error(), "pi5-pmic"));
    rm_tree(root);
}

static void nothing_measurable(void **state) {
    (void)state;
    const char *root = make_root();
    mote_meter *m = meter_on(root, NULL, NULL);
    assert_string_equal(mote_meter_source(m), "none");
    assert_non_null(strstr(mote_meter_notes(m), "--watts"));
    mote_meter_report r;
    assert_int_equal(mote_meter_start(m), MOTE_OK);
    assert_int_equal(mote_meter_stop(m, &r), MOTE_OK);
    assert_false(r.has_energy);
    assert_true(r.co2_g < 0);
    assert_true(r.peak_rss_bytes > 0);
    assert_true(r.wall_s >= 0);
    assert_true(mote_meter_joules_per_token(&r, 10) == 0);
    mote_meter_free(m);
    rm_tree(root);
}

/* energy_uj readable only by root (as since Linux 5.10): the reason says so
 * and the next source (hwmon) is used. Checked as an unprivileged user: a
 * root test process drops to nobody in a child. */
static void no_permission(void **state) {
    (void)state;
    const char *root = make_root();
    put(root, "class/powercap/intel-rapl:0/energy_uj", "123\n");
    put(root, "class/hwmon/hwmon0/name", "ina219\n");
    put(root, "class/hwmon/hwmon0/power1_input", "1000000\n");
    char path[600];
    snprintf(path, sizeof path, "%s/class/powercap/intel-rapl:0/energy_uj", root);
    chmod(path, 0400);
    chmod(root, 0755);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && setuid(65534) != 0) _exit(3);
        mote_meter_params p = mote_meter_default_params();
        p.sysfs_root = root;
        p.vcgencmd = "/nonexistent/vcgencmd";
        mote_meter *m;
        if (mote_meter_new(&p, &m)) _exit(4);
        int bad = strcmp(mote_meter_source(m), "hwmon:ina219") != 0;
        bad |= (strstr(mote_meter_notes(m), "readable only by root") == NULL) << 1;
        if (bad) fprintf(stderr, "source %s, notes:\n%s", mote_meter_source(m), mote_meter_notes(m));
        mote_meter_free(m);
        _exit(bad ? 5 : 0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    rm_tree(root);
}

static void declared_model_and_bad_parameters(void **state) {
    (void)state;
    /* half of 4 CPUs busy: halfway between idle and busy */
    assert_true(declared_watts(2, 6, 2.0, 1.0, 4) == 4.0);
    assert_true(declared_watts(2, 6, 0, 1.0, 4) == 2.0);
    assert_true(declared_watts(2, 6, 100, 1.0, 4) == 6.0); /* clamped */
    mote_meter_params p = mote_meter_default_params();
    mote_meter *m = NULL;
    p.idle_watts = 5, p.busy_watts = 3;
    assert_int_equal(mote_meter_new(&p, &m), MOTE_ERR_INVALID_ARG);
    assert_null(m);
    p.idle_watts = 1, p.busy_watts = 3, p.source = "thermometer";
    assert_int_equal(mote_meter_new(&p, &m), MOTE_ERR_INVALID_ARG);
    assert_non_null(strstr(mote_last_error(), "thermometer"));
    p.busy_watts = 0, p.source = "declared";
    assert_int_equal(mote_meter_new(&p, &m), MOTE_ERR_INVALID_ARG);
    p.source = "none";
    assert_int_equal(mote_meter_new(&p, &m), MOTE_OK);
    mote_meter_report r;
    assert_int_equal(mote_meter_stop(m, &r), MOTE_ERR_INVALID_ARG); /* not started */
    mote_meter_free(m);
}

/* With the sampling thread on, a power sensor is read during the interval. */
static void sampling_thread(void **state) {
    (void)state;
    const char *root = make_root();
    put(root, "class/hwmon/hwmon0/name", "ina260\n");
    put(root, "class/hwmon/hwmon0/power1_input", "4000000\n");
    mote_meter_params p = mote_meter_default_params();
    p.sysfs_root = root;
    p.sample_ms = 5;
    mote_meter *m;
    assert_int_equal(mote_meter_new(&p, &m), MOTE_OK);
    mote_meter_report r;
    assert_int_equal(mote_meter_start(m), MOTE_OK);
    usleep(30000);
    assert_int_equal(mote_meter_stop(m, &r), MOTE_OK);
    assert_true(r.watts > 3.9999 && r.watts < 4.0001);
    mote_meter_free(m);
    rm_tree(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rapl_counts_across_a_wrap),
        cmocka_unit_test(hwmon_power_is_integrated),
        cmocka_unit_test(hwmon_energy_counter_preferred),
        cmocka_unit_test(pi5_pmic_sums_rails),
        cmocka_unit_test(failing_vcgencmd_falls_through),
        cmocka_unit_test(nothing_measurable),
        cmocka_unit_test(no_permission),
        cmocka_unit_test(declared_model_and_bad_parameters),
        cmocka_unit_test(sampling_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
