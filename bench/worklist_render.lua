-- bench/worklist_render.lua - GET /api/v1/worklist with a new notice page (offset) on every
-- request: no answer comes from the cache of rendered worklists, each is queried and rendered
-- (from the read model) as after a change of the ward's data. Needs the Cookie header (wrk -H).
counter = 0
request = function()
	counter = counter + 1
	return wrk.format("GET", "/api/v1/worklist?offset=" .. ((counter * 7 + math.random(0, 6)) % 1000000))
end
