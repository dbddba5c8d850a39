-- requests.lua — wrk script of the soak test: POSTs a body holding the secret the redact
-- guest removes, counts the answers by status in every thread, and counts 200 answers that
-- are wrong (the secret still there, or no body). done() prints "status CODE COUNT" lines
-- and "bad_bodies N" for soak.sh.
local secret = "hunter2-soak-secret"
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain"
wrk.body = string.rep("0123456789abcdef", 128) .. secret .. string.rep("x", 1000)

local threads = {}
function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
   bad_bodies = 0
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if status == 200 and (#body < #wrk.body or string.find(body, secret, 1, true)) then
      bad_bodies = bad_bodies + 1
   end
end

function done(summary, latency, requests)
   local total, bad = {}, 0
   for _, thread in ipairs(threads) do
      for code, n in pairs(thread:get("statuses")) do
         total[code] = (total[code] or 0) + n
      end
      bad = bad + thread:get("bad_bodies")
   end
   for code, n in pairs(total) do
      io.write(string.format("status %d %d\n", code, n))
   end
   io.write(string.format("bad_bodies %d\n", bad))
end
