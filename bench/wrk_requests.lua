-- wrk script: replay pre-generated, distinct, signed webhook requests from a file.
-- Each line: path TAB X-Twilio-Signature TAB url-encoded body. Thread k of n sends lines
-- k, k+n, k+2n...; a thread that reaches the end wraps round and counts it (the Python side
-- makes enough lines that this does not happen, and says so if it does).
-- With ONCE, each line is sent once: a thread that reaches the end says so on stdout and sends
-- its last line again (a retry, which the server answers as one) until bench/wrk_driver.py,
-- once every thread has said so, interrupts wrk, which then reports as at the end of -d.
-- Those repeats are counted apart, as "again", for the driver to take off. (A thread cannot
-- just stop: wrk would leave a connection it had opened silent, and a sync server's worker
-- would wait on it.)
-- Usage: wrk -t N ... -s wrk_requests.lua URL -- FILE N [ONCE]

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local requests = {}
local index, step, once = 0, 1, false
-- Globals, not locals: done() reads them from each thread with thread:get.
wrapped, again = 0, 0

function init(args)
  step = tonumber(args[2])
  once = args[3] == "ONCE"
  local n = 0
  for line in io.lines(args[1]) do
    n = n + 1
    if (n - id) % step == 0 then
      local path, signature, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", path, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = signature,
      }, body)
    end
  end
end

function request()
  index = index + 1
  if index > #requests and once then
    if again == 0 then
      io.stdout:write("WRK-THREAD-FINISHED\n")
      io.stdout:flush()
    end
    again = again + 1
    return requests[#requests]
  end
  if index > #requests then
    index = 1
    wrapped = wrapped + 1
  end
  return requests[index]
end

function done(summary, latency, _requests)
  local wraps, repeats = 0, 0
  for _, thread in ipairs(threads) do
    wraps = wraps + (thread:get("wrapped") or 0)
    repeats = repeats + (thread:get("again") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d wrapped=%d"
    .. " again=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), wraps, repeats))
end
