-- wrk script of http_bench.sh: POSTs {"command":"true"} to the URL given
-- (/api/servers/ID/tasks) and counts the answers by status code. Each wrk
-- thread runs its own Lua state, so the counts live in per-thread globals
-- that done() collects through the thread handles kept in setup(), as
-- wrk's scripts/setup.lua does. Output: one `create_status CODE COUNT` line
-- per code, and `create_sample CODE BODY` with the first body of each code
-- other than 202.

wrk.method = "POST"
wrk.body = '{"command":"true"}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  samples = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 202 and samples[status] == nil then
    samples[status] = string.sub(body or "", 1, 200)
  end
end

function done(summary, latency, requests)
  local totals = {}
  local first = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses") or {}) do
      totals[status] = (totals[status] or 0) + count
    end
    for status, body in pairs(thread:get("samples") or {}) do
      if first[status] == nil then
        first[status] = body
      end
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("create_status %d %d\n", status, count))
  end
  for status, body in pairs(first) do
    io.write(string.format("create_sample %d %s\n", status,
                           (string.gsub(body, "\n", " "))))
  end
end
