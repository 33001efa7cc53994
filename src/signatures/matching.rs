//! Matching signature genes to the rows of an expression matrix: Ensembl ID first, then the
//! published symbol, then the later HGNC symbol (e.g. C10orf54 → VSIR), then the same symbols
//! ignoring case.

use std::collections::HashMap;

use crate::quant::ExpressionMatrix;
use crate::signatures::genesets::Member;

/// Lookup tables over one matrix's row names.
#[derive(Debug, Clone, Default)]
pub struct GeneIndex {
    ensembl: HashMap<String, usize>,
    symbol: HashMap<String, usize>,
    upper: HashMap<String, usize>,
}

impl GeneIndex {
    /// Indexes `genes` (Ensembl IDs or symbols) and `symbols` (symbols beside IDs); with
    /// duplicate names the first row wins.
    pub fn new(matrix: &ExpressionMatrix) -> Self {
        let mut ix = GeneIndex::default();
        for (i, g) in matrix.genes.iter().enumerate() {
            if g.starts_with("ENS")
                && g.len() > 4
                && g[4..].bytes().all(|b| b.is_ascii_alphanumeric())
            {
                ix.ensembl.entry(g.clone()).or_insert(i);
            } else {
                ix.add_symbol(g, i);
            }
        }
        for (i, s) in matrix.symbols.iter().enumerate() {
            if let Some(s) = s {
                ix.add_symbol(s, i);
            }
        }
        ix
    }

    fn add_symbol(&mut self, s: &str, i: usize) {
        self.symbol.entry(s.to_string()).or_insert(i);
        self.upper.entry(s.to_ascii_uppercase()).or_insert(i);
    }

    /// The row holding `member`, if any.
    pub fn resolve(&self, member: &Member) -> Option<usize> {
        if let Some(&i) = member.ensembl.as_ref().and_then(|e| self.ensembl.get(e)) {
            return Some(i);
        }
        let names = std::iter::once(&member.symbol).chain(member.newer_symbol.as_ref());
        for n in names.clone() {
            if let Some(&i) = self.symbol.get(n) {
                return Some(i);
            }
        }
        names
            .filter_map(|n| self.upper.get(&n.to_ascii_uppercase()).copied())
            .next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::{Scale, TableFormat};

    #[test]
    fn ensembl_then_symbol_then_newer_symbol() {
        let m = ExpressionMatrix {
            genes: vec!["ENSG00000107738".into(), "CD8A".into(), "Gzma".into()],
            symbols: vec![Some("VSIR".into()), None, None],
            samples: vec!["s".into()],
            values: vec![vec![1.0]; 3],
            scale: Scale::Tpm,
            format: TableFormat::Matrix,
        };
        let ix = GeneIndex::new(&m);
        let member = |sym: &str, ens: Option<&str>, newer: Option<&str>| Member {
            symbol: sym.into(),
            ensembl: ens.map(Into::into),
            newer_symbol: newer.map(Into::into),
            ..Member::default()
        };
        assert_eq!(
            ix.resolve(&member("C10orf54", Some("ENSG00000107738"), None)),
            Some(0)
        );
        assert_eq!(ix.resolve(&member("C10orf54", None, Some("VSIR"))), Some(0));
        assert_eq!(
            ix.resolve(&member("CD8A", Some("ENSG00000153563"), None)),
            Some(1)
        );
        assert_eq!(ix.resolve(&member("GZMA", None, None)), Some(2));
        assert_eq!(ix.resolve(&member("PRF1", None, None)), None);
    }
}
