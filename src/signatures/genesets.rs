//! Gene-set files: the shipped signature tables (`reference/signatures/*.tsv`, embedded in the
//! binary) and user GMT files (scored by ssGSEA).
//!
//! The TSV layout is `signature gene_symbol ensembl_id weight direction [newer_symbol] [extra…]`,
//! one row per gene; extra columns (`role`, `pair_id`, `group`) carry what a method needs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::{open_decompressed, read_error, read_line_into};

/// How a signature is scored (each documented in the README with its source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Geometric mean of TPM + 0.01 (Rooney 2015 CYT).
    GeometricMean,
    /// Mean of log2(TPM + 1) (Ayers 2017 IFN-γ / expanded immune, MCP-counter, Danaher 2017).
    MeanLog2,
    /// Σ w·(log2(TPM+1) − mean of the housekeeping genes' log2(TPM+1)) (Cristescu 2018 GEP).
    WeightedHousekeeping,
    /// Number of gene pairs with expr(gene1) > expr(gene2) (Auslander 2018 IMPRES).
    PairComparison,
    /// Immunophenoscore (Charoentong 2017), with its four components.
    Immunophenoscore,
    /// Single-sample GSEA (Barbie 2009), normalised over the collection as GSVA/gseapy do.
    Ssgsea,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::GeometricMean => "geometric_mean",
            Method::MeanLog2 => "mean_log2",
            Method::WeightedHousekeeping => "weighted_housekeeping",
            Method::PairComparison => "pair_comparison",
            Method::Immunophenoscore => "immunophenoscore",
            Method::Ssgsea => "ssgsea",
        }
    }
}

/// One gene of a signature.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Member {
    pub symbol: String,
    pub ensembl: Option<String>,
    /// Later HGNC symbol, tried when the published one is absent.
    pub newer_symbol: Option<String>,
    pub weight: Option<f64>,
    /// `predictor`/`housekeeping` (GEP), `gene1`/`gene2` (IMPRES).
    pub role: Option<String>,
    /// IMPRES pair number.
    pub pair: Option<u32>,
    /// IPS group (e.g. `PD-1`) and class (`MHC`, `CP`, `EC`, `SC`).
    pub group: Option<String>,
    pub class: Option<String>,
}

/// A named signature and its genes, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub name: String,
    pub method: Method,
    pub members: Vec<Member>,
}

/// Signatures scored together (ssGSEA normalises over one collection).
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub name: String,
    pub signatures: Vec<Signature>,
}

/// The shipped sets: (collection, file text, method).
const BUILT_IN: &[(&str, &str, Method)] = &[
    (
        "cyt_rooney2015",
        include_str!("../../reference/signatures/cyt_rooney2015.tsv"),
        Method::GeometricMean,
    ),
    (
        "ayers2017_ifng6_expanded18",
        include_str!("../../reference/signatures/ayers2017_ifng6_expanded18.tsv"),
        Method::MeanLog2,
    ),
    (
        "gep18_cristescu2018",
        include_str!("../../reference/signatures/gep18_cristescu2018_weights.tsv"),
        Method::WeightedHousekeeping,
    ),
    (
        "mcpcounter_becht2016",
        include_str!("../../reference/signatures/mcpcounter_becht2016.tsv"),
        Method::MeanLog2,
    ),
    (
        "danaher2017",
        include_str!("../../reference/signatures/danaher2017.tsv"),
        Method::MeanLog2,
    ),
    (
        "impres_auslander2018",
        include_str!("../../reference/signatures/impres_auslander2018_pairs.tsv"),
        Method::PairComparison,
    ),
    (
        "ips_charoentong2017",
        include_str!("../../reference/signatures/ips_charoentong2017.tsv"),
        Method::Immunophenoscore,
    ),
    (
        "charoentong2017_28celltypes",
        include_str!("../../reference/signatures/charoentong2017_28celltypes.tsv"),
        Method::Ssgsea,
    ),
];

