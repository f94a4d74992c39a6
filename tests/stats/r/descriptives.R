# Reference values for percentiles, normality and describe.
# Run: cd tests/stats/r && Rscript descriptives.R
# Variables: every before/after column of paired_datasets.json (missing removed) and
# every variable of single_datasets.json.
source("common.R")
suppressPackageStartupMessages(library(nortest))
single <- fromJSON("single_datasets.json", simplifyVector = TRUE)
header("descriptives.R")
vars <- list()
for (name in names(paired)) {
  vars[[paste0(name, ".before")]] <- as.numeric(paired[[name]]$before)
  vars[[paste0(name, ".after")]] <- as.numeric(paired[[name]]$after)
}
for (name in names(single)) vars[[name]] <- as.numeric(single[[name]])
probs <- c(0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1)
fmt <- function(v) paste(sapply(v, num), collapse = ", ")
cat("DESCRIPTIVES_R = {\n")
for (name in names(vars)) {
  x <- vars[[name]]
  x <- x[!is.na(x)]
  n <- length(x)
  lil <- if (n >= 5 && sd(x) > 0) lillie.test(x) else NULL
  sw <- if (n >= 3 && sd(x) > 0) shapiro.test(x) else NULL
  types <- sapply(1:9, function(t) sprintf("%d: (%s)", t, fmt(quantile(x, probs, type = t, names = FALSE))))
  cat(sprintf('    "%s": dict(n=%d, mean=%s, sd=%s, min=%s, max=%s, lillie_D=%s, lillie_p=%s, shapiro_W=%s, shapiro_p=%s,\n        quantiles={%s}),\n',
              name, n, num(mean(x)), num(if (n > 1) sd(x) else NA), num(min(x)), num(max(x)),
              num(if (is.null(lil)) NA else lil$statistic), num(if (is.null(lil)) NA else lil$p.value),
              num(if (is.null(sw)) NA else sw$statistic), num(if (is.null(sw)) NA else sw$p.value),
              paste(types, collapse = ", ")))
}
cat("}\n")
cat(sprintf("QUANTILE_PROBS = (%s)\n", fmt(probs * 100)))
