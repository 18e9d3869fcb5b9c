#!/usr/bin/env bash
# Start-to-key of `./keysource get` through the Vault and AWS backends, each against its loopback fake
# (127.0.0.1 only), next to the trivial main of run.sh; medians over N runs (default 15) and the ratios.
#
#   benchmarks/startup/backends.sh [runs]      (run benchmarks/startup/run.sh first: it builds the baseline)
set -euo pipefail
runs="${1:-15}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
out="$here/target"
[ -f "$out/hello.jar" ] || "$here/run.sh" 3 >/dev/null
(cd "$root" && ./mvnw -q -B -o -pl backend-vault,backend-aws package -DskipTests -Dmaven.javadoc.skip=true \
  -Dmaven.source.skip=true) >&2
cp_fakes="$(ls "$root"/backend-vault/target/*-tests.jar):$(ls "$root"/backend-aws/target/*-tests.jar)"
javac -d "$out/fakes" -cp "$cp_fakes" "$here/FakeServers.java"
java -cp "$out/fakes:$cp_fakes" FakeServers >"$out/fakes.env" &
fakes=$!
trap 'kill $fakes 2>/dev/null' EXIT
for _ in $(seq 100); do [ "$(wc -l <"$out/fakes.env")" -ge 4 ] && break; sleep 0.1; done
declare -A envs
while IFS='=' read -r k v; do envs[$k]=$v; done <"$out/fakes.env"

now_us() { local t="${EPOCHREALTIME/[.,]/}"; echo "$t"; }
measure() { local s e; s=$(now_us); "$@" >/dev/null </dev/null; e=$(now_us); echo $(( e - s )); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr)
hello=(java "${flags[@]}" -XX:SharedArchiveFile="$out/hello.jsa" -jar "$out/hello.jar")
vault=(env -u VAULT_NAMESPACE VAULT_ADDR="${envs[VAULT_ADDR]}" VAULT_TOKEN="${envs[VAULT_TOKEN]}"
  "$root/keysource" get 'vault:secret/claude-code#api_key')
aws=(env -u AWS_PROFILE AWS_ENDPOINT_URL_SECRETS_MANAGER="${envs[AWS_ENDPOINT_URL_SECRETS_MANAGER]}"
  AWS_REGION="${envs[AWS_REGION]}" AWS_ACCESS_KEY_ID=AKIDBENCHMARK AWS_SECRET_ACCESS_KEY=benchmark
  AWS_EC2_METADATA_DISABLED=true "$root/keysource" get 'aws-sm:prod/claude#api_key')
[ "$("${vault[@]}")" = sk-vault-benchmark ] || { echo "vault get failed" >&2; exit 1; }
[ "$("${aws[@]}")" = sk-aws-benchmark ] || { echo "aws get failed" >&2; exit 1; }
declare -a th tv ta
for ((i = 0; i < runs; i++)); do
  th+=("$(measure "${hello[@]}")"); tv+=("$(measure "${vault[@]}")"); ta+=("$(measure "${aws[@]}")")
done
mh=$(median "${th[@]}"); mv=$(median "${tv[@]}"); ma=$(median "${ta[@]}")
echo "java: $(java -version 2>&1 | head -1); $(nproc) cores; medians of $runs runs"
awk -v h="$mh" -v v="$mv" -v a="$ma" 'BEGIN {
  printf "%-52s %8.1f ms\n", "trivial main (baseline)", h / 1000
  printf "%-52s %8.1f ms  %.2fx (target <= 2.5x)\n", "./keysource get vault:secret/claude-code#api_key", v / 1000, v / h
  printf "%-52s %8.1f ms  %.2fx (target <= 6x)\n", "./keysource get aws-sm:prod/claude#api_key", a / 1000, a / h }'
