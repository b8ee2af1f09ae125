#!/usr/bin/env bash
# make bench: runs the Go benchmarks and reports each Redis figure as a ratio against its in-process twin
# measured in the same run (absolute numbers vary between machines; ratios travel); then the HTTP load benchmark
# (bench/: the built gateway on SQLite and on PostgreSQL + Redis, the transcript backlog at 1,000 and 10,000)
# and the widgets' sizes, written to bench/results/latest.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
go test -run '^$' -bench . -benchmem -count 3 ./cache/ ./pubsub/ ./phone/ ./hubspot/... ./store/ 2>&1 | tee "$out"
echo
echo "== ratios (Redis / in-process, mean ns/op of 3 runs)"
awk '
/^Benchmark/ {
  name=$1; sub(/-[0-9]+$/, "", name); ns=$3
  sum[name]+=ns; n[name]++
}
END {
  for (k in sum) {
    if (k ~ /^BenchmarkRedis/) {
      twin=k; sub(/Redis/, "Memory", twin)
      if (twin in sum) printf "%-32s %10.0f ns/op  vs %-30s %8.0f ns/op  ratio %6.1fx\n", k, sum[k]/n[k], twin, sum[twin]/n[twin], (sum[k]/n[k])/(sum[twin]/n[twin])
    }
  }
}' "$out" | sort
rm -f "$out"

echo
echo "== HTTP load benchmark (bench/)"
mkdir -p bench/results
go run ./bench -out bench/results/latest.md
{
  echo
  echo "Embeddable widgets, gzipped as a host page loads them (module, the chunks it imports, the stylesheet):"
  echo
  node scripts/widget-sizes.mjs
} | tee -a bench/results/latest.md

# The README shows the latest table (between its bench:latest markers).
node -e '
const fs = require("fs");
const table = fs.readFileSync("bench/results/latest.md", "utf8");
const readme = fs.readFileSync("README.md", "utf8");
const out = readme.replace(/(<!-- bench:latest -->\n)[\s\S]*?(<!-- \/bench:latest -->)/, (_, a, b) => a + table + b);
fs.writeFileSync("README.md", out);
'
echo "bench: wrote bench/results/latest.md and the README's table"
