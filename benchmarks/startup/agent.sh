#!/usr/bin/env bash
# Start-to-key of `./keysource get` through the node-local sources: the AWS Secrets Manager Agent source
# (aws-sm-agent:, against its loopback fake) and the file source (file:), next to the trivial main of
# run.sh; and, for the agent source's choice of HTTP client, a bare main doing the same GET with
# HttpURLConnection and with java.net.http.HttpClient. Medians over N runs (default 15) and the ratios.
#
#   benchmarks/startup/agent.sh [runs]      (builds run.sh's baseline if it is missing)
set -euo pipefail
runs="${1:-15}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
out="$here/target"
[ -f "$out/hello.jar" ] || "$here/run.sh" 3 >/dev/null
(cd "$root" && ./mvnw -q -B -o -pl backend-aws-agent -am package -DskipTests -Dmaven.javadoc.skip=true \
  -Dmaven.source.skip=true) >&2
cp_fake="$(ls "$root"/backend-aws-agent/target/*-tests.jar)"
javac -d "$out/agent" -cp "$cp_fake" "$here/AgentFake.java" "$here/HttpGet.java"
java -cp "$out/agent:$cp_fake" AgentFake >"$out/agent.env" &
fake=$!
trap 'kill $fake 2>/dev/null' EXIT
for _ in $(seq 100); do [ "$(wc -l <"$out/agent.env")" -ge 2 ] && break; sleep 0.1; done
declare -A envs
while IFS='=' read -r k v; do envs[$k]=$v; done <"$out/agent.env"

now_us() { local t="${EPOCHREALTIME/[.,]/}"; echo "$t"; }
measure() { local s e; s=$(now_us); "$@" >/dev/null </dev/null; e=$(now_us); echo $(( e - s )); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr)
hello=(java "${flags[@]}" -XX:SharedArchiveFile="$out/hello.jsa" -jar "$out/hello.jar")
agent_env=(env AWS_TOKEN="${envs[AWS_TOKEN]}"
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT="${envs[PARAMETERS_SECRETS_EXTENSION_HTTP_PORT]}")
agent=("${agent_env[@]}" "$root/keysource" get 'aws-sm-agent:prod/claude#api_key')
printf 'sk-file-benchmark\n' >"$out/secret-file"
file=("$root/keysource" get "file:$out/secret-file")
urlconn=("${agent_env[@]}" java "${flags[@]}" -cp "$out/agent" HttpGet urlconnection)
httpclient=("${agent_env[@]}" java "${flags[@]}" -cp "$out/agent" HttpGet httpclient)
[ "$("${agent[@]}")" = sk-agent-benchmark ] || { echo "aws-sm-agent get failed" >&2; exit 1; }
[ "$("${file[@]}")" = sk-file-benchmark ] || { echo "file get failed" >&2; exit 1; }
"${urlconn[@]}" >/dev/null && "${httpclient[@]}" >/dev/null
declare -a th ta tf tu tc
for ((i = 0; i < runs; i++)); do
  th+=("$(measure "${hello[@]}")"); ta+=("$(measure "${agent[@]}")"); tf+=("$(measure "${file[@]}")")
  tu+=("$(measure "${urlconn[@]}")"); tc+=("$(measure "${httpclient[@]}")")
done
mh=$(median "${th[@]}"); ma=$(median "${ta[@]}"); mf=$(median "${tf[@]}"); mu=$(median "${tu[@]}"); mc=$(median "${tc[@]}")
echo "java: $(java -version 2>&1 | head -1); $(nproc) cores; medians of $runs runs"
awk -v h="$mh" -v a="$ma" -v f="$mf" -v u="$mu" -v c="$mc" 'BEGIN {
  printf "%-52s %8.1f ms\n", "trivial main (baseline)", h / 1000
  printf "%-52s %8.1f ms  %.2fx (target <= 3x)\n", "./keysource get aws-sm-agent:prod/claude#api_key", a / 1000, a / h
  printf "%-52s %8.1f ms  %.2fx\n", "./keysource get file:...", f / 1000, f / h
  printf "%-52s %8.1f ms  %.2fx\n", "bare main, one GET with HttpURLConnection", u / 1000, u / h
  printf "%-52s %8.1f ms  %.2fx\n", "bare main, one GET with java.net.http.HttpClient", c / 1000, c / h }'
