# Reference values for paired_t, mann_whitney, kruskal_wallis, chi_square, fisher_exact,
# mcnemar and kaplan_meier. Run: cd tests/stats/r && Rscript tests.R
source("common.R")
suppressPackageStartupMessages(library(survival))
other <- fromJSON("other_datasets.json", simplifyVector = TRUE, simplifyMatrix = TRUE)
header("tests.R")

cat("PAIRED_T_R = {  # t.test(after, before, paired = TRUE)\n")
for (name in names(paired)) {
  b <- as.numeric(paired[[name]]$before); a <- as.numeric(paired[[name]]$after)
  r <- t.test(a, b, paired = TRUE)
  cat(sprintf('    "%s": dict(t=%s, df=%s, p=%s, mean_difference=%s, ci_low=%s, ci_high=%s),\n', name,
              num(r$statistic), num(r$parameter), num(r$p.value), num(r$estimate), num(r$conf.int[1]), num(r$conf.int[2])))
}
cat("}\n")

cat("MANN_WHITNEY_R = {  # wilcox.test(a, b, exact = FALSE, correct = FALSE); exact = TRUE when no ties\n")
groups <- list()
for (name in names(paired)) groups[[paste0(name, ".before_vs_after")]] <- list(a = paired[[name]]$before, b = paired[[name]]$after)
for (name in names(other$two_groups)) groups[[name]] <- other$two_groups[[name]]
for (name in names(groups)) {
  a <- as.numeric(groups[[name]]$a); b <- as.numeric(groups[[name]]$b)
  a <- a[!is.na(a)]; b <- b[!is.na(b)]
  r <- wilcox.test(a, b, exact = FALSE, correct = FALSE)
  ties <- any(duplicated(c(a, b)))
  ex <- if (!ties && length(a) < 50 && length(b) < 50) wilcox.test(a, b, exact = TRUE)$p.value else NA
  cat(sprintf('    "%s": dict(W=%s, p=%s, p_exact=%s, n_a=%d, n_b=%d),\n', name, num(r$statistic), num(r$p.value), num(ex), length(a), length(b)))
}
cat("}\n")

cat("KRUSKAL_R = {  # kruskal.test(list of groups)\n")
for (name in names(other$k_groups)) {
  r <- kruskal.test(lapply(other$k_groups[[name]], as.numeric))
  cat(sprintf('    "%s": dict(H=%s, df=%s, p=%s),\n', name, num(r$statistic), num(r$parameter), num(r$p.value)))
}
cat("}\n")

cat("CONTINGENCY_R = {  # chisq.test(correct = FALSE), chisq.test() (Yates, 2x2), fisher.test()\n")
for (name in names(other$tables)) {
  m <- as.matrix(other$tables[[name]])
  chi <- suppressWarnings(chisq.test(m, correct = FALSE))
  yates <- if (all(dim(m) == 2)) suppressWarnings(chisq.test(m)) else NULL
  f <- fisher.test(m)
  cat(sprintf('    "%s": dict(chi2=%s, df=%s, p=%s, min_expected=%s, below_5=%d, yates_chi2=%s, yates_p=%s, fisher_p=%s, odds_ratio=%s, or_low=%s, or_high=%s),\n',
              name, num(chi$statistic), num(chi$parameter), num(chi$p.value), num(min(chi$expected)), sum(chi$expected < 5),
              num(if (is.null(yates)) NA else yates$statistic), num(if (is.null(yates)) NA else yates$p.value), num(f$p.value),
              num(if (is.null(f$estimate)) NA else f$estimate), num(if (is.null(f$conf.int)) NA else f$conf.int[1]),
              num(if (is.null(f$conf.int)) NA else f$conf.int[2])))
}
cat("}\n")

cat("MCNEMAR_R = {  # mcnemar.test(m) (continuity correction), binom.test(b, b + c)\n")
for (name in names(other$mcnemar_tables)) {
  m <- as.matrix(other$mcnemar_tables[[name]])
  r <- mcnemar.test(m)
  bt <- binom.test(m[1, 2], m[1, 2] + m[2, 1])
  cat(sprintf('    "%s": dict(chi2=%s, p=%s, p_exact=%s),\n', name, num(r$statistic), num(r$p.value), num(bt$p.value)))
}
cat("}\n")

cat("KAPLAN_MEIER_R = {  # survfit(Surv(t, e) ~ 1, conf.type = \"log-log\")\n")
for (name in names(other$survival)) {
  s <- other$survival[[name]]
  fit <- survfit(Surv(as.numeric(s$t), as.numeric(s$e)) ~ 1, conf.type = "log-log")
  q <- quantile(fit, probs = 0.5)
  cat(sprintf('    "%s": dict(time=(%s), n_risk=(%s), n_event=(%s), n_censor=(%s), surv=(%s), lower=(%s), upper=(%s), median=%s, median_low=%s, median_high=%s),\n',
              name, paste(sapply(fit$time, num), collapse = ", "), paste(fit$n.risk, collapse = ", "),
              paste(fit$n.event, collapse = ", "), paste(fit$n.censor, collapse = ", "),
              paste(sapply(fit$surv, num), collapse = ", "), paste(sapply(fit$lower, num), collapse = ", "),
              paste(sapply(fit$upper, num), collapse = ", "),
              num(q$quantile), num(q$lower), num(q$upper)))
}
cat("}\n")
