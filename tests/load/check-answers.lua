-- wrk script for tests/load/reindex-under-load.sh: cycles through queries whose first hit is
-- known (from the file named by the EXPECTED environment variable: "query<TAB>id" lines) and
-- counts every answer whose first hit differs, or that is not a 200.
local cases = {}
for line in io.lines(os.getenv("EXPECTED")) do
  local query, id = line:match("^(.-)\t(.*)$")
  if query then cases[#cases + 1] = { query = query, id = id } end
end
local counter, wrong, failed = 0, 0, 0
local sent = {}

local function encode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  counter = counter + 1
  local case = cases[(counter % #cases) + 1]
  sent[#sent + 1] = case
  return wrk.format("GET", "/api/v1/search?q=" .. encode(case.query))
end

function response(status, headers, body)
  local case = table.remove(sent, 1)
  if status ~= 200 then
    failed = failed + 1
  elseif case and body:match('"id":"(.-)"') ~= case.id then
    -- Facets come before hits and carry no id: the first id is the first hit's.
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("answers checked: %d non-200, %d wrong first hit\n", failed, wrong))
end
