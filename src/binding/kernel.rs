//! The per-peptide arithmetic of the class I networks, in a portable build and an AVX2 build
//! that give the same bits: both do the same element-wise multiplies and adds in the same
//! order (no fused multiply-add, fixed summation order), so the CPU a model runs on does not
//! change a prediction.
//!
//! Hand-written intrinsics because the compiler's auto-vectorisation of the second layer
//! (sixteen sums over a variable number of units) kept the sums in memory and ran at a third
//! of this speed.

/// `h[u] = base[u] + Σ_r x_r · table[r·width + u]` over `rows` in their order, for `u` in
/// `0..width` (a weight of exactly 1 adds the row itself, which is the same number).
#[inline(always)]
pub fn first_layer(
    base: &[f32],
    table: &[f32],
    width: usize,
    rows: &[(usize, f32)],
    h: &mut [f32],
) {
    let h = &mut h[..width];
    h.copy_from_slice(&base[..width]);
    for &(r, x) in rows {
        let t = &table[r * width..(r + 1) * width];
        if x == 1.0 {
            for (a, b) in h.iter_mut().zip(t) {
                *a += b;
            }
        } else {
            for (a, b) in h.iter_mut().zip(t) {
                *a += x * b;
            }
        }
    }
}

/// ReLU as the AVX2 build computes it (`max_ps(v, 0)`: 0 unless `v > 0`).
#[inline(always)]
pub fn relu(v: f32) -> f32 {
    if v > 0.0 {
        v
    } else {
        0.0
    }
}

/// One network's layers after the first layer's sums: `h1` (pre-activations, overwritten by
/// their ReLU) → `ReLU(b2 + W2·h1)` → `w3·h2 + b3`. `w2t` is `W2` transposed (`h1.len()` rows
/// of `b2.len()`). The second layer's sums run in four interleaved partial sums (unit `j`
/// into sum `j mod 4`), combined as `(s0 + s1) + (s2 + s3)`, so consecutive additions do not
/// wait on each other; `hidden2 = 0` (no second layer) takes `w3` over `h1`.
#[inline(always)]
pub fn head(h1: &mut [f32], w2t: &[f32], b2: &[f32], w3: &[f32], b3: f32) -> f32 {
    for v in h1.iter_mut() {
        *v = relu(*v);
    }
    let h2n = b2.len();
    if h2n == 0 {
        return dot(w3, h1) + b3;
    }
    // Stack space for the usual shapes, heap beyond.
    let mut stack = [0f32; 4 * 64];
    let mut heap = Vec::new();
    let acc: &mut [f32] = if h2n <= 64 {
        &mut stack[..4 * h2n]
    } else {
        heap.resize(4 * h2n, 0.0);
        &mut heap
    };
    for (j, &a) in h1.iter().enumerate() {
        let sum = &mut acc[(j % 4) * h2n..(j % 4 + 1) * h2n];
        for (o, w) in sum.iter_mut().zip(&w2t[j * h2n..(j + 1) * h2n]) {
            *o += a * w;
        }
    }
    // The combined sums replace partial sum 0.
    for i in 0..h2n {
        let s = (acc[i] + acc[h2n + i]) + (acc[2 * h2n + i] + acc[3 * h2n + i]);
        acc[i] = relu(b2[i] + s);
    }
    dot(w3, &acc[..h2n]) + b3
}

/// `Σ a_i·b_i` in eight partial sums (element `i` into sum `i mod 8`, in order), added
/// left to right, then the remainder past the last full eight.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut total = acc[0];
    for s in &acc[1..] {
        total += s;
    }
    for (x, y) in ra.iter().zip(rb) {
        total += x * y;
    }
    total
}

