//! Ordered parallel processing of a stream in reusable batches, in the spirit of perbase's
//! `ParGranges` for line streams: while the pool works on one batch, the next one is read (and
//! its BGZF blocks inflated) on another thread; results are handed on in input order, so the
//! output bytes do not depend on the number of threads, and memory holds two batches at most.

use crate::error::Result;

/// Runs `work` over batches read by `fill` from `source`, double-buffered, handing each result
/// to `sink` in input order and each batch's size to `done` (for progress).
///
/// `fill` refills a batch (reusing its buffers) and returns how many items it holds; 0 ends
/// the stream. `work` returns one result per unit of work (e.g. a chunk of lines) in input
/// order.
///
/// # Errors
/// The first error in input order: a batch's results come before the error of reading the
/// batch after it; `sink`'s errors stop the stream.
pub fn ordered_batches<S, B, T, F, W, K, D>(
    source: &mut S,
    mut current: B,
    mut next: B,
    fill: F,
    work: W,
    mut sink: K,
    mut done: D,
) -> Result<()>
where
    S: Send,
    B: Send + Sync,
    T: Send,
    F: Fn(&mut B, &mut S) -> Result<usize> + Sync,
    W: Fn(&B) -> Vec<Result<T>> + Sync,
    K: FnMut(T) -> Result<()>,
    D: FnMut(usize),
{
    let mut len = fill(&mut current, source)?;
    while len > 0 {
        let (results, read) = rayon::join(|| work(&current), || fill(&mut next, source));
        for r in results {
            sink(r?)?;
        }
        let next_len = read?;
        done(len);
        std::mem::swap(&mut current, &mut next);
        len = next_len;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    /// Reads up to 3 numbers per batch from a vector (a stand-in for a file).
    fn fill(b: &mut Vec<u64>, src: &mut std::vec::IntoIter<u64>) -> Result<usize> {
        b.clear();
        b.extend(src.by_ref().take(3));
        Ok(b.len())
    }

    #[test]
    fn results_come_in_input_order_whatever_the_pool() {
        let work = |b: &Vec<u64>| -> Vec<Result<u64>> { b.iter().map(|x| Ok(x * x)).collect() };
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut out = Vec::new();
            let mut sizes = Vec::new();
            pool.install(|| {
                let mut src = (1..=8).collect::<Vec<u64>>().into_iter();
                ordered_batches(
                    &mut src,
                    Vec::new(),
                    Vec::new(),
                    fill,
                    work,
                    |x| {
                        out.push(x);
                        Ok(())
                    },
                    |n| sizes.push(n),
                )
                .unwrap();
            });
            assert_eq!(out, [1, 4, 9, 16, 25, 36, 49, 64]);
            assert_eq!(sizes, [3, 3, 2]);
        }
    }

    #[test]
    fn the_first_error_in_input_order_wins() {
        // Item 4 fails in the second batch; item 7 would fail in the third, never reached.
        let work = |b: &Vec<u64>| -> Vec<Result<u64>> {
            b.iter()
                .map(|&x| {
                    if x == 4 || x == 7 {
                        Err(Error::Internal(format!("item {x}")))
                    } else {
                        Ok(x)
                    }
                })
                .collect()
        };
        let mut src = (1..=8).collect::<Vec<u64>>().into_iter();
        let mut seen = Vec::new();
        let e = ordered_batches(
            &mut src,
            Vec::new(),
            Vec::new(),
            fill,
            work,
            |x| {
                seen.push(x);
                Ok(())
            },
            |_| {},
        )
        .unwrap_err();
        assert!(e.to_string().contains("item 4"), "{e}");
        assert_eq!(seen, [1, 2, 3]);
    }
}