/// Every shipped collection.
pub fn built_in() -> Vec<Collection> {
    BUILT_IN
        .iter()
        .map(|(name, text, method)| {
            // The embedded files are checked by a unit test; a parse failure is our bug.
            parse_tsv(text, *method, Path::new(name)).unwrap_or_else(|e| Collection {
                name: format!("{name} (unreadable: {e})"),
                signatures: Vec::new(),
            })
        })
        .zip(BUILT_IN)
        .map(|(mut c, (name, _, _))| {
            c.name = (*name).to_string();
            c
        })
        .collect()
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Parses the signature TSV layout, grouping rows by `signature` in order of appearance.
///
/// # Errors
/// A missing required column or a weight that is not a number.
pub fn parse_tsv(text: &str, method: Method, path: &Path) -> Result<Collection> {
    let mut lines = text.lines().enumerate();
    let header: Vec<&str> = lines
        .next()
        .map(|(_, l)| l.split('\t').collect())
        .ok_or_else(|| Error::invalid(path, None, "empty gene-set file"))?;
    let col = |name: &str| header.iter().position(|c| *c == name);
    let need = |name: &str| {
        col(name).ok_or_else(|| {
            Error::invalid(path, Some("header".into()), format!("no column '{name}'"))
        })
    };
    let (sig, sym) = (need("signature")?, need("gene_symbol")?);
    let (ens, w, newer, role, pair, group, class) = (
        col("ensembl_id"),
        col("weight"),
        col("newer_symbol"),
        col("role"),
        col("pair_id"),
        col("group"),
        col("ips_class"),
    );
    let mut order: Vec<String> = Vec::new();
    let mut by_name: BTreeMap<String, Vec<Member>> = BTreeMap::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let get = |c: Option<usize>| c.and_then(|c| f.get(c)).and_then(|s| opt(s));
        let name =
            get(Some(sig)).ok_or_else(|| Error::at_line(path, i + 1, "empty signature name"))?;
        let symbol =
            get(Some(sym)).ok_or_else(|| Error::at_line(path, i + 1, "empty gene_symbol"))?;
        let weight = match get(w) {
            None => None,
            Some(t) => Some(t.parse::<f64>().map_err(|_| {
                Error::at_line(path, i + 1, format!("weight '{t}' is not a number"))
            })?),
        };
        let pair = match get(pair) {
            None => None,
            Some(t) => Some(t.parse::<u32>().map_err(|_| {
                Error::at_line(path, i + 1, format!("pair_id '{t}' is not a whole number"))
            })?),
        };
        let member = Member {
            symbol,
            ensembl: get(ens),
            newer_symbol: get(newer),
            weight,
            role: get(role),
            pair,
            group: get(group),
            class: get(class),
        };
        if !by_name.contains_key(&name) {
            order.push(name.clone());
        }
        by_name.entry(name).or_default().push(member);
    }
    let signatures = order
        .into_iter()
        .map(|name| {
            let members = by_name.remove(&name).unwrap_or_default();
            Signature {
                name,
                method,
                members,
            }
        })
        .collect();
    Ok(Collection {
        name: path.display().to_string(),
        signatures,
    })
}

/// Reads a GMT file (`name<TAB>description<TAB>gene…`): one ssGSEA collection.
///
/// # Errors
/// Unreadable file, a line with no gene, a set named twice.
pub fn read_gmt(path: &Path) -> Result<Collection> {
    let (mut reader, _) = open_decompressed(path, 1)?;
    let mut line = Vec::new();
    let mut signatures: Vec<Signature> = Vec::new();
    let mut no = 0;
    while read_line_into(&mut reader, &mut line).map_err(|e| read_error(path, e))? {
        no += 1;
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let text =
            std::str::from_utf8(&line).map_err(|_| Error::at_line(path, no, "not UTF-8 text"))?;
        let f: Vec<&str> = text.split('\t').collect();
        if f.len() < 3 {
            return Err(Error::at_line(
                path,
                no,
                "a GMT line is: name, description, then at least one gene (tab-separated)",
            ));
        }
        if signatures.iter().any(|s| s.name == f[0]) {
            return Err(Error::at_line(
                path,
                no,
                format!("gene set {} appears twice", f[0]),
            ));
        }
        let mut members: Vec<Member> = Vec::new();
        for g in &f[2..] {
            let g = g.trim();
            if g.is_empty() || members.iter().any(|m| m.symbol == g) {
                continue;
            }
            members.push(Member {
                symbol: g.to_string(),
                ensembl: g
                    .starts_with("ENS")
                    .then(|| crate::quant::tables::strip_version(g).to_string()),
                ..Member::default()
            });
        }
        signatures.push(Signature {
            name: f[0].to_string(),
            method: Method::Ssgsea,
            members,
        });
    }
    if signatures.is_empty() {
        return Err(Error::invalid(path, None, "no gene sets in this GMT file"));
    }
    Ok(Collection {
        name: path.display().to_string(),
        signatures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_sets_parse_with_published_sizes() {
        let all = built_in();
        let size = |c: &str, s: &str| {
            all.iter()
                .find(|x| x.name == c)
                .and_then(|x| x.signatures.iter().find(|y| y.name == s))
                .map(|y| y.members.len())
        };
        assert_eq!(size("cyt_rooney2015", "CYT_Rooney2015"), Some(2));
        assert_eq!(
            size("ayers2017_ifng6_expanded18", "IFNG6_Ayers2017"),
            Some(6)
        );
        assert_eq!(
            size("ayers2017_ifng6_expanded18", "ExpandedImmune18_Ayers2017"),
            Some(18)
        );
        // 18 predictors + 11 housekeeping genes.
        assert_eq!(size("gep18_cristescu2018", "GEP18_Cristescu2018"), Some(29));
        assert_eq!(
            size("impres_auslander2018", "IMPRES_Auslander2018"),
            Some(30)
        );
        assert_eq!(
            size("ips_charoentong2017", "IPS_Charoentong2017"),
            Some(162)
        );
        let cells = all
            .iter()
            .find(|x| x.name == "charoentong2017_28celltypes")
            .unwrap();
        assert_eq!(cells.signatures.len(), 28);
        let mcp = all
            .iter()
            .find(|x| x.name == "mcpcounter_becht2016")
            .unwrap();
        assert_eq!(mcp.signatures.len(), 10);
        assert_eq!(
            all.iter()
                .find(|x| x.name == "danaher2017")
                .unwrap()
                .signatures
                .len(),
            14
        );
    }
}
