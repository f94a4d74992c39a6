# Wilcoxon signed-rank references for tests/stats/test_wilcoxon_r.py, as JSON on stdout.
# Run: cd tests/stats/r && Rscript wilcoxon_reference.R > wilcoxon_reference.json
# For every pair set of paired_datasets.json and edge_datasets.json$paired:
# d = after - before rounded to the data's decimal places (as NephroCohort: shortest
# decimal text, at most 11 significant digits per value); zeros dropped (Wilcoxon's
# convention, as SPSS). Asymptotic: wilcox.test(exact = FALSE, correct = FALSE).
# Exact conditional: exactRankTests::wilcox.exact and coin::wilcoxsign_test(zero.method
# = "Wilcoxon", distribution = "exact"); Pratt's convention (coin's default) for contrast.
suppressPackageStartupMessages({
  library(jsonlite); library(coin); library(exactRankTests)
})
places_of <- function(x) {
  x <- x[is.finite(x) & x != 0]
  if (length(x) == 0) return(0)
  max(sapply(x, function(v) {
    s <- sprintf("%.15e", v)
    mantissa <- sub("e.*", "", s); exponent <- as.integer(sub(".*e", "", s))
    digits <- sub("0+$", "", sub(".*\\.", "", mantissa))
    places <- nchar(digits) - exponent
    cap <- 10 - floor(log10(abs(v)))
    max(0, min(places, cap))
  }))
}
sets <- c(fromJSON("paired_datasets.json", simplifyVector = TRUE),
          fromJSON("edge_datasets.json", simplifyVector = TRUE)$paired)
out <- list(versions = list(R = R.version.string, coin = as.character(packageVersion("coin")),
                            exactRankTests = as.character(packageVersion("exactRankTests"))))
for (name in names(sets)) {
  b <- as.numeric(sets[[name]]$before); a <- as.numeric(sets[[name]]$after)
  ok <- !is.na(a) & !is.na(b)
  d <- round(a[ok] - b[ok], places_of(c(a[ok], b[ok])))
  nz <- d[d != 0]
  asym <- suppressWarnings(wilcox.test(nz, exact = FALSE, correct = FALSE))
  ties <- any(duplicated(abs(nz)))
  classic <- if (!ties && length(nz) < 50) wilcox.test(nz, exact = TRUE)$p.value else NA
  wexact <- wilcox.exact(nz, exact = TRUE)$p.value
  zero <- rep(0, length(d))
  coin_w <- pvalue(wilcoxsign_test(d ~ zero, zero.method = "Wilcoxon", distribution = "exact"))
  coin_p <- if (any(d != 0)) pvalue(wilcoxsign_test(d ~ zero, zero.method = "Pratt", distribution = "exact")) else NA
  out[[name]] <- list(n = length(nz), n_zero = sum(d == 0), V = unname(asym$statistic),
                      p = asym$p.value, ties = ties, p_exact_classic = classic,
                      wilcox_exact_p = wexact, coin_wilcoxon_p = as.numeric(coin_w),
                      coin_pratt_p = as.numeric(coin_p))
}
cat(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE), "\n")
