# Fisher's exact test references for tests/stats/test_fisher_r.py, as JSON on stdout.
# Run: cd tests/stats/r && Rscript fisher_reference.R > fisher_reference.json
# Every table of other_datasets.json$tables and edge_datasets.json$tables (rows as
# given): fisher.test(m)$p.value (two-sided, R's network algorithm for R x C) and,
# for 2 x 2 tables, the conditional maximum-likelihood odds ratio and its 95% CI.
suppressPackageStartupMessages(library(jsonlite))
tables <- c(fromJSON("other_datasets.json", simplifyVector = FALSE)$tables,
            fromJSON("edge_datasets.json", simplifyVector = FALSE)$tables)
out <- list(versions = list(R = R.version.string))
for (name in names(tables)) {
  rows <- tables[[name]]
  m <- matrix(unlist(rows), nrow = length(rows), byrow = TRUE)
  test <- fisher.test(m, workspace = 2e7)
  two <- all(dim(m) == 2)
  out[[name]] <- list(p = test$p.value,
                      odds_ratio = if (two) unname(test$estimate) else NA,
                      ci_low = if (two) test$conf.int[1] else NA,
                      ci_high = if (two) test$conf.int[2] else NA)
}
cat(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE), "\n")
