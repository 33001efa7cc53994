//! Half-open intervals and merged interval sets per contig.

use std::collections::BTreeMap;

/// A 0-based, half-open interval `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    pub start: u64,
    pub end: u64,
}

impl Interval {
    pub fn new(start: u64, end: u64) -> Self {
        Self { start, end }
    }
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
    pub fn contains(&self, pos: u64) -> bool {
        self.start <= pos && pos < self.end
    }
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Non-overlapping, sorted intervals per contig; overlapping or touching inputs are merged, so
/// every base counts once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntervalSet {
    contigs: BTreeMap<String, Vec<Interval>>,
}

impl IntervalSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a set from unsorted, possibly overlapping intervals.
    pub fn from_intervals<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = (S, Interval)>,
        S: Into<String>,
    {
        let mut contigs: BTreeMap<String, Vec<Interval>> = BTreeMap::new();
        for (contig, iv) in items {
            if !iv.is_empty() {
                contigs.entry(contig.into()).or_default().push(iv);
            }
        }
        for ivs in contigs.values_mut() {
            merge_sorted_in_place(ivs);
        }
        contigs.retain(|_, v| !v.is_empty());
        Self { contigs }
    }

    pub fn contig_names(&self) -> impl Iterator<Item = &str> {
        self.contigs.keys().map(String::as_str)
    }

    pub fn intervals(&self, contig: &str) -> &[Interval] {
        self.contigs.get(contig).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Interval)> {
        self.contigs
            .iter()
            .flat_map(|(c, ivs)| ivs.iter().map(move |iv| (c.as_str(), iv)))
    }

    /// Total bases covered.
    pub fn total_len(&self) -> u64 {
        self.contigs.values().flatten().map(Interval::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.contigs.is_empty()
    }

    /// Whether the 0-based position lies in the set.
    pub fn contains(&self, contig: &str, pos: u64) -> bool {
        let ivs = self.intervals(contig);
        let idx = ivs.partition_point(|iv| iv.end <= pos);
        ivs.get(idx).is_some_and(|iv| iv.start <= pos)
    }

    /// Whether any base of `iv` lies in the set.
    pub fn overlaps(&self, contig: &str, iv: Interval) -> bool {
        let ivs = self.intervals(contig);
        let idx = ivs.partition_point(|x| x.end <= iv.start);
        ivs.get(idx).is_some_and(|x| x.start < iv.end)
    }

    /// Bases in both sets.
    pub fn intersect(&self, other: &IntervalSet) -> IntervalSet {
        let mut out = BTreeMap::new();
        for (contig, a) in &self.contigs {
            let b = other.intervals(contig);
            let (mut i, mut j) = (0, 0);
            let mut acc = Vec::new();
            while i < a.len() && j < b.len() {
                let start = a[i].start.max(b[j].start);
                let end = a[i].end.min(b[j].end);
                if start < end {
                    acc.push(Interval::new(start, end));
                }
                if a[i].end < b[j].end {
                    i += 1;
                } else {
                    j += 1;
                }
            }
            if !acc.is_empty() {
                out.insert(contig.clone(), acc);
            }
        }
        IntervalSet { contigs: out }
    }

    /// Cuts every interval at its contig's length (`len_of` gives it, `None` when unknown) and
    /// returns the bases removed per contig (a BED running past the contig end would otherwise
    /// inflate a territory).
    pub fn clip_to_lengths(
        &mut self,
        mut len_of: impl FnMut(&str) -> Option<u64>,
    ) -> Vec<(String, u64, u64)> {
        let mut clipped = Vec::new();
        for (contig, ivs) in self.contigs.iter_mut() {
            let Some(len) = len_of(contig) else { continue };
            let before: u64 = ivs.iter().map(Interval::len).sum();
            for iv in ivs.iter_mut() {
                iv.end = iv.end.min(len);
                iv.start = iv.start.min(iv.end);
            }
            ivs.retain(|iv| !iv.is_empty());
            let after: u64 = ivs.iter().map(Interval::len).sum();
            if after < before {
                clipped.push((contig.clone(), len, before - after));
            }
        }
        self.contigs.retain(|_, v| !v.is_empty());
        clipped
    }

    /// The same set with contigs renamed; intervals of contigs that map to the same name merge.
    pub fn rename_contigs(&self, mut rename: impl FnMut(&str) -> String) -> IntervalSet {
        IntervalSet::from_intervals(
            self.contigs
                .iter()
                .flat_map(|(c, ivs)| {
                    let name = rename(c);
                    ivs.iter().map(move |iv| (name.clone(), *iv))
                })
                .collect::<Vec<_>>(),
        )
    }
}

fn merge_sorted_in_place(ivs: &mut Vec<Interval>) {
    ivs.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(ivs.len());
    for iv in ivs.drain(..) {
        match merged.last_mut() {
            Some(last) if iv.start <= last.end => last.end = last.end.max(iv.end),
            _ => merged.push(iv),
        }
    }
    *ivs = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[(&str, u64, u64)]) -> IntervalSet {
        IntervalSet::from_intervals(items.iter().map(|&(c, s, e)| (c, Interval::new(s, e))))
    }

    #[test]
    fn overlapping_and_touching_intervals_count_once() {
        // [0,10) + [5,15) + [15,20) = [0,20): 20 bases; [30,40) separate: 10 more.
        let s = set(&[("1", 5, 15), ("1", 0, 10), ("1", 15, 20), ("1", 30, 40)]);
        assert_eq!(
            s.intervals("1"),
            &[Interval::new(0, 20), Interval::new(30, 40)]
        );
        assert_eq!(s.total_len(), 30);
    }

    #[test]
    fn clipping_at_contig_ends() {
        // The case: [4000, 9000) on a 5,000-bp contig is 1,000 bp, not 5,000.
        let mut s = set(&[
            ("c", 4000, 9000),
            ("c", 6000, 7000),
            ("d", 0, 10),
            ("u", 0, 50),
        ]);
        let clipped = s.clip_to_lengths(|c| match c {
            "c" => Some(5000),
            "d" => Some(100),
            _ => None,
        });
        assert_eq!(clipped, vec![("c".to_string(), 5000, 4000)]);
        assert_eq!(s.intervals("c"), &[Interval::new(4000, 5000)]);
        assert_eq!(s.total_len(), 1000 + 10 + 50);
    }

    #[test]
    fn contains_is_half_open() {
        let s = set(&[("1", 10, 20)]);
        assert!(!s.contains("1", 9));
        assert!(s.contains("1", 10));
        assert!(s.contains("1", 19));
        assert!(!s.contains("1", 20));
        assert!(!s.contains("2", 15));
    }

    #[test]
    fn intersection_by_hand() {
        let a = set(&[("1", 0, 100), ("2", 0, 50)]);
        let b = set(&[("1", 50, 60), ("1", 90, 120), ("3", 0, 10)]);
        let c = a.intersect(&b);
        assert_eq!(
            c.intervals("1"),
            &[Interval::new(50, 60), Interval::new(90, 100)]
        );
        assert_eq!(c.total_len(), 20);
        assert!(c.intervals("2").is_empty());
    }
}
