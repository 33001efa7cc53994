#!/usr/bin/env python3
"""Reference scores for tests/signatures_conformance.rs, computed independently of our Rust code.

ssGSEA: gseapy (gseapy.ssgsea, sample_norm_method='rank', correl_norm_type='rank', weight=0.25,
min_size=1, no permutations), score = gseapy's NES (ES divided by the range of all ES of the
collection over all samples, GSVA's normalisation). Everything else: numpy re-implementations of
the published formulas, written from the authors' code:
  CYT      easier::compute_CYT            exp(mean(log(TPM + 0.01)))
  IFNG6 / ExpandedImmune18  easier::compute.IFNy / compute.Ayers_expIS   colMeans(log2(TPM + 1))
  GEP      easier::compute.Tcell_inflamed  sum(w * (log2(TPM+1) - mean_HK log2(TPM+1)))
  MCP-counter  MCPcounter::appendSignatures  mean of the markers' (log2) expression
  Danaher 2017  mean log2 expression of the markers
  IMPRES   easier::compute_IMPRES          sum over pairs of (gene1 > gene2)
  IPS      Immunophenogram IPS.R           z-scores, group means x weights, class means, ipsmap
Genes are matched by published symbol, then newer_symbol, then case-insensitively (the
expression matrix has symbols only).

Usage: python3 reference.py EXPR.txt ../../reference/signatures > tcga_ov.expected.tsv
(tested with numpy 2.x, pandas 3.x, gseapy 1.3.1)
"""
import csv
import math
import sys
from collections import OrderedDict

import numpy as np
import pandas as pd
import gseapy


def read_expr(path):
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        genes, rows = [], []
        for line in f:
            p = line.rstrip("\n").split("\t")
            genes.append(p[0])
            rows.append([float(x) for x in p[1:]])
    return genes, header[1:], np.array(rows)


def read_sets(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    sets = OrderedDict()
    for r in rows:
        sets.setdefault(r["signature"], []).append(r)
    return sets


class Matcher:
    def __init__(self, genes):
        self.exact, self.upper = {}, {}
        for i, g in enumerate(genes):
            self.exact.setdefault(g, i)
            self.upper.setdefault(g.upper(), i)

    def find(self, r):
        names = [r["gene_symbol"]] + ([r["newer_symbol"]] if r.get("newer_symbol") else [])
        for n in names:
            if n in self.exact:
                return self.exact[n]
        for n in names:
            if n.upper() in self.upper:
                return self.upper[n.upper()]
        return None


def main():
    expr_path, ref = sys.argv[1], sys.argv[2]
    genes, samples, log2 = read_expr(expr_path)  # values are log2(TPM + 1)
    tpm = np.exp2(log2) - 1.0
    m = Matcher(genes)
    out = []  # (signature, sample, score)

    def emit(name, scores):
        for s, v in zip(samples, scores):
            out.append((name, s, v))

    # CYT
    for name, rows in read_sets(f"{ref}/cyt_rooney2015.tsv").items():
        idx = [m.find(r) for r in rows if m.find(r) is not None]
        emit(name, np.exp(np.mean(np.log(tpm[idx] + 0.01), axis=0)))
    # mean log2 families
    for f in ["ayers2017_ifng6_expanded18.tsv", "mcpcounter_becht2016.tsv", "danaher2017.tsv"]:
        for name, rows in read_sets(f"{ref}/{f}").items():
            idx = [m.find(r) for r in rows if m.find(r) is not None]
            emit(name, log2[idx].mean(axis=0))
    # GEP
    for name, rows in read_sets(f"{ref}/gep18_cristescu2018_weights.tsv").items():
        hk = [m.find(r) for r in rows if r["role"] == "housekeeping" and m.find(r) is not None]
        pred = [(m.find(r), float(r["weight"])) for r in rows if r["role"] == "predictor" and m.find(r) is not None]
        hk_mean = log2[hk].mean(axis=0)
        norm = log2[[i for i, _ in pred]] - hk_mean
        w = np.array([w for _, w in pred])
        emit(name, norm.T @ w)
    # IMPRES
    for name, rows in read_sets(f"{ref}/impres_auslander2018_pairs.tsv").items():
        pairs = OrderedDict()
        for r in rows:
            pairs.setdefault(r["pair_id"], {})[r["role"]] = m.find(r)
        score = np.zeros(len(samples))
        for p in pairs.values():
            if p.get("gene1") is None or p.get("gene2") is None:
                continue
            score += (log2[p["gene1"]] > log2[p["gene2"]]).astype(float)
        emit(name, score)
    # IPS, following IPS.R
    for name, rows in read_sets(f"{ref}/ips_charoentong2017.tsv").items():
        groups = list(OrderedDict.fromkeys(r["group"] for r in rows))
        classes = OrderedDict()
        for r in rows:
            classes.setdefault(r["ips_class"], [])
            if r["group"] not in classes[r["ips_class"]]:
                classes[r["ips_class"]].append(r["group"])
        res = {k: [] for k in ["IPS", "MHC", "CP", "EC", "SC", "AZ"]}
        for j in range(len(samples)):
            ge = log2[:, j]
            mge, sge = ge.mean(), ge.std(ddof=1)
            wg = {}
            for g in groups:
                members = [r for r in rows if r["group"] == g]
                z = [(ge[m.find(r)] - mge) / sge for r in members if m.find(r) is not None]
                mig = np.mean(z) if z else float("nan")
                wg[g] = mig * np.mean([float(r["weight"]) for r in members])
            parts = {c: np.mean([wg[g] for g in gs]) for c, gs in classes.items()}
            az = parts["MHC"] + parts["CP"] + parts["EC"] + parts["SC"]
            ips = 0.0 if az <= 0 else (10.0 if az >= 3 else float(round(az * 10 / 3)))  # Python round: half to even, as R
            for k in ["MHC", "CP", "EC", "SC"]:
                res[k].append(parts[k])
            res["AZ"].append(az)
            res["IPS"].append(ips)
        emit(name, res["IPS"])
        for k in ["MHC", "CP", "EC", "SC", "AZ"]:
            emit(f"{name}:{k}", res[k])
    # ssGSEA via gseapy
    sets = read_sets(f"{ref}/charoentong2017_28celltypes.tsv")
    gmt = {}
    for name, rows in sets.items():
        found = sorted({m.find(r) for r in rows if m.find(r) is not None})
        gmt[name] = [genes[i] for i in found]
    df = pd.DataFrame(log2, columns=samples)
    df.insert(0, "GENE", genes)
    ss = gseapy.ssgsea(data=df, gene_sets=gmt, sample_norm_method="rank", correl_norm_type="rank",
                       weight=0.25, min_size=1, max_size=100000, permutation_num=0, no_plot=True,
                       outdir=None, threads=1, verbose=False)
    res = ss.res2d
    for name in sets:
        for s in samples:
            v = res[(res["Term"] == name) & (res["Name"] == s)]["NES"]
            out.append((name, s, float(v.iloc[0])))

    print("sample\tsignature\tscore")
    for name, s, v in out:
        print(f"{s}\t{name}\t{float(v):.12g}")


if __name__ == "__main__":
    main()
