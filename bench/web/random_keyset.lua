-- wrk script: each request asks for the page after, or before, a random row
-- of the list (`after=` / `before=`, as the list's next and previous links
-- do). CURSORS (set by run.sh) is a file of the rows' places in the list,
-- `tier~referral date~id`, one a line.
local cursors = {}
local separator = "?"

init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  for line in io.lines(os.getenv("CURSORS")) do
    cursors[#cursors + 1] = line
  end
  if #cursors == 0 then
    error("no cursors in " .. os.getenv("CURSORS"))
  end
  if string.find(wrk.path, "?", 1, true) then
    separator = "&"
  end
end

request = function()
  local way = (math.random(2) == 1) and "after=" or "before="
  return wrk.format(nil, wrk.path .. separator .. way .. cursors[math.random(#cursors)])
end
