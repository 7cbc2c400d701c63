-- wrk script: each request searches the list (`q=`) for a random term from
-- TERMS (set by run.sh): a file of ids, parts of ids, given names and full
-- names of people on the demo's list, one a line, so that every search
-- finds someone.
local terms = {}
local separator = "?"

local function encode(text)
  return (string.gsub(text, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  for line in io.lines(os.getenv("TERMS")) do
    if line ~= "" then
      terms[#terms + 1] = encode(line)
    end
  end
  if #terms == 0 then
    error("no search terms in " .. os.getenv("TERMS"))
  end
  if string.find(wrk.path, "?", 1, true) then
    separator = "&"
  end
end

request = function()
  return wrk.format(nil, wrk.path .. separator .. "q=" .. terms[math.random(#terms)])
end
