-- POST pods into ns-0, each with a new name: the seeded pod shape (`Nautilus.Load.dll pod-template`)
-- read from the file named by POD_TEMPLATE, NAME replaced by wrk-<run>-<thread>-<n>.
local path = assert(os.getenv("POD_TEMPLATE"), "set POD_TEMPLATE")
local template = assert(io.open(path)):read("*a")
local run = os.getenv("RUN_ID") or tostring(os.time())
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

-- wrk.format takes either its own headers or wrk.headers (with -H's Authorization): add to the latter.
wrk.headers["Content-Type"] = "application/json"

local n = 0
request = function()
  n = n + 1
  local name = "wrk-" .. run .. "-" .. id .. "-" .. n
  local body = template:gsub("NAME", name, 1)
  return wrk.format("POST", "/api/v1/namespaces/ns-0/pods", nil, body)
end

response = function(status, headers, body)
  if status ~= 201 then
    failures = (failures or 0) + 1
    if failures <= 3 then io.stderr:write("status " .. status .. ": " .. body:sub(1, 200) .. "\n") end
  end
end
