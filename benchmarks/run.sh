#!/usr/bin/env bash
# Runs every keysource benchmark side by side with the alternatives and writes
#   benchmarks/RESULTS.md            machine, JVM, command and every figure
#   benchmarks/results/latency.svg   read latency over time through refreshes
#   benchmarks/results/raw/          the raw figures each harness wrote
#   the headline block of benchmarks/README.md
#
# Usage: benchmarks/run.sh [--quick] [--no-am | --skip-build]
#   --quick       short runs (under 3 minutes on 2 cores); wide error bars
#   --no-am       build only the benchmarks module, against keysource artifacts already in ~/.m2
#   --skip-build  use benchmarks/target/benchmarks.jar as it is
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mode=full
build=am
for arg in "$@"; do
  case "$arg" in
    --quick) mode=quick ;;
    --no-am) build=module ;;
    --skip-build) build=none ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
started=$(date +%s)
say() { printf '[run.sh %4ss] %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*load averages*: //'; }

cd "$root"
case "$build" in
  am) say "building benchmarks.jar (with the modules it needs)"; ./mvnw -q -pl benchmarks -am package -DskipTests ;;
  module) say "building benchmarks.jar (this module only)"; ./mvnw -q -pl benchmarks package -DskipTests ;;
  none) ;;
esac
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "run.sh: $jar is missing; run without --skip-build" >&2; exit 1; }

if [ "$mode" = quick ]; then
  jmh_opts=(-f 1 -wi 1 -w 1s -i 3 -r 1s)
  latency_opts=(--seconds 10 --warmup 2)
  storm_opts=(--rounds 5)
else
  jmh_opts=(-f 2 -wi 5 -w 1s -i 5 -r 1s)
  latency_opts=(--seconds 60 --warmup 5)
  storm_opts=(--rounds 30)
fi

cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
busy=$(awk -v c="$cores" '{ print ($1 > c / 2) ? "yes" : "no" }' /proc/loadavg 2>/dev/null || echo no)
if [ "$busy" = yes ]; then
  say "warning: load average $(load) on $cores cores: other work will show up in these figures"
fi

raw="$here/results/raw"
rm -rf "$raw"
mkdir -p "$raw"
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -1)
os_name=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
{
  echo "mode=$mode"
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "command=benchmarks/run.sh${*:+ $*}"
  echo "cpu=${cpu:-$(uname -m)}"
  echo "cores=$cores"
  echo "memory=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null)"
  echo "os=${os_name:-$(uname -s)} ($(uname -sr))"
  echo "jvm=$("$java" -version 2>&1 | sed -n '1p;3p' | paste -sd ';' - | sed 's/;/; /')"
  echo "jmhOptions=${jmh_opts[*]}"
  echo "loadBefore=$(load)"
} > "$raw/env.properties"

for t in 1 2; do
  say "1. hot read, $t thread(s) (JMH ${jmh_opts[*]})"
  "$java" -jar "$jar" HotReadBenchmark "${jmh_opts[@]}" -t "$t" \
      -rf csv -rff "$raw/jmh-hot-read-t$t.csv" > "$raw/jmh-hot-read-t$t.log"
done

for client in keysource caching-client volatile-read; do
  say "2. read latency through refreshes: $client"
  "$java" -Xms512m -Xmx512m -cp "$jar" dev.keysource.benchmarks.RefreshLatency --client "$client" \
      "${latency_opts[@]}" --out "$raw"
done

say "3. 401 storm"
"$java" -cp "$jar" dev.keysource.benchmarks.RejectStorm "${storm_opts[@]}" --out "$raw"

say "5. memory per cached key"
for impl in map keysource keysource-standalone caching-client; do
  "$java" -XX:+UseSerialGC -Xms1g -Xmx1g -cp "$jar" dev.keysource.benchmarks.MemoryFootprint --impl "$impl" \
      --keys 10000 --out "$raw"
done
# defaults start two threads per key (a fetch pool and a scheduler): 1,000 keys, not 10,000
"$java" -XX:+UseSerialGC -Xms1g -Xmx1g -cp "$jar" dev.keysource.benchmarks.MemoryFootprint \
    --impl keysource-default --keys 1000 --out "$raw"

# the CLI's own start-up benchmarks (owned by the CLI work): startup/run.sh first (it builds the
# trivial-main baseline the others reuse), then any other startup/*.sh; medians of N runs each
startup_scripts=()
[ -f "$here/startup/run.sh" ] && startup_scripts+=("$here/startup/run.sh")
for s in "$here"/startup/*.sh; do
  [ -f "$s" ] && [ "$(basename "$s")" != run.sh ] && startup_scripts+=("$s")
done
if [ "$mode" = quick ]; then startup_runs=10; else startup_runs=20; fi
if [ ${#startup_scripts[@]} -gt 0 ]; then
  names=""
  for s in "${startup_scripts[@]}"; do
    name="benchmarks/startup/$(basename "$s") $startup_runs"
    names="${names:+$names, }$name"
    say "4. CLI start-to-key: $name"
    echo "\$ $name" >> "$raw/startup.txt"
    if ! bash "$s" "$startup_runs" >> "$raw/startup.txt" 2>> "$raw/startup.log"; then
      say "$name failed; see $raw/startup.log"
      echo "startupFailed=true" >> "$raw/env.properties"
    fi
  done
  echo "startupScript=$names" >> "$raw/env.properties"
else
  say "4. CLI start-to-key: benchmarks/startup/*.sh does not exist; marked not yet measured"
fi

echo "loadAfter=$(load)" >> "$raw/env.properties"
"$java" -cp "$jar" dev.keysource.benchmarks.Report --dir "$here"
say "done in $(( $(date +%s) - started )) s: benchmarks/RESULTS.md, benchmarks/results/latency.svg"
