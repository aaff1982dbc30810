-- wrk script for the BENCHMARKS.md figures: typical queries of the public and counsellors,
-- taken in turn. The path to load is the argument after `--`:
--   wrk -t2 -c32 -d30s --latency -s tests/e2e/wrk-queries.lua http://127.0.0.1:8080 -- /api/v1/search
-- `/api/v1/search` and `/` send the whole query; `/api/v1/suggest` sends its first letters.
local queries = {
  "aide soignant", "boulanger", "contrat d'apprentissage", "formation", "permis de conduire",
  "mission locale", "salaire apprenti", "cap cuisine", "allocation chômage", "stage de 3e",
  "rupture conventionnelle", "bac pro", "job d'été", "orientation lycée", "électricien",
  "infirmier", "aide au logement jeunes", "service civique", "validation des acquis",
  "congé maternité",
}
local path = "/api/v1/search"
local counter = 0

local function encode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  if args[1] then path = args[1] end
end

function request()
  counter = counter + 1
  local query = queries[(counter % #queries) + 1]
  if path:find("suggest", 1, true) then
    query = query:sub(1, 4)
  end
  return wrk.format("GET", path .. "?q=" .. encode(query))
end
