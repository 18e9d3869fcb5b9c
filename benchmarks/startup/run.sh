#!/usr/bin/env bash
# Start-to-key time of `./keysource get script:...` against a trivial Java main started the same way
# (same java, same flags, its own static AppCDS archive made the same way), medians over N runs (default 20), and the ratio.
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
java_bin="${KEYSOURCE_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/java}}"
java_bin="${java_bin:-$(command -v java)}"
flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr)

now_us() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t="${EPOCHREALTIME/[.,]/}"
    echo "$t"
  else
    echo $(( $(date +%s%N) / 1000 ))
  fi
}

# keysource: build and train once (not timed); then its flags, as the launcher passes them
ref="script:echo sk-benchmark-key"
"$root/keysource" get "$ref" >/dev/null
jsa="$(ls "$root"/cli/target/keysource-*.jsa | head -1)"
extra="$(cat "$jsa.flags" 2>/dev/null || true)"
ks_flags=("${flags[@]}" -XX:SharedArchiveFile="$jsa")
[ -n "$extra" ] && ks_flags+=("$extra")
direct=("$java_bin" "${ks_flags[@]}" -jar "$root/cli/target/keysource.jar")

# the baseline jar with a static AppCDS archive made the way the launcher makes keysource's
javac_bin="${java_bin%java}javac"; [ -x "$javac_bin" ] || javac_bin=javac
jar_bin="${java_bin%java}jar"; [ -x "$jar_bin" ] || jar_bin=jar
"$javac_bin" -d "$out/classes" "$here/Hello.java"
printf 'Main-Class: Hello\n' >"$out/manifest.txt"
"$jar_bin" cfm "$out/hello.jar" "$out/manifest.txt" -C "$out/classes" .
rm -f "$out/hello.jsa" "$out/hello.classes"
"$java_bin" "${flags[@]}" -XX:DumpLoadedClassList="$out/hello.classes" -jar "$out/hello.jar" spawn >/dev/null
"$java_bin" -XX:+UseSerialGC -Xshare:dump -XX:SharedClassListFile="$out/hello.classes" \
  -XX:SharedArchiveFile="$out/hello.jsa" -cp "$out/hello.jar" >/dev/null 2>&1
hello=("$java_bin" "${flags[@]}" -XX:SharedArchiveFile="$out/hello.jsa")
[ -n "$extra" ] && hello+=("$extra")
hello+=(-jar "$out/hello.jar")

declare -a t_hello t_spawn t_launcher t_direct
measure() { # name, command...; prints the elapsed microseconds
  local start end
  start=$(now_us)
  "${@:2}" >/dev/null </dev/null
  end=$(now_us)
  echo $(( end - start ))
}
for _ in 1 2 3; do "${hello[@]}" >/dev/null; "$root/keysource" get "$ref" >/dev/null; done # warm the page cache
for ((i = 0; i < runs; i++)); do
  t_hello+=("$(measure hello "${hello[@]}")")
  t_spawn+=("$(measure spawn "${hello[@]}" spawn)")
  t_launcher+=("$(measure launcher "$root/keysource" get "$ref")")
  t_direct+=("$(measure direct "${direct[@]}" get "$ref")")
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v us="$1" 'BEGIN {printf "%.1f", us / 1000}'; }
m_hello=$(median "${t_hello[@]}")
m_spawn=$(median "${t_spawn[@]}")
m_launcher=$(median "${t_launcher[@]}")
m_direct=$(median "${t_direct[@]}")

echo "java: $("$java_bin" -version 2>&1 | head -1); $(nproc 2>/dev/null || echo '?') cores; medians of $runs runs" \
  "${KEYSOURCE_NO_BUILD:+(KEYSOURCE_NO_BUILD set: the launcher skipped its staleness check)}"
printf '%-52s %8s ms\n' "trivial main (baseline)" "$(ms "$m_hello")"
printf '%-52s %8s ms\n' "trivial main spawning sh -c 'echo k'" "$(ms "$m_spawn")"
printf '%-52s %8s ms\n' "./keysource get $ref" "$(ms "$m_launcher")"
printf '%-52s %8s ms\n' "java -jar keysource.jar get (no launcher)" "$(ms "$m_direct")"
awk -v k="$m_launcher" -v h="$m_hello" -v d="$m_direct" -v s="$m_spawn" 'BEGIN {
  printf "ratio ./keysource get / trivial main: %.2fx (target <= 2x)\n", k / h
  printf "ratio java -jar keysource.jar get / trivial main: %.2fx; / spawning main: %.2fx\n", d / h, d / s }'
