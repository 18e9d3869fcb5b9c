#!/usr/bin/env bash
# Start-to-key time of `./keysource get script:...` against a trivial Java main started the same way
# (same java, same flags, its own archive of the same kind made the same way: AOT cache on Java 25+, else AppCDS), medians over N runs (default 20), and the ratio.
#
#   benchmarks/startup/run.sh [runs]
#
# Also reported: the same trivial main spawning `sh -c 'echo k'` (what any helper runner pays), and
# keysource's jar started directly (without the launcher's staleness check).
set -euo pipefail
runs="${1:-20}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
out="$here/target"
mkdir -p "$out"
# shellcheck source=common.bash
. "$here/common.bash"

ref="script:echo sk-benchmark-key"
train_keysource
ks_flags=("${flags[@]}")
if [ "$kind" = aot ]; then ks_flags+=(-XX:AOTCache="$archive"); else ks_flags+=(-Xshare:auto -XX:SharedArchiveFile="$archive"); fi
[ -n "$extra" ] && ks_flags+=("$extra")
direct=("$java_bin" "${ks_flags[@]}" -jar "$root/cli/target/keysource.jar")
build_hello

declare -a t_hello t_spawn t_launcher t_direct
for _ in 1 2 3; do "${hello[@]}" >/dev/null; "$root/keysource" get "$ref" >/dev/null; done # warm the page cache
for ((i = 0; i < runs; i++)); do
  t_hello+=("$(measure "${hello[@]}")")
  t_spawn+=("$(measure "${hello[@]}" spawn)")
  t_launcher+=("$(measure "$root/keysource" get "$ref")")
  t_direct+=("$(measure "${direct[@]}" get "$ref")")
done

m_hello=$(median "${t_hello[@]}")
m_spawn=$(median "${t_spawn[@]}")
m_launcher=$(median "${t_launcher[@]}")
m_direct=$(median "${t_direct[@]}")

echo "java: $("$java_bin" -version 2>&1 | head -1); $(nproc 2>/dev/null || echo '?') cores; archive: $kind; medians of $runs runs" \
  "${KEYSOURCE_NO_BUILD:+(KEYSOURCE_NO_BUILD set: the launcher skipped its staleness check)}"
printf '%-52s %8s ms\n' "trivial main (baseline)" "$(ms "$m_hello")"
printf '%-52s %8s ms\n' "trivial main spawning sh -c 'echo k'" "$(ms "$m_spawn")"
printf '%-52s %8s ms\n' "./keysource get $ref" "$(ms "$m_launcher")"
printf '%-52s %8s ms\n' "java -jar keysource.jar get (no launcher)" "$(ms "$m_direct")"
awk -v k="$m_launcher" -v h="$m_hello" -v d="$m_direct" -v s="$m_spawn" 'BEGIN {
  printf "ratio ./keysource get / trivial main: %.2fx (target <= 2x)\n", k / h
  printf "ratio java -jar keysource.jar get / trivial main: %.2fx; / spawning main: %.2fx\n", d / h, d / s }'
