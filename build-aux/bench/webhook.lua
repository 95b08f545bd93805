-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script of build-aux/bench-webhook. wrk's Lua has no HMAC, so the
-- signed payloads are made beforehand, one per line:
--   signature <TAB> delivery id <TAB> JSON body
-- Each thread takes every n-th line from its own offset, so that no study
-- is sent twice while the list lasts; every request gets its own
-- X-Webhook-Id, so none is answered from the idempotency table.
local payloads = {}
local index = 0
local sent = 0
local started = 0

-- Called for each thread, just before that thread's init().
function setup(thread)
  thread:set("number", started)
  started = started + 1
end

-- args: the payload file and the number of wrk threads.
function init(args)
  local count = tonumber(args[2])
  local line_number = 0
  for line in io.lines(args[1]) do
    if line_number % count == number then
      local signature, id, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
      payloads[#payloads + 1] = { signature, id, body }
    end
    line_number = line_number + 1
  end
end

function request()
  index = index % #payloads + 1
  sent = sent + 1
  local p = payloads[index]
  return wrk.format("POST", "/webhook/dicom", {
    ["Content-Type"] = "application/json",
    ["X-Webhook-Signature"] = p[1],
    ["X-Webhook-Id"] = p[2] .. "-" .. number .. "-" .. sent,
  }, p[3])
end
