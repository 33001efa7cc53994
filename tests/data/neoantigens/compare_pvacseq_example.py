#!/usr/bin/env python3
"""Compare `immunoprofile neoantigens` with pVACseq's own example run (stdlib only).

pVACseq ships its example input and the all_epitopes.tsv it produced from it in
pvactools/tools/pvacseq/example_data/ (pip install pvactools). Its predictions come from
licensed or online tools that cannot run offline, so this script:

1. writes pVACseq's own MHCflurry IC50s/percentiles (MT and WT epitopes) from that
   all_epitopes.tsv as an mhcflurry-predict CSV (`prepare`), which `neoantigens` imports with
   --predictor mhcflurry:FILE, and
2. compares (`compare`) the epitope set — (transcript, allele, length, MT epitope, WT epitope,
   mutation position) — and the per-variant DNA/RNA depth and VAF and gene/transcript expression
   of our all.tsv with pVACseq's (values rounded to 3 decimals as pVACseq writes them).

3. checks the default filters and tiers (`filters`): pVACseq's top-score metric is the median
   over its prediction methods, so `prepare-median` writes pVACseq's Median MT/WT IC50 Score and
   Median MT/WT IC50 Percentile as the CSV; `filters` then runs pvactools' own BindingFilter
   (pvactools 7.1.5 defaults: IC50 <= 500, binding percentile <= 2, conservative) and its
   coverage filter criteria on pVACseq's all_epitopes.tsv, and compares the passing set with
   our neoantigens.tsv from a default run; it also compares, for every variant of pVACseq's
   aggregated.tsv, its tier with ours for the same (transcript, allele, peptide), and looks up
   the candidates of pVACseq's filtered.tsv in ours. pVACseq's immunogenicity and presentation
   percentile criteria (BigMHC_IM, PRIME, MHCflurryEL, NetMHCpanEL; we have no such predictors)
   are set to 100, i.e. off, for the filter comparison and reported separately for the tiers.
   pvactools is imported from PVACTOOLS_DIR (the folder holding the `pvactools` package, e.g.
   an unpacked wheel) without running its package __init__ (which needs every predictor).

Usage:
  python3 compare_pvacseq_example.py prepare PVACSEQ_ALL_EPITOPES.tsv OUT.csv
  immunoprofile neoantigens --vcf EXAMPLE/annotated.expression.vcf.gz --sample HCC1395_TUMOR_DNA \
      --alleles HLA-A*29:02,HLA-B*45:01,HLA-B*82:02 --lengths 8,9 --predictor mhcflurry:OUT.csv -o ours
  python3 compare_pvacseq_example.py compare PVACSEQ_ALL_EPITOPES.tsv ours.neoantigens.all.tsv

  python3 compare_pvacseq_example.py prepare-median PVACSEQ_ALL_EPITOPES.tsv MEDIAN.csv
  immunoprofile neoantigens ... --predictor mhcflurry:MEDIAN.csv -o dflt   (default filters)
  python3 compare_pvacseq_example.py filters PVACTOOLS_DIR RESULTS/MHC_Class_I dflt.neoantigens.tsv
"""
import csv
import sys

csv.field_size_limit(sys.maxsize)


def rows(path):
    with open(path) as fh:
        yield from csv.DictReader(fh, delimiter="\t")


def prepare(pv, out):
    seen = {}
    for r in rows(pv):
        a = r["HLA Allele"]
        for kind in ("MT", "WT"):
            pep = r[f"{kind} Epitope Seq"]
            ic50 = r.get(f"MHCflurry {kind} IC50 Score", "NA")
            pct = r.get(f"MHCflurry {kind} Percentile", "NA")
            if pep == "NA" or ic50 in ("NA", ""):
                continue
            seen[(a, pep)] = (ic50, "" if pct in ("NA", "") else pct)
    with open(out, "w") as fh:
        fh.write("allele,peptide,mhcflurry_affinity,mhcflurry_affinity_percentile\n")
        for (a, p), (ic50, pct) in sorted(seen.items()):
            fh.write(f"{a},{p},{ic50},{pct}\n")
    print(f"{len(seen)} (allele, peptide) predictions written to {out}")


def r3(v):
    return "NA" if v in ("NA", "", None) else f"{round(float(v), 3):.3f}"


