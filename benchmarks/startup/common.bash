# Shared by the start-up benchmarks run.sh and backends.sh (sourced, not a benchmark of its own).
# Sets java_bin, flags, out, and XDG_CACHE_HOME (the launcher's class-data archives for these runs go
# under target/, not into the user's cache); defines train_keysource, build_hello, measure, median, ms.
java_bin="${KEYSOURCE_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/java}}"
java_bin="${java_bin:-$(command -v java)}"
export KEYSOURCE_JAVA="$java_bin"
flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr)
out="$here/target"
mkdir -p "$out"
export XDG_CACHE_HOME="$out/cache"

now_us() { local t="${EPOCHREALTIME/[.,]/}"; echo "$t"; }
# measure CMD...: prints the wall-clock microseconds; with CPU_LABEL set, also appends the CPU time (user +
# system, ms) to $out/cpu-$CPU_LABEL: on a machine shared with other work CPU time varies less than wall time
measure() {
  local s e
  if [ -n "${CPU_LABEL:-}" ] && [ -x /usr/bin/time ]; then
    s=$(now_us); /usr/bin/time -f '%U %S' -o "$out/cpu.tmp" "$@" >/dev/null </dev/null; e=$(now_us)
    awk '{printf "%d\n", ($1 + $2) * 1000}' "$out/cpu.tmp" >>"$out/cpu-$CPU_LABEL"
  else
    s=$(now_us); "$@" >/dev/null </dev/null; e=$(now_us)
  fi
  echo $(( e - s ))
}
cpu_median() { [ -s "$out/cpu-$1" ] && median $(cat "$out/cpu-$1") || echo 0; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v us="$1" 'BEGIN {printf "%.1f", us / 1000}'; }

# keysource: build (when stale) and train once, not timed; kind is aot (Java 25+) or cds, as the launcher chose
train_keysource() {
  "$root/keysource" get "script:echo sk-benchmark-key" >/dev/null
  archive="$(ls "$XDG_CACHE_HOME"/keysource/*--"${java_bin//[^A-Za-z0-9._-]/_}".jsa | head -1)"
  kind= extra=
  read -r kind extra <"$archive.flags" || true
}

# the baseline: a trivial main in its own jar, with an archive of the same kind made the same way
build_hello() {
  local javac_bin="${java_bin%java}javac" jar_bin="${java_bin%java}jar"
  [ -x "$javac_bin" ] || javac_bin=javac
  [ -x "$jar_bin" ] || jar_bin=jar
  "$javac_bin" -d "$out/classes" "$here/Hello.java"
  printf 'Main-Class: Hello\n' >"$out/manifest.txt"
  "$jar_bin" cfm "$out/hello.jar" "$out/manifest.txt" -C "$out/classes" .
  rm -f "$out"/hello.jsa "$out"/hello.classes "$out"/hello.aot*
  if [ "$kind" = aot ]; then
    "$java_bin" "${flags[@]}" -XX:AOTCacheOutput="$out/hello.aot" -jar "$out/hello.jar" spawn >/dev/null 2>&1
    hello=("$java_bin" "${flags[@]}" -XX:AOTCache="$out/hello.aot")
  else
    "$java_bin" "${flags[@]}" -Xshare:auto -XX:DumpLoadedClassList="$out/hello.classes" -jar "$out/hello.jar" spawn >/dev/null
    "$java_bin" -XX:+UseSerialGC -Xshare:dump -XX:SharedClassListFile="$out/hello.classes" \
      -XX:SharedArchiveFile="$out/hello.jsa" -cp "$out/hello.jar" >/dev/null 2>&1
    hello=("$java_bin" "${flags[@]}" -Xshare:auto -XX:SharedArchiveFile="$out/hello.jsa")
  fi
  [ -n "$extra" ] && hello+=("$extra")
  hello+=(-jar "$out/hello.jar")
}
