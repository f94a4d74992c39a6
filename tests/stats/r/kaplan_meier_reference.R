# Kaplan-Meier references for tests/stats/test_kaplan_meier_r.py, as JSON on stdout.
# Run: cd tests/stats/r && Rscript kaplan_meier_reference.R > kaplan_meier_reference.json
# survfit(Surv(t, e) ~ 1, conf.type = "log-log") and quantile(fit, 0.5) on every
# dataset of edge_datasets.json$survival; NA is written as null.
suppressPackageStartupMessages({library(jsonlite); library(survival)})
data <- fromJSON("edge_datasets.json", simplifyVector = TRUE)$survival
out <- list(versions = list(R = R.version.string, survival = as.character(packageVersion("survival"))))
for (name in names(data)) {
  t <- as.numeric(data[[name]]$t); e <- as.numeric(data[[name]]$e)
  fit <- survfit(Surv(t, e) ~ 1, conf.type = "log-log")
  q <- quantile(fit, probs = 0.5)
  out[[name]] <- list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event,
                      n_censor = fit$n.censor, surv = fit$surv, lower = fit$lower,
                      upper = fit$upper, median = unname(q$quantile),
                      median_low = unname(q$lower), median_high = unname(q$upper))
}
cat(toJSON(out, digits = NA, na = "null", auto_unbox = FALSE, null = "null"), "\n")
