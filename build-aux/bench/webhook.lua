-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script of build-aux/bench-webhook. wrk's Lua has no HMAC, so the
-- signed payloads are made beforehand, one per line:
--   signature <TAB> delivery id <TAB> JSON body
-- Each thread walks the list from its own offset; every request gets its
-- own X-Webhook-Id, so none is answered from the idempotency table.
local payloads = {}
local index = 0
local sent = 0
local thread_tag = ""

function setup(thread)
  thread_tag = thread_tag .. "t"
  thread:set("tag", thread_tag)
end

function init(args)
  for line in io.lines(args[1]) do
    local signature, id, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    payloads[#payloads + 1] = { signature, id, body }
  end
  index = (#tag * 7919) % #payloads
end

function request()
  index = index % #payloads + 1
  sent = sent + 1
  local p = payloads[index]
  return wrk.format("POST", "/webhook/dicom", {
    ["Content-Type"] = "application/json",
    ["X-Webhook-Signature"] = p[1],
    ["X-Webhook-Id"] = p[2] .. "-" .. tag .. "-" .. sent,
  }, p[3])
end
