/*
 * source_declared.c — the fallback when nothing can be measured: the user
 * declares the machine's power when idle and when every CPU is busy (from a
 * wall-socket meter or a data sheet), and the meter scales between the two
 * by the share of the CPUs the work used. Coarse, and always labelled
 * "declared" so nobody takes it for a measurement.
 */
#include "measure/energy_source.h"

double declared_watts(double idle_w, double busy_w, double cpu_s, double wall_s, int n_cpus) {
    if (wall_s <= 0 || n_cpus < 1) return idle_w;
    double share = cpu_s / (wall_s * n_cpus);
    if (share < 0) share = 0;
    if (share > 1) share = 1;
    return idle_w + (busy_w - idle_w) * share;
}
