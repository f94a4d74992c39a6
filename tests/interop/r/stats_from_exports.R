# Recompute the report's statistics in R from NephroCohort's exported analysis.sav
# (read with haven; eligible patients only) and print them as JSON on stdout.
# Run by tests/interop/test_interop_peers_cohorts.py and scripts/peer_comparison.py:
#   Rscript stats_from_exports.R ANALYSIS_SAV
# - lillie: nortest::lillie.test D and p of each summary column (n >= 5)
# - wilcoxon: per before/after pair, d = after - before rounded to the data's decimal
#   places (NephroCohort's convention: shortest decimal text, at most 11 significant
#   digits per value), zeros dropped; wilcox.test(exact = FALSE, correct = FALSE) V and p,
#   and the exact conditional p with ties by exactRankTests::wilcox.exact and
#   coin::wilcoxsign_test(zero.method = "Wilcoxon", distribution = "exact")
# - fisher: fisher.test(table(group, response_month1))$p.value
# - km: survfit(conf.type = "log-log") survival and bounds at each event or censoring
#   time, and the median with its CI (survival's quantile)
suppressPackageStartupMessages({
  library(haven); library(jsonlite); library(nortest); library(coin)
  library(exactRankTests); library(survival)
})
args <- commandArgs(trailingOnly = TRUE)
frame <- zap_missing(read_sav(args[1]))
frame <- frame[!is.na(frame$eligible) & frame$eligible == 1, ]

summaries <- c("age_at_diagnosis_months", "age_at_assessment_years", "follow_up_years",
               "years_diagnosis_to_mmf", "mmf_duration_months", "relapses_per_year_before",
               "relapses_per_year_after", "steroid_mg_kg_day_before", "steroid_mg_kg_day_after",
               "egfr_mmf_start", "egfr_month12")
pairs <- list(relapses = c("relapses_per_year_before", "relapses_per_year_after"),
              steroid = c("steroid_mg_kg_day_before", "steroid_mg_kg_day_after"),
              egfr = c("egfr_mmf_start", "egfr_month12"))
curves <- list(complete_remission = c("days_to_complete_remission", "complete_remission_observed"),
               crf = c("days_to_crf", "crf_observed"))

places_of <- function(x) {
  x <- x[is.finite(x) & x != 0]
  if (length(x) == 0) return(0)
  max(sapply(x, function(v) {
    s <- sprintf("%.15e", v)
    mantissa <- sub("e.*", "", s); exponent <- as.integer(sub(".*e", "", s))
    digits <- sub("0+$", "", sub(".*\\.", "", mantissa))
    max(0, min(nchar(digits) - exponent, 10 - floor(log10(abs(v)))))
  }))
}

out <- list(versions = list(R = R.version.string, nortest = as.character(packageVersion("nortest")),
                            survival = as.character(packageVersion("survival"))))
out$lillie <- list()
for (column in summaries) {
  x <- as.numeric(frame[[column]]); x <- x[!is.na(x)]
  if (length(x) >= 5 && sd(x) > 0) {
    test <- lillie.test(x)
    out$lillie[[column]] <- list(n = length(x), D = unname(test$statistic), p = test$p.value)
  }
}
out$wilcoxon <- list()
for (name in names(pairs)) {
  b <- as.numeric(frame[[pairs[[name]][1]]]); a <- as.numeric(frame[[pairs[[name]][2]]])
  ok <- !is.na(a) & !is.na(b)
  d <- round(a[ok] - b[ok], places_of(c(a[ok], b[ok])))
  nz <- d[d != 0]
  if (length(nz) == 0) next
  asym <- suppressWarnings(wilcox.test(nz, exact = FALSE, correct = FALSE))
  zero <- rep(0, length(d))
  coin_p <- pvalue(wilcoxsign_test(d ~ zero, zero.method = "Wilcoxon", distribution = "exact"))
  out$wilcoxon[[name]] <- list(n = length(nz), V = unname(asym$statistic), p = asym$p.value,
                               wilcox_exact_p = wilcox.exact(nz, exact = TRUE)$p.value,
                               coin_p = as.numeric(coin_p))
}
groups <- as.numeric(frame$group); response <- as.numeric(frame$response_month1)
ok <- !is.na(groups) & !is.na(response)
counts <- table(groups[ok], response[ok])
counts <- counts[rowSums(counts) > 0, colSums(counts) > 0, drop = FALSE]
out$fisher <- if (all(dim(counts) >= 2)) list(p = fisher.test(counts)$p.value) else NULL
out$km <- list()
for (name in names(curves)) {
  time <- as.numeric(frame[[curves[[name]][1]]]); event <- as.numeric(frame[[curves[[name]][2]]])
  ok <- !is.na(time) & !is.na(event)
  if (!any(ok)) next
  fit <- survfit(Surv(time[ok], event[ok]) ~ 1, conf.type = "log-log")
  median <- quantile(fit, probs = 0.5)
  out$km[[name]] <- list(n = sum(ok), events = sum(event[ok]), time = fit$time,
                         survival = fit$surv, lower = fit$lower, upper = fit$upper,
                         median = unname(median$quantile), median_lower = unname(median$lower),
                         median_upper = unname(median$upper))
}
cat(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE), "\n")
