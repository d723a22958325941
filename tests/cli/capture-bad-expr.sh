#!/bin/sh
# A capture with a bad expression is refused before anything starts: the
# compiler's message with its column, exit status 2, and no interface
# opened (the interface named does not exist, which would be the error
# otherwise; nor is any privilege needed to get this far).
trawl="$1"
err=$("$trawl" capture -i trawl-no-such-if 'tcp.port == 80 and prot 22' 2>&1 >/dev/null)
status=$?
fail() { echo "FAIL: $1"; echo "stderr: $err"; exit 1; }
[ "$status" -eq 2 ] || fail "exit status $status, not 2"
case "$err" in
*"unknown operand 'prot' at column 20"*) ;;
*) fail "no column in the message" ;;
esac
case "$err" in
*"o such device"* | *listening*) fail "the capture was started" ;;
esac
# A bad start filter is refused the same way.
err=$("$trawl" capture -i trawl-no-such-if --start-on 'filter:ip.src ==' 2>&1 >/dev/null)
status=$?
[ "$status" -eq 2 ] || fail "start filter: exit status $status, not 2"
case "$err" in
*"start filter: "*column*) ;;
*) fail "start filter: no column in the message" ;;
esac
echo ok
