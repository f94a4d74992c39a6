# Read NephroCohort's .sav and .dta exports with R's haven and foreign and print, per
# labelled variable, how many (eligible) patients have each value label and how many are
# missing, plus the value labels declared and the range of one date column.
# Run by tests/interop/test_interop_peers.py:
#   Rscript read_exports.R FOLDER_SAV FOLDER_DTA
# Output: CSV lines reader,table,column,what,key,value
suppressPackageStartupMessages({
  library(haven)
  library(foreign)
})
args <- commandArgs(trailingOnly = TRUE)
sav <- args[1]
dta <- args[2]

emit <- function(reader, table, column, what, key, value) {
  cat(reader, table, column, what, key, value, sep = ",")
  cat("\n")
}

eligible_haven <- function(frame, table) {
  if (table == "analysis") frame[!is.na(frame$eligible) & frame$eligible == 1, ] else frame
}
eligible_foreign <- function(frame, table) {
  if (table != "analysis") return(frame)
  frame[!is.na(frame$eligible) & frame$eligible == "Yes", ]
}

counts <- function(reader, table, column, values) {
  tab <- table(values, useNA = "always")
  levels <- names(tab)
  for (i in seq_along(tab)) {
    key <- if (is.na(levels[i])) "<NA>" else levels[i]
    emit(reader, table, column, "count", key, as.integer(tab[i]))
  }
}

dates <- function(reader, table, values) {
  emit(reader, table, "onset_date", "class", "class", class(values)[1])
  emit(reader, table, "onset_date", "min", "min", format(min(values, na.rm = TRUE)))
  emit(reader, table, "onset_date", "max", "max", format(max(values, na.rm = TRUE)))
}

for (table in c("analysis", "patients")) {
  for (reader in c("haven_sav", "haven_dta")) {
    frame <- if (reader == "haven_sav") {
      read_sav(file.path(sav, paste0(table, ".sav")))
    } else {
      read_dta(file.path(dta, paste0(table, ".dta")))
    }
    frame <- eligible_haven(frame, table)
    for (column in names(frame)) {
      x <- frame[[column]]
      if (!is.null(attr(x, "labels"))) {
        # zap_missing: SPSS user-missing / Stata .a become plain NA, as R analyses see them
        counts(reader, table, column, as.character(as_factor(zap_missing(x), levels = "labels")))
        for (label in names(attr(x, "labels"))) emit(reader, table, column, "label", label, 1)
      }
    }
    dates(reader, table, frame$onset_date)
  }
  frame <- read.dta(file.path(dta, paste0(table, ".dta")), convert.factors = TRUE)
  frame <- eligible_foreign(frame, table)
  for (column in names(frame)) {
    if (is.factor(frame[[column]])) counts("foreign_dta", table, column, as.character(frame[[column]]))
  }
  dates("foreign_dta", table, frame$onset_date)
}
