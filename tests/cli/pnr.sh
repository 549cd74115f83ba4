# tests/cli/pnr.sh - `hemgang pnr`: the exact output lines and exit codes for
# valid, invalid and mixed inputs, --at, the reserve options and bad usage.
. "$(dirname "$0")/lib.sh"
T=$'\t'
AT=(--at 2024-06-30)

# one valid input per written form and kind
expect_out "10 digits with -" "121212-1212${T}ok${T}20121212-1212${T}personnummer" "$HEMGANG" pnr "${AT[@]}" 121212-1212
expect_out "10 digits with +" "121212+1212${T}ok${T}19121212-1212${T}personnummer" "$HEMGANG" pnr "${AT[@]}" 121212+1212
expect_out "10 digits" "8112189876${T}ok${T}19811218-9876${T}personnummer" "$HEMGANG" pnr "${AT[@]}" 8112189876
expect_out "12 digits" "191212121212${T}ok${T}19121212-1212${T}personnummer" "$HEMGANG" pnr "${AT[@]}" 191212121212
expect_out "12 digits with -" "19121212-1212${T}ok${T}19121212-1212${T}personnummer" "$HEMGANG" pnr "${AT[@]}" 19121212-1212
expect_out "whitespace echoed, trimmed" " 19121212-1212 ${T}ok${T}19121212-1212${T}personnummer" "$HEMGANG" pnr "${AT[@]}" " 19121212-1212 "
expect_out "samordningsnummer" "701063-2391${T}ok${T}19701063-2391${T}samordningsnummer" "$HEMGANG" pnr "${AT[@]}" 701063-2391
expect_out "reservnummer accepted by default" "19800101-r123${T}ok${T}19800101-R123${T}reservnummer" "$HEMGANG" pnr "${AT[@]}" 19800101-r123
expect_out "Stockholm reservnummer" "991981000010${T}ok${T}991981000010${T}reservnummer" "$HEMGANG" pnr "${AT[@]}" 991981000010
expect_rc "all valid: exit 0" 0 "$HEMGANG" pnr "${AT[@]}" 121212-1212 701063-2391 19800101-R123

# invalid inputs: the reason code
expect_out "Luhn" "121212-1213${T}invalid${T}bad_checksum" "$HEMGANG" pnr "${AT[@]}" 121212-1213
expect_out "no such date" "19000229-1235${T}invalid${T}bad_date" "$HEMGANG" pnr "${AT[@]}" 19000229-1235
expect_out "samordningsnummer day 92" "701092-2396${T}invalid${T}bad_date" "$HEMGANG" pnr "${AT[@]}" 701092-2396
expect_out "serial 000" "990101-0000${T}invalid${T}bad_serial" "$HEMGANG" pnr "${AT[@]}" 990101-0000
expect_out "length" "12345${T}invalid${T}bad_length" "$HEMGANG" pnr "${AT[@]}" 12345
expect_out "separator" "121212/1212${T}invalid${T}bad_separator" "$HEMGANG" pnr "${AT[@]}" 121212/1212
expect_out "character" "12121a-1212${T}invalid${T}bad_character" "$HEMGANG" pnr "${AT[@]}" 12121a-1212
expect_out "empty" "${T}invalid${T}empty" "$HEMGANG" pnr "${AT[@]}" ""
expect_out "control character escaped" "81\\x0912${T}invalid${T}bad_length" "$HEMGANG" pnr "${AT[@]}" $'81\t12'
expect_out "future 12-digit" "20240701-1234${T}invalid${T}future_date" "$HEMGANG" pnr "${AT[@]}" 20240701-1234
expect_rc "invalid: exit 1" 1 "$HEMGANG" pnr "${AT[@]}" 121212-1213

# mixed: one line per input in order, exit 1
expect_out "mixed lines" "121212-1212${T}ok${T}20121212-1212${T}personnummer
121212-1213${T}invalid${T}bad_checksum
701063-2391${T}ok${T}19701063-2391${T}samordningsnummer" "$HEMGANG" pnr "${AT[@]}" 121212-1212 121212-1213 701063-2391
expect_rc "mixed: exit 1" 1 "$HEMGANG" pnr "${AT[@]}" 121212-1212 121212-1213

# --at moves the century rule: around the 100th birthday of someone born 1924-07-01
expect_out "--at day before, -" "240701-1234${T}ok${T}19240701-1234${T}personnummer" "$HEMGANG" pnr --at 2024-06-30 240701-1234
expect_out "--at day before, +" "240701+1234${T}ok${T}19240701-1234${T}personnummer" "$HEMGANG" pnr --at 2024-06-30 240701+1234
expect_out "--at on the day, -" "240701-1234${T}ok${T}20240701-1234${T}personnummer" "$HEMGANG" pnr --at 2024-07-01 240701-1234
expect_out "--at=DATE" "240701-1234${T}ok${T}20240701-1234${T}personnummer" "$HEMGANG" pnr --at=2024-07-02 240701-1234
expect_out "--at after NUMBER" "240701-1234${T}ok${T}19240701-1234${T}personnummer" "$HEMGANG" pnr 240701-1234 --at 2024-06-30

# reserve options
expect_out "--no-reserve" "19800101-R123${T}invalid${T}reserve_not_accepted" "$HEMGANG" pnr "${AT[@]}" --no-reserve 19800101-R123
expect_rc "--no-reserve: exit 1" 1 "$HEMGANG" pnr "${AT[@]}" --no-reserve 19800101-R123
expect_out "--reserve-birth impossible date" "19801301-R123${T}invalid${T}bad_date" "$HEMGANG" pnr "${AT[@]}" --reserve-birth 19801301-R123
expect_out "opaque date without --reserve-birth" "19801301-R123${T}ok${T}19801301-R123${T}reservnummer" "$HEMGANG" pnr "${AT[@]}" 19801301-R123
expect_out "--reserve-birth future date" "20300101-R123${T}invalid${T}future_date" "$HEMGANG" pnr "${AT[@]}" --reserve-birth 20300101-R123

# default reference date is today: someone born 1912 is valid whatever the day
expect_out "default --at" "19121212-1212${T}ok${T}19121212-1212${T}personnummer" "$HEMGANG" pnr 19121212-1212

# usage errors: one line on stderr, exit 2, nothing on stdout
expect_err "bad --at" "^hemgang pnr: bad --at date '2024-13-01'" "$HEMGANG" pnr --at 2024-13-01 121212-1212
expect_rc "bad --at: exit 2" 2 "$HEMGANG" pnr --at 2024-13-01 121212-1212
expect_err "bad --at shape" "^hemgang pnr: bad --at date '24-06-30'" "$HEMGANG" pnr --at 24-06-30 121212-1212
expect_err "--at without value" "^hemgang pnr: option '--at' needs a value" "$HEMGANG" pnr --at
expect_err "no numbers" "^hemgang pnr: no number given" "$HEMGANG" pnr
expect_rc "no numbers: exit 2" 2 "$HEMGANG" pnr --at 2024-06-30
expect_err "unknown option" "^hemgang pnr: unknown option '--bogus'" "$HEMGANG" pnr --bogus 121212-1212
expect_rc "unknown option: exit 2" 2 "$HEMGANG" pnr --bogus 121212-1212
expect_out "usage error prints nothing on stdout" "" "$HEMGANG" pnr --at 2024-13-01 121212-1212

# --help: usage on stdout, exit 0
expect_rc "--help: exit 0" 0 "$HEMGANG" pnr --help
if "$HEMGANG" pnr --help | grep -q '^usage: hemgang pnr'; then ok; else bad "--help prints the usage"; fi

finish pnr
