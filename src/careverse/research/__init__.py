"""Research: consented, de-identified data — cohorts, export, randomisation, trials, fairness."""
