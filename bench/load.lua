-- The request mix of bench/load (wrk). Each request is made as a random identity of the file
-- named by LOAD_IDENTITIES, one line per identity:
--   ROLE COUNTY TOKEN MEMBER_ID[@RECORDING_UNIT_ID],... ITEM_CODE(- for none)
-- Mix: 30 % writes (a county admin adds a township; a branch officer or village recorder writes
-- a record for a member of their unit), 70 % reads (members list, one member, the org tree,
-- /me, the caller's records or a name search). Every answer's status is counted and printed.

local threads = {}
local ids = {}
local counter = 0
statuses = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  for line in io.lines(os.getenv("LOAD_IDENTITIES")) do
    local role, county, token, members, item = line:match("^(%S+) (%S+) (%S+) (%S+) (%S+)$")
    local list = {}
    for m in members:gmatch("[^,]+") do table.insert(list, m) end
    table.insert(ids, { role = role, county = county, token = token, members = list, item = item })
  end
  -- Unit names must be new: the run's start time keeps them apart from the warm-up's.
  run = os.time()
  math.randomseed(run + tid * 7919)
end

local function get(who, path)
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. who.token })
end

local function post(who, path, body)
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. who.token,
    ["Content-Type"] = "application/json",
  }, body)
end

function request()
  counter = counter + 1
  local who = ids[math.random(#ids)]
  local r = math.random(100)
  if r <= 30 then
    if who.role == "county_admin" then
      return post(who, "/api/v1/org-units",
        string.format('{"kind":"township","name":"压测%d-%d号%d街道"}', run, tid, counter))
    end
    local m = who.members[math.random(#who.members)]
    local id, unit = m:match("^([^@]+)@?(.*)$")
    local extra = unit ~= "" and string.format(',"recording_unit_id":"%s"', unit) or ""
    return post(who, "/api/v1/records",
      string.format('{"member_id":"%s","item_code":"%s","content":"压测记实 %d-%d"%s}',
        id, who.item, tid, counter, extra))
  elseif r <= 50 then
    return get(who, "/api/v1/members?limit=20")
  elseif r <= 65 then
    return get(who, "/api/v1/members/" .. who.members[math.random(#who.members)]:match("^[^@]+"))
  elseif r <= 80 then
    return get(who, "/api/v1/org-units?limit=50")
  elseif r <= 90 then
    return get(who, "/api/v1/me")
  elseif who.role == "county_admin" then
    return get(who, "/api/v1/members?name=%E7%8E%8B&limit=20")
  else
    return get(who, "/api/v1/records?limit=20")
  end
end

function response(status, headers, body)
  -- A failure is counted under its problem code too (503:database_busy), so the table says why.
  local key = tostring(status)
  if status >= 300 and body then
    local code = body:match('"code"%s*:%s*"([%w_]+)"')
    if code then key = status .. ":" .. code end
  end
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
  end
  local keys = {}
  for s in pairs(total) do table.insert(keys, tostring(s)) end
  table.sort(keys)
  local parts = {}
  for _, s in ipairs(keys) do table.insert(parts, s .. "=" .. total[s]) end
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
  local e = summary.errors
  io.write(string.format("socket errors: connect %d read %d write %d timeout %d\n",
    e.connect, e.read, e.write, e.timeout))
end
