# bash completion for svcroute(8)
# Generated when the package was built: the command tree in _svcroute_node comes from the
# output of `svcroute --help` and `svcroute <command> --help`; do not edit.

_svcroute() {
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion || return
	else
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi

	# Walk the words typed so far down the command tree, skipping option values.
	local path="" children opts argopts positional word i skip=0
	for ((i = 1; i < cword; i++)); do
		word=${words[i]}
		if ((skip)); then skip=0 && continue; fi
		_svcroute_node "$path"
		case " $argopts " in *" $word:"*) skip=1 && continue ;; esac
		[[ $word == -* ]] && continue
		case " $children " in *" $word "*) path=${path:+$path }$word ;; esac
	done
	_svcroute_node "$path"

	local kind
	for kind in $argopts; do
		if [[ $prev == "${kind%%:*}" ]]; then
			_svcroute_values "${kind#*:}"
			return
		fi
	done
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	elif [[ -n $children ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$children" -- "$cur")
	else
		_svcroute_values "$positional"
	fi
}

# file, dir, choices=a,b, service (from the manifest in use), or nothing
_svcroute_values() {
	case $1 in
	file) mapfile -t COMPREPLY < <(compgen -f -- "$cur") && compopt -o filenames 2>/dev/null ;;
	dir) mapfile -t COMPREPLY < <(compgen -d -- "$cur") && compopt -o filenames 2>/dev/null ;;
	choices=*) local list=${1#choices=} && mapfile -t COMPREPLY < <(compgen -W "${list//,/ }" -- "$cur") ;;
	service) mapfile -t COMPREPLY < <(compgen -W "$(_svcroute_services)" -- "$cur") ;;
	*) COMPREPLY=() ;;
	esac
}

# the service names `svcroute check --json` reports for the manifest on the command line
_svcroute_services() {
	local i manifest=()
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in -m | --manifest) manifest=(--manifest "${words[i + 1]}") ;; esac
	done
	svcroute check --json "${manifest[@]}" 2>/dev/null |
		node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { for (const x of JSON.parse(s).services) console.log(x.name); } catch {} });' 2>/dev/null
}

complete -F _svcroute svcroute