/// `out[i] = b[i] + Σ_j relu(h[j]) · wt[j·n + i]` with the sum over `j` in order, for `i` in
/// `0..n` (`n = b.len()`; `wt` is the weight matrix transposed, `h.len()` rows of `n`). The
/// class II networks' second layer: a unit at or below zero adds exactly zero, which is what
/// the earlier version got by skipping it with a branch per unit, so the bits are unchanged.
#[inline(always)]
pub fn dense_relu_in_order(h: &[f32], wt: &[f32], b: &[f32], out: &mut [f32]) {
    let n = b.len();
    out[..n].copy_from_slice(b);
    for (j, &a) in h.iter().enumerate() {
        let a = relu(a);
        for (o, w) in out[..n].iter_mut().zip(&wt[j * n..(j + 1) * n]) {
            *o += a * w;
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub mod avx2 {
    //! The same arithmetic as the portable functions, for the shipped shapes.
    use std::arch::x86_64::*;

    /// [`super::first_layer`] for `width` a multiple of 64: each block of 64 units stays in
    /// eight registers while the rows are added.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn first_layer(
        base: &[f32],
        table: &[f32],
        width: usize,
        rows: &[(usize, f32)],
        h: &mut [f32],
    ) {
        assert!(width.is_multiple_of(64) && base.len() >= width && h.len() >= width);
        for &(r, _) in rows {
            assert!((r + 1) * width <= table.len());
        }
        let (bp, tp, hp) = (base.as_ptr(), table.as_ptr(), h.as_mut_ptr());
        for c in (0..width).step_by(64) {
            // SAFETY (all pointer offsets below): c + 64 <= width, and every row r satisfies
            // (r + 1) * width <= table.len() (asserted above).
            let mut v = [_mm256_setzero_ps(); 8];
            for (i, vi) in v.iter_mut().enumerate() {
                *vi = _mm256_loadu_ps(bp.add(c + 8 * i));
            }
            for &(r, x) in rows {
                let t = tp.add(r * width + c);
                if x == 1.0 {
                    for (i, vi) in v.iter_mut().enumerate() {
                        *vi = _mm256_add_ps(*vi, _mm256_loadu_ps(t.add(8 * i)));
                    }
                } else {
                    let xv = _mm256_set1_ps(x);
                    for (i, vi) in v.iter_mut().enumerate() {
                        *vi = _mm256_add_ps(*vi, _mm256_mul_ps(xv, _mm256_loadu_ps(t.add(8 * i))));
                    }
                }
            }
            for (i, vi) in v.iter().enumerate() {
                _mm256_storeu_ps(hp.add(c + 8 * i), *vi);
            }
        }
    }

    /// [`super::dense_relu_in_order`] for `V × 8` outputs, kept in `V` registers.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn dense_relu_in_order<const V: usize>(
        h: &[f32],
        wt: &[f32],
        b: &[f32],
        out: &mut [f32],
    ) {
        let n = 8 * V;
        assert!(b.len() == n && out.len() >= n && wt.len() >= h.len() * n);
        // SAFETY (pointer offsets): 8k + 8 <= n = b.len() <= out.len(), and row j's n values
        // end at (j + 1) * n <= wt.len() (asserted above).
        let mut acc = [_mm256_setzero_ps(); V];
        for (k, a) in acc.iter_mut().enumerate() {
            *a = _mm256_loadu_ps(b.as_ptr().add(8 * k));
        }
        let wp = wt.as_ptr();
        for (j, &x) in h.iter().enumerate() {
            let a = _mm256_set1_ps(super::relu(x));
            let row = wp.add(j * n);
            for (k, s) in acc.iter_mut().enumerate() {
                *s = _mm256_add_ps(*s, _mm256_mul_ps(a, _mm256_loadu_ps(row.add(8 * k))));
            }
        }
        for (k, a) in acc.iter().enumerate() {
            _mm256_storeu_ps(out.as_mut_ptr().add(8 * k), *a);
        }
    }

    /// [`super::head`] for 16 second-layer units and `h1.len()` a multiple of 8.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn head16(h1: &mut [f32], w2t: &[f32], b2: &[f32], w3: &[f32], b3: f32) -> f32 {
        let n = h1.len();
        assert!(n.is_multiple_of(8) && w2t.len() >= n * 16 && b2.len() == 16 && w3.len() == 16);
        let zero = _mm256_setzero_ps();
        let hp = h1.as_mut_ptr();
        // SAFETY (all pointer offsets below): c + 8 <= n, (j + k + 1) * 16 <= w2t.len(), and
        // b2 and w3 hold 16 values (asserted above).
        for c in (0..n).step_by(8) {
            // max_ps(v, 0) is 0 unless v > 0, as `super::relu`.
            _mm256_storeu_ps(hp.add(c), _mm256_max_ps(_mm256_loadu_ps(hp.add(c)), zero));
        }
        let wp = w2t.as_ptr();
        // Partial sum k in acc[2k] (units 0–7) and acc[2k + 1] (units 8–15).
        let mut acc = [zero; 8];
        for j in (0..n).step_by(4) {
            for k in 0..4 {
                let a = _mm256_set1_ps(*hp.add(j + k));
                let row = wp.add((j + k) * 16);
                acc[2 * k] = _mm256_add_ps(acc[2 * k], _mm256_mul_ps(a, _mm256_loadu_ps(row)));
                acc[2 * k + 1] = _mm256_add_ps(
                    acc[2 * k + 1],
                    _mm256_mul_ps(a, _mm256_loadu_ps(row.add(8))),
                );
            }
        }
        let mut out = [0f32; 8];
        for half in 0..2 {
            let s = _mm256_add_ps(
                _mm256_add_ps(acc[half], acc[2 + half]),
                _mm256_add_ps(acc[4 + half], acc[6 + half]),
            );
            let h2 = _mm256_max_ps(
                _mm256_add_ps(_mm256_loadu_ps(b2.as_ptr().add(8 * half)), s),
                zero,
            );
            let p = _mm256_mul_ps(_mm256_loadu_ps(w3.as_ptr().add(8 * half)), h2);
            // dot's eight partial sums: lane i gets w3[i]·h2[i], then w3[8 + i]·h2[8 + i].
            let prev = _mm256_loadu_ps(out.as_ptr());
            _mm256_storeu_ps(out.as_mut_ptr(), _mm256_add_ps(prev, p));
        }
        let mut total = out[0];
        for s in &out[1..] {
            total += s;
        }
        total + b3
    }
}
