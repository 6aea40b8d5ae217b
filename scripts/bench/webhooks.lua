-- wrk script: signed Twilio inbound webhooks (POST /twilio/inbound), a distinct MessageSid for
-- every request. Data (signatures) from scripts/bench/gen-webhooks.mjs, file in $FT_BENCH_DATA.
-- Thread t of T sends requests t+1, t+1+T, t+1+2T... of the generated list; past its end the list
-- starts again (those would be redeliveries: scripts/bench-relay sizes the list so this does not
-- happen and reports it if it does).
-- $FT_BENCH_RATE (requests/s over all threads, optional): paces requests to a fixed schedule.
local data = dofile(os.getenv("FT_BENCH_DATA"))
local sigs = data.sigs
local n = #sigs
local threads_total = tonumber(os.getenv("FT_BENCH_THREADS") or "1")
local rate = tonumber(os.getenv("FT_BENCH_RATE") or "0")
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

local k, interval, next_at, now_ms
function init(args)
  k = (tid or 0) + 1
  if rate > 0 then
    local ffi = require("ffi")
    ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } ft_bench_timespec;
      int clock_gettime(int clk, ft_bench_timespec *ts);
    ]]
    local ts = ffi.new("ft_bench_timespec")
    now_ms = function()
      ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
      return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
    end
    interval = 1000 * threads_total / rate -- this thread's share of the schedule
    next_at = now_ms()
  end
end

if rate > 0 then
  -- Each call books the next slot of this thread's schedule; a slot already past is sent at once
  -- (the schedule is kept: a stall is followed by catching up, not by a lower rate).
  function delay()
    next_at = next_at + interval
    local d = next_at - now_ms()
    if d < 1 then return 0 end
    return math.floor(d)
  end
end

local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
function request()
  local i = ((k - 1) % n) + 1
  k = k + threads_total
  local sid = "SM" .. data.run_id .. string.format("%08x", i)
  local from = "%2B1512867" .. tostring(5300 + (i % 100))
  headers["X-Twilio-Signature"] = sigs[i]
  local body = "AccountSid=" .. data.account .. "&ApiVersion=2010-04-01&Body=" .. data.body .. "&From=" .. from ..
    "&MessageSid=" .. sid .. "&NumMedia=0&NumSegments=1&SmsMessageSid=" .. sid .. "&SmsSid=" .. sid ..
    "&SmsStatus=received&To=" .. data.to
  return wrk.format("POST", data.path, headers, body)
end
