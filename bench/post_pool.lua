-- wrk script: POST a pool of pre-signed Alexa requests in turn, then print a JSON summary.
-- Usage: wrk -s post_pool.lua URL -- POOL_FILE
-- POOL_FILE: one request a line: tab-separated "Name: value" headers, then the JSON body.

local pool = {}
local next_index = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local fields = {}
    for field in string.gmatch(line, "[^\t]+") do
      fields[#fields + 1] = field
    end
    -- a new connection for each request, as from Alexa's many senders: with a few long-lived
    -- connections, whichever gunicorn worker accepts first keeps them all, and the two
    -- servers' figures would differ by that lottery rather than by their work
    local headers = { ["Content-Type"] = "application/json", ["Connection"] = "close" }
    for i = 1, #fields - 1 do
      local name, value = string.match(fields[i], "^([^:]+): (.*)$")
      headers[name] = value
    end
    pool[#pool + 1] = wrk.format("POST", nil, headers, fields[#fields])
  end
  file:close()
end

function request()
  next_index = next_index % #pool + 1
  return pool[next_index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT {\"requests\": %d, \"duration_us\": %d, \"connect\": %d, \"read\": %d, " ..
    "\"write\": %d, \"status\": %d, \"timeout\": %d, \"p50_us\": %.0f, \"p99_us\": %.0f, " ..
    "\"max_us\": %.0f}\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
