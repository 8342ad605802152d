# Prints tab-separated rows as aligned columns (what `column -t -s TAB` does, without needing it installed).
BEGIN { FS = "\t" }
{ rows[NR] = $0; for (i = 1; i <= NF; i++) if (length($i) > width[i]) width[i] = length($i); if (NF > cols) cols = NF }
END {
  for (r = 1; r <= NR; r++) {
    n = split(rows[r], f, "\t"); line = ""
    for (i = 1; i <= n; i++) line = line sprintf(i < n ? "%-" width[i] "s  " : "%s", f[i])
    print line
  }
}
