#!/usr/bin/env bash
# A distributed run across three hosts on one machine: the coordinator (with Redis) and two
# workers, each in its own network namespace, joined to the coordinator by a veth pair. Nothing
# crosses but TCP to Redis; the workers cannot see the coordinator's files or loopback. The
# report must equal a local run's (less its run record). docs/distributed.md shows one run.
#
#   sudo bash bench/netns.sh [--workload example|M]     (needs root, ip, redis-server, a build)
#
# Addresses are the script's own test hosts (10.77.1.0/24 and 10.77.2.0/24 inside its
# namespaces); everything it made is removed on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
workload=example
if [[ "${1:-}" == "--workload" ]]; then workload="${2:?--workload example|M}"; fi
[[ $(id -u) == 0 ]] || { echo "netns.sh: needs root (network namespaces)" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "netns.sh: needs redis-server (apt-get install redis-server)" >&2; exit 2; }
[[ -f dist/src/cli/main.js ]] || { echo "netns.sh: build first (npm run build)" >&2; exit 2; }

tag="xm$$"
coord="${tag}-coord"
w1="${tag}-w1"
w2="${tag}-w2"
dir=$(mktemp -d)
password="netns-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for ns in "$coord" "$w1" "$w2"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

for ns in "$coord" "$w1" "$w2"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
# One veth pair per worker: the coordinator's end and the worker's, a /24 of their own.
i=1
for ns in "$w1" "$w2"; do
  ip link add "${tag}c$i" type veth peer name "${tag}w$i"
  ip link set "${tag}c$i" netns "$coord"
  ip link set "${tag}w$i" netns "$ns"
  ip -n "$coord" addr add "10.77.$i.1/24" dev "${tag}c$i"
  ip -n "$ns" addr add "10.77.$i.2/24" dev "${tag}w$i"
  ip -n "$coord" link set "${tag}c$i" up
  ip -n "$ns" link set "${tag}w$i" up
  i=$((i + 1))
done

echo "hosts: $coord (Redis, coordinator) 10.77.1.1 10.77.2.1; $w1 10.77.1.2; $w2 10.77.2.2"
ip netns exec "$coord" redis-server --bind 10.77.1.1 10.77.2.1 --port 6390 --requirepass "$password" \
  --save '' --appendonly no --logfile "$dir/redis.log" &
pids+=($!)
for _ in $(seq 50); do
  ip netns exec "$coord" redis-cli -h 10.77.1.1 -p 6390 -a "$password" --no-auth-warning ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done

i=1
for ns in "$w1" "$w2"; do
  ip netns exec "$ns" node dist/src/cli/main.js worker --redis "redis://:$password@10.77.$i.1:6390" --concurrency 1 \
    2>"$dir/worker$i.log" &
  pids+=($!)
  i=$((i + 1))
done

inputs=()
if [[ "$workload" == M ]]; then
  node dist/src/cli/main.js synth --size M --out "$dir/M" >/dev/null
  inputs=(--market "$dir/M/market.json" --book "$dir/M/book.json" --suite "$dir/M/suite.yaml")
elif [[ "$workload" != example ]]; then
  echo "netns.sh: --workload example or M" >&2
  exit 2
fi

# The workers' own view: Redis is reachable only over their link, nothing of the host is.
ip netns exec "$w1" bash -c "exec 3<>/dev/tcp/10.77.1.1/6390" && echo "$w1 reaches Redis at 10.77.1.1:6390"
if ip netns exec "$w1" bash -c "exec 3<>/dev/tcp/127.0.0.1/6390" 2>/dev/null; then
  echo "netns.sh: $w1 reaches 127.0.0.1:6390: namespaces not isolated" >&2
  exit 1
fi

start=$(date +%s%N)
ip netns exec "$coord" node dist/src/cli/main.js run "${inputs[@]}" --redis "redis://:$password@10.77.1.1:6390" \
  --out "$dir/distributed" --no-progress >/dev/null 2>"$dir/coordinator.log"
end=$(date +%s%N)
node dist/src/cli/main.js run "${inputs[@]}" --out "$dir/local" --workers 2 --no-progress >/dev/null
sleep 0.5
for p in "${pids[@]:1}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]:1}"; do wait "$p" || { echo "netns.sh: a worker exited non-zero" >&2; exit 1; }; done

sed "s/$password/***/g" "$dir/coordinator.log"
for n in 1 2; do sed "s/$password/***/g" "$dir/worker$n.log"; done
ms=$(((end - start) / 1000000))
printf 'distributed run: %d.%02d s wall\n' $((ms / 1000)) $(((ms % 1000) / 10))
same=$(node -e '
  const fs = require("fs");
  const read = (d) => { const r = JSON.parse(fs.readFileSync(d + "/report.json", "utf8")); delete r.run; return JSON.stringify(r); };
  console.log(read(process.argv[1]) === read(process.argv[2]) ? "yes" : "no");
' "$dir/distributed" "$dir/local")
echo "report identical to a local run: $same"
keys=$(ip netns exec "$coord" redis-cli -h 10.77.1.1 -p 6390 -a "$password" --no-auth-warning dbsize)
echo "keys left in Redis: $keys"
[[ "$same" == yes && "$keys" == 0 ]]