def compare(pv, ours):
    theirs_set, theirs_vals = set(), {}
    for r in rows(pv):
        mp = r["Mutation Position"].replace(" ", "")
        theirs_set.add((r["Transcript"], r["HLA Allele"], r["Peptide Length"], r["MT Epitope Seq"], r["WT Epitope Seq"], mp))
        key = (r["Chromosome"], r["Reference"], r["Variant"], r["Transcript"])
        theirs_vals[key] = tuple(r3(r[c]) if "VAF" in c or "Expression" in c else r[c] for c in
                                 ("Tumor DNA Depth", "Tumor DNA VAF", "Tumor RNA Depth", "Tumor RNA VAF", "Gene Expression", "Transcript Expression"))
    ours_set, ours_vals, ic50_diff, n = set(), {}, 0, 0
    pv_ic50 = {}
    for r in rows(pv):
        pv_ic50[(r["Transcript"], r["HLA Allele"], r["MT Epitope Seq"])] = r.get("MHCflurry MT IC50 Score")
    for r in rows(ours):
        ours_set.add((r["transcript"], r["allele"], r["length"], r["mt_epitope"], r["wt_epitope"], r["mutation_position"]))
        # pVACseq writes the VCF REF/ALT as given; the key uses those too.
        key = (r["chrom"], r["ref"], r["alt"], r["transcript"])
        ours_vals[key] = (r["dna_depth"], r3(r["dna_vaf"]), r["rna_depth"], r3(r["rna_vaf"]), r3(r["gene_expression"]), r3(r["transcript_expression"]))
        t = pv_ic50.get((r["transcript"], r["allele"], r["mt_epitope"]))
        if t not in (None, "NA", ""):
            n += 1
            # Our table writes IC50 with 3 decimals.
            if abs(float(t) - float(r["mt_ic50"])) > 5e-4 + 1e-9:
                ic50_diff += 1
    only_pv = theirs_set - ours_set
    only_us = ours_set - theirs_set
    print(f"epitope rows: pVACseq {len(theirs_set)}, immunoprofile {len(ours_set)}, shared {len(theirs_set & ours_set)}")
    print(f"only in pVACseq: {len(only_pv)}; only in immunoprofile: {len(only_us)}")
    for x in sorted(only_pv)[:10]:
        print("  pVACseq only:", x)
    for x in sorted(only_us)[:10]:
        print("  immunoprofile only:", x)
    shared = set(theirs_vals) & set(ours_vals)
    bad = [k for k in shared if theirs_vals[k] != ours_vals[k]]
    print(f"per-variant values (DNA depth/VAF, RNA depth/VAF, gene/transcript expression): {len(shared)} variant transcripts compared, {len(bad)} differ")
    for k in sorted(bad)[:10]:
        print("  ", k, "pVACseq", theirs_vals[k], "immunoprofile", ours_vals[k])
    print(f"MT IC50 imported from pVACseq's MHCflurry column: {n} rows compared, {ic50_diff} differ (beyond our 3-decimal rounding)")
    return 0 if not only_pv and not only_us and not bad and not ic50_diff else 1


def prepare_median(pv, out):
    """pVACseq's top-score metric (median over its methods) as one predictor's CSV."""
    seen = {}
    for r in rows(pv):
        a = r["HLA Allele"]
        for kind in ("MT", "WT"):
            pep = r[f"{kind} Epitope Seq"]
            ic50 = r[f"Median {kind} IC50 Score"]
            pct = r[f"Median {kind} IC50 Percentile"]
            if pep == "NA" or ic50 in ("NA", ""):
                continue
            val = (ic50, "" if pct in ("NA", "") else pct)
            if seen.setdefault((a, pep), val) != val:
                print(f"warning: {a} {pep} has two median scores", file=sys.stderr)
    with open(out, "w") as fh:
        fh.write("allele,peptide,mhcflurry_affinity,mhcflurry_affinity_percentile\n")
        for (a, p), (ic50, pct) in sorted(seen.items()):
            fh.write(f"{a},{p},{ic50},{pct}\n")
    print(f"{len(seen)} (allele, peptide) median predictions written to {out}")


