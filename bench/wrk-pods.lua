-- GET one pod chosen at random among the 10,000 the load generator seeds (pod i: ns-(i%10)/web-i).
math.randomseed(os.time())
request = function()
  local i = math.random(0, 9999)
  return wrk.format("GET", "/api/v1/namespaces/ns-" .. (i % 10) .. "/pods/web-" .. i)
end
