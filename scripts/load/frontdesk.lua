-- The requests of scripts/load-bench.sh, for wrk (Debian's `wrk`, LuaJIT).
--
--   wrk -t2 -c8 -d20s -s scripts/load/frontdesk.lua http://127.0.0.1:PORT -- MIX [RATE]
--
-- MIX is one of `list`, `detail`, `search`, `mixed`, `inbound`, `lists` (the queue and other
-- lists), `note`, or the workspace's `page_list`, `page_detail` and `pages` (both); RATE (requests per second
-- over all threads, optional) paces the requests against the clock instead of sending the next
-- one as soon as a connection is free. TOKEN (a staff access token), SESSION (a workspace
-- session cookie's value) and, for `inbound`, INBOUND_SECRET come from the environment; TICKETS is the fixture's size (default 1,000,000).
-- `done` prints one line of JSON: requests, rate, errors by kind and latency percentiles.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } frontdesk_timespec;
int clock_gettime(int clock, frontdesk_timespec *tp);
]]
local timespec = ffi.new("frontdesk_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local tickets = tonumber(os.getenv("TICKETS") or "1000000")
local token = os.getenv("TOKEN") or ""
local inbound_secret = os.getenv("INBOUND_SECRET") or ""
local auth = { ["Authorization"] = "Bearer " .. token }

-- The fixture's pseudo-words (crates/adapters-db/benches/queries.rs, `rare_word`): ranks
-- 200-5,000 are words of middling rarity, what staff search for.
local SYLLABLES = { "ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "bel", "dor", "fen", "gar",
  "hul", "jin", "kos", "lum" }

local function rare_word(rank)
  local n = rank + 17
  local word = {}
  while n > 0 do
    word[#word + 1] = SYLLABLES[(n % 16) + 1]
    n = math.floor(n / 16)
  end
  return table.concat(word)
end

local function middling()
  return rare_word(200 + math.random(0, 4799))
end

local PRIORITIES = { "low", "medium", "high", "urgent" }

local function get(path)
  return wrk.format("GET", path, auth)
end

local function list()
  local priority = PRIORITIES[math.random(1, #PRIORITIES)]
  return get("/api/tickets?status=new,open&priority=" .. priority .. "&sort=-created&limit=25")
end

local function detail()
  return get(string.format("/api/tickets/TKT-%06d", math.random(1, tickets)))
end

local function search()
  if math.random() < 0.5 then
    return get("/api/tickets?q=" .. middling() .. "%20" .. middling() .. "&limit=25")
  end
  return get("/api/tickets?q=" .. middling() .. "&limit=25")
end

local function other_list()
  local r = math.random()
  if r < 0.4 then
    return get("/api/tickets/queue")
  elseif r < 0.7 then
    return get("/api/tickets?status=open&sort=sla_due&limit=25")
  end
  return get("/api/tickets?status=open&sort=-priority&limit=25")
end

local function note()
  local body = string.format('{"content": "Checked with the courier, %s is on its way."}', middling())
  return wrk.format("POST", string.format("/api/tickets/TKT-%06d/notes", math.random(1, tickets)),
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

local sent = 0
local thread_tag = "" -- set per thread in init, after seeding

local function inbound()
  sent = sent + 1
  local id = string.format("load-%s-%d@client.example", thread_tag, sent)
  local reply = ""
  if sent % 5 == 0 then
    reply = string.format("In-Reply-To: <load-%s-%d@client.example>\r\n", thread_tag, sent - 3)
  end
  local words = {}
  for i = 1, 300 do
    words[i] = (i % 7 == 0) and middling() or "parcel"
  end
  local mail = "From: Dana Customer <dana" .. (sent % 500) .. "@client.example>\r\n" ..
      "To: support@example.com\r\n" ..
      "Subject: Where is my order " .. middling() .. "?\r\n" ..
      "Message-ID: <" .. id .. ">\r\n" .. reply ..
      "Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n" ..
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" ..
      "Hello,\r\n\r\n" .. table.concat(words, " ") .. "\r\n\r\nThanks, Dana\r\n"
  return wrk.format("POST", "/api/webhooks/inbound-email",
    { ["Authorization"] = "Bearer " .. inbound_secret, ["Content-Type"] = "message/rfc822" }, mail)
end

-- Staff at work: mostly opening tickets and lists, some searching, a few notes written
-- (45 % detail, 25 % filtered list, 20 % queue and other lists, 5 % search, 5 % notes).
local function mixed()
  local r = math.random()
  if r < 0.45 then
    return detail()
  elseif r < 0.70 then
    return list()
  elseif r < 0.90 then
    return other_list()
  elseif r < 0.95 then
    return search()
  end
  return note()
end

-- The staff workspace's pages, signed in by the session cookie (SESSION from the environment):
-- the list filtered like `list` (with its total), and a random ticket's page.
local session = { ["Cookie"] = "fd_session=" .. (os.getenv("SESSION") or "") }

local function page_list()
  local priority = PRIORITIES[math.random(1, #PRIORITIES)]
  return wrk.format("GET", "/tickets?status=new%2Copen&priority=" .. priority, session)
end

local function page_detail()
  return wrk.format("GET", string.format("/tickets/TKT-%06d", math.random(1, tickets)), session)
end

local function pages()
  if math.random() < 0.5 then
    return page_list()
  end
  return page_detail()
end

-- The customer portal and the help centre (scripts/portal-bench.sh): customers signed in by
-- their session cookies (PORTAL_SESSIONS: `cookie:TKT-a:TKT-b,…`, each customer's two
-- requests), the help centre's article slugs one per line in SLUGS_FILE.
local customers = {}
for entry in string.gmatch(os.getenv("PORTAL_SESSIONS") or "", "[^,]+") do
  local cookie, a, b = entry:match("([^:]+):([^:]+):([^:]+)")
  if cookie then
    customers[#customers + 1] = { headers = { ["Cookie"] = "fd_session=" .. cookie }, tickets = { a, b } }
  end
end
local slugs = {}
local slugs_file = io.open(os.getenv("SLUGS_FILE") or "", "r")
if slugs_file then
  for line in slugs_file:lines() do
    slugs[#slugs + 1] = line
  end
  slugs_file:close()
end
-- Words of the portal fixture's articles and requests (crates/adapters-db/benches/portal.rs).
local HELP_WORDS = { "order", "delivery", "parcel", "invoice", "refund", "password", "login",
  "screen", "battery", "charger", "cable", "warranty", "return", "exchange", "colour", "size",
  "jacket", "shoes", "laptop", "printer", "router", "account", "subscription", "discount",
  "voucher", "shipping", "tracking", "courier", "address", "payment", "card", "bank", "transfer",
  "receipt", "missing", "damaged", "late", "store", "online", "reset", "email", "label", "box",
  "customs", "gift", "app" }

local function help_word()
  return HELP_WORDS[math.random(1, #HELP_WORDS)]
end

local function customer()
  return customers[math.random(1, #customers)]
end

local function portal_list()
  return wrk.format("GET", "/portal", customer().headers)
end

local function portal_ticket()
  local c = customer()
  return wrk.format("GET", "/portal/tickets/" .. c.tickets[math.random(1, 2)], c.headers)
end

local function help_search()
  if math.random() < 0.5 then
    return wrk.format("GET", "/help?q=" .. help_word() .. "%20" .. help_word())
  end
  return wrk.format("GET", "/help?q=" .. help_word())
end

local function help_article()
  return wrk.format("GET", "/help/" .. slugs[math.random(1, #slugs)])
end

local function portal_suggest()
  return wrk.format("GET", "/portal/new?subject=" .. help_word() .. "%20" .. help_word(),
    customer().headers)
end

-- Customers at the portal: 30 % their list, 30 % a request, 15 % help searches, 15 % articles,
-- 10 % the new-request suggestions as they type.
local function portal()
  local r = math.random()
  if r < 0.30 then
    return portal_list()
  elseif r < 0.60 then
    return portal_ticket()
  elseif r < 0.75 then
    return help_search()
  elseif r < 0.90 then
    return help_article()
  end
  return portal_suggest()
end

local mixes = { list = list, detail = detail, search = search, mixed = mixed, inbound = inbound,
  lists = other_list, note = note, page_list = page_list, page_detail = page_detail,
  pages = pages, portal_list = portal_list, portal_ticket = portal_ticket,
  help_search = help_search, help_article = help_article, portal_suggest = portal_suggest,
  portal = portal }
local make = list
local interval_ms = nil
local next_at = nil

-- `inbound` (run it with one connection per thread) also times each request exactly: wrk's
-- own figures add samples for coordinated omission, which inflates the tail of a sequential run.
samples = {}
local started = nil
local timed = false

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  thread_tag = tostring(math.random(1, 1e9))
  make = mixes[args[1] or "list"] or error("unknown mix " .. tostring(args[1]))
  timed = args[1] == "inbound"
  local rate = tonumber(args[2] or "")
  local threads = tonumber(args[3] or "1")
  if rate then
    interval_ms = 1000 / (rate / threads)
  end
end

-- Paced: each request has its slot on the clock (rate / threads per thread); a request whose
-- slot has passed goes at once, so the rate holds when the server answers late.
function delay()
  if not interval_ms then
    return 0
  end
  local t = now_ms()
  if not next_at then
    next_at = t
  end
  next_at = next_at + interval_ms
  local wait = next_at - t
  if wait < 0 then
    return 0
  end
  return wait
end

function request()
  if timed then
    started = now_ms()
  end
  return make()
end

function response()
  if started then
    samples[#samples + 1] = now_ms() - started
    started = nil
  end
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

local function exact()
  local all = {}
  for _, thread in ipairs(threads) do
    for _, v in ipairs(thread:get("samples") or {}) do
      all[#all + 1] = v
    end
  end
  if #all == 0 then
    return "null"
  end
  table.sort(all)
  local sum = 0
  for _, v in ipairs(all) do
    sum = sum + v
  end
  local function rank(p)
    return all[math.max(1, math.ceil(#all * p))]
  end
  return string.format('{"n": %d, "mean": %.2f, "p50": %.2f, "p99": %.2f, "max": %.2f}',
    #all, sum / #all, rank(0.50), rank(0.99), all[#all])
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.1f, "rate": %.1f, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}, "latency_ms": {"mean": %.2f, "p50": %.2f, ' ..
    '"p90": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f}, "exact_ms": %s}\n',
    summary.requests, seconds, summary.requests / seconds, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    exact()))
end
