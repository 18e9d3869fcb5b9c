#!/usr/bin/env bash
# Start-to-key of `./keysource get` through the node-local sources: the AWS Secrets Manager Agent source
# (aws-sm-agent:, against its loopback fake) and the file source (file:), next to the trivial main of
# run.sh; and, for the agent source's choice of HTTP client, a bare main doing the same GET with
# HttpURLConnection and with java.net.http.HttpClient. Medians over N runs (default 15) and the ratios.
#
#   benchmarks/startup/agent.sh [runs]      KEYSOURCE_JAVA=/path/to/java picks the JVM (as for backends.sh)
#   KEYSOURCE_BENCH_NO_BUILD=1              use the jars as built (the test that runs this script)
set -euo pipefail
runs="${1:-15}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
# shellcheck source=common.bash
. "$here/common.bash" # java_bin (KEYSOURCE_JAVA), flags, out, measure, median, train_keysource, build_hello
javac_bin="${java_bin%java}javac"
[ -x "$javac_bin" ] || javac_bin=javac
if [ -z "${KEYSOURCE_BENCH_NO_BUILD:-}" ]; then # set by the test that runs this script on the jars as built
  (cd "$root" && ./mvnw -q -B -o -pl backend-aws-agent -am package -DskipTests -Dmaven.javadoc.skip=true \
    -Dmaven.source.skip=true) >&2
fi
export KEYSOURCE_NO_BUILD=1
jar_of() { ls "$root/$1"/target/keysource-*"$2".jar | grep -v -e '-sources' -e '-javadoc' | head -1; }
# the fake agent's test-jar and what it uses of core (dev.keysource.spi.Json writes its JSON)
cp_fake="$(jar_of backend-aws-agent -tests):$(jar_of core -SNAPSHOT)"
"$javac_bin" -d "$out/agent" -cp "$cp_fake" "$here/AgentFake.java" "$here/HttpGet.java"
"$java_bin" -cp "$out/agent:$cp_fake" AgentFake >"$out/agent.env" &
fake=$!
trap 'kill $fake 2>/dev/null' EXIT
for _ in $(seq 100); do [ "$(wc -l <"$out/agent.env")" -ge 2 ] && break; sleep 0.1; done
declare -A envs
while IFS='=' read -r k v; do envs[$k]=$v; done <"$out/agent.env"

train_keysource
build_hello # the trivial main with an archive of the kind the launcher uses (AOT cache on Java 25+, else AppCDS)
agent_env=(env AWS_TOKEN="${envs[AWS_TOKEN]}"
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="${envs[PARAMETERS_SECRETS_EXTENSION_HTTP_PORT]}")
agent=("${agent_env[@]}" "$root/keysource" get 'aws-sm-agent:prod/claude#api_key')
printf 'sk-file-benchmark\n' >"$out/secret-file"
file=("$root/keysource" get "file:$out/secret-file")
urlconn=("${agent_env[@]}" "$java_bin" "${flags[@]}" -cp "$out/agent" HttpGet urlconnection)
httpclient=("${agent_env[@]}" "$java_bin" "${flags[@]}" -cp "$out/agent" HttpGet httpclient)
[ "$("${agent[@]}")" = sk-agent-benchmark ] || { echo "aws-sm-agent get failed" >&2; exit 1; }
[ "$("${file[@]}")" = sk-file-benchmark ] || { echo "file get failed" >&2; exit 1; }
"${urlconn[@]}" >/dev/null && "${httpclient[@]}" >/dev/null
declare -a th ta tf tu tc
for ((i = 0; i < runs; i++)); do
  th+=("$(measure "${hello[@]}")"); ta+=("$(measure "${agent[@]}")"); tf+=("$(measure "${file[@]}")")
  tu+=("$(measure "${urlconn[@]}")"); tc+=("$(measure "${httpclient[@]}")")
done
mh=$(median "${th[@]}"); ma=$(median "${ta[@]}"); mf=$(median "${tf[@]}"); mu=$(median "${tu[@]}"); mc=$(median "${tc[@]}")
echo "java: $("$java_bin" -version 2>&1 | head -1); $(nproc) cores; medians of $runs runs"
awk -v h="$mh" -v a="$ma" -v f="$mf" -v u="$mu" -v c="$mc" 'BEGIN {
  printf "%-52s %8.1f ms\n", "trivial main (baseline)", h / 1000
  printf "%-52s %8.1f ms  %.2fx (target <= 3x)\n", "./keysource get aws-sm-agent:prod/claude#api_key", a / 1000, a / h
  printf "%-52s %8.1f ms  %.2fx\n", "./keysource get file:...", f / 1000, f / h
  printf "%-52s %8.1f ms  %.2fx\n", "bare main, one GET with HttpURLConnection", u / 1000, u / h
  printf "%-52s %8.1f ms  %.2fx\n", "bare main, one GET with java.net.http.HttpClient", c / 1000, c / h }'
