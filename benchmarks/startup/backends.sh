#!/usr/bin/env bash
# Start-to-key of `./keysource get` through every bundled backend, side by side in one run: a helper script,
# Vault (KV v2) and AWS Secrets Manager, each against its loopback fake (127.0.0.1 only), next to a trivial
# main on the same JVM (same flags, an archive of the same kind) and, for AWS, the AWS CLI reading the same
# secret from the same fake (--endpoint-url), where `aws` is installed. Medians over N runs (default 15).
#
#   benchmarks/startup/backends.sh [runs]        KEYSOURCE_JAVA=/path/to/java picks the JVM
#   KEYSOURCE_BENCH_NO_BUILD=1                   use the jars as built (the test that runs this script)
set -euo pipefail
runs="${1:-15}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
# shellcheck source=common.bash
. "$here/common.bash"
export AWS_EC2_METADATA_DISABLED=true

if [ -z "${KEYSOURCE_BENCH_NO_BUILD:-}" ]; then
  (cd "$root" && ./mvnw -q -B -pl cli,backend-vault,backend-aws -am package -DskipTests -Dmaven.javadoc.skip=true \
    -Dmaven.source.skip=true) </dev/null >&2
fi
export KEYSOURCE_NO_BUILD=1
jar_of() { ls "$root/$1"/target/keysource-*"$2".jar | grep -v -e '-sources' -e '-javadoc' | head -1; }
# the fakes' classpath: the backends' test jars and core, whose JSON reader the Secrets Manager fake uses
cp_fakes="$(jar_of backend-vault -tests):$(jar_of backend-aws -tests):$(jar_of core -SNAPSHOT)"
rm -rf "$out/fakes"
"${java_bin%java}javac" -d "$out/fakes" -cp "$cp_fakes" "$here/FakeServers.java"
: >"$out/fakes.env"
"$java_bin" -cp "$out/fakes:$cp_fakes" FakeServers >"$out/fakes.env" 2>"$out/fakes.log" &
fakes=$!
trap 'kill $fakes 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ "$(wc -l <"$out/fakes.env")" -ge 4 ] && break; kill -0 $fakes 2>/dev/null || break; sleep 0.1; done
[ "$(wc -l <"$out/fakes.env")" -ge 4 ] || { echo "backends.sh: the fakes did not start:" >&2; cat "$out/fakes.log" >&2; exit 1; }
declare -A envs
while IFS='=' read -r k v; do envs[$k]=$v; done <"$out/fakes.env"

train_keysource
build_hello
script=("$root/keysource" get 'script:echo sk-script-benchmark')
vault=(env -u VAULT_NAMESPACE VAULT_ADDR="${envs[VAULT_ADDR]}" VAULT_TOKEN="${envs[VAULT_TOKEN]}"
  "$root/keysource" get 'vault:secret/claude-code#api_key')
aws_env=(env -u AWS_PROFILE AWS_REGION="${envs[AWS_REGION]}" AWS_DEFAULT_REGION="${envs[AWS_REGION]}" AWS_ACCESS_KEY_ID=AKIDBENCHMARK
  AWS_SECRET_ACCESS_KEY=benchmark AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null)
aws=("${aws_env[@]}" AWS_ENDPOINT_URL_SECRETS_MANAGER="${envs[AWS_ENDPOINT_URL_SECRETS_MANAGER]}"
  "$root/keysource" get 'aws-sm:prod/claude#api_key')
check() { local got; got="$("${@:2}" 2>&1)" || true; [ "$got" = "$1" ] || { echo "backends.sh: expected $1 from $*, got: $got" >&2; exit 1; }; }
check sk-script-benchmark "${script[@]}"
check sk-vault-benchmark "${vault[@]}"
check sk-aws-benchmark "${aws[@]}"
awscli=()
awscli_name=
aws_bin="$(command -v aws || true)"
if [ -n "$aws_bin" ] && command -v pyenv >/dev/null 2>&1; then
  aws_bin="$(pyenv which aws 2>/dev/null || echo "$aws_bin")" # the program itself, not pyenv's shim script
fi
if [ -n "$aws_bin" ]; then
  awscli=("${aws_env[@]}" "$aws_bin" --endpoint-url "${envs[AWS_ENDPOINT_URL_SECRETS_MANAGER]}" secretsmanager get-secret-value
    --secret-id prod/claude --query SecretString --output text)
  if [ "$("${awscli[@]}" 2>/dev/null)" = '{"api_key":"sk-aws-benchmark"}' ]; then
    awscli_name="$("$aws_bin" --version 2>&1 | cut -d' ' -f1)"
  else
    awscli=()
  fi
fi

th=() ts=() tv=() ta=() tc=()
for _ in 1 2; do "${hello[@]}" >/dev/null; "${script[@]}" >/dev/null; done # warm the page cache
rm -f "$out"/cpu-*
for ((i = 0; i < runs; i++)); do
  th+=("$(CPU_LABEL=h measure "${hello[@]}")"); ts+=("$(CPU_LABEL=s measure "${script[@]}")")
  tv+=("$(CPU_LABEL=v measure "${vault[@]}")"); ta+=("$(CPU_LABEL=a measure "${aws[@]}")")
  if [ ${#awscli[@]} -gt 0 ]; then tc+=("$(CPU_LABEL=c measure "${awscli[@]}")"); fi
done
mh=$(median "${th[@]}"); ms_=$(median "${ts[@]}"); mv=$(median "${tv[@]}"); ma=$(median "${ta[@]}")
mc=0
if [ ${#tc[@]} -gt 0 ]; then mc=$(median "${tc[@]}"); fi
echo "java: $("$java_bin" -version 2>&1 | head -1); $(nproc) cores; archive: $kind; medians of $runs runs;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
awk -v h="$mh" -v s="$ms_" -v v="$mv" -v a="$ma" -v c="$mc" -v cn="$awscli_name" \
  -v ch="$(cpu_median h)" -v cs="$(cpu_median s)" -v cv="$(cpu_median v)" -v ca="$(cpu_median a)" \
  -v cc="$(cpu_median c)" 'BEGIN {
  printf "%-56s %8.1f ms\n", "trivial main (baseline)", h / 1000
  printf "%-56s %8.1f ms  %5.2fx main (target <= 2x)\n", "./keysource get script:echo ...", s / 1000, s / h
  printf "%-56s %8.1f ms  %5.2fx main (target <= 3x)\n", "./keysource get vault:secret/claude-code#api_key", v / 1000, v / h
  if (c > 0)
    printf "%-56s %8.1f ms  %5.2fx main (target <= 5x), %4.2fx the AWS CLI (target <= 0.5x)\n", "./keysource get aws-sm:prod/claude#api_key", a / 1000, a / h, a / c
  else
    printf "%-56s %8.1f ms  %5.2fx main (target <= 5x)\n", "./keysource get aws-sm:prod/claude#api_key", a / 1000, a / h
  if (c > 0)
    printf "%-56s %8.1f ms  %5.2fx main\n", cn " secretsmanager get-secret-value", c / 1000, c / h
  else
    print "AWS CLI: not installed or not working here; not measured"
  if (ch > 0) {
    printf "CPU time (user + system), medians: main %d ms; script %d ms (%.2fx); vault %d ms (%.2fx); aws-sm %d ms (%.2fx)", ch, cs, cs / ch, cv, cv / ch, ca, ca / ch
    if (cc > 0) printf "; AWS CLI %d ms (aws-sm %.2fx of it)", cc, ca / cc
    printf "\n" } }'
