-- Drive wrk from a file of requests, one per line: METHOD <tab> PATH <tab> COOKIE <tab> BODY.
-- Each thread takes every n-th line (so no two connections scan the same volunteer at the same post) and goes
-- round its lines. done() prints one JSON line that bench/run.py reads.
local lines = {}
local position = 0
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_REQUESTS"), "r"))
  local step = tonumber(os.getenv("BENCH_THREADS") or "1")
  local index = 0
  for line in file:lines() do
    if index % step == id then
      local f = split(line)
      local headers = { ["User-Agent"] = "timebank-bench" }
      if f[3] ~= "" then headers["Cookie"] = f[3] end
      if f[1] == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
      table.insert(lines, wrk.format(f[1], f[2], headers, f[4] ~= "" and f[4] or nil))
    end
    index = index + 1
  end
  file:close()
  if #lines == 0 then error("no requests for thread " .. id) end
end

function request()
  position = position % #lines + 1
  return lines[position]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
