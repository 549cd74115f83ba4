# tests/cli/holidays.sh - `hemgang holidays YEAR [--eves] [--lang sv|en]`: the
# exact output contract and the one-line errors for bad input.
. "$(dirname "$0")/lib.sh"
T=$'\t'

expect_out "2024" "2024-01-01${T}Nyårsdagen
2024-01-06${T}Trettondedag jul
2024-03-29${T}Långfredagen
2024-03-31${T}Påskdagen
2024-04-01${T}Annandag påsk
2024-05-01${T}Första maj
2024-05-09${T}Kristi himmelsfärdsdag
2024-05-19${T}Pingstdagen
2024-06-06${T}Sveriges nationaldag
2024-06-22${T}Midsommardagen
2024-11-02${T}Alla helgons dag
2024-12-25${T}Juldagen
2024-12-26${T}Annandag jul" "$HEMGANG" holidays 2024

expect_out "2024 --eves" "2024-01-01${T}Nyårsdagen
2024-01-06${T}Trettondedag jul
2024-03-29${T}Långfredagen
2024-03-31${T}Påskdagen
2024-04-01${T}Annandag påsk
2024-05-01${T}Första maj
2024-05-09${T}Kristi himmelsfärdsdag
2024-05-19${T}Pingstdagen
2024-06-06${T}Sveriges nationaldag
2024-06-21${T}Midsommarafton
2024-06-22${T}Midsommardagen
2024-11-02${T}Alla helgons dag
2024-12-24${T}Julafton
2024-12-25${T}Juldagen
2024-12-26${T}Annandag jul
2024-12-31${T}Nyårsafton" "$HEMGANG" holidays 2024 --eves

# 1 May 2008 is May Day and Ascension Day at once: one line.
expect_out "2008" "2008-01-01${T}Nyårsdagen
2008-01-06${T}Trettondedag jul
2008-03-21${T}Långfredagen
2008-03-23${T}Påskdagen
2008-03-24${T}Annandag påsk
2008-05-01${T}Första maj / Kristi himmelsfärdsdag
2008-05-11${T}Pingstdagen
2008-06-06${T}Sveriges nationaldag
2008-06-21${T}Midsommardagen
2008-11-01${T}Alla helgons dag
2008-12-25${T}Juldagen
2008-12-26${T}Annandag jul" "$HEMGANG" holidays 2008

# Before the 1953 reform: 25 March and 24 June, Whit Monday, no All Saints' Saturday.
expect_out "1952 --eves" "1952-01-01${T}Nyårsdagen
1952-01-06${T}Trettondedag jul
1952-03-25${T}Marie bebådelsedag
1952-04-11${T}Långfredagen
1952-04-13${T}Påskdagen
1952-04-14${T}Annandag påsk
1952-05-01${T}Första maj
1952-05-22${T}Kristi himmelsfärdsdag
1952-06-01${T}Pingstdagen
1952-06-02${T}Annandag pingst
1952-06-23${T}Midsommarafton
1952-06-24${T}Midsommardagen
1952-12-24${T}Julafton
1952-12-25${T}Juldagen
1952-12-26${T}Annandag jul
1952-12-31${T}Nyårsafton" "$HEMGANG" holidays --eves 1952

expect_out "lang en" "2008-05-01${T}May Day / Ascension Day" \
	bash -c '"$0" holidays --lang en 2008 | grep 05-01' "$HEMGANG"
expect_out "lang sv explicit" "2049-06-06${T}Pingstdagen / Sveriges nationaldag" \
	bash -c '"$0" holidays --lang=sv 2049 | grep 06-06' "$HEMGANG"
expect_out "edges of the range" "13 15" \
	bash -c 'echo $("$0" holidays 2199 | wc -l) $("$0" holidays 1900 --eves | wc -l)' "$HEMGANG"
expect_rc "2024 ok" 0 "$HEMGANG" holidays 2024
expect_rc "help" 0 "$HEMGANG" holidays --help

expect_err "missing year" "^hemgang holidays: missing YEAR" "$HEMGANG" holidays
expect_err "not a number" "^hemgang holidays: bad year 'abc'" "$HEMGANG" holidays abc
expect_err "trailing junk" "^hemgang holidays: bad year '2024x'" "$HEMGANG" holidays 2024x
expect_err "too early" "^hemgang holidays: bad year '1899'" "$HEMGANG" holidays 1899
expect_err "too late" "^hemgang holidays: bad year '2200'" "$HEMGANG" holidays 2200
expect_err "negative" "^hemgang holidays: bad year '-5'" "$HEMGANG" holidays -5
expect_err "huge" "^hemgang holidays: bad year '9999999999999999999999'" "$HEMGANG" holidays 9999999999999999999999
expect_err "empty" "^hemgang holidays: bad year ''" "$HEMGANG" holidays ""
expect_err "two years" "^hemgang holidays: unexpected argument '2025'" "$HEMGANG" holidays 2024 2025
expect_err "unknown long option" "^hemgang holidays: unknown option '--bogus'" "$HEMGANG" holidays --bogus 2024
expect_err "unknown short option" "^hemgang holidays: unknown option '-x'" "$HEMGANG" holidays -x 2024
expect_err "lang without value" "^hemgang holidays: option '--lang' needs a value" "$HEMGANG" holidays 2024 --lang
expect_err "unknown lang" "^hemgang holidays: unknown language 'fr'" "$HEMGANG" holidays --lang fr 2024
for args in "" "abc" "1899" "2024 2025" "--bogus 2024" "--lang fr 2024"; do
	# shellcheck disable=SC2086
	expect_rc "exit 2 for [$args]" 2 "$HEMGANG" holidays $args
done

finish holidays
