-- wrk script for tests/load/replicas.sh: the 20 queries of tests/e2e/wrk-queries.lua in turn,
-- counting the answers by status and by the generation their replica served
-- (X-Index-Generation). Prints one line per status and per generation when done.
local queries = {
  "aide soignant", "boulanger", "contrat d'apprentissage", "formation", "permis de conduire",
  "mission locale", "salaire apprenti", "cap cuisine", "allocation chômage", "stage de 3e",
  "rupture conventionnelle", "bac pro", "job d'été", "orientation lycée", "électricien",
  "infirmier", "aide au logement jeunes", "service civique", "validation des acquis",
  "congé maternité",
}
local counter = 0
local threads = {}

local function encode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function setup(thread)
  table.insert(threads, thread)
end

function init()
  statuses = {}
  generations = {}
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/api/v1/search?q=" .. encode(queries[(counter % #queries) + 1]))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local generation = headers["x-index-generation"] or headers["X-Index-Generation"] or "none"
  generations[generation] = (generations[generation] or 0) + 1
end

function done()
  local by_status, by_generation = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + n
    end
    for generation, n in pairs(thread:get("generations")) do
      by_generation[generation] = (by_generation[generation] or 0) + n
    end
  end
  for status, n in pairs(by_status) do io.write(string.format("status %s: %d\n", status, n)) end
  for generation, n in pairs(by_generation) do
    io.write(string.format("generation %s: %d\n", generation, n))
  end
end
