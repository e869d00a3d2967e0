-- wrk reporter: one JSON line with p50/p95/p99 latency (microseconds), throughput and errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
