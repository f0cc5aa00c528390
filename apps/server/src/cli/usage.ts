export const USAGE = `Usage:
  mc-server start [--data DIR] [--host H] [--port P] [--profile enhanced|stock] [--changes-retention N] [--log]
  mc-server user add EMAIL --data DIR [--password-stdin] [--name NAME]
  mc-server user token EMAIL --data DIR [--new]

start      serve DIR (a temporary folder with a dev user when --data is missing) until SIGINT/SIGTERM;
           defaults: host 127.0.0.1, port 8510 (0 = any free port), profile enhanced (sync-api.md
           extensions; stock = production's API alone), changes-retention 1000000 (changes kept per
           project in the feed)
user add   create a user and print its API token
user token print a user's API token (--new replaces it first)
`;
