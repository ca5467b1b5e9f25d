#!/bin/bash
# The bash completion as installed: every command that `svcroute --help` lists is offered, and
# options and file names complete.   packaging/tests/completion.sh [COMPLETION_FILE]
set -u
file=${1:-/usr/share/bash-completion/completions/svcroute}
# shellcheck source=/dev/null
. "$file"
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_svcroute
	echo "${COMPREPLY[*]}"
}
fails=0
expect() { # description, expected words (all must appear), then the command line
	local what=$1 want=$2 got w
	shift 2
	got=" $(complete_words "$@") "
	for w in $want; do
		case $got in *" $w "*) ;; *) echo "  WRONG $what: '$*' offers [${got# }], missing $w"; fails=$((fails + 1)); return ;; esac
	done
	echo "  ok    $what"
}
commands=$(svcroute --help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}' | grep -vx help | tr '\n' ' ')
expect "every command of svcroute --help" "$commands" svcroute ""
expect "check's options" "--manifest --json" svcroute check --
expect "a manifest path" "/etc/svcroute/svcroute.yaml" svcroute check --manifest /etc/svcroute/svc
[ "$fails" -eq 0 ]
