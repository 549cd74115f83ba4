-- bench/post_event.lua - wrk script: POSTs a deviation event to a rotating set of
-- episodes (ids in the environment variable EPISODES, comma-separated).
local ids = {}
for id in string.gmatch(os.getenv("EPISODES") or "1", "[^,]+") do ids[#ids + 1] = id end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("COOKIE")
wrk.body = '{"type":"deviation","occurred_at":"' .. os.getenv("AT") .. '","category":"other","against_org":"' .. os.getenv("ORG") .. '","note":"bench"}'
request = function()
	n = n + 1
	return wrk.format(nil, "/api/v1/episodes/" .. ids[(n % #ids) + 1] .. "/events")
end