def load_pvactools(root):
    """pvactools' lib modules without its package __init__ (which imports every predictor)."""
    import importlib
    import os
    import types
    for name, sub in (("pvactools", "pvactools"), ("pvactools.lib", "pvactools/lib")):
        m = types.ModuleType(name)
        m.__path__ = [os.path.join(root, sub)]
        sys.modules[name] = m
    bf = importlib.import_module("pvactools.lib.binding_filter")
    flt = importlib.import_module("pvactools.lib.filter")
    return bf.BindingFilter, flt.Filter, flt.FilterCriterion


def filters(root, results, ours):
    import glob
    import os
    import tempfile
    BindingFilter, Filter, FilterCriterion = load_pvactools(root)
    all_ep = glob.glob(os.path.join(results, "*.all_epitopes.tsv"))[0]
    agg = glob.glob(os.path.join(results, "*.all_epitopes.aggregated.tsv"))[0]
    filt = glob.glob(os.path.join(results, "*.filtered.tsv"))[0]
    with tempfile.TemporaryDirectory() as tmp:
        b = os.path.join(tmp, "binding.tsv")
        c = os.path.join(tmp, "coverage.tsv")
        BindingFilter(all_ep, b, binding_threshold=500, binding_percentile_threshold=2.0,
                      immunogenicity_percentile_threshold=100.0,
                      presentation_percentile_threshold=100.0,
                      percentile_threshold_strategy="conservative").execute()
        # pvacseq coverage_filter's tumour criteria with `pvacseq run` defaults (we have no
        # normal sample criteria).
        crit = [FilterCriterion("Tumor DNA Depth", ">=", 10), FilterCriterion("Tumor DNA VAF", ">=", 0.25),
                FilterCriterion("Tumor RNA Depth", ">=", 10), FilterCriterion("Tumor RNA VAF", ">=", 0.25),
                FilterCriterion("Gene Expression", ">=", 1.0), FilterCriterion("Transcript Expression", ">=", 1.0)]
        Filter(b, c, crit).execute()
        n_binding = sum(1 for _ in rows(b))
        theirs = {(r["Transcript"], r["HLA Allele"], r["MT Epitope Seq"]) for r in rows(c)}
    ours_tier = {}
    for r in rows(ours):
        ours_tier[(r["transcript"], r["allele"], r["mt_epitope"])] = r["tier"]
    mine = set(ours_tier)
    print(f"pVACseq binding filter: {n_binding} rows; + coverage/expression: {len(theirs)} distinct (transcript, allele, MT epitope)")
    print(f"immunoprofile default run: {len(mine)}; shared {len(theirs & mine)}; only pVACseq {len(theirs - mine)}; only ours {len(mine - theirs)}")
    for x in sorted(theirs - mine)[:10]:
        print("  pVACseq only:", x)
    for x in sorted(mine - theirs)[:10]:
        print("  immunoprofile only:", x)
    same = diff = unexplained = 0
    confusion = {}
    for r in rows(agg):
        key = (r["Best Transcript"], r["Allele"], r["Best Peptide"])
        t_ours = ours_tier.get(key, "(not passing)")
        confusion[(r["Tier"], t_ours)] = confusion.get((r["Tier"], t_ours), 0) + 1
        if key in ours_tier:
            same += r["Tier"] == t_ours
            diff += r["Tier"] != t_ours
            # Tiers from predictor types we do not have.
            unexplained += r["Tier"] != t_ours and r["Tier"] not in ("PoorImmunogenicity", "PoorPresentation")
    print(f"aggregated.tsv best candidates that pass our filters: {same + diff}; same tier {same}, different {diff} "
          f"({diff - unexplained} from pVACseq's immunogenicity/presentation predictors)")
    for (a, b_), n in sorted(confusion.items()):
        print(f"  pVACseq {a:20} immunoprofile {b_:14} {n}")
    f_rows = list(rows(filt))
    found = [(r["Transcript"], r["HLA Allele"], r["MT Epitope Seq"]) in ours_tier for r in f_rows]
    print(f"filtered.tsv candidates: {len(f_rows)}, passing our default filters: {sum(found)}")
    return 0 if theirs == mine and not unexplained and all(found) else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "prepare-median":
        prepare_median(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) == 5 and sys.argv[1] == "filters":
        sys.exit(filters(sys.argv[2], sys.argv[3], sys.argv[4]))
    if len(sys.argv) == 4 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
