# Lilliefors references for tests/stats/test_lilliefors_p.py, as JSON on stdout.
# Run: cd tests/stats/r && Rscript lilliefors_reference.R > lilliefors_reference.json
# nortest::lillie.test D and p of every variable of paired_datasets.json (before and
# after), single_datasets.json and lilliefors_datasets.json with at least 5 values
# (nortest's minimum) that are not all equal; missing values dropped.
suppressPackageStartupMessages({ library(jsonlite); library(nortest) })
paired <- fromJSON("paired_datasets.json", simplifyVector = TRUE)
variables <- list()
for (name in names(paired)) {
  variables[[paste0(name, ".before")]] <- paired[[name]]$before
  variables[[paste0(name, ".after")]] <- paired[[name]]$after
}
variables <- c(variables, fromJSON("single_datasets.json", simplifyVector = TRUE),
               fromJSON("lilliefors_datasets.json", simplifyVector = TRUE))
out <- list(versions = list(R = R.version.string, nortest = as.character(packageVersion("nortest"))))
for (name in names(variables)) {
  x <- as.numeric(variables[[name]]); x <- x[!is.na(x)]
  if (length(x) < 5 || sd(x) == 0) next
  test <- lillie.test(x)
  out[[name]] <- list(n = length(x), D = unname(test$statistic), p = test$p.value)
}
cat(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE), "\n")
