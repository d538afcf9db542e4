# Sourced by bin/keel (the release) and ./keel (the source tree): sizes the JVM of `keel serve` from
# its memory budget (docs/memory.md). The budget is resolved here (--memory-budget, memory-budget in
# --config, KEEL_MEMORY_BUDGET, else auto) and passed on explicitly, so the server and the JVM agree on
# one number. After `keel_jvm_sizing JAVA ARGS...`, jvm_opts holds the JVM options and serve_args the
# arguments to run serve with. KEEL_JVM_SIZING=off: nothing is sized.


size_bytes() { # 512MiB, 2GiB, 64KiB, 100B (also K/M/G, KB/MB/GB) -> bytes; fails on anything else
  local t="${1,,}"
  [[ $t =~ ^([0-9]+)(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?$ ]] || return 1
  local n=${BASH_REMATCH[1]} u=${BASH_REMATCH[2]}
  case $u in
    ""|b) echo "$n" ;;
    k*) echo $((n << 10)) ;;
    m*) echo $((n << 20)) ;;
    g*) echo $((n << 30)) ;;
    t*) echo $((n << 40)) ;;
  esac
}

# auto: 75% of the container's memory limit (cgroup v2 or v1), else a quarter of the machine's memory,
# at most 2 GiB: a server that shares the machine takes its share, not the machine.
auto_budget() {
  local limit=""
  if [ -r /sys/fs/cgroup/memory.max ]; then
    limit=$(cat /sys/fs/cgroup/memory.max)
  elif [ -r /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
    limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
  fi
  if [[ $limit =~ ^[0-9]+$ ]] && [ "$limit" -lt $((1 << 50)) ]; then
    echo $((limit * 3 / 4))
    return
  fi
  local total_kib
  total_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  local quarter=$((total_kib * 1024 / 4)) cap=$((2 << 30))
  echo $((quarter < cap ? quarter : cap))
}

# The budget this serve names (empty: auto), from its arguments, its config file, or the environment.
named_budget() {
  local prev="" a config=""
  for a in "$@"; do
    case $prev in
      --memory-budget) echo "$a"; return ;;
      --config) config="$a" ;;
    esac
    case $a in
      --memory-budget=*) echo "${a#*=}"; return ;;
      --config=*) config="${a#*=}" ;;
    esac
    prev="$a"
  done
  if [ -n "$config" ] && [ -r "$config" ]; then
    local v
    v=$(sed -n -E 's/^[[:space:]]*memory-budget:[[:space:]]*"?([^"#[:space:]]+)"?.*$/\1/p' "$config" | head -1)
    [ -n "$v" ] && { echo "$v"; return; }
  fi
  echo "${KEEL_MEMORY_BUDGET:-}"
}

java_major_of() { # prints the major version of the java binary $1, or 0
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }' || echo 0
}

keel_jvm_sizing() {
  local JAVA="$1" named budget mib
  shift
  jvm_opts=()
  serve_args=("$@")
  [ "${1:-}" = serve ] && [ "${KEEL_JVM_SIZING:-on}" != off ] || return 0
  named="$(named_budget "$@")"
  if [ -z "$named" ] || [ "${named,,}" = auto ]; then
    budget=$(auto_budget)
  else
    budget=$(size_bytes "$named") || budget="" # not a size: the server explains, and sizes nothing
  fi
  if [ -n "$budget" ] && [ "$budget" -ge $((16 << 20)) ]; then
    mib=$((budget >> 20))
    # What the budget counts is direct memory (queued frames, frames arriving, HTTP bodies) or heap
    # (messages waiting for handlers, connections): direct memory gets 70% of the budget, the heap 30%
    # plus 48 MiB for the server's own state, so that the two caps add up to the budget and a fixed
    # amount. Heap after GC or pooled direct memory near its cap moves the stages like the accounting
    # does, so whichever fills first sheds before anything fails to allocate (docs/memory.md). G1 with
    # tight free ratios keeps the committed heap near what is live, and its periodic collection gives
    # back what a load left once the server is quiet (docs/memory.md has the candidates measured). On a
    # heap that tight, old objects are always above G1's adaptive marking threshold, so a marking cycle
    # ran every 1-2 s under load, each taking the one core from the event loops; a fixed threshold of
    # 85% marks only when the old generation has really grown (docs/benchmarks.md, round 6).
    # Every JIT compiler thread is started with the JVM, not on demand, so that the server's
    # compiler-nice finds every C2 thread when it lowers their priority once warm (round 12).
    jvm_opts+=("-Xmx$((mib * 30 / 100 + 48))m" "-XX:MaxDirectMemorySize=$((mib * 70 / 100))m"
      "-Xms16m" "-XX:+UseG1GC" "-XX:MinHeapFreeRatio=5" "-XX:MaxHeapFreeRatio=15"
      "-XX:-G1UseAdaptiveIHOP" "-XX:InitiatingHeapOccupancyPercent=85"
      "-XX:G1PeriodicGCInterval=10000" "-XX:ReservedCodeCacheSize=48m" "-XX:MaxMetaspaceSize=128m"
      "-XX:-UseDynamicNumberOfCompilerThreads")
    # The launcher always passes a number, never auto: the server and the JVM agree on it.
    if [ -z "$(KEEL_MEMORY_BUDGET='' named_budget "$@")" ] || [ "${named,,}" = auto ]; then
      serve_args+=(--memory-budget "${mib}MiB")
    fi
    # glibc keeps what the JVM frees in its arenas. The server returns it once a load has ended
    # (native-heap-trim, docs/memory.md); the JVM's own -XX:TrimNativeHeapInterval trims on a clock,
    # also mid-load, and each such trim stalled the event loops for about 60 ms on one core.
    # glibc keeps one malloc arena per thread that ever allocated; two are enough for a JVM whose
    # allocations are in its own heaps, and they hold less that RSS cannot give back.
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  fi
}
