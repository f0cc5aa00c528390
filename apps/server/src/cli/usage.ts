export const USAGE = `Usage:
  mc-server start [--data DIR] [--host H] [--port P] [--profile enhanced|stock] [--changes-retention N] [--log]
                  [--faults SPEC] [--seed N]
  mc-server user add EMAIL --data DIR [--password-stdin] [--name NAME]
  mc-server user token EMAIL --data DIR [--new]

start      serve DIR (a temporary folder with a dev user when --data is missing) until SIGINT/SIGTERM;
           defaults: host 127.0.0.1, port 8510 (0 = any free port), profile enhanced (sync-api.md
           extensions; stock = production's API alone), changes-retention 1000000 (changes kept per
           project in the feed)
--faults   test-only fault injection, deterministic for a given --seed (default 1):
           SPEC = RULE[,RULE...], RULE = FAMILY:KIND[=ARG][@PROBABILITY][#COUNT]
           FAMILY: *, tus, tus-create, tus-patch, upload, download, listing, bulk
           KIND:   latency=MS | 5xx | status=CODE | reset[=BYTES] | corrupt[=BYTE]
           reset/corrupt act on the request body of tus requests that carry one, else on the
           response body; reset without BYTES cuts half-way. Example: tus-patch:corrupt@0.5#3
user add   create a user and print its API token
user token print a user's API token (--new replaces it first)
`;
