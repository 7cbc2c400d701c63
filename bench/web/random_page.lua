-- wrk script: each request asks for a random page of the list, by number
-- (`page=N`), so few answers can be kept in memory and most pages are deep.
-- PAGES (set by run.sh from the list's `pages`) is how many pages there are.
local pages = tonumber(os.getenv("PAGES") or "400")
local separator = "?"

init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  if string.find(wrk.path, "?", 1, true) then
    separator = "&"
  end
end

request = function()
  return wrk.format(nil, wrk.path .. separator .. "page=" .. math.random(1, pages))
end
