-- wrk script: POST a 5-line landed-cost quote (Germany, DDP, CNY prices,
-- answer in EUR) with the bearer token in the TOKEN environment variable.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
local line = function(hs, qty, price, kg)
  return string.format(
    '{"hs_code":"%s","origin":"CN","quantity":%d,"unit_price":{"amount":"%s","currency":"CNY"},"weight_kg":"%s"}',
    hs, qty, price, kg)
end
wrk.body = '{"destination":"DE","incoterm":"DDP","date":"2026-10-30","currency":"EUR",'
  .. '"shipping":{"amount":"80.00","currency":"CNY"},"items":['
  .. line("940521", 1, "168.00", "1.18") .. ","
  .. line("940521", 2, "168.00", "1.18") .. ","
  .. line("853952", 4, "39.00", "0.07") .. ","
  .. line("940531", 1, "59.00", "0.18") .. ","
  .. line("940542", 1, "118.00", "0.43") .. "]}"
