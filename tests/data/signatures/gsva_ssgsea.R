#!/usr/bin/env Rscript
# Expected ssGSEA scores for tests/signatures_conformance.rs, made by GSVA itself
# (Bioconductor GSVA 1.46.0, Debian bookworm's r-bioc-gsva, R 4.2.2):
#   gsva(expr, sets, method = "ssgsea", ssgsea.norm = FALSE | TRUE, min.sz = 1, max.sz = Inf)
# on the 12 TCGA-OV samples (log2(TPM+1)) and the 28 Charoentong 2017 cell-type sets of
# reference/signatures/charoentong2017_28celltypes.tsv. Set members are matched to the matrix's
# rows as immunoprofile documents it (published symbol, then newer_symbol, then the same ignoring
# case; the matrix has symbols only), written here independently of the Rust code.
#
# Usage (from the repository root):
#   Rscript tests/data/signatures/gsva_ssgsea.R ../shared/data/signatures/tcga_ov/EXPR.txt \
#     reference/signatures/charoentong2017_28celltypes.tsv > tests/data/signatures/tcga_ov.gsva.tsv
# Output: sample, signature, raw (ssgsea.norm = FALSE), normalised (ssgsea.norm = TRUE), to 15
# significant digits.
suppressPackageStartupMessages(library(GSVA))
args <- commandArgs(trailingOnly = TRUE)
expr <- as.matrix(read.delim(args[1], row.names = 1, check.names = FALSE))
tab <- read.delim(args[2], colClasses = "character", check.names = FALSE)
rows <- rownames(expr)
resolve <- function(symbol, newer) {
  for (n in c(symbol, newer)) if (!is.na(n) && n != "" && n %in% rows) return(n)
  for (n in c(symbol, newer)) {
    if (is.na(n) || n == "") next
    hit <- rows[toupper(rows) == toupper(n)]
    if (length(hit) > 0) return(hit[1])
  }
  NA_character_
}
tab$row <- mapply(resolve, tab$gene_symbol, tab$newer_symbol)
sets <- lapply(split(tab$row, factor(tab$signature, levels = unique(tab$signature))),
               function(x) unique(x[!is.na(x)]))
sets <- sets[lengths(sets) > 0]
invisible(capture.output(raw <- gsva(expr, sets, method = "ssgsea", ssgsea.norm = FALSE, min.sz = 1, max.sz = Inf,
            verbose = FALSE)))
invisible(capture.output(norm <- gsva(expr, sets, method = "ssgsea", ssgsea.norm = TRUE, min.sz = 1, max.sz = Inf,
             verbose = FALSE)))
cat("sample\tsignature\traw\tnormalised\n")
for (s in names(sets)) for (j in colnames(expr)) {
  cat(j, "\t", s, "\t", format(raw[s, j], digits = 15), "\t", format(norm[s, j], digits = 15),
      "\n", sep = "")
}
