-- wrk script: each request asks for a random page of the 20,000-person
-- waiting list (400 pages of 50), so few answers can be kept in memory.
math.randomseed(os.time())

request = function()
  return wrk.format(nil, wrk.path .. "?page=" .. math.random(1, 400))
end
