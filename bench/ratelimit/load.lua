-- Think time between a reply and the next request on each connection, uniformly random around
-- THINK_MS (so arrivals are spread out), and a count of replies by status for the report.
local think = tonumber(os.getenv("THINK_MS") or "100")
local threads = {}
statuses = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function delay()
  return math.random(0, 2 * think)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
  end
  local parts = {}
  for s, n in pairs(total) do parts[#parts + 1] = string.format('"%d":%d', s, n) end
  io.write(string.format(
    'RESULT {"requests":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"timeouts":%d,"statuses":{%s}}\n',
    summary.requests, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.errors.timeout, table.concat(parts, ",")))
end
