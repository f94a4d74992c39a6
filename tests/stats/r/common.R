# Shared helpers for the reference scripts. Run from tests/stats/r/.
suppressPackageStartupMessages(library(jsonlite))

paired <- fromJSON("paired_datasets.json", simplifyVector = TRUE)

# Values arrive with null -> NA.
as_num <- function(x) as.numeric(ifelse(is.null(x), NA, x))

# Largest number of decimal places among finite values (capped at 10), the precision
# at which NephroCohort compares paired differences.
decimal_places <- function(x) {
  x <- x[is.finite(x)]
  for (p in 0:10) {
    if (all(abs(x * 10^p - round(x * 10^p)) < 1e-6)) return(p)
  }
  10
}

num <- function(x) {
  if (is.null(x) || length(x) == 0 || is.na(x)) return("None")
  sprintf("%.15g", x)
}

header <- function(script) {
  cat(sprintf("# %s, %s, nortest %s, coin %s, survival %s\n", script, R.version.string,
              packageVersion("nortest"), packageVersion("coin"), packageVersion("survival")))
}
