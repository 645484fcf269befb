/*
 * kv_cache.c — see kv_cache.h. The block types go through the traits table
 * (quant/types.h): the reference quantizer to store, the dequantizer (the
 * CPU's fastest) to read, so nothing here knows a block layout.
 */
#include "engine/kv_cache.h"

#include "core/error.h"
#include "quant/types.h"

int kv_type_check(int type, int64_t n, const char *which) {
    if (type == MOTE_TYPE_F16) return MOTE_OK;
    const mote_type_traits *t = mote_traits(type);
    const bool usable = t && t->quantized && t->block_size == 32 && t->to_float && t->from_float;
    if (!usable)
        return mote_fail(MOTE_ERR_UNSUPPORTED,
                         "the %s cache cannot be %s (it can be f16, q8_0, q5_1, q5_0, q4_1, q4_0 or iq4_nl)", which,
                         mote_type_name(type) ? mote_type_name(type) : "that type");
    if (n % t->block_size)
        return mote_fail(MOTE_ERR_UNSUPPORTED,
                         "a %s %s cache needs rows of a multiple of %lld values; this model's have %lld (use f16)",
                         t->name, which, (long long)t->block_size, (long long)n);
    return MOTE_OK;
}

size_t kv_row_bytes(int type, int64_t n) {
    if (type == MOTE_TYPE_F16) return (size_t)n * sizeof(mote_fp16);
    const mote_type_traits *t = mote_traits(type);
    return (size_t)(n / t->block_size) * t->block_bytes;
}

void kv_row_store(int type, const float *src, void *dst, int64_t n) {
    /* F16's from_float is mote_f32_to_fp16 per value, vectorized where the CPU allows (F16C) */
    mote_traits(type)->from_float(src, dst, n);
}

void kv_row_load(int type, const void *src, float *dst, int64_t n) {
    if (type == MOTE_TYPE_F16) {
        const mote_fp16 *h = src;
        for (int64_t i = 0; i < n; i++) dst[i] = mote_fp16_to_f32(h[i]);
    } else {
        mote_traits(type)->to_float(src, dst, n);
    }
}

void kv_head_rows_f16(int type, const uint8_t *src, size_t row_bytes, int64_t from, int32_t count, int32_t rows,
                      mote_fp16 *dst) {
    if (type == MOTE_TYPE_F16) {
        for (int32_t r = 0; r < rows; r++) {
            const mote_fp16 *h = (const mote_fp16 *)(src + (size_t)r * row_bytes) + from;
            for (int32_t i = 0; i < count; i++) dst[(size_t)r * count + i] = h[i];
        }
        return;
    }
    /* The blocks that cover the head: a head narrower than a block (or not
     * on a block boundary) shares its blocks with its neighbours. */
    const mote_type_traits *t = mote_traits(type);
    const int64_t bs = t->block_size, b0 = from / bs, b1 = (from + count + bs - 1) / bs;
    const int64_t skip = from - b0 * bs;
    float tmp[KV_MAX_HEAD + 64];
    for (int32_t r = 0; r < rows; r++) {
        t->to_float(src + (size_t)r * row_bytes + (size_t)b0 * t->block_bytes, tmp, (b1 - b0) * bs);
        mote_fp16 *out = dst + (size_t)r * count;
        for (int32_t i = 0; i < count; i++) out[i] = mote_f32_to_fp16(tmp[skip + i]);
    }
}
