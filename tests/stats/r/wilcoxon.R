# Reference values for nephrocohort.stats.wilcoxon_signed_rank.
# Run: cd tests/stats/r && Rscript wilcoxon.R
# Differences are after - before, rounded to the data's decimal places, zeros dropped.
source("common.R")
suppressPackageStartupMessages(library(coin))
header("wilcoxon.R")
cat("WILCOXON_R = {\n")
for (name in names(paired)) {
  before <- as.numeric(paired[[name]]$before)
  after <- as.numeric(paired[[name]]$after)
  ok <- !is.na(before) & !is.na(after)
  b <- before[ok]; a <- after[ok]
  places <- decimal_places(c(b, a))
  d <- round(a - b, places)
  nz <- d[d != 0]
  n <- length(nz)
  # R's asymptotic test without continuity correction (SPSS's choice).
  asym <- suppressWarnings(wilcox.test(nz, exact = FALSE, correct = FALSE))
  # SPSS Z by formula: smaller rank sum, tie-corrected variance.
  r <- rank(abs(nz))
  wpos <- sum(r[nz > 0]); wneg <- sum(r[nz < 0])
  ties <- table(abs(nz))
  z_spss <- (min(wpos, wneg) - n * (n + 1) / 4) /
    sqrt(n * (n + 1) * (2 * n + 1) / 24 - sum(ties^3 - ties) / 48)
  # coin's asymptotic signed-rank test (Wilcoxon zero handling) as an independent check.
  dd <- data.frame(y = c(a, b), x = factor(rep(c("after", "before"), each = length(a)), levels = c("after", "before")),
                   id = factor(rep(seq_along(a), 2)))
  coin_z <- statistic(wilcoxsign_test(a ~ b, zero.method = "Wilcoxon", distribution = "asymptotic"))
  exact_p <- NA
  if (n <= 25 && !any(duplicated(abs(nz)))) exact_p <- wilcox.test(nz, exact = TRUE)$p.value
  cat(sprintf('    "%s": dict(V=%s, z=%s, coin_z=%s, p=%s, p_exact=%s, n=%d, n_pos=%d, n_neg=%d, n_zero=%d, n_missing=%d, decimals=%d),\n',
              name, num(asym$statistic), num(z_spss), num(coin_z), num(asym$p.value), num(exact_p), n,
              sum(nz > 0), sum(nz < 0), sum(d == 0), sum(!ok), places))
}
cat("}\n")
# Why NephroCohort rounds: R on the raw float_trap_7 differences (0.8-0.2 != 0.6-0.0)
raw <- paired$float_trap_7
cat(sprintf("# float_trap_7 unrounded: V=%s p=%s\n",
  num(suppressWarnings(wilcox.test(raw$after, raw$before, paired = TRUE, exact = FALSE, correct = FALSE))$statistic),
  num(suppressWarnings(wilcox.test(raw$after, raw$before, paired = TRUE, exact = FALSE, correct = FALSE))$p.value)))
