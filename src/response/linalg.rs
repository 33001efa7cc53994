//! The little dense linear algebra the response model needs (matrices of at most ~35×35):
//! Cholesky factorisation, solves and inverses of symmetric positive-definite matrices.
//! Sequential loops in a fixed order, so results are the same bytes on every run.

// Index loops over small dense matrices read closer to the formulas than iterator chains.
#![allow(clippy::needless_range_loop)]

/// Row-major square matrix as nested vectors (serialises naturally to JSON).
pub type Matrix = Vec<Vec<f64>>;

/// Lower-triangular Cholesky factor of a symmetric positive-definite matrix, or `None` when the
/// matrix is not positive definite (a pivot at or below `1e-12` times the largest diagonal).
pub fn cholesky(a: &Matrix) -> Option<Matrix> {
    let n = a.len();
    let max_diag = (0..n).map(|i| a[i][i].abs()).fold(0.0_f64, f64::max);
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i][j];
            for k in 0..j {
                s -= l[i][k] * l[j][k];
            }
            if i == j {
                if s <= 1e-12 * max_diag.max(1e-300) {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Some(l)
}

/// Solves `L Lᵀ x = b` given the Cholesky factor `L`.
pub fn cholesky_solve(l: &Matrix, b: &[f64]) -> Vec<f64> {
    let n = l.len();
    let mut y = vec![0.0; n];
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i][k] * y[k];
        }
        y[i] = s / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in i + 1..n {
            s -= l[k][i] * x[k];
        }
        x[i] = s / l[i][i];
    }
    x
}

/// Inverse of a symmetric positive-definite matrix, or `None` when it is not.
pub fn spd_inverse(a: &Matrix) -> Option<Matrix> {
    let l = cholesky(a)?;
    let n = a.len();
    let mut inv = vec![vec![0.0; n]; n];
    let mut e = vec![0.0; n];
    for j in 0..n {
        e.iter_mut().for_each(|v| *v = 0.0);
        e[j] = 1.0;
        let col = cholesky_solve(&l, &e);
        for i in 0..n {
            inv[i][j] = col[i];
        }
    }
    // Symmetrise away rounding so the stored covariance is exactly symmetric.
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (inv[i][j] + inv[j][i]);
            inv[i][j] = m;
            inv[j][i] = m;
        }
    }
    Some(inv)
}

/// `xᵀ A x`.
pub fn quad_form(a: &Matrix, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, row) in a.iter().enumerate() {
        let mut r = 0.0;
        for (j, v) in row.iter().enumerate() {
            r += v * x[j];
        }
        s += x[i] * r;
    }
    s
}

/// Submatrix with the given rows and columns.
pub fn select(a: &Matrix, rows: &[usize], cols: &[usize]) -> Matrix {
    rows.iter()
        .map(|&i| cols.iter().map(|&j| a[i][j]).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_a_2x2_by_hand() {
        // [[4,2],[2,3]]⁻¹ = 1/8 [[3,-2],[-2,4]]
        let inv = spd_inverse(&vec![vec![4.0, 2.0], vec![2.0, 3.0]]).unwrap();
        let want = [[0.375, -0.25], [-0.25, 0.5]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((inv[i][j] - want[i][j]).abs() < 1e-12);
            }
        }
        assert!(cholesky(&vec![vec![1.0, 2.0], vec![2.0, 1.0]]).is_none());
        assert!(
            (quad_form(&vec![vec![4.0, 2.0], vec![2.0, 3.0]], &[1.0, 1.0]) - 11.0).abs() < 1e-12
        );
    }
}
