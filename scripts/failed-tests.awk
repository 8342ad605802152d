# Prints each failed test of the .trx files given: its name, the first lines of its message and where in our code it
# failed, so that the end of a CI log (often all that is kept of it) says why, not only which.
function unescape(s) {
  gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "'", s); gsub(/&#xD;/, "", s); gsub(/&#xA;/, " ", s); gsub(/&amp;/, "\\&", s)
  return s
}
/<UnitTestResult / {
  failed = ($0 ~ /outcome="Failed"/)
  if (failed) { name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name); print "FAILED " unescape(name); lines = 0; where = 0 }
  inmsg = 0; instack = 0
}
failed && /<Message>/ { inmsg = 1; sub(/.*<Message>/, "") }
failed && inmsg {
  line = $0; done = sub(/<\/Message>.*/, "", line)
  if (lines < 12) { print "  " unescape(line); lines++ }
  if (done) inmsg = 0
  next
}
failed && /<StackTrace>/ { instack = 1 }
failed && instack {
  if ($0 ~ /\.cs:line [0-9]+/ && $0 !~ /\/(Xunit|xunit)/ && where < 3) { line = $0; sub(/^ *(<StackTrace>)? */, "", line); sub(/<\/StackTrace>.*/, "", line); print "  " unescape(line); where++ }
  if ($0 ~ /<\/StackTrace>/) instack = 0
}
/<\/UnitTestResult>/ { failed = 0 }
